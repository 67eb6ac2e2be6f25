"""One recognition session: one utterance over one WebSocket connection.

The session's own task connects, gets START answered (retrying once when that
may help) and then reads the service's messages, parsed, into an inbox for the
caller. The caller's audio goes the other way on the caller's own turn: one
send path (`_write`), used for audio frames and for END alike, so nothing
overtakes anything. Audio handed over while the session is still opening
waits until START is answered.

What the session decides:

- an ERROR or FATAL_ERROR message ends the session with the error it stands
  for (`error_mapping`), whether it answers START or comes later;
- a START refused in a way that may concern the hot-word table it named is
  sent again without the table (`error_mapping.may_concern_vocabulary`), so a
  table deleted behind the client's back never costs the recognition;
- audio stops at the mode's limit, or when the service says it stopped
  listening (the older EXCEEDED_AUDIO event): END is sent then, and what was
  heard is kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum, auto
import json
import logging
import time
from typing import Final

import aiohttp

from .auth import Auth
from .connection import close_websocket
from .endpoints import Endpoints
from .error_mapping import may_concern_vocabulary
from .errors import SisConnectionError, SisError, SisTimeoutError
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
from .recognition_config import RecognitionConfig, RecognitionMode
from .timeouts import DEFAULT_TIMEOUTS, Timeouts

_LOGGER = logging.getLogger(__name__)


class SessionState(Enum):
    """Where a session is in its life."""

    NEW = auto()
    """Nothing sent yet."""
    OPENING = auto()
    """Connecting and waiting for the START answer; audio handed over waits."""
    STREAMING = auto()
    """START answered: audio goes out as it is handed over."""
    ENDING = auto()
    """END sent (or being sent): no more audio; waiting for the last results and END."""
    ENDED = auto()
    """The END answer arrived."""
    FAILED = auto()
    """An error ended the session, or it was closed before its end."""


OVER: Final = frozenset({SessionState.ENDED, SessionState.FAILED})
"""States after which nothing goes out any more."""


class _Closed:
    """Marks the normal end of the message stream in the inbox."""


_CLOSED: Final = _Closed()


@dataclass(frozen=True, slots=True)
class VocabularyRefusal:
    """A START refused while naming a hot-word table, in a way that may concern the table."""

    vocabulary_id: str
    error: SisError = field(compare=False)
    """The refusal."""

    @property
    def code(self) -> str:
        """The refusal's code (or kind, when it had none)."""
        return self.error.label


