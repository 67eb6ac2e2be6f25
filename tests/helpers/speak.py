"""Speaking through Home Assistant's text-to-speech entry points, and reading the WAV back."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

from homeassistant.components import tts
from homeassistant.components.tts.const import DATA_TTS_MANAGER
from homeassistant.core import HomeAssistant

TTS_ENTITY_ID = "tts.huawei_cloud_sis_text_to_speech"
WAV_HEADER = 44
"""Bytes of the WAV header the entity sends (the `wave` module's, with 0 frames)."""
AS_WAV = {"preferred_format": "wav"}
"""Asks Home Assistant for the engine's own WAV: no conversion (this machine has no ffmpeg)."""


def pcm_of(wav: bytes) -> tuple[int, bytes]:
    """Return the sample rate and the samples of a streamed 16-bit mono WAV."""
    assert wav[:4] == b"RIFF"
    assert wav[8:16] == b"WAVEfmt "
    assert int.from_bytes(wav[22:24], "little") == 1  # mono
    assert int.from_bytes(wav[34:36], "little") == 16  # 16-bit
    assert wav[36:40] == b"data"
    return int.from_bytes(wav[24:28], "little"), wav[WAV_HEADER:]


def stream(hass: HomeAssistant, language: str | None = None, **options: Any) -> tts.ResultStream:
    """A result stream of the entity, as the assist pipeline creates it, without the file cache."""
    return hass.data[DATA_TTS_MANAGER].async_create_result_stream(
        engine=TTS_ENTITY_ID, use_file_cache=False, language=language, options=AS_WAV | options
    )


async def read(result: tts.ResultStream) -> bytes:
    """Read a result stream to its end."""
    return b"".join([chunk async for chunk in result.async_stream_result()])


async def speak(hass: HomeAssistant, message: str, **options: Any) -> bytes:
    """Speak a whole message; return the WAV."""
    result = stream(hass, **options)
    result.async_set_message(message)
    return await read(result)


async def texts(pieces: AsyncIterable[str]) -> AsyncGenerator[str]:
    """Hand pieces of text over as a message stream."""
    async for piece in pieces:
        yield piece


@contextmanager
def without_conversion() -> Any:
    """Let Home Assistant hand out the engine's WAV where it would convert it with ffmpeg.

    The pipeline asks for MP3 unless a satellite asks otherwise; the conversion is
    Home Assistant's own work, and this machine has no ffmpeg.
    """

    async def passthrough(
        hass: HomeAssistant, from_extension: str | None, audio_input: Any, **kwargs: Any
    ) -> AsyncGenerator[bytes]:
        async for chunk in audio_input:
            yield chunk

    with patch("homeassistant.components.tts._async_convert_audio", passthrough):
        yield
