"""Load figures of the entity: `.venv/bin/python -m benchmarks.bench_load`.

Runs `benchmarks/load_figures.py` inside Home Assistant's test harness and prints,
for each mode with 1 and with 20 recognitions at once: end of speech to text, the
integration's share of it, chunk-to-wire delay and CPU per audio second; then
memory over 1,000 recognitions in a row. BENCH_ROUNDS (default 10) sets the rounds
per row and BENCH_MEMORY_RUNS (default 1000) the runs of the memory table.
"""

from __future__ import annotations

import sys

from benchmarks.harness import run_module

if __name__ == "__main__":
    sys.exit(run_module("load_figures.py", ("short-stream", "End of", "(short", "share", "10 ")))
