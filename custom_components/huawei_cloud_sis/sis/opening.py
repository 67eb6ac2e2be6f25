"""Opening a real-time session: connect, send START, get it answered; retry once.

Recognition and synthesis begin alike: an authenticated WebSocket, a START
command, and the service's START answer (or an ERROR). A failure before that
answer is retried once on a new connection while the opening budget lasts, and
nothing was billed yet, when the library's rule says it may help
(`error_mapping.worth_retrying`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
import json
import logging
import time
from typing import Any

import aiohttp
from yarl import URL

from .auth import Auth
from .connection import close_websocket, open_websocket, receive_text
from .error_mapping import token_refresh_may_help, worth_retrying
from .errors import (
    SisConnectionError,
    SisError,
    SisProtocolError,
    SisTimeoutError,
)
from .messages import ErrorResponse, ServerMessage, StartResponse, parse_message
from .timeouts import Timeouts

_LOGGER = logging.getLogger(__name__)


def retryable(err: SisError, auth: Auth) -> bool:
    """Whether a new connection may succeed where `err` ended this one before START.

    A refused token is replaced first (`token_refresh_may_help`); anything
    else by the library's one rule (`worth_retrying`).
    """
    if token_refresh_may_help(err):
        return auth.refreshable
    return worth_retrying(err)


async def open_with_retry[T](
    attempt: Callable[[int, dict[str, str]], Awaitable[T]], auth: Auth, budget: float
) -> T:
    """Run `attempt(number, headers)`, and once more when that may help, within `budget` s.

    `attempt` fills `headers` with the credentials it used, so that a refused
    token is forgotten before the second try.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    for number in (1, 2):
        headers: dict[str, str] = {}
        try:
            async with asyncio.timeout_at(deadline):
                return await attempt(number, headers)
        except TimeoutError as err:
            raise SisTimeoutError(f"START was not answered within {budget:g} s") from err
        except SisError as err:
            if number == 2 or not retryable(err, auth) or loop.time() >= deadline:
                raise
            if token_refresh_may_help(err):
                auth.invalidate(headers)
            _LOGGER.debug("Retrying the connection after: %s", err)
    raise AssertionError("unreachable")  # pragma: no cover


async def next_message(ws: aiohttp.ClientWebSocketResponse) -> ServerMessage:
    """Read one JSON message; ERROR and FATAL_ERROR are raised as `SisServerError`."""
    text = await receive_text(ws)
    if text is None:
        raise SisConnectionError("The service closed the connection before the END answer")
    message = parse_message(text)
    if isinstance(message, ErrorResponse):
        raise message.error()
    return message


@dataclass(frozen=True, slots=True)
class Opened:
    """A connection whose START the service answered."""

    ws: aiohttp.ClientWebSocketResponse
    start: StartResponse
    connect_seconds: float
    start_seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Opener:
    """What one attempt needs: where, with which credentials, and how long to wait."""

    http: aiohttp.ClientSession
    auth: Auth
    extra_headers: Mapping[str, str]
    connect_timeout: float
    start_timeout: float
    close_timeout: float

    @classmethod
    def with_timeouts(
        cls,
        http: aiohttp.ClientSession,
        auth: Auth,
        extra_headers: Mapping[str, str] | None,
        timeouts: Timeouts,
    ) -> Opener:
        """Return an opener that waits as long as `timeouts` allow."""
        return cls(
            http=http,
            auth=auth,
            extra_headers=dict(extra_headers or {}),
            connect_timeout=timeouts.connect,
            start_timeout=timeouts.start,
            close_timeout=timeouts.close,
        )

    async def open(self, url: str, command: dict[str, Any], headers: dict[str, str]) -> Opened:
        """Authenticate, connect to `url`, send `command` (START) and get it answered.

        The connection is closed again when anything fails.
        """
        headers.update(await self.auth.headers(url))
        headers.update(self.extra_headers)
        began = time.monotonic()
        ws = await open_websocket(
            self.http,
            url,
            headers,
            timeout=self.connect_timeout,
            close_timeout=self.close_timeout,
        )
        connected = time.monotonic()
        try:
            try:
                await ws.send_str(json.dumps(command, ensure_ascii=False))
            except (aiohttp.ClientError, OSError) as err:
                raise SisConnectionError(f"The connection broke: {type(err).__name__}") from err
            try:
                async with asyncio.timeout(self.start_timeout):
                    message = await next_message(ws)
            except TimeoutError as err:
                host = URL(url).host or url
                raise SisTimeoutError(
                    f"{host} did not answer START within {self.start_timeout:g} s"
                ) from err
            if not isinstance(message, StartResponse):
                raise SisProtocolError(f"Expected the START answer, got {type(message).__name__}")
        except BaseException:
            await close_websocket(ws)
            raise
        return Opened(ws, message, connected - began, time.monotonic() - connected)
