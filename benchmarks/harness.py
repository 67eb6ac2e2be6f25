"""Run a benchmark module inside Home Assistant's test harness and print its figures.

The entity benchmarks need the `hass` fixture, so they are pytest modules whose
functions are named `bench_*`; this runs one of them and keeps only its table
lines (Home Assistant's own log lines are left out).
"""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys

HERE = Path(__file__).parent


def run_module(filename: str, keep: tuple[str, ...]) -> int:
    """Run `benchmarks/<filename>`; print lines starting with a table bar or `keep`."""
    args = [
        "-m",
        "pytest",
        str(HERE / filename),
        "-o",
        f"python_files={filename}",
        "-o",
        "python_functions=bench_*",
        "-o",
        "timeout=0",
        "-q",
        "-s",
        "-p",
        "no:cacheprovider",
        # pytest keeps every log record of a test; over 1,000 runs that is memory growth
        # that is not the integration's.
        "-p",
        "no:logging",
    ]
    run = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], capture_output=True, text=True, check=False, cwd=HERE.parent
    )
    for line in run.stdout.splitlines():
        if line.startswith(("|", *keep)) or " passed" in line:
            print(line)
    if run.returncode:
        print(run.stdout[-4000:], run.stderr[-4000:], sep="\n")
    return run.returncode
