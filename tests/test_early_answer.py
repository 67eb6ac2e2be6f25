"""Answering a command as soon as it is complete, through Home Assistant's pipeline and HTTP API.

The spoken corpus (`tests/corpus/`) is said in real time to an
`assist_pipeline/run` in the corpus's home, with the default conversation agent.
Most runs turn Home Assistant's voice detection off (`no_vad`): Home Assistant
then never ends the stream, so a text that arrives while the satellite is
still streaming was answered early, and one that arrives only after the
satellite ended the stream was not. Nothing here asserts how fast: the
benchmark (`benchmarks/bench_early_answer.py`) measures that.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
import logging
import time
from typing import Any
from unittest.mock import patch

from homeassistant.components.conversation.default_agent import DefaultAgent
from homeassistant.components.stt import SpeechMetadata, SpeechResult
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from benchmarks.playback import CHUNK, audio_of, play_http, revisions_on
from custom_components.huawei_cloud_sis.chinese_script import Conversion, async_written
from custom_components.huawei_cloud_sis.command_check import CommandChecker
from custom_components.huawei_cloud_sis.diagnostics import async_get_config_entry_diagnostics
from custom_components.huawei_cloud_sis.early_answer import PIPELINE_SILENCE
from custom_components.huawei_cloud_sis.stt import HuaweiSisSpeechToText
from tests.corpus.early_answer import CORPUS, MANDARIN, STT_LANGUAGE, Kind, Spoken, say as said
from tests.corpus.home import async_setup_home
from tests.helpers.checks import nothing_left, wait_for
from tests.helpers.entry import async_setup_two_entries
from tests.helpers.home import add_entity
from tests.helpers.pipeline import PipelineRun, create_pipeline, start_pipeline_run
from tests.helpers.recognise import ENTITY_ID, HttpClient, needs_chunked_http_body, recognise
from tests.sis_server import PROJECTS, Fault, SisServer, synthesize

ON = {"early_answer": True}
EARLY_LOGGER = "custom_components.huawei_cloud_sis.early_answer"


def spoken(name: str) -> Spoken:
    """An utterance of the corpus, by name."""
    return next(utterance for utterance in CORPUS if utterance.name == name)


def say_script(script: str) -> Spoken:
    """A Mandarin utterance of the tests' own, said at the corpus's pace."""
    return said("test", Kind.PLAIN, MANDARIN, script)


@dataclass
class Said:
    """What happened while an utterance was said to a pipeline run."""

    events: list[dict[str, Any]] = field(default_factory=list)
    text: str | None = None
    fed_at_text: int | None = None
    """Chunks handed over when the text arrived."""
    ended: bool = False
    """The satellite ended the stream (after all its audio)."""
    ended_before_text: bool = False

    def of(self, kind: str) -> dict[str, Any]:
        """The first event of a kind."""
        return next(event for event in self.events if event["type"] == kind)


async def say(
    run: PipelineRun, utterance: Spoken, *, tail_ms: int = 1200, stall_ms: int = 0
) -> Said:
    """Say `utterance` to a run in real time, then `tail_ms` of silence, then end the stream.

    With `stall_ms` the satellite sends nothing for that long 100 ms after the speech
    (its network stalls). Feeding stops when the run ends; the run is read to its end.
    """
    audio = audio_of(utterance, tail_ms=tail_ms)
    said = Said()
    fed = 0
    stall_at = (audio.end_of_speech_ms + 100) // 10 if stall_ms else None
    run_over = asyncio.Event()

    async def feed() -> None:
        nonlocal fed
        started = time.monotonic()
        for index, offset in enumerate(range(0, len(audio.pcm), CHUNK)):
            if index == stall_at:
                started += stall_ms / 1000
            await asyncio.sleep(max(0.0, started + index * 0.01 - time.monotonic()))
            if run_over.is_set():
                return
            await run.send(audio.pcm[offset : offset + CHUNK])
            fed += 1
        said.ended = True
        await run.end()

    await run.until("stt-start")
    feeder = asyncio.create_task(feed(), name="test feed")
    try:
        while (event := await run.next_event())["type"] != "run-end":
            said.events.append(event)
            if event["type"] == "stt-end":
                said.text = event["data"]["stt_output"]["text"]
                said.fed_at_text, said.ended_before_text = fed, said.ended
    finally:
        run_over.set()
        await feeder
    return said


@pytest.fixture
async def pipelines(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> dict[str, str]:
    """The corpus's home, and a pipeline per language with the default agent."""
    await async_setup_home(hass)
    assert await async_setup_component(hass, "assist_pipeline", {})
    ws = await hass_ws_client()
    made = {
        language: await create_pipeline(ws, language, stt) for language, stt in STT_LANGUAGE.items()
    }
    await ws.close()
    return made


