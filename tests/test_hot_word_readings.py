"""The hot-word tables under each reading of what Huawei's pages dispute (H1 to H4).

The local server is switched to each reading (`SisServer.readings`); the
product is driven through Home Assistant's entry points: `POST /api/stt`, the
config entries (a reload is a restart of the entry), the registries and the
clock. See the project's notes on the disputed points for the sources.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.huawei_cloud_sis.diagnostics import async_get_config_entry_diagnostics
from custom_components.huawei_cloud_sis.hot_word_content import table_name
from tests.helpers.entry import PROJECT_ID
from tests.helpers.hot_words import (
    ENGLISH,
    MANDARIN,
    calls,
    change_options,
    next_day,
    run_due,
    settle,
    table_of,
    warnings,
)
from tests.helpers.recognise import HttpClient, recognise
from tests.sis_server import Fault, RestFault, SisServer, Table, synthesize

DEAD_TABLE_STARTS = ["SIS.0201", "other", "ignore"]
"""H1: what a START naming a table that is gone gets."""
SAID = "打开植物间的灯"
HEARD_WITHOUT_TABLE = "打开职务间的灯"


@pytest.fixture
async def greenhouse(
    hass: HomeAssistant, sis_server: SisServer, loaded_entry: MockConfigEntry
) -> Table:
    """An area the service mishears unless the table holds it; its synced Mandarin table."""
    sis_server.mishear("植物间", "职务间")
    ar.async_get(hass).async_create("植物间")
    ar.async_get(hass).async_create("Garden")  # gives an English table too
    await settle(hass)
    table = table_of(sis_server, loaded_entry.entry_id, MANDARIN)
    assert table is not None
    sis_server.vocabulary_calls.clear()
    return table


async def heard(client: HttpClient) -> str:
    """What a recognition of `SAID` in Mandarin gives; it always succeeds."""
    answer = await recognise(client, synthesize(SAID), language="zh-CN")
    assert answer["result"] == "success", answer
    text: str = answer["text"]
    return text


def requests(server: SisServer) -> list[tuple[str, int | None]]:
    """(method, status) of the hot-word table requests so far."""
    return [(call.method, call.status) for call in server.vocabulary_calls]


# --- H1: a table deleted behind the integration's back ---------------------------------------


@pytest.mark.parametrize("reading", DEAD_TABLE_STARTS)
async def test_recognition_goes_on_and_the_table_comes_back(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    greenhouse: Table,
    reading: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sis_server.readings.dead_table_start = reading
    assert await heard(client) == SAID
    sis_server.tables.remove(greenhouse.vocabulary_id)  # in the console
    assert await heard(client) == HEARD_WITHOUT_TABLE  # but recognised
    await run_due(hass)
    if reading == "ignore":
        # The START was taken as if it named no table: nothing tells; the daily check does.
        assert sis_server.vocabulary_calls == []
        await next_day(hass)
    # One sync: a GET finds it gone, a POST makes it again.
    assert requests(sis_server)[:2] == [("GET", 400), ("POST", 200)]
    again = table_of(sis_server, loaded_entry.entry_id, MANDARIN)
    assert again is not None
    assert again.vocabulary_id != greenhouse.vocabulary_id
    assert await heard(client) == SAID
    assert sis_server.sessions[-1].config["vocabulary_id"] == again.vocabulary_id
    assert warnings(caplog) == []


@pytest.mark.parametrize("reading", DEAD_TABLE_STARTS)
async def test_a_restart_with_a_dead_table_recovers_with_one_get(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    greenhouse: Table,
    reading: Any,
) -> None:
    sis_server.readings.dead_table_start = reading
    english = table_of(sis_server, loaded_entry.entry_id, ENGLISH)
    assert english is not None
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    sis_server.tables.remove(greenhouse.vocabulary_id)  # while Home Assistant was stopped
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await settle(hass)
    assert calls(sis_server) == [
        f"GET {greenhouse.vocabulary_id}",  # gone
        "POST list",
        f"GET {english.vocabulary_id}",  # there
    ]
    assert await heard(client) == SAID


async def test_a_table_of_its_name_made_meanwhile_is_taken_over(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    greenhouse: Table,
) -> None:
    """Made by another copy of the entry (a backup restored on a second machine), say."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    sis_server.tables.remove(greenhouse.vocabulary_id)
    name = table_name(loaded_entry.entry_id, MANDARIN)
    body = {"name": name, "language": "chinese_mandarin", "contents": ["客厅"]}
    other = sis_server.tables.add(PROJECT_ID, body)
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await settle(hass)
    assert requests(sis_server)[:4] == [
        ("GET", 400),  # our table is gone
        ("POST", 400),  # SIS.0204: the name is taken
        ("GET", 200),  # by a table of this project: found by its name
        ("PUT", 200),
    ]
    assert table_of(sis_server, loaded_entry.entry_id, MANDARIN) is other
    assert await heard(client) == SAID


