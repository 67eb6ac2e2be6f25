"""The emulated real-time synthesis WebSocket (`/v1/{project_id}/rtts`).

One text per connection: START with the text and its config; the answer is
START, the audio in binary frames, then END. The audio is the fake codec's
(`speech.synthesize`), so a test can decode it back to the text it was given.
Errors: ERROR for a refused START (the connection stays), FATAL_ERROR and a
closed connection when no START comes in time, SIS.0418 for a second START.
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
from .faults import Fault, FaultKind
from .gateway import NOT_FOUND, accept, apig_error, authenticate, refused_handshake, serve
from .speech import synthesize
from .synthesis_rules import Accepted, check_start, offers_synthesis

if TYPE_CHECKING:
    from .server import SisServer

FRAME_MS: Final = 100
"""Audio per binary frame."""


@dataclass(slots=True)
class RecordedSynthesis:
    """What the server received and sent on one synthesis connection."""

    project_id: str
    headers: dict[str, str]
    auth: str
    command: dict[str, Any] = field(default_factory=dict)
    """The first command as received (empty until it arrives or when it is not an object)."""
    started_at: float | None = None
    """`time.monotonic()` when the START answer was sent."""
    audio: bytearray = field(default_factory=bytearray)
    """Every audio byte sent."""
    sent: list[dict[str, Any]] = field(default_factory=list)
    """Every JSON message sent, in order."""
    ended_at: float | None = None
    """`time.monotonic()` when END was sent."""
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the connection is over."""

    @property
    def text(self) -> str | None:
        """The text of the START command."""
        text = self.command.get("text")
        return text if isinstance(text, str) else None

    @property
    def config(self) -> dict[str, Any]:
        """The config of the START command."""
        config = self.command.get("config")
        return config if isinstance(config, dict) else {}


