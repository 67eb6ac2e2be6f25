"""Optional real English recognition with pocketsphinx, for audio that is not fake-codec speech.

pocketsphinx is not a requirement of the emulator: call `available()` first and fall back to the
configured phrase when it says no. `transcribe()` is blocking, CPU-bound work; run it in an
executor. pocketsphinx holds the GIL while it decodes, so a thread executor keeps the event loop
waiting for the whole decode (about half a second for a three-second clip); a process executor
does not.
"""

from __future__ import annotations

from functools import cache
import importlib
from typing import Any, Final

RATES: Final = (8000, 16000)
"""The sample rates `transcribe` accepts, in Hz."""
MODEL_RATE: Final = 16000
"""The sample rate of pocketsphinx's bundled English model."""


def _module() -> Any:
    """Import pocketsphinx; it ships no type hints, so it is typed as Any."""
    return importlib.import_module("pocketsphinx")


@cache
def available() -> bool:
    """Tell whether pocketsphinx can be imported here (checked once, then remembered)."""
    try:
        _module()
    except ImportError:
        return False
    return True


def _upsample(pcm: bytes) -> bytes:
    """Double the sample rate of 16-bit PCM by writing every sample twice.

    The bundled model cannot read 8 kHz audio directly: its feat.params fixes the filter bank's top
    at 6800 Hz, above the 4000 Hz limit of 8 kHz audio, so a decoder set to samprate=8000 refuses to
    start, and the model was trained on 16 kHz features anyway. Repeating samples adds only faint
    mirror images above 4 kHz, which the model tolerates: the 8 kHz version of its own test clip
    decodes to the same words. Working on bytes keeps the little-endian order and is fast.
    """
    out = bytearray(len(pcm) * 2)
    low, high = pcm[0::2], pcm[1::2]
    out[0::4] = low
    out[1::4] = high
    out[2::4] = low
    out[3::4] = high
    return bytes(out)


def transcribe(pcm: bytes, sample_rate: int) -> str:
    """Recognise English in 16-bit little-endian mono PCM at 8000 or 16000 Hz.

    Return the words heard in lower case, separated by single spaces, or "" when nothing is
    recognised. An odd last byte is ignored. Each call loads its own decoder (about 0.2 s), since a
    decoder must not be shared between threads. Raise ValueError for any other sample rate and
    ImportError when pocketsphinx is not installed.
    """
    if sample_rate not in RATES:
        msg = f"sample rate must be one of {RATES}, not {sample_rate}"
        raise ValueError(msg)
    pcm = pcm[: len(pcm) - len(pcm) % 2]
    if not pcm:
        # pocketsphinx fails on an empty buffer instead of hearing nothing.
        return ""
    if sample_rate != MODEL_RATE:
        pcm = _upsample(pcm)
    decoder = _module().Decoder(
        samprate=MODEL_RATE,
        # Without dither, all-zero audio (digital silence) decodes to a word such as "dog";
        # pocketsphinx's dither is a fixed-seed, low-level noise, so results stay repeatable.
        dither=True,
        loglevel="FATAL",
    )
    decoder.start_utt()
    decoder.process_raw(pcm, no_search=False, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    if hypothesis is None:
        return ""
    return " ".join(str(hypothesis.hypstr).lower().split())
