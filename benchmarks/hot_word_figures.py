"""Hot-word tables of a big home, run by `benchmarks/bench_hot_words.py` through pytest.

A home of 2,000 exposed entities (on 2,000 devices) in 50 areas on 5 floors,
every tenth entity with an alias, against the local server; named once in
English and once in Traditional Chinese characters, which a Mandarin table
holds converted to Simplified ones. It prints, for each:

- how long reading the names takes (on the event loop, in slices), and its
  longest slice, timed around each slice;
- how long a sync takes: the first one after a start, which turns every name
  into words, and one after a rename, which turns only the new name into
  words and replaces the tables it changes;
- the longest the event loop did not turn during those syncs: a task that
  does nothing but yield (`asyncio.sleep(0)`) notes the time between its
  turns, so anything that holds the loop (our code, aiohttp, the local
  server, the garbage collector) shows;
- the REST requests: for 100 renames in a row; at steady state (two quiet
  hours, then a week, per day and per table); after a restart (a reload of
  the entry), and after a restart with one table deleted meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import gc
import os
import statistics
import time
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
)
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.huawei_cloud_sis import home_names, hot_word_schedule
from custom_components.huawei_cloud_sis.chinese_script import Conversion, async_converter
from custom_components.huawei_cloud_sis.hot_word_content import CHINESE
from tests.helpers.hot_words import MANDARIN, calls, table_of
from tests.sis_server import SisServer

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
ENTITIES = 2000
DAYS = 7
"""Days at steady state whose requests are counted."""
ROOMS = [
    "Living room", "Kitchen", "Dining room", "Bedroom", "Guest room", "Bathroom", "Office",
    "Hallway", "Garage", "Garden", "Attic", "Basement", "Laundry", "Nursery", "Study",
]  # fmt: skip
THINGS = [
    "ceiling light", "lamp", "thermostat", "curtain", "speaker", "heater", "window",
    "door sensor", "fan", "humidifier", "television", "radiator", "motion sensor", "plug",
    "blinds", "dimmer", "spotlights", "Ecobee", "Hue strip", "Sonos",
]  # fmt: skip
ROOMS_TRADITIONAL = [
    "客廳", "廚房", "餐廳", "臥室", "客房", "浴室", "辦公室", "走廊", "車庫", "花園", "閣樓",
    "地下室", "洗衣間", "嬰兒房", "書房",
]  # fmt: skip
THINGS_TRADITIONAL = [
    "吊燈", "檯燈", "恆溫器", "窗簾", "喇叭", "暖氣", "窗戶", "門感應器", "電風扇", "加濕器",
    "電視", "暖爐", "動作感應器", "插座", "百葉窗", "調光器", "聚光燈", "Ecobee", "Hue燈條",
    "Sonos",
]  # fmt: skip
HOMES = {
    "English": (ROOMS, THINGS, "Floor {}", "Reading lamp {}"),
    "Traditional Chinese": (ROOMS_TRADITIONAL, THINGS_TRADITIONAL, "{}樓", "閱讀燈 {}"),
}
"""Names of the home: rooms, things, a floor's name and a renamed entity's."""
DOMAINS = ["light", "switch", "climate", "cover", "fan", "media_player", "lock"]


def _build_home(hass: HomeAssistant, home: str = "English") -> str:
    """50 areas on 5 floors, 2,000 exposed entities on devices, some aliases; return one id."""
    rooms, things, floor, _ = HOMES[home]
    entry = MockConfigEntry(domain="bench")
    entry.add_to_hass(hass)
    floors = [fr.async_get(hass).async_create(floor.format(n)).floor_id for n in range(1, 6)]
    areas = []
    for number in range(50):
        name = f"{rooms[number % len(rooms)]} {number // len(rooms) + 1}"
        area = ar.async_get(hass).async_create(name, floor_id=floors[number % 5])
        areas.append(area)
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    first = ""
    for number in range(ENTITIES):
        area = areas[number % 50]
        thing = things[number // 50 % len(things)]
        device = devices.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={("bench", str(number))},
            name=f"{area.name} {thing} {number // 1000 + 1}",
        )
        registered = entities.async_get_or_create(
            DOMAINS[number % len(DOMAINS)],
            "bench",
            str(number),
            device_id=device.id,
            has_entity_name=True,
            original_name=None,
        )
        if number % 10 == 0:
            entities.async_update_entity(
                registered.entity_id, aliases=[er.COMPUTED_NAME, f"{thing} {number}"]
            )
        hass.states.async_set(registered.entity_id, "on")
        first = first or registered.entity_id
    return first


class LoopWatch:
    """A task that only yields, noting the longest time between two of its turns."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now

    def __enter__(self) -> LoopWatch:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} / {max(values) * 1000:.1f}"


