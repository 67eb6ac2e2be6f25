"""The command check's cost per interim text: `.venv/bin/python -m benchmarks.bench_command_check`.

Runs `benchmarks/command_check_figures.py` inside Home Assistant's test harness
and prints its tables (English and Mandarin, a home of 2,000 exposed entities).
BENCH_ROUNDS sets the number of rounds (default 20).
"""

from __future__ import annotations

import sys

from benchmarks.harness import run_module

if __name__ == "__main__":
    sys.exit(run_module("command_check_figures.py", ("en:", "zh-CN:", "    ")))