async def start(
    hass_ws_client: WebSocketGenerator,
    pipelines: dict[str, str],
    utterance: Spoken,
    end_stage: str = "stt",
) -> PipelineRun:
    """Start a run in the utterance's language without Home Assistant's voice detection."""
    return await start_pipeline_run(
        hass_ws_client, pipelines[utterance.language], end_stage, no_vad=True
    )


@contextmanager
def closed_streams() -> Iterator[list[bool]]:
    """Note, for each recognition, whether its stream was closed when it returned its result."""
    closed: list[bool] = []
    process = HuaweiSisSpeechToText.async_process_audio_stream

    async def noted(
        entity: HuaweiSisSpeechToText, metadata: SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> SpeechResult:
        result = await process(entity, metadata, stream)
        closed.append(getattr(stream, "ag_frame", True) is None)
        return result

    with patch.object(HuaweiSisSpeechToText, "async_process_audio_stream", noted):
        yield closed


# The answer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [ON])
async def test_a_complete_command_is_acted_on_while_the_satellite_still_streams(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pipelines: dict[str, str],
    hass_ws_client: WebSocketGenerator,
    sis_server: SisServer,
) -> None:
    calls: list[ServiceCall] = async_mock_service(hass, "light", "turn_on")
    utterance = spoken("en-plain-04")  # "turn on the porch lamp"
    with closed_streams() as streams:
        run = await start(hass_ws_client, pipelines, utterance, end_stage="intent")
        # A long tail, so that an answer that is slow on a busy machine is still early.
        said = await say(run, utterance, tail_ms=5000)

    assert said.text == "turn on the porch lamp"
    assert not said.ended_before_text  # Home Assistant never ended the stream: it was early
    # The intent stage got the early text and acted on it.
    intent = said.of("intent-end")["data"]["intent_output"]["response"]
    assert intent["response_type"] == "action_done"
    assert [call.data["entity_id"] for call in calls] == [["light.porch_lamp"]]
    # The session ended without waiting for Huawei's answer; the stream was read no more:
    # what the satellite sent after the answer never reached the service.
    session = sis_server.sessions[-1]
    assert session.config["interim_results"] == "yes"
    await wait_for(lambda: session.end is not None, "END at the server")
    assert session.end == {"command": "END", "cancel": True}
    assert said.fed_at_text is not None
    assert len(session.audio) <= said.fed_at_text * CHUNK
    assert streams == [True]  # Home Assistant's stream was closed before the text was returned
    # Counted for the sensors and the diagnostics.
    usage = loaded_entry.runtime_data.usage
    assert (usage.recognitions, usage.early_answers) == (1, 1)
    # What was left of Home Assistant's wait when the text was decided: at least what was
    # left when the figures were recorded, a moment later (no bound on how fast).
    assert usage.last_latency_ms is not None
    left = PIPELINE_SILENCE - usage.last_latency_ms / 1000
    assert max(0.0, left) - 0.001 <= usage.silence_saved_seconds <= PIPELINE_SILENCE
    await hass.async_block_till_done()
    saved = hass.states.get("sensor.huawei_cloud_sis_silence_saved")
    assert saved is not None
    assert float(saved.state) == usage.silence_saved_seconds
    answers = hass.states.get("sensor.huawei_cloud_sis_early_answers")
    assert answers is not None
    assert answers.state == "1"
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    [recent] = diagnostics["recent_recognitions"]
    assert recent["answered_early"] is True
    assert recent["silence_saved_seconds"] == round(usage.silence_saved_seconds, 3)
    assert diagnostics["early_answers"] == {
        "enabled": True,
        "answered": 1,
        "silence_saved_seconds": usage.silence_saved_seconds,
    }
    await nothing_left(hass, sis_server)


@pytest.mark.parametrize("options", [ON])
@pytest.mark.parametrize(
    "name",
    [
        "en-prefix-name-04",  # "turn on the kitchen light (300) strip"
        "zh-CN-prefix-name-06",  # "打开台灯 (350) 带"
        "zh-CN-slow-number-01",  # "把空调的温度调到二十 (500) 六度"
        "en-slow-number-03",  # "set the porch lamp brightness to forty (600) five"
        "en-question-01",  # "what time is it in tokyo": "what time is it" is a command
        "en-plain-08",  # "turn off the fan", shown as "turn on the fan" for 200 ms at its end
    ],
)
async def test_names_numbers_and_questions_are_heard_to_their_end(
    hass: HomeAssistant,
    pipelines: dict[str, str],
    hass_ws_client: WebSocketGenerator,
    sis_server: SisServer,
    name: str,
) -> None:
    utterance = spoken(name)
    run = await start(hass_ws_client, pipelines, utterance)

    with revisions_on(sis_server, utterance):
        said = await say(run, utterance)

    assert said.text == utterance.command


@pytest.mark.parametrize("options", [ON])
async def test_a_name_that_may_grow_waits_for_the_end_of_the_stream(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pipelines: dict[str, str],
    hass_ws_client: WebSocketGenerator,
) -> None:
    utterance = spoken("zh-CN-prefix-name-07")  # "打开台灯", and 台灯带 exists
    run = await start(hass_ws_client, pipelines, utterance)

    said = await say(run, utterance, tail_ms=800)

    assert (said.text, said.ended_before_text) == ("打开台灯", True)
    assert loaded_entry.runtime_data.usage.early_answers == 0


# When it never answers early ------------------------------------------------------------------


@contextmanager
def no_sentences() -> Iterator[None]:
    """The default agent has no sentences for any language."""

    async def none(self: DefaultAgent, language: str) -> None:
        return None

    with patch.object(DefaultAgent, "async_get_or_load_intents", none):
        yield


@pytest.mark.parametrize("options", [ON])
async def test_never_early_without_sentences_for_the_language(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pipelines: dict[str, str],
    hass_ws_client: WebSocketGenerator,
) -> None:
    utterance = spoken("en-plain-04")

    with no_sentences():
        run = await start(hass_ws_client, pipelines, utterance)
        said = await say(run, utterance, tail_ms=800)

    assert (said.text, said.ended_before_text) == (utterance.command, True)
    assert loaded_entry.runtime_data.usage.early_answers == 0


@needs_chunked_http_body
@pytest.mark.parametrize("options", [ON])
async def test_never_early_without_the_conversation_integration(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, client: HttpClient
) -> None:
    assert "conversation" not in hass.config.components
    utterance = spoken("en-plain-04")

    played = await play_http(client, utterance, tail_ms=800)

    assert played.text == utterance.command
    assert played.chunks * 10 == 300 + utterance.end_ms + 800  # the whole body was read
    assert loaded_entry.runtime_data.usage.early_answers == 0


async def test_never_early_while_answering_for_another_engine(
    hass: HomeAssistant, sis_server: SisServer, hass_client: ClientSessionGenerator
) -> None:
    """A falls back to B, which answers early when it is asked itself; not for A."""
    await async_setup_home(hass)
    _, second = await async_setup_two_entries(
        hass, sis_server, {"fallback_engine": f"{ENTITY_ID}_2"}, ON
    )
    sis_server.faults.append(Fault.handshake(status=403))

    answer = await recognise(await hass_client(), synthesize("打开吊灯", tail_ms=300))

    assert answer == {"text": "打开吊灯", "result": "success"}
    [session] = sis_server.sessions  # the first one was refused at the handshake
    assert session.project_id == PROJECTS["cn-east-3"]
    assert session.config["interim_results"] == "no"
    assert second.runtime_data.usage.early_answers == 0
    await nothing_left(hass, sis_server)


@pytest.mark.parametrize("options", [ON])
async def test_a_stalled_stream_is_not_taken_for_silence(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pipelines: dict[str, str],
    hass_ws_client: WebSocketGenerator,
    sis_server: SisServer,
) -> None:
    utterance = spoken("en-plain-04")
    run = await start(hass_ws_client, pipelines, utterance)

    said = await say(run, utterance, stall_ms=700)

    # The text came only once audio flowed again after the stall: after more than the
    # speech and the 100 ms before the stall had been handed over.
    assert said.text == utterance.command
    assert said.fed_at_text is not None
    assert said.fed_at_text > (300 + utterance.end_ms + 100) // 10
    assert loaded_entry.runtime_data.usage.early_answers == 1


@pytest.mark.parametrize("options", [ON])
@pytest.mark.parametrize("broken", ["async_prepare", "async_check"])
async def test_a_failing_check_leaves_the_usual_answer(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pipelines: dict[str, str],
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
    broken: str,
) -> None:
    utterance = spoken("zh-CN-plain-01")

    with patch.object(CommandChecker, broken, side_effect=RuntimeError("no sentences today")):
        run = await start(hass_ws_client, pipelines, utterance)
        said = await say(run, utterance, tail_ms=800)

    assert (said.text, said.ended_before_text) == (utterance.command, True)
    assert loaded_entry.runtime_data.usage.early_answers == 0
    [line] = [r for r in caplog.records if r.name == EARLY_LOGGER]
    assert line.levelno == logging.WARNING
    assert line.getMessage().endswith("RuntimeError: no sentences today")
    assert "Traceback" not in caplog.text


# Cancelled and closed -----------------------------------------------------------------------


@pytest.mark.parametrize("options", [ON])
@pytest.mark.parametrize("when", ["talking", "checking"])
async def test_a_cancelled_run_leaves_nothing_behind(
    hass: HomeAssistant,
    pipelines: dict[str, str],
    hass_ws_client: WebSocketGenerator,
    sis_server: SisServer,
    when: str,
) -> None:
    utterance = spoken("en-plain-04")
    run = await start(hass_ws_client, pipelines, utterance)
    checking = asyncio.Event()

    async def hang(checker: CommandChecker, language: str, text: str) -> None:
        checking.set()
        await asyncio.Event().wait()

    async def cancel_when_due() -> None:
        if when == "checking":
            await checking.wait()
        else:
            await wait_for(
                lambda: bool(sis_server.sessions) and len(sis_server.sessions[-1].audio) >= 32000,
                "a second of audio at the server",
            )
        await run.ws.send_json_auto_id({"type": "unsubscribe_events", "subscription": run.run_id})

    await run.until("stt-start")
    pcm = audio_of(utterance, tail_ms=1500).pcm
    with patch.object(CommandChecker, "async_check", hang):
        canceller = asyncio.create_task(cancel_when_due(), name="test cancel")
        for offset in range(0, len(pcm), CHUNK):
            if canceller.done():
                break
            await run.send(pcm[offset : offset + CHUNK])
            await asyncio.sleep(0.01)
        await canceller
        session = sis_server.sessions[-1]
        await asyncio.wait_for(session.done.wait(), 5)
    assert session.end == {"command": "END", "cancel": True}
    await nothing_left(hass, sis_server)


# The option -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"mode": "short-stream"} | ON,
        {"mode": "continue-stream"} | ON,
        {"mode": "sentence-stream", "model_zh_cn": "chinese_16k_common"} | ON,
        {},
    ],
    ids=["short-stream", "continue-stream", "sentence-stream", "off"],
)
async def test_the_option_asks_for_interim_results_in_every_mode(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    sis_server: SisServer,
    options: dict[str, Any],
) -> None:
    await async_setup_home(hass)

    answer = await recognise(await hass_client(), synthesize("打开吊灯", lead_ms=200, tail_ms=600))

    assert answer == {"text": "打开吊灯", "result": "success"}
    session = sis_server.sessions[-1]
    on = bool(options)
    assert session.config["interim_results"] == ("yes" if on else "no")
    # Audio goes in 50 ms frames with the option on (an interim result comes sooner), else 100.
    assert max(session.frame_sizes) == (1600 if on else 3200)
    assert (loaded_entry.runtime_data.checker is not None) is on
    # Sent whole at once, the audio ends before any text stood still: the usual answer.
    assert loaded_entry.runtime_data.usage.early_answers == 0


@pytest.mark.parametrize("options", [ON])
async def test_the_check_reads_the_text_in_the_script_assist_matches(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pipelines: dict[str, str],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """zh-TW: the Mandarin model writes Simplified characters; Assist matches Traditional ones."""
    # A lamp named as Taiwan writes it; the model says "打开书桌灯" in Simplified characters.
    add_entity(hass, await async_written(hass, Conversion.TAIWAN, "书桌灯"), domain="light")
    command = await async_written(hass, Conversion.TAIWAN, "打开书桌灯")
    ws = await hass_ws_client()
    taiwan = await create_pipeline(ws, "zh-TW", "zh-TW")
    await ws.close()
    run = await start_pipeline_run(hass_ws_client, taiwan, "stt", no_vad=True)

    said = await say(run, say_script("打开书桌灯"), tail_ms=5000)

    assert command != "打开书桌灯"
    assert (said.text, said.ended_before_text) == (command, False)
    assert loaded_entry.runtime_data.usage.early_answers == 1
