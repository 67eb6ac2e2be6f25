"""A fake speech codec, so the emulator can "recognise" text deterministically.

Audio is 16-bit little-endian mono PCM. Silence is zero samples. Speech encodes
text: every UTF-8 byte `b` becomes one 10 ms block (sample_rate // 100 samples)
of the constant sample value `1000 + 8 * b`. Audio that does not follow this
pattern (a real recording, say) does not decode; the emulator answers it with
its configured fallback phrase.
"""

from __future__ import annotations

from array import array
import codecs
from collections.abc import Iterable
from itertools import groupby
import sys
from typing import Final

BASE: Final = 1000
STEP: Final = 8


def _to_le(samples: array[int]) -> bytes:
    if sys.byteorder != "little":  # pragma: no cover - every supported machine is little-endian
        samples.byteswap()
    return samples.tobytes()


def samples_of(pcm: bytes) -> array[int]:
    """Return the 16-bit samples of little-endian PCM (an odd last byte is ignored)."""
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder != "little":  # pragma: no cover
        samples.byteswap()
    return samples


def silence(ms: int, sample_rate: int = 16000) -> bytes:
    """Return `ms` milliseconds of silent PCM."""
    return bytes(2 * (sample_rate * ms // 1000))


def synthesize(text: str, *, sample_rate: int = 16000, lead_ms: int = 0, tail_ms: int = 0) -> bytes:
    """Return PCM the emulator recognises as `text`, with optional silence around it."""
    block = sample_rate // 100
    samples = array("h")
    for byte in text.encode():
        samples.extend([BASE + STEP * byte] * block)
    return silence(lead_ms, sample_rate) + _to_le(samples) + silence(tail_ms, sample_rate)


def synthesize_sentences(
    texts: list[str],
    *,
    gap_ms: int = 800,
    lead_ms: int = 200,
    tail_ms: int = 800,
    sample_rate: int = 16000,
) -> bytes:
    """Return PCM with one sentence per text, separated by `gap_ms` of silence."""
    parts = [synthesize(text, sample_rate=sample_rate) for text in texts]
    return (
        silence(lead_ms, sample_rate)
        + silence(gap_ms, sample_rate).join(parts)
        + silence(tail_ms, sample_rate)
    )


type Run = tuple[int, int]
"""A stretch of identical samples: (sample value, number of samples)."""


def runs_of(samples: Iterable[int]) -> list[Run]:
    """Run-length encode samples."""
    return [(value, len(list(group))) for value, group in groupby(samples)]


def pcm_of(runs: Iterable[Run]) -> bytes:
    """Return the little-endian PCM that run-length encoded samples stand for."""
    samples = array("h")
    for value, count in runs:
        samples.extend([value] * count)
    if sys.byteorder != "little":  # pragma: no cover
        samples.byteswap()
    return samples.tobytes()


def _stretch_bytes(runs: list[Run], block: int) -> bytes | None:
    """Decode one stretch of speech; None if it is not codec speech."""
    data = bytearray()
    last = len(runs) - 1
    for index, (value, count) in enumerate(runs):
        byte, remainder = divmod(value - BASE, STEP)
        if remainder or not 0 <= byte <= 255:
            return None
        blocks, cut = divmod(count, block)
        if cut:
            # Only the edges of a stretch may hold a cut block (a sentence cut mid-block).
            if 0 < index < last:
                return None
            blocks += 1
        data += bytes([byte]) * blocks
    return bytes(data)


def decode_runs(runs: Iterable[Run], sample_rate: int, *, partial: bool = False) -> str | None:
    """Decode run-length encoded samples; None if there is no speech or it is not codec speech.

    Leading and trailing silence is skipped; a shorter silence inside the speech
    separates words and reads as one space. With `partial` (speech still being
    received), an unfinished last UTF-8 character is left out instead of failing.
    """
    block = sample_rate // 100
    stretches: list[list[Run]] = [[]]
    for value, count in runs:
        if value:
            stretches[-1].append((value, count))
        elif stretches[-1]:
            stretches.append([])
    words: list[bytes] = []
    for stretch in stretches:
        if stretch:
            word = _stretch_bytes(stretch, block)
            if word is None:
                return None
            words.append(word)
    if not words:
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return decoder.decode(b" ".join(words), final=not partial)
    except UnicodeDecodeError:
        return None


def decode_samples(
    samples: Iterable[int], sample_rate: int, *, partial: bool = False
) -> str | None:
    """Decode 16-bit samples; None if there is no speech or it is not codec speech."""
    return decode_runs(runs_of(samples), sample_rate, partial=partial)


def decode(pcm: bytes, sample_rate: int = 16000) -> str | None:
    """Decode PCM made by `synthesize`; None when it holds no codec speech."""
    return decode_samples(samples_of(pcm), sample_rate)
