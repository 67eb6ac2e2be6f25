"""The emulated recognition WebSocket (tests/sis_server/rasr.py): the handshake, START
validation, the per-connection state machine, audio frames and the idle timeout.

Every test of the emulator talks to it with a raw aiohttp client (never the project's
client library), so these tests pin down the emulator itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import re
import ssl
import time
from typing import Any

import aiohttp
import pytest
from yarl import URL

from tests.helpers.raw_client import (
    PCM16,
    PROJECT,
    REGION,
    WAIT,
    Connect,
    Ws,
    create_table,
    finals,
    get_token,
    rasr_url,
    refused,
    sign,
    token_body,
    types,
)
from tests.sis_server import SisServer, decode, silence, synthesize
from tests.tls import self_signed_context

pytestmark = pytest.mark.usefixtures("socket_enabled")


# --- the handshake ----------------------------------------------------------------------------


async def test_handshake_with_token(http: aiohttp.ClientSession, server: SisServer) -> None:
    token = await get_token(http, server)
    async with http.ws_connect(
        rasr_url(server, "short-stream"), headers={"X-Auth-Token": token}
    ) as ws:
        client = Ws(ws)
        start = await client.start()
        assert list(start) == ["resp_type", "trace_id"]
        assert start["resp_type"] == "START"
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", start["trace_id"]
        )
        assert server.open_connections == 1
    recorded = server.sessions[-1]
    assert recorded.auth == "token"
    assert recorded.mode == "short-stream"
    assert recorded.project_id == PROJECT
    assert recorded.headers["X-Auth-Token"] == token
    await asyncio.wait_for(recorded.done.wait(), WAIT)
    assert server.connections == 1


async def test_tls(tmp_path: Path) -> None:
    tls_server = SisServer(ssl_context=self_signed_context(tmp_path))
    await tls_server.start()
    trusting = ssl.create_default_context(cafile=tmp_path / "cert.pem")
    try:
        assert tls_server.sis_url.startswith("wss://127.0.0.1:")
        assert tls_server.iam_url.startswith("https://127.0.0.1:")
        connector = aiohttp.TCPConnector(ssl=trusting)
        async with aiohttp.ClientSession(connector=connector) as http:
            token = await get_token(http, tls_server)
            async with http.ws_connect(
                rasr_url(tls_server, "short-stream"), headers={"X-Auth-Token": token}
            ) as ws:
                assert (await Ws(ws).start())["resp_type"] == "START"
        assert tls_server.connections == 1
    finally:
        await tls_server.close()


async def test_handshake_token_refused(http: aiohttp.ClientSession, server: SisServer) -> None:
    url = rasr_url(server)
    status, content_type, body = await refused(http, url, {"X-Auth-Token": "MIITnonsense"})
    assert (status, content_type) == (401, "application/json")
    assert body == {
        "error_code": "APIG.0301",
        "error_msg": "Incorrect IAM authentication information: decrypt token fail",
    }
    other = await get_token(http, server, "cn-east-3")
    status, _, body = await refused(http, url, {"X-Auth-Token": other})
    assert status == 401
    assert body["error_code"] == "SIS.0101"
    token = await get_token(http, server)
    server.expire_tokens()
    status, _, body = await refused(http, url, {"X-Auth-Token": token})
    assert status == 401
    assert body["error_code"] == "APIG.0301"
    assert re.fullmatch(
        r"Incorrect IAM authentication information: token expires, expires_at: "
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",
        body["error_msg"],
    )
    token = await get_token(http, server)
    server.revoke_tokens()
    status, _, body = await refused(http, url, {"X-Auth-Token": token})
    assert (status, body["error_msg"]) == (
        401,
        "Incorrect IAM authentication information: decrypt token fail",
    )
    status, _, body = await refused(http, url)
    assert (status, body["error_msg"]) == (
        401,
        "Incorrect IAM authentication information: x-auth-token not found",
    )
    assert server.connections == 0
    assert server.sessions == []


@pytest.mark.parametrize("extra", [None, {"Content-Type": "application/json"}])
async def test_handshake_with_aksk(
    http: aiohttp.ClientSession, server: SisServer, extra: dict[str, str] | None
) -> None:
    url = rasr_url(server, "sentence-stream")
    headers = sign(url, extra=extra)
    async with http.ws_connect(url, headers=headers) as ws:
        assert (await Ws(ws).start(property="chinese_16k_common"))["resp_type"] == "START"
    recorded = server.sessions[-1]
    assert recorded.auth == "aksk"
    assert recorded.headers["Authorization"] == headers["Authorization"]
    assert recorded.headers["Host"] == f"127.0.0.1:{server.port}"


async def test_handshake_aksk_refused(http: aiohttp.ClientSession, server: SisServer) -> None:
    url = rasr_url(server)
    cases: list[tuple[dict[str, str], str, str]] = [
        (sign(url, secret_key="wrong"), "APIG.0301", "verify aksk signature fail"),
        (sign(url, host="localhost:1"), "APIG.0301", "verify aksk signature fail"),
        (sign(url + "x"), "APIG.0301", "verify aksk signature fail"),
        (sign(url, access_key="HPUAUNKNOWNKEY000000"), "APIG.0301", "ak not found"),
        (
            sign(url, when=datetime.now(UTC) - timedelta(minutes=16)),
            "APIG.0303",
            "calc ak sk signature fail:signature expired",
        ),
        ({"Authorization": "SDK-HMAC-SHA256 nonsense"}, "APIG.0301", "verify aksk signature fail"),
    ]
    for headers, code, message in cases:
        status, _, body = await refused(http, url, headers)
        assert (status, body) == (
            401,
            {
                "error_code": code,
                "error_msg": f"Incorrect IAM authentication information: {message}",
            },
        )
    # The server clock decides: a fresh signature is stale for a server half an hour ahead.
    server.clock_offset = timedelta(minutes=30)
    status, _, body = await refused(http, url, sign(url))
    assert (status, body["error_code"]) == (401, "APIG.0303")
    server.clock_offset = timedelta(minutes=14)
    async with http.ws_connect(url, headers=sign(url)):
        pass
    # A correct signature for a project of another account.
    foreign = rasr_url(server, project="e" * 32)
    status, _, body = await refused(http, foreign, sign(foreign))
    assert (status, body["error_code"]) == (403, "APIG.0310")
    assert server.connections == 1


async def test_handshake_two_host_headers(server: SisServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    host = f"127.0.0.1:{server.port}"
    # A kept-alive connection: an IAM call first, then the handshake on the same socket.
    body = json.dumps(token_body()).encode()
    writer.write(
        f"POST /v3/auth/tokens HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    assert head.startswith(b"HTTP/1.1 201 ")
    length = re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE)
    assert length is not None
    await reader.readexactly(int(length.group(1)))
    url = URL(rasr_url(server))
    request = (
        f"GET {url.raw_path} HTTP/1.1\r\nHost: {host}\r\nHost: {host}\r\n"
        "Connection: Upgrade\r\nUpgrade: websocket\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in sign(str(url)).items())
        + "\r\n"
    )
    writer.write(request.encode())
    response = await asyncio.wait_for(reader.read(), WAIT)
    writer.close()
    await writer.wait_closed()
    head, _, error = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 401 ")
    assert json.loads(error)["error_code"] == "APIG.0301"
    assert server.connections == 0
    assert server.iam_token_requests == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/v1/{PROJECT}/rasr/long-stream"),
        ("GET", f"/v2/{PROJECT}/rasr/short-stream"),
        ("POST", f"/v1/{PROJECT}/rasr/short-stream"),
        ("GET", "/"),
        ("GET", "/v3/auth/tokens"),
    ],
)
async def test_unknown_api(
    http: aiohttp.ClientSession, server: SisServer, method: str, path: str
) -> None:
    async with http.request(method, server.iam_url + path) as response:
        assert response.status == 404
        assert response.content_type == "application/json"
        assert await response.json() == {
            "error_code": "APIG.0101",
            "error_msg": "The API does not exist or has not been published in the environment.",
        }


# --- START validation -------------------------------------------------------------------------

_CONFIG_ERRORS: list[tuple[str, dict[str, Any] | None, str, str]] = [
    (REGION, None, "SIS.0012", "'config' cannot be empty"),
    (REGION, {"property": "chinese_16k_general"}, "SIS.0012", "'audio_format' cannot be empty"),
    (REGION, {"audio_format": "pcm16k16bit"}, "SIS.0012", "'property' cannot be empty"),
    (REGION, PCM16 | {"property": ""}, "SIS.0012", "'property' cannot be empty"),
    (REGION, PCM16 | {"vad_threshold": 0}, "SIS.0031", "'vad_threshold' is not supported"),
    (REGION, PCM16 | {"audio_format": "wav"}, "SIS.0032", "'audio_format' is invalid"),
    (REGION, PCM16 | {"audio_format": ["pcm16k16bit"]}, "SIS.0032", "'audio_format' is invalid"),
    (REGION, PCM16 | {"property": "klingon_16k_general"}, "SIS.0032", "'property' is invalid"),
    (REGION, PCM16 | {"add_punc": True}, "SIS.0032", "'add_punc' is invalid"),
    (REGION, PCM16 | {"interim_results": "true"}, "SIS.0032", "'interim_results' is invalid"),
    (REGION, PCM16 | {"need_word_info": "YES"}, "SIS.0032", "'need_word_info' is invalid"),
    (REGION, PCM16 | {"digit_norm": 1}, "SIS.0032", "'digit_norm' is invalid"),
    (REGION, PCM16 | {"vad_head": 60001}, "SIS.0032", "'vad_head' is invalid"),
    (REGION, PCM16 | {"vad_head": -1}, "SIS.0032", "'vad_head' is invalid"),
    (REGION, PCM16 | {"vad_tail": 3001}, "SIS.0032", "'vad_tail' is invalid"),
    (REGION, PCM16 | {"vad_tail": 500.0}, "SIS.0032", "'vad_tail' is invalid"),
    (REGION, PCM16 | {"vad_tail": "500"}, "SIS.0032", "'vad_tail' is invalid"),
    (REGION, PCM16 | {"max_seconds": 0}, "SIS.0032", "'max_seconds' is invalid"),
    (REGION, PCM16 | {"max_seconds": 61}, "SIS.0032", "'max_seconds' is invalid"),
    (REGION, PCM16 | {"max_seconds": True}, "SIS.0032", "'max_seconds' is invalid"),
    (REGION, PCM16 | {"vocabulary_id": ""}, "SIS.0032", "'vocabulary_id' is invalid"),
    (REGION, PCM16 | {"vocabulary_id": 7}, "SIS.0032", "'vocabulary_id' is invalid"),
    (
        REGION,
        PCM16 | {"audio_format": "pcm8k16bit"},
        "SIS.0301",
        "'audio_format' is not match model",
    ),
    (
        REGION,
        {"audio_format": "ulaw16k8bit", "property": "chinese_8k_general"},
        "SIS.0301",
        "'audio_format' is not match model",
    ),
    (
        REGION,
        PCM16 | {"property": "english_16k_general", "digit_norm": "no"},
        "SIS.0031",
        "'digit_norm' is not supported by english_16k_general",
    ),
    (
        REGION,
        PCM16 | {"property": "sichuan_16k_common", "digit_norm": "yes"},
        "SIS.0031",
        "'digit_norm' is not supported by sichuan_16k_common",
    ),
    (
        REGION,
        PCM16 | {"property": "cantonese_16k_common", "vocabulary_id": "hot-words"},
        "SIS.0031",
        "'vocabulary_id' is not supported by cantonese_16k_common",
    ),
    ("cn-east-3", PCM16 | {"property": "english_16k_general"}, "SIS.0032", "'property' is invalid"),
    ("cn-east-3", PCM16 | {"property": "shanghai_16k_common"}, "SIS.0032", "'property' is invalid"),
    (REGION, PCM16 | {"property": "arabic_16k_general"}, "SIS.0032", "'property' is invalid"),
    (
        "ap-southeast-3",
        PCM16 | {"property": "chinese_16k_common"},
        "SIS.0032",
        "'property' is invalid",
    ),
    (
        "me-east-1",
        PCM16 | {"property": "cantonese_16k_common"},
        "SIS.0032",
        "'property' is invalid",
    ),
]


@pytest.mark.parametrize(("region", "config", "code", "message"), _CONFIG_ERRORS)
async def test_start_refused(
    connect: Connect,
    server: SisServer,
    region: str,
    config: dict[str, Any] | None,
    code: str,
    message: str,
) -> None:
    client = await connect("short-stream", region)
    command: dict[str, Any] = {"command": "START"}
    if config is not None:
        command["config"] = config
    await client.send(command)
    error = await client.recv()
    assert error == {
        "resp_type": "ERROR",
        "trace_id": error["trace_id"],
        "error_code": code,
        "error_msg": message,
    }
    assert list(error) == ["resp_type", "trace_id", "error_code", "error_msg"]
    recorded = server.sessions[-1]
    assert recorded.done.is_set()
    assert recorded.sent == [error]
    assert recorded.config == (config or {})
    # No END follows: the next message answers the next (valid) START.
    assert (await client.start())["resp_type"] == "START"


async def test_general_mandarin_model_takes_no_sentence_mode(connect: Connect) -> None:
    client = await connect("sentence-stream")
    error = await client.start()
    assert (error["resp_type"], error["error_code"]) == ("ERROR", "SIS.0031")
    assert "sentence-stream" in error["error_msg"]
    assert (await client.start(property="chinese_16k_common"))["resp_type"] == "START"


@pytest.mark.parametrize(
    ("region", "config"),
    [
        (REGION, {"property": "english_16k_general", "vocabulary_id": "english"}),
        (REGION, {"property": "shanghai_16k_common", "max_seconds": 5}),
        ("cn-east-3", {"property": "chinese_16k_common", "digit_norm": "no"}),
        ("ap-southeast-3", {"property": "english_16k_general"}),
        ("me-east-1", {"property": "arabic_16k_general", "digit_norm": "yes"}),
        ("me-east-1", {"audio_format": "alaw8k8bit", "property": "chinese_8k_general"}),
        (
            REGION,
            {
                "add_punc": "yes",
                "interim_results": "no",
                "vad_head": 0,
                "vad_tail": 3000,
                "max_seconds": 60,
                "digit_norm": "no",
                "need_word_info": "yes",
                "vocabulary_id": "chinese_mandarin",
            },
        ),
    ],
)
async def test_start_accepted(
    http: aiohttp.ClientSession,
    server: SisServer,
    connect: Connect,
    region: str,
    config: dict[str, Any],
) -> None:
    if language := config.get("vocabulary_id"):  # a table of this language, made first
        words = ["GARAGE"] if language == "english" else ["客厅"]
        table = await create_table(http, server, language, words, language=language)
        config = config | {"vocabulary_id": table}
    client = await connect("continue-stream", region)
    assert (await client.start(**config))["resp_type"] == "START"


# --- the per-connection state machine ---------------------------------------------------------


async def test_commands_out_of_order_on_idle(connect: Connect, server: SisServer) -> None:
    client = await connect()
    await client.ws.send_bytes(bytes(3200))
    await client.ws.send_str("not json")
    await client.ws.send_str('["START"]')
    await client.send({"command": "PAUSE"})
    await client.end()
    errors = [await client.recv() for _ in range(5)]
    assert [(e["resp_type"], e["error_code"]) for e in errors] == [("ERROR", "SIS.0032")] * 5
    assert server.sessions == []
    assert (await client.start())["resp_type"] == "START"


async def test_start_while_active_keeps_the_session(connect: Connect, server: SisServer) -> None:
    client = await connect()
    start = await client.start()
    await client.send({"command": "START", "config": PCM16})
    error = await client.recv()
    assert (error["resp_type"], error["error_code"]) == ("ERROR", "SIS.0032")
    assert error["trace_id"] == start["trace_id"]
    await client.audio(synthesize("still here", lead_ms=100))
    await client.end()
    messages = await client.until("END")
    assert finals(messages) == ["still here"]
    assert messages[-1]["reason"] == "NORMAL"
    assert len(server.sessions) == 1


@pytest.mark.parametrize(
    "message", ["garbage", '{"command": "STOP"}', '{"command": "END", "cancel": "false"}']
)
async def test_bad_text_while_active_ends_the_session(
    connect: Connect, server: SisServer, message: str
) -> None:
    client = await connect()
    await client.start()
    await client.audio(synthesize("lost", lead_ms=100))
    await client.ws.send_str(message)
    messages = await client.until("END")
    assert types(messages) == ["ERROR", "END"]
    assert messages[0]["error_code"] == "SIS.0032"
    assert messages[1]["reason"] == "ERROR"
    assert server.sessions[-1].done.is_set()
    # Audio after the error is ignored without complaint; a new START works.
    await client.audio(bytes(3200))
    assert (await client.start())["resp_type"] == "START"


async def test_several_sessions_on_one_connection(connect: Connect, server: SisServer) -> None:
    client = await connect("short-stream")
    traces = []
    for text in ("first session", "second session"):
        traces.append((await client.start())["trace_id"])
        await client.audio(synthesize(text, lead_ms=100, tail_ms=100))
        await client.end()
        messages = await client.until("END")
        assert finals(messages) == [text]
        assert {m["trace_id"] for m in messages} == {traces[-1]}
        await client.audio(synthesize("ignored after END"))
    assert traces[0] != traces[1]
    assert [decode(bytes(s.audio)) for s in server.sessions] == ["first session", "second session"]
    assert all(s.done.is_set() for s in server.sessions)
    assert server.connections == 1


# --- audio frames -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audio_format", "model", "size", "ok"),
    [
        ("pcm16k16bit", "chinese_16k_general", 319, False),
        ("pcm16k16bit", "chinese_16k_general", 320, True),
        ("pcm16k16bit", "chinese_16k_general", 65536, True),
        ("pcm16k16bit", "chinese_16k_general", 65537, False),
        ("pcm8k16bit", "chinese_8k_general", 159, False),
        ("pcm8k16bit", "chinese_8k_general", 160, True),
        ("ulaw8k8bit", "chinese_8k_general", 32768, True),
        ("alaw8k8bit", "chinese_8k_general", 32769, False),
        ("ulaw16k8bit", "chinese_16k_general", 200, False),
    ],
)
async def test_frame_size_limits(
    connect: Connect, server: SisServer, audio_format: str, model: str, size: int, ok: bool
) -> None:
    client = await connect()
    await client.start(audio_format=audio_format, property=model)
    await client.ws.send_bytes(bytes(size))
    if ok:
        await client.quiet(0.2)
        assert server.sessions[-1].frame_sizes == [size]
        return
    messages = await client.until("END")
    assert [(m["resp_type"], m.get("error_code", m.get("reason"))) for m in messages] == [
        ("ERROR", "SIS.0032"),
        ("END", "ERROR"),
    ]
    assert server.sessions[-1].audio == b""


async def test_audio_too_long_short_stream(connect: Connect, server: SisServer) -> None:
    client = await connect("short-stream")
    # u-law at 8 kHz: one byte per sample, so 60 s is 480000 bytes.
    await client.start(audio_format="ulaw8k8bit", property="chinese_8k_general")
    await client.audio(bytes([0x55]) * 480000, frame=32000)
    await client.quiet(0.1)
    await client.ws.send_bytes(bytes([0x55]) * 160)
    messages = await client.until("END")
    assert [(m["resp_type"], m.get("error_code", m.get("reason"))) for m in messages] == [
        ("ERROR", "SIS.0309"),
        ("END", "ERROR"),
    ]
    assert len(server.sessions[-1].audio) == 480000


@pytest.mark.parametrize("mode", ["short-stream", "continue-stream"])
async def test_audio_too_long_as_the_2021_pages_describe_it(
    connect: Connect, server: SisServer, mode: str
) -> None:
    """EXCEEDED_AUDIO, then the rest of the audio is ignored; END still gives the finals."""
    server.exceeded_audio_event = True
    server.audio_limits[mode] = 2
    client = await connect(mode)
    await client.start()
    await client.audio(synthesize("heard", lead_ms=200) + silence(2000) + synthesize("not heard"))
    messages = await client.until("EVENT")
    assert (messages[-1]["event"], messages[-1]["timestamp"]) == ("EXCEEDED_AUDIO", 2000)
    await client.quiet(0.2)
    await client.end()
    messages += await client.until("END")
    assert finals(messages) == ["heard"]
    assert messages[-1]["reason"] == "NORMAL"


async def test_audio_too_long_sentence_stream(connect: Connect, server: SisServer) -> None:
    client = await connect("sentence-stream")
    await client.start(audio_format="pcm8k16bit", property="chinese_8k_general", max_seconds=60)
    # One long sentence from 1 s on: it would end at 61 s, after the 60 s limit.
    pcm = synthesize("a" * 6000, sample_rate=8000, lead_ms=1000)
    await client.audio(pcm, frame=32000)
    messages = await client.until("END")
    assert types(messages) == ["VOICE_START", "ERROR", "END"]
    assert messages[1]["error_code"] == "SIS.0309"
    assert messages[2]["reason"] == "ERROR"
    assert len(server.sessions[-1].audio) == 60 * 8000 * 2


# --- idle timeout -----------------------------------------------------------------------------


@pytest.mark.parametrize("start", [True, False])
async def test_idle_timeout(http: aiohttp.ClientSession, start: bool) -> None:
    server = SisServer(idle_timeout=0.3)
    await server.start()
    try:
        token = await get_token(http, server)
        async with http.ws_connect(
            rasr_url(server), headers={"X-Auth-Token": token}, autoping=True
        ) as ws:
            client = Ws(ws)
            if start:
                await client.start()
                await ws.send_bytes(bytes(3200))
            began = time.monotonic()

            async def ping() -> None:
                while True:
                    await ws.ping()
                    await asyncio.sleep(0.05)

            # Pings are not data: they do not keep the connection alive.
            pinger = asyncio.create_task(ping())
            try:
                fatal = await client.recv()
            finally:
                pinger.cancel()
            waited = time.monotonic() - began
            closing = await client.raw()
    finally:
        await server.close()
    assert fatal == {
        "resp_type": "FATAL_ERROR",
        "trace_id": fatal["trace_id"],
        "error_code": "SIS.0304",
        "error_msg": "wait voice timeout",
    }
    assert 0.2 <= waited < 1.5
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    if start:
        assert server.sessions[-1].sent[-1] == fatal
        assert server.sessions[-1].done.is_set()
    assert server.open_connections == 0
