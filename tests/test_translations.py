"""Every language has every string, and every key the code uses has an English string."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.huawei_cloud_sis.const import SIS_REGIONS
from custom_components.huawei_cloud_sis.hot_word_sync import HotWordIssue
from custom_components.huawei_cloud_sis.languages import LANGUAGES as SPEECH_LANGUAGES
from custom_components.huawei_cloud_sis.options_flow import NUMBER_RANGES, OWN_TABLE_KEYS
from custom_components.huawei_cloud_sis.sis import VOICES, RecognitionMode, VoiceTier
from custom_components.huawei_cloud_sis.validation import ACCOUNT_ERRORS

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "huawei_cloud_sis"
TRANSLATIONS = INTEGRATION / "translations"
LANGUAGES = ["en", "zh-Hans", "zh-Hant"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _load(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TRANSLATIONS / f"{language}.json").read_text("utf-8"))
    return data


def _flatten(value: Any, path: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        flat: dict[str, str] = {}
        for key, inner in value.items():
            flat |= _flatten(inner, f"{path}.{key}" if path else key)
        return flat
    return {path: value}


EN = _flatten(_load("en"))


def test_only_the_expected_languages() -> None:
    assert sorted(p.stem for p in TRANSLATIONS.glob("*.json")) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_same_keys_and_placeholders(language: str) -> None:
    other = _flatten(_load(language))
    assert sorted(other) == sorted(EN)
    for key, text in EN.items():
        assert sorted(PLACEHOLDER.findall(other[key])) == sorted(PLACEHOLDER.findall(text)), key
        assert other[key].strip(), key
        assert "<" not in other[key], key


def _code_strings(name: str) -> list[ast.AST]:
    return list(ast.walk(ast.parse((INTEGRATION / name).read_text(encoding="utf-8"))))


def _keyword_values(keyword: str) -> set[str]:
    """String values passed as `keyword=` anywhere in the integration."""
    found: set[str] = set()
    for path in INTEGRATION.glob("*.py"):
        for node in _code_strings(path.name):
            if (
                isinstance(node, ast.keyword)
                and node.arg == keyword
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.add(node.value.value)
    return found


def _validation_errors(*functions: str) -> set[str]:
    """First arguments of ValidationError(...) in functions of the flows' validation."""
    errors: set[str] = set()
    for function in _code_strings("validation.py"):
        if not (isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)) or (
            function.name not in functions
        ):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "ValidationError"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                errors.add(str(node.args[0].value))
    return errors


SHARED_CHECKS = ("form_error",)
"""Turn failures into form errors for both the config flow and the options flow."""
OPTIONS_CHECKS = ("check_settings", "refusal_error", "check_voice_settings")
CONFIG_CHECKS = ("credentials_error",)
"""Turn failures into the config flow's errors, tied to the field they concern."""
TIED_TO_FIELDS = {"invalid_auth", "invalid_endpoint"}
"""Shared errors the config flow replaces with its own, one key per field and sign-in method."""


FIELD_ERRORS = {
    *(f"invalid_{key}" for key in OWN_TABLE_KEYS),
    *(f"refused_{key}" for key in OWN_TABLE_KEYS),
    *(f"out_of_range_{key}" for key in NUMBER_RANGES),
}
"""Errors the options flow names after the field they concern (the text names the field)."""


def _flow_keys() -> set[str]:
    """Flow errors and aborts the code can return."""
    flow = (INTEGRATION / "options_flow.py").read_text(encoding="utf-8")
    shared = _validation_errors(*SHARED_CHECKS) | set(ACCOUNT_ERRORS.values())
    config = _validation_errors(*CONFIG_CHECKS) | (shared - TIED_TO_FIELDS)
    options = shared | _validation_errors(*OPTIONS_CHECKS) | FIELD_ERRORS
    options |= set(re.findall(r'errors\[\w+\] = "(\w+)"', flow))
    wanted = {f"config.error.{error}" for error in config}
    wanted |= {f"options.error.{error}" for error in options}
    wanted |= {f"config.abort.{reason}" for reason in _keyword_values("reason")}
    return wanted


def _untranslated_flow_keys(strings: dict[str, str]) -> set[str]:
    """Flow errors and aborts the code can return that have no string."""
    return _flow_keys() - set(strings)


def _stale_option_errors(strings: dict[str, str]) -> set[str]:
    """Strings of option errors the code no longer returns."""
    return {key for key in strings if key.startswith("options.error.")} - _flow_keys()


def test_every_flow_error_and_abort_is_translated() -> None:
    assert {"invalid_auth", "cannot_connect", "unknown"} <= _validation_errors(*SHARED_CHECKS)
    assert {"invalid_password", "invalid_access_key"} <= _validation_errors(*CONFIG_CHECKS)
    assert {"settings_refused", "sentence_mode_refused"} <= _validation_errors(*OPTIONS_CHECKS)
    # Reauth and reconfigure end with reasons of their own (see test_config_flow).
    assert {"reauth_successful", "reconfigure_successful"} <= _keyword_values("reason")
    assert _untranslated_flow_keys(EN) == set()
    assert _stale_option_errors(EN) == set()


def test_every_translation_key_in_the_code_is_translated() -> None:
    keys = _keyword_values("translation_key")
    assert keys
    for key in keys:
        assert any(
            path.startswith((f"exceptions.{key}.", f"selector.{key}.", f"issues.{key}."))
            or path in (f"entity.stt.{key}.name", f"entity.sensor.{key}.name")
            for path in EN
        ), key
    for problem in ("real_name_required", "account_restricted", "concurrency_exceeded"):
        assert f"issues.{problem}.title" in EN
    for issue in HotWordIssue:  # keys made from an enum's values
        assert f"issues.{issue.value}.description" in EN


