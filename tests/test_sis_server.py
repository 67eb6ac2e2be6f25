"""The local SIS server is as strict as the documented service.

Every test talks to it with a raw aiohttp client (never the project's client
library), so these tests pin down the emulator itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import json
import os
from pathlib import Path
import random
import re
import signal
import ssl
import sys
import time
from typing import Any

import aiohttp
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
import pytest
from yarl import URL

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
    decode,
    silence,
    synthesize,
    synthesize_sentences,
)
from tests.tls import self_signed_context

pytestmark = pytest.mark.usefixtures("socket_enabled")

REGION = "cn-north-4"
PROJECT = PROJECTS[REGION]
PCM16 = {"audio_format": "pcm16k16bit", "property": "chinese_16k_general"}
WAIT = 2.0
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@dataclass(frozen=True, slots=True)
class _Keys:
    ak: str
    sk: str


@pytest.fixture
async def server() -> AsyncIterator[SisServer]:
    server = SisServer(idle_timeout=5.0)
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def token_body(
    *,
    user: str = USERNAME,
    password: str = PASSWORD,
    domain: str = DOMAIN_NAME,
    scope: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "password": password, "domain": {"name": domain}}
                },
            },
            "scope": {"project": scope or {"name": REGION}},
        }
    }


async def get_token(http: aiohttp.ClientSession, server: SisServer, region: str = REGION) -> str:
    async with http.post(
        f"{server.iam_url}/v3/auth/tokens?nocatalog=true",
        json=token_body(scope={"name": region}),
    ) as response:
        assert response.status == 201
        return response.headers["X-Subject-Token"]


def rasr_url(server: SisServer, mode: str = "continue-stream", project: str = PROJECT) -> str:
    return f"{server.sis_url}/v1/{project}/rasr/{mode}"


def sign(
    url: str,
    *,
    secret_key: str = SECRET_KEY,
    access_key: str = ACCESS_KEY,
    when: datetime | None = None,
    host: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """Sign like the official SDK: http URL, Host and X-Sdk-Date signed, Host then dropped."""
    parsed = URL(url)
    moment = when or datetime.now(UTC)
    request = SdkRequest(
        method="GET",
        schema="http",
        host=host or f"{parsed.host}:{parsed.port}",
        resource_path=parsed.raw_path,
        query_params=list(parsed.query.items()),
        header_params={"X-Sdk-Date": moment.strftime("%Y%m%dT%H%M%SZ"), **(extra or {})},
        body="",
    )
    signed = Signer(_Keys(access_key, secret_key)).sign(request)
    return {
        str(key): str(value)
        for key, value in signed.header_params.items()
        if str(key).lower() != "host"
    }


async def refused(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None
) -> tuple[int, str, Any]:
    """Send a WebSocket upgrade request that must fail; return status, content type and body."""
    upgrade = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    async with http.get(url.replace("ws://", "http://"), headers=upgrade | (headers or {})) as resp:
        assert resp.status != 101
        return resp.status, resp.content_type, await resp.json(content_type=None)


class Ws:
    """A raw WebSocket client with a few conveniences."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(message))

    async def start(self, **config: Any) -> dict[str, Any]:
        await self.send({"command": "START", "config": PCM16 | config})
        return await self.recv()

    async def end(self, *, cancel: bool | None = None) -> None:
        command: dict[str, Any] = {"command": "END"}
        if cancel is not None:
            command["cancel"] = cancel
        await self.send(command)

    async def audio(self, pcm: bytes, frame: int = 3200) -> None:
        for offset in range(0, len(pcm), frame):
            await self.ws.send_bytes(pcm[offset : offset + frame])

    async def raw(self, timeout: float = WAIT) -> aiohttp.WSMessage:
        return await asyncio.wait_for(self.ws.receive(), timeout)

    async def recv(self, timeout: float = WAIT) -> dict[str, Any]:
        message = await self.raw(timeout)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        data = json.loads(message.data)
        assert isinstance(data, dict)
        return data

    async def until(self, resp_type: str, timeout: float = WAIT) -> list[dict[str, Any]]:
        """Messages up to and including the first of `resp_type`."""
        messages = [await self.recv(timeout)]
        while messages[-1]["resp_type"] != resp_type:
            messages.append(await self.recv(timeout))
        return messages

    async def quiet(self, seconds: float = 0.3) -> None:
        """Nothing arrives for `seconds`."""
        try:
            message = await self.raw(seconds)
        except TimeoutError:
            return
        pytest.fail(f"unexpected message {message}")


