"""Faults the emulator can play: one per WebSocket connection attempt (recognition or
synthesis), IAM outages, and one per request to the hot-word table API.

Queue them on `SisServer.faults` (each incoming handshake takes the first one) or
`SisServer.vocabulary_faults` (each hot-word table request takes the first one).
Build them with the class methods, e.g. `Fault.start_delay(0.5)`, `RestFault.hang()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus
from typing import Any


class FaultKind(StrEnum):
    """What goes wrong."""

    HANDSHAKE = "handshake"
    HANG_HANDSHAKE = "hang_handshake"
    NO_START_RESPONSE = "no_start_response"
    START_DELAY = "start_delay"
    START_ERROR = "start_error"
    ERROR_AFTER_START = "error_after_start"
    FATAL_AFTER_START = "fatal_after_start"
    CLOSE_AFTER_BYTES = "close_after_bytes"
    NO_END_RESPONSE = "no_end_response"
    END_DELAY = "end_delay"
    MALFORMED_JSON = "malformed_json"
    UNKNOWN_RESP_TYPE = "unknown_resp_type"
    RESULT_WITHOUT_RESULT = "result_without_result"
    BINARY_FROM_SERVER = "binary_from_server"
    INTERIM_ONLY = "interim_only"
    STALL_AFTER_BYTES = "stall_after_bytes"


_HANDSHAKE_BODIES: dict[int, tuple[str, str]] = {
    401: ("APIG.0301", "Incorrect IAM authentication information: decrypt token fail"),
    403: ("APIG.0302", "The IAM user is not authorized to access this API."),
    404: ("APIG.0101", "The API does not exist or has not been published in the environment."),
    429: (
        "APIG.0308",
        (
            "The throttling threshold has been reached: "
            "policy user over ratelimit,limit:60,time:1 minute"
        ),
    ),
    504: ("APIG.0201", "Backend timeout."),
}


def default_handshake_body(status: int) -> dict[str, Any]:
    """The API Gateway error body that usually comes with an HTTP status."""
    code, message = _HANDSHAKE_BODIES.get(
        status, ("APIG.0201", f"{HTTPStatus(status).phrase}." if status in HTTPStatus else "")
    )
    return {"error_code": code, "error_msg": message}


@dataclass(frozen=True, slots=True)
class Fault:
    """What goes wrong on one WebSocket connection; build it with the class methods."""

    kind: FaultKind
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    code: str = ""
    message: str = ""
    seconds: float = 0.0
    after_bytes: int = 0

    @classmethod
    def handshake(cls, status: int, body: dict[str, Any] | None = None) -> Fault:
        """Refuse the upgrade with an HTTP error and a JSON body (an APIG one by default)."""
        return cls(
            FaultKind.HANDSHAKE,
            status=status,
            body=default_handshake_body(status) if body is None else body,
        )

    @classmethod
    def hang_handshake(cls) -> Fault:
        """Accept the TCP connection and never answer the upgrade request."""
        return cls(FaultKind.HANG_HANDSHAKE)

    @classmethod
    def no_start_response(cls) -> Fault:
        """Record START but never answer it."""
        return cls(FaultKind.NO_START_RESPONSE)

    @classmethod
    def start_delay(cls, seconds: float) -> Fault:
        """Answer a valid START only after `seconds`."""
        return cls(FaultKind.START_DELAY, seconds=seconds)

    @classmethod
    def start_error(cls, code: str, message: str = "") -> Fault:
        """Answer START with ERROR, whatever the config (no session becomes active)."""
        return cls(FaultKind.START_ERROR, code=code, message=message)

    @classmethod
    def error_after_start(cls, code: str, message: str = "") -> Fault:
        """Right after the START response: ERROR, then END with reason ERROR."""
        return cls(FaultKind.ERROR_AFTER_START, code=code, message=message)

    @classmethod
    def fatal_after_start(cls, code: str, message: str = "") -> Fault:
        """Right after the START response: FATAL_ERROR, then close the connection."""
        return cls(FaultKind.FATAL_AFTER_START, code=code, message=message)

    @classmethod
    def close_after_bytes(cls, count: int) -> Fault:
        """Close the TCP connection (no close frame) once `count` audio bytes arrived.

        Synthesis: once `count` audio bytes were sent.
        """
        return cls(FaultKind.CLOSE_AFTER_BYTES, after_bytes=count)

    @classmethod
    def no_end_response(cls) -> Fault:
        """Never answer END (final results already due are still sent)."""
        return cls(FaultKind.NO_END_RESPONSE)

    @classmethod
    def end_delay(cls, seconds: float) -> Fault:
        """Handle END only after `seconds`."""
        return cls(FaultKind.END_DELAY, seconds=seconds)

    @classmethod
    def malformed_json(cls) -> Fault:
        """Send a truncated JSON text frame right after the START response."""
        return cls(FaultKind.MALFORMED_JSON)

    @classmethod
    def unknown_resp_type(cls) -> Fault:
        """Send a message with an undocumented `resp_type` right after the START response."""
        return cls(FaultKind.UNKNOWN_RESP_TYPE)

    @classmethod
    def result_without_result(cls) -> Fault:
        """After the first audio frame, send a final segment that has no `result` key."""
        return cls(FaultKind.RESULT_WITHOUT_RESULT)

    @classmethod
    def binary_from_server(cls) -> Fault:
        """Send a binary frame right after the START response (synthesis: before it)."""
        return cls(FaultKind.BINARY_FROM_SERVER)

    @classmethod
    def stall_after_bytes(cls, count: int) -> Fault:
        """Synthesis: send `count` bytes of audio (0: none), then nothing more, not even END."""
        return cls(FaultKind.STALL_AFTER_BYTES, after_bytes=count)

    @classmethod
    def interim_only(cls) -> Fault:
        """Send every segment with `is_final: false`, never a final one."""
        return cls(FaultKind.INTERIM_ONLY)


@dataclass(frozen=True, slots=True)
class IamFault:
    """While set on the server, every IAM request fails with `status`, or hangs.

    A hanging request is answered only when the server closes.
    """

    status: int = 503
    hang: bool = False


class RestFaultKind(StrEnum):
    """What goes wrong with one hot-word table request."""

    ANSWER = "answer"
    HANG = "hang"
    DISCONNECT = "disconnect"
    LOSE_ANSWER = "lose_answer"


@dataclass(frozen=True, slots=True)
class RestFault:
    """What goes wrong with one hot-word table request; build it with the class methods."""

    kind: RestFaultKind
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def answer(cls, status: int, body: dict[str, Any] | None = None) -> RestFault:
        """Answer with an HTTP error and a JSON body (API Gateway's by default), doing nothing."""
        return cls(
            RestFaultKind.ANSWER,
            status=status,
            body=default_handshake_body(status) if body is None else body,
        )

    @classmethod
    def error(cls, code: str, message: str = "") -> RestFault:
        """Answer 400 with a service error code (e.g. SIS.0206, saving failed), doing nothing."""
        return cls.answer(400, {"error_code": code, "error_msg": message or code})

    @classmethod
    def hang(cls) -> RestFault:
        """Never answer (until the server closes); nothing is done."""
        return cls(RestFaultKind.HANG)

    @classmethod
    def disconnect(cls) -> RestFault:
        """Close the connection without answering; nothing is done."""
        return cls(RestFaultKind.DISCONNECT)

    @classmethod
    def lose_answer(cls) -> RestFault:
        """Carry the request out, then close the connection instead of answering."""
        return cls(RestFaultKind.LOSE_ANSWER)
