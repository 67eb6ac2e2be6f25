"""A recognition: audio in as it arrives, the text out, against the local SIS server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import get_args

import aiohttp
import pytest

from custom_components.huawei_cloud_sis.sis import (
    AkSkAuth,
    AudioFormat,
    Endpoints,
    Recognition,
    RecognitionConfig,
    RecognitionMode,
    SessionState,
    SisAccountError,
    SisClient,
    SisServerError,
    SisSourceError,
    SisTimeoutError,
    Timeouts,
)
from tests.helpers.raw_client import create_table
from tests.sis_server import (
    ACCESS_KEY,
    PROJECTS,
    SECRET_KEY,
    Fault,
    SisServer,
    silence,
    synthesize,
    synthesize_sentences,
)
from tests.sis_server.readings import DeadTableStart

FAST = Timeouts(connect=1.0, start=1.0, opening=2.0, end=1.0, end_grace=0.2, close=0.5, iam=1.0)
COMMON = RecognitionConfig(audio_format=AudioFormat.PCM16K16BIT, model="chinese_16k_common")
CHUNK = 320


@pytest.fixture
def client(server: SisServer, http: aiohttp.ClientSession) -> SisClient:
    endpoints = Endpoints.custom(server.sis_url, server.iam_url, "cn-north-4")
    auth = AkSkAuth(
        http,
        endpoints.iam_url,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        project_id=PROJECTS["cn-north-4"],
    )
    return SisClient(http, auth, endpoints, timeouts=FAST)


async def stream(audio: bytes, *, then: asyncio.Event | None = None) -> AsyncIterator[bytes]:
    """Hand over audio in pipeline-sized chunks; then wait for `then` before ending."""
    for start in range(0, len(audio), CHUNK):
        yield audio[start : start + CHUNK]
        await asyncio.sleep(0)
    if then is not None:
        await then.wait()


async def run(recognition: Recognition) -> list[str]:
    """Run a recognition to its end and close it; return the texts it yielded on the way."""
    try:
        return [text async for text in recognition]
    finally:
        await recognition.close()


async def test_the_text_of_every_final_segment(client: SisClient, server: SisServer) -> None:
    audio = synthesize_sentences(["打开客厅的灯", "关闭空调"])
    recognition = client.recognize(RecognitionMode.CONTINUE_STREAM, COMMON, stream(audio))
    assert "continue-stream" in repr(recognition)
    texts = await run(recognition)
    assert recognition.outcome.text == "打开客厅的灯关闭空调"
    assert texts == ["打开客厅的灯", "打开客厅的灯关闭空调"]
    assert recognition.session.state is SessionState.ENDED
    assert recognition.done
    assert server.sessions[-1].end == {"command": "END", "cancel": False}


async def test_interim_text_is_yielded_as_it_grows(client: SisClient) -> None:
    config = replace(COMMON, interim_results=True)
    audio = synthesize("打开客厅的灯", tail_ms=300)
    recognition = client.recognize(RecognitionMode.SHORT_STREAM, config, stream(audio))
    texts = await run(recognition)
    assert texts[0] != texts[-1] == recognition.outcome.text == "打开客厅的灯"
    assert all(texts[-1].startswith(text) for text in texts)


async def test_sentence_mode_ends_with_the_sentence(client: SisClient, server: SisServer) -> None:
    """The service's end of the sentence is the answer: the audio is not read to its end."""
    never = asyncio.Event()
    audio = synthesize("打开客厅的灯", tail_ms=1500)
    recognition = client.recognize(
        RecognitionMode.SENTENCE_STREAM, replace(COMMON, vad_tail=400), stream(audio, then=never)
    )
    async with asyncio.timeout(10):  # the stream never ends: only the service can end this
        texts = [text async for text in recognition]
    assert texts == ["打开客厅的灯"] == [recognition.outcome.text]
    assert not recognition.session.done  # closing is left to the caller
    await recognition.close()
    assert server.sessions[-1].end == {"command": "END", "cancel": True}


