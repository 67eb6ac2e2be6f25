"""The texts of Home Assistant's own intents (`home_assistant_intents`), for the script tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from home_assistant_intents import get_intents


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


def chinese_texts(language: str) -> list[str]:
    """The sentence templates, responses and list values of a language that hold Chinese."""
    data = get_intents(language)
    assert data is not None, language
    return sorted({text for text in strings(data) if any("\u4e00" <= c <= "\u9fff" for c in text)})