@dataclass(slots=True)
class SessionStats:
    """Figures of one session, for diagnostics and benchmarks (monotonic seconds)."""

    mode: str
    model: str
    attempts: int = 0
    connect_seconds: float | None = None
    start_seconds: float | None = None
    audio_bytes: int = 0
    audio_truncated: bool = False
    """Audio was left out: the mode's limit, or the service stopped listening."""
    end_sent_at: float | None = None
    voice_end_at: float | None = None
    """When the service said the speech ended (sentence mode)."""
    last_final_at: float | None = None
    end_response_at: float | None = None
    final_segments: int = 0
    trace_id: str | None = None
    error_code: str | None = None
    vocabulary_refusal: VocabularyRefusal | None = None
    """START was refused while it named a hot-word table; the session went on without it."""

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
        """The START config; without its hot-word table once the service refused it."""
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
        self._opened = asyncio.Event()
        """Set once START is answered, or the session is over."""
        self._write_lock = asyncio.Lock()
        self._inbox: asyncio.Queue[ServerMessage | SisError | _Closed] = asyncio.Queue()
        self._error: SisError | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._deadline: asyncio.Timeout | None = None

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
        return self.stats.audio_truncated

    def start(self) -> None:
        """Connect and send START in the background (does nothing the second time)."""
        if self.state is SessionState.NEW:
            self.state = SessionState.OPENING
        super().start()

    async def send_audio(self, data: bytes) -> None:
        """Send audio of any size, framed, once START is answered.

        Raises the session's error when it has failed, and `RuntimeError`
        for audio after the caller's END. Audio beyond the mode's limit
        (`RecognitionMode.max_audio_seconds`) is not sent: END goes out when
        the limit is reached, later audio is dropped (`audio_truncated`), as is
        audio after the service ended the session.
        """
        if self.audio_truncated:
            return
        if self.state is not SessionState.STREAMING:  # the usual case costs no await here
            if self.state is SessionState.ENDING or self.end_sent:
                raise RuntimeError("Audio after END")
            await self._wait_opened()
        truncated = len(data) >= self._audio_room
        if truncated:
            data = data[: self._audio_room]
            self.stats.audio_truncated = True
        self._audio_room -= len(data)
        if frames := self._framer.push(data):  # most 10 ms chunks complete no frame
            await self._write(*frames)
        if truncated:
            await self.end()

    async def end(self, *, cancel: bool = False) -> None:
        """Send END: finish recognising what was sent, or (cancel) drop it.

        Does nothing once END was sent or the session is over.
        """
        if self.state in (SessionState.ENDING, *OVER):
            return
        await self._wait_opened()
        last = None if cancel else self._framer.flush()
        end = json.dumps({"command": "END", "cancel": cancel})
        if await self._write(*([last] if last else []), end, ending=True):
            self.stats.end_sent_at = time.monotonic()
            self._wait_for_end(self._timeouts.end)

    def abort(self, error: SisError) -> None:
        """End the message stream with `error` (the audio source failed); then `close`."""
        self._report(error)

    async def receive(self) -> ServerMessage | None:
        """Return the next message, or None once the session is over.

        Raises the error that ended the session; it keeps raising it.
        """
        self.start()
        item = await self._inbox.get()
        if not isinstance(item, SisError | _Closed):
            return item
        self._inbox.put_nowait(item)  # the end stays for the next call
        if isinstance(item, SisError):
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
            if self.state is SessionState.STREAMING:
                async with asyncio.timeout(self._timeouts.close):
                    await self.end(cancel=True)
            if self.state is SessionState.ENDING:
                await asyncio.wait([task], timeout=self._timeouts.close)
        except TimeoutError:
            _LOGGER.debug("Sending END to cancel took too long")
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait([task])
            # A task cancelled before it ever ran did not report its end.
            self._report(SisConnectionError("The session was closed"))

    # Sending ---------------------------------------------------------------

    async def _wait_opened(self) -> None:
        """Wait until START is answered; raise the session's error if it failed."""
        self.start()
        await self._opened.wait()
        if self._error is not None:
            raise self._error

    async def _write(self, *items: bytes | str, ending: bool = False) -> bool:
        """Send audio frames and commands in order: the one way anything goes out.

        Only while streaming: nothing follows END (`ending` marks the items
        that end the stream). Returns whether the items were sent. A connection
        that broke is not an error here: the receiving side sees it and
        reports it.
        """
        async with self._write_lock:
            ws = self._ws
            if self.state is not SessionState.STREAMING or ws is None:
                return False
            if ending:
                self.state = SessionState.ENDING
            try:
                for item in items:
                    if isinstance(item, bytes):
                        await ws.send_bytes(item)
                        self.stats.audio_bytes += len(item)
                    else:
                        await ws.send_str(item)
            except (aiohttp.ClientError, OSError) as err:
                _LOGGER.debug("Sending stopped: %s", type(err).__name__)
            return True

    # Background work -------------------------------------------------------

    async def _run(self) -> None:
        error: SisError | None = None
        try:
            async with asyncio.timeout(self._timeouts.session(self.mode)):
                self._ws = await self._open()
                if self.state is SessionState.OPENING:  # not aborted meanwhile
                    self.state = SessionState.STREAMING
                self._opened.set()
                await self._receive_until_end(self._ws)
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
            self._report(error)
            ws, self._ws = self._ws, None
            await close_websocket(ws)

    def _report(self, error: SisError | None) -> None:
        """End the message stream, once: normally (ENDED), or with `error` (FAILED)."""
        if self.state in OVER:
            return
        if error is None:
            self.state = SessionState.ENDED
        else:
            self.state = SessionState.FAILED
            self._error = error
            self.stats.error_code = error.label
            error.trace_id = error.trace_id or self.stats.trace_id
        self._opened.set()  # audio waiting for START gets the error
        self._inbox.put_nowait(_CLOSED if error is None else error)

    async def _open(self) -> aiohttp.ClientWebSocketResponse:
        """Connect and get START answered within the opening budget.

        A failure worth retrying is retried once; a refusal that may concern
        the hot-word table is answered by trying once more without it.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeouts.opening
        try:
            return await open_with_retry(self._attempt, self._auth, self._timeouts.opening)
        except SisError as err:
            left = deadline - loop.time()
            if self.config.vocabulary_id is None or not may_concern_vocabulary(err) or left <= 0:
                raise
            _LOGGER.debug("START was refused while naming a hot-word table; without it: %s", err)
            self.stats.vocabulary_refusal = VocabularyRefusal(self.config.vocabulary_id, err)
            self.config = replace(self.config, vocabulary_id=None)
            return await open_with_retry(self._attempt, self._auth, left)

    async def _attempt(
        self, number: int, headers: dict[str, str]
    ) -> aiohttp.ClientWebSocketResponse:
        """One attempt: authenticate, connect, and get START answered."""
        self.stats.attempts += 1
        url = self._endpoints.rasr_url(await self._auth.project_id(), self.mode)
        opened = await self._opener.open(
            url, {"command": "START", "config": self.config.to_json()}, headers
        )
        self.stats.connect_seconds = opened.connect_seconds
        self.stats.start_seconds = opened.start_seconds
        self.stats.trace_id = opened.start.trace_id
        self._inbox.put_nowait(opened.start)
        return opened.ws

    async def _receive_until_end(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Read messages into the inbox until the END answer; bound the wait after END."""
        try:
            async with asyncio.timeout(None) as deadline:
                self._deadline = deadline
                while not isinstance(message := await next_message(ws), EndResponse):
                    await self._on_message(message)
                    self._inbox.put_nowait(message)
        except TimeoutError as err:
            if not deadline.expired():
                raise  # pragma: no cover - only the session's own bound is left
            raise SisTimeoutError("The END answer did not come in time") from err
        finally:
            self._deadline = None
        self.stats.end_response_at = time.monotonic()
        self._inbox.put_nowait(message)

    async def _on_message(self, message: ServerMessage) -> None:
        if isinstance(message, ResultResponse):
            finals = sum(1 for segment in message.segments if segment.is_final)
            if finals:
                self.stats.final_segments += finals
                self.stats.last_final_at = time.monotonic()
                if self.state is SessionState.ENDING:
                    self._wait_for_end(self._timeouts.end_grace)
        elif isinstance(message, EventResponse) and message.event == Event.EXCEEDED_AUDIO:
            # Older services stop listening at their audio limit with this event
            # instead of SIS.0309: ask for the results of what was heard.
            self.stats.audio_truncated = True
            await self.end()
        elif isinstance(message, EventResponse) and message.event in ENDING_EVENTS:
            self.stats.voice_end_at = self.stats.voice_end_at or time.monotonic()

    def _wait_for_end(self, seconds: float) -> None:
        """From now on, the END answer may take at most `seconds`.

        Only called while the messages are read (END sent, or a final result
        after it), when the bound is in place.
        """
        assert self._deadline is not None
        self._deadline.reschedule(asyncio.get_running_loop().time() + seconds)
