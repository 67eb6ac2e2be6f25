"""Usage sensors: audio sent (what Huawei Cloud bills), recognitions, failures, early answers.

Also the silence early answers saved, and the last recognition's latency.

They are diagnostic entities of the entry's service device. The totals survive
restarts: each sensor restores its last value into the entry's `Usage`.
"""

from __future__ import annotations

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
from .device import service_device

PARALLEL_UPDATES = 0
"""The sensors are never polled: recognitions push their figures."""


@dataclass(frozen=True, kw_only=True)
class UsageSensorDescription(SensorEntityDescription):
    """A sensor showing one field of `Usage` (restored into it after a restart)."""

    field: str


SENSORS: tuple[UsageSensorDescription, ...] = (
    UsageSensorDescription(
        key="audio_sent",
        field="audio_seconds",
        translation_key="audio_sent",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
    ),
    UsageSensorDescription(
        key="recognitions",
        field="recognitions",
        translation_key="recognitions",
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
    UsageSensorDescription(
        key="failed_recognitions",
        field="failures",
        translation_key="failed_recognitions",
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
    UsageSensorDescription(
        key="early_answers",
        field="early_answers",
        translation_key="early_answers",
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
    UsageSensorDescription(
        key="silence_saved",
        field="silence_saved_seconds",
        translation_key="silence_saved",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
    ),
    UsageSensorDescription(
        key="latency",
        field="last_latency_ms",
        translation_key="latency",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
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
            field = self.entity_description.field
            counter = isinstance(getattr(self._usage, field), int)
            value = float(last.native_value)
            setattr(self._usage, field, int(value) if counter else value)
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
        value: float | int | None = getattr(self._usage, self.entity_description.field)
        return value