type Connect = Callable[..., Awaitable[Ws]]


@pytest.fixture
async def connect(http: aiohttp.ClientSession, server: SisServer) -> AsyncIterator[Connect]:
    sockets: list[aiohttp.ClientWebSocketResponse] = []
    tokens: dict[str, str] = {}

    async def factory(mode: str = "continue-stream", region: str = REGION) -> Ws:
        if region not in tokens:
            tokens[region] = await get_token(http, server, region)
        ws = await http.ws_connect(
            rasr_url(server, mode, PROJECTS[region]),
            headers={"X-Auth-Token": tokens[region]},
            autoping=True,
        )
        sockets.append(ws)
        return Ws(ws)

    yield factory
    for ws in sockets:
        await ws.close()


def finals(messages: list[dict[str, Any]]) -> list[str]:
    return [
        segment["result"]["text"]
        for message in messages
        if message["resp_type"] == "RESULT"
        for segment in message["segments"]
        if segment["is_final"]
    ]


def types(messages: list[dict[str, Any]]) -> list[str]:
    return [
        message.get("event", message["resp_type"])
        if message["resp_type"] == "EVENT"
        else message["resp_type"]
        for message in messages
    ]


# --- the fake codec --------------------------------------------------------------------------


def test_codec_round_trip() -> None:
    assert decode(synthesize("turn on the light")) == "turn on the light"
    assert decode(synthesize("你好", sample_rate=8000, lead_ms=50, tail_ms=70), 8000) == "你好"
    assert len(synthesize("ab", lead_ms=100, tail_ms=200)) == 2 * 16000 * 320 // 1000
    assert decode(silence(300)) is None
    noise = bytes(random.Random(1).getrandbits(8) for _ in range(3200))
    assert decode(noise) is None
    both = synthesize_sentences(["one", "two"], gap_ms=300, lead_ms=100, tail_ms=100)
    assert decode(both) == "one two"
    assert len(both) == 2 * 16 * (100 + 30 + 300 + 30 + 100)


