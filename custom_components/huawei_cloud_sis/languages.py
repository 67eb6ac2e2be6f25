"""The languages the entity offers, the SIS models behind them, and the regions offering them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .const import MODEL_OPTION_PREFIX, REGION_CUSTOM, VOCABULARY_OPTION_PREFIX
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


@dataclass(frozen=True, slots=True, kw_only=True)
class SisLanguage:
    """A language the entity offers and the SIS models that recognise it."""

    tag: str
    """The tag Home Assistant stores in pipelines: never rename or remove one."""
    models: Mapping[str, str | None]
    """16 kHz model → its 8 kHz sibling (None when there is none); the first is the default."""
    digit_norm: bool = True
    """The models accept `digit_norm`."""
    min_max_seconds: int = 1
    """Smallest `max_seconds` the models honour (dialect models treat less as 10)."""
    without_sentence_mode: frozenset[str] = frozenset()
    """Models Huawei documents for the short-stream and continuous modes only."""

    def offered_in(self, region: Region) -> bool:
        """Whether a region offers the language: it offers one of its 16 kHz models."""
        return not region.models.isdisjoint(self.models)

    @property
    def default_model(self) -> str:
        """The 16 kHz model used unless the options choose another one."""
        return next(iter(self.models))

    @property
    def option_key(self) -> str:
        """The option key of this language's model choice."""
        return model_option_key(self.tag)

    @property
    def table_language(self) -> TableLanguage | None:
        """The language of the hot-word tables its models take; None when they take none."""
        return table_language_for_model(self.default_model)

    @property
    def vocabulary_option_key(self) -> str:
        """The option key of the user's own hot-word table for this language."""
        return vocabulary_option_key(self.tag)


LANGUAGES: Final[Mapping[str, SisLanguage]] = {
    language.tag: language
    for language in (
        SisLanguage(
            tag="zh-CN",
            models={
                "chinese_16k_general": "chinese_8k_general",
                "chinese_16k_common": "chinese_8k_common",
            },
            # Huawei's 2021 pages offer the general model in those two modes only.
            without_sentence_mode=frozenset({"chinese_16k_general"}),
        ),
        SisLanguage(
            tag="en-US",
            models={"english_16k_general": None},
            digit_norm=False,
        ),
        SisLanguage(
            tag="zh-HK",
            models={"cantonese_16k_common": None},
            digit_norm=False,
            min_max_seconds=10,
        ),
        SisLanguage(
            tag="ar",
            models={"arabic_16k_general": None},
            digit_norm=False,
        ),
    )
}
"""Every language tag the entity can list, in a stable order."""


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
