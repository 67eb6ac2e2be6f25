"""Opening a WebSocket to the service and reading its frames.

Both real-time APIs (recognition and synthesis) start the same way: one
authenticated upgrade request, then JSON text frames (and, for synthesis, binary
audio frames). This module turns every way that can fail into the library's
exceptions, once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib

import aiohttp
from yarl import URL

from .errors import (
    SisAuthError,
    SisCertificateError,
    SisConnectionError,
    SisError,
    SisProjectError,
    SisProtocolError,
    SisServerError,
    SisTimeoutError,
)


def handshake_error(status: int, host: str) -> SisError:
    """Return the error that a refused upgrade request stands for.

    aiohttp drops the body of a refused upgrade, so only the HTTP status is
    known: 401/403 are the credentials, 404 the path (project or API), 429
    throttling, anything else a failure of the service.
    """
    if status in (401, 403):
        return SisAuthError(f"{host} refused the credentials", status=status)
    if status == 404:
        return SisProjectError(f"{host} has no such API for this project", status=status)
    if status == 429:
        return SisServerError(f"{host} is throttling requests", status=status)
    if status == 101:
        return SisProtocolError(f"{host} answered the upgrade with a bad handshake")
    return SisServerError(f"{host} refused the connection", status=status)


async def open_websocket(
    http: aiohttp.ClientSession,
    url: str,
    headers: Mapping[str, str],
    *,
    timeout: float,
    close_timeout: float,
) -> aiohttp.ClientWebSocketResponse:
    """Open a WebSocket within `timeout` seconds (TCP, TLS and the upgrade).

    Raises `SisTimeoutError`, `SisCertificateError` (retrying cannot help),
    `SisConnectionError`, or the error of a refused upgrade.
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
    except TimeoutError as err:
        raise SisTimeoutError(f"Could not connect to {host} within {timeout:g} s") from err
    except aiohttp.WSServerHandshakeError as err:
        raise handshake_error(err.status, host) from err
    except aiohttp.ClientConnectorCertificateError as err:
        raise SisCertificateError(f"The TLS certificate of {host} is not trusted") from err
    except aiohttp.ClientConnectorDNSError as err:
        raise SisConnectionError(f"Cannot resolve the host name {host}") from err
    except (aiohttp.ClientError, OSError) as err:
        raise SisConnectionError(f"Cannot connect to {host}: {type(err).__name__}") from err


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
