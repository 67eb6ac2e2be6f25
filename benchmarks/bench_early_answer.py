"""Answering before the silence ends: `.venv/bin/python -m benchmarks.bench_early_answer`.

Runs `benchmarks/early_answer_figures.py` inside Home Assistant's test harness
and prints its tables: end of speech → text per kind of spoken command, in each
mode, in real time through `assist_pipeline/run` (about 4 minutes a mode for the
whole corpus), and the earliest possible answer the command check allows.
BENCH_MODES, BENCH_VARIANTS, BENCH_PER_KIND and BENCH_WINDOWS choose what runs
(see that module).
"""

from __future__ import annotations

import sys

from benchmarks.harness import run_module

if __name__ == "__main__":
    sys.exit(
        run_module(
            "early_answer_figures.py",
            ("short-stream", "continue-stream", "sentence-stream", "    "),
        )
    )
