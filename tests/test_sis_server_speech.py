"""The fake speech codec the emulator recognises (tests/sis_server/speech.py)."""

from __future__ import annotations

import random

import pytest

from tests.sis_server import (
    decode,
    silence,
    synthesize,
    synthesize_sentences,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


# --- the fake codec --------------------------------------------------------------------------


def test_codec_round_trip() -> None:
    assert decode(synthesize("turn on the light")) == "turn on the light"
    assert decode(synthesize("你好", sample_rate=8000, lead_ms=50, tail_ms=70), 8000) == "你好"
    assert len(synthesize("ab", lead_ms=100, tail_ms=200)) == 2 * 16000 * 320 // 1000
    assert decode(silence(300)) is None
    noise = bytes(random.Random(1).getrandbits(8) for _ in range(3200))
    assert decode(noise) is None
    both = synthesize_sentences(["one", "two"], gap_ms=300, lead_ms=100, tail_ms=100)
    assert decode(both) == "one two"
    assert len(both) == 2 * 16 * (100 + 30 + 300 + 30 + 100)
