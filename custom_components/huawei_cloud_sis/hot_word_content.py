"""What each hot-word table of an entry should hold: its name, its words and their hash.

A table holds the user's extra words and, unless turned off, the names of the
home (`home_names`), in that order of priority, within the service's limits
(`sis.build_word_list`).

The names are read and turned into words on the event loop, in slices, and
what each name became is kept for the next sync (`WordCache`), so a sync never
holds the loop for more than a few milliseconds. (An executor job would hold
it longer: a thread busy with Python code keeps the loop waiting for the GIL
for milliseconds at a time.)

A Mandarin table holds Simplified characters, the script Huawei's Mandarin
models write: a word in Traditional characters would never be written as it
is. So once a home has a name in Traditional characters, every name with
Chinese characters is converted to Simplified first
(`chinese_script.Conversion.SIMPLIFIED`, which keeps the home's words and
leaves Simplified text as it is), and a name written in both scripts ("客廳",
"客厅") is one word. A name is taken to be in Traditional characters when it
holds one that GB2312, the Simplified character set, lacks: that costs
nothing, and a home named in Simplified characters never reads the
dictionaries. (The few Traditional characters GB2312 has, 後 and 著 among
them, are converted once any other name told the home's script.) The
dictionaries are read in the executor, once; converting a name takes some 25
µs, and only names the previous sync did not have are converted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import hashlib
import json
import re
from typing import Final

from homeassistant.core import HomeAssistant

from . import home_names
from .chinese_script import Conversion, Converter, async_readable_converter
from .home_names import HomeNames, NameKind
from .hot_word_settings import HotWordSettings
from .sis import DroppedName, DropReason, TableLanguage, build_word_list, name_to_words

NAMES_PER_SLICE: Final = 40
"""Names turned into words before the event loop is given back (some 50 µs each)."""
DESCRIPTION: Final = "Names in a Home Assistant home, kept up to date by Home Assistant"
"""The description of every table (part of its content hash)."""
CHINESE: Final = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
"""Chinese characters (the unified and compatibility ideographs): a name to convert."""


def in_traditional_characters(name: str) -> bool:
    """Whether a name holds a Chinese character that GB2312 (Simplified characters) lacks."""
    if not CHINESE.search(name):
        return False
    try:
        name.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


LANGUAGE_SUFFIXES: Final[Mapping[TableLanguage, str]] = {
    TableLanguage.CHINESE_MANDARIN: "zh",
    TableLanguage.ENGLISH: "en",
}


def table_name(entry_id: str, language: TableLanguage) -> str:
    """Return the name of an entry's table of `language`.

    Names are unique per account, across projects and Home Assistant
    installations, so the name comes from the entry id (random, never
    reused), hashed to a fixed length: at most 32 letters, digits and `_`.
    A table whose id was lost (a lost answer, a lost store) is found again
    by this name instead of being made twice.
    """
    digest = hashlib.sha256(entry_id.encode()).hexdigest()[:12]
    return f"homeassistant_{digest}_{LANGUAGE_SUFFIXES[language]}"


@dataclass(frozen=True, slots=True)
class TableContent:
    """What a table should hold, and its hash."""

    name: str
    language: TableLanguage
    words: tuple[str, ...]
    dropped: tuple[DroppedName, ...]
    """The names left out, and why (the last ones when the table is full)."""
    kinds: Mapping[str, NameKind] = field(repr=False)
    """Where each name comes from."""
    digest: str


type WordsOf = Callable[[str], tuple[str, ...] | DropReason]
"""What one name becomes in a table (see `sis.name_to_words`)."""


def build_content(
    names: HomeNames, language: TableLanguage, name: str, words_of: WordsOf | None = None
) -> TableContent:
    """Turn names into a table's content (`words_of` as for `sis.build_word_list`)."""
    word_list = build_word_list(names.names, language, words_of=words_of)
    body = [name, language.value, DESCRIPTION, word_list.words]
    digest = hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()
    return TableContent(name, language, word_list.words, word_list.dropped, names.kinds, digest)


class WordCache:
    """What each name became in each table language, kept from one sync to the next.

    Turning names into words is the costly part of a sync, some 50 µs a name:
    it is done once for each name, in slices of `NAMES_PER_SLICE` names, and
    only for names the previous sync did not have.
    """

    def __init__(self) -> None:
        """Start knowing no name."""
        self._known: dict[TableLanguage, dict[str, tuple[str, ...] | DropReason]] = {}
        self._traditional = False
        """A name in Traditional characters was seen: Mandarin names are converted."""
        self._converted = False
        """The Mandarin words kept were made from converted names."""

    async def async_words_of(
        self, hass: HomeAssistant, names: Sequence[str], language: TableLanguage
    ) -> WordsOf:
        """Make what the new names become; forget names that are gone; return the lookup.

        For a Mandarin table, names with Chinese characters are made in Simplified ones
        once the home has a name in Traditional characters.
        """
        known = self._known.get(language, {})
        simplified: Converter | None = None
        if language is TableLanguage.CHINESE_MANDARIN:
            simplified = await self._async_simplified(hass, names, known)
            if simplified is not None and not self._converted:
                known = {}  # made before the home's script was known: made again
                self._converted = True
        current: dict[str, tuple[str, ...] | DropReason] = {}
        made = 0
        for name in names:
            words = known.get(name)
            if words is None:
                if made and not made % NAMES_PER_SLICE:
                    await asyncio.sleep(0)
                written = simplified(name) if simplified and CHINESE.search(name) else name
                words = name_to_words(written, language)
                made += 1
            current[name] = words
        self._known[language] = current
        return current.__getitem__

    async def _async_simplified(
        self, hass: HomeAssistant, names: Sequence[str], known: Mapping[str, object]
    ) -> Converter | None:
        """Return the Simplified conversion once a name in Traditional characters was seen.

        None while none was, or when the dictionaries cannot be read (the names then go
        as they are written, and the next sync tries again).
        """
        if not self._traditional:
            self._traditional = any(
                in_traditional_characters(name) for name in names if name not in known
            )
        if not self._traditional:
            return None
        return await async_readable_converter(
            hass,
            Conversion.SIMPLIFIED,
            "names go into the Mandarin hot-word table as they are written",
        )


async def async_contents(
    hass: HomeAssistant,
    settings: HotWordSettings,
    languages: Iterable[TableLanguage],
    cache: WordCache,
    entry_id: str,
) -> dict[TableLanguage, TableContent]:
    """Read the names as they are now and return what each language's table should hold."""
    names = await home_names.async_collect(hass, settings.extra_words, home=settings.favour_names)
    contents: dict[TableLanguage, TableContent] = {}
    for language in languages:
        words_of = await cache.async_words_of(hass, names.names, language)
        contents[language] = build_content(
            names, language, table_name(entry_id, language), words_of
        )
        await asyncio.sleep(0)  # a table's words take a millisecond or so
    return contents
