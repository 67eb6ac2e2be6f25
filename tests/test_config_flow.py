"""The config flow, reauth, reconfigure and options, against the local SIS server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant import config_entries
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, translation
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.huawei_cloud_sis.const import DOMAIN
from custom_components.huawei_cloud_sis.sis import Endpoints
from tests.helpers.entry import PROJECT_ID
from tests.sis_server import (
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    SECRET_KEY,
    USERNAME,
    Fault,
    SisServer,
)

pytestmark = pytest.mark.usefixtures("sis_server")
TRANSLATIONS = Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"


async def abort_text(hass: HomeAssistant, result: ConfigFlowResult, language: str) -> str:
    """The text the frontend shows for an abort, in a language, found as the frontend finds it.

    It looks the reason up in the translations of the result's translation domain, else in
    those of the flow's handler; Home Assistant fills a missing one with English.
    """
    domain = result.get("translation_domain") or result["handler"]
    strings = await translation.async_get_translations(hass, language, "config", [domain])
    return strings[f"component.{domain}.config.abort.{result['reason']}"]


def our_abort_text(language: str, reason: str) -> str:
    data = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
    text: str = data["config"]["abort"][reason]
    return text


def endpoints(server: SisServer) -> dict[str, str]:
    return {
        "sis_endpoint": server.sis_url,
        "iam_endpoint": server.iam_url,
        "project_id": PROJECT_ID,
    }


def token_input(server: SisServer, **changes: Any) -> dict[str, Any]:
    return {
        **endpoints(server),
        "domain_name": DOMAIN_NAME,
        "username": USERNAME,
        "password": PASSWORD,
        **changes,
    }


async def start(hass: HomeAssistant, auth_type: str = "token") -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"region": "custom", "auth_type": auth_type}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "custom_endpoint"
    return str(result["flow_id"])


async def test_token_on_a_custom_endpoint(hass: HomeAssistant, sis_server: SisServer) -> None:
    flow_id = await start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, token_input(sis_server))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Huawei Cloud SIS (127.0.0.1)"
    assert result["result"].unique_id == PROJECT_ID
    assert result["data"]["project_id"] == PROJECT_ID
    assert result["data"]["password"] == PASSWORD
    probe = sis_server.sessions[-1]
    assert probe.end == {"command": "END", "cancel": True}
    assert probe.audio == b""


async def test_aksk_on_a_custom_endpoint(hass: HomeAssistant, sis_server: SisServer) -> None:
    flow_id = await start(hass, "aksk")
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {**endpoints(sis_server), "access_key": ACCESS_KEY, "secret_key": SECRET_KEY},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert set(result["data"]) == {
        "region", "auth_type", "sis_endpoint", "iam_endpoint", "access_key", "secret_key",
        "project_id",
    }  # fmt: skip
    assert sis_server.sessions[-1].auth == "aksk"


@pytest.mark.parametrize(
    ("prepare", "changes", "error"),
    [
        (None, {"password": "wrong"}, {"password": "invalid_password"}),
        (None, {"project_id": "f" * 32}, {"project_id": "invalid_project"}),
        (None, {"sis_endpoint": "ws://sis.example.com"}, {"sis_endpoint": "invalid_sis_endpoint"}),
        (None, {"iam_endpoint": "http://iam.test"}, {"iam_endpoint": "invalid_iam_endpoint"}),
        (None, {"sis_endpoint": "ws://127.0.0.1:9"}, {"base": "cannot_connect"}),
        (Fault.start_error("SIS.0103", "real name"), {}, {"base": "real_name_required"}),
        (Fault.start_error("SIS.0023", "RESTRICTED"), {}, {"base": "account_restricted"}),
        (Fault.start_error("SIS.0032", "bad"), {}, {"base": "service_error"}),
        (Fault.handshake(status=429), {}, {"base": "service_error"}),
        (Fault.start_error("SIS.0100", "account frozen"), {}, {"base": "account_frozen"}),
        (Fault.handshake(status=403), {}, {"base": "permission_denied"}),
    ],
)
async def test_errors_keep_what_was_typed(
    hass: HomeAssistant,
    sis_server: SisServer,
    prepare: Fault | None,
    changes: dict[str, Any],
    error: dict[str, str],
) -> None:
    if prepare is not None:
        sis_server.faults.append(prepare)
    flow_id = await start(hass)
    typed = token_input(sis_server, **changes)
    result = await hass.config_entries.flow.async_configure(flow_id, typed)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error
    schema = result["data_schema"]
    assert schema is not None
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema.schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested["username"] == USERNAME
    assert suggested["sis_endpoint"] == typed["sis_endpoint"]
    assert suggested["iam_endpoint"] == typed["iam_endpoint"]
    assert "password" not in suggested
    # Fix the input: the same flow goes on to create the entry.
    result = await hass.config_entries.flow.async_configure(flow_id, token_input(sis_server))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_refused_access_key_points_at_the_secret(
    hass: HomeAssistant, sis_server: SisServer
) -> None:
    flow_id = await start(hass, "aksk")
    keys = {"access_key": ACCESS_KEY, "secret_key": "wrong"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**endpoints(sis_server), **keys}
    )
    assert result["step_id"] == "custom_endpoint"
    assert result["errors"] == {"secret_key": "invalid_access_key"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**endpoints(sis_server), **keys, "secret_key": SECRET_KEY}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_service_error_shows_the_code(hass: HomeAssistant, sis_server: SisServer) -> None:
    sis_server.faults.append(Fault.start_error("SIS.0032", "bad"))
    flow_id = await start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, token_input(sis_server))
    assert result["description_placeholders"] == {"code": "SIS.0032"}


async def test_unexpected_error(hass: HomeAssistant, sis_server: SisServer) -> None:
    flow_id = await start(hass)
    with patch(
        "custom_components.huawei_cloud_sis.sis.client.SisClient.verify",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(flow_id, token_input(sis_server))
    assert result["errors"] == {"base": "unknown"}


async def test_same_project_twice(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    sis_server = loaded_entry.runtime_data.client.endpoints
    flow_id = await start(hass)
    data = token_input_from(sis_server.sis_url, sis_server.iam_url)
    result = await hass.config_entries.flow.async_configure(flow_id, data)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


def token_input_from(sis_url: str, iam_url: str) -> dict[str, Any]:
    return {
        "sis_endpoint": sis_url,
        "iam_endpoint": iam_url,
        "project_id": PROJECT_ID,
        "domain_name": DOMAIN_NAME,
        "username": USERNAME,
        "password": PASSWORD,
    }


async def test_public_region_title(hass: HomeAssistant, sis_server: SisServer) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"region": "cn-north-4", "auth_type": "aksk"}
    )
    assert result["step_id"] == "credentials"
    schema = result["data_schema"]
    assert schema is not None
    assert {str(key) for key in schema.schema} == {"access_key", "secret_key", "project_id"}


async def test_reauth(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    result = await loaded_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["name"] == USERNAME
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": "wrong"}
    )
    assert result["errors"] == {"password": "invalid_password"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    # The integration's own text ends it, in every language (not Home Assistant's generic
    # English one, which it has no Simplified Chinese for).
    for language in ("en", "zh-Hans", "zh-Hant"):
        text = await abort_text(hass, result, language)
        assert text == our_abort_text(language, "reauth_successful"), language


async def test_reauth_error_about_a_field_it_does_not_show(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    """The project cannot be changed in reauth: its error is shown above the password."""
    hass.config_entries.async_update_entry(
        loaded_entry, data={**loaded_entry.data, "project_id": "f" * 32}
    )
    result = await loaded_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": PASSWORD}
    )
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_project"}


@pytest.mark.parametrize("auth_type", ["aksk"])
async def test_reauth_wrong_account(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry, data={**loaded_entry.data, "project_id": PROJECTS["cn-east-3"]}
    )
    result = await loaded_entry.start_reauth_flow(hass)
    assert result["description_placeholders"]["name"] == ACCESS_KEY
    hass.config_entries.async_update_entry(loaded_entry, unique_id="another")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"secret_key": SECRET_KEY}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_reconfigure_keeps_the_entity(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    entity_registry: er.EntityRegistry,
) -> None:
    before = er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"region": "custom", "auth_type": "token"}
    )
    assert result["step_id"] == "custom_endpoint"
    # The password may stay empty: the stored one is kept.
    data = token_input(sis_server, username=f" {USERNAME} ")
    data.pop("password")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], data)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    for language in ("en", "zh-Hans", "zh-Hant"):
        text = await abort_text(hass, result, language)
        assert text == our_abort_text(language, "reconfigure_successful"), language
    await hass.async_block_till_done()
    assert loaded_entry.unique_id == PROJECT_ID
    assert loaded_entry.data["password"] == PASSWORD
    after = er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
    assert [e.entity_id for e in after] == [e.entity_id for e in before]


async def test_reconfigure_to_another_sign_in_method(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"region": "custom", "auth_type": "aksk"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**endpoints(sis_server), "access_key": ACCESS_KEY, "secret_key": SECRET_KEY},
    )
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.data["auth_type"] == "aksk"
    assert "password" not in loaded_entry.data


async def test_reconfigure_onto_another_project_is_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    """An entry is one project: another project is another entry, not a reconfiguration."""
    data_before = dict(loaded_entry.data)
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"region": "custom", "auth_type": "aksk"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            **endpoints(sis_server),
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "project_id": PROJECTS["cn-east-3"],
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert dict(loaded_entry.data) == data_before
    assert loaded_entry.unique_id == PROJECT_ID


async def test_public_region_finds_the_project(hass: HomeAssistant, sis_server: SisServer) -> None:
    """A public region's endpoints are Huawei's; here they lead to the local server."""

    def local(region: str) -> Endpoints:
        return Endpoints.custom(sis_server.sis_url, sis_server.iam_url, region)

    with patch.object(Endpoints, "for_region", side_effect=local):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": config_entries.SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"region": "cn-east-3", "auth_type": "aksk"}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Huawei Cloud SIS (cn-east-3)"
    assert result["data"]["project_id"] == PROJECTS["cn-east-3"]
    assert sis_server.sessions[-1].project_id == PROJECTS["cn-east-3"]
