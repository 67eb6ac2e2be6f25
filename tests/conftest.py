"""Fixtures: the local SIS server, a config entry pointed at it, and ways to reach the entity."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.huawei_cloud_sis.const import AUTH_TYPE_TOKEN, DOMAIN
from tests.helpers.entry import PROJECT_ID, TEST_TIMEOUTS, entry_data
from tests.helpers.pipeline import PipelineRun, RunFactory, new_pipeline, start_pipeline_run
from tests.helpers.raw_client import REGION, Connect, OpenRtts, Ws, get_token, rasr_url
from tests.helpers.recognise import HttpClient
from tests.sis_server import PROJECTS, SisServer


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture
async def hass(hass: HomeAssistant) -> HomeAssistant:
    """Home Assistant with its core integration, which a real one always runs.

    It keeps which entities are exposed to Assist; the hot-word tables read it.
    """
    assert await async_setup_component(hass, "homeassistant", {})
    return hass


@pytest.fixture(autouse=True)
def short_timeouts() -> Iterator[None]:
    """Use short timeouts for every client the integration builds."""
    with patch("custom_components.huawei_cloud_sis.TIMEOUTS", TEST_TIMEOUTS):
        yield


@pytest.fixture(autouse=True)
def tts_cache_dir(tmp_path: Path) -> Iterator[Path]:
    """Keep Home Assistant's text-to-speech file cache in the test's own folder.

    It would otherwise be made in the test configuration inside the virtualenv.
    """
    with patch("homeassistant.components.tts._init_tts_cache_dir", return_value=str(tmp_path)):
        yield tmp_path


@pytest.fixture
async def sis_server(socket_enabled: None) -> AsyncIterator[SisServer]:
    """Run the local SIS and IAM server on 127.0.0.1."""
    server = SisServer()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def server(sis_server: SisServer) -> SisServer:
    """The local SIS server, under the shorter name the library and server tests use."""
    return sis_server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """An aiohttp session of the test's own (not Home Assistant's)."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def connect(http: aiohttp.ClientSession, server: SisServer) -> AsyncIterator[Connect]:
    """Open raw recognition WebSockets to the local server with a token of a region."""
    sockets: list[aiohttp.ClientWebSocketResponse] = []
    tokens: dict[str, str] = {}

    async def factory(mode: str = "continue-stream", region: str = REGION) -> Ws:
        if region not in tokens:
            tokens[region] = await get_token(http, server, region)
        ws = await http.ws_connect(
            rasr_url(server, mode, PROJECTS[region]),
            headers={"X-Auth-Token": tokens[region]},
            autoping=True,
        )
        sockets.append(ws)
        return Ws(ws)

    yield factory
    for ws in sockets:
        await ws.close()


@pytest.fixture
async def open_rtts(http: aiohttp.ClientSession, server: SisServer) -> AsyncIterator[OpenRtts]:
    """Open raw synthesis WebSockets to the local server with a token of a region."""
    sockets: list[aiohttp.ClientWebSocketResponse] = []

    async def factory(region: str = REGION) -> aiohttp.ClientWebSocketResponse:
        token = await get_token(http, server, region)
        ws = await http.ws_connect(
            f"{server.sis_url}/v1/{PROJECTS[region]}/rtts", headers={"X-Auth-Token": token}
        )
        sockets.append(ws)
        return ws

    yield factory
    for ws in sockets:
        await ws.close()


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


@pytest.fixture
async def pipeline_id(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> str:
    """An assist pipeline in Mandarin whose speech-to-text engine is the entity."""
    assert await async_setup_component(hass, "assist_pipeline", {})
    return await new_pipeline(hass_ws_client, "zh-CN")


@pytest.fixture
def start_run(hass_ws_client: WebSocketGenerator, pipeline_id: str) -> RunFactory:
    """Start a pipeline run from stage stt to stage stt on a new connection."""

    async def start(**extra_input: Any) -> PipelineRun:
        return await start_pipeline_run(hass_ws_client, pipeline_id, **extra_input)

    return start
