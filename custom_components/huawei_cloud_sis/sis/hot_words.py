"""What the names of a home become in a hot-word table, by the service's word rules.

Pure functions, no I/O. Huawei's rules for a table word (API reference
"创建热词表", user manual on hot words):

- "单个热词只能由英文字母和unicode编码的汉字组成" ... "不能有其他符号" ... "包括空格":
  a word holds only English letters and Chinese characters; no other symbol,
  spaces included.
- "阿拉伯数字需写成汉字或英文": numbers are spelled out, in Chinese characters or in
  English.
- English is written in upper case, and one-syllable English words are best
  avoided (user manual).
- "支持中英混编热词": a Mandarin table may hold English words; an English table
  holds no Chinese.

How a name is turned into words (the choices this module makes):

1. The name is normalised (NFKC: full-width letters and digits become ASCII,
   the ideographic space a space). Latin letters lose their accents and are
   upper-cased ("Café" is CAFE); apostrophes vanish ("Kid's" is KIDS). Letters
   of other scripts (Cyrillic, kana, Hangul...) cannot be written in a table:
   such a name gives no word at all, rather than a word that is not what is
   said.
2. Numbers are spelled out in the table's language. Mandarin reads them as
   Chinese numbers ("2楼" is 二楼, 12 is 十二, 101 is 一百零一); English as English
   words (2 is TWO, 12 is TWELVE, 21 is TWENTY ONE). "2nd" is 第二 or SECOND. A
   number with a leading zero ("007") or too long to read as one number is read
   digit by digit.
3. Spaces and symbols between two Chinese parts (characters or a Mandarin
   number) are removed: "客厅 灯" is 客厅灯. Anywhere else they separate words,
   so every English word is an entry of its own ("Living room" is LIVING and
   ROOM): a word may not contain a space, and English words written together
   would not be said that way. In an English table every number word is an
   entry too. Letters and Chinese characters written next to each other stay
   one word ("Ecobee恒温器" is ECOBEE恒温器 in a Mandarin table).
4. An entry of one syllable is left out: a single Chinese character, or an
   English word with one vowel group (A, E, I, O, U, and Y after the first
   letter; a final silent E does not count; a word without vowels is read
   letter by letter, so TV has two). ROOM, LIGHT, KIDS, TWO and TWELVE go;
   LIVING, GARAGE, ECOBEE and SEVEN stay. Such words are common enough to be
   recognised anyway, and the manual advises against them.
5. An entry longer than `MAX_WORD_BYTES` is left out (it is not shortened: a
   cut word is not what is said).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby
from operator import itemgetter
from typing import Final
import unicodedata


class TableLanguage(StrEnum):
    """The language of a hot-word table (its `language` field)."""

    CHINESE_MANDARIN = "chinese_mandarin"
    ENGLISH = "english"


MAX_WORDS_PER_TABLE: Final = 1024
"""Words in one table.

The current API page allows 10,000 words; the 2021 page and Huawei's SDK model
say 1,024. A list within 1,024 words is accepted under both readings.
"""
MAX_WORD_BYTES: Final = 32
"""Length of one word, in UTF-8 bytes: 32 letters, or 10 Chinese characters.

