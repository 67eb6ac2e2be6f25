"""The emulated real-time recognition WebSocket: handshake checks and the session protocol.

Each connection runs a small state machine: IDLE → (START) → ACTIVE → (END or an
error) → IDLE, and a connection may carry several sessions one after the other.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import time
from typing import TYPE_CHECKING, Any, Final
import uuid

from aiohttp import WSMsgType, web

from .accounts import region_of
from .config_rules import check_config, frame_limits, sample_rate, sample_width
from .faults import Fault, FaultKind
from .gateway import NOT_FOUND, accept, apig_error, authenticate, refused_handshake, serve
from .recognizer import CONTINUE, MODES, SENTENCE, SHORT, Event, Output, Recognizer, Result
from .script import then, writer

if TYPE_CHECKING:
    from .server import SisServer

# Mirrors the product's sis/recognition_config.py (RecognitionMode.max_audio_seconds).
AUDIO_LIMIT_SECONDS: Final = {SHORT: 60, SENTENCE: 60, CONTINUE: 5 * 3600}


@dataclass(slots=True)
class RecordedSession:
    """What the server received and sent for one START command."""

    mode: str
    project_id: str
    headers: dict[str, str]
    """The handshake request's headers."""
    auth: str
    """"token" or "aksk"."""
    config: dict[str, Any] = field(default_factory=dict)
    """The START config as received (empty if it was not a JSON object)."""
    audio: bytearray = field(default_factory=bytearray)
    """Every accepted binary frame of the session, concatenated."""
    frame_sizes: list[int] = field(default_factory=list)
    frame_times: list[float] = field(default_factory=list)
    """`time.monotonic()` at the arrival of each accepted frame."""
    end: dict[str, Any] | None = None
    """The END command, once received."""
    end_received_at: float | None = None
    """`time.monotonic()` when the END command arrived."""
    sent: list[dict[str, Any]] = field(default_factory=list)
    """Every JSON message sent for the session, in order."""
    sent_times: list[float] = field(default_factory=list)
    """`time.monotonic()` when each message of `sent` was sent."""
    sent_after: list[int] = field(default_factory=list)
    """Bytes of audio the session had received when each message of `sent` was sent."""
    done: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the session is over: END answered, an error, or the socket closed."""


class RasrHandlers:
    """Accept recognition WebSockets on behalf of a `SisServer`."""

    def __init__(self, server: SisServer) -> None:
        """Share the server's state."""
        self.server = server

    async def not_found(self, request: web.Request) -> web.Response:
        """Any path that is not one of the emulated APIs."""
        return apig_error(404, "APIG.0101", NOT_FOUND)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /v1/{project_id}/rasr/{mode}: check the handshake, then run the protocol."""
        server = self.server
        server.handshakes += 1
        fault = server.faults.pop(0) if server.faults else None
        if (refusal := await refused_handshake(server, fault)) is not None:
            return refusal
        mode = request.match_info["mode"]
        project_id = request.match_info["project_id"]
        if mode not in MODES:
            return await self.not_found(request)
        auth = authenticate(server, request, project_id)
        if isinstance(auth, web.Response):
            return auth
        ws = await accept(request)
        if isinstance(ws, web.Response):
            return ws
        connection = Connection(server, request, ws, mode, project_id, auth, fault)
        return await serve(server, ws, connection)


class Connection:
    """One accepted WebSocket: a sequence of START ... END sessions."""

    def __init__(
        self,
        server: SisServer,
        request: web.Request,
        ws: web.WebSocketResponse,
        mode: str,
        project_id: str,
        auth: str,
        fault: Fault | None,
    ) -> None:
        """Remember the handshake."""
        self.server = server
        self.request = request
        self.ws = ws
        self.mode = mode
        self.project_id = project_id
        self.auth = auth
        self.fault = fault
        self.headers = dict(request.headers)
        self.trace_id = str(uuid.uuid4())
        self.session: RecordedSession | None = None
        self.recognizer: Recognizer | None = None
        self.active = False
        self.ever_active = False
        self.bad_result_sent = False

    def _fault(self, kind: FaultKind) -> Fault | None:
        return self.fault if self.fault is not None and self.fault.kind is kind else None

    async def send(self, resp_type: str, **fields: Any) -> None:
        """Send one JSON message (resp_type and trace_id first), recording it in the session."""
        payload = {"resp_type": resp_type, "trace_id": self.trace_id, **fields}
        session = self.session
        if session is not None and not session.done.is_set():
            session.sent.append(payload)
            session.sent_times.append(time.monotonic())
            session.sent_after.append(len(session.audio))
        await self.ws.send_str(json.dumps(payload, ensure_ascii=False))

    async def send_outputs(self, outputs: list[Output]) -> None:
        """Send what the engine produced."""
        for output in outputs:
            if isinstance(output, Event):
                await self.send("EVENT", event=output.event, timestamp=output.timestamp)
                continue
            assert isinstance(output, Result)
            segments = output.segments
            if output.final and self.server.processing_delay:
                await asyncio.sleep(self.server.processing_delay)
            if self._fault(FaultKind.INTERIM_ONLY):
                segments = [{**segment, "is_final": False} for segment in segments]
            await self.send("RESULT", segments=segments)

    async def error(self, code: str, message: str) -> None:
        """ERROR; if a session is active, also END with reason ERROR, and the session is over."""
        await self.send("ERROR", error_code=code, error_msg=message)
        if self.active:
            await self.send("END", reason="ERROR")
        self.stop()

    def stop(self) -> None:
        """The current session, if any, is over."""
        self.active = False
        if self.session is not None:
            self.session.done.set()

    async def run(self) -> None:
        """Serve frames until the connection closes or goes idle for too long."""
        loop = asyncio.get_running_loop()
        last_frame = loop.time()
        while True:
            try:
                async with asyncio.timeout_at(last_frame + self.server.idle_timeout):
                    message = await self.ws.receive()
            except TimeoutError:
                await self.send(
                    "FATAL_ERROR", error_code="SIS.0304", error_msg="wait voice timeout"
                )
                return
            last_frame = loop.time()
            if message.type is WSMsgType.TEXT:
                if not await self.on_text(message.data):
                    return
            elif message.type is WSMsgType.BINARY:
                if not await self.on_audio(message.data):
                    return
            else:
                return

    async def on_text(self, text: str) -> bool:
        """Handle a command; return False when the connection must close."""
        try:
            command = json.loads(text)
        except ValueError:
            await self.error("SIS.0032", "the message is not valid JSON")
            return True
        if not isinstance(command, dict) or command.get("command") not in ("START", "END"):
            await self.error("SIS.0032", "'command' is invalid")
            return True
        if command["command"] == "START":
            return await self.on_start(command)
        await self.on_end(command)
        return True

    async def on_start(self, command: dict[str, Any]) -> bool:
        """START: validate the config and make a session active."""
        if self.active:
            await self.send(
                "ERROR", error_code="SIS.0032", error_msg="START is not allowed in this state"
            )
            return True
        self.trace_id = str(uuid.uuid4())
        raw = command.get("config")
        self.session = RecordedSession(
            mode=self.mode,
            project_id=self.project_id,
            headers=self.headers,
            auth=self.auth,
            config=dict(raw) if isinstance(raw, dict) else {},
        )
        self.server.sessions.append(self.session)
        if self._fault(FaultKind.NO_START_RESPONSE):
            return True
        if fault := self._fault(FaultKind.START_ERROR):
            await self.error(fault.code, fault.message)
            return True
        tables = self.server.tables
        refusal = check_config(
            raw,
            region_of(self.project_id),
            self.mode,
            lambda vid: tables.language(self.project_id, vid),
            self.server.readings,
        )
        if refusal:
            await self.error(refusal.code, refusal.message)
            return True
        assert isinstance(raw, dict)
        if fault := self._fault(FaultKind.START_DELAY):
            await asyncio.sleep(fault.seconds)
        # The table as it is at START: how soon a replaced table takes effect is not documented.
        # A table the project does not have gives no hot words (when the reading accepts it).
        table = tables.get(self.project_id, raw.get("vocabulary_id", ""))
        # The model writes what it hears in its script; the words it mishears are then swapped.
        write = await writer(raw["property"], self.server.readings.cantonese_script)
        self.recognizer = Recognizer(
            self.mode,
            raw,
            self.server.fallback_text,
            self.server.transcriber,
            then(write, self.server.mishearings.rewriter(table.words if table else ())),
            interim_lag_ms=self.server.interim_lag_ms,
            revisions=dict(self.server.revisions),
        )
        await self.send("START")
        self.active = self.ever_active = True
        return await self.after_start()

    async def after_start(self) -> bool:
        """Faults that strike right after the START response; False closes the connection."""
        if fault := self._fault(FaultKind.ERROR_AFTER_START):
            await self.error(fault.code, fault.message)
        elif fault := self._fault(FaultKind.FATAL_AFTER_START):
            await self.send("FATAL_ERROR", error_code=fault.code, error_msg=fault.message)
            return False
        elif self._fault(FaultKind.MALFORMED_JSON):
            await self.ws.send_str('{"resp_type": "RESULT", ')
        elif self._fault(FaultKind.UNKNOWN_RESP_TYPE):
            await self.send("SURPRISE")
        elif self._fault(FaultKind.BINARY_FROM_SERVER):
            await self.ws.send_bytes(b"\x00\x01")
        return True

    async def on_end(self, command: dict[str, Any]) -> None:
        """END: finish or cancel the active session."""
        if not self.active or self.session is None or self.recognizer is None:
            await self.send("ERROR", error_code="SIS.0032", error_msg="END is not allowed now")
            return
        self.session.end = command
        self.session.end_received_at = time.monotonic()
        cancel = command.get("cancel", False)
        if not isinstance(cancel, bool):
            await self.error("SIS.0032", "'cancel' is invalid")
            return
        if self._fault(FaultKind.NO_END_RESPONSE):
            if not cancel:
                await self.send_outputs(self.recognizer.finish())
            self.recognizer.finished = True
            return
        if fault := self._fault(FaultKind.END_DELAY):
            await asyncio.sleep(fault.seconds)
        if not cancel:
            await self.send_outputs(self.recognizer.finish())
        await self.send("END", reason="CANCEL" if cancel else "NORMAL")
        self.stop()

    async def on_audio(self, data: bytes) -> bool:
        """A binary frame: check it, record it, recognise it; False closes the connection."""
        session, recognizer = self.session, self.recognizer
        if not self.active or session is None or recognizer is None:
            if not self.ever_active:
                await self.send(
                    "ERROR", error_code="SIS.0032", error_msg="audio is not allowed before START"
                )
            return True
        audio_format = session.config["audio_format"]
        heard = data
        if not recognizer.finished and recognizer.listening:
            low, high = frame_limits(audio_format)
            if not low <= len(data) <= high:
                await self.error("SIS.0032", f"the audio frame size {len(data)} is invalid")
                return True
            seconds = self.server.audio_limits.get(self.mode, AUDIO_LIMIT_SECONDS[self.mode])
            room = int(seconds * sample_rate(audio_format)) * sample_width(audio_format)
            room -= len(session.audio)
            if len(data) > room:
                if not self.server.exceeded_audio_event:
                    await self.error("SIS.0309", "the audio is too long")
                    return True
                # Huawei's 2021 pages: EXCEEDED_AUDIO, and the rest of the audio is ignored.
                heard = data[: max(room, 0)]
                await self.send_outputs(recognizer.feed(heard))
                recognizer.listening = False
                await self.send("EVENT", event="EXCEEDED_AUDIO", timestamp=int(seconds * 1000))
                heard = b""
        session.audio += data
        session.frame_sizes.append(len(data))
        session.frame_times.append(time.monotonic())
        fault = self._fault(FaultKind.CLOSE_AFTER_BYTES)
        if fault is not None and len(session.audio) >= fault.after_bytes:
            if self.request.transport is not None:
                self.request.transport.close()
            return False
        if self._fault(FaultKind.RESULT_WITHOUT_RESULT) and not self.bad_result_sent:
            self.bad_result_sent = True
            await self.send("RESULT", segments=[{"start_time": 0, "end_time": 0, "is_final": True}])
        await self.send_outputs(recognizer.feed(heard))
        return True
