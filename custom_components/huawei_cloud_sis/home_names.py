"""The names Assist knows in this home, in the order a hot-word table favours them.

Assist's built-in conversation agent matches a command against the names and
aliases of the entities exposed to it (the `conversation` assistant) and of
the areas and floors. Those are the words speech-to-text must hear right, so
they are read here as the agent reads them, and the registry events that make
the agent rebuild its lists are followed (`async_track_changes`).

A table holds a limited number of words, so the names come in an order of
priority; what does not fit is left out, from the end:

1. the user's extra words (typed in the options for this very purpose);
2. area names and aliases (most commands name a room: "turn off the kitchen");
3. floor names and aliases (fewer commands name one);
4. entity names;
5. entity aliases (further ways to say an entity that has a name already).

The extra words keep the user's order. Within the other kinds the names are
sorted (case-insensitively), so the same home gives the same list, whatever
order the registries and states load in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from homeassistant.components.homeassistant.exposed_entities import (
    async_listen_entity_updates,
    async_should_expose,
)
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
)

from .sis import DropReason, TableLanguage, build_word_list, name_to_words

ASSISTANT: Final = "conversation"
"""The assistant whose exposed entities are named (Assist)."""
DEFAULT_FAVOUR_NAMES: Final = True
"""Names are favoured unless the user turns it off."""
STATES_PER_SLICE: Final = 200
"""Entities read before the event loop is given back (see `async_collect`)."""

ENTITY_NAME_FIELDS: Final = frozenset(
    {
        "aliases",
        "device_id",
        "has_entity_name",
        "name",
        "next_name_part",
        "original_name",
        "original_name_unprefixed",
    }
)
"""Entity registry fields an entity's names are made of (some exist in newer releases only)."""
DEVICE_NAME_FIELDS: Final = frozenset({"name", "name_by_user", "parent_device_id"})
"""Device registry fields that go into the names of the device's entities."""


class NameKind(StrEnum):
    """Where a name comes from; the order of the members is the order of priority."""

    EXTRA = "extra_word"
    AREA = "area"
    FLOOR = "floor"
    ENTITY = "entity"
    ALIAS = "entity_alias"


@dataclass(frozen=True, slots=True)
class HomeNames:
    """A snapshot of the names, each once, in the order of priority."""

    names: tuple[str, ...]
    kinds: Mapping[str, NameKind]
    """The kind each name was first found as."""

    @classmethod
    def from_kinds(cls, found: Mapping[NameKind, Iterable[str]]) -> HomeNames:
        """Order names found by kind; a name found as several kinds counts as the first."""
        kinds: dict[str, NameKind] = {}
        for kind in NameKind:
            names = found.get(kind, ())
            if kind is not NameKind.EXTRA:
                names = sorted(set(names), key=lambda name: (name.casefold(), name))
            for name in names:
                kinds.setdefault(name, kind)
        return cls(tuple(kinds), kinds)


def parse_extra_words(text: Any) -> tuple[str, ...]:
    """Return the lines of the extra words option: stripped, without blank lines or repeats."""
    if not isinstance(text, str):
        return ()
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def unusable_words(words: Iterable[str], languages: Iterable[TableLanguage]) -> list[str]:
    """Return the words that give nothing for a table of any of `languages`."""
    tables = tuple(languages)
    return [
        word
        for word in words
        if all(isinstance(name_to_words(word, language), DropReason) for language in tables)
    ]


def overflowing_words(words: Iterable[str], languages: Iterable[TableLanguage]) -> bool:
    """Whether the words alone are more than a table of one of `languages` holds."""
    names = tuple(words)
    return any(
        any(
            dropped.reason is DropReason.TABLE_FULL
            for dropped in build_word_list(names, language).dropped
        )
        for language in languages
    )


