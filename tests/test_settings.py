"""The recognition settings: defaults, ranges, and the START config they make."""

from __future__ import annotations

import pytest

from custom_components.huawei_cloud_sis.languages import model_option_key
from custom_components.huawei_cloud_sis.settings import (
    DEFAULT_MAX_SECONDS,
    DEFAULT_VAD_HEAD,
    RANGES,
    RecognitionSettings,
)
from custom_components.huawei_cloud_sis.sis import (
    MAX_SECONDS,
    VAD_HEAD_MS,
    AudioFormat,
    RecognitionMode,
    SisConfigError,
)


def test_missing_or_unusable_options_fall_back_to_the_defaults() -> None:
    settings = RecognitionSettings.from_options(
        {
            "mode": "bogus",
            model_option_key("zh-CN"): "klingon_16k_general",
            "vocabulary_id": "not an id!",
            "vad_head": 60001,
            "vad_tail": True,
            "max_seconds": "20",
        }
    )
    assert settings == RecognitionSettings(models={})
    assert settings.mode is RecognitionMode.SHORT_STREAM
    assert settings.model("zh-CN") == "chinese_16k_general"
    assert (settings.add_punc, settings.digit_norm, settings.vocabulary_id) == (False, True, None)
    assert (settings.vad_head, settings.vad_tail, settings.max_seconds) == (10000, 500, 30)


def test_the_form_hands_numbers_over_as_floats() -> None:
    settings = RecognitionSettings.from_options({"vad_head": 0.0, "max_seconds": 60.0})
    assert (settings.vad_head, settings.max_seconds) == (0, 60)
    assert RecognitionSettings.from_options({"max_seconds": 2.5}).max_seconds == DEFAULT_MAX_SECONDS


def test_the_ranges_are_the_services() -> None:
    assert RANGES["vad_head"] is VAD_HEAD_MS
    assert RANGES["max_seconds"] is MAX_SECONDS
    assert DEFAULT_VAD_HEAD in VAD_HEAD_MS
    assert 0 in VAD_HEAD_MS  # 0: no limit on leading silence


def test_short_stream_sends_no_voice_detection_settings() -> None:
    config = RecognitionSettings().config("zh-CN", 16000, interim_results=True)
    assert config.to_json() == {
        "audio_format": "pcm16k16bit",
        "property": "chinese_16k_general",
        "add_punc": "no",
        "interim_results": "yes",
        "need_word_info": "no",
        "digit_norm": "yes",
    }


def test_each_language_gets_only_what_its_model_takes() -> None:
    settings = RecognitionSettings(
        mode=RecognitionMode.CONTINUE_STREAM, vocabulary_id="hot-1", max_seconds=5
    )
    cantonese = settings.config("zh-HK", 16000, interim_results=False)
    assert (cantonese.digit_norm, cantonese.vocabulary_id, cantonese.max_seconds) == (
        None,
        None,
        10,
    )
    english = settings.config("en-US", 16000, interim_results=False)
    assert (english.digit_norm, english.vocabulary_id) == (None, "hot-1")
    mandarin = settings.config("zh-CN", 8000, interim_results=False)
    assert (mandarin.audio_format, mandarin.model) == (AudioFormat.PCM8K16BIT, "chinese_8k_general")


@pytest.mark.parametrize(
    ("tag", "rate", "message"),
    [
        ("fr-FR", 16000, "No model for fr-FR at 16000 Hz"),
        ("zh-CN", 44100, "No model for zh-CN at 44100 Hz"),
        ("en-US", 8000, "No 8 kHz model for en-US"),
    ],
)
def test_requests_no_model_fits(tag: str, rate: int, message: str) -> None:
    with pytest.raises(SisConfigError, match=message):
        RecognitionSettings().config(tag, rate, interim_results=False)
