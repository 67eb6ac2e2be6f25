"""The emulated real-time recognition WebSocket: handshake checks and the session protocol."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import time
from typing import TYPE_CHECKING, Any
import uuid

from aiohttp import WSMsgType, web

from .accounts import region_of
from .config_rules import AUDIO_FORMATS, ConfigRefused, frame_limits, validate
from .faults import Fault
from .recognizer import CONTINUE, SENTENCE, SHORT, Event, Output, Recognizer, Result
from .signature import SignatureError, verify

if TYPE_CHECKING:
    from .server import SisServer

MODES = (SHORT, CONTINUE, SENTENCE)
AUDIO_LIMIT_SECONDS = {SHORT: 60, SENTENCE: 60, CONTINUE: 5 * 3600}


@dataclass(slots=True)
class RecordedSession:
    """What the emulator received and sent for one START."""

    mode: str
    project_id: str
    headers: dict[str, str]
    auth: str
    config: dict[str, Any] = field(default_factory=dict)
    audio: bytearray = field(default_factory=bytearray)
    frame_sizes: list[int] = field(default_factory=list)
    frame_times: list[float] = field(default_factory=list)
    end: dict[str, Any] | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    sent_times: list[float] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)


def apig_error(status: int, code: str, message: str) -> web.Response:
    """A handshake refusal as API Gateway sends it."""
    return web.json_response({"error_code": code, "error_msg": message}, status=status)


class RasrHandlers:
    """Accept recognition WebSockets on behalf of a `SisServer`."""

    def __init__(self, server: SisServer) -> None:
        """Share the server's state."""
        self.server = server

    def _authenticate(self, request: web.Request, project_id: str) -> str | web.Response:
        """Return the kind of credentials used, or the refusal to send."""
        if len(request.headers.getall("Host", [])) > 1:
            return apig_error(401, "APIG.0301", "Incorrect IAM authentication information")
        token = request.headers.get("X-Auth-Token")
        if token is not None:
            issued = self.server.tokens.get(token)
            if issued is None:
                return apig_error(
                    401, "APIG.0301", "Incorrect IAM authentication information: decrypt token fail"
                )
            if issued.expires_at <= self.server.now():
                return apig_error(
                    401,
                    "APIG.0301",
                    "Incorrect IAM authentication information: token expires, "
                    f"expires_at: {issued.expires_at.isoformat()}",
                )
            if issued.project_id != project_id:
                return apig_error(401, "SIS.0101", "token verification failed: project mismatch")
            return "token"
        if "Authorization" in request.headers:
            try:
                verify(request, self.server.now(), revoked=self.server.credentials_revoked)
            except SignatureError as err:
                code, message = err.args
                return apig_error(401, code, message)
            if region_of(project_id) is None:
                return apig_error(403, "APIG.0310", "The project is unavailable.")
            return "aksk"
        return apig_error(
            401, "APIG.0301", "Incorrect IAM authentication information: x-auth-token not found"
        )

    async def not_found(self, request: web.Request) -> web.Response:
        """Any path that is not an API."""
        return apig_error(
            404,
            "APIG.0101",
            "The API does not exist or has not been published in the environment.",
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /v1/{project_id}/rasr/{mode}: check the handshake, then run the protocol."""
        server = self.server
        mode = request.match_info["mode"]
        project_id = request.match_info["project_id"]
        if mode not in MODES:
            return await self.not_found(request)
        fault = server.faults.pop(0) if server.faults else None
        if fault is not None and fault.kind == "hang_handshake":
            await server.closing.wait()
            return apig_error(503, "APIG.0201", "Backend unavailable.")
        if fault is not None and fault.kind == "handshake":
            return web.json_response(fault.body, status=fault.status)
        auth = self._authenticate(request, project_id)
        if isinstance(auth, web.Response):
            return auth
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        server.connections += 1
        server.open_connections += 1
        server.sockets.add(ws)
        connection = Connection(server, request, ws, mode, project_id, auth, fault)
        try:
            await connection.run()
        finally:
            connection.finish()
            server.sockets.discard(ws)
            server.open_connections -= 1
            if not ws.closed:
                await ws.close()
        return ws


class Connection:
    """One WebSocket: a sequence of START ... END sessions."""

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
        self.session: RecordedSession | None = None
        self.recognizer: Recognizer | None = None
        self.trace_id = ""
        self.active = False
        self.ever_started = False
        self.fault_used = False

    def _fault(self, kind: str) -> Fault | None:
        if self.fault is not None and self.fault.kind == kind:
            return self.fault
        return None

    async def send(self, resp_type: str, **fields: Any) -> None:
        """Send one JSON message (resp_type and trace_id first) and record it."""
        payload = {"resp_type": resp_type, "trace_id": self.trace_id or str(uuid.uuid4()), **fields}
        if self.session is not None:
            self.session.sent.append(payload)
            self.session.sent_times.append(time.monotonic())
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
            if self._fault("interim_only"):
                segments = [{**segment, "is_final": False} for segment in segments]
            await self.send("RESULT", segments=segments)

    async def error(self, code: str, message: str, *, end: bool) -> None:
        """ERROR, and END with reason ERROR when a session was active."""
        await self.send("ERROR", error_code=code, error_msg=message)
        if end and self.active:
            await self.send("END", reason="ERROR")
        self.stop()

    def stop(self) -> None:
        """The session (if any) is over."""
        self.active = False
        if self.session is not None:
            self.session.done.set()

    def finish(self) -> None:
        """The connection is over."""
        self.stop()

    async def run(self) -> None:
        """Serve frames until the connection closes."""
        while True:
            try:
                message = await self.ws.receive(timeout=self.server.idle_timeout)
            except TimeoutError:
                await self.send(
                    "FATAL_ERROR", error_code="SIS.0304", error_msg="wait voice timeout"
                )
                return
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
            command = None
        if not isinstance(command, dict) or command.get("command") not in ("START", "END"):
            await self.send("ERROR", error_code="SIS.0032", error_msg="'command' is invalid")
            return True
        if command["command"] == "START":
            return await self.on_start(command)
        return await self.on_end(command)

    async def on_start(self, command: dict[str, Any]) -> bool:
        """START: validate the config and begin a session."""
        if self.active:
            await self.send(
                "ERROR", error_code="SIS.0032", error_msg="START is not allowed in this state"
            )
            return True
        self.trace_id = str(uuid.uuid4())
        self.session = RecordedSession(
            mode=self.mode,
            project_id=self.project_id,
            headers=self.headers,
            auth=self.auth,
            config=dict(raw) if isinstance(raw := command.get("config"), dict) else {},
        )
        self.server.sessions.append(self.session)
        if self._fault("no_start_response"):
            return True
        if fault := self._fault("start_error"):
            await self.error(fault.code, fault.message, end=False)
            return True
        try:
            config = validate(command.get("config"), region_of(self.project_id))
        except ConfigRefused as err:
            code, message = err.args
            await self.error(code, message, end=False)
            return True
        if fault := self._fault("start_delay"):
            await asyncio.sleep(fault.seconds)
        self.recognizer = Recognizer(self.mode, config, self.server.fallback_text)
        await self.send("START")
        self.active = True
        self.ever_started = True
        return await self.after_start()

    async def after_start(self) -> bool:
        """Faults that strike right after the START response."""
        if fault := self._fault("error_after_start"):
            await self.error(fault.code, fault.message, end=True)
        elif fault := self._fault("fatal_after_start"):
            await self.send("FATAL_ERROR", error_code=fault.code, error_msg=fault.message)
            return False
        elif self._fault("malformed_json"):
            await self.ws.send_str('{"resp_type": "RESULT", ')
        elif self._fault("unknown_resp_type"):
            await self.send("SURPRISE")
        elif self._fault("binary_from_server"):
            await self.ws.send_bytes(b"\x00\x01")
        return True

    async def on_end(self, command: dict[str, Any]) -> bool:
        """END: finish or cancel the session."""
        if not self.active or self.session is None or self.recognizer is None:
            await self.send("ERROR", error_code="SIS.0032", error_msg="END is not allowed now")
            return True
        cancel = command.get("cancel", False)
        self.session.end = command
        if not isinstance(cancel, bool):
            await self.error("SIS.0032", "'cancel' is invalid", end=True)
            return True
        if self._fault("no_end_response"):
            if not cancel:
                await self.send_outputs(self.recognizer.finish())
            return True
        if fault := self._fault("end_delay"):
            await asyncio.sleep(fault.seconds)
        if not cancel:
            await self.send_outputs(self.recognizer.finish())
        await self.send("END", reason="CANCEL" if cancel else "NORMAL")
        self.stop()
        return True

    async def on_audio(self, data: bytes) -> bool:
        """A binary frame: check it, record it, recognise it."""
        if not self.active or self.session is None or self.recognizer is None:
            if not self.ever_started:
                await self.send(
                    "ERROR", error_code="SIS.0032", error_msg="audio is not allowed before START"
                )
            return True
        session = self.session
        low, high = frame_limits(session.config["audio_format"])
        if not low <= len(data) <= high:
            await self.error("SIS.0032", f"audio frame size {len(data)} is invalid", end=True)
            return True
        session.audio += data
        session.frame_sizes.append(len(data))
        session.frame_times.append(time.monotonic())
        rate = AUDIO_FORMATS[session.config["audio_format"]]
        width = 2 if session.config["audio_format"].endswith("16bit") else 1
        if len(session.audio) > AUDIO_LIMIT_SECONDS[self.mode] * rate * width:
            await self.error("SIS.0309", "audio is too long", end=True)
            return True
        if (fault := self._fault("close_after_bytes")) and len(session.audio) >= fault.after_bytes:
            transport = self.request.transport
            if transport is not None:
                transport.close()
            return False
        if self._fault("result_without_result") and not self.fault_used:
            self.fault_used = True
            await self.send(
                "RESULT", segments=[{"start_time": 0, "end_time": 10, "is_final": True}]
            )
        await self.send_outputs(self.recognizer.feed(data))
        return True