# --- IAM --------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [{"name": "cn-east-3"}, {"id": PROJECTS["cn-east-3"]}])
async def test_iam_token(
    http: aiohttp.ClientSession, server: SisServer, scope: dict[str, str]
) -> None:
    url = f"{server.iam_url}/v3/auth/tokens"
    async with http.post(
        url, json=token_body(scope=scope), headers={"Content-Type": "application/json;charset=utf8"}
    ) as response:
        assert response.status == 201
        token = response.headers["X-Subject-Token"]
        body = await response.json()
    assert len(token) > 40
    data = body["token"]
    assert list(data)[:5] == ["expires_at", "issued_at", "methods", "project", "user"]
    assert ISO.match(data["expires_at"])
    assert ISO.match(data["issued_at"])
    issued = datetime.strptime(data["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    expires = datetime.strptime(data["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert expires - issued == timedelta(hours=24)
    assert data["methods"] == ["password"]
    assert data["project"]["id"] == PROJECTS["cn-east-3"]
    assert data["project"]["name"] == "cn-east-3"
    assert data["project"]["domain"]["name"] == DOMAIN_NAME
    assert data["user"]["name"] == USERNAME
    assert "catalog" in data
    async with http.post(f"{url}?nocatalog=true", json=token_body(scope=scope)) as response:
        assert response.status == 201
        assert "catalog" not in (await response.json())["token"]
        assert response.headers["X-Subject-Token"] != token
    assert server.iam_token_requests == 2


async def test_iam_token_lifetime_follows_the_server(http: aiohttp.ClientSession) -> None:
    server = SisServer(token_lifetime=timedelta(minutes=10))
    await server.start()
    try:
        async with http.post(f"{server.iam_url}/v3/auth/tokens", json=token_body()) as response:
            data = (await response.json())["token"]
        issued = datetime.strptime(data["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        expires = datetime.strptime(data["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert expires - issued == timedelta(minutes=10)
    finally:
        await server.close()


@pytest.mark.parametrize(
    "body",
    [
        token_body(user="someone-else"),
        token_body(password="not-the-password"),
        token_body(domain="other-account"),
    ],
)
async def test_iam_wrong_credentials(
    http: aiohttp.ClientSession, server: SisServer, body: dict[str, Any]
) -> None:
    async with http.post(f"{server.iam_url}/v3/auth/tokens", json=body) as response:
        assert response.status == 401
        assert "X-Subject-Token" not in response.headers
        assert await response.json() == {
            "error": {
                "code": 401,
                "message": "The username or password is wrong.",
                "title": "Unauthorized",
            }
        }


def _without(path: tuple[str, ...]) -> dict[str, Any]:
    body = token_body()
    node = body
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return body


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        (json.dumps(token_body()), "text/plain"),
        ("{not json", "application/json"),
        ("[]", "application/json"),
        (json.dumps(_without(("auth", "scope"))), "application/json"),
        (json.dumps(_without(("auth", "identity", "password", "user", "domain"))), None),
        (json.dumps(_without(("auth", "identity", "methods"))), None),
        (json.dumps(token_body(scope={"name": REGION, "id": PROJECT})), None),
        (json.dumps(token_body(scope={"title": REGION})), None),
        (json.dumps({"auth": {"identity": {"methods": ["token"]}}}), None),
    ],
)
async def test_iam_malformed_request(
    http: aiohttp.ClientSession, server: SisServer, payload: str, content_type: str | None
) -> None:
    async with http.post(
        f"{server.iam_url}/v3/auth/tokens",
        data=payload,
        headers={"Content-Type": content_type or "application/json"},
    ) as response:
        assert response.status == 400
        error = (await response.json())["error"]
    assert error["code"] == 400
    assert error["title"] == "Bad Request"
    assert error["message"]
    assert server.iam_token_requests == 1


@pytest.mark.parametrize("scope", [{"name": "ap-southeast-1"}, {"id": "f" * 32}])
async def test_iam_unknown_project(
    http: aiohttp.ClientSession, server: SisServer, scope: dict[str, str]
) -> None:
    async with http.post(
        f"{server.iam_url}/v3/auth/tokens", json=token_body(scope=scope)
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"]["message"].startswith("project not found")


async def test_iam_fault(http: aiohttp.ClientSession, server: SisServer) -> None:
    server.iam_fault = IamFault(status=503)
    async with http.post(f"{server.iam_url}/v3/auth/tokens", json=token_body()) as response:
        assert response.status == 503
        assert (await response.json())["error"]["code"] == 503
    async with http.get(f"{server.iam_url}/v3/projects") as response:
        assert response.status == 503
    server.iam_fault = IamFault(hang=True)
    with pytest.raises(TimeoutError):
        async with http.post(
            f"{server.iam_url}/v3/auth/tokens",
            json=token_body(),
            timeout=aiohttp.ClientTimeout(total=0.3),
        ):
            pass
    server.iam_fault = None
    assert await get_token(http, server)
    assert server.iam_token_requests == 3
    assert server.iam_project_requests == 1


async def test_project_listing(http: aiohttp.ClientSession, server: SisServer) -> None:
    url = f"{server.iam_url}/v3/projects?name=me-east-1"
    async with http.get(url, headers=sign(url)) as response:
        assert response.status == 200
        body = await response.json()
    assert body["projects"] == [
        {
            "id": PROJECTS["me-east-1"],
            "name": "me-east-1",
            "domain_id": body["projects"][0]["domain_id"],
            "enabled": True,
            "description": "",
        }
    ]
    assert body["links"]["self"].endswith("/v3/projects?name=me-east-1")
    url = f"{server.iam_url}/v3/projects?name=eu-west-0"
    async with http.get(url, headers=sign(url)) as response:
        assert (await response.json())["projects"] == []
    url = f"{server.iam_url}/v3/projects"
    async with http.get(url, headers=sign(url)) as response:
        assert len((await response.json())["projects"]) == len(PROJECTS)
    assert server.iam_project_requests == 3


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "APIG.0301"),
        ({"secret_key": "wrong"}, "APIG.0301"),
        ({"access_key": "HPUAUNKNOWNKEY000000"}, "APIG.0301"),
        ({"skew": -20}, "APIG.0303"),
    ],
)
async def test_project_listing_refused(
    http: aiohttp.ClientSession, server: SisServer, headers: dict[str, Any], code: str
) -> None:
    url = f"{server.iam_url}/v3/projects?name={REGION}"
    sent: dict[str, str] = {}
    if headers:
        when = datetime.now(UTC) + timedelta(minutes=headers.pop("skew", 0))
        sent = sign(url, when=when, **headers)
    async with http.get(url, headers=sent) as response:
        assert response.status == 401
        assert response.content_type == "application/json"
        assert (await response.json())["error_code"] == code


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
        assert (await Ws(ws).start())["resp_type"] == "START"
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


