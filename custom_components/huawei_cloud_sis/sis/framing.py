"""Cut audio of any chunk size into frames the service accepts."""

from __future__ import annotations

from .recognition_config import AudioFormat

DEFAULT_FRAME_MS = 100
"""Frame duration sent on the wire unless the caller chooses another one."""


class AudioFramer:
    """Collect audio and hand out frames within the format's size limits.

    Full frames have the target size; `flush` returns the rest, padded with
    silence up to the smallest allowed frame, so that no audio is dropped and
    no frame is refused.
    """

    def __init__(self, audio_format: AudioFormat, frame_ms: int = DEFAULT_FRAME_MS) -> None:
        """Choose the frame size for `frame_ms` of audio, within the format's limits."""
        if frame_ms <= 0:
            raise ValueError("frame_ms must be positive")
        self._format = audio_format
        width = audio_format.sample_width
        size = audio_format.bytes_per_second * frame_ms // 1000
        size = max(audio_format.min_frame, min(audio_format.max_frame, size))
        self.frame_size = size - size % width
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes waiting for a full frame."""
        return len(self._buffer)

    def push(self, data: bytes) -> list[bytes]:
        """Add audio and return the frames that are now complete."""
        self._buffer += data
        size = self.frame_size
        count = len(self._buffer) // size
        if not count:
            return []
        frames = [bytes(self._buffer[i * size : (i + 1) * size]) for i in range(count)]
        del self._buffer[: count * size]
        return frames

    def flush(self) -> bytes | None:
        """Return what is left as one last frame, or None when nothing is left."""
        if not self._buffer:
            return None
        data = bytes(self._buffer)
        self._buffer.clear()
        silence = self._format.silence
        if len(data) % len(silence):
            data += silence[len(data) % len(silence) :]
        if len(data) < self._format.min_frame:
            data += silence * ((self._format.min_frame - len(data)) // len(silence))
        return data
