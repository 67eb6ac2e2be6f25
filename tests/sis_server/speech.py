"""A fake speech codec, so the emulator can "recognise" text deterministically.

Audio is 16-bit little-endian mono PCM. Silence is zero samples. Speech encodes
text: every UTF-8 byte `b` becomes one 10 ms block (sample_rate // 100 samples)
of the constant sample value `1000 + 8 * b`. Audio that does not follow this
pattern (a real recording, say) does not decode; the emulator answers it with
its configured fallback phrase.

Spoken audio (`synthesize_spoken`) says words with their real durations: a word
is the sample value `SUSTAIN` ("the word goes on", which adds no text) for most
of its time, then its bytes in its last 10 ms blocks, so that it is heard once
it is over, as a streaming recogniser hears it. Speech made by `synthesize`
holds no `SUSTAIN` and decodes exactly as it always did.

A silence inside the speech separates words and reads as one space, except
between two Chinese characters: Mandarin models write no spaces.
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
SUSTAIN: Final = BASE + STEP * 256
"""The sample value of a spoken word going on; it adds nothing to the text."""
SPACE: Final = BASE + STEP * ord(" ")
"""The sample value of a space."""


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


def _joined(left: str, right: str) -> bool:
    """Whether two pieces of text meet without a space: both sides are Chinese characters."""
    return bool(left and right) and _han(left[-1]) and _han(right[0])


def _han(char: str) -> bool:
    """A Chinese character (or Chinese punctuation or a full-width form)."""
    return (
        "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef"
    )


def synthesize_spoken(
    words: Iterable[tuple[str, int, int]], *, sample_rate: int = 16000, tail_ms: int = 0
) -> bytes:
    """Return PCM of `words` said with their timing: (text, start ms, end ms) each.

    Times count from the start of the audio, so the first start is the leading
    silence. A word lasts from its start to its end: `SUSTAIN`, then its UTF-8
    bytes in the last 10 ms blocks. A word that begins where the one before it
    ended is preceded by a space block, inside its own time, unless both sides
    are Chinese characters; between words that do not touch is a silence (a
    pause). Raises ValueError if words overlap or a word is too short for its
    bytes.
    """
    block = sample_rate // 100
    samples = array("h")
    previous, position = "", 0
    for text, start_ms, end_ms in words:
        start, end = sample_rate * start_ms // 1000, sample_rate * end_ms // 1000
        if start < position or not text:
            raise ValueError(f"{text!r} at {start_ms} ms overlaps the word before or is empty")
        data = text.encode()
        touching = bool(previous) and start == position
        if touching and not _joined(previous, text):
            data = b" " + data
        spoken = end - start - block * len(data)
        if spoken < 0:
            raise ValueError(f"{text!r} cannot be said in {end_ms - start_ms} ms")
        samples.extend([0] * (start - position))
        if touching and data[:1] == b" ":
            samples.extend([SPACE] * block)
            data = data[1:]
        samples.extend([SUSTAIN] * spoken)
        for byte in data:
            samples.extend([BASE + STEP * byte] * block)
        previous, position = text, end
    return _to_le(samples) + silence(tail_ms, sample_rate)


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
        if value == SUSTAIN:
            continue
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
            if word:  # a stretch of a word going on says nothing yet
                words.append(word)
    if not words:
        return None
    text = ""
    try:
        for index, word in enumerate(words):
            if index < len(words) - 1:
                piece = word.decode()
            else:
                decoder = codecs.getincrementaldecoder("utf-8")()
                piece = decoder.decode(word, final=not partial)
            text += piece if not text or _joined(text, piece) else " " + piece
    except UnicodeDecodeError:
        return None
    return text


def decode_samples(
    samples: Iterable[int], sample_rate: int, *, partial: bool = False
) -> str | None:
    """Decode 16-bit samples; None if there is no speech or it is not codec speech."""
    return decode_runs(runs_of(samples), sample_rate, partial=partial)


def decode(pcm: bytes, sample_rate: int = 16000) -> str | None:
    """Decode PCM made by `synthesize`; None when it holds no codec speech."""
    return decode_samples(samples_of(pcm), sample_rate)
