"""The faults of the service every recognition test goes through, and the code each one logs."""

from __future__ import annotations

from tests.sis_server import Fault

SERVICE_FAULTS: list[tuple[list[Fault], str]] = [
    # A refused token is replaced once on a new connection: both attempts are refused.
    ([Fault.handshake(status=401), Fault.handshake(status=401)], "HTTP 401"),
    ([Fault.handshake(status=403)], "HTTP 403"),
    ([Fault.handshake(status=404)], "HTTP 404"),
    ([Fault.handshake(status=429)], "HTTP 429"),
    # A 5xx is retried once on a new connection: both attempts fail.
    ([Fault.handshake(status=500), Fault.handshake(status=503)], "HTTP 503"),
    ([Fault.handshake(status=502), Fault.hang_handshake()], "SisTimeoutError"),
    # The client retries a START left unanswered once: both attempts fail.
    ([Fault.no_start_response(), Fault.no_start_response()], "SisTimeoutError"),
    ([Fault.start_error(code="SIS.0201", message="model not exist")], "SIS.0201"),
    ([Fault.start_error(code="SIS.0032", message="bad")], "SIS.0032"),
    ([Fault.error_after_start(code="SIS.0301", message="not match model")], "SIS.0301"),
    ([Fault.fatal_after_start(code="SIS.0304", message="wait voice timeout")], "SIS.0304"),
    # The service counting more audio than the session did: its refusal is reported.
    ([Fault.error_after_start(code="SIS.0309", message="the audio is too long")], "SIS.0309"),
    ([Fault.error_after_start(code="SIS.0312", message="max concurrency")], "SIS.0312"),
    ([Fault.malformed_json()], "SisProtocolError"),
    ([Fault.unknown_resp_type()], "SisProtocolError"),
    ([Fault.binary_from_server()], "SisProtocolError"),
    ([Fault.close_after_bytes(6400)], "SisConnectionError"),
]
"""(faults queued on the local server, the code the failure is logged with: the service's
code, else the HTTP status, else the kind of failure)."""


def fault_id(value: object) -> str | None:
    """Name a parametrized fault case by its code."""
    return value if isinstance(value, str) else None