@pytest.mark.parametrize(
    ("region", "config"),
    [
        (REGION, {"property": "english_16k_general", "vocabulary_id": "v1"}),
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
                "vocabulary_id": "0f1e2d3c",
            },
        ),
    ],
)
async def test_start_accepted(connect: Connect, region: str, config: dict[str, Any]) -> None:
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


# --- recognition, per mode --------------------------------------------------------------------


async def test_short_stream(connect: Connect) -> None:
    client = await connect("short-stream")
    # VAD settings have no effect in short-stream: a 3 s vad_tail still splits at 800 ms.
    await client.start(vad_tail=3000, max_seconds=1)
    await client.audio(synthesize_sentences(["turn on", "the light"], gap_ms=800, lead_ms=200))
    await client.quiet(0.3)
    await client.end()
    messages = await client.until("END")
    assert types(messages) == ["RESULT", "RESULT", "END"]
    first, second = (m["segments"] for m in messages[:2])
    assert first == [
        {
            "start_time": 200,
            "end_time": 270,
            "is_final": True,
            "result": {"text": "turn on", "score": 0.9},
        }
    ]
    assert second[0]["start_time"] == 270 + 800
    assert second[0]["result"]["text"] == "the light"
    assert messages[-1] == {
        "resp_type": "END",
        "trace_id": messages[0]["trace_id"],
        "reason": "NORMAL",
    }


async def test_short_stream_keeps_short_pauses(connect: Connect) -> None:
    client = await connect("short-stream")
    await client.start()
    await client.audio(synthesize_sentences(["switch off", "the fan"], gap_ms=400))
    await client.end()
    assert finals(await client.until("END")) == ["switch off the fan"]


async def test_continue_stream(connect: Connect) -> None:
    client = await connect("continue-stream")
    await client.start(vad_tail=300)
    await client.audio(synthesize("good morning", lead_ms=100, tail_ms=400))
    first = await client.recv()
    # The first sentence is final before the client ends the session.
    assert first["resp_type"] == "RESULT"
    assert first["segments"][0]["result"]["text"] == "good morning"
    assert first["segments"][0]["start_time"] == 100
    await client.audio(synthesize("and goodbye", tail_ms=100))
    await client.quiet(0.2)
    await client.end()
    messages = await client.until("END")
    assert finals(messages) == ["and goodbye"]
    assert types(messages) == ["RESULT", "END"]
    assert messages[0]["segments"][0]["start_time"] == 100 + 120 + 400