def test_the_checks_see_a_missing_string() -> None:
    broken = dict(EN)
    del broken["config.error.invalid_password"]
    del broken["options.error.invalid_vocabulary_id_zh_cn"]
    del broken["options.error.settings_refused"]
    del broken["options.error.out_of_range_volume"]
    broken["options.error.invalid_vocabulary_id"] = "the error of an earlier release"
    assert _untranslated_flow_keys(broken) == {
        "config.error.invalid_password",
        "options.error.invalid_vocabulary_id_zh_cn",
        "options.error.settings_refused",
        "options.error.out_of_range_volume",
    }
    assert _stale_option_errors(broken) == {"options.error.invalid_vocabulary_id"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_range_error_names_its_field_and_range(language: str) -> None:
    """The number boxes leave their range to the flow: its error says which field and range."""
    strings = _flatten(_load(language))
    for key, allowed in NUMBER_RANGES.items():
        [label] = [
            text
            for path, text in strings.items()
            if re.fullmatch(rf"options\.step\.init\.sections\.\w+\.data\.{key}", path)
        ]
        error = strings[f"options.error.out_of_range_{key}"]
        assert error.startswith(label), (key, error)
        assert re.findall(r"-?\d+", error) == [str(allowed.low), str(allowed.high)], error


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_field_error_names_its_field(language: str) -> None:
    """An error keyed by its section starts with the label of the field it concerns."""
    strings = _flatten(_load(language))
    data = "options.step.init.sections.hot_words.data"
    for key in OWN_TABLE_KEYS:
        for error in (f"invalid_{key}", f"refused_{key}"):
            assert strings[f"options.error.{error}"].startswith(strings[f"{data}.{key}"]), error
    for error in ("invalid_extra_words", "too_many_extra_words"):
        assert strings[f"options.error.{error}"].startswith(strings[f"{data}.extra_words"])
    model = strings["options.step.init.sections.recognition.data.model_zh_cn"]
    assert strings["options.error.sentence_mode_refused"].startswith(model)


TIERS = {
    "en": {VoiceTier.STANDARD: ", standard)", VoiceTier.PREMIUM: ", premium: costs double)"},
    "zh-Hans": {VoiceTier.STANDARD: "，普通）", VoiceTier.PREMIUM: "，精品：费用加倍）"},
    "zh-Hant": {VoiceTier.STANDARD: "，普通）", VoiceTier.PREMIUM: "，精品：費用加倍）"},
}
"""How each language ends the name of a voice: with its tier; premium says it costs double."""


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_voice_is_named_with_its_tier(language: str) -> None:
    """One line per voice and language: adding or removing a voice is one line in each file."""
    names = _load(language)["selector"]["voice"]["options"]
    assert set(names) == set(VOICES)
    for voice_id, name in names.items():
        assert name.endswith(TIERS[language][VOICES[voice_id].tier]), name


URL = re.compile(r"[a-z]+://\S*")
NAMES_IN_CHINESE = {
    "Home", "Assistant", "Cloud", "IAM", "ID", "API", "AK/SK", "WebSocket", "localhost",
    "Wyoming", "Whisper",
    *(word for voice in VOICES.values() for word in voice.name.split() if word.isascii()),
    *SPEECH_LANGUAGES,
}  # fmt: skip
"""Names and terms that Chinese texts keep in English (Huawei's console does too), the
Latin names of voices that have no Chinese one, and the language tags pipelines show."""


def _links_running_into_text(strings: dict[str, str]) -> set[str]:
    """Keys whose URLs run into the text after them (a web page would link both)."""
    return {
        key for key, text in strings.items() if any(not url.isascii() for url in URL.findall(text))
    }


def _english_in_chinese(strings: dict[str, str]) -> set[str]:
    """English words left in a Chinese text, beyond names, URLs and region ids."""
    words: set[str] = set()
    for text in strings.values():
        plain = PLACEHOLDER.sub("", URL.sub("", text))
        words |= set(re.findall(r"[A-Za-z][\w/-]*", plain))
    return words - NAMES_IN_CHINESE - set(SIS_REGIONS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_links_end_where_the_address_ends(language: str) -> None:
    assert _links_running_into_text(_flatten(_load(language))) == set()


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_chinese_texts_have_no_english_left(language: str) -> None:
    assert _english_in_chinese(_flatten(_load(language))) == set()


def test_the_text_checks_see_a_problem() -> None:
    ok = "例如 https://iam.example.com 地址"
    bad = "例如 https://iam.example.com\u3002http://"  # an ideographic full stop
    assert _links_running_into_text({"ok": ok, "bad": bad}) == {"bad"}
    left = {"a": "common 模型", "b": "IAM 用户 {code} ws://x cn-east-3"}
    assert _english_in_chinese(left) == {"common"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_mode_help_follows_the_order_of_the_choices(language: str) -> None:
    """The help names the modes in the order the radio buttons show them."""
    strings = _flatten(_load(language))
    help_text = strings["options.step.init.sections.recognition.data_description.mode"]
    labels = [strings[f"selector.mode.options.{mode.value}"] for mode in RecognitionMode]
    names = [re.split(r" \(|\uff08", label)[0] for label in labels]
    positions = [help_text.find(name) for name in names]
    assert -1 not in positions, names
    assert positions == sorted(positions), names
