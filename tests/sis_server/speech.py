"""A fake speech codec, so the emulator can "recognise" text deterministically.

Audio is 16-bit little-endian mono PCM. Silence is zero samples. Speech encodes
text: every UTF-8 byte `b` becomes one 10 ms block of the constant sample value
`1000 + 8 * b`. Real recordings do not decode; the emulator answers them with
its configured fallback phrase.
"""

from __future__ import annotations

from array import array
import codecs
import sys

BASE = 1000
STEP = 8


def _pcm(samples: array[int]) -> bytes:
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
    """Return `ms` milliseconds of silence."""
    return bytes(2 * (sample_rate * ms // 1000))


def synthesize(text: str, *, sample_rate: int = 16000, lead_ms: int = 0, tail_ms: int = 0) -> bytes:
    """Return PCM that the emulator recognises as `text`."""
    block = sample_rate // 100
    samples = array("h")
    for byte in text.encode():
        samples.extend([BASE + STEP * byte] * block)
    return silence(lead_ms, sample_rate) + _pcm(samples) + silence(tail_ms, sample_rate)


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


def decode_samples(
    samples: array[int] | list[int], sample_rate: int, *, partial: bool = False
) -> str | None:
    """Decode speech samples (starting at the first speech sample); None if not codec speech.

    With `partial`, speech still being received: an unfinished last character is left out.
    """
    start = next((i for i, value in enumerate(samples) if value), None)
    if start is None:
        return None
    end = len(samples)
    while end > start and not samples[end - 1]:
        end -= 1
    block = sample_rate // 100
    data = bytearray()
    for offset in range(start, end, block):
        chunk = samples[offset : min(offset + block, end)]
        value = chunk[0]
        if any(sample != value for sample in chunk):
            return None
        byte, remainder = divmod(value - BASE, STEP)
        if remainder or not 0 <= byte <= 255:
            return None
        data.append(byte)
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(bytes(data), final=not partial)
    except UnicodeDecodeError:
        return None


def decode(pcm: bytes, sample_rate: int = 16000) -> str | None:
    """Decode PCM made by `synthesize`; None when it is not codec speech."""
    return decode_samples(samples_of(pcm), sample_rate)
