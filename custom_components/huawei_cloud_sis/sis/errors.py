"""Exceptions raised by the SIS client, one class for each thing a caller does about it.

Every failure the client reports is a `SisError`; its class says what it
means, so that no caller has to read codes or HTTP statuses:

- `SisAuthError`: the credentials were refused: new ones may help (reauth).
- `SisPermissionError`: the credentials are fine but may not do this: new ones
  do not help; the account's owner must grant a policy.
- `SisAccountError`: the account cannot use the service now (arrears, frozen,
  real-name authentication missing, concurrency quota); its `problem` says which.
- `SisVocabularyNotFoundError`: a hot-word table is gone.
- `SisVoiceRefusedError`: real-time synthesis does not take the voice here;
  another voice may speak the text.
- `SisMarkupError`: the text holds characters the service reads as SSML; the
  text without them may be spoken.
- `SisConnectionError`, `SisTimeoutError`: the service was not reached, or did
  not answer in time.
- `SisServerError`: any other refusal or failure of the service.

`error_mapping` turns what the service or the transport said into these
classes, in one place, and says which of them are worth retrying. No message
ever contains a secret (password, secret key or token).
"""

from __future__ import annotations

from enum import StrEnum


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

    @property
    def label(self) -> str:
        """A short name of the failure for logs and counters: the code, else the status or kind."""
        if self.code:
            return self.code
        return f"HTTP {self.status}" if self.status else type(self).__name__


class SisConfigError(SisError, ValueError):
    """A request was not sent because a value is outside what the service accepts."""


class SisAuthError(SisError):
    """The service refused the credentials (bad password or key, expired or revoked token).

    New credentials may help: this is the error that asks for re-authentication.
    """


class SisPermissionError(SisError):
    """The credentials are valid but may not do this (HTTP 403, a policy or an allow list).

    New credentials do not help: the IAM user needs a policy that allows the
    API, or the account's owner must lift a restriction.
    """


class SisProjectError(SisError):
    """The project id or region does not exist for these credentials."""


class SisConnectionError(SisError):
    """The service could not be reached, or the connection broke."""


class SisCertificateError(SisConnectionError):
    """The service's TLS certificate is not trusted; retrying does not help."""


class SisTimeoutError(SisError):
    """The service did not answer within the allowed time."""


class SisProtocolError(SisError):
    """The service sent something the protocol does not allow."""


class SisSourceError(SisError):
    """The audio (or text) handed to the client failed: the service is not to blame.

    The original exception is the `__cause__`; the message is its message.
    """

    @classmethod
    def of(cls, err: Exception) -> SisSourceError:
        """Return the error that a failure of the source stands for."""
        error = cls(str(err) or type(err).__name__)
        error.__cause__ = err
        return error

    @property
    def label(self) -> str:
        """The kind of the source's own failure."""
        return type(self.__cause__).__name__ if self.__cause__ else type(self).__name__


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


class SisThrottledError(SisServerError):
    """The service or its gateway refuses requests for a while (HTTP 429)."""


class AccountProblem(StrEnum):
    """Why an account cannot use the service now; only its owner can change it."""

    REAL_NAME = "real_name"
    """SIS.0103: the China site needs real-name authentication."""
    ARREARS = "arrears"
    """SIS.0022-0024 or a RESTRICTED resource: in arrears, or no package for this region."""
    FROZEN = "frozen"
    """The account is frozen (after arrears, or by Huawei Cloud)."""
    CONCURRENCY = "concurrency"
    """SIS.0312: more sessions at once than the account's quota allows."""


class SisAccountError(SisServerError):
    """The account cannot use the service now; `problem` says why."""

    def __init__(
        self,
        message: str,
        *,
        problem: AccountProblem,
        code: str | None = None,
        status: int | None = None,
        trace_id: str | None = None,
        fatal: bool = False,
    ) -> None:
        """Also record the account problem."""
        super().__init__(message, code=code, status=status, trace_id=trace_id, fatal=fatal)
        self.problem = problem


class SisVocabularyError(SisServerError):
    """The service refused a hot-word table request (its SIS.02xx codes).

    SIS.0206 (saving failed) and SIS.0207 (content corrupted) arrive as this
    class; the codes a caller reacts to differently have subclasses.
    """


class SisVocabularyNotFoundError(SisVocabularyError):
    """SIS.0201: no hot-word table with this id in this project (it is gone)."""


class SisVocabularyWordError(SisVocabularyError):
    """SIS.0203: a word is too long or holds characters a table may not hold."""


class SisVocabularyNameTakenError(SisVocabularyError):
    """SIS.0204: the account already has a hot-word table with this name."""


class SisVocabularyLanguageError(SisVocabularyError):
    """SIS.0205: the table language is not offered here (or does not suit the model)."""


class SisVocabularyLimitError(SisVocabularyError):
    """SIS.0208: the account holds as many hot-word tables as it may."""


class SisVoiceRefusedError(SisServerError):
    """Real-time synthesis refused the voice (`property`): it does not take it here.

    SIS.0411, or any refusal of a START that names the voice or `property`.
    Another voice may speak the same text.
    """

    def __init__(
        self,
        message: str,
        *,
        voice: str,
        code: str | None = None,
        trace_id: str | None = None,
        fatal: bool = False,
    ) -> None:
        """Also record the voice that was refused."""
        super().__init__(message, code=code, trace_id=trace_id, fatal=fatal)
        self.voice = voice


class SisMarkupError(SisServerError):
    """SIS.0419, "illegal SSML": the text holds `<`, `>` or `&`, which the service parses.

    The same text without those characters may be spoken.
    """
