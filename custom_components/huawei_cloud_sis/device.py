"""What the entities of an entry share: the service device they belong to."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .const import DOMAIN


def service_device(entry: ConfigEntry) -> DeviceInfo:
    """Return the entry's service device: Huawei Cloud SIS in one project."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        entry_type=DeviceEntryType.SERVICE,
        manufacturer="Huawei Cloud",
        model="Speech Interaction Service",
        name=entry.title,
    )
