"""The hot-word settings of an entry: which names to favour, the extra words, the user's own tables.

The options flow writes these options; the hot-word tables read them through
`HotWordSettings`, as the entity reads its recognition settings through
`settings.RecognitionSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .const import CONF_EXTRA_WORDS, CONF_FAVOUR_NAMES
from .home_names import DEFAULT_FAVOUR_NAMES, parse_extra_words
from .languages import LANGUAGES, table_languages_for_region
from .settings import own_vocabulary_ids
from .sis import TableLanguage


@dataclass(frozen=True, slots=True, kw_only=True)
class HotWordSettings:
    """What the entry's options ask of its hot-word tables."""

    favour_names: bool = DEFAULT_FAVOUR_NAMES
    """Keep the names of the home in the tables (the extra words go in either way)."""
    extra_words: tuple[str, ...] = ()
    """More words to favour, first in every table."""
    own_tables: Mapping[TableLanguage, str] = field(default_factory=dict)
    """Table language → a table the user made, used instead of the one kept for the home."""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> HotWordSettings:
        """Read the options; a missing or unusable value falls back to its default."""
        return cls(
            favour_names=bool(options.get(CONF_FAVOUR_NAMES, DEFAULT_FAVOUR_NAMES)),
            extra_words=parse_extra_words(options.get(CONF_EXTRA_WORDS)),
            own_tables={
                table_language: table
                for tag, table in own_vocabulary_ids(options).items()
                if (table_language := LANGUAGES[tag].table_language) is not None
            },
        )

    def languages(self, region: str) -> tuple[TableLanguage, ...]:
        """Return the languages of the tables kept for the home of an entry of `region`.

        One per language the region offers tables in and one of its models
        takes (`languages.table_languages_for_region`), unless the user named a
        table of their own for it.
        """
        return tuple(
            language
            for language in table_languages_for_region(region)
            if language not in self.own_tables
        )
