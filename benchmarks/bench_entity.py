"""Entity-level latency against the local SIS server: `.venv/bin/python -m benchmarks.bench_entity`.

Runs `benchmarks/entity_latency.py` inside Home Assistant's test harness and prints
its tables (Home Assistant's own log lines are left out). BENCH_RUNS sets the number
of recognitions per mode (default 200).
"""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys

HERE = Path(__file__).parent
ARGS = [
    "-m",
    "pytest",
    str(HERE / "entity_latency.py"),
    "-o",
    "python_files=entity_latency.py",
    "-o",
    "python_functions=bench_*",
    "-o",
    "timeout=0",
    "-q",
    "-s",
    "-p",
    "no:cacheprovider",
]


def main() -> int:
    """Run the benchmark module and print the lines it reports."""
    run = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *ARGS], capture_output=True, text=True, check=False, cwd=HERE.parent
    )
    for line in run.stdout.splitlines():
        if line.startswith(("|", "short-stream", "sentence-stream")) or " passed" in line:
            print(line)
    if run.returncode:
        print(run.stdout[-4000:], run.stderr[-4000:], sep="\n")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
