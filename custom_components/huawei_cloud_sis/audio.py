"""Turn the chunks Home Assistant hands over into whole 16-bit samples.

The assist pipeline sends raw PCM; clients of `POST /api/stt/<entity>` often
send a whole WAV file. A leading RIFF/WAVE header is recognised, checked
against the request's metadata and removed, even when it is split across
chunks. Samples stay aligned whatever the chunk sizes: an odd byte is held
back until its partner arrives, and dropped at the end.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from enum import Enum, auto
import struct
from typing import Final

SAMPLE_WIDTH: Final = 2
"""Bytes per sample: only 16-bit PCM is accepted."""

_DETECT_BYTES: Final = 12
"""`RIFF`, the RIFF size and `WAVE`."""
_CHUNK_HEADER: Final = 8
_MAX_FMT_SIZE: Final = 1024
_MAX_HEADER_BYTES: Final = 65536
"""Chunks before the audio that are skipped at most (metadata, not audio)."""
_UNKNOWN_SIZES: Final = (0, 0xFFFFFFFF)
"""Data sizes written by streaming writers that do not know the length."""
_FORMAT_PCM: Final = 1
_FORMAT_EXTENSIBLE: Final = 0xFFFE


class AudioInputError(Exception):
    """The audio is not what the request's metadata describes."""


class _State(Enum):
    DETECT = auto()
    HEADER = auto()
    DATA = auto()
    AFTER_DATA = auto()


class PcmInput:
    """Strip an optional WAV header and hand out whole samples.

    `feed` returns the audio ready to send (possibly empty); `finish`
    returns what is left at the end of the stream. Both raise
    `AudioInputError` for a WAV header that disagrees with the metadata.
    """

    def __init__(self, *, sample_rate: int, channels: int = 1) -> None:
        """Expect mono (or `channels`) 16-bit PCM at `sample_rate`."""
        self._sample_rate = sample_rate
        self._channels = channels
        self._state = _State.DETECT
        self._buffer = bytearray()
        self._odd = b""
        self._skip = 0
        self._header_bytes = 0
        self._format_seen = False
        self._data_left: int | None = None
        self.wav = False
        """True once a WAV header was found and removed."""

    def feed(self, chunk: bytes) -> bytes:
        """Take one chunk; return the whole samples that can be sent now."""
        if self._state is _State.DATA and not self._buffer:
            return self._samples(self._limit(chunk))
        if self._state is _State.AFTER_DATA:
            return b""
        self._buffer += chunk
        if self._state is _State.DETECT:
            self._detect(final=False)
        if self._state is _State.HEADER:
            self._parse_header()
        if self._state is _State.DATA and self._buffer:
            rest = bytes(self._buffer)
            self._buffer.clear()
            return self._samples(self._limit(rest))
        return b""

    def finish(self) -> bytes:
        """End of the stream: return the last whole samples; an odd byte is dropped."""
        if self._state is _State.DETECT:
            self._detect(final=True)
        if self._state is _State.HEADER:
            raise AudioInputError("The audio ended inside its WAV header")
        rest = bytes(self._buffer)
        self._buffer.clear()
        data = self._samples(self._limit(rest)) if self._state is _State.DATA else b""
        self._odd = b""
        return data

    # Parsing ------------------------------------------------------------------------------

    def _detect(self, *, final: bool) -> None:
        head = bytes(self._buffer[:_DETECT_BYTES])
        if not b"RIFF".startswith(head[:4]):
            self._state = _State.DATA
            return
        if len(head) < _DETECT_BYTES:
            if final:
                # Too short to be a header: a few bytes of raw audio.
                self._state = _State.DATA
            return
        if head[8:12] != b"WAVE":
            raise AudioInputError("The audio is a RIFF file but not WAVE")
        del self._buffer[:_DETECT_BYTES]
        self._header_bytes = _DETECT_BYTES
        self._state = _State.HEADER
        self.wav = True

    def _parse_header(self) -> None:
        while True:
            if self._skip:
                skipped = min(self._skip, len(self._buffer))
                del self._buffer[:skipped]
                self._skip -= skipped
                if self._skip:
                    return
            if len(self._buffer) < _CHUNK_HEADER:
                return
            chunk_id = bytes(self._buffer[:4])
            (size,) = struct.unpack_from("<I", self._buffer, 4)
            if chunk_id == b"data":
                if not self._format_seen:
                    raise AudioInputError("The WAV header has no format before the audio")
                del self._buffer[:_CHUNK_HEADER]
                self._data_left = None if size in _UNKNOWN_SIZES else size
                self._state = _State.DATA
                return
            padded = size + (size & 1)
            if self._header_bytes + _CHUNK_HEADER + padded > _MAX_HEADER_BYTES:
                raise AudioInputError("The WAV header is too long")
            if chunk_id == b"fmt ":
                if size > _MAX_FMT_SIZE:
                    raise AudioInputError("The WAV format chunk is too long")
                if len(self._buffer) < _CHUNK_HEADER + padded:
                    return
                self._check_format(bytes(self._buffer[_CHUNK_HEADER : _CHUNK_HEADER + size]))
                del self._buffer[: _CHUNK_HEADER + padded]
            else:
                del self._buffer[:_CHUNK_HEADER]
                self._skip = padded
            self._header_bytes += _CHUNK_HEADER + padded

    def _check_format(self, body: bytes) -> None:
        if len(body) < 16:
            raise AudioInputError("The WAV format chunk is too short")
        tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
        if tag == _FORMAT_EXTENSIBLE and len(body) >= 26:
            (tag,) = struct.unpack_from("<H", body, 24)
        problems = []
        if tag != _FORMAT_PCM:
            problems.append(f"format {tag} instead of PCM")
        if bits != SAMPLE_WIDTH * 8:
            problems.append(f"{bits} bits instead of {SAMPLE_WIDTH * 8}")
        if rate != self._sample_rate:
            problems.append(f"{rate} Hz instead of {self._sample_rate} Hz")
        if channels != self._channels:
            problems.append(f"{channels} channels instead of {self._channels}")
        if problems:
            raise AudioInputError(
                "The WAV header disagrees with the request: " + ", ".join(problems)
            )
        self._format_seen = True

    # Audio --------------------------------------------------------------------------------

    def _limit(self, data: bytes) -> bytes:
        """Keep only the declared length of the data chunk."""
        if self._data_left is None:
            return data
        if len(data) >= self._data_left:
            data = data[: self._data_left]
            self._state = _State.AFTER_DATA
        self._data_left -= len(data)
        return data

    def _samples(self, data: bytes) -> bytes:
        """Prepend a held-back byte and hold back a new odd one."""
        if self._odd:
            data = self._odd + data
            self._odd = b""
        if len(data) % SAMPLE_WIDTH:
            self._odd = data[-1:]
            data = data[:-1]
        return data


async def pcm_samples(stream: AsyncIterable[bytes], *, sample_rate: int) -> AsyncIterator[bytes]:
    """Yield the whole samples of a stream as they arrive, without a WAV header."""
    pcm = PcmInput(sample_rate=sample_rate)
    async for chunk in stream:
        if data := pcm.feed(chunk):
            yield data
    if data := pcm.finish():
        yield data


async def aclose(stream: AsyncIterable[bytes]) -> None:
    """Close a stream when it can be closed (an async generator): nothing more is read."""
    if (close := getattr(stream, "aclose", None)) is not None:
        await close()
