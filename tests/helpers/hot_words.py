"""The hot-word tables an entry keeps: running their syncs, reading what the server holds."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.huawei_cloud_sis.hot_word_content import table_name
from custom_components.huawei_cloud_sis.hot_word_schedule import (
    MAX_DELAY_SECONDS,
    QUIET_SECONDS,
    RETRY_MAX_SECONDS,
)
from custom_components.huawei_cloud_sis.sis import TableLanguage
from tests.helpers.entry import PROJECT_ID
from tests.sis_server import SisServer, Table

MANDARIN = TableLanguage.CHINESE_MANDARIN
ENGLISH = TableLanguage.ENGLISH


async def settle(hass: HomeAssistant) -> None:
    """Let every sync that is due run to its end (those waiting for quiet or a retry, too).

    Moves Home Assistant's clock past any quiet period and any retry delay,
    then waits for the background tasks; a sync never waits longer.
    """
    ahead = dt_util.utcnow() + timedelta(seconds=MAX_DELAY_SECONDS + RETRY_MAX_SECONDS + 1)
    await hass.async_block_till_done(wait_background_tasks=True)
    async_fire_time_changed(hass, ahead)
    await hass.async_block_till_done(wait_background_tasks=True)


async def after_quiet(hass: HomeAssistant, *, wait: bool = True) -> None:
    """Start the sync that waits for quiet (not the retries it may plan); wait for its end."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=QUIET_SECONDS + 1))
    if wait:
        await hass.async_block_till_done(wait_background_tasks=True)


async def run_due(hass: HomeAssistant) -> None:
    """Run the syncs due now (not those waiting for quiet or a retry)."""
    async_fire_time_changed(hass, dt_util.utcnow())
    await hass.async_block_till_done(wait_background_tasks=True)


def table_of(server: SisServer, entry_id: str, language: TableLanguage) -> Table | None:
    """The table the entry keeps for `language`, as the server holds it."""
    table = server.tables.named(table_name(entry_id, language))
    assert table is None or table.project_id == PROJECT_ID
    return table


def words_of(server: SisServer, entry_id: str, language: TableLanguage) -> set[str]:
    """The words of the entry's table of `language` (empty when it has none)."""
    table = table_of(server, entry_id, language)
    return set(table.words) if table else set()


def calls(server: SisServer) -> list[str]:
    """`METHOD path-end` of the hot-word table requests so far: `GET list`, `PUT id`..."""
    found = []
    for call in server.vocabulary_calls:
        tail = call.path.rsplit("/vocabularies", 1)[1].lstrip("/")
        found.append(f"{call.method} {tail or 'list'}")
    return found
