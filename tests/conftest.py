"""Fixtures for the Home Assistant side: a config entry pointed at the local SIS server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntry,
    ConfigFlowResult,
)
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.huawei_cloud_sis.const import (
    AUTH_TYPE_AKSK,
    AUTH_TYPE_TOKEN,
    CONF_ACCESS_KEY,
    CONF_AUTH_TYPE,
    CONF_DOMAIN_NAME,
    CONF_IAM_ENDPOINT,
    CONF_PASSWORD,
    CONF_PROJECT_ID,
    CONF_REGION,
    CONF_SECRET_KEY,
    CONF_SIS_ENDPOINT,
    CONF_USERNAME,
    DOMAIN,
    REGION_CUSTOM,
)
from custom_components.huawei_cloud_sis.sis import Timeouts
from tests.sis_server import (
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    SECRET_KEY,
    USERNAME,
    SisServer,
)
from tests.stt_helpers import HttpClient

PROJECT_ID = PROJECTS["cn-north-4"]
TEST_TIMEOUTS = Timeouts(connect=2.0, start=1.0, end=1.0, session=20.0, close=1.0, iam=2.0)
"""Short enough that faults end the tests quickly; never asserted as durations."""


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture(autouse=True)
def short_timeouts() -> Iterator[None]:
    """Use short timeouts for every client the integration builds."""
    with patch("custom_components.huawei_cloud_sis.TIMEOUTS", TEST_TIMEOUTS):
        yield


def reauth_flows(hass: HomeAssistant, entry: ConfigEntry) -> list[ConfigFlowResult]:
    """The reauth flows in progress for `entry`."""
    return list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


@pytest.fixture
async def sis_server(socket_enabled: None) -> AsyncIterator[SisServer]:
    """Run the local SIS and IAM server on 127.0.0.1."""
    server = SisServer()
    await server.start()
    yield server
    await server.close()


def entry_data(server: SisServer, auth_type: str = AUTH_TYPE_TOKEN) -> dict[str, Any]:
    """Config entry data for the local server."""
    data: dict[str, Any] = {
        CONF_REGION: REGION_CUSTOM,
        CONF_SIS_ENDPOINT: server.sis_url,
        CONF_IAM_ENDPOINT: server.iam_url,
        CONF_AUTH_TYPE: auth_type,
        CONF_PROJECT_ID: PROJECT_ID,
    }
    if auth_type == AUTH_TYPE_AKSK:
        data |= {CONF_ACCESS_KEY: ACCESS_KEY, CONF_SECRET_KEY: SECRET_KEY}
    else:
        data |= {CONF_DOMAIN_NAME: DOMAIN_NAME, CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    return data


@pytest.fixture
def auth_type() -> str:
    """The sign-in method of the entry (parametrize to change it)."""
    return AUTH_TYPE_TOKEN


@pytest.fixture
def options() -> dict[str, Any]:
    """Options of the entry (parametrize to change them)."""
    return {}


@pytest.fixture
def config_entry(
    hass: HomeAssistant,
    sis_server: SisServer,
    auth_type: str,
    options: dict[str, Any],
) -> MockConfigEntry:
    """A config entry pointed at the local server, added to Home Assistant."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Huawei Cloud SIS",
        data=entry_data(sis_server, auth_type),
        options=options,
        unique_id=PROJECT_ID,
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The config entry, set up."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
async def client(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> HttpClient:
    """An HTTP client of Home Assistant with the entry loaded (for `POST /api/stt`)."""
    http: HttpClient = await hass_client()
    return http