async def test_silence_in_sentence_mode_is_no_text(client: SisClient) -> None:
    config = replace(COMMON, vad_head=500)
    recognition = client.recognize(RecognitionMode.SENTENCE_STREAM, config, stream(silence(2000)))
    assert await run(recognition) == []
    assert recognition.outcome.text == ""


async def test_finals_count_when_the_end_answer_never_comes(
    client: SisClient, server: SisServer
) -> None:
    # Only the short wait after the finals applies; a missing END answer would need 100 s.
    client.timeouts = replace(FAST, end=100.0)
    server.faults.append(Fault.no_end_response())
    audio = synthesize("打开客厅的灯", tail_ms=300)
    recognition = client.recognize(RecognitionMode.SHORT_STREAM, COMMON, stream(audio))
    await run(recognition)
    assert recognition.outcome.text == "打开客厅的灯"


async def test_no_end_answer_and_no_finals_is_a_timeout(
    client: SisClient, server: SisServer
) -> None:
    server.faults.append(Fault.no_end_response())
    recognition = client.recognize(RecognitionMode.SHORT_STREAM, COMMON, stream(silence(500)))
    await run(recognition)
    assert isinstance(recognition.outcome.failure, SisTimeoutError)
    assert "END answer" in str(recognition.outcome.failure)
    assert recognition.outcome.text is None
    assert recognition.outcome.service_failed
    assert recognition.session.end_sent


async def test_a_failing_audio_source_ends_the_recognition(
    client: SisClient, server: SisServer
) -> None:
    class SourceError(Exception):
        pass

    async def broken() -> AsyncIterator[bytes]:
        yield synthesize("打开")
        raise SourceError("the microphone went away")

    recognition = client.recognize(RecognitionMode.SHORT_STREAM, COMMON, broken())
    await run(recognition)
    failure = recognition.outcome.failure
    assert isinstance(failure, SisSourceError)
    assert isinstance(failure.__cause__, SourceError)
    assert "the microphone went away" in str(failure)
    assert not recognition.outcome.service_failed
    assert recognition.session.done
    await asyncio.wait_for(_no_connection(server), 5)


async def test_service_errors_are_raised(client: SisClient, server: SisServer) -> None:
    server.faults.append(Fault.error_after_start(code="SIS.0309", message="the audio is too long"))
    recognition = client.recognize(
        RecognitionMode.SHORT_STREAM, COMMON, stream(synthesize("打开客厅的灯"))
    )
    await run(recognition)
    failure = recognition.outcome.failure
    assert isinstance(failure, SisServerError)
    assert failure.code == "SIS.0309"
    assert failure.trace_id == recognition.outcome.trace_id
    assert recognition.outcome.text is None


@pytest.mark.parametrize("mode", [RecognitionMode.SHORT_STREAM, RecognitionMode.CONTINUE_STREAM])
async def test_the_service_stopping_at_its_audio_limit_keeps_what_it_heard(
    client: SisClient, server: SisServer, mode: RecognitionMode
) -> None:
    """Older services answer audio past their limit with EXCEEDED_AUDIO instead of SIS.0309."""
    server.exceeded_audio_event = True
    server.audio_limits[mode.value] = 2
    audio = synthesize("打开客厅的灯", lead_ms=200) + silence(2500) + synthesize("关闭空调")
    recognition = client.recognize(mode, COMMON, stream(audio))
    await run(recognition)
    assert recognition.outcome.text == "打开客厅的灯"
    assert recognition.session.audio_truncated
    assert server.sessions[-1].end == {"command": "END", "cancel": False}


async def test_closing_while_it_runs(client: SisClient, server: SisServer) -> None:
    never = asyncio.Event()
    recognition = client.recognize(
        RecognitionMode.SHORT_STREAM, COMMON, stream(synthesize("打开客厅的灯"), then=never)
    )
    texts = aiter(recognition)
    waiting = asyncio.ensure_future(anext(texts))
    await asyncio.wait_for(_audio_arrived(server), 5)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await recognition.close()
    assert recognition.done
    assert server.sessions[-1].end == {"command": "END", "cancel": True}


