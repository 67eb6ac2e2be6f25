"""One recognition session: one utterance over one WebSocket connection.

Audio handed to the session flows one way, through a queue, to the socket;
messages from the service flow the other way, parsed, to the caller. Opening
the connection runs in the background so that the caller can hand over audio
at once: it is kept until the service has answered START and then sent in
order. A failure before that answer is retried once on a new connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
import json
import logging
import time
from typing import Final

import aiohttp
from yarl import URL

from .auth import Auth
from .config import RecognitionConfig, RecognitionMode
from .endpoints import Endpoints
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
from .framing import DEFAULT_FRAME_MS, AudioFramer
from .messages import (
    EndResponse,
    ErrorResponse,
    ResultResponse,
    ServerMessage,
    StartResponse,
    parse_message,
)
from .timeouts import DEFAULT_TIMEOUTS, Timeouts

_LOGGER = logging.getLogger(__name__)

RETRYABLE_CODES: Final = frozenset(
    {"SIS.0033", "SIS.0100", "SIS.0302", "SIS.0303", "SIS.0305", "SIS.0306", "SIS.0307"}
)
"""Service error codes that mean "try again" when they answer START."""


class _Closed:
    """Marks the end of the message stream in the inbox."""


_CLOSED: Final = _Closed()


@dataclass(slots=True)
class SessionStats:
    """Figures of one session, for diagnostics and benchmarks (monotonic seconds)."""

    mode: str
    model: str
    attempts: int = 0
    connect_seconds: float | None = None
    start_seconds: float | None = None
    audio_bytes: int = 0
    end_sent_at: float | None = None
    last_final_at: float | None = None
    end_response_at: float | None = None
    final_segments: int = 0
    trace_id: str | None = None
    error_code: str | None = None
    audio_limit_reached: bool = False
    """The audio reached the mode's limit; the rest was not sent."""

    @property
    def end_to_final_seconds(self) -> float | None:
        """Time from the end of the audio (END sent) to the last final result."""
        if self.end_sent_at is None or self.last_final_at is None:
            return None
        return max(0.0, self.last_final_at - self.end_sent_at)


def _handshake_error(err: aiohttp.WSServerHandshakeError, host: str) -> SisError:
    status = err.status
    if status in (401, 403):
        return SisAuthError(f"{host} refused the credentials", status=status)
    if status == 404:
        return SisProjectError(f"{host} has no recognition API for this project", status=status)
    if status == 429:
        return SisServerError(f"{host} is throttling requests", status=status)
    if status == 101:
        return SisProtocolError(f"{host} answered the upgrade with a bad handshake")
    return SisServerError(f"{host} refused the connection", status=status)


