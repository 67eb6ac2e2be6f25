"""Cutting streamed text into pieces to synthesise: sentence ends, limits, nothing lost."""

from __future__ import annotations

import random

import pytest

from custom_components.huawei_cloud_sis.sis import SentenceSplitter, speakable, text_length


def _all(splitter: SentenceSplitter, *, eager: bool = False) -> list[str]:
    pieces = []
    while (piece := splitter.take(eager=eager)) is not None:
        pieces.append(piece)
    return pieces


def split(text: str, max_chars: int = 499, *, step: int | None = None) -> list[str]:
    """Feed `text` in pieces of `step` characters (all at once by default), then finish."""
    splitter = SentenceSplitter(max_chars)
    pieces: list[str] = []
    step = step or len(text) or 1
    for start in range(0, len(text), step):
        splitter.feed(text[start : start + step])
        pieces += _all(splitter)
    splitter.finish()
    return pieces + _all(splitter)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("今天天气很好。我们去公园吧！", ["今天天气很好。我们去公园吧！"]),
        ("Hello there. How are you?", ["Hello there. How are you?"]),
        ("", []),
        ("no punctuation at all", ["no punctuation at all"]),
    ],
)
def test_a_complete_text_goes_in_one_piece(text: str, pieces: list[str]) -> None:
    splitter = SentenceSplitter(499)
    splitter.feed(text)
    splitter.finish()
    assert _all(splitter) == pieces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天天气很好。我们去公园吧！好", ["今天天气很好。我们去公园吧！"]),
        ("Hello there. How are you? Fine", ["Hello there. How are you? "]),
        # A full stop inside a number or before a letter is not a sentence end.
        ("Pi is 3.14 and e is 2.71, ok", []),
        # A closing quote stays with its sentence; the end waits for the next character.
        ("他说：“好。”然后", ["他说：“好。”"]),
        ("他说：“好。”", []),
        ("Wait... what", ["Wait... "]),
        ("one\ntwo", ["one\n"]),
        ("Really?!", []),
    ],
)
def test_only_complete_sentences_are_taken_while_text_arrives(
    text: str, expected: list[str]
) -> None:
    splitter = SentenceSplitter(499)
    splitter.feed(text)
    assert _all(splitter) == expected
    assert "".join(expected) + splitter.pending == text


def test_the_end_of_the_text_completes_the_last_sentence() -> None:
    splitter = SentenceSplitter(499)
    splitter.feed("Really?!")
    assert splitter.take() is None
    splitter.finish()
    assert splitter.take() == "Really?!"
    assert splitter.take() is None
    with pytest.raises(RuntimeError):
        splitter.feed("more")


def test_a_clause_goes_early_only_when_asked_and_long_enough() -> None:
    splitter = SentenceSplitter(499)
    splitter.feed("Sure, here is the weather for today in Beijing: sunny and warm")
    assert splitter.take() is None
    assert splitter.take(eager=True) == "Sure, here is the weather for today in Beijing: "
    splitter = SentenceSplitter(499)
    splitter.feed("Sure, the rest")
    assert splitter.take(eager=True) is None  # "Sure, " is too short to say alone
    splitter = SentenceSplitter(499)
    splitter.feed("1,000 people came today")
    assert splitter.take(eager=True) is None  # no clause break in a number


def test_a_long_sentence_is_cut_at_a_comma_then_a_space_then_the_limit() -> None:
    assert split("aaaa, bbbb, cccc dddd", 12) == ["aaaa, bbbb, ", "cccc dddd"]
    assert split("aaaa bbbb cccc dddd", 12) == ["aaaa bbbb ", "cccc dddd"]
    assert split("甲" * 25, 10) == ["甲" * 10, "甲" * 10, "甲" * 5]
    assert split("今天，天气很好很好很好很好", 8) == ["今天，", "天气很好很好很好", "很好"]


def test_characters_beyond_sixteen_bits_count_twice() -> None:
    assert text_length("a😀") == 3
    pieces = split("😀" * 5, 4)
    assert pieces == ["😀😀", "😀😀", "😀"]
    assert all(text_length(piece) <= 4 for piece in pieces)


def test_a_piece_must_hold_two_characters() -> None:
    with pytest.raises(ValueError, match="two characters"):
        SentenceSplitter(1)


def test_speakable() -> None:
    assert speakable("好。")
    assert speakable("42")
    assert not speakable("…… ！")
    assert not speakable("")


SAMPLES = [
    "今天北京晴，最高气温二十五度。明天有小雨，记得带伞！",
    "Sure. The kitchen light is on, and the door is locked; anything else?",
    "第一条：“打开灯。”第二条：关上门……好的。",
    "Prices: 3.50, 4.25 and 10,000.00. Done!\nNext line?",
    "一" * 1200 + "。" + "two words " * 80,
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("max_chars", [499, 50, 7])
def test_pieces_join_to_the_text_and_respect_the_limit(text: str, max_chars: int) -> None:
    rng = random.Random(f"{text[:10]}{max_chars}")
    splitter = SentenceSplitter(max_chars)
    pieces: list[str] = []
    position = 0
    while position < len(text):
        step = rng.randint(1, 9)
        splitter.feed(text[position : position + step])
        position += step
        pieces += _all(splitter, eager=rng.random() < 0.5)
    splitter.finish()
    pieces += _all(splitter)
    assert "".join(pieces) == text
    assert all(piece and text_length(piece) <= max_chars for piece in pieces)