async def _settle(hass: HomeAssistant, seconds: float = 3700) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


def _timed_slices(slices: list[float]) -> Callable[..., Any]:
    original = home_names._entity_names  # noqa: SLF001 - timing the real function

    def timed(*args: Any) -> None:
        start = time.perf_counter()
        original(*args)
        slices.append(time.perf_counter() - start)

    return timed


@pytest.mark.parametrize("options", [{}])
@pytest.mark.parametrize("home", list(HOMES))
async def bench_hot_words(
    hass: HomeAssistant, sis_server: SisServer, loaded_entry: MockConfigEntry, home: str
) -> None:
    """Measure a big home's tables; print the figures."""
    # The test harness turns asyncio's debug mode on, which Home Assistant never runs
    # with: it records a stack for every callback and would be measured too.
    asyncio.get_running_loop().set_debug(False)
    first = _build_home(hass, home)
    renamed = HOMES[home][3]
    await hass.async_block_till_done()
    await _settle(hass)
    # What the home before left behind is collected now, not in the middle of this one.
    gc.collect()
    collect: list[float] = []
    slices: list[float] = []
    for _ in range(ROUNDS):
        with patch.object(home_names, "_entity_names", _timed_slices(slices)):
            start = time.perf_counter()
            names = await home_names.async_collect(hass, (), home=True)
            collect.append(time.perf_counter() - start)
    chinese = [name for name in names.names if CHINESE.search(name)]
    converting: list[float] = []
    if chinese:
        convert = await async_converter(hass, Conversion.SIMPLIFIED)
        for _ in range(ROUNDS):
            start = time.perf_counter()
            for name in chinese:
                convert(name)
            converting.append(time.perf_counter() - start)
    cold: list[float] = []
    cold_gaps: list[float] = []
    for _ in range(ROUNDS):
        # After a reload nothing is known of the names: the first sync makes every word.
        assert await hass.config_entries.async_reload(loaded_entry.entry_id)
        with LoopWatch() as watch:
            start = time.perf_counter()
            await asyncio.sleep(0)  # the first sync is due now
            await hass.async_block_till_done(wait_background_tasks=True)
            cold.append(time.perf_counter() - start)
        cold_gaps.append(watch.longest)
    hot_words = loaded_entry.runtime_data.hot_words
    warm: list[float] = []
    warm_gaps: list[float] = []
    sis_server.vocabulary_calls.clear()
    for number in range(ROUNDS):
        # A rename, synced at once (the clock is not moved: moving it runs every timer of
        # Home Assistant in one go, which would be measured too).
        with LoopWatch() as watch, patch.object(hot_word_schedule, "QUIET_SECONDS", 0.0):
            start = time.perf_counter()
            er.async_get(hass).async_update_entity(first, name=renamed.format(number))
            await asyncio.sleep(0)
            await hass.async_block_till_done(wait_background_tasks=True)
            warm.append(time.perf_counter() - start)
        warm_gaps.append(watch.longest)
    warm_requests = len(sis_server.vocabulary_calls) / ROUNDS
    sis_server.vocabulary_calls.clear()
    for number in range(100):
        er.async_get(hass).async_update_entity(first, name=f"Desk lamp {number}")
    await _settle(hass)
    renames = len(sis_server.vocabulary_calls)
    requests = await _requests(hass, sis_server, loaded_entry)
    tables = hot_words.diagnostics()["tables"]
    print()
    print(
        f"{ENTITIES} exposed entities named in {home}, 50 areas, 5 floors: "
        f"{len(names.names)} names; "
        + ", ".join(f"{lang}: {t['words']} words, {t['dropped_count']} names give none"
                    for lang, t in tables.items())
    )  # fmt: skip
    print(f"{ROUNDS} rounds; median / worst (ms)")
    print("| figure | value |")
    print("| --- | --- |")
    print(f"| reading the names, in all | {_ms(collect)} |")
    print(f"| longest slice of that reading | {_ms(slices)} |")
    if converting:
        each = statistics.median(converting) / len(chinese) * 1e6
        print(
            f"| converting its {len(chinese)} Chinese names to Simplified, in all "
            f"({each:.0f} µs each; part of a first sync) | {_ms(converting)} |"
        )
    print(f"| first sync after a start (every name made into words) | {_ms(cold)} |")
    print(f"| longest the event loop did not turn during it | {_ms(cold_gaps)} |")
    print(
        f"| sync after a rename (one name made into words, {warm_requests:g} requests) "
        f"| {_ms(warm)} |"
    )
    print(f"| longest the event loop did not turn during it | {_ms(warm_gaps)} |")
    print(f"| requests for 100 renames in a row | {renames} ({renames // 2} per table) |")
    for figure, value in requests.items():
        print(f"| {figure} | {value} |")


