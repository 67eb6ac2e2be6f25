"""Entity-level latency against the local SIS server: `.venv/bin/python -m benchmarks.bench_entity`.

Runs `benchmarks/entity_latency.py` inside Home Assistant's test harness and prints
its tables. BENCH_RUNS sets the number of recognitions per mode (default 200).
"""

from __future__ import annotations

import sys

from benchmarks.harness import run_module

if __name__ == "__main__":
    sys.exit(run_module("entity_latency.py", ("short-stream", "sentence-stream")))