class RttsHandlers:
    """Accept synthesis WebSockets on behalf of a `SisServer`."""

    def __init__(self, server: SisServer) -> None:
        """Share the server's state."""
        self.server = server

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /v1/{project_id}/rtts: check the handshake, then synthesise one text."""
        server = self.server
        server.handshakes += 1
        fault = server.faults.pop(0) if server.faults else None
        if (refusal := await refused_handshake(server, fault)) is not None:
            return refusal
        project_id = request.match_info["project_id"]
        region = region_of(project_id)
        if region is not None and not offers_synthesis(region):
            return apig_error(404, "APIG.0101", NOT_FOUND)
        auth = authenticate(server, request, project_id)
        if isinstance(auth, web.Response):
            return auth
        ws = await accept(request)
        if isinstance(ws, web.Response):
            return ws
        record = RecordedSynthesis(project_id, dict(request.headers), auth)
        server.syntheses.append(record)
        connection = SynthesisConnection(server, request, ws, record, region, fault)
        return await serve(server, ws, connection)


class SynthesisConnection:
    """One accepted synthesis WebSocket."""

    def __init__(
        self,
        server: SisServer,
        request: web.Request,
        ws: web.WebSocketResponse,
        record: RecordedSynthesis,
        region: str | None,
        fault: Fault | None,
    ) -> None:
        """Remember the handshake."""
        self.server = server
        self.request = request
        self.ws = ws
        self.record = record
        self.region = region
        self.fault = fault
        self.trace_id = str(uuid.uuid4())
        self.synthesised = False

    def _fault(self, kind: FaultKind) -> Fault | None:
        return self.fault if self.fault is not None and self.fault.kind is kind else None

    def stop(self) -> None:
        """The connection is over."""
        self.record.closed.set()

    async def send(self, resp_type: str, **fields: Any) -> None:
        """Send one JSON message, recording it."""
        payload = {"resp_type": resp_type, "trace_id": self.trace_id, **fields}
        self.record.sent.append(payload)
        await self.ws.send_str(json.dumps(payload, ensure_ascii=False))

    async def run(self) -> None:
        """Serve commands until the client closes, or no START comes in time."""
        while True:
            try:
                async with asyncio.timeout(self.server.idle_timeout):
                    message = await self.ws.receive()
            except TimeoutError:
                if not self.synthesised:
                    await self.send(
                        "FATAL_ERROR", error_code="SIS.0416", error_msg="wait text timeout"
                    )
                return
            if message.type is WSMsgType.BINARY:
                await self.send("ERROR", error_code="SIS.0032", error_msg="binary is not allowed")
            elif message.type is not WSMsgType.TEXT or not await self.on_text(message.data):
                return

    async def on_text(self, text: str) -> bool:
        """Handle a command; return False when the connection must close."""
        try:
            command = json.loads(text)
        except ValueError:
            await self.send("ERROR", error_code="SIS.0032", error_msg="the message is not JSON")
            return True
        if self.synthesised:
            await self.send(
                "ERROR", error_code="SIS.0418", error_msg="the connection already synthesised"
            )
            return True
        if not self.record.command and isinstance(command, dict):
            self.record.command = command
        if self._fault(FaultKind.NO_START_RESPONSE):
            return True
        if fault := self._fault(FaultKind.START_ERROR):
            await self.send("ERROR", error_code=fault.code, error_msg=fault.message)
            return True
        outcome = check_start(command, self.region, self.server.readings)
        if not isinstance(outcome, Accepted):
            await self.send("ERROR", error_code=outcome.code, error_msg=outcome.message)
            return True
        self.synthesised = True
        return await self.synthesise(outcome)

    async def synthesise(self, accepted: Accepted) -> bool:
        """Answer START, send the audio and END; False when the connection must close."""
        if fault := self._fault(FaultKind.START_DELAY):
            await asyncio.sleep(fault.seconds)
        if self._fault(FaultKind.BINARY_FROM_SERVER):
            await self.ws.send_bytes(b"\x00\x01")
        await self.send("START")
        self.record.started_at = time.monotonic()
        if fault := self._fault(FaultKind.ERROR_AFTER_START):
            await self.send("ERROR", error_code=fault.code, error_msg=fault.message)
            await self.send("END", reason="ERROR")
            return True
        if fault := self._fault(FaultKind.FATAL_AFTER_START):
            await self.send("FATAL_ERROR", error_code=fault.code, error_msg=fault.message)
            return False
        if self._fault(FaultKind.MALFORMED_JSON):
            await self.ws.send_str('{"resp_type": "END", ')
        elif self._fault(FaultKind.UNKNOWN_RESP_TYPE):
            await self.send("SURPRISE")
        if not await self.send_audio(accepted):
            return False
        if self._fault(FaultKind.NO_END_RESPONSE):
            return True
        if fault := self._fault(FaultKind.END_DELAY):
            await asyncio.sleep(fault.seconds)
        await self.send("END", reason="NORMAL")
        self.record.ended_at = time.monotonic()
        return True

    def audio_of(self, accepted: Accepted) -> bytes:
        """The audio of the text: the fake codec's PCM, or silence for a-law and u-law."""
        pcm = synthesize(accepted.text, sample_rate=accepted.sample_rate)
        if accepted.audio_format == "pcm":
            return pcm
        return (b"\xd5" if accepted.audio_format == "alaw" else b"\xff") * (len(pcm) // 2)

    async def send_audio(self, accepted: Accepted) -> bool:
        """Send the audio in frames; False when a fault closed or stalled the connection."""
        audio = self.audio_of(accepted)
        width = 2 if accepted.audio_format == "pcm" else 1
        size = accepted.sample_rate * width * FRAME_MS // 1000
        stall = self._fault(FaultKind.STALL_AFTER_BYTES)
        close = self._fault(FaultKind.CLOSE_AFTER_BYTES)
        for start in range(0, len(audio), size):
            if stall is not None and len(self.record.audio) >= stall.after_bytes:
                await self.until_closed()
                return False
            if close is not None and len(self.record.audio) >= close.after_bytes:
                if self.request.transport is not None:
                    self.request.transport.close()
                return False
            frame = audio[start : start + size]
            await self.ws.send_bytes(frame)
            self.record.audio += frame
            if start == 0 and self.server.synthesis_gate is not None:
                await self.server.synthesis_gate.wait()
            if self.server.synthesis_frame_delay:
                await asyncio.sleep(self.server.synthesis_frame_delay)
        if stall is not None:
            await self.until_closed()
            return False
        return True

    async def until_closed(self) -> None:
        """Send nothing more; wait until the client (or the server's shutdown) closes."""
        while (await self.ws.receive()).type in (WSMsgType.TEXT, WSMsgType.BINARY):
            pass