async def test_continue_stream_two_sentences_in_one_frame(connect: Connect) -> None:
    client = await connect("continue-stream")
    await client.start()
    pcm = synthesize_sentences(["one", "two"], gap_ms=600, lead_ms=0, tail_ms=600)
    await client.audio(pcm, frame=len(pcm))
    result = await client.recv()
    assert [s["result"]["text"] for s in result["segments"]] == ["one", "two"]
    assert all(s["is_final"] for s in result["segments"])
    await client.end()
    assert types(await client.until("END")) == ["END"]


async def test_continue_stream_max_seconds_cuts_a_sentence(connect: Connect) -> None:
    client = await connect("continue-stream")
    await client.start(max_seconds=1)
    text = "a" * 100 + "b" * 50
    await client.audio(synthesize(text))
    result = await client.recv()
    assert result["segments"][0]["result"]["text"] == "a" * 100
    assert result["segments"][0]["end_time"] == 1000
    await client.end()
    messages = await client.until("END")
    assert finals(messages) == ["b" * 50]


async def test_sentence_stream(connect: Connect) -> None:
    client = await connect("sentence-stream")
    await client.start(vad_tail=400)
    await client.audio(synthesize_sentences(["open the door", "and ignore this"], lead_ms=300))
    messages = [await client.recv() for _ in range(3)]
    assert types(messages) == ["VOICE_START", "VOICE_END", "RESULT"]
    assert messages[0]["timestamp"] == 300
    assert list(messages[0]) == ["resp_type", "trace_id", "event", "timestamp"]
    assert messages[1]["timestamp"] == 300 + 130
    assert finals(messages) == ["open the door"]
    # Later audio is ignored; the session waits for END.
    await client.audio(synthesize("still ignored", lead_ms=100, tail_ms=600))
    await client.quiet(0.2)
    await client.end()
    assert types(await client.until("END")) == ["END"]


async def test_sentence_stream_exceeded_silence(connect: Connect, server: SisServer) -> None:
    client = await connect("sentence-stream")
    await client.start(vad_head=300)
    await client.audio(silence(400) + synthesize("too late", tail_ms=600))
    event = await client.recv()
    assert (event["event"], event["timestamp"]) == ("EXCEEDED_SILENCE", 300)
    await client.quiet(0.2)
    await client.end()
    assert types(await client.until("END")) == ["END"]
    assert len(server.sessions[-1].audio) == len(silence(400) + synthesize("too late", tail_ms=600))


async def test_sentence_stream_end_before_voice_end(connect: Connect) -> None:
    client = await connect("sentence-stream")
    await client.start()
    await client.audio(synthesize("half a sen", lead_ms=100))
    assert (await client.recv())["event"] == "VOICE_START"
    await client.end()
    messages = await client.until("END")
    assert types(messages) == ["RESULT", "END"]
    assert finals(messages) == ["half a sen"]
    assert messages[-1]["reason"] == "NORMAL"


@pytest.mark.parametrize("mode", ["short-stream", "continue-stream", "sentence-stream"])
async def test_interim_results(connect: Connect, mode: str) -> None:
    client = await connect(mode)
    await client.start(interim_results="yes")
    text = "the quick brown fox jumps over"
    # 100 ms frames: each adds ten characters of speech.
    await client.audio(synthesize(text), frame=3200)
    await client.end()
    messages = await client.until("END")
    interims = [
        m["segments"][0]["result"]
        for m in messages
        if m["resp_type"] == "RESULT" and not m["segments"][0]["is_final"]
    ]
    assert [i["text"] for i in interims] == [text[:10], text[:20], text]
    assert {i["score"] for i in interims} == {0.0}
    assert finals(messages) == [text]


async def recognise_on(
    http: aiohttp.ClientSession, server: SisServer, mode: str, audio: bytes, **config: Any
) -> list[dict[str, Any]]:
    """Run one session on a server of its own; return the messages up to END."""
    await server.start()
    try:
        token = await get_token(http, server)
        async with http.ws_connect(rasr_url(server, mode), headers={"X-Auth-Token": token}) as ws:
            client = Ws(ws)
            await client.start(**config)
            await client.audio(audio)
            await client.end()
            return await client.until("END")
    finally:
        await server.close()