async def _no_connection(server: SisServer) -> None:
    while server.open_connections:
        await asyncio.sleep(0.01)


async def _audio_arrived(server: SisServer) -> None:
    while not (server.sessions and server.sessions[-1].audio):
        await asyncio.sleep(0.01)


# --- the outcome -------------------------------------------------------------------------


async def test_the_outcome_of_a_recognition(client: SisClient, server: SisServer) -> None:
    audio = synthesize("打开客厅的灯", lead_ms=100, tail_ms=300)
    recognition = client.recognize(RecognitionMode.SHORT_STREAM, COMMON, stream(audio))
    await run(recognition)
    outcome = recognition.outcome
    assert outcome.text == "打开客厅的灯"
    assert outcome.failure is None
    assert not outcome.service_failed
    assert not outcome.audio_truncated
    assert outcome.trace_id == server.sessions[-1].sent[0]["trace_id"]
    sent = len(server.sessions[-1].audio)
    assert outcome.audio_seconds == sent / AudioFormat.PCM16K16BIT.bytes_per_second
    assert outcome.audio_seconds >= len(audio) / AudioFormat.PCM16K16BIT.bytes_per_second
    # Short-stream mode has no voice events: speech ended when the audio did (END sent).
    assert outcome.speech_ended_at == recognition.session.stats.end_sent_at is not None
    assert outcome.vocabulary_refusal is None
    assert outcome.stats is recognition.session.stats


async def test_the_outcome_says_when_the_service_heard_the_end_of_speech(
    client: SisClient,
) -> None:
    config = replace(COMMON, vad_tail=300)
    audio = synthesize("打开客厅的灯", tail_ms=800)
    recognition = client.recognize(RecognitionMode.SENTENCE_STREAM, config, stream(audio))
    await run(recognition)
    stats = recognition.session.stats
    assert stats.voice_end_at is not None
    assert recognition.outcome.speech_ended_at == stats.voice_end_at


@pytest.mark.parametrize("reading", get_args(DeadTableStart.__value__))
async def test_a_table_gone_behind_the_clients_back_never_costs_the_command(
    client: SisClient, server: SisServer, http: aiohttp.ClientSession, reading: DeadTableStart
) -> None:
    """However the service answers a START naming a deleted table, the words are recognised."""
    server.readings.dead_table_start = reading
    table = await create_table(http, server, "gone_soon", ["客厅"])
    server.tables.remove(table)
    config = replace(COMMON, vocabulary_id=table)
    recognition = client.recognize(
        RecognitionMode.SHORT_STREAM, config, stream(synthesize("打开客厅的灯", tail_ms=300))
    )
    await run(recognition)
    outcome = recognition.outcome
    assert outcome.text == "打开客厅的灯"
    refusal = outcome.vocabulary_refusal
    if reading == "ignore":
        assert refusal is None
        assert server.sessions[-1].config["vocabulary_id"] == table
    else:
        assert refusal is not None
        assert refusal.vocabulary_id == table
        assert refusal.code == ("SIS.0201" if reading == "SIS.0201" else "SIS.0032")
        assert "vocabulary_id" not in server.sessions[-1].config
        assert recognition.session.config.vocabulary_id is None


async def test_a_refusal_that_is_not_about_the_table_is_not_retried_without_it(
    client: SisClient, server: SisServer, http: aiohttp.ClientSession
) -> None:
    table = await create_table(http, server, "still_here", ["客厅"])
    server.faults.append(Fault.start_error("SIS.0103", "real name authentication missing"))
    config = replace(COMMON, vocabulary_id=table)
    recognition = client.recognize(
        RecognitionMode.SHORT_STREAM, config, stream(synthesize("打开", tail_ms=100))
    )
    await run(recognition)
    assert isinstance(recognition.outcome.failure, SisAccountError)
    assert recognition.outcome.vocabulary_refusal is None
    assert len(server.sessions) <= 1
