"""The languages the entity offers, the SIS models behind them, and the regions offering them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from .chinese_script import Conversion
from .const import (
    MODEL_OPTION_PREFIX,
    REGION_CUSTOM,
    SCRIPT_OPTION_PREFIX,
    VOCABULARY_OPTION_PREFIX,
)
from .sis import Region, TableLanguage, region as sis_region, table_language_for_model


def _option_suffix(language: str) -> str:
    return language.lower().replace("-", "_")


def model_option_key(language: str) -> str:
    """Return the option key of a language's model choice, e.g. `model_zh_cn`."""
    return MODEL_OPTION_PREFIX + _option_suffix(language)


def vocabulary_option_key(language: str) -> str:
    """Return the option key of the user's own hot-word table for a language.

    For example `vocabulary_id_zh_cn`.
    """
    return VOCABULARY_OPTION_PREFIX + _option_suffix(language)


def script_option_key(language: str) -> str:
    """Return the option key of the script a language's text is written in, e.g. `script_zh_tw`."""
    return SCRIPT_OPTION_PREFIX + _option_suffix(language)


@dataclass(frozen=True, slots=True, kw_only=True)
class SisModel:
    """A 16 kHz recognition model: its 8 kHz sibling and what its START config may hold."""

    name: str
    """The `property` of the START config."""
    telephone: str | None = None
    """Its 8 kHz sibling, None when there is none."""
    digit_norm: bool = True
    """It takes `digit_norm` (the product leaves it out where the pages leave it open)."""
    min_max_seconds: int = 1
    """The smallest `max_seconds` it honours (the dialect models treat less as 10)."""
    sentence_mode: bool = True
    """Huawei documents it for sentence mode too, not only the short-stream and continuous
    modes."""


MODELS: Final[Mapping[str, SisModel]] = {
    model.name: model
    for model in (
        # Huawei's 2021 pages offer the general model in those two modes only.
        SisModel(name="chinese_16k_general", telephone="chinese_8k_general", sentence_mode=False),
        SisModel(name="chinese_16k_common", telephone="chinese_8k_common"),
        # Mandarin and Sichuanese; no digits, no hot-word table.
        SisModel(name="sichuan_16k_common", digit_norm=False, min_max_seconds=10),
        # Shanghainese: the pages refuse neither digits nor a (Mandarin) hot-word table.
        SisModel(name="shanghai_16k_common", min_max_seconds=10),
        SisModel(name="english_16k_general", digit_norm=False),
        SisModel(name="cantonese_16k_common", digit_norm=False, min_max_seconds=10),
        SisModel(name="arabic_16k_general", digit_norm=False),
    )
}
"""Every model the entity may use, by name; the protocol notes give each one's limits."""


class Script(StrEnum):
    """The characters a Chinese language's text is written in."""

    SIMPLIFIED = "simplified"
    TRADITIONAL = "traditional"


@dataclass(frozen=True, slots=True, kw_only=True)
class SisLanguage:
    """A language the entity offers, the SIS models that recognise it, and its scripts."""

    tag: str
    """The tag Home Assistant stores in pipelines: never rename or remove one."""
    models: tuple[str, ...]
    """Its 16 kHz models (of `MODELS`); the first is the default."""
    options_of: str | None = None
    """The tag whose model choice and own hot-word table it shares (the same speech)."""
    scripts: Mapping[Script, Conversion | None] = field(default_factory=dict)
    """Script → how the model's text is converted to it (None: as the model writes it); the
    first is the default. Empty for a language that is not written in Chinese."""

    def models_in(self, region: Region) -> tuple[str, ...]:
        """Return the 16 kHz models a region offers for the language, the default first."""
        return tuple(model for model in self.models if model in region.models)

    def offered_in(self, region: Region) -> bool:
        """Whether a region offers the language: it offers one of its 16 kHz models."""
        return bool(self.models_in(region))

    @property
    def default_model(self) -> str:
        """The 16 kHz model used unless the options choose another one."""
        return self.models[0]

    @property
    def option_key(self) -> str:
        """The option key of this language's model choice."""
        return model_option_key(self.options_of or self.tag)

    @property
    def table_language(self) -> TableLanguage | None:
        """The language of the hot-word tables its models take; None when they take none."""
        return table_language_for_model(self.default_model)

    @property
    def vocabulary_option_key(self) -> str:
        """The option key of the user's own hot-word table for this language."""
        return vocabulary_option_key(self.options_of or self.tag)

    @property
    def default_script(self) -> Script | None:
        """The script its text is written in unless the options choose the other one."""
        return next(iter(self.scripts), None)

    @property
    def script_option_key(self) -> str:
        """The option key of the script its text is written in."""
        return script_option_key(self.tag)


