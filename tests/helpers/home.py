"""A home made of registry entries and states, as integrations would make it."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import slugify


def add_entity(
    hass: HomeAssistant,
    name: str,
    *,
    domain: str = "light",
    unique_id: str | None = None,
    device_id: str | None = None,
    has_entity_name: bool = False,
) -> str:
    """Register an entity named `name` and give it a state; return its entity id.

    Lights, switches, covers and the like are exposed to Assist by default.
    """
    entry = er.async_get(hass).async_get_or_create(
        domain,
        "test",
        unique_id or name,
        original_name=name,
        suggested_object_id=slugify(name),
        device_id=device_id,
        has_entity_name=has_entity_name,
    )
    hass.states.async_set(entry.entity_id, "on")
    return entry.entity_id


def remove_entity(hass: HomeAssistant, entity_id: str) -> None:
    """Remove an entity from the registry and the state machine."""
    er.async_get(hass).async_remove(entity_id)
    hass.states.async_remove(entity_id)
