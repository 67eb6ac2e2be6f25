"""The hot-word tables of an entry follow the home, through Home Assistant's own entry points.

Areas, floors and entities are made, renamed and exposed through the registries,
options are changed through the options flow, the entry is reloaded and
removed through the config entries, and speech is recognised through
`POST /api/stt`; the local server keeps the tables and mishears what a table
does not hold.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    entity_registry as er,
    floor_registry as fr,
)
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.huawei_cloud_sis.chinese_script import Conversion, loaded_converter
from custom_components.huawei_cloud_sis.const import DOMAIN
from custom_components.huawei_cloud_sis.diagnostics import async_get_config_entry_diagnostics
from custom_components.huawei_cloud_sis.hot_word_content import table_name
from custom_components.huawei_cloud_sis.hot_word_schedule import (
    QUIET_SECONDS,
    RETRY_FIRST_SECONDS,
)
from custom_components.huawei_cloud_sis.languages import table_languages_for_region
from custom_components.huawei_cloud_sis.sis import MAX_TABLES, MAX_WORDS_PER_TABLE
from tests.helpers.checks import our_tasks, wait_for
from tests.helpers.entry import entry_data
from tests.helpers.home import add_entity, remove_entity
from tests.helpers.hot_words import (
    ENGLISH,
    MANDARIN,
    after_quiet,
    calls,
    change_options,
    next_day,
    our_issues,
    run_due,
    settle,
    table_of,
    table_sent,
    warnings,
    words_of,
)
from tests.helpers.opencc import dictionary_loads, our_error_line, unreadable_dictionaries
from tests.helpers.raw_client import create_table
from tests.helpers.recognise import HttpClient, recognise
from tests.sis_server import PROJECTS, RestFault, SisServer, synthesize


@pytest.fixture
async def home(
    hass: HomeAssistant, area_registry: ar.AreaRegistry, floor_registry: fr.FloorRegistry
) -> None:
    """A home of an area with an alias, a floor and two exposed entities."""
    area_registry.async_create("Garden", aliases={"Backyard"})
    floor_registry.async_create("二楼")
    add_entity(hass, "Ecobee thermostat", domain="climate")
    add_entity(hass, "客厅 灯")


GARDEN_WORDS = {"GARDEN", "BACKYARD", "二楼", "ECOBEE", "THERMOSTAT"}


# --- what the tables hold, and which recognition gets which ----------------------------------


@pytest.mark.usefixtures("home")
async def test_each_language_gets_its_own_table(
    hass: HomeAssistant, sis_server: SisServer, loaded_entry: MockConfigEntry, client: HttpClient
) -> None:
    await settle(hass)
    entry_id = loaded_entry.entry_id
    mandarin, english = (
        table_of(sis_server, entry_id, MANDARIN),
        table_of(sis_server, entry_id, ENGLISH),
    )
    assert mandarin is not None
    assert english is not None
    assert set(mandarin.words) == GARDEN_WORDS | {"客厅灯"}
    assert set(english.words) == GARDEN_WORDS - {"二楼"}  # no Chinese in an English table
    assert (mandarin.language, english.language) == ("chinese_mandarin", "english")
    assert len(sis_server.tables) == 2
    assert await table_sent(client, sis_server, "zh-CN") == mandarin.vocabulary_id
    assert await table_sent(client, sis_server, "en-US") == english.vocabulary_id
    assert await table_sent(client, sis_server, "zh-HK") is None  # Cantonese takes no table


@pytest.mark.parametrize(
    ("region", "languages"),
    [
        ("cn-north-4", (MANDARIN, ENGLISH)),
        ("cn-east-3", (MANDARIN,)),  # English tables, but no English model
        ("ap-southeast-3", (MANDARIN,)),  # no English tables on the international site
        ("me-east-1", (MANDARIN,)),
        ("custom", (MANDARIN, ENGLISH)),
    ],
)
def test_the_tables_a_region_gets(region: str, languages: tuple[object, ...]) -> None:
    assert table_languages_for_region(region) == languages


def test_table_names_fit_the_rules_and_differ_per_entry() -> None:
    names = {
        table_name(f"01J{n:023d}", language) for n in range(3) for language in (MANDARIN, ENGLISH)
    }
    assert len(names) == 6
    assert all(len(name) <= 32 and name.replace("_", "").isalnum() for name in names)


@pytest.mark.parametrize(
    ("language", "misheard", "area", "said", "heard"),
    [
        ("en-US", "Plantuary", "Plantuary", "turn on the plantuary lights", "plant you airy"),
        ("zh-CN", "植物间", "植物间", "打开植物间的灯", "职务间"),
        # Named in Traditional characters: the table holds the Simplified word the model writes.
        ("zh-CN", "植物间", "植物間", "打开植物间的灯", "职务间"),
    ],
    ids=["english", "mandarin", "mandarin named in traditional characters"],
)
async def test_a_renamed_area_is_heard_after_the_sync(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    language: str,
    misheard: str,
    area: str,
    said: str,
    heard: str,
) -> None:
    sis_server.mishear(misheard, heard)
    garden = area_registry.async_create("Garden")
    await settle(hass)
    audio = synthesize(said)
    answer = await recognise(client, audio, language=language)
    assert answer["text"] == said.replace(misheard.lower(), heard).replace(misheard, heard)
    area_registry.async_update(garden.id, name=area)
    await settle(hass)
    assert (await recognise(client, audio, language=language))["text"] == said


type Change = Callable[[HomeAssistant], object]


def _area(hass: HomeAssistant, name: str) -> str:
    area = ar.async_get(hass).async_get_area_by_name(name)
    assert area is not None
    return area.id


def _floor(hass: HomeAssistant, name: str) -> str:
    floor = fr.async_get(hass).async_get_floor_by_name(name)
    assert floor is not None
    return floor.floor_id


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize(
    ("change", "added", "removed"),
    [
        (lambda hass: ar.async_get(hass).async_create("Plantuary"), {"PLANTUARY"}, set()),
        (
            lambda hass: ar.async_get(hass).async_update(_area(hass, "Garden"), name="Patio"),
            {"PATIO"},
            {"GARDEN"},
        ),
        (
            lambda hass: ar.async_get(hass).async_update(
                _area(hass, "Garden"), aliases={"Orchard"}
            ),
            {"ORCHARD"},
            {"BACKYARD"},
        ),
        (
            lambda hass: ar.async_get(hass).async_delete(_area(hass, "Garden")),
            set(),
            {"GARDEN", "BACKYARD"},
        ),
        (
            lambda hass: fr.async_get(hass).async_update(_floor(hass, "二楼"), name="三楼"),
            {"三楼"},
            {"二楼"},
        ),
        (lambda hass: fr.async_get(hass).async_delete(_floor(hass, "二楼")), set(), {"二楼"}),
        (
            lambda hass: er.async_get(hass).async_update_entity(
                "climate.ecobee_thermostat", name="Heating"
            ),
            {"HEATING"},
            {"ECOBEE", "THERMOSTAT"},
        ),
        (
            lambda hass: er.async_get(hass).async_update_entity(
                "climate.ecobee_thermostat", aliases=[er.COMPUTED_NAME, "Radiator"]
            ),
            {"RADIATOR"},
            set(),
        ),
        (lambda hass: add_entity(hass, "Humidifier", domain="fan"), {"HUMIDIFIER"}, set()),
        (
            lambda hass: remove_entity(hass, "climate.ecobee_thermostat"),
            set(),
            {"ECOBEE", "THERMOSTAT"},
        ),
        (
            lambda hass: async_expose_entity(
                hass, "conversation", "climate.ecobee_thermostat", should_expose=False
            ),
            set(),
            {"ECOBEE", "THERMOSTAT"},
        ),
    ],
    ids=[
        "area created",
        "area renamed",
        "area alias",
        "area removed",
        "floor renamed",
        "floor removed",
        "entity renamed",
        "entity alias",
        "entity added",
        "entity removed",
        "entity unexposed",
    ],
)
async def test_the_table_follows_the_home(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    change: Change,
    added: set[str],
    removed: set[str],
) -> None:
    await settle(hass)
    before = words_of(sis_server, loaded_entry.entry_id, MANDARIN)
    table = table_of(sis_server, loaded_entry.entry_id, MANDARIN)
    assert table is not None
    sis_server.vocabulary_calls.clear()
    change(hass)
    await settle(hass)
    assert words_of(sis_server, loaded_entry.entry_id, MANDARIN) == (before - removed) | added
    # The same table, replaced: one request per table whose words changed.
    assert calls(sis_server)[0] == f"PUT {table.vocabulary_id}"
    assert all(call.startswith("PUT ") for call in calls(sis_server))


async def test_an_exposed_entity_is_added(
    hass: HomeAssistant, sis_server: SisServer, loaded_entry: MockConfigEntry
) -> None:
    sensor = add_entity(hass, "Pollen counter", domain="sensor")  # not exposed by default
    await settle(hass)
    assert calls(sis_server) == []
    async_expose_entity(hass, "conversation", sensor, should_expose=True)
    await settle(hass)
    assert words_of(sis_server, loaded_entry.entry_id, MANDARIN) == {"POLLEN", "COUNTER"}


async def test_names_in_traditional_characters_reach_the_mandarin_table_in_simplified(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    floor_registry: fr.FloorRegistry,
    sis_server: SisServer,
    config_entry: MockConfigEntry,
) -> None:
    """A home in Taiwan or Hong Kong; a name written in both scripts is one word."""
    hass.config_entries.async_update_entry(config_entry, options={"extra_words": "檯燈"})
    area_registry.async_create("客廳", aliases={"客厅"})
    floor_registry.async_create("二樓")
    add_entity(hass, "電風扇", domain="fan")
    add_entity(hass, "睡房枱燈")
    with dictionary_loads() as loads:
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await settle(hass)
    table = table_of(sis_server, config_entry.entry_id, MANDARIN)
    assert table is not None
    assert sorted(table.words) == sorted(["台灯", "客厅", "二楼", "电风扇", "睡房台灯"])
    # Read for the sync, in a worker thread.
    assert loads
    assert not any(loads)


async def test_a_home_named_in_simplified_characters_reads_no_dictionary(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
) -> None:
    area_registry.async_create("Plantuary")
    area_registry.async_create("书房")
    # 後 is one of the few Traditional characters GB2312 has: alone, it does not tell.
    area_registry.async_create("後院")
    await settle(hass)
    assert words_of(sis_server, loaded_entry.entry_id, MANDARIN) == {"PLANTUARY", "书房", "後院"}
    assert loaded_converter(hass, Conversion.SIMPLIFIED) is None
    # The first name in Traditional characters: every Chinese name is converted from now on.
    area_registry.async_create("客廳")
    await settle(hass)
    assert words_of(sis_server, loaded_entry.entry_id, MANDARIN) == {
        "PLANTUARY",
        "书房",
        "后院",
        "客厅",
    }
    assert loaded_converter(hass, Conversion.SIMPLIFIED) is not None


async def test_names_go_as_written_while_the_dictionaries_cannot_be_read(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    area_registry.async_create("客廳")
    with unreadable_dictionaries():
        await settle(hass)
    # A broken installation: one line, no traceback; the table is kept all the same.
    assert words_of(sis_server, loaded_entry.entry_id, MANDARIN) == {"客廳"}
    assert "as they are written" in our_error_line(caplog.records).getMessage()
    assert warnings(caplog) == []
    # The next sync reads them again.
    area_registry.async_create("臥室")
    await settle(hass)
    assert words_of(sis_server, loaded_entry.entry_id, MANDARIN) == {"客厅", "卧室"}


# --- how often the service is asked ------------------------------------------------------------


@pytest.mark.usefixtures("home")
async def test_a_burst_of_renames_is_one_replacement(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
) -> None:
    await settle(hass)
    tables = [table_of(sis_server, loaded_entry.entry_id, lang) for lang in (MANDARIN, ENGLISH)]
    sis_server.vocabulary_calls.clear()
    for number in range(100):
        entity_registry.async_update_entity("climate.ecobee_thermostat", name=f"Heater {number}")
        await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=QUIET_SECONDS - 1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert calls(sis_server) == []  # still waiting for quiet
    await settle(hass)
    assert calls(sis_server) == [f"PUT {table.vocabulary_id}" for table in tables if table]
    assert "NINETY" in words_of(sis_server, loaded_entry.entry_id, ENGLISH)


@pytest.mark.usefixtures("home")
async def test_a_change_during_a_sync_makes_another_afterwards(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
) -> None:
    await settle(hass)
    sis_server.vocabulary_calls.clear()
    sis_server.vocabulary_faults.append(RestFault.hang())  # the first request hangs a while
    area_registry.async_create("Plantuary")
    await after_quiet(hass, wait=False)
    await wait_for(lambda: bool(sis_server.vocabulary_calls), "a request in flight")
    area_registry.async_create("Orchard")  # due while the first sync still runs
    await after_quiet(hass, wait=False)
    await settle(hass)
    assert {"PLANTUARY", "ORCHARD"} <= words_of(sis_server, loaded_entry.entry_id, MANDARIN)
    ids = {
        table.vocabulary_id: language
        for language in (MANDARIN, ENGLISH)
        if (table := table_of(sis_server, loaded_entry.entry_id, language))
    }
    # One request at a time: the first sync (its hung request sent again), then the second.
    assert [
        (call.method, ids[call.path.rsplit("/", 1)[1]], call.status)
        for call in sis_server.vocabulary_calls
    ] == [
        ("PUT", MANDARIN, None),
        ("PUT", MANDARIN, 200),
        ("PUT", ENGLISH, 200),
        ("PUT", MANDARIN, 200),
        ("PUT", ENGLISH, 200),
    ]


@pytest.mark.usefixtures("home")
async def test_a_restart_without_changes_only_reads_each_table(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    await settle(hass)
    created = [table.vocabulary_id for table in sis_server.tables]
    checks = [f"GET {vocabulary_id}" for vocabulary_id in created]
    sis_server.vocabulary_calls.clear()
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await settle(hass)
    assert calls(sis_server) == checks  # still there? Nothing is sent again.
    # Without what was kept (a restored backup, say), the tables are found by their names.
    sis_server.vocabulary_calls.clear()
    del hass_storage[f"{DOMAIN}.hot_words.{loaded_entry.entry_id}"]
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await settle(hass)
    assert [call.split()[0] for call in calls(sis_server)] == ["GET", "PUT", "GET", "PUT"]
    assert [table.vocabulary_id for table in sis_server.tables] == created
    sis_server.vocabulary_calls.clear()
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await settle(hass)
    assert calls(sis_server) == checks


async def test_a_home_without_names_has_no_table(
    hass: HomeAssistant, sis_server: SisServer, loaded_entry: MockConfigEntry
) -> None:
    await settle(hass)
    assert calls(sis_server) == []
    add_entity(hass, "거실")  # gives no word: still no table
    await settle(hass)
    assert calls(sis_server) == []


async def test_a_table_whose_names_are_all_gone_is_deleted(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
) -> None:
    area = area_registry.async_create("Plantuary")
    await settle(hass)
    assert len(sis_server.tables) == 2
    area_registry.async_delete(area.id)
    await settle(hass)
    assert len(sis_server.tables) == 0
    assert await table_sent(client, sis_server, "zh-CN") is None


# --- options -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("home")
async def test_turning_it_off_deletes_the_tables(
    hass: HomeAssistant, sis_server: SisServer, loaded_entry: MockConfigEntry, client: HttpClient
) -> None:
    await settle(hass)
    assert len(sis_server.tables) == 2
    await change_options(hass, loaded_entry, favour_names=False)
    assert len(sis_server.tables) == 0
    assert await table_sent(client, sis_server, "zh-CN") is None
    ar.async_get(hass).async_create("Plantuary")  # no longer followed
    await settle(hass)
    assert len(sis_server.tables) == 0
    await change_options(hass, loaded_entry, favour_names=False, extra_words="Ecobee\n客厅")
    assert words_of(sis_server, loaded_entry.entry_id, MANDARIN) == {"ECOBEE", "客厅"}
    assert words_of(sis_server, loaded_entry.entry_id, ENGLISH) == {"ECOBEE"}
    await change_options(hass, loaded_entry, favour_names=True, extra_words="Ecobee")
    assert words_of(sis_server, loaded_entry.entry_id, ENGLISH) == (GARDEN_WORDS - {"二楼"}) | {
        "PLANTUARY"
    }


@pytest.mark.usefixtures("home")
async def test_a_users_own_table_replaces_the_one_kept_for_its_language(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    http: Any,
) -> None:
    await settle(hass)
    own = await create_table(http, sis_server, "my_table", ["华为云"])
    await change_options(hass, loaded_entry, vocabulary_id_zh_cn=own)
    assert table_of(sis_server, loaded_entry.entry_id, MANDARIN) is None  # no longer kept
    english = table_of(sis_server, loaded_entry.entry_id, ENGLISH)
    assert english is not None
    assert await table_sent(client, sis_server, "zh-CN") == own
    assert await table_sent(client, sis_server, "en-US") == english.vocabulary_id
    # The user's own table is theirs: when it is gone, recognition goes on without it and
    # the tables kept here stay as they are.
    sis_server.tables.remove(own)
    sis_server.vocabulary_calls.clear()
    answer = await recognise(client, synthesize("打开灯"), language="zh-CN")
    assert answer == {"text": "打开灯", "result": "success"}
    assert "vocabulary_id" not in sis_server.sessions[-1].config
    await run_due(hass)
    assert calls(sis_server) == []
    assert await table_sent(client, sis_server, "en-US") == english.vocabulary_id


@pytest.mark.parametrize("options", [{"extra_words": "Ecobee\nPlantuary"}])
async def test_extra_words_come_first_when_a_table_is_full(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
) -> None:
    area_registry.async_create("Garden")
    # Every entity name gives one word of its own (十一号灯, 十二号灯...): more than fit.
    names = [f"{number}号灯" for number in range(11, 11 + MAX_WORDS_PER_TABLE)]
    for index, name in enumerate(names):
        add_entity(hass, name, unique_id=f"lamp_{index}")
    await settle(hass)
    words = table_of(sis_server, loaded_entry.entry_id, MANDARIN)
    assert words is not None
    assert len(words.words) == MAX_WORDS_PER_TABLE
    assert words.words[:3] == ("ECOBEE", "PLANTUARY", "GARDEN")
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    mandarin = diagnostics["hot_words"]["tables"]["chinese_mandarin"]
    assert mandarin["words"] == MAX_WORDS_PER_TABLE
    assert mandarin["dropped_count"] == 3
    assert [item["kind"] for item in mandarin["dropped"]] == ["entity"] * 3
    assert {item["reason"] for item in mandarin["dropped"]} == {"table_full"}


# --- faults: recognition never stops ----------------------------------------------------------


FAULTS: list[tuple[str, Callable[[SisServer], None], str | None]] = [
    ("service down", lambda s: s.vocabulary_faults.extend([RestFault.answer(503)] * 2), None),
    ("no answer", lambda s: s.vocabulary_faults.extend([RestFault.hang()] * 2), None),
    ("dropped", lambda s: s.vocabulary_faults.extend([RestFault.disconnect()] * 4), None),
    ("throttled", lambda s: s.vocabulary_faults.append(RestFault.answer(429)), None),
    ("refused key", lambda s: s.vocabulary_faults.extend([RestFault.answer(401)] * 2), None),
    ("saving failed", lambda s: s.vocabulary_faults.append(RestFault.error("SIS.0206")), None),
    ("forbidden", lambda s: setattr(s, "vocabulary_forbidden", True), "hot_words_forbidden"),
]


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize(
    ("prepare", "issue"), [(p, i) for _, p, i in FAULTS], ids=[n for n, _, _ in FAULTS]
)
async def test_a_failed_update_keeps_recognition_working(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    caplog: pytest.LogCaptureFixture,
    prepare: Callable[[SisServer], None],
    issue: str | None,
) -> None:
    await settle(hass)
    mandarin = table_of(sis_server, loaded_entry.entry_id, MANDARIN)
    assert mandarin is not None
    prepare(sis_server)
    area_registry.async_create("Plantuary")
    await after_quiet(hass)
    [warning] = warnings(caplog)
    assert "chinese_mandarin" in warning.getMessage()
    # Recognition goes on with the table as it was.
    assert await table_sent(client, sis_server, "zh-CN") == mandarin.vocabulary_id
    assert "PLANTUARY" not in mandarin.words
    issues = {issue.translation_key for issue in our_issues(hass)}
    assert issues == ({issue} if issue else set())
    # Tried again after a while: then it works, and the repair issue goes.
    sis_server.vocabulary_forbidden = False
    await settle(hass)
    assert "PLANTUARY" in words_of(sis_server, loaded_entry.entry_id, MANDARIN)
    assert not our_issues(hass)
    assert len(warnings(caplog)) == 1


async def test_retries_wait_longer_each_time(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await settle(hass)
    sis_server.vocabulary_forbidden = True
    area_registry.async_create("Plantuary")
    await after_quiet(hass)
    attempts = len(sis_server.vocabulary_calls)
    assert attempts == 2  # one request per table

    async def after(seconds: float) -> int:
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
        await hass.async_block_till_done(wait_background_tasks=True)
        return len(sis_server.vocabulary_calls)

    assert await after(RETRY_FIRST_SECONDS - 1) == attempts
    assert await after(RETRY_FIRST_SECONDS + 1) == attempts + 2
    assert await after(RETRY_FIRST_SECONDS + 1) == attempts + 2  # now twice as long
    assert await after(2 * RETRY_FIRST_SECONDS + 1) == attempts + 4
    # A change while waiting does not hurry the retry.
    area_registry.async_create("Orchard")
    assert await after(QUIET_SECONDS + 1) == attempts + 4
    assert len(warnings(caplog)) == 1  # one line, however often it fails


@pytest.mark.parametrize("limit", [MAX_TABLES, 10])
async def test_the_table_limit_raises_a_repair_issue(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    caplog: pytest.LogCaptureFixture,
    limit: int,
) -> None:
    """The pages say 100 tables per account, and 10 (H4): whichever holds, no number is shown."""
    sis_server.readings.max_tables = limit
    body = {"name": "", "language": "chinese_mandarin", "contents": ["客厅"]}
    for number in range(limit):  # the account's tables, in another project
        sis_server.tables.add(PROJECTS["cn-east-3"], body | {"name": f"other_{number}"})
    area_registry.async_create("Plantuary")
    await settle(hass)
    [issue] = our_issues(hass)
    assert issue.translation_key == "hot_words_too_many_tables"
    assert issue.translation_placeholders == {"title": "Huawei Cloud SIS"}  # no number
    assert await table_sent(client, sis_server, "zh-CN") is None  # without a table
    assert len(warnings(caplog)) == 1
    sis_server.tables.remove(next(iter(sis_server.tables)).vocabulary_id)
    sis_server.tables.remove(next(iter(sis_server.tables)).vocabulary_id)
    await settle(hass)
    assert not our_issues(hass)
    assert await table_sent(client, sis_server, "zh-CN") is not None


@pytest.mark.usefixtures("home")
async def test_words_the_service_refuses_are_not_sent_again(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await settle(hass)
    sis_server.vocabulary_faults.append(RestFault.error("SIS.0203", "illegal word"))
    area_registry.async_create("Plantuary")
    await settle(hass)
    sis_server.vocabulary_calls.clear()
    await settle(hass)  # long after any retry
    assert calls(sis_server) == []
    await next_day(hass)  # the table as it was is still checked
    assert [call.split()[0] for call in calls(sis_server)] == ["GET", "GET"]
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    assert diagnostics["hot_words"]["tables"]["chinese_mandarin"]["result"] == "SIS.0203"
    assert len(warnings(caplog)) == 1
    area_registry.async_create("Orchard")  # other words: sent
    await settle(hass)
    assert "ORCHARD" in words_of(sis_server, loaded_entry.entry_id, MANDARIN)


async def test_words_refused_for_a_new_table_are_not_sent_again(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
) -> None:
    sis_server.vocabulary_faults += [
        RestFault.answer(200, {"count": 0, "result": []}),  # no Mandarin table of its name
        RestFault.error("SIS.0203", "illegal word"),  # and its words are refused
    ]
    area_registry.async_create("Plantuary")
    await settle(hass)
    english = table_of(sis_server, loaded_entry.entry_id, ENGLISH)
    assert english is not None
    assert table_of(sis_server, loaded_entry.entry_id, MANDARIN) is None
    sis_server.vocabulary_calls.clear()
    await next_day(hass)
    assert calls(sis_server) == [f"GET {english.vocabulary_id}"]


async def test_a_language_the_region_does_not_offer_is_not_asked_again(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A custom endpoint may be any region: Singapore offers no English tables."""
    singapore = PROJECTS["ap-southeast-3"]
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Huawei Cloud SIS",
        data=entry_data(sis_server) | {"project_id": singapore},
        unique_id=singapore,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    area_registry.async_create("Plantuary")
    await settle(hass)
    assert [table.language for table in sis_server.tables] == ["chinese_mandarin"]
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["hot_words"]["tables"]["english"]["result"] == "language_not_offered"
    [warning] = warnings(caplog)
    assert "SIS.0205" in warning.getMessage()
    sis_server.vocabulary_calls.clear()
    area_registry.async_create("Orchard")
    await settle(hass)
    assert [call.split()[0] for call in calls(sis_server)] == ["PUT"]  # Mandarin only


