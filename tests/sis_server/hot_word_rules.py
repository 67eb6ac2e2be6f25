"""The service's rules for hot-word tables, read strictly from the API reference.

Where pages disagree the stricter reading is kept:
- Words per table: 1,024 (2021 page and SDK model) rather than 10,000 (current page).
- Word length: 32 bytes (2021 page: "单个热词长度上限32字节") counted in UTF-8, as the
  word travels, rather than 32 Chinese characters or 64 letters (current page).
- English in upper case only (user manual); lower-case letters are refused.
- Names are unique per account (user), not per project, and the table limit
  counts the tables of every project: both are said of the user.

The product keeps its own copy of these rules (named at the table below);
tests/test_emulator_mirrors_product.py fails when the two disagree.

Where the pages leave the answer open, `Readings` chooses: English tables
(H2), what the list's `offset` counts and its page size (H3), and the number
of tables per account (H4, 100 by default).
"""

from __future__ import annotations

import re
from typing import Any, Final
import unicodedata

from .config_rules import CHINA_SITE, Refusal
from .readings import Readings

# Mirrors the product's sis/hot_words.py (MAX_WORDS_PER_TABLE, MAX_WORD_BYTES, word_problem,
# table_languages) and sis/vocabulary.py (name, description and page limits, MAX_TABLES).
MAX_WORDS: Final = 1024
MAX_WORD_BYTES: Final = 32
MAX_DESCRIPTION_BYTES: Final = 255
DEFAULT_LIMIT: Final = 10
MAX_LIMIT: Final = 100
"""Not documented; a larger page is refused as an invalid `limit`."""
MANDARIN: Final = "chinese_mandarin"
ENGLISH: Final = "english"

_NAME: Final = re.compile(r"[A-Za-z0-9_#-]{1,32}")
_FIELDS: Final = ("name", "description", "language", "contents")
_REQUIRED: Final = ("name", "language", "contents")


def languages(region: str | None, readings: Readings | None = None) -> tuple[str, ...]:
    """Table languages of a region: Mandarin everywhere, English on the China site only.

    English nowhere when `readings.english_tables` is off.
    """
    english = (readings or Readings()).english_tables
    return (MANDARIN, ENGLISH) if english and region in CHINA_SITE else (MANDARIN,)


def _invalid(field: str) -> Refusal:
    return Refusal("SIS.0032", f"'{field}' is invalid")


def _chinese(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


def word_refusal(word: str, language: str) -> str | None:
    """Why a word may not be in a table of `language` (SIS.0203), None if it may."""
    if not word:
        return "a hot word is empty"
    for char in word:
        if _chinese(char):
            if language == ENGLISH:
                return f"the hot word '{word}' holds Chinese characters in an English table"
        elif not "A" <= char <= "Z":
            return f"the hot word '{word}' is illegal"
    if len(word.encode()) > MAX_WORD_BYTES:
        return f"the hot word '{word}' is too long"
    return None


def check_table(body: Any, region: str | None, readings: Readings | None = None) -> Refusal | None:
    """Why a create or update body is refused in `region`, None when it is valid."""
    if not isinstance(body, dict):
        return Refusal("SIS.0032", "the request body is not a JSON object")
    for field in _REQUIRED:
        if body.get(field) in (None, "", []):
            return Refusal("SIS.0012", f"'{field}' cannot be empty")
    unknown = sorted(str(key) for key in body if key not in _FIELDS)
    if unknown:
        return Refusal("SIS.0031", f"'{unknown[0]}' is not supported")
    name, language, contents = body["name"], body["language"], body["contents"]
    description = body.get("description", "")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return _invalid("name")
    if not isinstance(description, str) or len(description.encode()) > MAX_DESCRIPTION_BYTES:
        return _invalid("description")
    if not isinstance(language, str):
        return _invalid("language")
    if language not in languages(region, readings):
        return Refusal("SIS.0205", f"the language '{language}' is not supported")
    if not isinstance(contents, list) or not all(isinstance(word, str) for word in contents):
        return _invalid("contents")
    if len(contents) > MAX_WORDS:
        return Refusal("SIS.0203", f"a table holds at most {MAX_WORDS} hot words")
    for word in contents:
        if reason := word_refusal(word, language):
            return Refusal("SIS.0203", reason)
    return None


def page(query: dict[str, str], readings: Readings | None = None) -> tuple[int, int] | Refusal:
    """The (page size, tables skipped) of a list request, or why it is refused.

    `limit` and `offset` are checked as numbers first; then the page size is
    capped by `readings.max_page_size`, and `offset` counts tables or pages as
    `readings.list_offset` says.
    """
    values: dict[str, int] = {}
    for field, default, low, high in (
        ("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        ("offset", 0, 0, None),
    ):
        raw = query.get(field)
        if raw is None:
            values[field] = default
            continue
        if not raw.isascii() or not raw.isdigit():
            return _invalid(field)
        value = int(raw)
        if value < low or (high is not None and value > high):
            return _invalid(field)
        values[field] = value
    readings = readings or Readings()
    size = values["limit"]
    if readings.max_page_size is not None:
        size = min(size, readings.max_page_size)
    offset = values["offset"]
    return size, offset * size if readings.list_offset == "pages" else offset
