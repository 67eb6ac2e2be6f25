"""What a status, a service code or a transport failure means: one mapper for REST and WebSocket."""

from __future__ import annotations

import ssl
from unittest.mock import Mock

import aiohttp
import pytest

from custom_components.huawei_cloud_sis.sis import (
    AccountProblem,
    AkSkAuth,
    AudioFormat,
    Endpoints,
    RecognitionConfig,
    RecognitionMode,
    SisAccountError,
    SisAuthError,
    SisCertificateError,
    SisClient,
    SisConnectionError,
    SisError,
    SisPermissionError,
    SisProjectError,
    SisProtocolError,
    SisServerError,
    SisSourceError,
    SisThrottledError,
    SisTimeoutError,
    SisVocabularyError,
    SisVocabularyLanguageError,
    SisVocabularyLimitError,
    SisVocabularyNameTakenError,
    SisVocabularyNotFoundError,
    SisVocabularyWordError,
    Timeouts,
    may_concern_vocabulary,
    worth_retrying,
)
from custom_components.huawei_cloud_sis.sis.error_mapping import (
    from_service_message,
    from_status,
    from_transport,
    token_refresh_may_help,
)
from tests.sis_server import ACCESS_KEY, PROJECTS, SECRET_KEY, Fault, RestFault, SisServer

STATUSES: list[tuple[int, type[SisError]]] = [
    (400, SisServerError),
    (401, SisAuthError),
    (403, SisPermissionError),
    (404, SisProjectError),
    (405, SisServerError),
    (413, SisServerError),
    (429, SisThrottledError),
    (500, SisServerError),
    (502, SisServerError),
    (503, SisServerError),
    (504, SisServerError),
]


@pytest.mark.parametrize(("status", "kind"), STATUSES)
def test_each_status_without_a_code(status: int, kind: type[SisError]) -> None:
    error = from_status(status, service="SIS", what="test")
    assert type(error) is kind
    assert error.status == status
    assert error.label == f"HTTP {status}"
    assert "SIS" in error.message
    assert "test" in error.message


@pytest.mark.parametrize("status", [101, 200, 204, 600])
def test_a_status_that_is_no_error_answer_is_a_protocol_error(status: int) -> None:
    assert type(from_status(status, service="SIS", what="test")) is SisProtocolError


def test_a_redirect_is_a_refusal() -> None:
    assert type(from_status(302, service="SIS", what="test")) is SisServerError


CODES: list[tuple[str, str, type[SisError]]] = [
    ("SIS.0101", "token verification failed", SisAuthError),
    ("SIS.0102", "auth info missing", SisAuthError),
    ("SIS.0103", "real name authentication missing", SisAccountError),
    ("SIS.0022", "product limit", SisAccountError),
    ("SIS.0023", "product limit", SisAccountError),
    ("SIS.0024", "product limit", SisAccountError),
    ("SIS.0312", "max concurrency", SisAccountError),
    ("SIS.0100", "resource type is RESTRICTED", SisAccountError),
    ("SIS.0100", "the account is frozen", SisAccountError),
    ("SIS.0201", "vocabulary not found", SisVocabularyNotFoundError),
    ("SIS.0203", "word illegal", SisVocabularyWordError),
    ("SIS.0204", "name exists", SisVocabularyNameTakenError),
    ("SIS.0205", "language not supported", SisVocabularyLanguageError),
    ("SIS.0206", "saving failed", SisVocabularyError),
    ("SIS.0208", "too many", SisVocabularyLimitError),
    ("SIS.0301", "audio_format is not match model", SisServerError),
    ("SIS.0305", "recognition error", SisServerError),
]


@pytest.mark.parametrize(("code", "message", "kind"), CODES)
def test_a_code_means_the_same_in_a_session_and_in_a_rest_answer(
    code: str, message: str, kind: type[SisError]
) -> None:
    in_session = from_service_message(code, message, trace_id="t", fatal=True)
    in_rest = from_status(400, service="SIS", what="test", code=code, message=message)
    assert type(in_session) is type(in_rest) is kind
    assert in_session.code == in_rest.code == code
    assert in_session.trace_id == "t"
    assert message in in_session.message
    assert message in in_rest.message
    if isinstance(in_session, SisServerError):
        assert in_session.fatal


@pytest.mark.parametrize(
    ("code", "message", "problem"),
    [
        ("SIS.0103", "real name authentication missing", AccountProblem.REAL_NAME),
        ("SIS.0023", "product limit", AccountProblem.ARREARS),
        (None, "resource type is RESTRICTED", AccountProblem.ARREARS),
        ("SIS.0100", "The account is frozen", AccountProblem.FROZEN),
        ("SIS.0100", "账号已冻结", AccountProblem.FROZEN),
        ("SIS.0312", "max concurrency", AccountProblem.CONCURRENCY),
    ],
)
def test_account_problems(code: str | None, message: str, problem: AccountProblem) -> None:
    error = from_service_message(code, message)
    assert isinstance(error, SisAccountError)
    assert error.problem is problem


def test_a_code_with_a_meaning_wins_over_the_status() -> None:
    # An account problem answered with 403 is the account, not a permission.
    error = from_status(403, service="SIS", what="test", code="SIS.0103", message="real name")
    assert isinstance(error, SisAccountError)
    # API Gateway's own codes have no meaning of their own: the status decides.
    gateway = from_status(401, service="SIS", what="test", code="APIG.0301", message="expired")
    assert type(gateway) is SisAuthError
    assert gateway.code == "APIG.0301"


def test_an_error_message_without_text() -> None:
    error = from_service_message("SIS.0032", "")
    assert error.message == "The service refused the request"


