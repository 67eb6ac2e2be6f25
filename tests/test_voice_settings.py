"""The voice settings of an entry: defaults, ranges, the voices offered and tried with the service.

The options are tried through Home Assistant's options flow against the local server, under
each of its readings of which voices real-time synthesis takes (disputed point T1).
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.huawei_cloud_sis.const import DOMAIN
from custom_components.huawei_cloud_sis.sis import SisConfigError
from custom_components.huawei_cloud_sis.voice_settings import (
    VoiceSettings,
    offered_voices,
    reply_languages,
    synthesis_languages,
    voice_option_key,
    voices_for_language,
    without_refused,
)
from tests.helpers.entry import public_entry, public_regions_at
from tests.helpers.options import form
from tests.helpers.speak import speak
from tests.sis_server import Fault, SisServer

XIAOXIA = "chinese_huaxiaoxia_common"
"""A premium voice of Huawei's voice list that no real-time synthesis page names."""
XIAOQI = "chinese_xiaoqi_common"
XIAOYU = "chinese_xiaoyu_common"
SAVED = {"model_zh_cn": "chinese_16k_general"}
"""Options as the form saves them untouched: the recognition settings are not tried again."""


def test_languages_and_voices_per_region() -> None:
    assert synthesis_languages("cn-north-4") == ["zh-CN", "en-US"]
    assert synthesis_languages("cn-east-3") == ["zh-CN", "en-US"]
    assert synthesis_languages("me-east-1") == ["en-US", "ar"]
    assert synthesis_languages("ap-southeast-3") == []
    assert synthesis_languages("custom") == ["zh-CN", "en-US", "ar"]
    assert voices_for_language("me-east-1", "en-US")[0].voice_id == "english_dh_female"
    assert voice_option_key("zh-CN") == "voice_zh_cn"
    # Where Mandarin voices are, Taiwanese and Cantonese replies are spoken too.
    assert reply_languages("cn-north-4") == ["zh-TW", "zh-CN", "zh-HK", "en-US"]
    assert reply_languages("me-east-1") == ["en-US", "ar"]
    assert reply_languages("ap-southeast-3") == []
    assert reply_languages("custom") == ["zh-TW", "zh-CN", "zh-HK", "en-US", "ar"]


def test_unusable_options_fall_back_to_their_defaults() -> None:
    settings = VoiceSettings.from_options(
        {
            "voice_zh_cn": "arabic_dh_male",
            "speed": 120.0,
            "pitch": "high",
            "volume": 101,
            "every_voice": "yes",
        },
        "cn-north-4",
    )
    assert settings.voices == {}
    assert (settings.speed, settings.pitch, settings.volume) == (120, 0, 50)
    assert settings.every_voice is False
    assert settings.voice("zh-CN") == XIAOQI
    assert settings.voice("en-US") == "english_amy_common"
    assert settings.voice("ar") is None


def test_riyadh_voices_get_no_speed_pitch_or_volume() -> None:
    settings = VoiceSettings.from_options({"speed": 100, "voice_ar": "arabic_dh_male"}, "me-east-1")
    assert settings.config("ar", {}).to_json() == {
        "audio_format": "pcm",
        "sample_rate": "16000",
        "property": "arabic_dh_male",
    }
    with pytest.raises(SisConfigError, match="No voice"):
        settings.config("zh-CN", {})


def test_the_voices_offered() -> None:
    realtime = [voice.voice_id for voice in offered_voices("cn-north-4", "zh-CN")]
    assert realtime[0] == XIAOQI
    assert len(realtime) == 8
    assert XIAOXIA not in realtime
    every = [voice.voice_id for voice in offered_voices("cn-north-4", "zh-CN", every=True)]
    assert len(every) == 35
    assert every[:8] == realtime
    # A voice chosen before stays offered, unless the service refused it.
    kept = offered_voices("cn-north-4", "zh-CN", chosen=XIAOXIA)
    assert [voice.voice_id for voice in kept] == [*realtime, XIAOXIA]
    assert offered_voices("cn-north-4", "zh-CN", chosen="english_amy_common") == kept[:-1]
    refused = offered_voices("cn-north-4", "zh-CN", chosen=XIAOXIA, refused={XIAOXIA, XIAOQI})
    assert [voice.voice_id for voice in refused] == realtime[1:]
    english = [voice.voice_id for voice in offered_voices("cn-east-3", "en-US")]
    assert english == ["english_amy_common", "english_alvin_common"]


