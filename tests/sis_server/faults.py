"""Faults the emulator can play, one per incoming WebSocket connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Fault:
    """What goes wrong on one connection; build it with the class methods."""

    kind: str
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    code: str = ""
    message: str = ""
    seconds: float = 0.0
    after_bytes: int = 0

    @classmethod
    def handshake(cls, status: int, body: dict[str, Any] | None = None) -> Fault:
        """Answer the upgrade with an HTTP error (401, 403, 404, 429, 5xx...)."""
        return cls("handshake", status=status, body=body or {"error_code": "APIG.0201"})

    @classmethod
    def hang_handshake(cls) -> Fault:
        """Accept the TCP connection and never answer the upgrade."""
        return cls("hang_handshake")

    @classmethod
    def no_start_response(cls) -> Fault:
        """Never answer START."""
        return cls("no_start_response")

    @classmethod
    def start_delay(cls, seconds: float) -> Fault:
        """Answer START only after `seconds`."""
        return cls("start_delay", seconds=seconds)

    @classmethod
    def start_error(cls, code: str, message: str = "") -> Fault:
        """Answer START with ERROR (no session starts)."""
        return cls("start_error", code=code, message=message)

    @classmethod
    def error_after_start(cls, code: str, message: str = "") -> Fault:
        """Right after the START response: ERROR, then END with reason ERROR."""
        return cls("error_after_start", code=code, message=message)

    @classmethod
    def fatal_after_start(cls, code: str, message: str = "") -> Fault:
        """Right after the START response: FATAL_ERROR, then close the connection."""
        return cls("fatal_after_start", code=code, message=message)

    @classmethod
    def close_after_bytes(cls, count: int) -> Fault:
        """Drop the TCP connection (no close frame) once `count` audio bytes arrived."""
        return cls("close_after_bytes", after_bytes=count)

    @classmethod
    def no_end_response(cls) -> Fault:
        """Ignore the END command (results already due are still sent)."""
        return cls("no_end_response")

    @classmethod
    def end_delay(cls, seconds: float) -> Fault:
        """Answer END only after `seconds`."""
        return cls("end_delay", seconds=seconds)

    @classmethod
    def malformed_json(cls) -> Fault:
        """Send a broken JSON text frame right after the START response."""
        return cls("malformed_json")

    @classmethod
    def unknown_resp_type(cls) -> Fault:
        """Send a message of an unknown type right after the START response."""
        return cls("unknown_resp_type")

    @classmethod
    def binary_from_server(cls) -> Fault:
        """Send a binary frame right after the START response."""
        return cls("binary_from_server")

    @classmethod
    def result_without_result(cls) -> Fault:
        """After the first audio frame, send a final segment without `result`."""
        return cls("result_without_result")

    @classmethod
    def interim_only(cls) -> Fault:
        """Never mark a segment final."""
        return cls("interim_only")


@dataclass(frozen=True, slots=True)
class IamFault:
    """Make every IAM request fail with `status`, or hang until the server closes."""

    status: int = 503
    hang: bool = False