async def test_transcriber_hears_speech_that_is_not_test_code(
    http: aiohttp.ClientSession,
) -> None:
    heard: list[tuple[bytes, int]] = []

    def transcriber(pcm: bytes, rate: int) -> str:
        heard.append((pcm, rate))
        return "go forward ten meters"

    server = SisServer(fallback_text="unused", transcriber=transcriber)
    rng = random.Random(11)
    noise = b"".join(rng.randrange(1, 30000).to_bytes(2, "little") for _ in range(8000))
    audio = noise + silence(800) + synthesize("and back") + silence(800)
    messages = await recognise_on(http, server, "continue-stream", audio, interim_results="yes")
    segments = [s for m in messages if m["resp_type"] == "RESULT" for s in m["segments"]]
    assert [s["result"]["text"] for s in segments if s["is_final"]] == [
        "go forward ten meters",
        "and back",
    ]
    # Interim results of the real speech stay empty: it is transcribed once, at its end.
    first = {s["result"]["text"] for s in segments if not s["is_final"] and s["start_time"] == 0}
    assert first in (set(), {""})
    # Only the sentence of real speech went to the transcriber, once, as the PCM it was.
    assert heard == [(noise, 16000)]


async def test_word_info_and_fallback_text(http: aiohttp.ClientSession) -> None:
    server = SisServer(fallback_text="what a lovely day")
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(16000))
    messages = await recognise_on(http, server, "short-stream", noise, need_word_info="yes")
    (segment,) = messages[0]["segments"]
    assert segment["result"]["text"] == "what a lovely day"
    assert segment["end_time"] == 500
    assert segment["result"]["word_info"] == [
        {"start_time": 0, "end_time": 125, "word": "what"},
        {"start_time": 125, "end_time": 250, "word": "a"},
        {"start_time": 250, "end_time": 375, "word": "lovely"},
        {"start_time": 375, "end_time": 500, "word": "day"},
    ]


async def test_ulaw_audio_has_no_speech(connect: Connect) -> None:
    client = await connect("continue-stream")
    await client.start(audio_format="ulaw16k8bit", interim_results="yes")
    await client.audio(bytes(range(1, 256)) * 40)
    await client.end()
    assert types(await client.until("END")) == ["END"]


async def test_end_cancel(connect: Connect, server: SisServer) -> None:
    client = await connect("short-stream")
    await client.start()
    await client.audio(synthesize("never mind", lead_ms=100))
    await client.end(cancel=True)
    messages = await client.until("END")
    assert types(messages) == ["END"]
    assert messages[0]["reason"] == "CANCEL"
    assert server.sessions[-1].end == {"command": "END", "cancel": True}


async def test_processing_delay(connect: Connect, server: SisServer) -> None:
    server.processing_delay = 0.3
    client = await connect("short-stream")
    await client.start()
    await client.audio(synthesize("slow", lead_ms=100))
    began = time.monotonic()
    await client.end()
    messages = await client.until("END")
    assert time.monotonic() - began >= 0.3
    assert finals(messages) == ["slow"]


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


# --- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        (
            Fault.handshake(
                status=503, body={"error_code": "APIG.0201", "error_msg": "Backend timeout."}
            ),
            503,
            "APIG.0201",
        ),
        (Fault.handshake(status=403), 403, "APIG.0302"),
        (Fault.handshake(status=404), 404, "APIG.0101"),
        (Fault.handshake(status=429), 429, "APIG.0308"),
        (Fault.handshake(status=401), 401, "APIG.0301"),
    ],
)
async def test_fault_handshake(
    http: aiohttp.ClientSession, server: SisServer, fault: Fault, status: int, code: str
) -> None:
    server.faults.append(fault)
    token = await get_token(http, server)
    url = rasr_url(server)
    got, content_type, body = await refused(http, url, {"X-Auth-Token": token})
    assert (got, content_type, body["error_code"]) == (status, "application/json", code)
    assert body["error_msg"]
    assert server.faults == []
    async with http.ws_connect(url, headers={"X-Auth-Token": token}):
        pass
    assert server.connections == 1


