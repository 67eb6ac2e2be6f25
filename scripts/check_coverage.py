"""Fail when any module of the integration is below its coverage floor.

Every module needs at least 95 %; the config and options flows (and their validation) 100 %.
Reads the `.coverage` file written by `pytest --cov`.
"""

from __future__ import annotations

import io
from pathlib import Path
import sys

import coverage

FLOOR = 95.0
FULL = {"config_flow.py", "options_flow.py", "validation.py"}


def main() -> int:
    """Print the modules below their floor and return 1 if there are any."""
    data = coverage.Coverage()
    data.load()
    failures = []
    root = Path("custom_components").resolve()
    measured = data.get_data().measured_files()
    sources = sorted(p.resolve() for p in root.rglob("*.py"))
    for source in sources:
        if str(source) not in measured:
            failures.append(f"{source.relative_to(root)}: not measured")
            continue
        percent = data.report(morfs=[str(source)], file=io.StringIO())
        floor = 100.0 if source.name in FULL else FLOOR
        if percent < floor:
            failures.append(f"{source.relative_to(root)}: {percent:.1f} % < {floor:.0f} %")
    for line in failures:
        print(f"coverage: {line}")
    if failures:
        return 1
    print(f"coverage: all {len(sources)} modules at or above their floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
