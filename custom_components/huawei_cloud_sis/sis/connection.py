"""Opening a WebSocket to the service and reading its frames.

Both real-time APIs (recognition and synthesis) start the same way: one
authenticated upgrade request, then JSON text frames (and, for synthesis, binary
audio frames). This module turns every way that can fail into the library's
exceptions, through `error_mapping`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib

import aiohttp
from yarl import URL

from .error_mapping import from_transport
from .errors import SisConnectionError, SisProtocolError


async def open_websocket(
    http: aiohttp.ClientSession,
    url: str,
    headers: Mapping[str, str],
    *,
    timeout: float,
    close_timeout: float,
) -> aiohttp.ClientWebSocketResponse:
    """Open a WebSocket within `timeout` seconds (TCP, TLS and the upgrade).

    Raises the error `error_mapping.from_transport` gives: a time-out, an
    untrusted certificate, a connection that failed, or a refused upgrade
    (by its status; aiohttp drops the body).
    """
    host = URL(url).host or url
    try:
        async with asyncio.timeout(timeout):
            return await http.ws_connect(
                url,
                headers=dict(headers),
                autoping=True,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=close_timeout),
            )
    except (TimeoutError, aiohttp.ClientError, OSError) as err:
        raise from_transport(err, service=host, what="connection", timeout=timeout) from err


async def receive_frame(ws: aiohttp.ClientWebSocketResponse) -> str | bytes | None:
    """Return the next text or binary frame, or None when the connection closed.

    A broken connection is a `SisConnectionError`.
    """
    try:
        frame = await ws.receive()
    except (aiohttp.ClientError, OSError) as err:
        raise SisConnectionError(f"The connection broke: {type(err).__name__}") from err
    if frame.type is aiohttp.WSMsgType.TEXT:
        text: str = frame.data
        return text
    if frame.type is aiohttp.WSMsgType.BINARY:
        return bytes(frame.data)
    if frame.type is aiohttp.WSMsgType.ERROR:
        raise SisConnectionError(f"The connection broke: {type(frame.data).__name__}")
    return None


async def receive_text(ws: aiohttp.ClientWebSocketResponse) -> str | None:
    """Return the next text frame, or None when the connection closed.

    A binary frame is a protocol error (recognition never sends one); a broken
    connection a `SisConnectionError`.
    """
    frame = await receive_frame(ws)
    if isinstance(frame, bytes):
        raise SisProtocolError("The service sent a binary frame")
    return frame


async def close_websocket(ws: aiohttp.ClientWebSocketResponse | None) -> None:
    """Close a WebSocket if it is open; a failure to close is not an error."""
    if ws is None or ws.closed:
        return
    with contextlib.suppress(aiohttp.ClientError, OSError):  # it is gone either way
        await ws.close()
