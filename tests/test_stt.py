"""The speech-to-text entity, driven through Home Assistant's own entry points.

`POST /api/stt/<entity>` (raw PCM and WAV files) and the `assist_pipeline/run`
websocket command (binary audio from start stage `stt`) run against the local
SIS server over real sockets on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from unittest.mock import patch

from homeassistant.components import stt
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
)

from custom_components.huawei_cloud_sis import stt as sis_stt
from custom_components.huawei_cloud_sis.const import REGION_CUSTOM
from custom_components.huawei_cloud_sis.languages import (
    LANGUAGES,
    languages_for_region,
    model_option_key,
)
from tests.helpers.checks import failure_lines, our_tasks, wait_for
from tests.helpers.entry import TEST_TIMEOUTS
from tests.helpers.pipeline import RunFactory, StandInPartial, entity, metadata, with_progress
from tests.helpers.recognise import (
    CHUNK,
    ENTITY_ID,
    PHRASES,
    HttpClient,
    assert_audio_arrived,
    chunks,
    needs_chunked_http_body,
    received,
    recognise,
    wav_file,
)
from tests.sis_server import Fault, SisServer, decode, synthesize, synthesize_sentences

SHORT = {"mode": "short-stream"}
SENTENCE = {"mode": "sentence-stream", "model_zh_cn": "chinese_16k_common"}
CONTINUE = {"mode": "continue-stream"}


# Pipeline helpers ------------------------------------------------------------------------


# The HTTP API ----------------------------------------------------------------------------


async def test_raw_stream_arrives_byte_for_byte_and_ends_with_end(
    client: HttpClient, sis_server: SisServer
) -> None:
    pcm = synthesize("打开客厅的灯")
    answer = await recognise(client, chunks(pcm, 333))
    assert answer == {"text": "打开客厅的灯", "result": "success"}
    session = sis_server.sessions[-1]
    assert session.mode == "short-stream"
    assert_audio_arrived(sis_server, pcm)
    assert session.end == {"command": "END", "cancel": False}
    assert session.config["audio_format"] == "pcm16k16bit"
    assert session.config["property"] == "chinese_16k_general"
    assert session.config["add_punc"] == "no"
    assert session.config["digit_norm"] == "yes"
    assert "vad_tail" not in session.config  # no effect in short-stream


async def test_wav_file_header_is_stripped(client: HttpClient, sis_server: SisServer) -> None:
    pcm = synthesize("关闭空调")
    answer = await recognise(client, wav_file(pcm))
    assert answer == {"text": "关闭空调", "result": "success"}
    assert_audio_arrived(sis_server, pcm)
    assert not received(sis_server).startswith(b"RIFF")


async def test_audio_is_forwarded_while_it_arrives(
    client: HttpClient, sis_server: SisServer
) -> None:
    pcm = synthesize("打开客厅的灯")
    half = len(pcm) // 2 // CHUNK * CHUNK

    async def body() -> AsyncIterator[bytes]:
        yield pcm[:half]
        # The rest comes only once the first half has reached the server.
        await wait_for(
            lambda: bool(sis_server.sessions) and len(received(sis_server)) >= half - 3200,
            "the first half at the server before the stream ends",
        )
        yield pcm[half:]

    answer = await recognise(client, body())
    assert answer["text"] == "打开客厅的灯"
    assert_audio_arrived(sis_server, pcm)


async def test_wav_header_that_disagrees_gives_an_error(
    client: HttpClient, sis_server: SisServer, caplog: pytest.LogCaptureFixture
) -> None:
    answer = await recognise(client, wav_file(synthesize("打开客厅的灯", sample_rate=8000), 8000))
    assert answer == {"text": None, "result": "error"}
    [line] = failure_lines(caplog)
    assert "8000 Hz instead of 16000 Hz" in line.getMessage()
    assert line.exc_info is None
    await wait_for(lambda: sis_server.open_connections == 0, "the session closed")


async def test_odd_chunks_keep_samples_aligned(client: HttpClient, sis_server: SisServer) -> None:
    pcm = synthesize("打开客厅的灯")
    answer = await recognise(client, chunks(pcm + b"\x7f", 321))
    assert answer["text"] == "打开客厅的灯"
    assert_audio_arrived(sis_server, pcm)
    assert len(received(sis_server)) % 2 == 0


@pytest.mark.parametrize("options", [CONTINUE])
async def test_8000_hz_uses_the_8k_model(client: HttpClient, sis_server: SisServer) -> None:
    pcm = synthesize("打开客厅的灯", sample_rate=8000)
    answer = await recognise(client, wav_file(pcm, 8000), sample_rate=8000)
    assert answer == {"text": "打开客厅的灯", "result": "success"}
    assert sis_server.sessions[-1].config["property"] == "chinese_8k_general"
    assert sis_server.sessions[-1].config["audio_format"] == "pcm8k16bit"
    assert_audio_arrived(sis_server, pcm)


async def test_no_8000_hz_model_for_english_is_an_error(
    client: HttpClient, sis_server: SisServer, caplog: pytest.LogCaptureFixture
) -> None:
    answer = await recognise(
        client, synthesize("hello", sample_rate=8000), language="en-US", sample_rate=8000
    )
    assert answer == {"text": None, "result": "error"}
    [line] = failure_lines(caplog)
    assert "No 8 kHz model for en-US" in line.getMessage()
    assert sis_server.sessions == []


@pytest.mark.parametrize("options", [SHORT, CONTINUE, SENTENCE])
async def test_chinese_segments_are_joined_without_spaces(
    client: HttpClient, sis_server: SisServer, options: dict[str, str]
) -> None:
    sentences = ["打开客厅的灯", "关闭空调"]
    pcm = synthesize_sentences(sentences)
    answer = await recognise(client, chunks(pcm))
    session = sis_server.sessions[-1]
    assert session.mode == options["mode"]
    if options == SENTENCE:
        # The sentence mode returns the first sentence only.
        assert answer == {"text": "打开客厅的灯", "result": "success"}
    else:
        assert answer == {"text": "打开客厅的灯关闭空调", "result": "success"}
        assert_audio_arrived(sis_server, pcm)
        assert session.end == {"command": "END", "cancel": False}


@pytest.mark.parametrize("options", [SHORT, CONTINUE])
async def test_english_segments_are_joined_with_one_space(
    client: HttpClient, sis_server: SisServer
) -> None:
    pcm = synthesize_sentences(["turn on the light", "and the fan"])
    answer = await recognise(client, chunks(pcm), language="en-US")
    assert answer == {"text": "turn on the light and the fan", "result": "success"}
    config = sis_server.sessions[-1].config
    assert config["property"] == "english_16k_general"
    assert "digit_norm" not in config


@pytest.mark.parametrize(
    "options",
    [
        {
            "mode": "continue-stream",
            "add_punc": True,
            "digit_norm": False,
            "vad_head": 3000,
            "vad_tail": 800,
            "max_seconds": 20,
            model_option_key("zh-CN"): "chinese_16k_common",
        }
    ],
)
async def test_options_shape_the_start_config(client: HttpClient, sis_server: SisServer) -> None:
    answer = await recognise(client, synthesize("打开客厅的灯"))
    assert answer["result"] == "success"
    config = sis_server.sessions[-1].config
    assert config["property"] == "chinese_16k_common"
    assert config["add_punc"] == "yes"
    assert config["digit_norm"] == "no"
    assert (config["vad_head"], config["vad_tail"], config["max_seconds"]) == (3000, 800, 20)
    assert config["interim_results"] == "no"


async def test_nothing_said_is_success_with_empty_text(
    client: HttpClient, sis_server: SisServer
) -> None:
    answer = await recognise(client, b"\0" * 16000)
    assert answer == {"text": "", "result": "success"}


async def test_supported_languages_follow_the_region(client: HttpClient) -> None:
    response = await client.get(f"/api/stt/{ENTITY_ID}")
    info = await response.json()
    assert info["languages"] == languages_for_region(REGION_CUSTOM) == list(LANGUAGES)
    assert info["sample_rates"] == [16000, 8000]
    assert info["formats"] == ["wav"]
    assert languages_for_region("cn-east-3") == ["zh-TW", "zh-CN"]
    assert languages_for_region("cn-north-4") == ["zh-TW", "zh-CN", "en-US", "zh-HK"]
    assert languages_for_region("ap-southeast-3") == ["zh-TW", "zh-CN", "en-US", "ar"]


# Sentence mode: the service decides when speech ends --------------------------------------


@pytest.mark.parametrize("options", [SENTENCE])
async def test_sentence_mode_returns_before_the_stream_ends(
    hass: HomeAssistant, start_run: RunFactory, sis_server: SisServer
) -> None:
    assert entity(hass).audio_processing.requires_external_vad is False
    run = await start_run()
    stt_start = await run.until("stt-start")
    if "audio_processing" in stt_start["data"]:  # in the event since Home Assistant 2026.8
        assert stt_start["data"]["audio_processing"]["requires_external_vad"] is False
    await run.send(synthesize("打开客厅的灯", tail_ms=1500))
    # The stream is never ended by the client: only the service's VOICE_END ends it.
    assert await run.text() == "打开客厅的灯"
    session = sis_server.sessions[-1]
    await asyncio.wait_for(session.done.wait(), 5)
    assert session.end == {"command": "END", "cancel": True}
    # The session was closed in the background, as a task of the config entry.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert our_tasks() == []


@needs_chunked_http_body
@pytest.mark.parametrize("options", [SENTENCE])
async def test_sentence_mode_stops_reading_http_body(
    client: HttpClient, sis_server: SisServer
) -> None:
    release = asyncio.Event()
    pcm = synthesize("关闭空调", tail_ms=1500)

    async def body() -> AsyncIterator[bytes]:
        async for piece in chunks(pcm, CHUNK):
            yield piece
        await release.wait()  # the stream stays open until the answer is in
        yield b"\0" * CHUNK

    answer = await recognise(client, body())
    release.set()
    assert answer == {"text": "关闭空调", "result": "success"}


@needs_chunked_http_body
@pytest.mark.parametrize("options", [SENTENCE])
async def test_sentence_mode_silence_is_empty_success(
    client: HttpClient, sis_server: SisServer
) -> None:
    answer = await recognise(client, b"\0" * 32000 * 12)
    assert answer == {"text": "", "result": "success"}


async def test_short_stream_keeps_home_assistant_vad(
    hass: HomeAssistant, start_run: RunFactory, sis_server: SisServer
) -> None:
    assert entity(hass).audio_processing.requires_external_vad is True
    run = await start_run(no_vad=True)
    await run.until("stt-start")
    pcm = synthesize("打开客厅的灯")
    await run.send(pcm)
    await run.end()
    assert await run.text() == "打开客厅的灯"
    assert_audio_arrived(sis_server, pcm)
    assert sis_server.sessions[-1].end == {"command": "END", "cancel": False}


# Partial results --------------------------------------------------------------------------


@pytest.mark.skipif(
    sis_stt.PARTIAL_SPEECH_RESULT is not None,
    reason="Home Assistant has PartialSpeechResult: the real class is used",
)
async def test_partial_results_generator_driven_directly_with_a_stand_in_class(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    """Home Assistant 2026.10 has no PartialSpeechResult: drive the generator directly."""
    items = await with_progress(hass, synthesize_sentences(["打开客厅的灯", "关闭空调"]))
    *partials, result = items
    assert result == stt.SpeechResult("打开客厅的灯关闭空调", stt.SpeechResultState.SUCCESS)
    assert partials
    assert all(isinstance(item, StandInPartial) for item in partials)
    texts = [item.text for item in partials]
    assert len(set(texts)) == len(texts)  # each partial differs from the previous one
    assert any(text.startswith("打开客厅的灯") and text != "打开客厅的灯" for text in texts)
    assert sis_server.sessions[-1].config["interim_results"] == "yes"


@pytest.mark.skipif(
    sis_stt.PARTIAL_SPEECH_RESULT is not None,
    reason="only on Home Assistant without PartialSpeechResult",
)
async def test_without_partial_results_only_the_result_is_yielded(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    items = [
        item
        async for item in entity(hass).async_process_audio_stream_with_progress(
            metadata(), chunks(synthesize("打开客厅的灯"), CHUNK)
        )
    ]
    assert items == [stt.SpeechResult("打开客厅的灯", stt.SpeechResultState.SUCCESS)]
    assert sis_server.sessions[-1].config["interim_results"] == "no"


async def test_a_language_without_a_model_is_an_error(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Home Assistant checks the language first; a direct caller gets an error result."""
    result = await entity(hass).async_process_audio_stream(
        metadata("fr-FR"), chunks(synthesize("bonjour"))
    )
    assert result == stt.SpeechResult(None, stt.SpeechResultState.ERROR)
    [line] = failure_lines(caplog)
    assert "No model for fr-FR at 16000 Hz" in line.getMessage()
    assert sis_server.sessions == []