async def test_each_table_is_read_once_a_day(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    greenhouse: Table,
) -> None:
    english = table_of(sis_server, loaded_entry.entry_id, ENGLISH)
    assert english is not None
    for _ in range(3):
        await next_day(hass)
    assert (
        calls(sis_server)
        == [
            f"GET {greenhouse.vocabulary_id}",
            f"GET {english.vocabulary_id}",
        ]
        * 3
    )
    assert await heard(client) == SAID


async def test_a_refused_table_that_is_there_is_kept_and_not_asked_about_again(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    greenhouse: Table,
) -> None:
    """A refusal that may concern the table, while the table is there: one GET, no loop."""
    for _ in range(3):
        sis_server.faults.append(Fault.start_error("SIS.0032", "'vocabulary_id' is invalid"))
        assert await heard(client) == HEARD_WITHOUT_TABLE  # sent again without the table
        await run_due(hass)
    assert calls(sis_server) == [f"GET {greenhouse.vocabulary_id}"]
    assert await heard(client) == SAID  # the table is still used
    # After the daily check, a refusal is looked into again.
    await next_day(hass)
    sis_server.vocabulary_calls.clear()
    sis_server.faults.append(Fault.start_error("SIS.0032", "'vocabulary_id' is invalid"))
    assert await heard(client) == HEARD_WITHOUT_TABLE
    await run_due(hass)
    assert calls(sis_server) == [f"GET {greenhouse.vocabulary_id}"]
    assert table_of(sis_server, loaded_entry.entry_id, MANDARIN) == greenhouse


