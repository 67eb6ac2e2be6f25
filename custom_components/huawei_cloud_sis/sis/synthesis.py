"""One synthesis: one text over one real-time synthesis (`rtts`) connection.

The service takes one text per connection: START with the text and its
config, then it answers START, sends the audio as binary frames and ends with
END (or ERROR / FATAL_ERROR). Connecting runs in the background as soon as the
synthesis is started, and the audio is kept as it arrives, so that a text can
be prepared while an earlier one is still being handed out.

Every wait is bounded (`Timeouts`): the opening, the first audio, each gap
between frames, and the whole text. Closing at any stage closes the socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
import logging
import time
from typing import Final

import aiohttp

from .auth import Auth
from .connection import close_websocket, receive_frame
from .endpoints import Endpoints
from .error_mapping import from_synthesis_failure
from .errors import (
    SisConnectionError,
    SisError,
    SisProtocolError,
    SisServerError,
    SisTimeoutError,
)
from .exchange import Exchange
from .messages import EndResponse, ErrorResponse, parse_message
from .opening import Opener, open_with_retry
from .synthesis_config import SynthesisConfig
from .timeouts import DEFAULT_TIMEOUTS, Timeouts
from .voices import text_length

_LOGGER = logging.getLogger(__name__)


class _End:
    """Marks the end of the audio in the queue."""


_END: Final = _End()


@dataclass(slots=True)
class SynthesisStats:
    """Figures of one synthesis (monotonic seconds)."""

    voice: str
    characters: int
    attempts: int = 0
    connect_seconds: float | None = None
    start_seconds: float | None = None
    started_at: float | None = None
    """When the START answer arrived."""
    first_audio_at: float | None = None
    end_at: float | None = None
    """When the END answer arrived."""
    audio_bytes: int = 0
    bytes_per_second: int = 32000
    """Of the audio asked for (16-bit PCM at the config's sample rate)."""
    trace_id: str | None = None
    error_code: str | None = None


class Synthesis(Exchange):
    """Synthesise one text; iterate it for the audio (raw PCM of the config).

    `start` connects in the background (iterating starts it too); `close`
    always, or use it as an async context manager. The audio ends after the
    END answer; a failure is raised from the iteration as a `SisError`
    (`SisVoiceRefusedError` when the service does not take the voice,
    `SisMarkupError` when it refuses the text's SSML characters).
    """

    def __init__(
        self,
        *,
        http: aiohttp.ClientSession,
        auth: Auth,
        endpoints: Endpoints,
        text: str,
        config: SynthesisConfig,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        """Check the text against the voice; nothing is sent before `start`."""
        config.check_text(text)
        self.text = text
        self.config = config
        self.stats = SynthesisStats(
            voice=config.voice,
            characters=text_length(text),
            bytes_per_second=config.bytes_per_second,
        )
        self._auth = auth
        self._endpoints = endpoints
        self._timeouts = timeouts
        self._opener = Opener.with_timeouts(http, auth, extra_headers, timeouts)
        self._audio: asyncio.Queue[bytes | SisError | _End] = asyncio.Queue()

    def __repr__(self) -> str:
        """Describe the synthesis by its voice and length, never its text."""
        return f"Synthesis(voice={self.config.voice}, characters={self.stats.characters})"

    def _task_name(self) -> str:
        return f"sis synthesis {self.config.voice}"

    async def __aiter__(self) -> AsyncGenerator[bytes]:
        """Yield the audio as it arrives, until the END answer; raise what ended it otherwise."""
        self.start()
        while True:
            item = await self._audio.get()
            if isinstance(item, bytes):
                yield item
                continue
            self._audio.put_nowait(item)  # the end stays for another reader
            if isinstance(item, SisError):
                raise item
            return

    async def close(self) -> None:
        """Stop at any stage; leaves no task and no socket behind."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task])
        self._finish(SisConnectionError("The synthesis was closed"))

    # Background work -------------------------------------------------------

    def _finish(self, outcome: SisError | _End) -> None:
        """Put the end of the audio into the queue, once."""
        if self.stats.end_at is not None or self.stats.error_code is not None:
            return
        if isinstance(outcome, SisError):
            self.stats.error_code = outcome.label
            outcome.trace_id = outcome.trace_id or self.stats.trace_id
        else:
            self.stats.end_at = time.monotonic()
        self._audio.put_nowait(outcome)

    async def _run(self) -> None:
        ws: aiohttp.ClientWebSocketResponse | None = None
        bound = self._timeouts.synthesis(self.stats.characters)
        try:
            async with asyncio.timeout(bound):
                ws = await open_with_retry(self._attempt, self._auth, self._timeouts.opening)
                await self._receive(ws)
        except TimeoutError:
            self._finish(SisTimeoutError(f"The synthesis did not end within {bound:g} s"))
        except SisError as err:
            self._finish(from_synthesis_failure(err, self.config.voice))
        except asyncio.CancelledError:
            self._finish(SisConnectionError("The synthesis was closed"))
            raise
        finally:
            await close_websocket(ws)

    async def _attempt(
        self, number: int, headers: dict[str, str]
    ) -> aiohttp.ClientWebSocketResponse:
        """One attempt: authenticate, connect, and get START answered."""
        self.stats.attempts = number
        url = self._endpoints.rtts_url(await self._auth.project_id())
        command = {"command": "START", "text": self.text, "config": self.config.to_json()}
        opened = await self._opener.open(url, command, headers)
        self.stats.connect_seconds = opened.connect_seconds
        self.stats.start_seconds = opened.start_seconds
        self.stats.started_at = time.monotonic()
        self.stats.trace_id = opened.start.trace_id
        return opened.ws

    async def _receive(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Queue the audio until the END answer; every wait is bounded."""
        wait, what = self._timeouts.first_audio, "first audio"
        while True:
            try:
                async with asyncio.timeout(wait):
                    frame = await receive_frame(ws)
            except TimeoutError as err:
                raise SisTimeoutError(f"No {what} within {wait:g} s") from err
            if isinstance(frame, bytes):
                if self.stats.first_audio_at is None:
                    self.stats.first_audio_at = time.monotonic()
                    wait, what = self._timeouts.audio_gap, "further audio or END answer"
                self.stats.audio_bytes += len(frame)
                self._audio.put_nowait(frame)
                continue
            if frame is None:
                raise SisConnectionError("The service closed the connection before the END answer")
            message = parse_message(frame)
            if isinstance(message, ErrorResponse):
                raise message.error()
            if not isinstance(message, EndResponse):
                raise SisProtocolError(f"Unexpected {type(message).__name__} during synthesis")
            if message.reason == "ERROR":
                raise SisServerError("The service ended the synthesis with an error")
            if message.reason != "NORMAL":
                raise SisProtocolError(f"The synthesis ended with reason {message.reason!r}")
            _LOGGER.debug("Synthesised %s bytes of audio", self.stats.audio_bytes)
            self._finish(_END)
            return
