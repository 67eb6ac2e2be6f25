"""One recognition session: one utterance over one WebSocket connection.

Audio handed to the session flows one way, through a queue, to the socket;
messages from the service flow the other way, parsed, to the caller. Opening
the connection runs in the background so that the caller can hand over audio
at once: it is kept until the service has answered START and then sent in
order. A failure before that answer is retried once on a new connection, within
the opening budget.

An ERROR or FATAL_ERROR message ends the session with a `SisServerError`,
whether it answers START or comes later: this is the one place that decides so.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from enum import Enum, auto
import json
import logging
import time
from typing import Final

import aiohttp

from .auth import Auth
from .config import RecognitionConfig, RecognitionMode
from .connection import close_websocket
from .endpoints import Endpoints
from .errors import (
    SisConnectionError,
    SisError,
    SisTimeoutError,
)
from .exchange import Exchange
from .framing import DEFAULT_FRAME_MS, AudioFramer
from .messages import (
    ENDING_EVENTS,
    EndResponse,
    Event,
    EventResponse,
    ResultResponse,
    ServerMessage,
)
from .opening import Opener, next_message, open_with_retry
from .timeouts import DEFAULT_TIMEOUTS, Timeouts

_LOGGER = logging.getLogger(__name__)


class SessionState(Enum):
    """Where a session is in its life."""

    NEW = auto()
    """Nothing sent yet."""
    OPENING = auto()
    """Connecting and waiting for the START answer; audio handed over is kept."""
    STREAMING = auto()
    """START answered: audio goes out as it is handed over."""
    ENDING = auto()
    """END sent: waiting for the last results and the END answer."""
    ENDED = auto()
    """The END answer arrived."""
    FAILED = auto()
    """An error ended the session, or it was closed before its end."""


class _Closed:
    """Marks the normal end of the message stream in the inbox."""


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
    voice_end_at: float | None = None
    """When the service said the speech ended (sentence mode)."""
    last_final_at: float | None = None
    end_response_at: float | None = None
    final_segments: int = 0
    trace_id: str | None = None
    error_code: str | None = None

    @property
    def end_to_final_seconds(self) -> float | None:
        """Time from the end of the audio (END sent) to the last final result."""
        if self.end_sent_at is None or self.last_final_at is None:
            return None
        return max(0.0, self.last_final_at - self.end_sent_at)


class RecognitionSession(Exchange):
    """Recognise one utterance.

    Hand over audio with `send_audio`, finish with `end`, and read the
    service's messages with `receive` or `async for`; `close` always, or use
    the session as an async context manager. Messages end after the END
    answer; any failure is raised from `receive` as a `SisError`.
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
        self.state = SessionState.NEW
        self._auth = auth
        self._endpoints = endpoints
        self._timeouts = timeouts
        self._opener = Opener.with_timeouts(http, auth, extra_headers, timeouts)
        self._framer = AudioFramer(config.audio_format, frame_ms)
        audio_format = config.audio_format
        # Room for one padded last frame stays free, so the total never exceeds the limit.
        self._audio_room = (
            mode.max_audio_seconds * audio_format.bytes_per_second - audio_format.min_frame
        )
        self._audio_truncated = False
        self._end_queued = False
        self._outbox: asyncio.Queue[bytes | str] = asyncio.Queue()
        self._inbox: asyncio.Queue[ServerMessage | BaseException | _Closed] = asyncio.Queue()
        self._outcome: BaseException | _Closed | None = None
        """How the message stream ended: None while it goes on."""
        self._deadline: asyncio.Timeout | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        """The connection, while audio may be written to it."""
        self._sender_idle = False
        """The sending task waits for the queue with nothing to send."""

    def __repr__(self) -> str:
        """Describe the session without credentials."""
        return f"RecognitionSession(mode={self.mode.value}, model={self.config.model})"

    def _task_name(self) -> str:
        return f"sis {self.mode.value} session"

    @property
    def end_sent(self) -> bool:
        """True once END went out on the wire."""
        return self.stats.end_sent_at is not None

    @property
    def audio_truncated(self) -> bool:
        """True when audio was left out: the mode's limit, or the service's EXCEEDED_AUDIO."""
        return self._audio_truncated

    def start(self) -> None:
        """Connect and send START in the background (does nothing the second time)."""
        if self._task is None:
            self.state = SessionState.OPENING
        super().start()

    def send_audio(self, data: bytes) -> None:
        """Hand over audio of any size; it is framed and sent in order.

        Raises the session's error when it has already failed. Audio beyond the
        mode's limit (`RecognitionMode.max_audio_seconds`) is not sent: the
        session sends END when the limit is reached and drops the audio handed
        over after that (`audio_truncated` tells).
        """
        for frame in self._frames(data):
            self._outbox.put_nowait(frame)
        if self._audio_truncated:
            self.end()

    async def write_audio(self, data: bytes) -> None:
        """Hand over audio like `send_audio`; once streaming, send it before returning.

        Writing on the caller's turn spares the event loop a turn per frame
        (ten a second) that handing the frame to the sending task would cost.
        Before START is answered, and while the sending task has frames of its
        own to send, the audio takes the queue so that the order stays.
        """
        ws = self._ws
        if ws is None or not self._sender_idle or not self._outbox.empty():
            self.send_audio(data)
            return
        try:
            for frame in self._frames(data):
                await ws.send_bytes(frame)
                self.stats.audio_bytes += len(frame)
        except (aiohttp.ClientError, OSError) as err:
            # The receive side sees the closed connection and reports it.
            _LOGGER.debug("Sending stopped: %s", type(err).__name__)
        if self._audio_truncated:
            self.end()

    def _frames(self, data: bytes) -> list[bytes]:
        """Take audio within the mode's limit; return the frames it completes."""
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        if self._end_queued:
            if self._audio_truncated:
                return []
            raise RuntimeError("Audio after END")
        self.start()
        if len(data) >= self._audio_room:
            data = data[: self._audio_room]
            self._audio_truncated = True
        self._audio_room -= len(data)
        return self._framer.push(data)

    def end(self, *, cancel: bool = False) -> None:
        """Send END: finish recognising what was sent, or (cancel) drop it."""
        if self._end_queued:
            return
        self._end_queued = True
        self.start()
        if cancel:
            while not self._outbox.empty():
                self._outbox.get_nowait()
        elif (last := self._framer.flush()) is not None:
            self._outbox.put_nowait(last)
        self._outbox.put_nowait(json.dumps({"command": "END", "cancel": cancel}))

    def abort(self, error: BaseException) -> None:
        """End the message stream with `error` (the audio source failed); then `close`."""
        self._report(error)

    async def receive(self) -> ServerMessage | None:
        """Return the next message, or None once the session is over.

        Raises the error that ended the session; it keeps raising it.
        """
        self.start()
        item = await self._inbox.get()
        if not isinstance(item, BaseException | _Closed):
            return item
        self._inbox.put_nowait(item)  # the end stays for the next call
        if isinstance(item, BaseException):
            raise item
        return None

    async def __aiter__(self) -> AsyncIterator[ServerMessage]:
        """Yield every message until the session is over."""
        while (message := await self.receive()) is not None:
            yield message

    async def close(self) -> None:
        """Finish the session at any stage; leaves no task and no socket behind.

        A session that is still recognising is cancelled with END (cancel true)
        and the END answer is awaited for at most the close timeout.
        """
        task = self._task
        if task is None or task.done():
            return
        try:
            if self.state in (SessionState.STREAMING, SessionState.ENDING):
                self.end(cancel=True)
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
        ws: aiohttp.ClientWebSocketResponse | None = None
        try:
            async with asyncio.timeout(self._timeouts.session(self.mode)):
                ws = await self._open()
                self.state = SessionState.STREAMING
                await self._exchange(ws)
            self.state = SessionState.ENDED
        except TimeoutError:
            error = SisTimeoutError(
                f"The session did not finish within {self._timeouts.session(self.mode):g} s"
            )
        except SisError as err:
            error = err
        except asyncio.CancelledError:
            error = SisConnectionError("The session was closed")
            raise
        finally:
            if error is not None:
                self.state = SessionState.FAILED
            self._report(error)
            await close_websocket(ws)

    def _report(self, error: BaseException | None) -> None:
        """Put the end of the message stream into the inbox, once."""
        if self._outcome is not None:
            return
        self._outcome = _CLOSED if error is None else error
        if isinstance(error, SisError):
            self.stats.error_code = self.stats.error_code or error.code or type(error).__name__
            error.trace_id = error.trace_id or self.stats.trace_id
        self._inbox.put_nowait(self._outcome)

    async def _open(self) -> aiohttp.ClientWebSocketResponse:
        """Connect and get START answered; retry once while the opening budget lasts."""
        return await open_with_retry(self._attempt, self._auth, self._timeouts.opening)

    async def _attempt(
        self, number: int, headers: dict[str, str]
    ) -> aiohttp.ClientWebSocketResponse:
        """One attempt: authenticate, connect, and get START answered."""
        self.stats.attempts = number
        url = self._endpoints.rasr_url(await self._auth.project_id(), self.mode)
        opened = await self._opener.open(
            url, {"command": "START", "config": self.config.to_json()}, headers
        )
        self.stats.connect_seconds = opened.connect_seconds
        self.stats.start_seconds = opened.start_seconds
        self.stats.trace_id = opened.start.trace_id
        self._inbox.put_nowait(opened.start)
        return opened.ws

    async def _exchange(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Send audio and receive messages at the same time until the END answer."""
        try:
            async with asyncio.timeout(None) as deadline:
                self._deadline = deadline
                sender = asyncio.get_running_loop().create_task(self._send_loop(ws))
                try:
                    await self._receive_loop(ws)
                finally:
                    self._deadline = None
                    sender.cancel()
                    await asyncio.wait([sender])
        except TimeoutError as err:
            if not deadline.expired():
                raise  # pragma: no cover - only the session's own bound is left
            raise SisTimeoutError("The END answer did not come in time") from err

    def _wait_for_end(self, seconds: float) -> None:
        """From now on, the END answer may take at most `seconds`."""
        if self._deadline is not None:
            self._deadline.reschedule(asyncio.get_running_loop().time() + seconds)

    async def _send_loop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        try:
            while True:
                if self._outbox.empty():
                    self._sender_idle = True
                    item = await self._outbox.get()
                    self._sender_idle = False
                else:
                    item = self._outbox.get_nowait()
                if isinstance(item, bytes):
                    await ws.send_bytes(item)
                    self.stats.audio_bytes += len(item)
                    continue
                self._ws = None
                await ws.send_str(item)
                self.state = SessionState.ENDING
                self.stats.end_sent_at = time.monotonic()
                self._wait_for_end(self._timeouts.end)
                return
        except (aiohttp.ClientError, OSError) as err:
            # The receive side sees the closed connection and reports it.
            _LOGGER.debug("Sending stopped: %s", type(err).__name__)
        finally:
            self._ws = None
            self._sender_idle = False

    async def _receive_loop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while True:
            message = await next_message(ws)
            if isinstance(message, ResultResponse):
                self._on_result(message)
            elif isinstance(message, EventResponse) and message.event == Event.EXCEEDED_AUDIO:
                # Older services stop listening at their audio limit with this event
                # instead of SIS.0309: ask for the results of what was heard.
                self._audio_truncated = True
                self.end()
            elif isinstance(message, EventResponse) and message.event in ENDING_EVENTS:
                self.stats.voice_end_at = self.stats.voice_end_at or time.monotonic()
            self._inbox.put_nowait(message)
            if isinstance(message, EndResponse):
                self.stats.end_response_at = time.monotonic()
                return

    def _on_result(self, message: ResultResponse) -> None:
        finals = sum(1 for segment in message.segments if segment.is_final)
        if not finals:
            return
        self.stats.final_segments += finals
        self.stats.last_final_at = time.monotonic()
        if self.state is SessionState.ENDING:
            self._wait_for_end(self._timeouts.end_grace)