async def async_collect(
    hass: HomeAssistant, extra_words: Iterable[str], *, home: bool
) -> HomeNames:
    """Read the names on the event loop: the extra words, and the home's when `home`.

    The registries can only be read on the event loop. Reading one entity takes
    a few microseconds, so the loop is given back after every
    `STATES_PER_SLICE` entities: a home of thousands of entities never holds
    it for more than a few milliseconds at a time (see the benchmark). A
    change made between two slices schedules another sync.
    """
    found: dict[NameKind, list[str]] = {kind: [] for kind in NameKind}
    found[NameKind.EXTRA].extend(extra_words)
    if home:
        for area in ar.async_get(hass).async_list_areas():
            found[NameKind.AREA].extend(_clean((area.name, *area.aliases)))
        for floor in fr.async_get(hass).async_list_floors():
            found[NameKind.FLOOR].extend(_clean((floor.name, *floor.aliases)))
        states = hass.states.async_all()
        for start in range(0, len(states), STATES_PER_SLICE):
            if start:
                await asyncio.sleep(0)
            _entity_names(hass, states[start : start + STATES_PER_SLICE], found)
        await asyncio.sleep(0)  # sorting thousands of names takes a millisecond or two
    return HomeNames.from_kinds(found)


def _clean(names: Iterable[str]) -> list[str]:
    return [stripped for name in names if (stripped := name.strip())]


@callback
def _entity_names(
    hass: HomeAssistant, states: list[State], found: dict[NameKind, list[str]]
) -> None:
    """Add the names of the exposed entities among `states`, as Assist knows them."""
    registry = er.async_get(hass)
    for state in states:
        if not async_should_expose(hass, ASSISTANT, state.entity_id):
            continue
        entry = registry.async_get(state.entity_id)
        if entry is None:  # an entity without a unique id: Assist knows its state's name
            found[NameKind.ENTITY].extend(_clean((state.name,)))
            continue
        # As `intent.async_get_entity_aliases`: the computed name wherever the user kept it
        # among the aliases (it is there unless removed), then the aliases typed in.
        for alias in entry.aliases:
            if alias is er.COMPUTED_NAME:
                found[NameKind.ENTITY].extend(_clean((er.async_get_full_entity_name(hass, entry),)))
            else:
                found[NameKind.ALIAS].extend(_clean((alias,)))


@callback
def async_track_changes(hass: HomeAssistant, action: Callable[[], None]) -> CALLBACK_TYPE:
    """Call `action` after every change that can change the names; return the unsubscriber.

    The events are those the conversation agent rebuilds its name lists on:
    area and floor registry changes, changes of the names of entities and
    devices, entities added or removed, and exposure to Assist toggled.
    """

    @callback
    def changed(event: Event[Any] | None = None) -> None:
        action()

    @callback
    def entity_names_changed(data: er.EventEntityRegistryUpdatedData) -> bool:
        return data["action"] == "update" and not ENTITY_NAME_FIELDS.isdisjoint(data["changes"])

    @callback
    def device_names_changed(data: dr.EventDeviceRegistryUpdatedData) -> bool:
        return data["action"] == "update" and not DEVICE_NAME_FIELDS.isdisjoint(data["changes"])

    @callback
    def added_or_removed(data: EventStateChangedData) -> bool:
        return data["old_state"] is None or data["new_state"] is None

    unsubscribers = [
        hass.bus.async_listen(ar.EVENT_AREA_REGISTRY_UPDATED, changed),
        hass.bus.async_listen(fr.EVENT_FLOOR_REGISTRY_UPDATED, changed),
        hass.bus.async_listen(
            er.EVENT_ENTITY_REGISTRY_UPDATED, changed, event_filter=entity_names_changed
        ),
        hass.bus.async_listen(
            dr.EVENT_DEVICE_REGISTRY_UPDATED, changed, event_filter=device_names_changed
        ),
        hass.bus.async_listen(EVENT_STATE_CHANGED, changed, event_filter=added_or_removed),
        async_listen_entity_updates(hass, ASSISTANT, changed),
    ]

    @callback
    def unsubscribe() -> None:
        for unsubscriber in unsubscribers:
            unsubscriber()

    return unsubscribe