def test_a_reply_in_a_refused_voice_gets_the_default_and_a_fallback() -> None:
    settings = VoiceSettings.from_options({"voice_zh_cn": XIAOXIA, "pitch": 20}, "cn-north-4")
    choice = settings.choose("zh-CN", {})
    assert (choice.asked, choice.config.voice, choice.replaced) == (XIAOXIA, XIAOXIA, False)
    assert choice.config.pitch is None  # a premium voice takes no pitch
    assert choice.fallback is not None
    assert (choice.fallback.voice, choice.fallback.pitch) == (XIAOQI, 20)
    choice = settings.choose("zh-CN", {}, refused={XIAOXIA})
    assert (choice.config.voice, choice.replaced) == (XIAOQI, True)
    assert choice.fallback is not None
    assert choice.fallback.voice == XIAOYU
    # A call's voice and numbers win; the default options carry what is in effect.
    choice = settings.choose("zh-CN", {"voice": XIAOYU, "speed": 30}, refused={XIAOXIA})
    assert (choice.config.voice, choice.config.speed) == (XIAOYU, 30)
    # Taiwanese and Cantonese replies in the Mandarin voice, each under its own key.
    assert settings.default_options({XIAOXIA}) == {
        "voice_zh_cn": XIAOQI,
        "voice_zh_tw": XIAOQI,
        "voice_zh_hk": XIAOQI,
        "voice_en_us": "english_amy_common",
        "speed": 0,
        "pitch": 20,
        "volume": 50,
    }
    # Every real-time voice of the language refused: the chosen one is tried all the same.
    every_default = {voice.voice_id for voice in voices_for_language("cn-north-4", "zh-CN")}
    alone = settings.choose("zh-CN", {}, refused=every_default)
    assert (alone.config.voice, alone.fallback) == (XIAOXIA, None)
    with pytest.raises(SisConfigError, match="No voice"):
        settings.choose("zh-CN", {"voice_zh_cn": 3})


def test_refused_voices_are_shown_as_the_voice_that_speaks_instead() -> None:
    options = {"voice_zh_cn": XIAOXIA, "voice_en_us": "english_alvin_common", "speed": 5}
    assert without_refused(options, "cn-north-4", {XIAOXIA}) == options | {"voice_zh_cn": XIAOQI}
    assert without_refused(options, "cn-north-4", set()) == options


# --- the options flow tries voice settings with the service -------------------------------------


def _voice_selector(result: Any, key: str) -> list[str]:
    schema = result["data_schema"]
    for name, part in schema.schema.items():
        if str(name) == "voice":
            for marker, selector in part.schema.schema.items():
                if str(marker) == key:
                    return list(selector.config["options"])
    raise AssertionError(f"no field {key}")


def _probes(server: SisServer) -> list[tuple[str | None, str]]:
    """The texts and voices of the syntheses the options flow asked for."""
    return [(record.text, str(record.config.get("property"))) for record in server.syntheses]


@pytest.mark.parametrize("options", [SAVED])
async def test_a_changed_voice_is_tried_with_one_word_before_it_is_saved(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert _voice_selector(result, "voice_zh_cn")[0] == XIAOQI
    assert XIAOXIA not in _voice_selector(result, "voice_zh_cn")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"voice_zh_cn": XIAOYU})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["voice_zh_cn"] == XIAOYU
    assert loaded_entry.options["every_voice"] is False
    # One billed call of one character, in the new voice; nothing else changed.
    assert _probes(sis_server) == [("好", XIAOYU)]
    assert sis_server.syntheses[0].ended_at is not None
    assert sis_server.sessions == []  # the recognition settings did not change


async def test_unchanged_voices_are_not_tried_and_numbers_are_tried_per_language(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], form({}))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert sis_server.syntheses == []
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(dict(loaded_entry.options) | {"speed": 100})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The Riyadh voices of a custom endpoint take no speed: Arabic is not tried.
    assert _probes(sis_server) == [("好", XIAOQI), ("Hi", "english_amy_common")]
    assert all(record.config["speed"] == 100 for record in sis_server.syntheses)


