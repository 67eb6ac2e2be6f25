"""Hot-word tables of a big home: `.venv/bin/python -m benchmarks.bench_hot_words`.

Runs `benchmarks/hot_word_figures.py` inside Home Assistant's test harness and
prints its table. BENCH_ROUNDS sets the number of rounds (default 20).
"""

from __future__ import annotations

import sys

from benchmarks.harness import run_module

if __name__ == "__main__":
    sys.exit(run_module("hot_word_figures.py", ("2000 exposed", "20 rounds", "rounds")))
