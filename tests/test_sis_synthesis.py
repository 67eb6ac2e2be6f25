"""Synthesis of one text, and of text that arrives in pieces, against the local SIS server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import replace

import aiohttp
from aiohttp import web
import pytest

from custom_components.huawei_cloud_sis.sis import (
    AccountProblem,
    AkSkAuth,
    Endpoints,
    SisAccountError,
    SisAuthError,
    SisClient,
    SisConfigError,
    SisConnectionError,
    SisError,
    SisMarkupError,
    SisPermissionError,
    SisProjectError,
    SisProtocolError,
    SisServerError,
    SisSourceError,
    SisTimeoutError,
    SisVoiceRefusedError,
    StreamingSynthesis,
    Synthesis,
    SynthesisConfig,
    Timeouts,
    TokenAuth,
    without_markup,
)
from custom_components.huawei_cloud_sis.sis.error_mapping import from_synthesis_failure
from tests.helpers.checks import our_tasks, wait_for
from tests.helpers.stand_in import Handler, stand_ins
from tests.sis_server import (
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    SECRET_KEY,
    USERNAME,
    Fault,
    Readings,
    SisServer,
    decode,
)

FAST = Timeouts(
    connect=1.0, start=1.0, opening=2.0, close=0.5, iam=1.0, first_audio=0.5, audio_gap=0.5
)
XIAOQI = SynthesisConfig(voice="chinese_xiaoqi_common", speed=0, pitch=0, volume=50)
REPLY = "今天北京晴，最高气温二十五度。明天有小雨，记得带伞！Have a nice day. 再见。"


def _client(server: SisServer, http: aiohttp.ClientSession, *, token: bool = False) -> SisClient:
    endpoints = Endpoints.custom(server.sis_url, server.iam_url, "cn-north-4")
    project = PROJECTS["cn-north-4"]
    auth = (
        TokenAuth(
            http,
            endpoints.iam_url,
            domain_name=DOMAIN_NAME,
            username=USERNAME,
            password=PASSWORD,
            project_id=project,
        )
        if token
        else AkSkAuth(
            http,
            endpoints.iam_url,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            project_id=project,
        )
    )
    return SisClient(http, auth, endpoints, timeouts=FAST)


@pytest.fixture
def client(server: SisServer, http: aiohttp.ClientSession) -> SisClient:
    return _client(server, http)


async def pieces(text: str, size: int = 3) -> AsyncIterator[str]:
    """Hand the text over a few characters at a time, as a conversation agent writes it."""
    for start in range(0, len(text), size):
        yield text[start : start + size]
        await asyncio.sleep(0)


async def everything(speech: StreamingSynthesis) -> bytes:
    return b"".join([chunk async for chunk in speech])


async def drain(audio: AsyncIterable[bytes], heard: bytearray | None = None) -> None:
    """Read audio to its end, keeping it in `heard`."""
    async for chunk in audio:
        if heard is not None:
            heard += chunk


async def run(synthesis: Synthesis) -> None:
    """Read a synthesis to its end and close it."""
    async with synthesis:
        await drain(synthesis)


async def nothing_left(server: SisServer) -> None:
    await wait_for(lambda: server.open_connections == 0, "every connection closed")
    assert our_tasks() == []


async def test_one_text_comes_back_as_its_audio(client: SisClient, server: SisServer) -> None:
    async with client.synthesize("你好，世界。", XIAOQI) as synthesis:
        audio = b"".join([chunk async for chunk in synthesis])
    assert decode(audio) == "你好，世界。"
    assert "你好" not in repr(synthesis)
    assert synthesis.done
    stats = synthesis.stats
    assert (stats.attempts, stats.characters, stats.audio_bytes) == (1, 6, len(audio))
    assert stats.trace_id == server.syntheses[-1].sent[0]["trace_id"]
    assert stats.first_audio_at is not None
    assert stats.end_at is not None
    record = server.syntheses[-1]
    assert record.text == "你好，世界。"
    assert record.config == XIAOQI.to_json()
    await nothing_left(server)


SYNTHESIS_FAULTS: list[tuple[list[Fault], type[SisError], str | None]] = [
    ([Fault.handshake(401)], SisAuthError, None),
    ([Fault.handshake(403)], SisPermissionError, None),
    ([Fault.handshake(404)], SisProjectError, None),
    ([Fault.handshake(500), Fault.handshake(503)], SisServerError, None),
    ([Fault.hang_handshake(), Fault.hang_handshake()], SisTimeoutError, None),
    ([Fault.no_start_response(), Fault.no_start_response()], SisTimeoutError, None),
    ([Fault.start_error("SIS.0411", "bad property")], SisServerError, "SIS.0411"),
    ([Fault.start_error("SIS.0413"), Fault.start_error("SIS.0413")], SisServerError, "SIS.0413"),
    ([Fault.error_after_start("SIS.0401", "failed")], SisServerError, "SIS.0401"),
    ([Fault.fatal_after_start("SIS.0417", "engine")], SisServerError, "SIS.0417"),
    ([Fault.malformed_json()], SisProtocolError, None),
    ([Fault.unknown_resp_type()], SisProtocolError, None),
    ([Fault.binary_from_server()], SisProtocolError, None),
    ([Fault.close_after_bytes(3200)], SisConnectionError, None),
    ([Fault.stall_after_bytes(0)], SisTimeoutError, None),
    ([Fault.stall_after_bytes(3200)], SisTimeoutError, None),
    ([Fault.no_end_response()], SisTimeoutError, None),
]


@pytest.mark.parametrize(("faults", "error", "code"), SYNTHESIS_FAULTS)
async def test_every_fault_ends_in_an_error_and_closes(
    client: SisClient,
    server: SisServer,
    faults: list[Fault],
    error: type[SisError],
    code: str | None,
) -> None:
    server.faults.extend(faults)
    synthesis = client.synthesize("打开客厅的灯。" * 3, XIAOQI)
    with pytest.raises(error) as raised:
        await run(synthesis)
    assert raised.value.code == code
    assert synthesis.stats.error_code == raised.value.label
    if synthesis.stats.trace_id is not None:
        assert raised.value.trace_id == synthesis.stats.trace_id
    # The error stays for another reader.
    with pytest.raises(error):
        await drain(synthesis)
    server.faults.clear()
    await nothing_left(server)


async def test_an_expired_token_is_replaced_once(
    server: SisServer, http: aiohttp.ClientSession
) -> None:
    client = _client(server, http, token=True)
    async with client.synthesize("开灯。", XIAOQI) as synthesis:
        assert decode(b"".join([chunk async for chunk in synthesis])) == "开灯。"
    server.expire_tokens()
    async with client.synthesize("关灯。", XIAOQI) as synthesis:
        assert decode(b"".join([chunk async for chunk in synthesis])) == "关灯。"
    assert synthesis.stats.attempts == 2


async def test_the_service_refuses_a_voice_of_another_region(
    client: SisClient, server: SisServer
) -> None:
    riyadh = SynthesisConfig(voice="arabic_dh_female")
    with pytest.raises(SisServerError) as raised:
        await run(client.synthesize("مرحبا", riyadh))
    assert raised.value.code == "SIS.0411"
    assert raised.value.trace_id is not None


async def test_closing_mid_audio_closes_the_connection(
    client: SisClient, server: SisServer
) -> None:
    server.synthesis_gate = asyncio.Event()
    synthesis = client.synthesize("打开客厅的灯。", XIAOQI)
    async for _ in synthesis:
        break
    await synthesis.close()
    server.synthesis_gate.set()
    await nothing_left(server)
    with pytest.raises(SisConnectionError):
        await drain(synthesis)


async def test_a_streamed_reply_comes_back_whole_and_in_order(
    client: SisClient, server: SisServer
) -> None:
    speech = client.speak(pieces(REPLY), XIAOQI)
    audio = await everything(speech)
    assert decode(audio) == REPLY
    assert "".join(speech.pieces) == REPLY
    assert [record.text for record in server.syntheses] == speech.pieces
    assert len(speech.stats) == len(speech.pieces) > 1
    assert "pieces=" in repr(speech)
    await nothing_left(server)


async def test_the_next_sentence_is_prepared_while_one_is_handed_out(
    client: SisClient, server: SisServer
) -> None:
    server.synthesis_gate = gate = asyncio.Event()
    text = "第一句话。第二句话。第三句话。第四句话。"
    release_text = asyncio.Event()

    async def reply() -> AsyncIterator[str]:
        yield "第一句话。第二"
        await asyncio.sleep(0)
        yield "句话。第"
        await release_text.wait()
        yield "三句话。第四句话。"

    speech = client.speak(reply(), XIAOQI)
    task = asyncio.create_task(everything(speech))
    # The first sentence is held after its first audio; the second is synthesised meanwhile.
    await wait_for(lambda: len(server.syntheses) == 2, "two connections")
    await wait_for(lambda: server.syntheses[1].audio != b"", "audio of the second sentence")
    assert server.syntheses[0].ended_at is None
    release_text.set()
    await asyncio.sleep(0)
    # No third connection while two are open: the waiting sentences go together.
    assert len(server.syntheses) == 2
    gate.set()
    assert decode(await task) == text
    assert speech.pieces == ["第一句话。", "第二句话。", "第三句话。第四句话。"]
    await nothing_left(server)


async def test_a_long_sentence_is_split_within_the_voice_limit(
    client: SisClient, server: SisServer
) -> None:
    text = "很长很长的句子，" * 80 + "结束。"
    speech = client.speak(pieces(text, 50), XIAOQI)
    assert decode(await everything(speech)) == text
    assert len(speech.pieces) > 1
    assert all(len(piece) <= 499 for piece in speech.pieces)
    assert all(
        not record.sent or record.sent[-1]["resp_type"] == "END" for record in server.syntheses
    )


async def test_punctuation_alone_is_not_sent(client: SisClient, server: SisServer) -> None:
    speech = client.speak(pieces("好的。 ！！", 3), XIAOQI)
    assert decode(await everything(speech)) == "好的。 "
    assert speech.pieces == ["好的。 "]


@pytest.mark.parametrize("how", ["cancel", "aclose"])
async def test_leaving_mid_reply_closes_every_connection(
    client: SisClient, server: SisServer, how: str
) -> None:
    server.synthesis_gate = gate = asyncio.Event()
    started = asyncio.Event()
    endless = asyncio.Event()

    async def reply() -> AsyncIterator[str]:
        yield "第一句话。第"
        await asyncio.sleep(0)
        yield "二句话。第三"
        await endless.wait()

    speech = client.speak(reply(), XIAOQI)
    audio = aiter(speech)

    async def consume() -> None:
        async for _ in audio:
            started.set()

    task = asyncio.create_task(consume())
    await started.wait()
    await wait_for(lambda: len(server.syntheses) == 2, "two connections")
    if how == "cancel":
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    else:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await audio.aclose()
    gate.set()
    await nothing_left(server)
    assert all(record.closed.is_set() for record in server.syntheses)


async def test_a_failing_text_source_ends_the_reply(client: SisClient, server: SisServer) -> None:
    async def reply() -> AsyncIterator[str]:
        yield "第一句话。第二"
        raise RuntimeError("the agent failed")

    speech = client.speak(reply(), XIAOQI)
    heard = bytearray()
    await drain(speech, heard)
    failure = speech.outcome.failure
    assert isinstance(failure, SisSourceError)
    assert isinstance(failure.__cause__, RuntimeError)
    assert "agent failed" in str(failure)
    assert decode(bytes(heard)) == "第一句话。"
    assert speech.outcome.pieces == 1
    await nothing_left(server)


async def test_a_failing_text_source_before_any_sentence(
    client: SisClient, server: SisServer
) -> None:
    async def reply() -> AsyncIterator[str]:
        yield "没有说完"
        raise RuntimeError("the agent failed")

    speech = client.speak(reply(), XIAOQI)
    assert await everything(speech) == b""
    assert isinstance(speech.outcome.failure, SisSourceError)
    assert speech.outcome.pieces == 0
    assert server.syntheses == []


async def test_a_failure_of_a_later_sentence_comes_after_the_earlier_audio(
    client: SisClient, server: SisServer
) -> None:
    server.faults.extend([None, Fault.start_error("SIS.0411", "bad")])  # type: ignore[list-item]
    speech = client.speak(pieces("第一句话。第二句话。"), XIAOQI)
    heard = bytearray()
    await drain(speech, heard)
    failure = speech.outcome.failure
    assert isinstance(failure, SisServerError)
    assert failure.code == "SIS.0411"
    assert decode(bytes(heard)) == "第一句话。"
    assert speech.outcome.pieces == 2
    assert speech.outcome.trace_ids  # the first piece's at least
    await nothing_left(server)


def _answering(*frames: str | bytes) -> Handler:
    """A synthesis stand-in: takes the upgrade and START, then sends `frames` and waits."""

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.receive()
        for frame in frames:
            await (ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_str(frame))
        await ws.receive()
        return ws

    return handler


START = '{"resp_type": "START", "trace_id": "t-1"}'


@pytest.mark.parametrize(
    ("frames", "error", "message"),
    [
        ([START, b"\x00\x00", '{"resp_type": "END", "reason": "ERROR"}'], SisServerError, "error"),
        (
            [START, b"\x00\x00", '{"resp_type": "END", "reason": "LATER"}'],
            SisProtocolError,
            "LATER",
        ),
        ([START, b"\x00\x00", START], SisProtocolError, "StartResponse"),
        (['{"resp_type": "END", "reason": "NORMAL"}'], SisProtocolError, "START answer"),
    ],
)
async def test_answers_the_protocol_does_not_allow(
    socket_enabled: None,
    http: aiohttp.ClientSession,
    frames: list[str | bytes],
    error: type[SisError],
    message: str,
) -> None:
    async with stand_ins() as start:
        url = (await start(_answering(*frames))).replace("http://", "ws://")
        endpoints = Endpoints.custom(url, url.replace("ws://", "http://"))
        auth = AkSkAuth(
            http, endpoints.iam_url, access_key=ACCESS_KEY, secret_key=SECRET_KEY, project_id="p"
        )
        client = SisClient(http, auth, endpoints, timeouts=FAST)
        with pytest.raises(error, match=message) as raised:
            await run(client.synthesize("好。", XIAOQI))
    assert raised.value.trace_id in (None, "t-1")


async def test_the_whole_synthesis_is_bounded(
    server: SisServer, http: aiohttp.ClientSession
) -> None:
    client = _client(server, http)
    client.timeouts = replace(FAST, synthesis_margin=0.3, synthesis_per_character=0.0)
    server.faults.append(Fault.no_start_response())
    with pytest.raises(SisTimeoutError, match=r"did not end within 0\.3 s"):
        await run(client.synthesize("好。", XIAOQI))


async def test_a_piece_the_voice_refuses_ends_the_reply(client: SisClient) -> None:
    def refuse(text: str, config: SynthesisConfig) -> Synthesis:
        raise SisConfigError("too long")

    speech = StreamingSynthesis(refuse, pieces("好的。"), config=XIAOQI)
    assert await everything(speech) == b""
    assert isinstance(speech.outcome.failure, SisConfigError)
    assert "too long" in str(speech.outcome.failure)


# --- voices the service refuses (T1) and text it refuses as SSML (T3) ---------------------------

XIAOXIA = SynthesisConfig(voice="chinese_huaxiaoxia_common", speed=0, volume=50)
"""A premium voice of the voice list that no real-time page names."""
XIAOGANG = SynthesisConfig(voice="chinese_huaxiaogang_common")
"""Another such voice."""
VOICE_REFUSALS = ["SIS.0411", "property"]


@pytest.mark.parametrize("voice_refusal", VOICE_REFUSALS)
async def test_a_voice_off_the_real_time_pages_is_refused_as_the_voice(
    client: SisClient, server: SisServer, voice_refusal: str
) -> None:
    server.readings.voice_refusal = voice_refusal  # type: ignore[assignment]
    with pytest.raises(SisVoiceRefusedError) as raised:
        await run(client.synthesize("你好。", XIAOXIA))
    assert raised.value.voice == "chinese_huaxiaoxia_common"
    assert raised.value.code == ("SIS.0411" if voice_refusal == "SIS.0411" else "SIS.0032")
    assert raised.value.trace_id is not None
    # Under the reading that takes every voice of the voice list, it speaks.
    server.readings.realtime_voices = "all"
    await run(client.synthesize("你好。", XIAOXIA))


async def test_a_probe_speaks_one_word_in_the_voice(client: SisClient, server: SisServer) -> None:
    stats = await client.probe_voice(XIAOQI)
    assert stats.trace_id == server.syntheses[-1].sent[0]["trace_id"]
    assert server.syntheses[-1].text == "好"
    assert stats.end_at is not None
    with pytest.raises(SisVoiceRefusedError):
        await client.probe_voice(XIAOXIA)
    await nothing_left(server)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (SisServerError("'property' is invalid", code="SIS.0032"), SisVoiceRefusedError),
        (SisServerError("chinese_huaxiaoxia_common is not allowed", code="SIS.0099"), None),
        (SisServerError("no such voice: CHINESE_XIAOQI_COMMON", code="SIS.0099"), "voice"),
        (SisServerError("bad premium voice", code="SIS.0411"), SisVoiceRefusedError),
        (SisServerError("illegal SSML", code="SIS.0419"), SisMarkupError),
        (SisServerError("'text' is invalid", code="SIS.0032"), None),
        (SisServerError("'property' engine error", code="SIS.0401"), None),  # worth retrying
        (SisServerError("HTTP 502 property", status=502), None),
        (SisAccountError("property", problem=AccountProblem.ARREARS, code="SIS.0411"), None),
        (SisTimeoutError("property"), None),
    ],
)
def test_what_a_refused_synthesis_means(error: SisServerError, kind: object) -> None:
    mapped = from_synthesis_failure(error, "chinese_xiaoqi_common")
    if kind is None:
        assert mapped is error
        return
    expected = SisVoiceRefusedError if kind == "voice" else kind
    assert type(mapped) is expected
    assert (mapped.code, mapped.message) == (error.code, error.message)
    if isinstance(mapped, SisVoiceRefusedError):
        assert mapped.voice == "chinese_xiaoqi_common"


@pytest.mark.parametrize("voice_refusal", VOICE_REFUSALS)
async def test_a_refused_voice_is_replaced_by_the_fallback_for_the_rest_of_the_reply(
    client: SisClient, server: SisServer, voice_refusal: str
) -> None:
    server.readings.voice_refusal = voice_refusal  # type: ignore[assignment]
    speech = client.speak(pieces(REPLY), XIAOXIA, fallback=XIAOQI)
    audio = await everything(speech)
    # Every word is heard once, in order: no piece is lost or spoken twice.
    assert decode(audio) == REPLY
    outcome = speech.outcome
    assert outcome.failure is None
    assert outcome.voice == "chinese_xiaoqi_common"
    assert outcome.refused_voice is not None
    assert outcome.refused_voice.voice == "chinese_huaxiaoxia_common"
    assert not outcome.markup_refused
    voices = [record.config["property"] for record in server.syntheses]
    refused = [r for r in server.syntheses if r.sent and r.sent[0]["resp_type"] == "ERROR"]
    assert voices[0] == "chinese_huaxiaoxia_common"
    assert refused
    assert all(r.config["property"] == "chinese_huaxiaoxia_common" for r in refused)
    spoken = [r for r in server.syntheses if r.ended_at is not None]
    assert {r.config["property"] for r in spoken} == {"chinese_xiaoqi_common"}
    assert "".join(r.text or "" for r in spoken) == REPLY
    # Refused calls are not billed: only what the service took counts.
    assert outcome.characters == len(REPLY)
    assert len(outcome.stats) == len(spoken) + len(refused)
    await nothing_left(server)


async def test_a_refused_voice_without_a_fallback_ends_the_reply(
    client: SisClient, server: SisServer
) -> None:
    speech = client.speak(pieces(REPLY), XIAOXIA, fallback=XIAOXIA)  # the same voice is none
    assert await everything(speech) == b""
    assert isinstance(speech.outcome.failure, SisVoiceRefusedError)
    assert speech.outcome.refused_voice is None
    assert speech.outcome.characters == 0
    await nothing_left(server)


async def test_a_refused_fallback_voice_ends_the_reply(
    client: SisClient, server: SisServer
) -> None:
    speech = client.speak(pieces("你好。"), XIAOXIA, fallback=XIAOGANG)
    assert await everything(speech) == b""
    failure = speech.outcome.failure
    assert isinstance(failure, SisVoiceRefusedError)
    assert failure.voice == "chinese_huaxiaogang_common"
    assert speech.outcome.refused_voice is not None
    assert speech.outcome.refused_voice.voice == "chinese_huaxiaoxia_common"
    await nothing_left(server)


async def test_pieces_fit_the_fallback_voice_too(client: SisClient, server: SisServer) -> None:
    server.readings.realtime_voices = "all"
    long_voice = SynthesisConfig(voice="chinese_huaxiaomei_common")
    text = "很长很长的句子，" * 80 + "结束。"
    speech = client.speak(pieces(text, 50), long_voice, fallback=XIAOQI)
    assert decode(await everything(speech)) == text
    assert all(len(piece) <= 499 for piece in speech.pieces)
    alone = client.speak(pieces(text, 50), long_voice)
    assert decode(await everything(alone)) == text
    assert max(len(piece) for piece in alone.pieces) > 499


async def test_a_fallback_that_cannot_take_the_piece_ends_the_reply(
    client: SisClient, server: SisServer
) -> None:
    def make(text: str, config: SynthesisConfig) -> Synthesis:
        if config is XIAOQI:
            raise SisConfigError("the fallback cannot")
        return client.synthesize(text, config)

    speech = StreamingSynthesis(make, pieces("你好。"), config=XIAOXIA, fallback=XIAOQI)
    assert await everything(speech) == b""
    assert isinstance(speech.outcome.failure, SisConfigError)
    assert speech.outcome.refused_voice is not None
    await nothing_left(server)


async def test_a_voice_refused_after_audio_came_is_not_spoken_again(
    socket_enabled: None, http: aiohttp.ClientSession
) -> None:
    refusal = '{"resp_type": "ERROR", "error_code": "SIS.0411", "error_msg": "voice"}'
    async with stand_ins() as start:
        url = (await start(_answering(START, b"\x00\x00", refusal))).replace("http://", "ws://")
        endpoints = Endpoints.custom(url, url.replace("ws://", "http://"))
        auth = AkSkAuth(
            http, endpoints.iam_url, access_key=ACCESS_KEY, secret_key=SECRET_KEY, project_id="p"
        )
        client = SisClient(http, auth, endpoints, timeouts=FAST)
        speech = client.speak(pieces("你好。"), XIAOXIA, fallback=XIAOQI)
        assert await everything(speech) == b"\x00\x00"
    assert isinstance(speech.outcome.failure, SisVoiceRefusedError)
    assert speech.outcome.refused_voice is None


MARKED = "第一句话。三<五 & 六>二。最后一句。"


async def test_text_refused_as_ssml_is_spoken_again_without_it(
    client: SisClient, server: SisServer
) -> None:
    speech = client.speak(pieces(MARKED), XIAOQI)
    audio = await everything(speech)
    assert decode(audio) == without_markup(MARKED)
    assert without_markup("a<b&c>d") == "a b c d"
    outcome = speech.outcome
    assert outcome.failure is None
    assert outcome.markup_refused
    refused = [r for r in server.syntheses if r.sent and r.sent[0]["resp_type"] == "ERROR"]
    assert [r.text for r in refused] == ["三<五 & 六>二。"]
    assert refused[0].sent[0]["error_code"] == "SIS.0419"
    spoken = [r.text or "" for r in server.syntheses if r.ended_at is not None]
    assert sorted(spoken) == sorted(["第一句话。", "三 五   六 二。", "最后一句。"])
    await nothing_left(server)


async def test_text_is_sent_without_ssml_characters_once_they_were_refused(
    client: SisClient, server: SisServer
) -> None:
    speech = client.speak(pieces("甲<乙。丙&丁。"), XIAOQI, strip_markup=True)
    assert decode(await everything(speech)) == "甲 乙。丙 丁。"
    assert not speech.outcome.markup_refused
    assert all(not set("<>&") & set(r.text or "") for r in server.syntheses)


async def test_ssml_characters_go_as_they_are_where_the_service_takes_them(
    client: SisClient, server: SisServer
) -> None:
    server.readings = Readings(ssml_refuses=False)
    speech = client.speak(pieces(MARKED), XIAOQI)
    assert decode(await everything(speech)) == MARKED
    assert not speech.outcome.markup_refused
    assert [r.text for r in server.syntheses][1] == "三<五 & 六>二。"


@pytest.mark.parametrize(
    ("text", "second"),
    [("甲<乙。丙&丁。完", "丙 丁。"), ("甲<乙。丙丁。完", "丙丁。")],
    ids=["second-piece-started-again", "second-piece-kept"],
)
async def test_pieces_in_flight_go_on_without_ssml_once_it_is_refused(
    client: SisClient, server: SisServer, text: str, second: str
) -> None:
    async def reply() -> AsyncIterator[str]:
        # The second sentence starts while the first is still connecting.
        yield text[:5]
        await asyncio.sleep(0)
        yield text[5:]
        await asyncio.sleep(0)
        yield "。"

    speech = client.speak(reply(), XIAOQI)
    assert decode(await everything(speech)) == without_markup(text + "。")
    assert speech.outcome.markup_refused
    spoken = [r.text or "" for r in server.syntheses if r.ended_at is not None]
    assert sorted(spoken) == sorted(["甲 乙。", second, "完。"])
    await nothing_left(server)


async def test_an_ssml_refusal_of_text_without_markup_ends_the_reply(
    client: SisClient, server: SisServer
) -> None:
    server.faults.append(Fault.start_error("SIS.0419", "illegal SSML"))
    speech = client.speak(pieces("你好。"), XIAOQI)
    assert await everything(speech) == b""
    assert isinstance(speech.outcome.failure, SisMarkupError)
    assert speech.outcome.markup_refused  # learned, though this text had none
    await nothing_left(server)