The current API page allows 32 Chinese characters or 64 English letters; the
2021 page and Huawei's SDK model say 32 bytes ("单个热词长度上限32字节"). UTF-8
(three bytes per Chinese character) is how the word travels in the JSON body
and the strictest count, so a word within 32 UTF-8 bytes passes every reading.
"""


def table_language_for_model(model: str) -> TableLanguage | None:
    """Return the table language a model takes, None for a model that takes no table.

    Cantonese, Sichuanese and Arabic take no table; the other Chinese models
    (Shanghainese included) take Mandarin tables, English models English ones.
    """
    if model.startswith(("chinese_", "shanghai_")):
        return TableLanguage.CHINESE_MANDARIN
    if model.startswith("english_"):
        return TableLanguage.ENGLISH
    return None


class DropReason(StrEnum):
    """Why a name gives no word for the table."""

    NO_WORDS = "no_words"
    """No letter, Chinese character or digit in it."""
    UNSUPPORTED_SCRIPT = "unsupported_script"
    """It holds letters that are neither Latin nor Chinese."""
    CHINESE_IN_ENGLISH_TABLE = "chinese_in_english_table"
    """It holds Chinese characters and the table is English."""
    TOO_LONG = "too_long"
    """Its words are longer than `MAX_WORD_BYTES`."""
    ONE_SYLLABLE = "one_syllable"
    """All of its words have one syllable."""
    TABLE_FULL = "table_full"
    """Its words did not fit into the table any more."""


@dataclass(frozen=True, slots=True)
class DroppedName:
    """A name that is not (wholly) in the table, and why."""

    name: str
    reason: DropReason


@dataclass(frozen=True, slots=True)
class WordList:
    """The words of a table built from names, and the names left out."""

    words: tuple[str, ...]
    dropped: tuple[DroppedName, ...]


_LATIN_SPECIAL: Final = {"Æ": "AE", "Ø": "O", "Œ": "OE", "Ł": "L", "Đ": "D", "Þ": "TH", "Ð": "D"}
"""Upper-case Latin letters without a decomposition, and how they are written."""
_APOSTROPHES: Final = frozenset("'`\u2019\u02bc\u00b4")
_VOWELS: Final = frozenset("AEIOUY")
_CHINESE_DIGITS: Final = "零一二三四五六七八九"
_CHINESE_UNITS: Final = ((1000, "千"), (100, "百"), (10, "十"))
_ENGLISH_ONES: Final = (
    *("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"),
    *("TEN", "ELEVEN", "TWELVE", "THIRTEEN", "FOURTEEN", "FIFTEEN", "SIXTEEN"),
    *("SEVENTEEN", "EIGHTEEN", "NINETEEN"),
)
_ENGLISH_TENS: Final = (
    *("", "", "TWENTY", "THIRTY", "FORTY", "FIFTY", "SIXTY", "SEVENTY", "EIGHTY", "NINETY"),
)
_ORDINAL_SUFFIXES: Final = frozenset({"ST", "ND", "RD", "TH"})
_ORDINALS: Final = {
    "ONE": "FIRST",
    "TWO": "SECOND",
    "THREE": "THIRD",
    "FIVE": "FIFTH",
    "EIGHT": "EIGHTH",
    "NINE": "NINTH",
    "TWELVE": "TWELFTH",
}
_ENGLISH_SCALES: Final = ((10**9, "BILLION"), (10**6, "MILLION"), (1000, "THOUSAND"))
_MAX_CHINESE_DIGITS: Final = 8
"""Longer numbers are read digit by digit in Mandarin (up to 九千九百九十九万...)."""
_MAX_ENGLISH_DIGITS: Final = 12
"""Longer numbers are read digit by digit in English (up to billions)."""

# Token kinds.
_HAN: Final = "han"
_LATIN: Final = "latin"
_DIGITS: Final = "digits"


def is_chinese_character(char: str) -> bool:
    """Whether `char` is a Chinese character (a CJK unified ideograph, any extension)."""
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


def _latin(char: str) -> str | None:
    """Return the upper-case ASCII letters of a Latin letter, None for any other character."""
    upper = char.upper()
    if upper in _LATIN_SPECIAL:
        return _LATIN_SPECIAL[upper]
    base = "".join(c for c in unicodedata.normalize("NFKD", upper) if not unicodedata.combining(c))
    return base if base and base.isascii() and base.isalpha() else None


def _chinese_below_10000(number: int) -> str:
    text, gap = "", False
    for value, unit in _CHINESE_UNITS:
        digit, number = divmod(number, value)
        if digit:
            text += ("零" if gap else "") + _CHINESE_DIGITS[digit] + unit
            gap = False
        elif text:
            gap = True
    if number:
        text += ("零" if gap else "") + _CHINESE_DIGITS[number]
    return text


def chinese_number(digits: str) -> str:
    """Read a string of ASCII digits as Mandarin speaks it: "12" is 十二, "2" is 二."""
    if (len(digits) > 1 and digits[0] == "0") or len(digits) > _MAX_CHINESE_DIGITS:
        return "".join(_CHINESE_DIGITS[int(digit)] for digit in digits)
    number = int(digits)
    if number == 0:
        return _CHINESE_DIGITS[0]
    high, low = divmod(number, 10000)
    text = _chinese_below_10000(high) + "万" if high else ""
    if low:
        text += ("零" if high and low < 1000 else "") + _chinese_below_10000(low)
    # Ten to nineteen, and a leading ten thousand-fold of them, drop the "one": 十二, 十万.
    return text[1:] if text.startswith("一十") else text


def _english_below_1000(number: int) -> list[str]:
    hundreds, rest = divmod(number, 100)
    words = [_ENGLISH_ONES[hundreds], "HUNDRED"] if hundreds else []
    if rest >= 20:
        words.append(_ENGLISH_TENS[rest // 10])
        rest %= 10
    if rest:
        words.append(_ENGLISH_ONES[rest])
    return words


def english_number(digits: str) -> list[str]:
    """Read a string of ASCII digits as English words: "12" is TWELVE, "21" TWENTY ONE."""
    if (len(digits) > 1 and digits[0] == "0") or len(digits) > _MAX_ENGLISH_DIGITS:
        return [_ENGLISH_ONES[int(digit)] for digit in digits]
    number = int(digits)
    if number == 0:
        return [_ENGLISH_ONES[0]]
    words: list[str] = []
    for scale, name in _ENGLISH_SCALES:
        count, number = divmod(number, scale)
        if count:
            words += [*_english_below_1000(count), name]
    return words + _english_below_1000(number)


def english_syllables(word: str) -> int:
    """Estimate the syllables of an upper-case English word (see rule 4 of the module)."""
    if not any(char in _VOWELS for char in word):
        return len(word)
    groups, previous = 0, False
    for index, char in enumerate(word):
        vowel = char in _VOWELS and (char != "Y" or index > 0)
        if vowel and not previous:
            groups += 1
        previous = vowel
    silent_e = (
        len(word) > 2 and word[-1] == "E" and word[-2] not in _VOWELS and not word.endswith("LE")
    )
    return groups - 1 if silent_e and groups > 1 else groups


type _Token = tuple[str, str, bool]
"""(kind, text, separated from the token before by a space or symbol)."""


def _tokens(name: str) -> list[_Token] | DropReason:
    """Split a name into runs of Chinese characters, Latin letters and digits."""
    pieces: list[tuple[str, str]] = []  # (kind, text); a space or symbol has no kind
    for char in unicodedata.normalize("NFKC", name):
        if char in _APOSTROPHES or unicodedata.combining(char):
            continue
        if is_chinese_character(char):
            pieces.append((_HAN, char))
        elif (digit := unicodedata.decimal(char, None)) is not None:
            pieces.append((_DIGITS, str(digit)))
        elif char.isalpha():
            latin = _latin(char)
            if latin is None:
                return DropReason.UNSUPPORTED_SCRIPT
            pieces.append((_LATIN, latin))
        else:
            pieces.append(("", char))
    tokens: list[_Token] = []
    gap = False
    for kind, run in groupby(pieces, key=itemgetter(0)):
        if not kind:
            gap = True
            continue
        tokens.append((kind, "".join(text for _, text in run), gap and bool(tokens)))
        gap = False
    return tokens


def _ordinal(word: str) -> str:
    """Return the ordinal of an English number word: TWO is SECOND, TWENTY TWENTIETH."""
    if word in _ORDINALS:
        return _ORDINALS[word]
    return word[:-1] + "IETH" if word.endswith("Y") else word + "TH"


def _spell_numbers(tokens: list[_Token], language: TableLanguage) -> list[_Token]:
    """Replace every run of digits by its words in the table's language."""
    spelled: list[_Token] = []
    index = 0
    while index < len(tokens):
        kind, text, gap = tokens[index]
        index += 1
        if kind != _DIGITS:
            spelled.append((kind, text, gap))
            continue
        ordinal = (
            index < len(tokens) and tokens[index][1] in _ORDINAL_SUFFIXES and not tokens[index][2]
        )
        if ordinal:
            index += 1
        if language is TableLanguage.CHINESE_MANDARIN:
            spelled.append((_HAN, ("第" if ordinal else "") + chinese_number(text), gap))
            continue
        words = english_number(text)
        if ordinal:
            words[-1] = _ordinal(words[-1])  # 2nd is SECOND
        # Every English number word is a word of its own, and so is what follows it.
        spelled.extend((_LATIN, word, True) for word in words)
        if index < len(tokens):
            tokens[index] = (tokens[index][0], tokens[index][1], True)
    return spelled


