"""A raw client of the local SIS server: requests built by hand, never with the library."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import re
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
    SisServer,
)

REGION = "cn-north-4"
PROJECT = PROJECTS[REGION]
PCM16 = {"audio_format": "pcm16k16bit", "property": "chinese_16k_general"}
WAIT = 2.0
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@dataclass(frozen=True, slots=True)
class _Keys:
    ak: str
    sk: str


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


async def table_request(
    http: aiohttp.ClientSession,
    server: SisServer,
    method: str,
    path: str = "",
    payload: Any = None,
    *,
    query: dict[str, str] | None = None,
    region: str = REGION,
) -> tuple[int, Any]:
    """Send one hot-word table request with a token of `region`; return status and JSON body."""
    url = URL(f"{server.rest_url}/v1/{PROJECTS[region]}/asr/vocabularies{path}")
    async with http.request(
        method,
        url.with_query(query or {}),
        headers={"X-Auth-Token": await get_token(http, server, region)},
        json=payload,
    ) as response:
        text = await response.text()
        return response.status, json.loads(text) if text else None


async def create_table(
    http: aiohttp.ClientSession,
    server: SisServer,
    name: str,
    words: list[str],
    *,
    language: str = "chinese_mandarin",
    region: str = REGION,
) -> str:
    """Create a hot-word table through the API, as the console would; return its id."""
    body = {"name": name, "description": "", "language": language, "contents": words}
    status, data = await table_request(http, server, "POST", "", body, region=region)
    assert status == 200, data
    vocabulary_id: str = data["vocabulary_id"]
    return vocabulary_id


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
    method: str = "GET",
    body: bytes = b"",
) -> dict[str, str]:
    """Sign like the official SDK: http URL, Host and X-Sdk-Date signed, Host then dropped.

    `extra` headers (a Content-Type, say) are signed too, and so is `body`.
    """
    parsed = URL(url)
    moment = when or datetime.now(UTC)
    request = SdkRequest(
        method=method,
        schema="http",
        host=host or f"{parsed.host}:{parsed.port}",
        resource_path=parsed.raw_path,
        query_params=list(parsed.query.items()),
        header_params={"X-Sdk-Date": moment.strftime("%Y%m%dT%H%M%SZ"), **(extra or {})},
        body=body,
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
type OpenRtts = Callable[..., Awaitable[aiohttp.ClientWebSocketResponse]]
"""Open a raw synthesis WebSocket with a token of a region (default cn-north-4)."""


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
