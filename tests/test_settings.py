"""The recognition settings: defaults, ranges, and the START config they make."""

from __future__ import annotations

import pytest

from custom_components.huawei_cloud_sis.chinese_script import Conversion
from custom_components.huawei_cloud_sis.languages import Script, model_option_key
from custom_components.huawei_cloud_sis.settings import (
    DEFAULT_MAX_SECONDS,
    DEFAULT_VAD_HEAD,
    RANGES,
    RecognitionSettings,
    TextScripts,
    migrate_options,
)
from custom_components.huawei_cloud_sis.sis import (
    MAX_SECONDS,
    VAD_HEAD_MS,
    AudioFormat,
    RecognitionMode,
    SisConfigError,
    TableLanguage,
)


def test_missing_or_unusable_options_fall_back_to_the_defaults() -> None:
    settings = RecognitionSettings.from_options(
        {
            "mode": "bogus",
            model_option_key("zh-CN"): "klingon_16k_general",
            "vocabulary_id": "old-option",
            "vocabulary_id_zh_cn": "not an id!",
            "vocabulary_id_zh_hk": "cantonese-takes-none",
            "vad_head": 60001,
            "vad_tail": True,
            "max_seconds": "20",
        }
    )
    assert settings == RecognitionSettings(models={}, vocabulary_ids={})
    assert settings.mode is RecognitionMode.SHORT_STREAM
    assert settings.model("zh-CN") == "chinese_16k_general"
    assert (settings.add_punc, settings.digit_norm, settings.vocabulary_ids) == (False, True, {})
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
    settings = RecognitionSettings(mode=RecognitionMode.CONTINUE_STREAM, max_seconds=5)
    home = {TableLanguage.CHINESE_MANDARIN: "home-zh", TableLanguage.ENGLISH: "home-en"}
    cantonese = settings.config("zh-HK", 16000, interim_results=False, tables=home)
    assert (cantonese.digit_norm, cantonese.vocabulary_id, cantonese.max_seconds) == (
        None,
        None,
        10,
    )
    english = settings.config("en-US", 16000, interim_results=False, tables=home)
    assert (english.digit_norm, english.vocabulary_id) == (None, "home-en")
    mandarin = settings.config("zh-CN", 8000, interim_results=False, tables=home)
    assert (mandarin.audio_format, mandarin.model) == (AudioFormat.PCM8K16BIT, "chinese_8k_general")
    assert mandarin.vocabulary_id == "home-zh"
    arabic = settings.config("ar", 16000, interim_results=False, tables=home)
    assert arabic.vocabulary_id is None
    assert settings.config("zh-CN", 16000, interim_results=False).vocabulary_id is None


def test_a_users_own_table_wins_for_its_language_only() -> None:
    settings = RecognitionSettings.from_options(
        {"vocabulary_id_zh_cn": "mine", "vocabulary_id_en_us": "mine-too"}
    )
    # Taiwanese Mandarin shares Mandarin's table.
    assert settings.vocabulary_ids == {"zh-TW": "mine", "zh-CN": "mine", "en-US": "mine-too"}
    home = {TableLanguage.CHINESE_MANDARIN: "home-zh", TableLanguage.ENGLISH: "home-en"}
    for tag, rate, own in (("zh-CN", 8000, "mine"), ("en-US", 16000, "mine-too")):
        assert settings.config(tag, rate, interim_results=False, tables=home).vocabulary_id == own
    only_mandarin = RecognitionSettings.from_options({"vocabulary_id_zh_cn": "mine"})
    english = only_mandarin.config("en-US", 16000, interim_results=False, tables=home)
    assert english.vocabulary_id == "home-en"


@pytest.mark.parametrize(
    ("minor_version", "options", "migrated"),
    [
        (
            1,
            {"mode": "short-stream", "vocabulary_id": "t-1"},
            {"mode": "short-stream", "vocabulary_id_zh_cn": "t-1"},
        ),
        (1, {"vocabulary_id": "not an id!"}, {}),
        (1, {}, {}),
        (2, {"vocabulary_id_zh_cn": "t-1"}, {"vocabulary_id_zh_cn": "t-1"}),
    ],
)
def test_older_options_are_migrated(
    minor_version: int, options: dict[str, str], migrated: dict[str, str]
) -> None:
    assert migrate_options(options, minor_version) == migrated


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


def test_a_model_the_region_does_not_offer_falls_back_to_the_default() -> None:
    """An entry moved to another region keeps its options; what the region lacks is not sent."""
    options = {"model_zh_cn": "sichuan_16k_common"}
    beijing = RecognitionSettings.from_options(options, "cn-north-4")
    assert (beijing.model("zh-CN"), beijing.model("zh-TW")) == ("sichuan_16k_common",) * 2
    shanghai = RecognitionSettings.from_options(options, "cn-east-3")
    assert shanghai == RecognitionSettings(models={}, vocabulary_ids={})
    assert shanghai.model("zh-CN") == "chinese_16k_general"
    assert RecognitionSettings.from_options(options).model("zh-TW") == "sichuan_16k_common"


@pytest.mark.parametrize(
    ("model", "telephone"),
    [
        ("chinese_16k_common", "chinese_8k_common"),
        ("sichuan_16k_common", None),
        ("shanghai_16k_common", None),
    ],
)
def test_taiwan_gets_the_model_of_mandarin_at_both_rates(model: str, telephone: str | None) -> None:
    settings = RecognitionSettings.from_options({"model_zh_cn": model})
    assert settings.config("zh-TW", 16000, interim_results=False).model == model
    if telephone is None:
        with pytest.raises(SisConfigError, match=f"No 8 kHz model for zh-TW \\({model}"):
            settings.config("zh-TW", 8000, interim_results=False)
    else:
        assert settings.config("zh-TW", 8000, interim_results=False).model == telephone


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {},
            {
                "zh-TW": (Script.TRADITIONAL, Conversion.TAIWAN),
                "zh-CN": (Script.SIMPLIFIED, None),
                "zh-HK": (Script.TRADITIONAL, Conversion.HONG_KONG),
                "en-US": (None, None),
                "ar": (None, None),
                "fr-FR": (None, None),
            },
        ),
        (
            {
                "script_zh_tw": "simplified",
                "script_zh_cn": "traditional",
                "script_zh_hk": "simplified",
            },
            {
                "zh-TW": (Script.SIMPLIFIED, None),
                "zh-CN": (Script.TRADITIONAL, Conversion.TRADITIONAL),
                "zh-HK": (Script.SIMPLIFIED, Conversion.SIMPLIFIED),
            },
        ),
        # Unusable values leave the defaults.
        (
            {"script_zh_tw": "latin", "script_zh_cn": 1, "script_en_us": "traditional"},
            {"zh-TW": (Script.TRADITIONAL, Conversion.TAIWAN), "zh-CN": (Script.SIMPLIFIED, None)},
        ),
    ],
)
def test_each_language_is_written_in_its_script(
    options: dict[str, object], expected: dict[str, tuple[Script | None, Conversion | None]]
) -> None:
    scripts = TextScripts.from_options(options)
    for tag, (script, conversion) in expected.items():
        assert (scripts.script(tag), scripts.conversion(tag)) == (script, conversion), tag
