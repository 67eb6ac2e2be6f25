"""Waits of a failing service: `.venv/bin/python -m benchmarks.bench_fallback`.

Runs `benchmarks/fallback_figures.py` inside Home Assistant's test harness and prints
its tables. BENCH_RUNS sets the runs per cell (default 10).
"""

from __future__ import annotations

import sys

from benchmarks.harness import run_module

if __name__ == "__main__":
    sys.exit(run_module("fallback_figures.py", ("10 runs", "a fallback", "end of", "connection")))
