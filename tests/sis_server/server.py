"""`SisServer`: emulated IAM, SIS real-time recognition and synthesis, and hot-word tables."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import json
import ssl
from typing import Final

from aiohttp import web

from .accounts import Accounts, now_utc
from .faults import Fault, IamFault, RestFault
from .gateway import IAM_PREFIX
from .iam import IamHandlers
from .mishearing import Mishearings
from .rasr import RasrHandlers, RecordedSession
from .readings import Readings
from .recognizer import Transcriber
from .rtts import RecordedSynthesis, RttsHandlers
from .vocabulary import Tables, VocabularyCall, VocabularyHandlers

DEFAULT_FALLBACK: Final = "turn on the kitchen light"
_HEADER_END: Final = b"\r\n\r\n"
_MAX_HEAD: Final = 65536


def _header_names_and_length(head: bytes) -> tuple[list[bytes], int | None]:
    """Lower-case header names of a request head, and its body length (None: unknown)."""
    names: list[bytes] = []
    length: int | None = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if not name:
            continue
        names.append(name)
        if name == b"content-length":
            length = int(value) if value.strip().isdigit() and length is not None else None
        elif name in (b"transfer-encoding", b"upgrade"):
            length = None
    return names, length


class _HostGuard(asyncio.Protocol):
    """Sits in front of aiohttp and refuses a request that has more than one Host header.

    aiohttp's own parser would answer such a request with 400; API Gateway answers
    401, which is what clients must be tested against. Request heads are inspected
    on kept-alive connections too (bodies skipped by Content-Length); after an
    upgrade or a chunked body, bytes pass through unchecked. Everything is handed
    on to aiohttp's protocol unchanged.
    """

    def __init__(self, inner: asyncio.Protocol) -> None:
        self._inner = inner
        self._buffer = b""
        self._body_left = 0
        self._passthrough = False
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._passthrough:
            self._inner.data_received(data)
            return
        self._buffer += data
        checked = bytearray()
        while self._buffer and not self._passthrough:
            if self._body_left:
                body = self._buffer[: self._body_left]
                self._buffer = self._buffer[len(body) :]
                self._body_left -= len(body)
                checked += body
                continue
            end = self._buffer.find(_HEADER_END)
            if end < 0:
                self._passthrough = len(self._buffer) > _MAX_HEAD
                break
            head = self._buffer[: end + len(_HEADER_END)]
            self._buffer = self._buffer[len(head) :]
            names, length = _header_names_and_length(head)
            if names.count(b"host") > 1:
                if checked:
                    self._inner.data_received(bytes(checked))
                self._refuse()
                return
            checked += head
            if length is None:
                self._passthrough = True
            else:
                self._body_left = length
        if self._passthrough:
            checked += self._buffer
            self._buffer = b""
        if checked:
            self._inner.data_received(bytes(checked))

    def _refuse(self) -> None:
        body = json.dumps(
            {"error_code": "APIG.0301", "error_msg": IAM_PREFIX + "duplicate host header"}
        ).encode()
        assert self._transport is not None
        self._transport.write(
            b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )
        self._transport.close()
        self._passthrough = True
        self._buffer = b""

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


class SisServer:
    """A strict local stand-in for Huawei Cloud IAM, SIS real-time recognition and hot words.

    One aiohttp application on 127.0.0.1 serves `POST /v3/auth/tokens`,
    `GET /v3/projects`, the WebSocket paths `/v1/{project_id}/rasr/{mode}` and
    `/v1/{project_id}/rtts`, and the hot-word table API
    `/v1/{project_id}/asr/vocabularies[/{vocabulary_id}]`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        idle_timeout: float = 20.0,
        token_lifetime: timedelta = timedelta(hours=24),
        fallback_text: str = DEFAULT_FALLBACK,
        ssl_context: ssl.SSLContext | None = None,
        transcriber: Transcriber | None = None,
        readings: Readings | None = None,
    ) -> None:
        """Configure; nothing listens before `start`. Port 0 picks a free port.

        With `ssl_context` the server speaks TLS (`wss://` and `https://`). With a
        `transcriber`, speech that is not made with the fake codec is recognised by
        it (it blocks the event loop while it runs) instead of as `fallback_text`.
        `readings` choose how the points Huawei's pages dispute are answered
        (the defaults of `Readings` unless given).
        """
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.idle_timeout = idle_timeout
        """Seconds without a data frame after which a connection gets FATAL_ERROR SIS.0304."""
        self.token_lifetime = token_lifetime
        self.readings = Readings() if readings is None else readings
        """Which reading of Huawei's pages the server follows where they disagree or are silent."""
        self.fallback_text = fallback_text
        """Text recognised for speech that is not made with the fake codec."""
        self.transcriber = transcriber
        """Recognises that speech instead, when set (pocketsphinx in the standalone emulator)."""
        self.clock_offset = timedelta()
        """The server clock runs this far ahead of the real one."""
        self.processing_delay = 0.0
        """Seconds the engine waits before sending each final RESULT."""
        self.audio_limits: dict[str, float] = {}
        """Mode → the longest audio in seconds, where it differs from the documented limit."""
        self.exceeded_audio_event = False
        """Audio past the limit gets the EVENT EXCEEDED_AUDIO of the 2021 pages, and the rest
        of the audio is ignored, instead of the ERROR SIS.0309 of the current pages."""
        self.accounts = Accounts(self.now)
        self.faults: list[Fault] = []
        """Consumed first-in first-out, one per WebSocket handshake."""
        self.iam_fault: IamFault | None = None
        """While set, applies to every IAM request."""
        self.sessions: list[RecordedSession] = []
        self.syntheses: list[RecordedSynthesis] = []
        """Every synthesis connection accepted, in order."""
        self.synthesis_gate: asyncio.Event | None = None
        """While set to an event, each synthesis waits for it after its first audio frame."""
        self.synthesis_frame_delay = 0.0
        """Seconds between two audio frames of a synthesis (0: as fast as the socket takes)."""
        self.handshakes = 0
        """WebSocket upgrade requests received so far, refused ones included."""
        self.connections = 0
        """WebSockets accepted so far."""
        self.open_connections = 0
        self.iam_token_requests = 0
        self.iam_project_requests = 0
        self.tables = Tables()
        """The account's hot-word tables (none until created through the API)."""
        self.vocabulary_calls: list[VocabularyCall] = []
        """Every hot-word table request, in order."""
        self.vocabulary_faults: list[RestFault] = []
        """Consumed first-in first-out, one per hot-word table request."""
        self.vocabulary_forbidden = False
        """While set, the IAM user may not use the hot-word table API (403)."""
        self.mishearings = Mishearings()
        self.interim_lag_ms = 250
        """How far behind the audio the interim results of spoken speech are (recognizer.py)."""
        self.revisions: dict[str, tuple[str, int]] = {}
        """Interim text of spoken speech → (what is shown first, for how many ms); see `revise`."""
        self.sockets: set[web.WebSocketResponse] = set()
        self.closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None

    def now(self) -> datetime:
        """The server's clock (aware, UTC)."""
        return now_utc() + self.clock_offset

    def expire_tokens(self) -> None:
        """Every token issued so far is expired from now on."""
        self.accounts.expire_tokens()

    def revoke_tokens(self) -> None:
        """Every token issued so far is unknown from now on."""
        self.accounts.revoke_tokens()

    def mishear(self, word: str, heard: str) -> None:
        """Recognise `word` as `heard` from now on, unless the session's hot-word table holds it."""
        self.mishearings.add(word, heard)

    def revise(self, heard: str, shown: str, for_ms: int) -> None:
        """Show the interim text `heard` of spoken speech as `shown` for its first `for_ms` ms.

        A streaming recogniser revises what it heard as more audio comes: when the
        words heard so far (after the model's script and the mishearings) read
        `heard`, the interim result says `shown`, and says `heard` once `for_ms` ms
        more audio have come, unless more words came first. Final results are never
        revised.
        """
        if not heard or not shown or for_ms <= 0:
            raise ValueError("A revision needs both texts and a positive duration")
        self.revisions[heard] = (shown, for_ms)

    def revoke_credentials(self) -> None:
        """The IAM password and the access key stop working, and every token is revoked."""
        self.accounts.credentials_revoked = True
        self.accounts.revoke_tokens()

    def restore_credentials(self) -> None:
        """The IAM password and the access key work again."""
        self.accounts.credentials_revoked = False

    @property
    def sis_url(self) -> str:
        """Base URL of the recognition service, e.g. ws://127.0.0.1:8790."""
        scheme = "ws" if self.ssl_context is None else "wss"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def iam_url(self) -> str:
        """Base URL of IAM, e.g. http://127.0.0.1:8790."""
        scheme = "http" if self.ssl_context is None else "https"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def rest_url(self) -> str:
        """Base URL of the SIS REST API (hot-word tables): the recognition host over HTTP."""
        return self.iam_url

    async def start(self) -> None:
        """Listen on the configured address (a free port when port is 0)."""
        iam = IamHandlers(self)
        rasr = RasrHandlers(self)
        rtts = RttsHandlers(self)
        vocabulary = VocabularyHandlers(self)
        app = web.Application()
        app.router.add_post("/v3/auth/tokens", iam.tokens)
        app.router.add_get("/v3/projects", iam.projects)
        app.router.add_get("/v1/{project_id}/rasr/{mode}", rasr.handle)
        app.router.add_get("/v1/{project_id}/rtts", rtts.handle)
        tables = "/v1/{project_id}/asr/vocabularies"
        for method in ("GET", "POST"):
            app.router.add_route(method, tables, vocabulary.handle)
        for method in ("GET", "PUT", "DELETE"):
            app.router.add_route(method, tables + "/{vocabulary_id}", vocabulary.handle)
        app.router.add_route("*", "/{tail:.*}", rasr.not_found)
        self.closing.clear()
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        protocols = self._runner.server
        assert protocols is not None
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(
            lambda: _HostGuard(protocols()), self.host, self.port, ssl=self.ssl_context
        )
        self.port = self._listener.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Close every open WebSocket and stop listening."""
        self.closing.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        await asyncio.gather(*(ws.close() for ws in list(self.sockets)), return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
