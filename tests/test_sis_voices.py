"""The voice catalogue and the synthesis START config."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.huawei_cloud_sis.sis import (
    SYNTHESIS_REGIONS,
    VOICES,
    Endpoints,
    SisConfigError,
    SynthesisConfig,
    Timeouts,
    VoiceTier,
    voices_for_region,
)


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
    assert len(voices_for_region(None)) == len(VOICES)
    assert VOICES["chinese_xiaoqi_common"].label == "Xiaoqi 小琪 (standard female)"
    assert VOICES["english_amy_common"].label == "Amy (mature female, premium)"


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
