"""The README documents the options that exist, with the defaults the code uses."""

from __future__ import annotations

from pathlib import Path
import re

from custom_components.huawei_cloud_sis import (
    const,
    early_answer,
    fallback,
    home_names,
    languages,
    settings,
    voice_settings,
)
from custom_components.huawei_cloud_sis.sis import SYNTHESIS_REGIONS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| [^|]+ \| `([a-z_]+)` \| ([^|]+) \|", re.MULTILINE)


def _documented() -> dict[str, str]:
    section = README.split("## Options", 1)[1].split("\n## ", 1)[0]
    return {key: default.strip() for key, default in ROW.findall(section)}


def _expected() -> dict[str, str]:
    def shown(value: object) -> str:
        if isinstance(value, bool):
            return "on" if value else "off"
        return "empty" if value is None else str(value)

    expected = {
        const.CONF_MODE: f"`{settings.DEFAULT_MODE.value}`",
        const.CONF_ADD_PUNC: shown(settings.DEFAULT_ADD_PUNC),
        const.CONF_DIGIT_NORM: shown(settings.DEFAULT_DIGIT_NORM),
        const.CONF_EARLY_ANSWER: shown(early_answer.DEFAULT_EARLY_ANSWER),
        const.CONF_FAVOUR_NAMES: shown(home_names.DEFAULT_FAVOUR_NAMES),
        const.CONF_EXTRA_WORDS: shown(None),
        const.CONF_FALLBACK_ENGINE: shown(fallback.FallbackSettings().entity_id),
        const.CONF_FALLBACK_ON_EMPTY: shown(fallback.DEFAULT_FALLBACK_ON_EMPTY),
        const.CONF_VAD_HEAD: f"{settings.DEFAULT_VAD_HEAD} ms",
        const.CONF_VAD_TAIL: f"{settings.DEFAULT_VAD_TAIL} ms",
        const.CONF_MAX_SECONDS: f"{settings.DEFAULT_MAX_SECONDS} s",
    }
    for language in languages.LANGUAGES.values():
        if len(language.models) > 1:
            expected[language.option_key] = f"`{language.default_model}`"
        if language.table_language is not None:
            expected[language.vocabulary_option_key] = shown(None)
        if language.default_script is not None:
            expected[language.script_option_key] = f"`{language.default_script.value}`"
    for tag in voice_settings.LANGUAGE_ORDER:
        defaults = {
            region: voices[0].voice_id
            for region in SYNTHESIS_REGIONS
            if (voices := voice_settings.voices_for_language(region, tag))
        }
        china, riyadh = defaults.get("cn-north-4"), defaults.get("me-east-1")
        shown_voice = f"`{china or riyadh}`"
        if china and riyadh and china != riyadh:
            shown_voice += f" (ME-Riyadh: `{riyadh}`)"
        expected[voice_settings.voice_option_key(tag)] = shown_voice
    expected[const.CONF_EVERY_VOICE] = shown(voice_settings.DEFAULT_EVERY_VOICE)
    for key, default in voice_settings.DEFAULTS.items():
        expected[key] = str(default)
    return expected


def test_every_option_is_documented_with_its_default() -> None:
    assert _documented() == _expected()


def test_the_table_parser_sees_a_wrong_default() -> None:
    broken = README.replace("| `vad_tail` | 500 ms |", "| `vad_tail` | 400 ms |")
    section = broken.split("## Options", 1)[1].split("\n## ", 1)[0]
    assert dict(ROW.findall(section))["vad_tail"].strip() == "400 ms"
    assert _expected()["vad_tail"] == "500 ms"


def test_regions_and_languages_match_the_code() -> None:
    for region in const.SIS_REGIONS:
        row = next(line for line in README.splitlines() if f"| `{region}` |" in line)
        tags = re.findall(r"\(`([a-zA-Z-]+)`\)", row)
        assert tags == languages.languages_for_region(region), region


def test_readme_names_the_test_commands() -> None:
    assert "scripts/setup" in README
    assert "scripts/test" in README
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/setup" in ci
    assert "scripts/test" in ci


def test_readme_images_exist_and_stay_small() -> None:
    """The screenshots scripts/browser-test --readme-images makes are there and small."""
    images = re.findall(r"\]\((docs/images/[\w.-]+\.png)\)", README)
    assert len(images) >= 4
    for image in images:
        path = Path(__file__).parent.parent / image
        assert path.stat().st_size < 200_000, image