def _entries(tokens: list[_Token]) -> list[str]:
    """Join tokens into table entries (rule 3 of the module)."""
    entries: list[str] = []
    previous = ""
    for kind, text, gap in tokens:
        if entries and (not gap or (kind == _HAN and previous == _HAN)):
            entries[-1] += text
        else:
            entries.append(text)
        previous = kind
    return entries


def _entry_problem(entry: str) -> DropReason | None:
    if len(entry.encode()) > MAX_WORD_BYTES:
        return DropReason.TOO_LONG
    short = english_syllables(entry) < 2 if entry.isascii() else len(entry) == 1
    return DropReason.ONE_SYLLABLE if short else None


def name_to_words(name: str, language: TableLanguage) -> tuple[str, ...] | DropReason:
    """Return the words a name becomes in a table of `language` (each once), or why it gives none.

    Examples (Mandarin / English table): "Living room 2" gives LIVING / LIVING;
    "客厅 灯" gives 客厅灯 / CHINESE_IN_ENGLISH_TABLE; "Ecobee恒温器" gives
    ECOBEE恒温器 / CHINESE_IN_ENGLISH_TABLE; "2楼卧室" gives 二楼卧室; "Kid's room"
    gives ONE_SYLLABLE (KIDS and ROOM are one syllable each).
    """
    tokens = _tokens(name)
    if isinstance(tokens, DropReason):
        return tokens
    if language is TableLanguage.ENGLISH and any(kind == _HAN for kind, _, _ in tokens):
        return DropReason.CHINESE_IN_ENGLISH_TABLE
    words: list[str] = []
    problems: set[DropReason] = set()
    for entry in _entries(_spell_numbers(tokens, language)):
        if problem := _entry_problem(entry):
            problems.add(problem)
        else:
            words.append(entry)
    if words:
        return tuple(dict.fromkeys(words))
    if DropReason.TOO_LONG in problems:
        return DropReason.TOO_LONG
    return DropReason.ONE_SYLLABLE if problems else DropReason.NO_WORDS


