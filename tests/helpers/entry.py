"""Config entries pointed at the local SIS server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry, ConfigFlowResult
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

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
from custom_components.huawei_cloud_sis.sis import Endpoints, Timeouts
from tests.sis_server import (
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    SECRET_KEY,
    USERNAME,
)

PROJECT_ID = PROJECTS["cn-north-4"]
TEST_TIMEOUTS = Timeouts(
    connect=2.0, start=1.0, opening=2.5, end=1.0, end_grace=0.3, close=1.0, iam=2.0, rest=1.0
)
"""Short enough that faults end the tests quickly; never asserted as durations."""


class Urls(Protocol):
    """Where a local server listens (`SisServer`, or one in another process)."""

    @property
    def sis_url(self) -> str:
        """Base URL of the recognition service."""

    @property
    def iam_url(self) -> str:
        """Base URL of IAM."""


def entry_data(server: Urls, auth_type: str = AUTH_TYPE_TOKEN) -> dict[str, Any]:
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


def reauth_flows(hass: HomeAssistant, entry: ConfigEntry) -> list[ConfigFlowResult]:
    """The reauth flows in progress for `entry`."""
    return list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


@contextmanager
def public_regions_at(server: Urls) -> Iterator[None]:
    """Send the requests of entries of a public region to the local server.

    The local server tells the region by the project; the entry keeps its region's facts.
    """

    def local(region: str) -> Endpoints:
        return Endpoints.custom(server.sis_url, server.iam_url, region)

    with patch.object(Endpoints, "for_region", side_effect=local):
        yield


def public_entry(
    hass: HomeAssistant, region: str, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """A config entry of a public region, signed in with an access key, added to Home Assistant."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Huawei Cloud SIS",
        data={
            CONF_REGION: region,
            CONF_AUTH_TYPE: AUTH_TYPE_AKSK,
            CONF_ACCESS_KEY: ACCESS_KEY,
            CONF_SECRET_KEY: SECRET_KEY,
            CONF_PROJECT_ID: PROJECTS[region],
        },
        options=options or {},
        unique_id=PROJECTS[region],
    )
    entry.add_to_hass(hass)
    return entry


async def async_setup_two_entries(
    hass: HomeAssistant,
    server: Urls,
    first: dict[str, Any],
    second: dict[str, Any],
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Set up two entries on the local server with these options (projects of two regions).

    The first one's entity is `stt.huawei_cloud_sis_speech_to_text`, the second one's the
    same with `_2`.
    """
    entries = (
        MockConfigEntry(
            domain=DOMAIN,
            title="Huawei Cloud SIS",
            data=entry_data(server) | {CONF_PROJECT_ID: PROJECTS[region]},
            options=options,
            unique_id=PROJECTS[region],
        )
        for region, options in (("cn-north-4", first), ("cn-east-3", second))
    )
    added = []
    for entry in entries:
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        added.append(entry)
    await hass.async_block_till_done()
    return added[0], added[1]
