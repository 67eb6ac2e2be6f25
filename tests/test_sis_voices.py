"""The voice catalogue and the synthesis START config."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.huawei_cloud_sis.sis import (
    PROBE_TEXTS,
    SYNTHESIS_REGIONS,
    VOICES,
    Endpoints,
    SisConfigError,
    SynthesisConfig,
    Timeouts,
    VoiceTier,
    default_voice,
    text_length,
    voices_for_region,
)
from tests.sis_server.synthesis_rules import REALTIME_PAGE_VOICES, VIRTUAL_HUMANS


def test_the_documented_voices() -> None:
    tiers = [voice.tier for voice in VOICES.values() if voice.regions != ("me-east-1",)]
    assert tiers.count(VoiceTier.STANDARD) == 11
    assert tiers.count(VoiceTier.PREMIUM) == 27
    assert SYNTHESIS_REGIONS == ("cn-north-4", "cn-east-3", "me-east-1")
    # Premium voices cannot change pitch; Riyadh's voices take no speed, pitch or volume.
    assert not any(v.pitch for v in VOICES.values() if v.tier is VoiceTier.PREMIUM)
    riyadh = voices_for_region("me-east-1")
    assert {v.voice_id for v in riyadh} == {
        "arabic_dh_male",
        "arabic_dh_female",
        "english_dh_male",
        "english_dh_female",
    }
    assert not any(v.speed or v.volume for v in riyadh)
    assert voices_for_region("ap-southeast-3") == []
    assert len(voices_for_region(None, every_documented=True)) == len(VOICES)
    assert VOICES["chinese_xiaoqi_common"].label == "Xiaoqi 小琪 (standard female)"
    assert VOICES["english_amy_common"].label == "Amy (mature female, premium)"


def test_only_the_voices_a_real_time_page_names_are_offered_by_default() -> None:
    china = {voice.voice_id for voice in voices_for_region("cn-north-4")}
    # The local server's reading "realtime_pages" takes the same voices, and eight newer ones
    # that no voice list describes (so the product does not offer them).
    assert china == REALTIME_PAGE_VOICES & set(VOICES)
    assert len(REALTIME_PAGE_VOICES - china) == 8
    assert {v.voice_id for v in voices_for_region("me-east-1")} == VIRTUAL_HUMANS
    assert "english_cameal_common" not in china
    every = voices_for_region("cn-east-3", every_documented=True)
    assert len(every) == 38
    # The voices of the real-time pages come first, so each language's default leads its list.
    assert [voice.realtime for voice in every] == sorted(
        (voice.realtime for voice in every), reverse=True
    )


@pytest.mark.parametrize(
    ("region", "language", "voice"),
    [
        ("cn-north-4", "zh-CN", "chinese_xiaoqi_common"),
        ("cn-north-4", "en-US", "english_amy_common"),
        ("cn-east-3", "en-US", "english_amy_common"),
        ("me-east-1", "en-US", "english_dh_female"),
        ("me-east-1", "ar", "arabic_dh_female"),
        (None, "ar", "arabic_dh_female"),
    ],
)
def test_each_language_defaults_to_a_voice_of_the_real_time_pages(
    region: str | None, language: str, voice: str
) -> None:
    found = default_voice(region, language)
    assert found is not None
    assert found.voice_id == voice
    assert found.realtime
    assert default_voice("me-east-1", "zh-CN") is None


def test_the_probe_text_is_one_call_in_every_language() -> None:
    languages = {voice.language for voice in VOICES.values()}
    assert set(PROBE_TEXTS) == languages
    assert all(0 < text_length(text) <= 3 for text in PROBE_TEXTS.values())


def test_config_to_json_sends_only_what_is_set() -> None:
    config = SynthesisConfig(voice="chinese_xiaoqi_common", speed=-100, pitch=20, volume=80)
    assert config.to_json() == {
        "audio_format": "pcm",
        "sample_rate": "16000",
        "property": "chinese_xiaoqi_common",
        "speed": -100,
        "pitch": 20,
        "volume": 80,
    }
    assert SynthesisConfig(voice="arabic_dh_female", sample_rate=8000).to_json() == {
        "audio_format": "pcm",
        "sample_rate": "8000",
        "property": "arabic_dh_female",
    }
    assert config.bytes_per_second == 32000


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"voice": "chinese_nobody_common"}, "Unknown voice"),
        ({"voice": 3}, "Unknown voice"),
        ({"voice": "chinese_huanvxia_literature", "sample_rate": 8000}, "8000 Hz"),
        ({"voice": "chinese_huaxiaoxia_common", "pitch": 0}, "does not take pitch"),
        ({"voice": "english_dh_male", "speed": 0}, "does not take speed"),
        ({"voice": "chinese_xiaoqi_common", "speed": 501}, "speed must be"),
        ({"voice": "chinese_xiaoqi_common", "volume": -1}, "volume must be"),
        ({"voice": "chinese_xiaoqi_common", "pitch": True}, "pitch must be"),
    ],
)
def test_config_refuses_what_the_service_refuses(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(SisConfigError, match=message):
        SynthesisConfig(**fields)


def test_text_limits_per_voice() -> None:
    standard = SynthesisConfig(voice="chinese_xiaoqi_common")
    standard.check_text("好" * 499)
    with pytest.raises(SisConfigError, match="at most 499"):
        standard.check_text("好" * 500)
    with pytest.raises(SisConfigError, match="no text"):
        standard.check_text("  ")
    SynthesisConfig(voice="english_amy_common").check_text("a" * 10000)


def test_rtts_url_and_synthesis_bound() -> None:
    endpoints = Endpoints.for_region("cn-east-3")
    assert endpoints.rtts_url("p1") == "wss://sis-ext.cn-east-3.myhuaweicloud.com/v1/p1/rtts"
    assert Timeouts().synthesis(100) == 60.0
