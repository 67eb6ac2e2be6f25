"""Driving the entity as the assist pipeline does: `assist_pipeline/run` and direct calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

from homeassistant.components import stt
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.huawei_cloud_sis import stt as sis_stt
from tests.helpers.recognise import CHUNK, ENTITY_ID, chunks


@dataclass
class PipelineRun:
    """One `assist_pipeline/run` over its own websocket connection."""

    ws: MockHAClientWebSocket
    run_id: int
    handler_id: int
    events: list[dict[str, Any]]

    async def send(self, audio: bytes, size: int = CHUNK) -> None:
        """Send audio as binary frames prefixed with the handler id."""
        for start in range(0, len(audio), size):
            await self.ws.send_bytes(bytes([self.handler_id]) + audio[start : start + size])

    async def end(self) -> None:
        """An empty frame ends the audio stream."""
        await self.ws.send_bytes(bytes([self.handler_id]))

    async def next_event(self) -> dict[str, Any]:
        """Read the next event of the run."""
        message = await self.ws.receive_json()
        assert message["id"] == self.run_id
        assert message["type"] == "event", message
        event: dict[str, Any] = message["event"]
        self.events.append(event)
        return event

    async def until(self, kind: str) -> dict[str, Any]:
        """Read events up to the first of `kind`."""
        while (event := await self.next_event())["type"] != kind:
            assert event["type"] != "error", event
        return event

    async def text(self) -> str:
        """Read events up to the end of the run; return the recognised text."""
        stt_end = await self.until("stt-end")
        await self.until("run-end")
        text: str = stt_end["data"]["stt_output"]["text"]
        return text


type RunFactory = Callable[..., Awaitable[PipelineRun]]


async def start_pipeline_run(
    hass_ws_client: WebSocketGenerator,
    pipeline_id: str,
    end_stage: str = "stt",
    **extra_input: Any,
) -> PipelineRun:
    """Start a run of a pipeline from stage stt on a new connection, ready for audio."""
    ws = await hass_ws_client()
    await ws.send_json_auto_id(
        {
            "type": "assist_pipeline/run",
            "start_stage": "stt",
            "end_stage": end_stage,
            "pipeline": pipeline_id,
            "input": {"sample_rate": 16000} | extra_input,
        }
    )
    message = await ws.receive_json()
    assert message["success"], message
    run = PipelineRun(ws, message["id"], 0, [])
    run_start = await run.until("run-start")
    run.handler_id = run_start["data"]["runner_data"]["stt_binary_handler_id"]
    return run


@dataclass
class StandInPartial:
    """Stands in for `PartialSpeechResult`, which Home Assistant 2026.10 lacks."""

    text: str
    speaker_id: str | None = None


async def create_pipeline(
    ws: MockHAClientWebSocket,
    language: str = "zh-CN",
    stt_language: str | None = None,
    **fields: Any,
) -> str:
    """Create an assist pipeline whose speech-to-text engine is the entity; return its id.

    The pipeline is in `language` throughout (the default agent), its speech-to-text
    language `stt_language` when given; `fields` set others (`tts_engine`...).
    """
    await ws.send_json_auto_id(
        {
            "type": "assist_pipeline/pipeline/create",
            "conversation_engine": "conversation.home_assistant",
            "conversation_language": language,
            "language": language,
            "name": f"Huawei Cloud SIS {language}",
            "stt_engine": ENTITY_ID,
            "stt_language": stt_language or language,
            "tts_engine": None,
            "tts_language": None,
            "tts_voice": None,
            "wake_word_entity": None,
            "wake_word_id": None,
        }
        | fields
    )
    message = await ws.receive_json()
    assert message["success"], message
    pipeline_id: str = message["result"]["id"]
    return pipeline_id


async def run_to_speech(
    ws: MockHAClientWebSocket, client: Any, pipeline_id: str, start_stage: str, text: str
) -> tuple[dict[str, dict[str, Any]], bytes]:
    """Run a pipeline from `start_stage` (intent or tts) with `text` to its speech.

    Returns the last event of each type and the audio its tts output URL serves.
    """
    await ws.send_json_auto_id(
        {
            "type": "assist_pipeline/run",
            "start_stage": start_stage,
            "end_stage": "tts",
            "pipeline": pipeline_id,
            "input": {"text": text},
        }
    )
    message = await ws.receive_json()
    assert message["success"], message
    events: dict[str, dict[str, Any]] = {}
    while (event := (await ws.receive_json())["event"])["type"] != "tts-end":
        assert event["type"] != "error", event
        events[event["type"]] = event
    events["tts-end"] = event
    response = await client.get(event["data"]["tts_output"]["url"])
    audio: bytes = await response.read()
    return events, audio


async def new_pipeline(hass_ws_client: WebSocketGenerator, language: str) -> str:
    """Create a pipeline in `language` on a connection of its own; return its id."""
    ws = await hass_ws_client()
    pipeline_id = await create_pipeline(ws, language)
    await ws.close()
    return pipeline_id


def metadata(language: str = "zh-CN") -> stt.SpeechMetadata:
    """Metadata as the assist pipeline gives it."""
    return stt.SpeechMetadata(
        language=language,
        format=stt.AudioFormats.WAV,
        codec=stt.AudioCodecs.PCM,
        bit_rate=stt.AudioBitRates.BITRATE_16,
        sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
        channel=stt.AudioChannels.CHANNEL_MONO,
    )


def entity(hass: HomeAssistant) -> sis_stt.HuaweiSisSpeechToText:
    """The entity object, for driving the progress generator directly."""
    found = stt.async_get_speech_to_text_entity(hass, ENTITY_ID)
    assert isinstance(found, sis_stt.HuaweiSisSpeechToText)
    return found


async def with_progress(hass: HomeAssistant, pcm: bytes, language: str = "zh-CN") -> list[Any]:
    """What the entity's progress generator yields for `pcm`: partial texts, then the result.

    Driven directly with `StandInPartial` standing in for `PartialSpeechResult`, as Home
    Assistant 2026.11 would drive it.
    """
    with patch.object(sis_stt, "PARTIAL_SPEECH_RESULT", StandInPartial):
        return [
            item
            async for item in entity(hass).async_process_audio_stream_with_progress(
                metadata(language), chunks(pcm, CHUNK)
            )
        ]
