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


class SisPermissionError(SisAuthError):
    """The credentials are valid but may not use this API (HTTP 403).

    New credentials do not help: the IAM user needs a policy that allows the
    API. Catch it before `SisAuthError` to tell the two apart.
    """


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


class SisVocabularyError(SisServerError):
    """The service refused a hot-word table request (its SIS.02xx codes).

    SIS.0206 (saving failed) and SIS.0207 (content corrupted) arrive as this
    class; the codes a caller reacts to differently have subclasses.
    """


class SisVocabularyNotFoundError(SisVocabularyError):
    """SIS.0201: no hot-word table with this id in this project."""


class SisVocabularyWordError(SisVocabularyError):
    """SIS.0203: a word is too long or holds characters a table may not hold."""


class SisVocabularyNameTakenError(SisVocabularyError):
    """SIS.0204: the account already has a hot-word table with this name."""


class SisVocabularyLanguageError(SisVocabularyError):
    """SIS.0205: the table language is not offered here (or does not suit the model)."""


class SisVocabularyLimitError(SisVocabularyError):
    """SIS.0208: the account holds as many hot-word tables as it may."""
