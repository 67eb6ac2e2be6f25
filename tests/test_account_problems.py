"""Account problems only the owner can fix become repair issues, and go again."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.huawei_cloud_sis.const import DOMAIN
from tests.sis_server import Fault, SisServer, synthesize

HEADER = "format=wav; codec=pcm; sample_rate=16000; bit_rate=16; channel=1; language=zh-CN"


async def _recognise(hass_client: ClientSessionGenerator) -> dict[str, Any]:
    client = await hass_client()
    response = await client.post(
        "/api/stt/stt.huawei_cloud_sis_speech_to_text",
        data=synthesize("开灯", tail_ms=100),
        headers={"X-Speech-Content": HEADER},
    )
    assert response.status == 200
    result: dict[str, Any] = await response.json()
    return result


@pytest.mark.parametrize(
    ("fault", "issue"),
    [
        (Fault.start_error("SIS.0103", "real name authentication missing"), "real_name_required"),
        (Fault.start_error("SIS.0023", "product limit"), "account_restricted"),
        (Fault.start_error("SIS.0100", "resource type is RESTRICTED"), "account_restricted"),
        (Fault.error_after_start("SIS.0312", "max concurrency"), "concurrency_exceeded"),
    ],
)
async def test_issue_raised_then_cleared(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_client: ClientSessionGenerator,
    issue_registry: ir.IssueRegistry,
    fault: Fault,
    issue: str,
) -> None:
    # A retryable code is retried once before START: fail both attempts.
    sis_server.faults += [fault, fault]
    assert (await _recognise(hass_client))["result"] == "error"
    issue_id = f"{issue}_{loaded_entry.entry_id}"
    found = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert found is not None
    assert found.translation_key == issue
    assert found.translation_placeholders == {
        "title": loaded_entry.title,
        "code": fault.code,
    }
    sis_server.faults.clear()
    assert (await _recognise(hass_client))["text"] == "开灯"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_other_errors_raise_no_issue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_client: ClientSessionGenerator,
    issue_registry: ir.IssueRegistry,
) -> None:
    sis_server.faults.append(Fault.error_after_start("SIS.0301", "not match model"))
    assert (await _recognise(hass_client))["result"] == "error"
    assert [i for i in issue_registry.issues.values() if i.domain == DOMAIN] == []
