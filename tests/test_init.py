"""Setting up and unloading a config entry."""

from __future__ import annotations

import aiohttp
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.huawei_cloud_sis import HuaweiSisData, create_client
from custom_components.huawei_cloud_sis.const import (
    AUTH_TYPE_AKSK,
    CONF_AUTH_TYPE,
    CONF_IAM_ENDPOINT,
    CONF_PASSWORD,
    CONF_PROJECT_ID,
    CONF_REGION,
    CONF_SIS_ENDPOINT,
    DOMAIN,
)
from custom_components.huawei_cloud_sis.sis import (
    AkSkAuth,
    SisConfigError,
    SisProjectError,
    TableLanguage,
    TokenAuth,
)
from tests.helpers.entry import entry_data, reauth_flows
from tests.helpers.raw_client import create_table
from tests.sis_server import IamFault, SisServer

ENTITY_ID = "stt.huawei_cloud_sis_speech_to_text"


def state_of(entry: ConfigEntry) -> ConfigEntryState:
    """The entry's state, read afresh."""
    return entry.state


@pytest.mark.parametrize("auth_type", ["token", "aksk"])
async def test_setup_and_unload(
    hass: HomeAssistant, config_entry: MockConfigEntry, sis_server: SisServer, auth_type: str
) -> None:
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert isinstance(config_entry.runtime_data, HuaweiSisData)
    assert config_entry.runtime_data.client.auth.kind == auth_type
    if auth_type == "token":
        assert sis_server.iam_token_requests == 1
    else:
        assert sis_server.iam_project_requests == 1

    entity = er.async_get(hass).async_get(ENTITY_ID)
    assert entity is not None
    assert entity.unique_id == config_entry.entry_id
    device = dr.async_get(hass).async_get(entity.device_id or "")
    assert isinstance(device, dr.DeviceEntry)
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert (DOMAIN, config_entry.entry_id) in device.identifiers
    assert hass.states.get(ENTITY_ID) is not None

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(config_entry) is ConfigEntryState.NOT_LOADED
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.state == STATE_UNAVAILABLE


async def test_refused_credentials_start_reauth(hass: HomeAssistant, sis_server: SisServer) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, data=entry_data(sis_server) | {CONF_PASSWORD: "wrong password"}
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert "refused the credentials" in entry.reason
    await hass.async_block_till_done()
    assert len(reauth_flows(hass, entry)) == 1


async def test_an_iam_user_without_permission_is_a_setup_error_without_reauth(
    hass: HomeAssistant, sis_server: SisServer
) -> None:
    sis_server.iam_fault = IamFault(status=403)
    entry = MockConfigEntry(domain=DOMAIN, data=entry_data(sis_server))
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert "may not use Huawei Cloud SIS" in entry.reason
    await hass.async_block_till_done()
    assert reauth_flows(hass, entry) == []


@pytest.mark.parametrize("auth_type", ["token", "aksk"])
async def test_unknown_project_is_a_setup_error(
    hass: HomeAssistant, sis_server: SisServer, auth_type: str
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=entry_data(sis_server, auth_type) | {CONF_PROJECT_ID: "0" * 32},
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert "configuration cannot work" in entry.reason


@pytest.mark.parametrize(
    "change",
    [
        {CONF_PROJECT_ID: ""},  # a custom endpoint has no region to find the project by
        {CONF_SIS_ENDPOINT: "ws://sis.example.com"},  # plain ws:// only for loopback
        {CONF_AUTH_TYPE: "oauth"},
        {CONF_REGION: "cn-north-1"},
    ],
)
async def test_entry_that_cannot_work_is_a_setup_error(
    hass: HomeAssistant, sis_server: SisServer, change: dict[str, str]
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data=entry_data(sis_server) | change)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert sis_server.iam_token_requests == 0


async def test_missing_credentials_are_a_setup_error(
    hass: HomeAssistant, sis_server: SisServer
) -> None:
    data = entry_data(sis_server)
    del data[CONF_PASSWORD]
    entry = MockConfigEntry(domain=DOMAIN, data=data)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR


async def test_unreachable_service_is_retried(
    hass: HomeAssistant, sis_server: SisServer, unused_tcp_port: int
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=entry_data(sis_server) | {CONF_IAM_ENDPOINT: f"http://127.0.0.1:{unused_tcp_port}"},
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None
    assert "cannot be reached" in entry.reason


async def test_client_for_a_public_region() -> None:
    async with aiohttp.ClientSession() as http:
        token = create_client(
            http,
            {
                CONF_REGION: "ap-southeast-3",
                CONF_AUTH_TYPE: "token",
                "domain_name": "account",
                "username": "user",
                CONF_PASSWORD: "secret",
            },
        )
        aksk = create_client(
            http,
            {
                CONF_REGION: "me-east-1",
                CONF_AUTH_TYPE: AUTH_TYPE_AKSK,
                "access_key": "AK",
                "secret_key": "SK",
                CONF_PROJECT_ID: "p1",
            },
        )
    assert token.endpoints.sis_url == "wss://sis-ext.ap-southeast-3.myhuaweicloud.com"
    assert token.endpoints.iam_url == "https://iam.ap-southeast-3.myhuaweicloud.com"
    assert isinstance(token.auth, TokenAuth)
    assert isinstance(aksk.auth, AkSkAuth)
    assert aksk.endpoints.region == "me-east-1"
    assert await aksk.auth.project_id() == "p1"


async def test_client_refuses_bad_data() -> None:
    async with aiohttp.ClientSession() as http:
        with pytest.raises(SisConfigError):
            create_client(http, {CONF_REGION: "cn-north-4", CONF_AUTH_TYPE: "none"})
        with pytest.raises(SisProjectError):
            create_client(
                http,
                {
                    CONF_REGION: "custom",
                    CONF_SIS_ENDPOINT: "wss://sis.example.com",
                    CONF_IAM_ENDPOINT: "https://iam.example.com",
                    CONF_AUTH_TYPE: AUTH_TYPE_AKSK,
                    "access_key": "AK",
                    "secret_key": "SK",
                },
            )


async def test_an_entry_of_minor_version_1_is_migrated(
    hass: HomeAssistant, sis_server: SisServer, http: aiohttp.ClientSession
) -> None:
    """Its one hot-word table was sent with every language: it becomes Mandarin's."""
    table = await create_table(http, sis_server, "console_zh", ["卧室"])
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=entry_data(sis_server),
        options={"mode": "continue-stream", "vocabulary_id": table},
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert (entry.version, entry.minor_version) == (1, 2)
    assert dict(entry.options) == {"mode": "continue-stream", "vocabulary_id_zh_cn": table}
    hot_words = entry.runtime_data.hot_words
    assert hot_words.languages == (TableLanguage.ENGLISH,)  # Mandarin has the user's own table


@pytest.mark.parametrize(("version", "minor_version", "loads"), [(1, 3, True), (2, 1, False)])
async def test_entries_of_a_newer_release(
    hass: HomeAssistant, sis_server: SisServer, version: int, minor_version: int, loads: bool
) -> None:
    """A newer minor version is compatible; a newer major version is not."""
    entry = MockConfigEntry(
        domain=DOMAIN, data=entry_data(sis_server), version=version, minor_version=minor_version
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id) is loads
    assert entry.minor_version == minor_version
    if not loads:
        assert entry.state is ConfigEntryState.MIGRATION_ERROR
