"""The names Assist knows, in their order of priority, and the changes that are followed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from unittest.mock import patch

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.huawei_cloud_sis import home_names
from custom_components.huawei_cloud_sis.home_names import (
    HomeNames,
    NameKind,
    async_collect,
    async_track_changes,
    overflowing_words,
    parse_extra_words,
    unusable_words,
)
from custom_components.huawei_cloud_sis.sis import MAX_WORDS_PER_TABLE, TableLanguage
from tests.helpers.home import add_entity, remove_entity

MANDARIN = TableLanguage.CHINESE_MANDARIN
ENGLISH = TableLanguage.ENGLISH


async def test_names_come_in_their_order_of_priority(
    hass: HomeAssistant,
    area_registry: ar.AreaRegistry,
    floor_registry: fr.FloorRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    area_registry.async_create("kitchen", aliases={"cooking place", " "})
    area_registry.async_create("Bedroom")
    floor_registry.async_create("Upstairs", aliases={"second floor"})
    lamp = add_entity(hass, "Reading lamp")
    entity_registry.async_update_entity(lamp, aliases=[er.COMPUTED_NAME, "Ecobee"])
    only_alias = add_entity(hass, "Ceiling light 3")
    entity_registry.async_update_entity(only_alias, aliases=["Big light"])  # name removed
    add_entity(hass, "Kitchen")  # also an area: counts as one
    hidden = add_entity(hass, "Secret safe", domain="lock")
    async_expose_entity(hass, "conversation", hidden, should_expose=False)
    add_entity(hass, "Garage door", domain="cover")
    hass.states.async_set("fan.attic", "on", {"friendly_name": "Attic fan"})  # not registered
    hass.states.async_set("sensor.power", "3", {"friendly_name": "Power"})  # not exposed

    names = await async_collect(hass, ["Plantuary", "Bedroom"], home=True)

    assert names.names == (
        "Plantuary",  # the user's own words first
        "Bedroom",
        "cooking place",  # areas, sorted without regard to case
        "kitchen",
        "second floor",
        "Upstairs",
        "Attic fan",  # entity names
        "Garage door",
        "Kitchen",
        "Reading lamp",
        "Big light",  # aliases
        "Ecobee",
    )
    assert names.kinds["Bedroom"] is NameKind.EXTRA
    assert names.kinds["second floor"] is NameKind.FLOOR
    assert names.kinds["Big light"] is NameKind.ALIAS


async def test_a_device_name_is_part_of_its_entities_names(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    entry = MockConfigEntry(domain="test")
    entry.add_to_hass(hass)
    device = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("test", "1")}, name="Ecobee"
    )
    add_entity(hass, "Thermostat", domain="climate", device_id=device.id, has_entity_name=True)
    assert (await async_collect(hass, [], home=True)).names == ("Ecobee Thermostat",)


async def test_without_the_home_only_extra_words_count(
    hass: HomeAssistant, area_registry: ar.AreaRegistry
) -> None:
    area_registry.async_create("Kitchen")
    add_entity(hass, "Garage door", domain="cover")
    assert (await async_collect(hass, ["Ecobee"], home=False)).names == ("Ecobee",)


async def test_reading_a_big_home_gives_the_loop_back(hass: HomeAssistant) -> None:
    for number in range(25):
        hass.states.async_set(f"light.l{number}", "on", {"friendly_name": f"Lamp {number}"})
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other_work())
    await asyncio.sleep(0)
    before = turns
    with patch.object(home_names, "STATES_PER_SLICE", 10):
        names = await async_collect(hass, [], home=True)
    assert len(names.names) == 25
    assert turns - before >= 2  # once for every slice after the first
    task.cancel()


def test_a_name_found_twice_keeps_its_first_kind() -> None:
    names = HomeNames.from_kinds(
        {NameKind.ALIAS: ["b", "a"], NameKind.AREA: ["b", "B"], NameKind.EXTRA: []}
    )
    assert names.names == ("B", "b", "a")
    assert dict(names.kinds) == {"b": NameKind.AREA, "B": NameKind.AREA, "a": NameKind.ALIAS}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Ecobee\n  Plantuary \n\nEcobee\r\n客厅", ("Ecobee", "Plantuary", "客厅")),
        ("", ()),
        (None, ()),
        (5, ()),
    ],
)
def test_extra_words_are_lines(text: object, words: tuple[str, ...]) -> None:
    assert parse_extra_words(text) == words


def test_unusable_and_too_many_words() -> None:
    words = ["Ecobee", "客厅", "거실", "!!!", "Bed", "Living room"]
    assert unusable_words(words, [MANDARIN, ENGLISH]) == ["거실", "!!!", "Bed"]
    assert unusable_words(words, [ENGLISH]) == ["客厅", "거실", "!!!", "Bed"]
    many = [f"{number}楼" for number in range(10, 10 + MAX_WORDS_PER_TABLE + 1)]
    assert not overflowing_words(many[:-1], [MANDARIN])
    assert overflowing_words(many, [MANDARIN])


type Change = Callable[[HomeAssistant], object]


def _area(hass: HomeAssistant) -> ar.AreaEntry:
    area = ar.async_get(hass).async_get_area_by_name("Kitchen")
    assert area is not None
    return area


def _device(hass: HomeAssistant) -> dr.DeviceEntry:
    [entry] = hass.config_entries.async_entries("test")
    [device] = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return device


FOLLOWED: list[tuple[str, Change]] = [
    ("area created", lambda hass: ar.async_get(hass).async_create("Attic")),
    ("area renamed", lambda hass: ar.async_get(hass).async_update(_area(hass).id, name="Cook")),
    (
        "area alias",
        lambda hass: ar.async_get(hass).async_update(_area(hass).id, aliases={"Cook"}),
    ),
    ("area removed", lambda hass: ar.async_get(hass).async_delete(_area(hass).id)),
    ("floor created", lambda hass: fr.async_get(hass).async_create("Upstairs")),
    (
        "entity renamed",
        lambda hass: er.async_get(hass).async_update_entity("light.lamp", name="Reading lamp"),
    ),
    (
        "entity alias",
        lambda hass: er.async_get(hass).async_update_entity(
            "light.lamp", aliases=[er.COMPUTED_NAME, "Big light"]
        ),
    ),
    ("entity added", lambda hass: add_entity(hass, "Fan", domain="fan")),
    ("entity removed", lambda hass: remove_entity(hass, "light.lamp")),
    (
        "entity unexposed",
        lambda hass: async_expose_entity(hass, "conversation", "light.lamp", should_expose=False),
    ),
    (
        "device renamed",
        lambda hass: dr.async_get(hass).async_update_device(
            _device(hass).id, name_by_user="Ecobee"
        ),
    ),
]
IGNORED: list[tuple[str, Change]] = [
    ("state changed", lambda hass: hass.states.async_set("light.lamp", "off")),
    (
        "entity icon",
        lambda hass: er.async_get(hass).async_update_entity("light.lamp", icon="mdi:lamp"),
    ),
    (
        "device firmware",
        lambda hass: dr.async_get(hass).async_update_device(_device(hass).id, sw_version="2"),
    ),
    (
        "another assistant",
        lambda hass: async_expose_entity(hass, "cloud.alexa", "light.lamp", should_expose=False),
    ),
]


@pytest.fixture
async def home(hass: HomeAssistant, area_registry: ar.AreaRegistry) -> None:
    """An area, a device and one exposed entity."""
    area_registry.async_create("Kitchen")
    entry = MockConfigEntry(domain="test")
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("test", "1")}, name="Thermostat"
    )
    add_entity(hass, "Lamp", device_id=device.id)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize(
    ("change", "followed"),
    [(change, True) for _, change in FOLLOWED] + [(change, False) for _, change in IGNORED],
    ids=[name for name, _ in FOLLOWED + IGNORED],
)
async def test_the_changes_assist_follows_are_followed(
    hass: HomeAssistant, change: Change, followed: bool
) -> None:
    noticed: list[None] = []
    unsubscribe = async_track_changes(hass, lambda: noticed.append(None))
    change(hass)
    await hass.async_block_till_done()
    assert bool(noticed) is followed
    unsubscribe()
    noticed.clear()
    ar.async_get(hass).async_create("After")
    await hass.async_block_till_done()
    assert noticed == []
