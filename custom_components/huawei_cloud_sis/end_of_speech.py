"""Find the end of a spoken command in a stream, for an engine that needs to be told.

In sentence mode Huawei Cloud hears the end of speech itself, so Home Assistant
does not cut the stream: the satellite streams until the engine answers. When
Huawei Cloud fails and another engine takes over, that engine may rely on
Home Assistant to end the stream (`requires_external_vad`). This module ends
it instead, with the timings of Home Assistant's own voice command segmenter
(0.3 s of speech starts a command, 0.7 s of silence ends it once it lasted
1 s, 15 s at most) and a plain loudness test for speech. The loudness test
that tells an early answer the room is quiet (`is_quiet`) is here too.
"""

from __future__ import annotations

from array import array
from collections.abc import AsyncGenerator, AsyncIterable
from dataclasses import dataclass, field
import math
import sys
from typing import Final

from .audio import PcmInput

SPEECH_RMS: Final = 500
"""A 10 ms frame this loud (about -36 dBFS) counts as speech."""
QUIET_RMS: Final = 180
"""A 10 ms frame below this RMS (about -45 dBFS) is quiet: see `is_quiet`."""
FRAME_MS: Final = 10


@dataclass(slots=True)
class CommandSegmenter:
    """Follow the audio frame by frame and tell when a voice command is over (milliseconds)."""

    speech_ms: int = 300
    command_ms: int = 1000
    silence_ms: int = 700
    timeout_ms: int = 15000
    in_command: bool = field(default=False, init=False)
    _speech: int = field(default=0, init=False)
    _command: int = field(default=0, init=False)
    _silence: int = field(default=0, init=False)
    _total: int = field(default=0, init=False)

    def process(self, ms: int, *, speech: bool) -> bool:
        """Take `ms` milliseconds of audio; return False once the command is over."""
        self._total += ms
        if self._total >= self.timeout_ms:
            return False
        if not self.in_command:
            self._speech = self._speech + ms if speech else 0
            if self._speech >= self.speech_ms:
                self.in_command = True
                self._command = self._speech
            return True
        self._command += ms
        self._silence = 0 if speech else self._silence + ms
        return not (self._silence >= self.silence_ms and self._command >= self.command_ms)


def frame_rms(samples: bytes) -> float:
    """Return the root mean square of 16-bit little-endian samples (0 for none)."""
    values = array("h")
    values.frombytes(samples)
    if sys.byteorder != "little":  # pragma: no cover - every supported machine is little-endian
        values.byteswap()
    if not values:
        return 0.0
    # In C: this runs for every 10 ms of audio, on the event loop.
    return math.sqrt(math.sumprod(values, values) / len(values))


def is_speech(samples: bytes) -> bool:
    """Whether 16-bit little-endian samples are loud enough to be speech."""
    return frame_rms(samples) >= SPEECH_RMS


def is_quiet(pcm: bytes, *, sample_rate: int, threshold_rms: float = QUIET_RMS) -> bool:
    """Whether no 10 ms frame of 16-bit little-endian PCM reaches `threshold_rms`.

    The loudest frame decides, not the average: one syllable in half a second
    of pauses is still someone talking. In synthetic speech (espeak-ng, an
    English and a Mandarin sentence) scaled so that its loud frames (95th
    percentile) sit at -20, -26 or -32 dBFS, every 300 ms of talking held a
    frame of -41 dBFS or more, while up to half of its single frames were
    below -45 dBFS: -45 dBFS calls no stretch of talking quiet, and lies above
    the noise of a quiet room after Home Assistant's noise suppression. It is
    9 dB under the fallback segmenter's speech threshold (`SPEECH_RMS`),
    because answering while the user still talks is the costlier mistake. An
    odd last byte is ignored.
    """
    frame = 2 * sample_rate * FRAME_MS // 1000
    usable = len(pcm) - len(pcm) % 2
    return all(
        frame_rms(pcm[start : min(start + frame, usable)]) < threshold_rms
        for start in range(0, usable, frame)
    )


async def until_end_of_speech(
    stream: AsyncIterable[bytes], *, sample_rate: int
) -> AsyncGenerator[bytes]:
    """Yield the stream's chunks unchanged until the command in it is over."""
    pcm = PcmInput(sample_rate=sample_rate)
    segmenter = CommandSegmenter()
    frame = 2 * sample_rate * FRAME_MS // 1000
    pending = bytearray()
    async for chunk in stream:
        yield chunk
        pending += pcm.feed(chunk)
        while len(pending) >= frame:
            samples = bytes(pending[:frame])
            del pending[:frame]
            if not segmenter.process(FRAME_MS, speech=is_speech(samples)):
                return
