"""Diagnostics: useful figures, and never a secret."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.huawei_cloud_sis.diagnostics import async_get_config_entry_diagnostics
from custom_components.huawei_cloud_sis.sis import TokenAuth
from tests.helpers.recognise import HttpClient, recognise
from tests.sis_server import (
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    SECRET_KEY,
    USERNAME,
    Fault,
    SisServer,
    synthesize,
)


@pytest.mark.parametrize("auth_type", ["token", "aksk"])
async def test_diagnostics_hold_no_secret(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    client: HttpClient,
    auth_type: str,
) -> None:
    assert (await recognise(client, synthesize("打开灯", tail_ms=100)))["text"] == "打开灯"
    sis_server.faults.append(Fault.error_after_start(code="SIS.0301", message="not match"))
    assert (await recognise(client, synthesize("x")))["result"] == "error"
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    text = json.dumps(diagnostics)
    secrets = [PASSWORD, SECRET_KEY, ACCESS_KEY, USERNAME, DOMAIN_NAME]
    auth = loaded_entry.runtime_data.client.auth
    if isinstance(auth, TokenAuth):
        secrets.append((await auth.token()).value)
        assert diagnostics["auth"]["token_expires_at"]
    for secret in secrets:
        assert secret not in text
    assert diagnostics["endpoints"]["sis"] == sis_server.sis_url
    first, second = diagnostics["recent_recognitions"]
    assert first["mode"] == "short-stream"
    assert first["model"] == "chinese_16k_general"
    assert first["final_segments"] == 1
    assert first["error_code"] is None
    assert first["connect_seconds"] is not None
    assert first["end_of_audio_to_final_seconds"] is not None
    assert second["error_code"] == "SIS.0301"
    assert (first["answered_early"], first["silence_saved_seconds"]) == (False, None)
    assert diagnostics["early_answers"] == {
        "enabled": False,
        "answered": 0,
        "silence_saved_seconds": 0.0,
    }


async def test_diagnostics_through_the_http_api(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    # The HTTP client is made once the diagnostics view exists.
    assert await async_setup_component(hass, "diagnostics", {})
    client = await hass_client()
    response = await client.get(f"/api/diagnostics/config_entry/{loaded_entry.entry_id}")
    assert response.status == 200
    body = await response.text()
    assert PASSWORD not in body
    assert "**REDACTED**" in body