async def test_faults_are_consumed_one_per_connection(
    http: aiohttp.ClientSession, server: SisServer
) -> None:
    server.faults += [Fault.handshake(status=502), Fault.hang_handshake()]
    token = await get_token(http, server)
    headers = {"X-Auth-Token": token}
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await http.ws_connect(rasr_url(server), headers=headers)
    assert info.value.status == 502
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(http.ws_connect(rasr_url(server), headers=headers), 0.3)
    async with http.ws_connect(rasr_url(server), headers=headers) as ws:
        assert (await Ws(ws).start())["resp_type"] == "START"
    assert server.connections == 1


async def test_fault_no_start_response(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.no_start_response())
    client = await connect()
    await client.send({"command": "START", "config": PCM16})
    await client.quiet(0.3)
    assert server.sessions[-1].config == PCM16
    assert server.sessions[-1].sent == []


async def test_fault_start_delay(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.start_delay(0.3))
    client = await connect()
    began = time.monotonic()
    assert (await client.start())["resp_type"] == "START"
    assert time.monotonic() - began >= 0.3


async def test_fault_start_error(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.start_error(code="SIS.0303", message="engine connection failed"))
    client = await connect()
    error = await client.start()
    assert (error["resp_type"], error["error_code"], error["error_msg"]) == (
        "ERROR",
        "SIS.0303",
        "engine connection failed",
    )
    await client.quiet(0.2)


async def test_fault_error_after_start(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.error_after_start(code="SIS.0301", message="not match model"))
    client = await connect()
    start = await client.start()
    messages = await client.until("END")
    assert [start["resp_type"], *types(messages)] == ["START", "ERROR", "END"]
    assert messages[0]["error_code"] == "SIS.0301"
    assert messages[1]["reason"] == "ERROR"
    assert {m["trace_id"] for m in messages} == {start["trace_id"]}


async def test_fault_fatal_after_start(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.fatal_after_start(code="SIS.0304", message="wait voice timeout"))
    client = await connect()
    assert (await client.start())["resp_type"] == "START"
    fatal = await client.recv()
    assert (fatal["resp_type"], fatal["error_code"]) == ("FATAL_ERROR", "SIS.0304")
    assert (await client.raw()).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_fault_close_after_bytes(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.close_after_bytes(6400))
    client = await connect()
    await client.start()
    await client.ws.send_bytes(bytes(3200))
    await client.quiet(0.1)
    await client.ws.send_bytes(bytes(3200))
    message = await client.raw()
    # The transport is closed without a close frame.
    assert message.type is aiohttp.WSMsgType.CLOSED
    assert client.ws.close_code == 1006
    assert len(server.sessions[-1].audio) == 6400
    await asyncio.wait_for(server.sessions[-1].done.wait(), WAIT)


async def test_fault_no_end_response(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.no_end_response())
    client = await connect("short-stream")
    await client.start()
    await client.audio(synthesize("unanswered", lead_ms=100))
    await client.end()
    assert finals([await client.recv()]) == ["unanswered"]
    await client.quiet(0.3)
    assert not server.sessions[-1].done.is_set()


async def test_fault_end_delay(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.end_delay(0.3))
    client = await connect()
    await client.start()
    began = time.monotonic()
    await client.end()
    assert (await client.recv())["reason"] == "NORMAL"
    assert time.monotonic() - began >= 0.3


async def test_fault_malformed_json(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.malformed_json())
    client = await connect()
    assert (await client.start())["resp_type"] == "START"
    message = await client.raw()
    assert message.type is aiohttp.WSMsgType.TEXT
    assert message.data == '{"resp_type": "RESULT", '
    with pytest.raises(json.JSONDecodeError):
        json.loads(message.data)


async def test_fault_unknown_resp_type(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.unknown_resp_type())
    client = await connect()
    start = await client.start()
    assert await client.recv() == {"resp_type": "SURPRISE", "trace_id": start["trace_id"]}


async def test_fault_binary_from_server(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.binary_from_server())
    client = await connect()
    await client.start()
    assert (await client.raw()).type is aiohttp.WSMsgType.BINARY