async def test_stopping_the_progress_generator_cancels_the_session(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    release = asyncio.Event()

    async def endless() -> AsyncIterator[bytes]:
        async for piece in chunks(synthesize("打开客厅的灯"), CHUNK):
            yield piece
        await release.wait()
        yield b""

    with patch.object(sis_stt, "PARTIAL_SPEECH_RESULT", StandInPartial):
        progress = entity(hass).async_process_audio_stream_with_progress(metadata(), endless())
        first = await anext(progress)
        assert isinstance(first, StandInPartial)
        await progress.aclose()
    session = sis_server.sessions[-1]
    await asyncio.wait_for(session.done.wait(), 5)
    assert session.end == {"command": "END", "cancel": True}
    assert our_tasks() == []


# Cancellation and concurrency -------------------------------------------------------------


async def test_cancelling_a_running_pipeline_cancels_the_session(
    hass: HomeAssistant, start_run: RunFactory, sis_server: SisServer
) -> None:
    run = await start_run(no_vad=True)
    await run.until("stt-start")
    await run.send(synthesize("打开客厅的灯")[:6400])
    await wait_for(
        lambda: bool(sis_server.sessions) and len(received(sis_server)) >= 3200,
        "audio at the server",
    )
    await run.ws.send_json_auto_id({"type": "unsubscribe_events", "subscription": run.run_id})
    session = sis_server.sessions[-1]
    await asyncio.wait_for(session.done.wait(), 5)
    assert session.end == {"command": "END", "cancel": True}
    # Home Assistant does not wait for tasks being cancelled: wait for ours to end.
    await wait_for(lambda: our_tasks() == [], "no task of the run left")
    assert sis_server.open_connections == 0


async def test_twenty_pipelines_at_once(start_run: RunFactory, sis_server: SisServer) -> None:
    phrases = PHRASES
    runs = [await start_run(no_vad=True) for _ in phrases]
    audio = [synthesize(phrase) for phrase in phrases]
    for run in runs:
        await run.until("stt-start")
    longest = max(len(pcm) for pcm in audio)
    for start in range(0, longest, CHUNK):
        for run, pcm in zip(runs, audio, strict=True):
            if start < len(pcm):
                await run.send(pcm[start : start + CHUNK])
    for run in runs:
        await run.end()
    texts = await asyncio.gather(*(run.text() for run in runs))
    assert texts == phrases
    # Each session carried its own audio, not a mix of two.
    assert len(sis_server.sessions) == len(phrases)
    heard = [decode(bytes(session.audio)) or "" for session in sis_server.sessions]
    assert sorted(heard) == sorted(phrases)
    await wait_for(lambda: sis_server.open_connections == 0, "every socket closed")
    await wait_for(lambda: our_tasks() == [], "every task of the integration ended")


@needs_chunked_http_body
@pytest.mark.parametrize("options", [SENTENCE])
async def test_unload_cancels_sessions_still_closing(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    sis_server: SisServer,
) -> None:
    # The answer comes at once; closing goes on in the background, here for long.
    with patch("custom_components.huawei_cloud_sis.TIMEOUTS", replace(TEST_TIMEOUTS, close=600.0)):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
    sis_server.faults.append(Fault.no_end_response())  # END is never answered
    release = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        async for piece in chunks(synthesize("打开客厅的灯", tail_ms=1500), CHUNK):
            yield piece
        await release.wait()

    answer = await recognise(await hass_client(), body())
    release.set()
    assert answer == {"text": "打开客厅的灯", "result": "success"}
    await wait_for(lambda: sis_server.sessions[-1].end is not None, "END at the server")
    assert sis_server.sessions[-1].end == {"command": "END", "cancel": True}
    assert [task.get_name() for task in our_tasks() if "close" in task.get_name()]
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert our_tasks() == []


@needs_chunked_http_body
async def test_a_recognition_that_outlives_an_unload_still_answers(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Saving the options reloads the entry: a satellite speaking meanwhile gets its answer."""
    release = asyncio.Event()
    speech = synthesize("打开客厅的灯", tail_ms=300)

    async def body() -> AsyncIterator[bytes]:
        yield speech[: len(speech) // 2]
        await release.wait()
        yield speech[len(speech) // 2 :]

    http = await hass_client()
    request = asyncio.ensure_future(recognise(http, body()))
    await wait_for(lambda: bool(sis_server.sessions), "the session at the server")
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    release.set()
    assert await request == {"text": "打开客厅的灯", "result": "success"}
    assert "Traceback" not in caplog.text
    await wait_for(lambda: sis_server.open_connections == 0, "every socket closed")
    await wait_for(lambda: our_tasks() == [], "every task of the integration ended")
