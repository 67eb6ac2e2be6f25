"""The options form: its sections, and what it shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.data_entry_flow import section

SECTIONS = {
    "recognition": {
        "mode",
        "add_punc",
        "digit_norm",
        "early_answer",
        "model_zh_cn",
        "script_zh_tw",
        "script_zh_cn",
        "script_zh_hk",
    },
    "hot_words": {"favour_names", "extra_words", "vocabulary_id_zh_cn", "vocabulary_id_en_us"},
    "fallback": {"fallback_engine", "fallback_on_empty"},
    "voice_detection": {"vad_head", "vad_tail", "max_seconds"},
    "voice": {
        "voice_zh_cn",
        "voice_en_us",
        "voice_ar",
        "every_voice",
        "speed",
        "pitch",
        "volume",
    },
}
"""Which section of the form shows which option."""


def form(options: Mapping[str, Any], *, voice: bool = True) -> dict[str, dict[str, Any]]:
    """What the form sends for flat options: each value in its section.

    Without `voice` the voice section is left out, as for a region without speech synthesis.
    """
    answer: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS if voice or name != "voice"}
    for key, value in options.items():
        [name] = [name for name, keys in SECTIONS.items() if key in keys]
        answer[name][key] = value
    return answer


def _sections(result: ConfigFlowResult) -> dict[str, section]:
    schema = result["data_schema"]
    assert schema is not None
    found = {str(key): value for key, value in schema.schema.items()}
    assert all(isinstance(value, section) for value in found.values())
    return found


def suggested(result: ConfigFlowResult) -> dict[str, Any]:
    """The values the form suggests, flat."""
    values: dict[str, Any] = {}
    for part in _sections(result).values():
        for key in part.schema.schema:
            if key.description and "suggested_value" in key.description:
                values[str(key)] = key.description["suggested_value"]
    return values


def collapsed(result: ConfigFlowResult) -> dict[str, bool]:
    """Whether each section of the form starts collapsed."""
    return {name: part.options["collapsed"] for name, part in _sections(result).items()}


def fields(result: ConfigFlowResult, name: str) -> list[str]:
    """The fields a section of the form shows, in order."""
    return [str(key) for key in _sections(result)[name].schema.schema]


def choices(result: ConfigFlowResult, key: str) -> list[str]:
    """The choices a select field of the form offers, in order."""
    for part in _sections(result).values():
        for marker, selector in part.schema.schema.items():
            if str(marker) == key:
                return [str(option) for option in selector.config["options"]]
    raise KeyError(key)