MANDARIN_MODELS: Final = (
    "chinese_16k_general",
    "chinese_16k_common",
    "sichuan_16k_common",
    "shanghai_16k_common",
)
"""Mandarin's choices: the general and common Mandarin models, then the dialect models of
Sichuan (which also recognises Mandarin) and Shanghai, offered in cn-north-4 only."""

LANGUAGES: Final[Mapping[str, SisLanguage]] = {
    language.tag: language
    for language in (
        # Taiwan first: Home Assistant ranks tags of the same language that fit a pipeline's
        # equally in this order, and a zh-HK pipeline in a region without Cantonese should
        # get Mandarin in Traditional characters (6,815 of the 9,087 zh-HK sentences of Home
        # Assistant's intents written by a Mandarin model then matched) and not Simplified
        # ones (58 matched). Every other pipeline finds its own tag, or the one Home
        # Assistant's preferred regions give (zh-Hans: zh-CN; zh-Hant: zh-HK, then zh-TW).
        SisLanguage(
            tag="zh-TW",
            models=MANDARIN_MODELS,
            options_of="zh-CN",
            scripts={Script.TRADITIONAL: Conversion.TAIWAN, Script.SIMPLIFIED: None},
        ),
        SisLanguage(
            tag="zh-CN",
            models=MANDARIN_MODELS,
            scripts={Script.SIMPLIFIED: None, Script.TRADITIONAL: Conversion.TRADITIONAL},
        ),
        SisLanguage(tag="en-US", models=("english_16k_general",)),
        SisLanguage(
            tag="zh-HK",
            models=("cantonese_16k_common",),
            # Which script the model writes is not documented: both conversions take either.
            scripts={
                Script.TRADITIONAL: Conversion.HONG_KONG,
                Script.SIMPLIFIED: Conversion.SIMPLIFIED,
            },
        ),
        SisLanguage(tag="ar", models=("arabic_16k_general",)),
    )
}
"""Every language tag the entity can list, in the order it lists them."""


def region_of(entry_region: str) -> Region:
    """Return the facts of an entry's region; a custom endpoint may offer everything.

    A region this release does not know (an entry from a newer one) offers nothing.
    """
    try:
        return sis_region(None if entry_region == REGION_CUSTOM else entry_region)
    except KeyError:
        return Region(
            name=entry_region, site=None, models=frozenset(), synthesis=False, table_languages=()
        )


def languages_for_region(region: str) -> list[str]:
    """Return the tags offered in an entry's region (`CONF_REGION`), in a stable order."""
    facts = region_of(region)
    return [tag for tag, language in LANGUAGES.items() if language.offered_in(facts)]


def table_languages_for_region(region: str) -> tuple[TableLanguage, ...]:
    """Return the languages of the hot-word tables worth keeping for an entry of a region.

    Those the region offers tables in that a model of one of the region's
    languages takes: Mandarin everywhere, English in Beijing only (Shanghai
    offers English tables but no English model; the international site offers
    no English tables). A custom endpoint may be any region, so it gets both.
    """
    used = {LANGUAGES[tag].table_language for tag in languages_for_region(region)}
    return tuple(language for language in region_of(region).table_languages if language in used)
