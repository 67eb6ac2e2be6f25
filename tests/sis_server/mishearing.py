"""Words the emulated engine mishears unless the session's hot-word table holds them.

`SisServer.mishear("ECOBEE", "incubi")`: recognised text that contains the word
(whole words, any case) comes back with `incubi` instead, unless the START config
named a table that holds the word as the table writes it (upper case, no
spaces), alone or as part of a longer word.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
import re


@dataclass(frozen=True, slots=True)
class Mishearing:
    """One word and what the engine hears instead."""

    word: str
    heard: str
    pattern: re.Pattern[str]

    @property
    def table_form(self) -> str:
        """The word as a table holds it."""
        return "".join(self.word.split()).upper()


def _pattern(word: str) -> re.Pattern[str]:
    """Match the word in text: any case, any spaces between its parts, whole Latin words."""
    body = r"\s*".join(re.escape(part) for part in word.split())
    before = r"(?<![A-Za-z])" if word[:1].isascii() and word[:1].isalpha() else ""
    after = r"(?![A-Za-z])" if word[-1:].isascii() and word[-1:].isalpha() else ""
    return re.compile(before + body + after, re.IGNORECASE)


class Mishearings:
    """The mishearings a test declared."""

    def __init__(self) -> None:
        """Start with none."""
        self._items: list[Mishearing] = []

    def add(self, word: str, heard: str) -> None:
        """From now on, `word` is heard as `heard` unless the session's table holds it."""
        if not word.strip():
            raise ValueError("A misheard word cannot be empty")
        self._items.append(Mishearing(word, heard, _pattern(word)))

    def rewriter(self, table_words: Collection[str]) -> Callable[[str], str] | None:
        """The change the engine makes to every text of a session with these table words."""
        active = [
            item for item in self._items if not any(item.table_form in word for word in table_words)
        ]
        if not active:
            return None

        def rewrite(text: str) -> str:
            for item in active:
                text = item.pattern.sub(item.heard, text)
            return text

        return rewrite