@pytest.mark.parametrize("voice_refusal", ["SIS.0411", "property"])
async def test_a_voice_the_service_refuses_is_a_form_error_and_is_not_offered_again(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer, voice_refusal: str
) -> None:
    sis_server.readings.voice_refusal = voice_refusal  # type: ignore[assignment]
    # Every documented voice is offered on request.
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"every_voice": True})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert XIAOXIA in _voice_selector(result, "voice_zh_cn")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"every_voice": True, "voice_zh_cn": XIAOXIA, "volume": 80})
    )
    # Shown above the voice section (Home Assistant shows no error of a field inside one).
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"voice": "voice_refused"}
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["voice"] == XIAOXIA
    assert placeholders["code"] == ("SIS.0411" if voice_refusal == "SIS.0411" else "SIS.0032")
    assert placeholders["message"] == "'property' is invalid"
    assert loaded_entry.options["voice_zh_cn"] == XIAOQI  # not saved
    # Remembered: no longer offered, and the form shows the voice that speaks instead.
    assert loaded_entry.runtime_data.voices.refused == {XIAOXIA}
    assert XIAOXIA not in _voice_selector(result, "voice_zh_cn")
    schema = result["data_schema"]
    assert schema is not None
    suggested = {
        str(marker): marker.description["suggested_value"]
        for marker in schema.schema["voice"].schema.schema
        if marker.description
    }
    assert suggested["voice_zh_cn"] == XIAOQI
    assert suggested["volume"] == 80
    # No repair issue: no reply was spoken in another voice.
    issue_id = f"voice_refused_{loaded_entry.entry_id}_{XIAOXIA}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"every_voice": True, "voice_zh_cn": XIAOQI, "volume": 80})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_a_voice_the_service_takes_is_saved(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    sis_server.readings.realtime_voices = "all"
    hass.config_entries.async_update_entry(loaded_entry, options={"every_voice": True})
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"every_voice": True, "voice_zh_cn": XIAOXIA})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _probes(sis_server) == [("好", XIAOXIA)]
    assert "pitch" not in sis_server.syntheses[0].config


@pytest.mark.parametrize(
    ("fault", "errors"),
    [
        (
            Fault.start_error("SIS.0402", "'sample_rate' is invalid"),
            {"voice": "voice_settings_refused"},
        ),
        (Fault.start_error("SIS.0103", "real name"), {"base": "real_name_required"}),
        (Fault.handshake(status=500), {"base": "service_error"}),
        (Fault.hang_handshake(), {"base": "cannot_connect"}),
    ],
)
@pytest.mark.parametrize("options", [SAVED])
async def test_voice_settings_the_service_cannot_try(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    fault: Fault,
    errors: dict[str, str],
) -> None:
    sis_server.faults.extend([fault, fault])
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"voice_zh_cn": XIAOYU})
    )
    assert result["errors"] == errors
    if "voice" in errors:
        placeholders = result["description_placeholders"]
        assert placeholders is not None
        assert (placeholders["voice"], placeholders["code"]) == (XIAOYU, "SIS.0402")
        assert placeholders["message"] == "'sample_rate' is invalid"
    assert loaded_entry.options == SAVED


async def test_voices_of_an_entry_that_is_not_loaded_are_tried_too(
    hass: HomeAssistant, config_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    hass.config_entries.async_update_entry(config_entry, options={"every_voice": True})
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"every_voice": True, "voice_zh_cn": XIAOXIA})
    )
    assert result["errors"] == {"voice": "voice_refused"}
    # Nothing is remembered for an entry that is not loaded; the next setup learns it again.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"every_voice": True, "voice_zh_cn": XIAOYU})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _probes(sis_server) == [("好", XIAOXIA), ("好", XIAOYU)]


async def test_a_public_region_offers_its_real_time_voices(
    hass: HomeAssistant, sis_server: SisServer
) -> None:
    entry = public_entry(hass, "cn-east-3", {"voice_en_us": "english_cameal_common"})
    with public_regions_at(sis_server):
        result = await hass.config_entries.options.async_init(entry.entry_id)
        # Cameal was the English default before: chosen, it stays offered, after the real-time
        # voices, until the service refuses it.
        assert _voice_selector(result, "voice_en_us") == [
            "english_amy_common",
            "english_alvin_common",
            "english_cameal_common",
        ]
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], form({"voice_en_us": "english_cameal_common", "volume": 60})
        )
    assert result["errors"] == {"voice": "voice_refused"}
    assert result["description_placeholders"]["voice"] == "english_cameal_common"  # type: ignore[index]


async def test_a_language_whose_every_voice_is_refused_offers_none(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    # The local server's cn-north-4 project has no Riyadh voice: the Arabic default and its
    # fallback are both refused, and the reply fails.
    with pytest.raises(HomeAssistantError, match=r"code SIS\.0411"):
        await speak(hass, "مرحبا", language="ar")
    assert loaded_entry.runtime_data.voices.refused == {"arabic_dh_female", "arabic_dh_male"}
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    with pytest.raises(AssertionError, match="no field voice_ar"):
        _voice_selector(result, "voice_ar")
    assert _voice_selector(result, "voice_zh_cn")[0] == XIAOQI
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"voice_zh_cn": XIAOYU})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
