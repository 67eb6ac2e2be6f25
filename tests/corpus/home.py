"""The home the spoken corpus is said in: English and Mandarin names, areas, aliases.

Names that begin other names ("kitchen light" and "kitchen light strip", 台灯 and
台灯带, "ceiling fan" and "ceiling fan light", 风扇 and 风扇灯, 空调 and 空调扇),
thermostats, a blind and lights for numbers, a fan for "... and the fan", all
exposed to Assist, with the conversation agent and the intents of lights, fans,
covers and climate loaded, as in a real home.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, entity_registry as er, floor_registry as fr
from homeassistant.setup import async_setup_component

from tests.helpers.home import add_entity

THERMOSTAT: Final = {
    "supported_features": 1,  # a target temperature
    "temperature": 20,
    "current_temperature": 19,
    "min_temp": 7,
    "max_temp": 35,
    "hvac_modes": ["heat", "off"],
}
BLIND: Final = {"supported_features": 15}  # open, close, set position, stop
GARAGE: Final = {"device_class": "garage", "supported_features": 3}


class Named(NamedTuple):
    """An entity of the home."""

    name: str
    domain: str
    area: str | None = None
    aliases: tuple[str, ...] = ()
    attributes: Mapping[str, Any] = {}


ENTITIES: Final = (
    Named("kitchen light", "light"),
    Named("kitchen light strip", "light"),
    Named("ceiling fan", "fan"),
    Named("ceiling fan light", "light"),
    Named("porch lamp", "light", aliases=("front light",)),
    Named("attic light", "light"),
    Named("fan", "fan"),
    Named("bedside lamp", "light", "bedroom"),
    Named("reading lamp", "light", "living room", ("book light",)),
    Named("thermostat", "climate", attributes=THERMOSTAT),
    Named("blinds", "cover", "living room", attributes=BLIND),
    Named("garage door", "cover", attributes=GARAGE),
    Named("台灯", "light"),
    Named("台灯带", "light"),
    Named("卧室灯", "light"),
    Named("卧室灯带", "light"),
    Named("吊灯", "light", "客厅", ("大灯",)),
    Named("风扇", "fan"),
    Named("风扇灯", "light"),
    Named("空调", "climate", attributes=THERMOSTAT),
    Named("空调扇", "fan"),
    Named("窗帘", "cover", "卧室", attributes=BLIND),
    Named("车库门", "cover", attributes=GARAGE),
)
AREAS: Final = ("kitchen", "bedroom", "living room", "客厅", "卧室", "厨房")
FLOORS: Final = ("upstairs",)
STATES: Final = {"climate": "heat", "cover": "closed"}
"""The state of an entity of the domain; "off" for the others."""


async def async_setup_home(hass: HomeAssistant) -> None:
    """Load Assist and make the corpus's home: its areas, floors and exposed entities."""
    for component in (
        "homeassistant",
        "intent",
        "conversation",
        "light",
        "fan",
        "cover",
        "climate",
    ):
        assert await async_setup_component(hass, component, {})
    areas = ar.async_get(hass)
    area_ids = {name: areas.async_get_or_create(name).id for name in AREAS}
    for floor in FLOORS:
        fr.async_get(hass).async_create(floor)
    registry = er.async_get(hass)
    for entity in ENTITIES:
        entity_id = add_entity(hass, entity.name, domain=entity.domain)
        if entity.area is not None:
            registry.async_update_entity(entity_id, area_id=area_ids[entity.area])
        if entity.aliases:
            registry.async_update_entity(entity_id, aliases=[er.COMPUTED_NAME, *entity.aliases])
        hass.states.async_set(
            entity_id,
            STATES.get(entity.domain, "off"),
            {"friendly_name": entity.name, **entity.attributes},
        )
