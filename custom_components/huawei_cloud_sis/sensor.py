"""Usage sensors: seconds of audio sent (what Huawei Cloud bills), recognitions, failures, latency.

They are diagnostic entities of the entry's service device. The totals survive
restarts: each sensor restores its last value into the entry's `Usage`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import HuaweiSisConfigEntry
from .entity import service_device
from .usage import Usage

PARALLEL_UPDATES = 0
"""The sensors are never polled: recognitions push their figures."""


def _set_audio(usage: Usage, value: float) -> None:
    usage.audio_seconds = value


def _set_recognitions(usage: Usage, value: float) -> None:
    usage.recognitions = int(value)


def _set_failures(usage: Usage, value: float) -> None:
    usage.failures = int(value)


def _set_latency(usage: Usage, value: float) -> None:
    usage.last_latency_ms = value


@dataclass(frozen=True, kw_only=True)
class UsageSensorDescription(SensorEntityDescription):
    """A figure of `Usage`, and how a restored value goes back into it."""

    value: Callable[[Usage], float | int | None]
    restore: Callable[[Usage, float], None]


SENSORS: tuple[UsageSensorDescription, ...] = (
    UsageSensorDescription(
        key="audio_sent",
        translation_key="audio_sent",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
        value=lambda usage: round(usage.audio_seconds, 3),
        restore=_set_audio,
    ),
    UsageSensorDescription(
        key="recognitions",
        translation_key="recognitions",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value=lambda usage: usage.recognitions,
        restore=_set_recognitions,
    ),
    UsageSensorDescription(
        key="failed_recognitions",
        translation_key="failed_recognitions",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value=lambda usage: usage.failures,
        restore=_set_failures,
    ),
    UsageSensorDescription(
        key="latency",
        translation_key="latency",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value=lambda usage: usage.last_latency_ms,
        restore=_set_latency,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HuaweiSisConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's usage sensors."""
    async_add_entities(UsageSensor(entry, description) for description in SENSORS)


class UsageSensor(RestoreSensor):
    """One figure of the entry's usage."""

    _attr_has_entity_name = True
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    entity_description: UsageSensorDescription

    def __init__(self, entry: HuaweiSisConfigEntry, description: UsageSensorDescription) -> None:
        """Describe the sensor; it belongs to the entry's service device."""
        self.entity_description = description
        self._usage = entry.runtime_data.usage
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = service_device(entry)
        self._written: float | int | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the total from before a restart, then follow new recognitions."""
        await super().async_added_to_hass()
        last = await self.async_get_last_sensor_data()
        if last is not None and isinstance(last.native_value, int | float | Decimal):
            self.entity_description.restore(self._usage, float(last.native_value))
        self._written = self.native_value
        self.async_on_remove(self._usage.add_listener(self._usage_changed))

    def _usage_changed(self) -> None:
        """Write the state after a recognition, if this figure changed."""
        if (value := self.native_value) != self._written:
            self._written = value
            self.async_write_ha_state()

    @property
    def native_value(self) -> float | int | None:
        """The figure now."""
        return self.entity_description.value(self._usage)
