"""The usage sensors: what was sent to Huawei Cloud, how often it answered, and how fast."""

from __future__ import annotations

from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, EntityCategory
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er, icon
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.huawei_cloud_sis.const import DOMAIN
from tests.helpers.recognise import HttpClient, recognise
from tests.sis_server import Fault, SisServer, synthesize

AUDIO = "sensor.huawei_cloud_sis_audio_sent"
RECOGNITIONS = "sensor.huawei_cloud_sis_recognitions"
FAILED = "sensor.huawei_cloud_sis_failed_recognitions"
LATENCY = "sensor.huawei_cloud_sis_recognition_delay"
EARLY = "sensor.huawei_cloud_sis_early_answers"
SAVED = "sensor.huawei_cloud_sis_silence_saved"


def value(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def test_the_sensors_count_what_was_sent(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    entity_registry: er.EntityRegistry,
) -> None:
    for entity_id in (AUDIO, RECOGNITIONS, FAILED, EARLY, SAVED, LATENCY):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.entity_category is EntityCategory.DIAGNOSTIC
    assert (value(hass, AUDIO), value(hass, RECOGNITIONS), value(hass, FAILED)) == ("0.0", "0", "0")
    assert value(hass, LATENCY) == "unknown"
    audio = hass.states.get(AUDIO)
    assert audio is not None
    assert audio.attributes[ATTR_STATE_CLASS] is SensorStateClass.TOTAL_INCREASING
    assert audio.attributes[ATTR_UNIT_OF_MEASUREMENT] == "s"

    assert (await recognise(client, synthesize("打开客厅的灯", tail_ms=300)))["result"] == "success"
    sent = len(sis_server.sessions[-1].audio)
    sis_server.faults.append(Fault.error_after_start("SIS.0301", "not match model"))
    assert (await recognise(client, synthesize("关闭空调")))["result"] == "error"
    await hass.async_block_till_done()
    sent += len(sis_server.sessions[-1].audio)
    assert float(value(hass, AUDIO)) == pytest.approx(sent / 32000, abs=0.001)
    assert (value(hass, RECOGNITIONS), value(hass, FAILED)) == ("2", "1")
    assert 0 <= float(value(hass, LATENCY)) < 5000
    assert (value(hass, EARLY), value(hass, SAVED)) == ("0", "0.0")  # the option is off


async def test_the_totals_survive_a_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        [
            (State(AUDIO, "120.5"), {"native_value": 120.5, "native_unit_of_measurement": "s"}),
            (State(RECOGNITIONS, "40"), {"native_value": 40, "native_unit_of_measurement": None}),
            (State(FAILED, "3"), {"native_value": 3, "native_unit_of_measurement": None}),
            (State(LATENCY, "250"), {"native_value": 250.0, "native_unit_of_measurement": "ms"}),
            (State(EARLY, "12"), {"native_value": 12, "native_unit_of_measurement": None}),
            (State(SAVED, "4.2"), {"native_value": 4.2, "native_unit_of_measurement": "s"}),
        ],
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert value(hass, AUDIO) == "120.5"
    assert (value(hass, RECOGNITIONS), value(hass, FAILED)) == ("40", "3")
    assert value(hass, LATENCY) == "250.0"
    usage = config_entry.runtime_data.usage
    assert (usage.audio_seconds, usage.recognitions, usage.failures) == (120.5, 40, 3)
    assert (usage.early_answers, usage.silence_saved_seconds) == (12, 4.2)
    assert (value(hass, EARLY), value(hass, SAVED)) == ("12", "4.2")


async def test_every_sensor_has_an_icon(
    hass: HomeAssistant, client: HttpClient, entity_registry: er.EntityRegistry
) -> None:
    """Each sensor names its icon by its translation key; failures show whether there were any."""
    icons = (await icon.async_get_icons(hass, "entity", [DOMAIN]))[DOMAIN]["sensor"]
    for entity_id in (AUDIO, RECOGNITIONS, FAILED, EARLY, SAVED, LATENCY):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.translation_key in icons, entity_id
        assert icons[entry.translation_key]["default"].startswith("mdi:"), entity_id
    failed = icons["failed_recognitions"]
    assert value(hass, FAILED) == "0"
    assert failed["state"]["0"] != failed["default"]
