"""Account problems only the owner can fix become repair issues, and go again."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.huawei_cloud_sis.const import DOMAIN
from tests.helpers.recognise import HttpClient, recognise
from tests.sis_server import Fault, SisServer, synthesize

SPEECH = synthesize("开灯", tail_ms=100)


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
    client: HttpClient,
    issue_registry: ir.IssueRegistry,
    fault: Fault,
    issue: str,
) -> None:
    # A retryable code is retried once before START: fail both attempts.
    sis_server.faults += [fault, fault]
    assert (await recognise(client, SPEECH))["result"] == "error"
    issue_id = f"{issue}_{loaded_entry.entry_id}"
    found = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert found is not None
    assert found.translation_key == issue
    assert found.translation_placeholders == {
        "title": loaded_entry.title,
        "code": fault.code,
    }
    sis_server.faults.clear()
    assert (await recognise(client, SPEECH))["text"] == "开灯"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_other_errors_raise_no_issue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    client: HttpClient,
    issue_registry: ir.IssueRegistry,
) -> None:
    sis_server.faults.append(Fault.error_after_start("SIS.0301", "not match model"))
    assert (await recognise(client, SPEECH))["result"] == "error"
    assert [i for i in issue_registry.issues.values() if i.domain == DOMAIN] == []