async def _requests(
    hass: HomeAssistant, sis_server: SisServer, entry: MockConfigEntry
) -> dict[str, str]:
    """Count the REST requests at steady state and after restarts; return the table rows."""
    made: list[str] = []

    async def counted(wait: Callable[[], Any]) -> list[str]:
        sis_server.vocabulary_calls.clear()
        await wait()
        made[:] = calls(sis_server)
        return [call.split()[0] for call in made]

    quiet = await counted(lambda: _later(hass, timedelta(hours=2), 1))
    week = await counted(lambda: _later(hass, timedelta(days=1), DAYS))
    tables = len(sis_server.tables)
    restart = await counted(lambda: _restart(hass, sis_server, entry, delete=False))
    dead = await counted(lambda: _restart(hass, sis_server, entry, delete=True))
    return {
        "requests at steady state: two quiet hours": str(len(quiet)),
        f"requests at steady state: per day over {DAYS} days ({tables} tables)": (
            f"{len(week) / DAYS:g} ({len(week) / DAYS / tables:g} per table: {week[0]})"
        ),
        "requests after a restart": f"{len(restart)} ({', '.join(restart)})",
        "requests after a restart, one table deleted meanwhile": f"{len(dead)} ({', '.join(dead)})",
    }


async def _later(hass: HomeAssistant, step: timedelta, steps: int) -> None:
    """Let `step` pass `steps` times: what falls due in each runs, and its sync.

    The test harness fires the timers due by then without moving the event
    loop's clock, so a timer armed again is due a `step` after the real time:
    each step fires a daily timer once, as a day would.
    """
    for _ in range(steps):
        async_fire_time_changed(hass, dt_util.utcnow() + step + timedelta(seconds=1))
        await hass.async_block_till_done(wait_background_tasks=True)
        async_fire_time_changed(hass, dt_util.utcnow())  # the sync the check asks for
        await hass.async_block_till_done(wait_background_tasks=True)


async def _restart(
    hass: HomeAssistant, sis_server: SisServer, entry: MockConfigEntry, *, delete: bool
) -> None:
    """Stop the entry, delete its Mandarin table in the 'console' if asked, start it again."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    table = table_of(sis_server, entry.entry_id, MANDARIN)
    if delete and table is not None:
        sis_server.tables.remove(table.vocabulary_id)
    sis_server.vocabulary_calls.clear()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await _settle(hass)
