"""Streamed text-to-speech latency against the local SIS server: `python -m benchmarks.bench_tts`.

Runs `benchmarks/tts_latency.py` inside Home Assistant's test harness and prints its
tables: streamed replies, and the wait a voice the service refuses adds. BENCH_RUNS
sets the number of replies of each kind (default 100).
"""

from __future__ import annotations

import sys

from benchmarks.harness import run_module

if __name__ == "__main__":
    sys.exit(run_module("tts_latency.py", ()))