def word_problem(word: str, language: TableLanguage) -> str | None:
    """Say why the service refuses `word` in a table of `language`; None when it is valid.

    Only the service's rules are checked (characters, case, length); a
    one-syllable word is valid, merely unhelpful.
    """
    if not word:
        return "a hot word cannot be empty"
    for char in word:
        if is_chinese_character(char):
            if language is TableLanguage.ENGLISH:
                return f"{word!r}: an English table holds no Chinese characters"
        elif not ("A" <= char <= "Z"):
            return f"{word!r}: only upper-case English letters and Chinese characters are allowed"
    if len(word.encode()) > MAX_WORD_BYTES:
        return f"{word!r}: longer than {MAX_WORD_BYTES} bytes"
    return None


def build_word_list(
    names: Iterable[str],
    language: TableLanguage,
    *,
    max_words: int = MAX_WORDS_PER_TABLE,
    words_of: Callable[[str], tuple[str, ...] | DropReason] | None = None,
) -> WordList:
    """Turn names into the word list of a table of `language`.

    Words appear once, in the order their names first give them. A name that
    gives no word is reported with its reason; so is a name with a word that
    did not fit within `max_words`. Each name is reported once. Runs in time
    linear in the total length of the names.

    `words_of` gives what one name becomes (`name_to_words` in `language`
    unless given): turning names into words is the costly part, so a caller
    that builds often may keep what earlier names became and pass it here.
    """
    words: dict[str, None] = {}
    dropped: dict[str, DropReason] = {}
    seen: set[str] = set()
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        result = name_to_words(name, language) if words_of is None else words_of(name)
        if isinstance(result, DropReason):
            dropped[name] = result
            continue
        for word in result:
            if word in words:
                continue
            if len(words) >= max_words:
                dropped[name] = DropReason.TABLE_FULL
                continue
            words[word] = None
    return WordList(
        words=tuple(words),
        dropped=tuple(DroppedName(name, reason) for name, reason in dropped.items()),
    )
