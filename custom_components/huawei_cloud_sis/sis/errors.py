"""Exceptions raised by the SIS client.

Every failure the client can report is a `SisError`. The subclasses say what
went wrong so that callers can react: ask for new credentials, retry later or
tell the user that the service refused the request. No message ever contains a
secret (password, secret key or token).
"""

from __future__ import annotations


class SisError(Exception):
    """Base class of every error raised by the SIS client."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        trace_id: str | None = None,
    ) -> None:
        """Keep the service's error code, HTTP status and trace id next to the message."""
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.trace_id = trace_id

    def __str__(self) -> str:
        """Return the message with the code, status and trace id when known."""
        details = [
            f"{name} {value}"
            for name, value in (
                ("code", self.code),
                ("HTTP", self.status),
                ("trace id", self.trace_id),
            )
            if value is not None
        ]
        return f"{self.message} ({', '.join(details)})" if details else self.message


class SisConfigError(SisError, ValueError):
    """A request was not sent because a value is outside what the service accepts."""


class SisAuthError(SisError):
    """The service refused the credentials (bad password or key, expired or revoked token)."""


class SisProjectError(SisError):
    """The project id or region does not exist for these credentials."""


class SisConnectionError(SisError):
    """The service could not be reached, or the connection broke."""


class SisCertificateError(SisConnectionError):
    """The service's TLS certificate is not trusted; retrying does not help."""


class SisTimeoutError(SisError):
    """The service did not answer within the allowed time."""


class SisServerError(SisError):
    """The service answered with an error (HTTP error, ERROR or FATAL_ERROR message)."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        trace_id: str | None = None,
        fatal: bool = False,
    ) -> None:
        """Also record whether the service closed the connection (FATAL_ERROR)."""
        super().__init__(message, code=code, status=status, trace_id=trace_id)
        self.fatal = fatal


class SisProtocolError(SisError):
    """The service sent something the protocol does not allow."""
