"""What the service and the transport said, as the library's errors; and what is worth retrying.

The one place that reads Huawei's error codes and HTTP statuses. REST calls
(IAM, hot-word tables), WebSocket handshakes and ERROR / FATAL_ERROR messages
of real-time sessions all go through it, so a status or a code means the same
wherever it arrives:

- a service code with a meaning of its own (account problems, hot-word table
  errors, refused credentials) wins over the HTTP status;
- otherwise 401 is refused credentials, 403 a missing permission, 404 an API
  that does not exist for the project, 429 throttling, 5xx a failure of the
  service and any other status a refusal;
- a refused synthesis may be about its voice or its text (`from_synthesis_failure`).
"""

from __future__ import annotations

from typing import Final

import aiohttp

from .errors import (
    AccountProblem,
    SisAccountError,
    SisAuthError,
    SisCertificateError,
    SisConnectionError,
    SisError,
    SisMarkupError,
    SisPermissionError,
    SisProjectError,
    SisProtocolError,
    SisServerError,
    SisThrottledError,
    SisTimeoutError,
    SisVocabularyError,
    SisVocabularyLanguageError,
    SisVocabularyLimitError,
    SisVocabularyNameTakenError,
    SisVocabularyNotFoundError,
    SisVocabularyWordError,
    SisVoiceRefusedError,
)

CREDENTIAL_CODES: Final = frozenset({"SIS.0101", "SIS.0102"})
"""Token verification failed, or no credentials: the token or key is not accepted."""
ACCOUNT_CODES: Final[dict[str, AccountProblem]] = {
    "SIS.0103": AccountProblem.REAL_NAME,
    "SIS.0022": AccountProblem.ARREARS,
    "SIS.0023": AccountProblem.ARREARS,
    "SIS.0024": AccountProblem.ARREARS,
    "SIS.0312": AccountProblem.CONCURRENCY,
}
"""Codes that only the account's owner can do something about."""
ACCOUNT_MESSAGES: Final[tuple[tuple[str, AccountProblem], ...]] = (
    # No code of its own is documented for these: Huawei's FAQ quotes the message.
    ("RESTRICTED", AccountProblem.ARREARS),
    ("FROZEN", AccountProblem.FROZEN),
    ("冻结", AccountProblem.FROZEN),
)
VOCABULARY_CODES: Final[dict[str, type[SisVocabularyError]]] = {
    "SIS.0201": SisVocabularyNotFoundError,
    "SIS.0203": SisVocabularyWordError,
    "SIS.0204": SisVocabularyNameTakenError,
    "SIS.0205": SisVocabularyLanguageError,
    "SIS.0208": SisVocabularyLimitError,
}
"""Hot-word table codes a caller reacts to; other SIS.02xx codes are `SisVocabularyError`."""
RETRYABLE_CODES: Final = frozenset(
    {
        # Recognition and both: engine time-out, internal error, engine faults.
        *("SIS.0033", "SIS.0100", "SIS.0302", "SIS.0303", "SIS.0305", "SIS.0306", "SIS.0307"),
        # Synthesis: synthesis failed, engine unreachable, internal error, time-out, engine error.
        *("SIS.0401", "SIS.0412", "SIS.0413", "SIS.0414", "SIS.0417"),
    }
)
"""Service codes that mean "try again"."""
VOICE_CODES: Final = frozenset({"SIS.0411"})
"""The error table's code for a premium voice used against its constraints: what real-time
synthesis answers a voice it does not take with (disputed point T1; the product never sends
what the constraints forbid, such as a pitch for a premium voice)."""
VOICE_WORDS: Final = ("property",)
"""A refusal whose message names the START field of the voice is about the voice, whatever its
code (SIS.0032 "'property' is invalid", the generic code for a bad field)."""
MARKUP_CODES: Final = frozenset({"SIS.0419"})
""""Illegal SSML: the text holds illegal characters" (the current error table; T3)."""


_BY_STATUS: Final[dict[int, tuple[type[SisError], str]]] = {
    401: (SisAuthError, "refused the credentials of the {what} request"),
    403: (SisPermissionError, "does not allow the {what} request"),
    404: (SisProjectError, "has no such API for this project ({what} request)"),
    429: (SisThrottledError, "is throttling requests ({what} request)"),
}
"""What a status means when the answer's code has no meaning of its own."""


def _account_problem(code: str | None, message: str) -> AccountProblem | None:
    if code in ACCOUNT_CODES:
        return ACCOUNT_CODES[code]
    upper = message.upper()
    return next((problem for text, problem in ACCOUNT_MESSAGES if text in upper), None)


def _coded_error(
    code: str | None,
    message: str,
    *,
    status: int | None,
    trace_id: str | None,
    fatal: bool,
) -> SisError | None:
    """Return the error a code (or a quoted message) stands for, None if it has no meaning here."""
    if code in CREDENTIAL_CODES:
        return SisAuthError(message, code=code, status=status, trace_id=trace_id)
    if (problem := _account_problem(code, message)) is not None:
        return SisAccountError(
            message, problem=problem, code=code, status=status, trace_id=trace_id, fatal=fatal
        )
    if code is not None and code.startswith("SIS.02"):
        kind = VOCABULARY_CODES.get(code, SisVocabularyError)
        return kind(message, code=code, status=status, trace_id=trace_id, fatal=fatal)
    return None