async def test_fault_result_without_result(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.result_without_result())
    client = await connect()
    await client.start()
    await client.audio(synthesize("abc", lead_ms=100))
    bad = await client.recv()
    assert bad["resp_type"] == "RESULT"
    assert bad["segments"][0]["is_final"] is True
    assert "result" not in bad["segments"][0]
    await client.end()
    messages = await client.until("END")
    assert finals(messages) == ["abc"]


async def test_fault_interim_only(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.interim_only())
    client = await connect("continue-stream")
    await client.start()
    await client.audio(synthesize_sentences(["one", "two"]))
    await client.end()
    messages = await client.until("END")
    results = [m for m in messages if m["resp_type"] == "RESULT"]
    assert [s["result"]["text"] for m in results for s in m["segments"]] == ["one", "two"]
    assert finals(messages) == []
    assert messages[-1]["reason"] == "NORMAL"


# --- recording --------------------------------------------------------------------------------


async def test_recording(connect: Connect, server: SisServer) -> None:
    client = await connect("continue-stream")
    await client.start(interim_results="yes", vad_tail=200)
    pcm = synthesize_sentences(["record me", "byte for byte"], gap_ms=300)
    pcm += bytes(random.Random(3).getrandbits(8) for _ in range(1001))
    sizes = [320, 4000, 6400, 1001, 3333]
    received: list[dict[str, Any]] = []
    offset = 0
    for size in sizes * 20:
        if offset >= len(pcm):
            break
        chunk = pcm[offset : offset + size]
        if len(chunk) < 320:
            chunk += bytes(320 - len(chunk))
        await client.ws.send_bytes(chunk)
        offset += size
    await client.end()
    received += await client.until("END")
    recorded = server.sessions[-1]
    await asyncio.wait_for(recorded.done.wait(), WAIT)
    assert bytes(recorded.audio[: len(pcm)]) == pcm
    assert sum(recorded.frame_sizes) == len(recorded.audio)
    assert recorded.frame_sizes[:5] == sizes
    assert recorded.frame_times == sorted(recorded.frame_times)
    assert len(recorded.frame_times) == len(recorded.frame_sizes)
    assert recorded.end == {"command": "END"}
    assert recorded.sent[0]["resp_type"] == "START"
    assert recorded.sent[1:] == received
    assert finals(received)[:2] == ["record me", "byte for byte"]


async def test_close_closes_open_websockets(http: aiohttp.ClientSession) -> None:
    server = SisServer()
    await server.start()
    token = await get_token(http, server)
    ws = await http.ws_connect(rasr_url(server), headers={"X-Auth-Token": token})
    await Ws(ws).start()
    assert server.open_connections == 1
    await asyncio.wait_for(server.close(), WAIT)
    message = await asyncio.wait_for(ws.receive(), WAIT)
    assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert server.open_connections == 0
    assert server.sessions[-1].done.is_set()
    await ws.close()


# --- running it on its own --------------------------------------------------------------------


async def test_standalone_server(http: aiohttp.ClientSession) -> None:
    root = Path(__file__).parent.parent
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.sis_server",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--phrase",
        "hello from the command line",
        "--no-sphinx",
        cwd=root,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    try:
        lines: list[str] = []
        while not any("hello from the command line" in line for line in lines):
            line = await asyncio.wait_for(process.stdout.readline(), 10)
            assert line, "the server exited early"
            lines.append(line.decode())
        output = "".join(lines)
        match = re.search(r"ws://127\.0\.0\.1:(\d+)", output)
        assert match is not None
        port = int(match.group(1))
        assert f"http://127.0.0.1:{port}" in output
        for value in (DOMAIN_NAME, USERNAME, PASSWORD, ACCESS_KEY, SECRET_KEY, PROJECT):
            assert value in output
        async with http.post(
            f"http://127.0.0.1:{port}/v3/auth/tokens", json=token_body()
        ) as response:
            assert response.status == 201
    finally:
        process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 10)
    assert code == 0
