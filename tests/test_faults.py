"""Faults of the network, the service and IAM, met through `POST /api/stt/<entity>`.

Every fault ends in a clear result within the client's bounds (the short test
timeouts of conftest), one log line without a traceback when it is an error, no
socket or task left behind, and a next recognition that works again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.huawei_cloud_sis.const import CONF_SIS_ENDPOINT, DOMAIN
from tests.helpers.checks import STT_LOGGER, failure_lines, our_tasks, wait_for
from tests.helpers.entry import PROJECT_ID, entry_data, reauth_flows
from tests.helpers.faults import SERVICE_FAULTS, fault_id
from tests.helpers.recognise import (
    HttpClient,
    chunks,
    needs_chunked_http_body,
    recognise,
    start_trace_id,
)
from tests.sis_server import Fault, IamFault, SisServer, silence, synthesize, synthesize_sentences
from tests.tls import SelfSignedServer, self_signed_context

SPEECH = synthesize("打开客厅的灯", lead_ms=300, tail_ms=300)
TWO_SENTENCES = synthesize_sentences(["打开客厅的灯", "关闭空调"])


async def assert_recovered(hass: HomeAssistant, client: HttpClient, server: SisServer) -> None:
    """Nothing is left behind and the next recognition works."""
    await hass.async_block_till_done()
    await wait_for(lambda: server.open_connections == 0, "every socket closed")
    await wait_for(lambda: our_tasks() == [], "every task of the integration ended")
    assert (await recognise(client, synthesize("关闭空调")))["text"] == "关闭空调"


def error_line(caplog: pytest.LogCaptureFixture) -> str:
    """The one error line of the failure, which carries no traceback."""
    [line] = failure_lines(caplog)
    assert line.exc_info is None
    assert line.levelno == logging.ERROR
    return line.getMessage()


# Faults of the recognition service --------------------------------------------------------


@pytest.mark.parametrize(("faults", "code"), SERVICE_FAULTS, ids=fault_id)
async def test_service_fault_is_an_error_result_with_one_log_line(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
    loaded_entry: MockConfigEntry,
    *,
    faults: list[Fault],
    code: str,
) -> None:
    sis_server.faults.extend(faults)
    answer = await recognise(client, chunks(SPEECH))
    assert answer == {"text": None, "result": "error"}
    line = error_line(caplog)
    assert f"code {code}," in line
    if sis_server.sessions and (trace_id := start_trace_id(sis_server.sessions[-1])):
        assert f"trace id {trace_id})" in line
    await hass.async_block_till_done()
    # Only a refusal of the credentials asks the user to sign in again.
    assert len(reauth_flows(hass, loaded_entry)) == (code == "HTTP 401")
    await assert_recovered(hass, client, sis_server)


@pytest.mark.parametrize(
    "fault",
    [Fault.handshake(status=500), Fault.handshake(status=503), Fault.no_start_response()],
    ids=["500", "503", "no START response"],
)
async def test_one_passing_fault_before_start_is_retried(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
) -> None:
    sis_server.faults.append(fault)
    assert await recognise(client, SPEECH) == {"text": "打开客厅的灯", "result": "success"}
    assert sis_server.handshakes == 2
    assert failure_lines(caplog) == []
    await assert_recovered(hass, client, sis_server)


async def test_error_after_start_is_followed_by_end(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer
) -> None:
    sis_server.faults.append(Fault.error_after_start(code="SIS.0301", message="not match model"))
    assert (await recognise(client, SPEECH))["result"] == "error"
    sent = [message["resp_type"] for message in map(_json, sis_server.sessions[-1].sent)]
    assert sent[-2:] == ["ERROR", "END"]
    await assert_recovered(hass, client, sis_server)


def _json(message: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(message) if isinstance(message, str | bytes) else message
    return data


async def test_end_never_answered_without_finals_is_an_error(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sis_server.faults.append(Fault.no_end_response())
    answer = await recognise(client, silence(1000))
    assert answer == {"text": None, "result": "error"}
    assert "code SisTimeoutError," in error_line(caplog)
    await assert_recovered(hass, client, sis_server)


@pytest.mark.parametrize(
    ("fault", "audio", "text"),
    [
        # The finals received before END went unanswered are the answer.
        (
            Fault.no_end_response(),
            synthesize_sentences(["打开客厅的灯", "关闭空调"]),
            "打开客厅的灯关闭空调",
        ),
        # A RESULT without a result is skipped; the real one follows.
        (Fault.result_without_result(), SPEECH, "打开客厅的灯"),
        # No final result ever comes: at END the service's last interim text is the answer.
        (Fault.interim_only(), SPEECH, "打开客厅的灯"),
    ],
    ids=["END never answered", "RESULT without result", "interim results only"],
)
async def test_fault_that_still_gives_the_text(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
    audio: bytes,
    text: str,
) -> None:
    sis_server.faults.append(fault)
    assert await recognise(client, audio) == {"text": text, "result": "success"}
    assert sis_server.sessions[-1].end == {"command": "END", "cancel": False}
    assert failure_lines(caplog) == []
    await assert_recovered(hass, client, sis_server)


@pytest.mark.parametrize(
    "options", [{"mode": "sentence-stream", "model_zh_cn": "chinese_16k_common", "vad_head": 1000}]
)
async def test_exceeded_silence_is_an_empty_success(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer
) -> None:
    assert await recognise(client, silence(3000)) == {"text": "", "result": "success"}
    sent = [message.get("event") for message in map(_json, sis_server.sessions[-1].sent)]
    assert "EXCEEDED_SILENCE" in sent
    await assert_recovered(hass, client, sis_server)


@needs_chunked_http_body
@pytest.mark.parametrize("options", [{"mode": "short-stream"}])
async def test_audio_beyond_the_limit_is_not_sent(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # 61 s of audio for a mode that takes 60 s: what fits is recognised, not refused (SIS.0309).
    audio = synthesize("打开客厅的灯", lead_ms=200, tail_ms=800) + silence(60_000)
    assert await recognise(client, chunks(audio)) == {"text": "打开客厅的灯", "result": "success"}
    session = sis_server.sessions[-1]
    assert session.end == {"command": "END", "cancel": False}
    assert len(session.audio) <= 60 * 32000
    assert "SIS.0309" not in str(session.sent)
    [warning] = [r for r in caplog.records if r.name == STT_LOGGER]
    assert "longer than short-stream mode takes (60 s)" in warning.getMessage()
    await assert_recovered(hass, client, sis_server)


# The network -----------------------------------------------------------------------------


type EntryFactory = Callable[[str], Awaitable[MockConfigEntry]]


@pytest.fixture
async def other_entry(hass: HomeAssistant, sis_server: SisServer) -> EntryFactory:
    """Set up an entry whose recognition endpoint is `sis_endpoint` (IAM stays local)."""

    async def setup(sis_endpoint: str) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Huawei Cloud SIS",
            data=entry_data(sis_server) | {CONF_SIS_ENDPOINT: sis_endpoint},
            unique_id=PROJECT_ID,
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        assert entry.state is ConfigEntryState.LOADED
        return entry

    return setup


async def fails_at(
    other_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
    endpoint: str,
    caplog: pytest.LogCaptureFixture,
) -> str:
    """Recognise with the service at `endpoint`: an error result; return its log line."""
    await other_entry(endpoint)
    answer = await recognise(await hass_client(), SPEECH)
    assert answer == {"text": None, "result": "error"}
    line = error_line(caplog)
    await wait_for(lambda: our_tasks() == [], "every task of the integration ended")
    return line


async def test_connection_refused(
    hass: HomeAssistant,
    other_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
    unused_tcp_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    line = await fails_at(other_entry, hass_client, f"ws://127.0.0.1:{unused_tcp_port}", caplog)
    assert "code SisConnectionError," in line
    assert "Cannot reach 127.0.0.1 for the connection request: ClientConnectorError" in line


@pytest.fixture
def no_such_host() -> Iterator[None]:
    """Resolve names as a resolver does for a name that does not exist.

    The machines that run the tests have no DNS; the resolver Home Assistant's
    shared session uses answers the way it answers an unknown name.
    """

    async def resolve(*_: Any, **__: Any) -> Any:
        raise OSError(None, "Domain name not found")

    with patch.object(AsyncResolver, "resolve", resolve):
        yield


async def test_dns_failure(
    hass: HomeAssistant,
    other_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
    no_such_host: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    line = await fails_at(other_entry, hass_client, "wss://sis-ext.example.invalid", caplog)
    assert "code SisConnectionError," in line
    assert "Cannot resolve the host name of sis-ext.example.invalid" in line


async def test_untrusted_certificate_is_refused(
    hass: HomeAssistant,
    other_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with SelfSignedServer(self_signed_context(tmp_path)) as tls_server:
        endpoint = f"wss://127.0.0.1:{tls_server.port}"
        line = await fails_at(other_entry, hass_client, endpoint, caplog)
        assert "code SisCertificateError," in line
        assert "The TLS certificate of 127.0.0.1 is not trusted" in line
        # Refused during the TLS handshake, and not retried.
        assert (tls_server.attempts, tls_server.completed) == (1, 0)


# Tokens and IAM ---------------------------------------------------------------------------


async def test_token_expired_at_the_handshake_is_refreshed(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    requests = sis_server.iam_token_requests
    sis_server.expire_tokens()
    assert await recognise(client, SPEECH) == {"text": "打开客厅的灯", "result": "success"}
    assert sis_server.iam_token_requests == requests + 1
    assert sis_server.handshakes == 2  # refused with 401, then accepted
    assert failure_lines(caplog) == []
    assert reauth_flows(hass, loaded_entry) == []
    await assert_recovered(hass, client, sis_server)


async def test_revoked_credentials_start_reauth(
    hass: HomeAssistant,
    client: HttpClient,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sis_server.revoke_credentials()
    answer = await recognise(client, SPEECH)
    assert answer == {"text": None, "result": "error"}
    await hass.async_block_till_done()
    assert len(reauth_flows(hass, loaded_entry)) == 1
    assert "code HTTP 401," in error_line(caplog)
    sis_server.restore_credentials()
    await assert_recovered(hass, client, sis_server)


@pytest.mark.parametrize("fault", [IamFault(status=503), IamFault(hang=True)], ids=["503", "hang"])
async def test_iam_down_while_the_token_is_valid_changes_nothing(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
    fault: IamFault,
) -> None:
    requests = sis_server.iam_token_requests
    sis_server.iam_fault = fault
    assert await recognise(client, SPEECH) == {"text": "打开客厅的灯", "result": "success"}
    assert sis_server.iam_token_requests == requests
    assert failure_lines(caplog) == []
    await assert_recovered(hass, client, sis_server)


@pytest.mark.parametrize(
    ("fault", "code"),
    [(IamFault(status=503), "HTTP 503"), (IamFault(hang=True), "SisTimeoutError")],
    ids=["503", "hang"],
)
async def test_iam_down_when_the_token_must_be_refreshed(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    fault: IamFault,
    code: str,
) -> None:
    sis_server.expire_tokens()
    sis_server.iam_fault = fault
    answer = await recognise(client, SPEECH)
    assert answer == {"text": None, "result": "error"}
    assert f"code {code}," in error_line(caplog)
    # IAM being down is not the user's credentials: no reauth.
    await hass.async_block_till_done()
    assert reauth_flows(hass, loaded_entry) == []
    # IAM is back: the next recognition fetches a token and works.
    sis_server.iam_fault = None
    await assert_recovered(hass, client, sis_server)
