"""The word rules of hot-word tables: what the names of a home become, and what is refused."""

from __future__ import annotations

import pytest

from custom_components.huawei_cloud_sis.sis import (
    MAX_WORD_BYTES,
    MAX_WORDS_PER_TABLE,
    DroppedName,
    DropReason,
    TableLanguage,
    build_word_list,
    name_to_words,
    region,
    table_language_for_model,
    word_problem,
)
from custom_components.huawei_cloud_sis.sis.hot_words import (
    chinese_number,
    english_number,
    english_syllables,
    is_chinese_character,
)

MANDARIN = TableLanguage.CHINESE_MANDARIN
ENGLISH = TableLanguage.ENGLISH


@pytest.mark.parametrize(
    ("name", "mandarin", "english"),
    [
        # The examples of the brief, and their neighbours.
        ("Living room 2", ("LIVING",), ("LIVING",)),
        ("客厅 灯", ("客厅灯",), DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("Ecobee恒温器", ("ECOBEE恒温器",), DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("Ecobee 恒温器", ("ECOBEE", "恒温器"), DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("2楼卧室", ("二楼卧室",), DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("2 楼 卧室", ("二楼卧室",), DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("Kid's room", DropReason.ONE_SYLLABLE, DropReason.ONE_SYLLABLE),
        ("Kid\u2019s bedroom", ("BEDROOM",), ("BEDROOM",)),
        # Numbers are spelled out in the table's language.
        ("Bedroom 12", ("BEDROOM", "十二"), ("BEDROOM",)),
        ("12楼", ("十二楼",), DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("Room2", ("ROOM二",), DropReason.ONE_SYLLABLE),
        ("Garage 7", ("GARAGE",), ("GARAGE", "SEVEN")),
        ("Garage7", ("GARAGE七",), ("GARAGE", "SEVEN")),
        ("2nd floor hallway", ("第二", "HALLWAY"), ("SECOND", "HALLWAY")),
        ("40th", ("第四十",), ("FORTIETH",)),
        ("21st century", ("第二十一", "CENTURY"), ("TWENTY", "CENTURY")),
        ("007", ("零零七",), ("ZERO", "SEVEN")),
        ("101", ("一百零一",), ("HUNDRED",)),
        ("2.5", ("二五",), DropReason.ONE_SYLLABLE),
        # Letters: upper case, accents dropped, full-width folded, other scripts refused.
        ("garage door", ("GARAGE",), ("GARAGE",)),
        ("Café Lounge", DropReason.ONE_SYLLABLE, DropReason.ONE_SYLLABLE),
        ("Küchen Radio", ("KUCHEN", "RADIO"), ("KUCHEN", "RADIO")),
        ("Großes Zimmer", ("GROSSES", "ZIMMER"), ("GROSSES", "ZIMMER")),
        ("Ærø Køkken", ("AERO", "KOKKEN"), ("AERO", "KOKKEN")),
        ("\uff34\uff36", ("TV",), ("TV",)),  # full-width
        (
            "\uff33\uff4f\uff4e\uff4f\uff53\u3000客厅",  # full-width, ideographic space
            ("SONOS", "客厅"),
            DropReason.CHINESE_IN_ENGLISH_TABLE,
        ),
        ("Кухня", DropReason.UNSUPPORTED_SCRIPT, DropReason.UNSUPPORTED_SCRIPT),
        ("リビング light", DropReason.UNSUPPORTED_SCRIPT, DropReason.UNSUPPORTED_SCRIPT),
        # Symbols separate words; a name of symbols alone gives nothing.
        ("🚪 Front door", DropReason.ONE_SYLLABLE, DropReason.ONE_SYLLABLE),
        ("Wi-Fi Router", ("ROUTER",), ("ROUTER",)),
        ("Patio/Garden", ("PATIO", "GARDEN"), ("PATIO", "GARDEN")),
        ("客厅-灯", ("客厅灯",), DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("###", DropReason.NO_WORDS, DropReason.NO_WORDS),
        ("", DropReason.NO_WORDS, DropReason.NO_WORDS),
        ("灯", DropReason.ONE_SYLLABLE, DropReason.CHINESE_IN_ENGLISH_TABLE),
        # Length: 32 UTF-8 bytes, 10 Chinese characters.
        ("主卧室的床头柜上的灯", ("主卧室的床头柜上的灯",), DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("主卧室的床头柜上的小灯", DropReason.TOO_LONG, DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("主卧室的床头柜上的小灯 door", DropReason.TOO_LONG, DropReason.CHINESE_IN_ENGLISH_TABLE),
        ("Pneumonoultramicroscopicsilicovolcano", DropReason.TOO_LONG, DropReason.TOO_LONG),
        (
            "Garage 1234567",
            ("GARAGE",),
            ("GARAGE", "MILLION", "HUNDRED", "THIRTY", "THOUSAND", "SIXTY", "SEVEN"),
        ),
    ],
)
def test_name_to_words(
    name: str, mandarin: tuple[str, ...] | DropReason, english: tuple[str, ...] | DropReason
) -> None:
    assert name_to_words(name, MANDARIN) == mandarin
    assert name_to_words(name, ENGLISH) == english


@pytest.mark.parametrize(
    ("digits", "spoken"),
    [
        ("0", "零"),
        ("2", "二"),
        ("10", "十"),
        ("12", "十二"),
        ("20", "二十"),
        ("101", "一百零一"),
        ("110", "一百一十"),
        ("1001", "一千零一"),
        ("1010", "一千零一十"),
        ("10000", "一万"),
        ("10001", "一万零一"),
        ("10100", "一万零一百"),
        ("11000", "一万一千"),
        ("100000", "十万"),
        ("20000000", "二千万"),
        ("99999999", "九千九百九十九万九千九百九十九"),
        ("123456789", "一二三四五六七八九"),
        ("07", "零七"),
    ],
)
def test_chinese_numbers(digits: str, spoken: str) -> None:
    assert chinese_number(digits) == spoken


@pytest.mark.parametrize(
    ("digits", "spoken"),
    [
        ("0", "ZERO"),
        ("2", "TWO"),
        ("12", "TWELVE"),
        ("21", "TWENTY ONE"),
        ("40", "FORTY"),
        ("100", "ONE HUNDRED"),
        ("115", "ONE HUNDRED FIFTEEN"),
        ("10000", "TEN THOUSAND"),
        ("1234567", "ONE MILLION TWO HUNDRED THIRTY FOUR THOUSAND FIVE HUNDRED SIXTY SEVEN"),
        ("2000000000", "TWO BILLION"),
        ("1000000000000", "ONE ZERO ZERO ZERO ZERO ZERO ZERO ZERO ZERO ZERO ZERO ZERO ZERO"),
        ("05", "ZERO FIVE"),
    ],
)
def test_english_numbers(digits: str, spoken: str) -> None:
    assert " ".join(english_number(digits)) == spoken


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("ROOM", 1),
        ("LIGHT", 1),
        ("HUE", 1),
        ("THREE", 1),
        ("NINE", 1),
        ("TWELVE", 1),
        ("HOUSE", 1),
        ("YARD", 1),
        ("X", 1),
        ("TV", 2),
        ("TABLE", 2),
        ("GARAGE", 2),
        ("SEVEN", 2),
        ("HALLWAY", 2),
        ("ECOBEE", 3),
        ("ALEXA", 3),
        ("MY", 1),
        ("THE", 1),
    ],
)
def test_english_syllables(word: str, syllables: int) -> None:
    assert english_syllables(word) == syllables


@pytest.mark.parametrize(
    ("word", "language", "problem"),
    [
        ("ECOBEE", MANDARIN, None),
        ("ECOBEE恒温器", MANDARIN, None),
        ("客厅", MANDARIN, None),
        ("ROOM", ENGLISH, None),
        ("A" * MAX_WORD_BYTES, ENGLISH, None),
        ("客" * 10, MANDARIN, None),
        ("", MANDARIN, "empty"),
        ("客厅", ENGLISH, "no Chinese"),
        ("Ecobee", MANDARIN, "upper-case"),
        ("LIVING ROOM", ENGLISH, "upper-case"),
        ("ROOM2", ENGLISH, "upper-case"),
        ("ÉCOLE", ENGLISH, "upper-case"),
        ("ECOBEE/5", MANDARIN, "upper-case"),
        ("A" * (MAX_WORD_BYTES + 1), ENGLISH, "longer than 32 bytes"),
        ("客" * 11, MANDARIN, "longer than 32 bytes"),
    ],
)
def test_word_problem(word: str, language: TableLanguage, problem: str | None) -> None:
    found = word_problem(word, language)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_every_word_a_name_gives_is_valid() -> None:
    names = [
        "Living room 2",
        "客厅 灯",
        "Ecobee恒温器",
        "2楼卧室",
        "Garage 1234567",
        "40th",
        "\uff34\uff36",
    ]
    for language in TableLanguage:
        for name in names:
            words = name_to_words(name, language)
            if isinstance(words, tuple):
                assert all(word_problem(word, language) is None for word in words), name


def test_chinese_characters() -> None:
    assert is_chinese_character("客")
    assert is_chinese_character("\U00020000")  # extension B
    assert not is_chinese_character("\u3007")  # ideographic zero
    assert not is_chinese_character("リ")
    assert not is_chinese_character("A")


def test_word_list_is_deduplicated_in_a_stable_order_with_reasons() -> None:
    names = [
        "Living room 2",
        "Living room",
        "客厅 灯",
        "Ecobee恒温器",
        "Kid's room",
        "living ROOM",
        "客厅 灯",
        "###",
        "Kid's room",
    ]
    mandarin = build_word_list(names, MANDARIN)
    assert mandarin.words == ("LIVING", "客厅灯", "ECOBEE恒温器")
    assert mandarin.dropped == (
        DroppedName("Kid's room", DropReason.ONE_SYLLABLE),
        DroppedName("###", DropReason.NO_WORDS),
    )
    english = build_word_list(names, ENGLISH)
    assert english.words == ("LIVING",)
    assert english.dropped == (
        DroppedName("客厅 灯", DropReason.CHINESE_IN_ENGLISH_TABLE),
        DroppedName("Ecobee恒温器", DropReason.CHINESE_IN_ENGLISH_TABLE),
        DroppedName("Kid's room", DropReason.ONE_SYLLABLE),
        DroppedName("###", DropReason.NO_WORDS),
    )


def test_word_list_reports_names_that_do_not_fit() -> None:
    result = build_word_list(
        ["Garage", "Kitchen Garage", "Hallway Kitchen", "Bathroom"], ENGLISH, max_words=2
    )
    assert result.words == ("GARAGE", "KITCHEN")
    assert result.dropped == (
        DroppedName("Hallway Kitchen", DropReason.TABLE_FULL),
        DroppedName("Bathroom", DropReason.TABLE_FULL),
    )


def test_word_list_from_words_kept_by_the_caller() -> None:
    names = ["Living room 2", "Ecobee恒温器", "###", "Garage"]
    kept = {name: name_to_words(name, MANDARIN) for name in names}
    asked: list[str] = []

    def words_of(name: str) -> tuple[str, ...] | DropReason:
        asked.append(name)
        return kept[name]

    assert build_word_list(names, MANDARIN, words_of=words_of) == build_word_list(names, MANDARIN)
    assert asked == names
    fixed = build_word_list(["a", "b"], ENGLISH, words_of=lambda name: ("KEPT",))
    assert fixed.words == ("KEPT",)  # what the caller kept is taken as it is


def test_very_long_names_are_refused_whole() -> None:
    assert name_to_words("客" * 100_000, MANDARIN) is DropReason.TOO_LONG
    assert name_to_words("Garage " + "A" * 100_000, ENGLISH) == ("GARAGE",)


def test_a_large_home_fills_the_table_and_reports_the_rest() -> None:
    names = [f"Sensor {number} 传感器" for number in range(2000)] + [
        f"Device {number}" for number in range(2000)
    ]
    result = build_word_list(names, MANDARIN)
    assert len(result.words) == MAX_WORDS_PER_TABLE
    assert len(set(result.words)) == len(result.words)
    assert result.words[:2] == ("SENSOR", "零传感器")
    assert {dropped.reason for dropped in result.dropped} == {DropReason.TABLE_FULL}
    assert len(result.dropped) == len(names) - (MAX_WORDS_PER_TABLE - 1)


@pytest.mark.parametrize(
    ("model", "language"),
    [
        ("chinese_16k_general", MANDARIN),
        ("chinese_8k_common", MANDARIN),
        ("shanghai_16k_common", MANDARIN),
        ("english_16k_general", ENGLISH),
        ("cantonese_16k_common", None),
        ("sichuan_16k_common", None),
        ("arabic_16k_general", None),
    ],
)
def test_table_language_of_a_model(model: str, language: TableLanguage | None) -> None:
    assert table_language_for_model(model) is language


def test_table_languages_of_a_region() -> None:
    assert region("cn-north-4").table_languages == (MANDARIN, ENGLISH)
    assert region("cn-east-3").table_languages == (MANDARIN, ENGLISH)
    assert region("ap-southeast-3").table_languages == (MANDARIN,)
    assert region("me-east-1").table_languages == (MANDARIN,)
    assert region(None).table_languages == (MANDARIN, ENGLISH)
