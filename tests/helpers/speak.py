"""Speaking through Home Assistant's text-to-speech entry points, and reading the WAV back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

from homeassistant.components import media_source, tts
from homeassistant.components.tts.const import DATA_COMPONENT, DATA_TTS_MANAGER
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_mock_service

from tests.helpers.checks import our_tasks, wait_for
from tests.sis_server import SisServer, synthesize

TTS_ENTITY_ID = "tts.huawei_cloud_sis_text_to_speech"
WAV_HEADER = 44
"""Bytes of the WAV header the entity sends (the `wave` module's, with 0 frames)."""
AS_WAV = {"preferred_format": "wav"}
"""Asks Home Assistant for the engine's own WAV: no conversion (this machine has no ffmpeg)."""


def entity_of(hass: HomeAssistant) -> tts.TextToSpeechEntity:
    """The entity, as Home Assistant's text-to-speech component holds it."""
    entity = hass.data[DATA_COMPONENT].get_entity(TTS_ENTITY_ID)
    assert isinstance(entity, tts.TextToSpeechEntity)
    return entity


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


async def tts_speak(
    hass: HomeAssistant, client: Any, message: str, language: str, **options: Any
) -> bytes:
    """`tts.speak` to a media player, as an automation calls it; the audio the player gets.

    Home Assistant's caches are on, as they are for automations.
    """
    calls = async_mock_service(hass, "media_player", "play_media")
    await hass.services.async_call(
        "tts",
        "speak",
        {
            "entity_id": TTS_ENTITY_ID,
            "media_player_entity_id": "media_player.kitchen",
            "message": message,
            "language": language,
            "options": {"preferred_format": "wav"} | options,
        },
        blocking=True,
    )
    media_id = calls[-1].data["media_content_id"]
    resolved = await media_source.async_resolve_media(hass, media_id, None)
    response = await client.get(resolved.url)
    assert response.status == 200
    audio: bytes = await response.read()
    await hass.async_block_till_done(wait_background_tasks=True)  # the file cache is written
    return audio


async def heard_while_written(
    hass: HomeAssistant,
    written: list[str],
    then: list[str],
    first_sentence: str,
    language: str,
) -> tuple[bytes, bytes]:
    """Stream a reply as an agent writes it, pausing after `written` until audio comes.

    Returns the WAV heard during the pause (as long as `first_sentence` spoken) and the
    whole WAV once `then` was written too.
    """
    rest = asyncio.Event()

    async def agent() -> AsyncGenerator[str]:
        for piece in written:
            yield piece
        await rest.wait()
        for piece in then:
            yield piece

    result = stream(hass, language=language)
    result.async_set_message_stream(texts(agent()))
    audio = aiter(result.async_stream_result())
    first = await anext(audio)
    while len(first) < WAV_HEADER + len(synthesize(first_sentence)):
        first += await anext(audio)
    rest.set()
    return first, first + b"".join([chunk async for chunk in audio])


async def nothing_left(server: SisServer) -> None:
    """Wait until every connection to the local server is closed and every task ended."""
    await wait_for(lambda: server.open_connections == 0, "every connection closed")
    await wait_for(lambda: our_tasks() == [], "every task finished")
