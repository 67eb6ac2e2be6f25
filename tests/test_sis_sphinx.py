"""Optional real English recognition with pocketsphinx (skipped when it is not installed)."""

from __future__ import annotations

import os
from pathlib import Path
import time
from typing import Final

import pytest

from tests.sis_server import sphinx

pocketsphinx = pytest.importorskip("pocketsphinx")

CLIP: Final = "goforward.raw"
"""pocketsphinx's own test recording: "go forward ten meters", 16 kHz 16-bit mono PCM."""
CLIP_WORDS: Final = {"go", "forward", "ten", "meters"}
CLIP_ENV: Final = "SPHINX_GOFORWARD_RAW"
"""Where to find the clip when the installed package does not ship it (the PyPI wheel does not;
the sdist has it in test/data/)."""


def _find_clip() -> Path | None:
    """Find the test recording in the installed package, or where CLIP_ENV points."""
    package = Path(pocketsphinx.__file__).parent
    found = next(package.rglob(CLIP), None)
    if found is None and os.environ.get(CLIP_ENV):
        found = Path(os.environ[CLIP_ENV])
    return found if found is not None and found.is_file() else None


@pytest.fixture(name="clip", scope="module")
def fixture_clip() -> bytes:
    path = _find_clip()
    if path is None:
        pytest.skip(f"{CLIP} is not in the installed pocketsphinx package and {CLIP_ENV} is unset")
    return path.read_bytes()


def _every_other_sample(pcm: bytes) -> bytes:
    """Halve the sample rate of 16-bit PCM by dropping every second sample."""
    end = len(pcm) - len(pcm) % 2
    out = bytearray((end // 2 + 1) // 2 * 2)
    out[0::2] = pcm[0:end:4]
    out[1::2] = pcm[1:end:4]
    return bytes(out)


def test_available() -> None:
    assert sphinx.available() is True
    assert sphinx.available() is True  # the cached answer


@pytest.mark.parametrize("rate", sphinx.RATES)
def test_silence_is_not_speech(rate: int) -> None:
    assert sphinx.transcribe(bytes(2 * rate * 2), rate) == ""


@pytest.mark.parametrize("pcm", [b"", b"\x00"])
def test_no_samples(pcm: bytes) -> None:
    assert sphinx.transcribe(pcm, 16000) == ""


def test_other_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="44100"):
        sphinx.transcribe(bytes(100), 44100)


def test_upsample_repeats_each_sample() -> None:
    assert sphinx._upsample(b"\x01\x02\x03\x04") == b"\x01\x02\x01\x02\x03\x04\x03\x04"


def test_english_at_16khz(clip: bytes) -> None:
    started = time.perf_counter()
    text = sphinx.transcribe(clip, 16000)
    print(f"decoded {CLIP} in {time.perf_counter() - started:.3f} s: {text!r}")
    assert text == text.lower()
    assert set(text.split()) >= CLIP_WORDS


def test_english_at_8khz(clip: bytes) -> None:
    text = sphinx.transcribe(_every_other_sample(clip), 8000)
    assert CLIP_WORDS & set(text.split())


def test_odd_last_byte_is_ignored(clip: bytes) -> None:
    assert sphinx.transcribe(clip + b"\x7f", 16000) == sphinx.transcribe(clip, 16000)