@pytest.mark.usefixtures("home")
async def test_a_deleted_table_is_made_again_at_the_next_change(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await settle(hass)
    mandarin = table_of(sis_server, loaded_entry.entry_id, MANDARIN)
    assert mandarin is not None
    sis_server.tables.remove(mandarin.vocabulary_id)
    sis_server.vocabulary_calls.clear()
    area_registry.async_create("Plantuary")
    await settle(hass)
    assert [(call.method, call.status) for call in sis_server.vocabulary_calls][:2] == [
        ("PUT", 400),  # SIS.0201: gone
        ("POST", 200),
    ]
    assert "PLANTUARY" in words_of(sis_server, loaded_entry.entry_id, MANDARIN)
    assert warnings(caplog) == []


async def test_a_name_taken_in_another_project_is_a_warning(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    client: HttpClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Table names are unique per account: a table of another project may hold the name."""
    name = table_name(loaded_entry.entry_id, MANDARIN)
    body = {"name": name, "language": "chinese_mandarin", "contents": ["客厅"]}
    sis_server.tables.add(PROJECTS["cn-east-3"], body)
    area_registry.async_create("Plantuary")
    await settle(hass)
    [warning] = warnings(caplog)
    assert "SIS.0204" in warning.getMessage()
    assert await table_sent(client, sis_server, "zh-CN") is None
    assert await table_sent(client, sis_server, "en-US") is not None


@pytest.mark.usefixtures("home")
async def test_unloading_during_a_sync_leaves_nothing_running(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await settle(hass)
    sis_server.vocabulary_calls.clear()
    sis_server.vocabulary_faults.append(RestFault.hang())
    area_registry.async_create("Plantuary")
    await after_quiet(hass, wait=False)
    await wait_for(lambda: bool(sis_server.vocabulary_calls), "a request in flight")
    area_registry.async_create("Patio")  # a sync falls due while this one runs
    await after_quiet(hass, wait=False)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert our_tasks() == []
    assert warnings(caplog) == []
    area_registry.async_create("Orchard")  # no longer followed
    await settle(hass)
    [hung] = sis_server.vocabulary_calls  # and nothing after it
    assert (hung.method, hung.status) == ("PUT", None)


# --- removing the entry ----------------------------------------------------------------------


@pytest.mark.usefixtures("home")
async def test_removing_the_entry_deletes_its_tables(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    http: Any,
) -> None:
    await settle(hass)
    console = await create_table(http, sis_server, "my_table", ["华为云"])
    assert len(sis_server.tables) == 3
    assert f"{DOMAIN}.hot_words.{loaded_entry.entry_id}" in hass_storage
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert [table.vocabulary_id for table in sis_server.tables] == [console]
    assert f"{DOMAIN}.hot_words.{loaded_entry.entry_id}" not in hass_storage


@pytest.mark.usefixtures("home")
async def test_removing_the_entry_finds_the_tables_it_lost_track_of(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    await settle(hass)
    assert len(sis_server.tables) == 2
    del hass_storage[f"{DOMAIN}.hot_words.{loaded_entry.entry_id}"]  # a restored backup, say
    sis_server.vocabulary_calls.clear()
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert len(sis_server.tables) == 0
    # Each found by its name (the list filtered by it), not by listing every table.
    assert [call.split()[0] for call in calls(sis_server)] == ["GET", "GET", "DELETE", "DELETE"]


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize("synced", [True, False])
async def test_a_failed_delete_is_one_warning_and_the_entry_goes(
    hass: HomeAssistant,
    sis_server: SisServer,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    synced: bool,
) -> None:
    if synced:
        await settle(hass)
    else:
        assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    sis_server.vocabulary_forbidden = True
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.config_entries.async_get_entry(loaded_entry.entry_id) is None
    # A warning naming the tables when some were known; nothing to say otherwise.
    lines = warnings(caplog)
    assert len(lines) == synced
    if synced:
        assert table_name(loaded_entry.entry_id, MANDARIN) in lines[0].getMessage()


# --- diagnostics -------------------------------------------------------------------------------


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize("options", [{"extra_words": "Ecobee"}])
async def test_diagnostics_show_each_table(
    hass: HomeAssistant, sis_server: SisServer, loaded_entry: MockConfigEntry
) -> None:
    add_entity(hass, "거실")
    await settle(hass)
    hot_words = (await async_get_config_entry_diagnostics(hass, loaded_entry))["hot_words"]
    assert (hot_words["favour_names"], hot_words["extra_words"]) == (True, 1)
    assert hot_words["languages"] == ["chinese_mandarin", "english"]
    english = hot_words["tables"]["english"]
    table = table_of(sis_server, loaded_entry.entry_id, ENGLISH)
    assert table is not None
    assert english["vocabulary_id"] == table.vocabulary_id
    assert english["name"] == table.name
    assert english["words"] == len(table.words)
    assert english["result"] == "ok"
    assert dt_util.parse_datetime(english["last_sync"]) is not None
    assert dt_util.parse_datetime(english["last_check"]) is not None  # the create showed it
    assert hot_words["refused_languages"] == {}
    assert english["dropped"] == [
        {"name": "二楼", "kind": "floor", "reason": "chinese_in_english_table"},
        {"name": "客厅 灯", "kind": "entity", "reason": "chinese_in_english_table"},
        {"name": "거실", "kind": "entity", "reason": "unsupported_script"},
    ]
    assert english["dropped_count"] == 3
