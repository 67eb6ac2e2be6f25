"""The voice settings of an entry: defaults, ranges, and the config a call gets."""

from __future__ import annotations

import pytest

from custom_components.huawei_cloud_sis.sis import SisConfigError
from custom_components.huawei_cloud_sis.voice_settings import (
    VoiceSettings,
    synthesis_languages,
    voice_option_key,
    voices_for_language,
)


def test_languages_and_voices_per_region() -> None:
    assert synthesis_languages("cn-north-4") == ["zh-CN", "en-US"]
    assert synthesis_languages("cn-east-3") == ["zh-CN", "en-US"]
    assert synthesis_languages("me-east-1") == ["en-US", "ar"]
    assert synthesis_languages("ap-southeast-3") == []
    assert synthesis_languages("custom") == ["zh-CN", "en-US", "ar"]
    assert voices_for_language("me-east-1", "en-US")[0].voice_id == "english_dh_female"
    assert voice_option_key("zh-CN") == "voice_zh_cn"


def test_unusable_options_fall_back_to_their_defaults() -> None:
    settings = VoiceSettings.from_options(
        {"voice_zh_cn": "arabic_dh_male", "speed": 120.0, "pitch": "high", "volume": 101},
        "cn-north-4",
    )
    assert settings.voices == {}
    assert (settings.speed, settings.pitch, settings.volume) == (120, 0, 50)
    assert settings.voice("zh-CN") == "chinese_xiaoqi_common"
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
