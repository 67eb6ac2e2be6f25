"""Opening WebSockets and reading text frames: every failure becomes a library error."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from custom_components.huawei_cloud_sis.sis import (
    AkSkAuth,
    SisConnectionError,
    SisProtocolError,
    Timeouts,
)
from custom_components.huawei_cloud_sis.sis.connection import close_websocket, receive_text
from custom_components.huawei_cloud_sis.sis.opening import Opener


class _Socket:
    """Stands in for a WebSocket whose next frame, or failure, is given."""

    def __init__(self, frame: aiohttp.WSMessage | None = None, error: Exception | None = None):
        self.frame = frame
        self.error = error
        self.closed = False
        self.close_calls = 0

    async def receive(self) -> aiohttp.WSMessage:
        if self.error is not None:
            raise self.error
        assert self.frame is not None
        return self.frame

    async def close(self) -> None:
        self.close_calls += 1
        raise aiohttp.ClientConnectionError("already gone")


def _frame(kind: aiohttp.WSMsgType, data: Any) -> aiohttp.WSMessage:
    return aiohttp.WSMessage(kind, data, None)


async def test_text_frames_and_the_end_of_the_connection() -> None:
    assert await receive_text(_Socket(_frame(aiohttp.WSMsgType.TEXT, "{}"))) == "{}"  # type: ignore[arg-type]
    closed = _frame(aiohttp.WSMsgType.CLOSE, 1000)
    assert await receive_text(_Socket(closed)) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("socket", "kind"),
    [
        (_Socket(_frame(aiohttp.WSMsgType.BINARY, b"\0")), SisProtocolError),
        (_Socket(_frame(aiohttp.WSMsgType.ERROR, ConnectionResetError())), SisConnectionError),
        (_Socket(error=aiohttp.ClientPayloadError("cut")), SisConnectionError),
        (_Socket(error=ConnectionResetError()), SisConnectionError),
    ],
    ids=["binary", "error frame", "client error", "os error"],
)
async def test_broken_reads(socket: _Socket, kind: type[Exception]) -> None:
    with pytest.raises(kind):
        await receive_text(socket)  # type: ignore[arg-type]


async def test_closing_a_broken_socket_is_not_an_error() -> None:
    socket = _Socket()
    await close_websocket(socket)  # type: ignore[arg-type]
    assert socket.close_calls == 1
    socket.closed = True
    await close_websocket(socket)  # type: ignore[arg-type]
    await close_websocket(None)
    assert socket.close_calls == 1


class _Unwritable(_Socket):
    """A WebSocket that opened and then cannot be written to."""

    async def send_str(self, data: str) -> None:
        raise aiohttp.ClientConnectionResetError("Cannot write to closing transport")

    async def close(self) -> None:
        self.close_calls += 1
        self.closed = True


class _Http:
    """Stands in for an aiohttp session whose upgrade gives `socket`."""

    def __init__(self, socket: _Socket) -> None:
        self.socket = socket

    async def ws_connect(self, url: str, **kwargs: Any) -> _Socket:
        return self.socket


async def test_a_start_that_cannot_be_sent_is_a_broken_connection() -> None:
    socket = _Unwritable()
    http: Any = _Http(socket)
    auth = AkSkAuth(http, "https://iam.example", access_key="a", secret_key="s", project_id="p")
    opener = Opener.with_timeouts(http, auth, None, Timeouts())
    with pytest.raises(SisConnectionError, match="broke"):
        await opener.open("wss://sis.example/v1/p/rasr/short-stream", {"command": "START"}, {})
    assert socket.closed