def from_service_message(
    code: str | None, message: str, *, trace_id: str | None = None, fatal: bool = False
) -> SisError:
    """Return the error of an ERROR or FATAL_ERROR message of a real-time session."""
    text = message or "The service refused the request"
    found = _coded_error(code, text, status=None, trace_id=trace_id, fatal=fatal)
    return found or SisServerError(text, code=code, trace_id=trace_id, fatal=fatal)


def from_status(
    status: int,
    *,
    service: str,
    what: str,
    code: str | None = None,
    message: str | None = None,
) -> SisError:
    """Return the error of an HTTP answer that is not a success, REST or WebSocket handshake.

    `service` and `what` name who answered which request in the message; `code`
    and `message` come from the answer's body when there is one (aiohttp drops
    the body of a refused WebSocket upgrade).
    """
    text = message or f"HTTP {status}"
    found = _coded_error(
        code,
        f"{service} refused the {what} request: {text}",
        status=status,
        trace_id=None,
        fatal=False,
    )
    if found is not None:
        return found
    if not 300 <= status < 600:
        return SisProtocolError(f"{service} answered the {what} request with HTTP {status}")
    if status in _BY_STATUS:
        kind, wording = _BY_STATUS[status]
    elif status >= 500:
        kind, wording = SisServerError, "failed the {what} request"
    else:
        kind, wording = SisServerError, "refused the {what} request"
    return kind(f"{service} {wording.format(what=what)}: {text}", code=code, status=status)


def from_transport(err: BaseException, *, service: str, what: str, timeout: float) -> SisError:
    """Return the error of a request that got no answer: time-out, TLS, DNS, connection.

    A refused WebSocket upgrade is an answer: its status is mapped by `from_status`.
    """
    if isinstance(err, TimeoutError):
        return SisTimeoutError(f"{service} did not answer the {what} request within {timeout:g} s")
    if isinstance(err, aiohttp.WSServerHandshakeError):
        if err.status == 101:
            return SisProtocolError(f"{service} answered the {what} request with a bad handshake")
        return from_status(err.status, service=service, what=what)
    if isinstance(err, aiohttp.ClientConnectorCertificateError):
        return SisCertificateError(f"The TLS certificate of {service} is not trusted ({what})")
    if isinstance(err, aiohttp.ClientConnectorDNSError):
        return SisConnectionError(f"Cannot resolve the host name of {service} ({what})")
    return SisConnectionError(
        f"Cannot reach {service} for the {what} request: {type(err).__name__}"
    )


def worth_retrying(err: SisError) -> bool:
    """Whether sending the same request again may succeed where `err` ended it.

    True for a time-out, a broken or refused connection (not an untrusted
    certificate), a failure of the service (5xx) and the service codes that
    mean "try again". Such a failure also leaves open whether the request took
    effect. Refused credentials are a matter of a new token (see
    `token_refresh_may_help`), not of sending again.
    """
    if isinstance(err, SisTimeoutError):
        return True
    if isinstance(err, SisConnectionError):
        return not isinstance(err, SisCertificateError)
    if isinstance(err, SisThrottledError | SisAccountError | SisVocabularyError):
        return False
    if isinstance(err, SisServerError):
        return (err.status or 0) >= 500 or err.code in RETRYABLE_CODES
    return False


def from_synthesis_failure(err: SisError, voice: str) -> SisError:
    """Return what a failed synthesis with `voice` means: the voice, the text, or `err` itself.

    Only a plain refusal of the service counts (not an account problem, the
    credentials or a failure worth retrying): SIS.0419 is the text's SSML
    (`SisMarkupError`); SIS.0411, or a message naming `property` or the voice,
    is the voice (`SisVoiceRefusedError`).
    """
    if type(err) is not SisServerError or worth_retrying(err):
        return err
    if err.code in MARKUP_CODES:
        return SisMarkupError(err.message, code=err.code, trace_id=err.trace_id, fatal=err.fatal)
    message = err.message.lower()
    if (
        err.code in VOICE_CODES
        or voice.lower() in message
        or any(word in message for word in VOICE_WORDS)
    ):
        return SisVoiceRefusedError(
            err.message, voice=voice, code=err.code, trace_id=err.trace_id, fatal=err.fatal
        )
    return err


def token_refresh_may_help(err: SisError) -> bool:
    """Whether a new token may get the request through: the gateway refused the old one (401)."""
    return isinstance(err, SisAuthError) and err.status == 401


def may_concern_vocabulary(err: SisError) -> bool:
    """Whether a refused START that named a hot-word table may have been refused because of it.

    Huawei documents SIS.0201 for a table that is gone only for the REST API;
    a START naming one may get that, another code about the config, or
    nothing at all. Any refusal of the request itself counts, so that the
    table is checked; failures of the service, the account or the credentials
    do not.
    """
    if isinstance(err, SisVocabularyError):
        return True
    if type(err) is not SisServerError:
        return False
    return not worth_retrying(err)