async def test_a_failed_check_keeps_recognition_going_and_is_tried_again(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    greenhouse: Table,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sis_server.vocabulary_forbidden = True
    await next_day(hass)
    [warning] = warnings(caplog)
    assert "chinese_mandarin" in warning.getMessage()
    assert await heard(client) == SAID  # the table as it was
    sis_server.vocabulary_forbidden = False
    sis_server.vocabulary_calls.clear()
    await settle(hass)  # the retry
    assert [call.split()[0] for call in calls(sis_server)] == ["GET", "GET"]


# --- H2: English tables ------------------------------------------------------------------------


async def hot_word_diagnostics(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """The hot-word part of the entry's diagnostics."""
    hot_words: dict[str, Any] = (await async_get_config_entry_diagnostics(hass, entry))["hot_words"]
    return hot_words


async def test_english_tables_refused_are_asked_for_once(
    hass: HomeAssistant,
    sis_server: SisServer,
    config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The API reference of 2021 and the SDK know no English tables (SIS.0205 here)."""
    sis_server.readings.english_tables = False
    ar.async_get(hass).async_create("Garden")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    assert calls(sis_server)[2:] == ["GET list", "POST list"]  # looked for, then asked for
    assert requests(sis_server)[-1] == ("POST", 400)
    [warning] = warnings(caplog)
    assert "SIS.0205" in warning.getMessage()
    learned = (await hot_word_diagnostics(hass, config_entry))["refused_languages"]
    assert learned == {"english": {"since": learned["english"]["since"], "code": "SIS.0205"}}
    assert dt_util.parse_datetime(learned["english"]["since"]) is not None
    # Never asked again: not by a change, the daily check, nor after a restart.
    mandarin = table_of(sis_server, config_entry.entry_id, MANDARIN)
    assert mandarin is not None
    sis_server.vocabulary_calls.clear()
    ar.async_get(hass).async_create("Orchard")
    await settle(hass)
    await next_day(hass)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await settle(hass)
    await change_options(hass, config_entry, extra_words="Ecobee")  # the entry reloads
    assert calls(sis_server) == [
        f"{method} {mandarin.vocabulary_id}" for method in ("PUT", "GET", "GET", "PUT")
    ]
    assert (await hot_word_diagnostics(hass, config_entry))["refused_languages"] == learned
    assert len(warnings(caplog)) == 1
    # English is recognised as before, without a table.
    client = await hass_client()
    answer = await recognise(client, synthesize("turn on the garden light"), language="en-US")
    assert answer == {"text": "turn on the garden light", "result": "success"}
    assert "vocabulary_id" not in sis_server.sessions[-1].config


OWN_MANDARIN_TABLE = "CFD08A32-6176-4ad7-92F9-11ED015C8109"


@pytest.mark.parametrize("options", [{"vocabulary_id_zh_cn": OWN_MANDARIN_TABLE}])
@pytest.mark.parametrize(
    ("refusal", "code"),
    [
        (RestFault.error("SIS.0032", "'language' is invalid"), "SIS.0032"),
        (RestFault.answer(400, {}), "HTTP 400"),
    ],
)
async def test_any_refusal_of_an_english_table_is_learned(
    hass: HomeAssistant,
    sis_server: SisServer,
    config_entry: MockConfigEntry,
    refusal: RestFault,
    code: str,
) -> None:
    """Only SIS.0205 is documented for a language; a service may answer otherwise."""
    sis_server.vocabulary_faults += [RestFault.answer(200, {"count": 0, "result": []}), refusal]
    ar.async_get(hass).async_create("Garden")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    assert requests(sis_server) == [("GET", 200), ("POST", 400)]
    learned = (await hot_word_diagnostics(hass, config_entry))["refused_languages"]
    assert learned["english"]["code"] == code
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await settle(hass)
    await next_day(hass)
    assert len(sis_server.vocabulary_calls) == 2  # only the two of the first start


# --- H3: finding the tables among more than a page ----------------------------------------------


@pytest.mark.parametrize("offset_counts", ["tables", "pages"])
@pytest.mark.parametrize("name_filter", ["exact", "contains", "ignored"])
async def test_tables_are_found_by_name_among_more_than_a_page(
    hass: HomeAssistant,
    sis_server: SisServer,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    offset_counts: Any,
    name_filter: Any,
) -> None:
    """A page of at most 10, 14 tables of the project before the entry's own."""
    readings = sis_server.readings
    readings.list_offset, readings.max_page_size, readings.name_filter = (
        offset_counts,
        10,
        name_filter,
    )
    ours = table_name(config_entry.entry_id, MANDARIN)
    body = {"language": "chinese_mandarin", "contents": ["客厅"]}
    for name in [f"other_{n}" for n in range(12)] + [f"{ours}x", f"x{ours}"]:
        sis_server.tables.add(PROJECT_ID, body | {"name": name})
    ar.async_get(hass).async_create("Garden")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    made = {table.name: table.vocabulary_id for table in sis_server.tables}
    assert len(made) == 16
    # What was kept is lost (a restored backup): the tables are found, not made again.
    del hass_storage[f"{config_entry.domain}.hot_words.{config_entry.entry_id}"]
    sis_server.vocabulary_calls.clear()
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await settle(hass)
    assert "POST" not in {call.method for call in sis_server.vocabulary_calls}
    assert {table.name: table.vocabulary_id for table in sis_server.tables} == made
    if name_filter == "exact":  # one request to find each
        assert calls(sis_server) == [
            "GET list",
            f"PUT {made[ours]}",
            "GET list",
            f"PUT {made[table_name(config_entry.entry_id, ENGLISH)]}",
        ]
    # And removing the entry finds them again, leaving the others.
    del hass_storage[f"{config_entry.domain}.hot_words.{config_entry.entry_id}"]
    await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert len(sis_server.tables) == 14
    assert table_of(sis_server, config_entry.entry_id, MANDARIN) is None
