"""The hot-word tables an entry keeps: running their syncs, reading what the server holds."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.huawei_cloud_sis.const import DOMAIN
from custom_components.huawei_cloud_sis.hot_word_content import table_name
from custom_components.huawei_cloud_sis.hot_word_schedule import (
    CHECK_INTERVAL,
    MAX_DELAY_SECONDS,
    QUIET_SECONDS,
    RETRY_MAX_SECONDS,
)
from custom_components.huawei_cloud_sis.sis import TableLanguage
from tests.helpers.entry import PROJECT_ID
from tests.helpers.options import form
from tests.helpers.recognise import HttpClient, recognise
from tests.sis_server import SisServer, Table, synthesize

MANDARIN = TableLanguage.CHINESE_MANDARIN
ENGLISH = TableLanguage.ENGLISH
LOGGERS = "custom_components.huawei_cloud_sis.hot_word_"
"""The start of the names of the hot-word modules' loggers."""


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


async def next_day(hass: HomeAssistant) -> None:
    """Move Home Assistant's clock on by a day: the daily check runs, and its sync."""
    async_fire_time_changed(hass, dt_util.utcnow() + CHECK_INTERVAL + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    await run_due(hass)


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


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The warning lines of the hot-word tables; none may carry a traceback."""
    found = [
        record
        for record in caplog.records
        if record.name.startswith(LOGGERS) and record.levelno >= logging.WARNING
    ]
    assert all(record.exc_info is None for record in found)
    return found


def our_issues(hass: HomeAssistant) -> list[ir.IssueEntry]:
    """The repair issues of the integration."""
    return [issue for issue in ir.async_get(hass).issues.values() if issue.domain == DOMAIN]


async def table_sent(client: HttpClient, server: SisServer, language: str) -> str | None:
    """Recognise a few words in `language`; return the table its START named."""
    answer = await recognise(client, synthesize("打开灯"), language=language)
    assert answer["result"] == "success", answer
    table: str | None = server.sessions[-1].config.get("vocabulary_id")
    return table


async def change_options(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> None:
    """Save options through the options flow (the entry reloads), then let the syncs run."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], form(options))
    assert result["type"] == "create_entry", result
    await settle(hass)
