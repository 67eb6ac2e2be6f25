"""Recognition sessions and the client that makes them, against the local SIS server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import replace
from datetime import timedelta
import logging
from typing import Any

import aiohttp
import pytest

from custom_components.huawei_cloud_sis.sis import (
    AkSkAuth,
    AudioFormat,
    Endpoints,
    EndResponse,
    Event,
    EventResponse,
    RecognitionConfig,
    RecognitionMode,
    RecognitionSession,
    ResultResponse,
    ServerMessage,
    SessionState,
    SisAuthError,
    SisClient,
    SisConnectionError,
    SisPermissionError,
    SisProjectError,
    SisProtocolError,
    SisServerError,
    SisSourceError,
    SisThrottledError,
    SisTimeoutError,
    StartResponse,
    Timeouts,
    TokenAuth,
    Transcript,
)
from tests.sis_server import (
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    SECRET_KEY,
    USERNAME,
    Fault,
    IamFault,
    SisServer,
    silence,
    synthesize,
    synthesize_sentences,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")

REGION = "cn-north-4"
PROJECT = PROJECTS[REGION]
FAST = Timeouts(connect=1.0, start=1.0, opening=2.0, end=1.0, end_grace=0.3, close=0.5, iam=1.0)
ZH = RecognitionConfig(audio_format=AudioFormat.PCM16K16BIT, model="chinese_16k_general")
EN = RecognitionConfig(audio_format=AudioFormat.PCM16K16BIT, model="english_16k_general")


type ClientFactory = Callable[..., SisClient]


@pytest.fixture
def make_client(server: SisServer, http: aiohttp.ClientSession) -> ClientFactory:
    def factory(
        *,
        auth: str = "token",
        project_id: str | None = PROJECT,
        timeouts: Timeouts = FAST,
        password: str = PASSWORD,
        **kwargs: Any,
    ) -> SisClient:
        endpoints = Endpoints.custom(server.sis_url, server.iam_url, REGION)
        if auth == "token":
            credentials: TokenAuth | AkSkAuth = TokenAuth(
                http,
                endpoints.iam_url,
                domain_name=DOMAIN_NAME,
                username=USERNAME,
                password=password,
                project_id=project_id,
                region=REGION,
                timeout=timeouts.iam,
                **kwargs,
            )
        else:
            credentials = AkSkAuth(
                http,
                endpoints.iam_url,
                access_key=ACCESS_KEY,
                secret_key=SECRET_KEY,
                project_id=project_id,
                region=REGION,
                timeout=timeouts.iam,
                **kwargs,
            )
        return SisClient(http, credentials, endpoints, timeouts=timeouts)

    return factory


@pytest.fixture
def client(make_client: ClientFactory) -> SisClient:
    return make_client()


async def _feed(session: RecognitionSession, audio: bytes, chunk: int = 320) -> None:
    for start in range(0, len(audio), chunk):
        await session.send_audio(audio[start : start + chunk])
    await session.end()


async def _collect(session: RecognitionSession) -> list[ServerMessage]:
    return [message async for message in session]


async def _recognise(
    client: SisClient,
    audio: bytes,
    mode: RecognitionMode = RecognitionMode.SHORT_STREAM,
    config: RecognitionConfig = ZH,
    chunk: int = 320,
) -> tuple[list[ServerMessage], RecognitionSession]:
    async with client.session(mode, config) as session:
        await _feed(session, audio, chunk)
        messages = await _collect(session)
    return messages, session


def _text(messages: list[ServerMessage]) -> str:
    transcript = Transcript()
    for message in messages:
        transcript.add(message)
    return transcript.text


async def _no_tasks_left() -> None:
    await asyncio.sleep(0)
    current = asyncio.current_task()
    leftovers = [
        task
        for task in asyncio.all_tasks()
        if task is not current and "sis" in task.get_name() and not task.done()
    ]
    assert leftovers == []


# --- modes and messages ------------------------------------------------------------------


async def test_short_stream_two_sentences_byte_for_byte(
    client: SisClient, server: SisServer
) -> None:
    audio = synthesize_sentences(["打开客厅的灯", "关闭空调"])
    messages, session = await _recognise(client, audio, chunk=333)
    assert isinstance(messages[0], StartResponse)
    assert isinstance(messages[-1], EndResponse)
    assert messages[-1].reason == "NORMAL"
    assert _text(messages) == "打开客厅的灯关闭空调"
    recorded = server.sessions[-1]
    assert recorded.mode == "short-stream"
    assert recorded.project_id == PROJECT
    assert bytes(recorded.audio[: len(audio)]) == audio
    assert recorded.end == {"command": "END", "cancel": False}
    assert recorded.config == ZH.to_json()
    assert all(320 <= size <= 65536 for size in recorded.frame_sizes)
    assert session.stats.final_segments == 2
    assert session.stats.trace_id == messages[0].trace_id
    assert session.stats.end_to_final_seconds is not None
    assert server.open_connections == 0


async def test_continue_stream_results_arrive_while_streaming(
    client: SisClient, server: SisServer
) -> None:
    audio = synthesize_sentences(["turn on the light", "and the fan"], gap_ms=900)
    async with client.session(RecognitionMode.CONTINUE_STREAM, EN) as session:
        for start in range(0, len(audio), 3200):
            await session.send_audio(audio[start : start + 3200])
        first = [m for m in (await session.receive(), await session.receive()) if m]
        assert len(first) == 2
        await session.end()
        rest = await _collect(session)
    assert isinstance(first[0], StartResponse)
    assert isinstance(first[1], ResultResponse)
    assert first[1].segments[0].text == "turn on the light"
    assert _text([*first, *rest]) == "turn on the light and the fan"
    assert server.sessions[-1].mode == "continue-stream"


async def test_sentence_stream_events_and_interim_results(
    client: SisClient, server: SisServer
) -> None:
    config = RecognitionConfig(
        audio_format=AudioFormat.PCM16K16BIT,
        model="english_16k_general",
        interim_results=True,
        vad_tail=400,
    )
    audio = synthesize("open the door", lead_ms=300, tail_ms=800)
    messages, _ = await _recognise(client, audio, RecognitionMode.SENTENCE_STREAM, config)
    events = [m.event for m in messages if isinstance(m, EventResponse)]
    assert events == [Event.VOICE_START, Event.VOICE_END]
    interim = [
        s.text
        for m in messages
        if isinstance(m, ResultResponse)
        for s in m.segments
        if not s.is_final
    ]
    assert interim
    assert interim[-1] == "open the door"
    assert _text(messages) == "open the door"
    assert server.sessions[-1].config["vad_tail"] == 400


async def test_sentence_stream_silence(client: SisClient) -> None:
    config = RecognitionConfig(
        audio_format=AudioFormat.PCM16K16BIT, model="chinese_16k_common", vad_head=500
    )
    silence = bytes(16000 * 2)
    messages, _ = await _recognise(client, silence, RecognitionMode.SENTENCE_STREAM, config)
    transcript = Transcript()
    for message in messages:
        transcript.add(message)
    assert transcript.silence_exceeded
    assert transcript.text == ""


async def test_eight_kilohertz_audio(client: SisClient, server: SisServer) -> None:
    config = RecognitionConfig(audio_format=AudioFormat.PCM8K16BIT, model="chinese_8k_general")
    audio = synthesize("八千赫兹", sample_rate=8000, lead_ms=100, tail_ms=200)
    messages, _ = await _recognise(client, audio, config=config, chunk=100)
    assert _text(messages) == "八千赫兹"
    assert all(160 <= size <= 32768 for size in server.sessions[-1].frame_sizes)


async def test_several_sessions_share_a_client(client: SisClient, server: SisServer) -> None:
    phrases = ["light on", "light off", "music please", "stop", "next song"]
    results = await asyncio.gather(
        *(_recognise(client, synthesize(text, tail_ms=200), config=EN) for text in phrases)
    )
    assert [_text(messages) for messages, _ in results] == phrases
    assert server.iam_token_requests == 1
    await _no_tasks_left()


async def test_probe_sends_no_audio(client: SisClient, server: SisServer) -> None:
    trace_id = await client.probe(RecognitionMode.SHORT_STREAM, ZH)
    assert trace_id
    recorded = server.sessions[-1]
    assert recorded.audio == b""
    assert recorded.end == {"command": "END", "cancel": True}


# --- authentication ----------------------------------------------------------------------


async def test_aksk_session_with_project_discovery(
    make_client: ClientFactory, server: SisServer
) -> None:
    client = make_client(auth="aksk", project_id=None)
    await client.verify()
    assert server.iam_project_requests == 1
    messages, _ = await _recognise(client, synthesize("signed", tail_ms=100), config=EN)
    assert _text(messages) == "signed"
    recorded = server.sessions[-1]
    assert recorded.auth == "aksk"
    assert recorded.project_id == PROJECT
    assert server.iam_project_requests == 1  # the project id is cached
    assert SECRET_KEY not in repr(client) + repr(client.auth)


async def test_aksk_verify_with_given_project(
    make_client: ClientFactory, server: SisServer
) -> None:
    await make_client(auth="aksk").verify()
    assert server.iam_project_requests == 1
    with pytest.raises(SisProjectError):
        await make_client(auth="aksk", project_id="0" * 32).verify()


async def test_aksk_refused_signature(make_client: ClientFactory, server: SisServer) -> None:
    server.clock_offset = timedelta(minutes=30)
    client = make_client(auth="aksk")
    with pytest.raises(SisAuthError) as info:
        await _recognise(client, synthesize("late"))
    assert info.value.status == 401
    assert len(server.sessions) == 0
    assert SECRET_KEY not in str(info.value)


async def test_token_single_flight(client: SisClient, server: SisServer) -> None:
    assert isinstance(client.auth, TokenAuth)
    tokens = await asyncio.gather(*(client.auth.token() for _ in range(10)))
    assert len({t.value for t in tokens}) == 1
    assert server.iam_token_requests == 1
    assert "token_expires_at" in client.auth.describe()
    assert tokens[0].value not in repr(tokens[0]) + repr(client.auth) + str(client.auth.describe())


async def test_token_refreshed_ahead_of_expiry(
    make_client: ClientFactory, server: SisServer
) -> None:
    server.token_lifetime = timedelta(minutes=10)
    client = make_client(refresh_margin=timedelta(minutes=15))
    await _recognise(client, synthesize("one"))
    await _recognise(client, synthesize("two"))
    assert server.iam_token_requests == 2
    server.token_lifetime = timedelta(hours=24)
    await _recognise(client, synthesize("three"))
    await _recognise(client, synthesize("four"))
    assert server.iam_token_requests == 3


async def test_project_id_from_the_token(make_client: ClientFactory, server: SisServer) -> None:
    client = make_client(project_id=None)
    messages, _ = await _recognise(client, synthesize("scoped by name"), config=EN)
    assert _text(messages) == "scoped by name"
    assert server.sessions[-1].project_id == PROJECT


@pytest.mark.parametrize("break_tokens", ["expire_tokens", "revoke_tokens"])
async def test_refused_token_is_replaced_once(
    client: SisClient, server: SisServer, break_tokens: str
) -> None:
    await _recognise(client, synthesize("first"))
    getattr(server, break_tokens)()
    audio = synthesize("second try", tail_ms=200)
    messages, session = await _recognise(client, audio, config=EN)
    assert _text(messages) == "second try"
    assert session.stats.attempts == 2
    assert server.iam_token_requests == 2
    assert bytes(server.sessions[-1].audio[: len(audio)]) == audio


async def test_wrong_password(make_client: ClientFactory, server: SisServer) -> None:
    client = make_client(password="not-the-password")
    with pytest.raises(SisAuthError) as info:
        await client.verify()
    assert info.value.status == 401
    assert "not-the-password" not in str(info.value)
    with pytest.raises(SisAuthError):
        await _recognise(client, synthesize("x"))
    assert server.sessions == []


async def test_unknown_project_name(make_client: ClientFactory, server: SisServer) -> None:
    client = make_client(project_id="f" * 32)
    with pytest.raises(SisProjectError):
        await client.verify()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (IamFault(status=503), SisServerError),
        (IamFault(hang=True), SisTimeoutError),
    ],
)
async def test_iam_unavailable(
    client: SisClient, server: SisServer, fault: IamFault, error: type[Exception]
) -> None:
    server.iam_fault = fault
    with pytest.raises(error):
        await client.verify()
    server.iam_fault = None
    await client.verify()


async def test_iam_unreachable(http: aiohttp.ClientSession, unused_tcp_port: int) -> None:
    auth = TokenAuth(
        http,
        f"http://127.0.0.1:{unused_tcp_port}",
        domain_name=DOMAIN_NAME,
        username=USERNAME,
        password=PASSWORD,
        region=REGION,
    )
    with pytest.raises(SisConnectionError):
        await auth.verify()


# --- buffering and retry -----------------------------------------------------------------


async def test_audio_before_start_response_is_kept(client: SisClient, server: SisServer) -> None:
    server.faults.append(Fault.start_delay(0.3))
    audio = synthesize("early audio", lead_ms=100, tail_ms=300)
    messages, session = await _recognise(client, audio, config=EN, chunk=320)
    assert _text(messages) == "early audio"
    assert bytes(server.sessions[-1].audio[: len(audio)]) == audio
    assert session.stats.attempts == 1


@pytest.mark.parametrize(
    "fault",
    [
        Fault.handshake(
            status=503, body={"error_code": "APIG.0201", "error_msg": "Backend timeout."}
        ),
        Fault.no_start_response(),
        Fault.start_error(code="SIS.0303", message="engine connection failed"),
    ],
    ids=["5xx", "no-start-response", "retryable-error"],
)
async def test_failure_before_start_is_retried_with_the_same_audio(
    client: SisClient, server: SisServer, fault: Fault
) -> None:
    server.faults.append(fault)
    audio = synthesize("retry me", lead_ms=50, tail_ms=300)
    messages, session = await _recognise(client, audio, config=EN, chunk=777)
    assert _text(messages) == "retry me"
    assert session.stats.attempts == 2
    assert bytes(server.sessions[-1].audio[: len(audio)]) == audio
    assert server.open_connections == 0


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, SisAuthError),
        (403, SisPermissionError),
        (404, SisProjectError),
        (429, SisThrottledError),
    ],
)
async def test_handshake_refusals_are_not_retried(
    make_client: ClientFactory, server: SisServer, status: int, error: type[Exception]
) -> None:
    client = make_client(auth="aksk")
    server.faults.append(Fault.handshake(status=status, body={"error_code": "APIG.0000"}))
    with pytest.raises(error) as info:
        await _recognise(client, synthesize("no"))
    assert getattr(info.value, "status", None) == status
    assert server.connections == 0


async def test_second_failure_is_reported(client: SisClient, server: SisServer) -> None:
    server.faults += [Fault.handshake(status=502), Fault.handshake(status=503)]
    with pytest.raises(SisServerError) as info:
        await _recognise(client, synthesize("no"))
    assert info.value.status == 503


async def test_start_refused_by_the_service(client: SisClient, server: SisServer) -> None:
    config = RecognitionConfig(audio_format=AudioFormat.PCM16K16BIT, model="arabic_16k_general")
    with pytest.raises(SisServerError) as info:
        await _recognise(client, synthesize("x"), config=config)
    assert info.value.code == "SIS.0032"
    assert info.value.trace_id is None or isinstance(info.value.trace_id, str)
    assert len(server.sessions) <= 1


async def test_connection_refused(http: aiohttp.ClientSession, unused_tcp_port: int) -> None:
    endpoints = Endpoints.custom(
        f"ws://127.0.0.1:{unused_tcp_port}", f"http://127.0.0.1:{unused_tcp_port}"
    )
    auth = AkSkAuth(
        http, endpoints.iam_url, access_key=ACCESS_KEY, secret_key=SECRET_KEY, project_id=PROJECT
    )
    client = SisClient(http, auth, endpoints, timeouts=FAST)
    with pytest.raises(SisConnectionError) as info:
        await _recognise(client, synthesize("x"))
    assert info.value.code is None
    await _no_tasks_left()


@pytest.mark.parametrize(
    ("mode", "audio_format", "seconds"),
    [
        (RecognitionMode.SHORT_STREAM, AudioFormat.PCM16K16BIT, 60),
        (RecognitionMode.SENTENCE_STREAM, AudioFormat.PCM8K16BIT, 60),
    ],
)
async def test_audio_beyond_the_mode_limit_is_not_sent(
    client: SisClient,
    server: SisServer,
    mode: RecognitionMode,
    audio_format: AudioFormat,
    seconds: int,
) -> None:
    assert mode.max_audio_seconds == seconds
    rate = audio_format.sample_rate
    config = RecognitionConfig(audio_format=audio_format, model=f"chinese_{rate // 1000}k_common")
    # Speech at the start, then silence past the limit in odd-sized chunks.
    audio = synthesize("打开灯", sample_rate=rate, tail_ms=600) + silence(61_000, rate)
    messages, session = await _recognise(client, audio, mode, config, chunk=3333)
    assert _text(messages) == "打开灯"
    assert isinstance(messages[-1], EndResponse)
    assert session.audio_truncated
    recorded = server.sessions[-1]
    assert len(recorded.audio) <= seconds * audio_format.bytes_per_second
    assert bytes(recorded.audio) == audio[: len(recorded.audio)]
    assert recorded.end == {"command": "END", "cancel": False}


def test_continue_stream_takes_five_hours() -> None:
    assert RecognitionMode.CONTINUE_STREAM.max_audio_seconds == 5 * 3600


async def test_audio_within_the_limit_is_all_sent(client: SisClient, server: SisServer) -> None:
    audio = synthesize("打开灯", tail_ms=600) + silence(58_000)
    messages, session = await _recognise(client, audio, chunk=32000)
    assert _text(messages) == "打开灯"
    assert not session.audio_truncated
    assert bytes(server.sessions[-1].audio)[: len(audio)] == audio


# --- timeouts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        ([Fault.hang_handshake(), Fault.hang_handshake()], "connect"),
        ([Fault.no_start_response(), Fault.no_start_response()], "START"),
        ([Fault.no_end_response()], "END"),
    ],
)
async def test_every_wait_is_bounded(
    make_client: ClientFactory, server: SisServer, faults: list[Fault], expected: str
) -> None:
    client = make_client(
        timeouts=Timeouts(connect=0.3, start=0.3, opening=1.0, end=0.3, close=0.3, iam=1.0)
    )
    server.faults += faults
    with pytest.raises(SisTimeoutError) as info:
        await _recognise(client, synthesize("slow", tail_ms=100), config=EN)
    assert expected in str(info.value)
    await _no_tasks_left()


async def test_session_timeout(make_client: ClientFactory) -> None:
    # A short-stream session may last its 60 s of audio plus the margin: here 0.5 s in all.
    client = make_client(timeouts=replace(FAST, session_margin=-59.5))
    async with client.session(RecognitionMode.SHORT_STREAM, ZH) as session:
        await session.send_audio(synthesize("never ends"))
        with pytest.raises(SisTimeoutError, match="did not finish"):
            await _collect(session)
        with pytest.raises(SisTimeoutError):
            await session.send_audio(b"\x00" * 320)


async def test_end_response_timeout_keeps_finals(
    make_client: ClientFactory, server: SisServer
) -> None:
    client = make_client(timeouts=replace(FAST, end=0.3))
    server.faults.append(Fault.no_end_response())
    transcript = Transcript()

    async def consume(session: RecognitionSession) -> None:
        async for message in session:
            transcript.add(message)

    async with client.session(RecognitionMode.SHORT_STREAM, EN) as session:
        await _feed(session, synthesize("partly done", tail_ms=100))
        with pytest.raises(SisTimeoutError):
            await consume(session)
    assert transcript.text == "partly done"


# --- service errors and malformed messages -----------------------------------------------


async def test_error_after_start_ends_the_session_with_its_code(
    client: SisClient, server: SisServer
) -> None:
    server.faults.append(Fault.error_after_start(code="SIS.0301", message="not match model"))
    async with client.session(RecognitionMode.SHORT_STREAM, ZH) as session:
        with contextlib.suppress(SisServerError):  # sending stops with the session's error
            await _feed(session, synthesize("x"))
        assert isinstance(await session.receive(), StartResponse)
        with pytest.raises(SisServerError) as info:
            await session.receive()
        with pytest.raises(SisServerError):  # it keeps raising it
            await session.receive()
    assert (info.value.code, info.value.fatal) == ("SIS.0301", False)
    assert info.value.message == "not match model"
    assert info.value.trace_id == session.stats.trace_id
    assert session.state is SessionState.FAILED
    assert session.stats.error_code == "SIS.0301"


async def test_fatal_error_ends_the_session(client: SisClient, server: SisServer) -> None:
    server.faults.append(Fault.fatal_after_start(code="SIS.0304", message="wait voice timeout"))
    async with client.session(RecognitionMode.SHORT_STREAM, ZH) as session:
        with contextlib.suppress(SisServerError):  # sending stops with the session's error
            await session.send_audio(synthesize("x"))
        with pytest.raises(SisServerError) as info:
            await _collect(session)
        with pytest.raises(SisServerError):
            await session.send_audio(b"\x00" * 320)
    assert (info.value.code, info.value.fatal) == ("SIS.0304", True)
    assert session.stats.error_code == "SIS.0304"


async def test_idle_timeout_of_the_service(http: aiohttp.ClientSession) -> None:
    server = SisServer(idle_timeout=0.3)
    await server.start()
    try:
        endpoints = Endpoints.custom(server.sis_url, server.iam_url, REGION)
        auth = AkSkAuth(
            http,
            endpoints.iam_url,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            project_id=PROJECT,
        )
        client = SisClient(http, auth, endpoints, timeouts=FAST)
        async with client.session(RecognitionMode.SHORT_STREAM, ZH) as session:
            with pytest.raises(SisServerError) as info:
                await _collect(session)
        assert info.value.code == "SIS.0304"
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.close_after_bytes(6400), SisConnectionError),
        (Fault.malformed_json(), SisProtocolError),
        (Fault.unknown_resp_type(), SisProtocolError),
        (Fault.binary_from_server(), SisProtocolError),
    ],
)
async def test_broken_sessions_raise(
    client: SisClient, server: SisServer, fault: Fault, error: type[Exception]
) -> None:
    server.faults.append(fault)
    with pytest.raises(error):
        await _recognise(client, synthesize("broken stream", lead_ms=500, tail_ms=500), config=EN)
    await _no_tasks_left()
    await asyncio.wait_for(_wait_closed(server), 2)


async def _wait_closed(server: SisServer) -> None:
    while server.open_connections:
        await asyncio.sleep(0.01)


async def test_result_without_result(client: SisClient, server: SisServer) -> None:
    server.faults.append(Fault.result_without_result())
    messages, _ = await _recognise(client, synthesize("hello", tail_ms=100), config=EN)
    segments = [s for m in messages if isinstance(m, ResultResponse) for s in m.segments]
    assert any(s.text is None and s.is_final for s in segments)


async def test_interim_only(client: SisClient, server: SisServer) -> None:
    server.faults.append(Fault.interim_only())
    config = RecognitionConfig(
        audio_format=AudioFormat.PCM16K16BIT, model="english_16k_general", interim_results=True
    )
    messages, session = await _recognise(client, synthesize("maybe", tail_ms=100), config=config)
    assert _text(messages) == ""
    assert session.stats.final_segments == 0


# --- closing and cancelling --------------------------------------------------------------


async def test_close_while_recognising_sends_end_cancel(
    client: SisClient, server: SisServer
) -> None:
    async with client.session(RecognitionMode.SHORT_STREAM, ZH) as session:
        await session.send_audio(synthesize("stop halfway"))
        assert isinstance(await session.receive(), StartResponse)
    recorded = server.sessions[-1]
    await asyncio.wait_for(recorded.done.wait(), 2)
    assert recorded.end == {"command": "END", "cancel": True}
    assert recorded.sent[-1]["reason"] == "CANCEL"
    assert session.done
    await _no_tasks_left()


@pytest.mark.parametrize("stage", ["connecting", "started", "ended"])
async def test_cancellation_at_each_stage(client: SisClient, server: SisServer, stage: str) -> None:
    if stage == "connecting":
        server.faults.append(Fault.hang_handshake())
    if stage == "ended":
        server.faults.append(Fault.no_end_response())
    reached = asyncio.Event()

    async def run() -> None:
        async with client.session(RecognitionMode.SHORT_STREAM, ZH) as session:
            await session.send_audio(synthesize("cancel me"))
            if stage != "connecting":
                await session.receive()
            if stage == "ended":
                await session.end()
            reached.set()
            await _collect(session)

    task = asyncio.create_task(run())
    await asyncio.wait_for(reached.wait(), 2)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _no_tasks_left()
    await asyncio.wait_for(_wait_closed(server), 2)
    if stage == "started":
        assert server.sessions[-1].end == {"command": "END", "cancel": True}


async def test_audio_after_end_is_a_caller_error(client: SisClient) -> None:
    async with client.session(RecognitionMode.SHORT_STREAM, ZH) as session:
        await session.end(cancel=True)
        await session.end()
        with pytest.raises(RuntimeError):
            await session.send_audio(b"\x00" * 320)
        messages = await _collect(session)
    assert isinstance(messages[-1], EndResponse)
    assert messages[-1].reason == "CANCEL"
    assert await session.receive() is None


async def test_end_twice_at_once_sends_one_end(client: SisClient, server: SisServer) -> None:
    server.faults.append(Fault.start_delay(0.1))
    async with client.session(RecognitionMode.SHORT_STREAM, ZH) as session:
        # Both wait for the START answer; only one END goes out.
        await asyncio.gather(session.end(), session.end())
        messages = await _collect(session)
    assert isinstance(messages[-1], EndResponse)
    assert server.sessions[-1].end == {"command": "END", "cancel": False}
    assert [message.get("resp_type") for message in server.sessions[-1].sent].count("END") == 1


async def test_a_failed_send_is_left_to_the_reader(client: SisClient, server: SisServer) -> None:
    """Sending never raises a broken connection: the reading side reports it, once."""
    async with client.session(RecognitionMode.SHORT_STREAM, ZH) as session:
        assert isinstance(await session.receive(), StartResponse)
        ws = session._ws
        assert ws is not None

        async def broken(data: bytes) -> None:
            raise aiohttp.ClientConnectionResetError("Cannot write to closing transport")

        ws.send_bytes = broken  # type: ignore[method-assign,assignment]
        await session.send_audio(bytes(6400))
        assert session.stats.audio_bytes == 0
    assert session.done
    await _no_tasks_left()


async def test_closing_is_bounded_when_the_cancel_cannot_be_sent(
    make_client: ClientFactory, server: SisServer
) -> None:
    client = make_client(timeouts=replace(FAST, close=0.2))
    session = client.session(RecognitionMode.SHORT_STREAM, ZH)
    await session.send_audio(synthesize("打开"))
    ws = session._ws
    assert ws is not None

    async def stuck(data: str) -> None:
        await asyncio.Event().wait()  # a peer that stopped reading: the buffer never drains

    ws.send_str = stuck  # type: ignore[method-assign,assignment]
    async with asyncio.timeout(5):
        await session.close()
    assert session.done
    assert session.state is SessionState.FAILED
    await _no_tasks_left()


async def test_a_session_aborted_while_opening_stays_failed(
    client: SisClient, server: SisServer
) -> None:
    server.faults.append(Fault.start_delay(0.2))
    session = client.session(RecognitionMode.SHORT_STREAM, ZH)
    session.start()
    session.abort(SisSourceError("the microphone went away"))
    with pytest.raises(SisSourceError):
        await session.send_audio(b"\x00" * 320)
    await asyncio.wait_for(_wait_for_connection(server), 2)
    assert session.state is SessionState.FAILED
    await session.close()
    await _no_tasks_left()


async def _wait_for_connection(server: SisServer) -> None:
    while not (server.sessions and server.sessions[-1].sent):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)


async def test_close_before_start_does_nothing(client: SisClient, server: SisServer) -> None:
    session = client.session(RecognitionMode.SHORT_STREAM, ZH)
    await session.close()
    assert not session.done
    assert server.connections == 0
    assert "chinese_16k_general" in repr(session)


async def test_secrets_stay_out_of_logs(
    make_client: ClientFactory, server: SisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.faults.append(Fault.handshake(status=503))
    token_client = make_client()
    await _recognise(token_client, synthesize("hi", tail_ms=100))
    server.faults.append(Fault.handshake(status=503))
    await _recognise(make_client(auth="aksk"), synthesize("hi", tail_ms=100))
    assert isinstance(token_client.auth, TokenAuth)
    token = (await token_client.auth.token()).value
    for secret in (PASSWORD, SECRET_KEY, token):
        assert secret not in caplog.text