def _key() -> Mock:
    return Mock(host="sis.example", port=443, ssl=True)


TRANSPORT: list[tuple[BaseException, type[SisError]]] = [
    (TimeoutError(), SisTimeoutError),
    (
        aiohttp.ClientConnectorCertificateError(_key(), ssl.SSLCertVerificationError()),
        SisCertificateError,
    ),
    (aiohttp.ClientConnectorDNSError(_key(), OSError("no such host")), SisConnectionError),
    (aiohttp.ClientConnectorError(_key(), OSError("refused")), SisConnectionError),
    (aiohttp.ServerDisconnectedError(), SisConnectionError),
    (aiohttp.ClientPayloadError("cut"), SisConnectionError),
    (ConnectionResetError(), SisConnectionError),
    (OSError("network unreachable"), SisConnectionError),
]


@pytest.mark.parametrize(("failure", "kind"), TRANSPORT, ids=lambda v: type(v).__name__)
def test_each_transport_failure(failure: BaseException, kind: type[SisError]) -> None:
    error = from_transport(failure, service="sis.example", what="test", timeout=2.0)
    assert type(error) is kind
    assert "sis.example" in error.message
    if kind is SisTimeoutError:
        assert "2 s" in error.message


@pytest.mark.parametrize(("status", "kind"), [(101, SisProtocolError), *STATUSES])
def test_a_refused_upgrade_maps_like_a_rest_answer(status: int, kind: type[SisError]) -> None:
    refused = aiohttp.WSServerHandshakeError(Mock(), (), status=status, message="refused")
    error = from_transport(refused, service="sis.example", what="connection", timeout=2.0)
    assert type(error) is kind


RETRY: list[tuple[SisError, bool]] = [
    (SisTimeoutError("slow"), True),
    (SisConnectionError("broken"), True),
    (SisCertificateError("untrusted"), False),
    (SisServerError("failed", status=503), True),
    (SisServerError("refused", status=400), False),
    (SisServerError("engine", code="SIS.0303"), True),
    (SisServerError("bad config", code="SIS.0032"), False),
    (SisThrottledError("slow down", status=429), False),
    (SisAccountError("arrears", problem=AccountProblem.ARREARS, status=500), False),
    (SisVocabularyNotFoundError("gone", code="SIS.0201"), False),
    (SisAuthError("refused", status=401), False),
    (SisPermissionError("forbidden", status=403), False),
    (SisProjectError("no project", status=404), False),
    (SisProtocolError("nonsense"), False),
    (SisSourceError("the microphone"), False),
]


@pytest.mark.parametrize(("error", "expected"), RETRY, ids=lambda v: getattr(v, "message", ""))
def test_one_rule_for_retrying(error: SisError, *, expected: bool) -> None:
    assert worth_retrying(error) is expected


def test_only_a_refused_token_is_worth_a_new_one() -> None:
    assert token_refresh_may_help(SisAuthError("expired", status=401))
    assert not token_refresh_may_help(SisAuthError("token verification failed", code="SIS.0101"))
    assert not token_refresh_may_help(SisPermissionError("forbidden", status=403))


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (SisVocabularyNotFoundError("gone", code="SIS.0201"), True),
        (SisServerError("'vocabulary_id' is invalid", code="SIS.0032"), True),
        (SisServerError("engine", code="SIS.0303"), False),
        (SisServerError("failed", status=502), False),
        (SisAccountError("arrears", problem=AccountProblem.ARREARS), False),
        (SisAuthError("refused", status=401), False),
        (SisTimeoutError("slow"), False),
    ],
)
def test_which_start_refusals_may_concern_a_hot_word_table(
    error: SisError, *, expected: bool
) -> None:
    assert may_concern_vocabulary(error) is expected


def test_a_failing_source_is_labelled_by_its_own_kind() -> None:
    class MicrophoneGone(Exception):
        pass

    error = SisSourceError.of(MicrophoneGone("unplugged"))
    assert error.label == "MicrophoneGone"
    assert error.message == "unplugged"
    assert isinstance(error.__cause__, MicrophoneGone)
    assert SisSourceError("plain").label == "SisSourceError"


# --- the same status met through both transports, against the local server ----------------


@pytest.fixture
def client(server: SisServer, http: aiohttp.ClientSession) -> SisClient:
    endpoints = Endpoints.custom(server.sis_url, server.iam_url, "cn-north-4")
    auth = AkSkAuth(
        http,
        endpoints.iam_url,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        project_id=PROJECTS["cn-north-4"],
    )
    timeouts = Timeouts(connect=1.0, start=1.0, opening=2.0, end=1.0, close=0.5, rest=1.0)
    return SisClient(http, auth, endpoints, timeouts=timeouts)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, SisAuthError),
        (403, SisPermissionError),
        (404, SisProjectError),
        (429, SisThrottledError),
        (503, SisServerError),
    ],
)
async def test_rest_and_websocket_alike(
    client: SisClient, server: SisServer, status: int, kind: type[SisError]
) -> None:
    server.vocabulary_faults += [RestFault.answer(status)] * 2
    with pytest.raises(SisError) as rest:
        await client.vocabularies.get("CFD08A32-6176-4ad7-92F9-11ED015C8109")
    server.faults += [Fault.handshake(status=status)] * 2
    config = RecognitionConfig(audio_format=AudioFormat.PCM16K16BIT, model="chinese_16k_general")
    with pytest.raises(SisError) as websocket:
        await client.probe(RecognitionMode.SHORT_STREAM, config)
    assert type(rest.value) is type(websocket.value) is kind
    assert rest.value.status == websocket.value.status == status