class RecognitionSession:
    """Recognise one utterance.

    Use it as an async context manager (closing it cancels whatever is still
    running): hand over audio with `send_audio`, finish with `end`, and read the
    service's messages with `receive` or `async for`. Messages end after the
    END response; any failure is raised from `receive` as a `SisError`.
    """

    def __init__(
        self,
        *,
        http: aiohttp.ClientSession,
        auth: Auth,
        endpoints: Endpoints,
        mode: RecognitionMode,
        config: RecognitionConfig,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        frame_ms: int = DEFAULT_FRAME_MS,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        """Prepare the session; nothing is sent until `start` or the first audio."""
        self.mode = mode
        self.config = config
        self.stats = SessionStats(mode=mode.value, model=config.model)
        self._http = http
        self._auth = auth
        self._endpoints = endpoints
        self._timeouts = timeouts
        self._extra_headers = dict(extra_headers or {})
        self._framer = AudioFramer(config.audio_format, frame_ms)
        audio_format = config.audio_format
        # Room for one padded last frame stays free, so the total never exceeds the limit.
        self._audio_room = (
            mode.max_audio_seconds * audio_format.bytes_per_second - audio_format.min_frame
        )
        self._outbox: asyncio.Queue[bytes | str] = asyncio.Queue()
        self._inbox: asyncio.Queue[ServerMessage | SisError | _Closed] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._end_timer: asyncio.Timeout | None = None
        self._started = False
        self._ended = False
        self._end_sent = False
        self._answered = False
        self._fatal = False
        self._terminal: SisError | _Closed | None = None
        self._failure: SisError | None = None
        self._reported = False

    def __repr__(self) -> str:
        """Describe the session without credentials."""
        return f"RecognitionSession(mode={self.mode.value}, model={self.config.model})"

    async def __aenter__(self) -> RecognitionSession:
        """Start connecting."""
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the session, cancelling it when it is not finished."""
        await self.close()

    @property
    def done(self) -> bool:
        """True once the session is over (END response, failure or close)."""
        return self._task is not None and self._task.done()

    def start(self) -> None:
        """Connect and send START in the background (does nothing the second time)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"sis {self.mode.value} session"
            )

    def send_audio(self, data: bytes) -> None:
        """Hand over audio of any size; it is framed and sent in order.

        Raises the session's error when it has already failed. Audio beyond the
        mode's limit (`RecognitionMode.max_audio_seconds`) is not sent: the
        session sends END when the limit is reached, sets
        `stats.audio_limit_reached`, and drops the audio handed over after that.
        """
        if self._failure is not None:
            raise self._failure
        if self._ended:
            if self.stats.audio_limit_reached:
                return
            raise RuntimeError("Audio after END")
        self.start()
        if len(data) >= self._audio_room:
            data = data[: self._audio_room]
            self.stats.audio_limit_reached = True
        self._audio_room -= len(data)
        for frame in self._framer.push(data):
            self._outbox.put_nowait(frame)
        if self.stats.audio_limit_reached:
            self.end()

    def end(self, *, cancel: bool = False) -> None:
        """Send END: finish recognising what was sent, or (cancel) drop it."""
        if self._ended:
            return
        self._ended = True
        self.start()
        if not cancel and (last := self._framer.flush()) is not None:
            self._outbox.put_nowait(last)
        self._queue_end(cancel=cancel)

    def _queue_end(self, *, cancel: bool) -> None:
        if cancel:
            while not self._outbox.empty():
                self._outbox.get_nowait()
        self._outbox.put_nowait(json.dumps({"command": "END", "cancel": cancel}))

    async def receive(self) -> ServerMessage | None:
        """Return the next message, or None once the session is over.

        Raises `SisError` when the session failed; it keeps raising it.
        """
        self.start()
        if self._terminal is None:
            item = await self._inbox.get()
            if not isinstance(item, SisError | _Closed):
                return item
            self._terminal = item
        if isinstance(self._terminal, SisError):
            raise self._terminal
        return None

    async def __aiter__(self) -> AsyncIterator[ServerMessage]:
        """Yield every message until the session is over."""
        while (message := await self.receive()) is not None:
            yield message

    async def close(self) -> None:
        """Finish the session at any stage; leaves no task and no socket behind.

        A session that is still recognising is cancelled with END (cancel true)
        and the END response is awaited for at most the close timeout.
        """
        task = self._task
        if task is None or task.done():
            return
        try:
            if self._answered and not self._fatal:
                if not self._end_sent:
                    self._ended = True
                    self._queue_end(cancel=True)
                await asyncio.wait([task], timeout=self._timeouts.close)
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait([task])
            # A task cancelled before it ever ran did not report its end.
            self._report(SisConnectionError("The session was closed"))

    # Background work -------------------------------------------------------

    async def _run(self) -> None:
        error: SisError | None = None
        try:
            async with asyncio.timeout(self._timeouts.session):
                ws = await self._open()
                await self._exchange(ws)
        except TimeoutError:
            error = SisTimeoutError(
                f"The session did not finish within {self._timeouts.session:g} s"
            )
        except SisError as err:
            error = err
        except asyncio.CancelledError:
            error = SisConnectionError("The session was closed")
            raise
        finally:
            self._report(error)
            await self._close_socket()

    def _report(self, error: SisError | None) -> None:
        """Put the end of the message stream into the inbox, once."""
        if self._reported:
            return
        self._reported = True
        if error is None:
            self._inbox.put_nowait(_CLOSED)
            return
        self.stats.error_code = self.stats.error_code or error.code or type(error).__name__
        error.trace_id = error.trace_id or self.stats.trace_id
        self._failure = error
        self._inbox.put_nowait(error)

    async def _open(self) -> aiohttp.ClientWebSocketResponse:
        """Connect and get START answered; retry once on a new connection."""
        for attempt in (1, 2):
            self.stats.attempts = attempt
            headers: dict[str, str] = {}
            try:
                return await self._connect_and_start(headers)
            except SisError as err:
                if attempt == 2 or not self._retryable(err):
                    raise
                if isinstance(err, SisAuthError):
                    self._auth.invalidate(headers)
                _LOGGER.debug("Retrying the connection after: %s", err)
        raise AssertionError("unreachable")  # pragma: no cover

    def _retryable(self, err: SisError) -> bool:
        if isinstance(err, SisAuthError):
            return self._auth.refreshable and err.status == 401
        if isinstance(err, SisServerError):
            return (err.status or 0) >= 500 or err.code in RETRYABLE_CODES
        if isinstance(err, SisConnectionError):
            return not isinstance(err, SisCertificateError)
        return isinstance(err, SisTimeoutError)

    async def _connect_and_start(self, headers: dict[str, str]) -> aiohttp.ClientWebSocketResponse:
        url = self._endpoints.rasr_url(await self._auth.project_id(), self.mode)
        host = URL(url).host or url
        headers.update(await self._auth.headers(url))
        headers.update(self._extra_headers)
        began = time.monotonic()
        try:
            async with asyncio.timeout(self._timeouts.connect):
                ws = await self._http.ws_connect(
                    url,
                    headers=headers,
                    autoping=True,
                    timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=self._timeouts.close),
                )
        except TimeoutError as err:
            raise SisTimeoutError(
                f"Could not connect to {host} within {self._timeouts.connect:g} s"
            ) from err
        except aiohttp.WSServerHandshakeError as err:
            raise _handshake_error(err, host) from err
        except aiohttp.ClientConnectorCertificateError as err:
            raise SisCertificateError(f"The TLS certificate of {host} is not trusted") from err
        except aiohttp.ClientConnectorDNSError as err:
            raise SisConnectionError(f"Cannot resolve the host name {host}") from err
        except (aiohttp.ClientError, OSError) as err:
            raise SisConnectionError(f"Cannot connect to {host}: {type(err).__name__}") from err
        self._ws = ws
        self.stats.connect_seconds = time.monotonic() - began
        try:
            sent = time.monotonic()
            await ws.send_str(json.dumps({"command": "START", "config": self.config.to_json()}))
            try:
                async with asyncio.timeout(self._timeouts.start):
                    message = await self._next_message(ws)
            except TimeoutError as err:
                raise SisTimeoutError(
                    f"{host} did not answer START within {self._timeouts.start:g} s"
                ) from err
            if isinstance(message, ErrorResponse):
                raise SisServerError(
                    message.message or "START was refused",
                    code=message.code,
                    trace_id=message.trace_id,
                    fatal=message.fatal,
                )
            if not isinstance(message, StartResponse):
                raise SisProtocolError(f"Expected the START response, got {type(message).__name__}")
        except BaseException:
            await self._close_socket()
            raise
        self.stats.start_seconds = time.monotonic() - sent
        self.stats.trace_id = message.trace_id
        self._answered = True
        self._inbox.put_nowait(message)
        return ws

    async def _next_message(self, ws: aiohttp.ClientWebSocketResponse) -> ServerMessage | None:
        """Read one message; None when the connection closed."""
        try:
            frame = await ws.receive()
        except (aiohttp.ClientError, OSError) as err:
            raise SisConnectionError(f"The connection broke: {type(err).__name__}") from err
        if frame.type is aiohttp.WSMsgType.TEXT:
            return parse_message(frame.data)
        if frame.type is aiohttp.WSMsgType.BINARY:
            raise SisProtocolError("The service sent a binary frame")
        if frame.type is aiohttp.WSMsgType.ERROR:
            raise SisConnectionError(f"The connection broke: {type(frame.data).__name__}")
        if self._fatal:
            return None
        raise SisConnectionError("The service closed the connection before the END response")

    async def _exchange(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Send audio and receive messages at the same time until the END response."""
        try:
            async with asyncio.timeout(None) as timer:
                self._end_timer = timer
                sender = asyncio.get_running_loop().create_task(self._send_loop(ws))
                try:
                    await self._receive_loop(ws)
                finally:
                    sender.cancel()
                    await asyncio.wait([sender])
        except TimeoutError as err:
            if not timer.expired():
                raise
            raise SisTimeoutError(
                f"No END response within {self._timeouts.end:g} s after END"
            ) from err

    async def _send_loop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            while True:
                item = await self._outbox.get()
                if isinstance(item, bytes):
                    await ws.send_bytes(item)
                    self.stats.audio_bytes += len(item)
                    continue
                await ws.send_str(item)
                self._end_sent = True
                self.stats.end_sent_at = time.monotonic()
                if self._end_timer is not None:
                    loop = asyncio.get_running_loop()
                    self._end_timer.reschedule(loop.time() + self._timeouts.end)
                return
        except (aiohttp.ClientError, OSError) as err:
            # The receive side sees the closed connection and reports it.
            _LOGGER.debug("Sending stopped: %s", type(err).__name__)

    async def _receive_loop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while (message := await self._next_message(ws)) is not None:
            if isinstance(message, ResultResponse):
                finals = sum(1 for segment in message.segments if segment.is_final)
                if finals:
                    self.stats.final_segments += finals
                    self.stats.last_final_at = time.monotonic()
            elif isinstance(message, ErrorResponse):
                self.stats.error_code = message.code
                self._fatal = self._fatal or message.fatal
            self._inbox.put_nowait(message)
            if isinstance(message, EndResponse):
                self.stats.end_response_at = time.monotonic()
                return

    async def _close_socket(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None and not ws.closed:
            try:
                await ws.close()
            except (aiohttp.ClientError, OSError) as err:
                _LOGGER.debug("Closing the connection failed: %s", type(err).__name__)
