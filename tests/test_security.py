"""Secrets never leave the config entry, and connections are never unencrypted or unverified.

One walk through the life of an entry (set up, recognise, token expiry, service
errors, credentials revoked, reauth with a wrong then the right secret,
diagnostics) with every logger at DEBUG; then the logs, the diagnostics, the
exceptions and the representations of everything the entry holds are searched
for the password, the secret key and every token IAM handed out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import logging
from pathlib import Path
import traceback

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.huawei_cloud_sis import create_client
from custom_components.huawei_cloud_sis.const import CONF_PASSWORD, CONF_SECRET_KEY
from custom_components.huawei_cloud_sis.sis import (
    AudioFormat,
    Endpoints,
    RecognitionConfig,
    RecognitionMode,
    SisConfigError,
    SisError,
)
from tests.helpers.checks import wait_for
from tests.helpers.entry import entry_data, reauth_flows
from tests.helpers.recognise import HttpClient, recognise
from tests.sis_server import PASSWORD, SECRET_KEY, Fault, SisServer, synthesize

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "huawei_cloud_sis"
WRONG_SECRET = "Wr0ng-but-still-secret"
PROBE_CONFIG = RecognitionConfig(audio_format=AudioFormat.PCM16K16BIT, model="chinese_16k_general")


def secrets_of(server: SisServer) -> list[str]:
    """Everything that must stay secret: credentials, a mistyped one, and every token."""
    found = [PASSWORD, SECRET_KEY, WRONG_SECRET, *server.accounts.issued]
    assert all(len(secret) >= 12 for secret in found)
    return found


def assert_no_secret(text: str, server: SisServer, where: str) -> None:
    """Fail without printing the secret that was found (CI logs are public)."""
    found = [index for index, secret in enumerate(secrets_of(server)) if secret in text]
    assert found == [], f"secrets number {found} of secrets_of() appear in {where}"


def exception_chain_text(err: BaseException) -> str:
    """The message, repr, arguments and traceback of an exception and of its causes."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        parts.append("".join(traceback.format_exception(current)))
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG from before the entry is set up."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
async def diagnostics_view(hass: HomeAssistant) -> None:
    """Serve diagnostics over HTTP (before the test client freezes the routes)."""
    assert await async_setup_component(hass, "diagnostics", {})


def all_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every log record as text, with arguments and tracebacks."""
    parts = [caplog.text]
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), record.exc_text or ""]
    return "\n".join(parts)


@pytest.mark.parametrize("auth_type", ["token", "aksk"])
async def test_a_whole_life_leaks_no_secret(
    debug_logs: pytest.LogCaptureFixture,
    hass: HomeAssistant,
    diagnostics_view: None,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    hass_client: ClientSessionGenerator,
    sis_server: SisServer,
    auth_type: str,
) -> None:
    speech = synthesize("打开客厅的灯", tail_ms=300)
    assert (await recognise(client, speech))["text"] == "打开客厅的灯"
    sis_server.expire_tokens()
    assert (await recognise(client, speech))["text"] == "打开客厅的灯"
    sis_server.faults.append(Fault.error_after_start(code="SIS.0301", message="not match model"))
    assert (await recognise(client, speech))["result"] == "error"
    sis_server.faults.append(Fault.handshake(status=401))
    sis_server.faults.append(Fault.handshake(status=403))
    assert (await recognise(client, speech))["result"] == "error"

    # The credentials stop working: reauth starts; a wrong secret, then the right one.
    sis_server.revoke_credentials()
    assert (await recognise(client, speech))["result"] == "error"
    await hass.async_block_till_done()
    [flow] = reauth_flows(hass, loaded_entry)
    secret = CONF_PASSWORD if auth_type == "token" else CONF_SECRET_KEY
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {secret: WRONG_SECRET})
    refused = "invalid_password" if auth_type == "token" else "invalid_access_key"
    assert result["errors"] == {secret: refused}
    assert_no_secret(repr(result), sis_server, "the reauth form")
    sis_server.restore_credentials()
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {secret: PASSWORD if auth_type == "token" else SECRET_KEY}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert (await recognise(await hass_client(), speech))["text"] == "打开客厅的灯"

    # Diagnostics, as the UI downloads them.
    http = await hass_client()
    response = await http.get(f"/api/diagnostics/config_entry/{loaded_entry.entry_id}")
    assert response.status == 200
    diagnostics = await response.text()
    assert '"recent_recognitions"' in diagnostics
    assert_no_secret(diagnostics, sis_server, "the diagnostics")

    # What the entry holds, as a log line or a debugger would show it.
    data = loaded_entry.runtime_data
    shown = [repr(loaded_entry), str(loaded_entry.as_dict().keys()), repr(data), repr(data.client)]
    shown += [repr(data.client.auth), repr(data.client.endpoints), *map(repr, data.recent)]
    shown.append(repr(data.client.session(RecognitionMode.SHORT_STREAM, PROBE_CONFIG)))
    assert_no_secret("\n".join(shown), sis_server, "a repr")

    # The logs of all of it, every logger at DEBUG, tracebacks included.
    await wait_for(lambda: sis_server.open_connections == 0, "every socket closed")
    assert len(sis_server.accounts.issued) >= (3 if auth_type == "token" else 0)
    assert_no_secret(all_logged(debug_logs), sis_server, "the log")


@pytest.mark.parametrize("auth_type", ["token", "aksk"])
async def test_exceptions_carry_no_secret(
    hass: HomeAssistant, sis_server: SisServer, auth_type: str
) -> None:
    async with aiohttp.ClientSession() as http:
        client = create_client(http, entry_data(sis_server, auth_type))
        await client.verify()
        sis_server.revoke_credentials()
        sis_server.faults.append(Fault.handshake(status=401))
        errors: list[BaseException] = []
        with pytest.raises(SisError) as info:
            await client.verify()
        errors.append(info.value)
        with pytest.raises(SisError) as info:
            await client.probe(RecognitionMode.SHORT_STREAM, PROBE_CONFIG)
        errors.append(info.value)
    text = "\n".join(exception_chain_text(err) for err in errors)
    assert "refused" in text
    assert_no_secret(text, sis_server, "an exception")


# Encryption and verification --------------------------------------------------------------


@pytest.mark.parametrize(
    ("sis", "iam"),
    [
        ("ws://sis.example.com", "https://iam.example.com"),
        ("wss://sis.example.com", "http://iam.example.com"),
        ("ws://192.168.1.20:8790", "http://192.168.1.20:8790"),
    ],
)
def test_plain_connections_only_to_this_machine(sis: str, iam: str) -> None:
    with pytest.raises(SisConfigError):
        Endpoints.custom(sis, iam)
    assert Endpoints.custom("ws://127.0.0.1:8790", "http://[::1]:8790").sis_url


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


@pytest.mark.parametrize("path", sorted(INTEGRATION.rglob("*.py")), ids=lambda p: p.name)
def test_certificate_checks_are_never_turned_off(path: Path) -> None:
    """No call passes `ssl=False`, `verify_ssl=False` or a context without checks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for call in _calls(tree):
        for keyword in call.keywords:
            if keyword.arg in {"ssl", "verify_ssl"}:
                assert not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ), f"{path.name}:{call.lineno} turns certificate checks off"
    source = path.read_text(encoding="utf-8")
    for weak in ("CERT_NONE", "check_hostname = False", "_create_unverified_context"):
        assert weak not in source, f"{path.name} weakens TLS with {weak}"
