"""Spoken commands for answering before the silence ends, in English and Mandarin.

Each utterance is what a user says to a voice satellite, word by word with its
timing, and the command they finished (what Huawei's final result says). The
local server plays it back as a streaming recogniser hears it
(`tests/sis_server`: spoken speech): every word is in the interim results
250 ms after it ends, and a `Revision` makes the recogniser show a text
differently for a while first, as real recognisers revise what they heard.
`tests/corpus/home.py` is the home the commands are said in.

The kinds of command it holds:

- plain commands;
- names that begin longer names ("kitchen light" and "kitchen light strip",
  台灯 and 台灯带), said either way, sometimes with a hesitation before the
  rest of the name;
- numbers said slowly: a pause after "twenty", "二十";
- a command followed, after a pause of 0.3 to 0.6 s (shorter than the silence
  Home Assistant waits for), by words the grammar cannot take ("turn on the
  kitchen light ... and the fan"): each phrase at two of the pause lengths;
- questions that begin like a command ("打开台灯带了吗", "what time is it in
  Tokyo").

An utterance is written as a script: English words, or Mandarin characters,
each said for a duration of its own (English: 80 ms and 50 ms a letter,
Mandarin: 220 ms a character, both times the utterance's pace), and `(450)`
for a pause of 450 ms. An early answer is right when its text is the command,
or one of `also_right` (the command without words Assist skips, "please",
"谢谢"): Assist then does what the user asked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
import re
import string
from typing import Final

from tests.sis_server.speech import synthesize_spoken

ENGLISH: Final = "en"
MANDARIN: Final = "zh-CN"
STT_LANGUAGE: Final = {ENGLISH: "en-US", MANDARIN: "zh-CN"}
"""The speech-to-text language of each conversation language."""
PACES: Final = (1.0, 0.9, 1.15)
"""Utterances are said at these paces in turn (a duration factor: larger is slower)."""
_PAUSE: Final = re.compile(r"^\((\d+)\)$")


class Kind(StrEnum):
    """The kinds of case the issue names."""

    PLAIN = "plain command"
    PREFIX_NAME = "name that begins a longer name"
    SLOW_NUMBER = "number said slowly"
    WORDS_AFTER = "words after a pause"
    QUESTION = "question that begins like a command"


@dataclass(frozen=True, slots=True)
class Word:
    """One word said: its text and when, in ms from the start of speech."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class Revision:
    """The recogniser first shows the interim text `heard` as `shown`, for `for_ms` ms."""

    heard: str
    shown: str
    for_ms: int


@dataclass(frozen=True, slots=True)
class Spoken:
    """One utterance of the corpus."""

    name: str
    kind: Kind
    language: str
    """The conversation language ("en" or "zh-CN"); `stt_language` is the recogniser's."""
    words: tuple[Word, ...]
    command: str
    """The command the user finished: the whole utterance, as the final result says it."""
    revisions: tuple[Revision, ...] = ()
    also_right: tuple[str, ...] = ()
    """Shorter texts Assist acts on as on the command (it skips the words after them)."""

    @property
    def stt_language(self) -> str:
        """The language tag of the speech-to-text request."""
        return STT_LANGUAGE[self.language]

    @property
    def end_ms(self) -> int:
        """The end of speech: when the last word ends, from the start of speech."""
        return self.words[-1].end_ms

    @property
    def pause_ms(self) -> int:
        """The longest pause between two words (0 when the utterance is said in one go)."""
        gaps = [b.start_ms - a.end_ms for a, b in zip(self.words, self.words[1:], strict=False)]
        return max(gaps, default=0)

    @property
    def before_pause(self) -> str:
        """What was said before the longest pause (the whole text if there is none)."""
        if not self.pause_ms:
            return self.command
        for index in range(1, len(self.words)):
            if self.words[index].start_ms - self.words[index - 1].end_ms == self.pause_ms:
                return join_words([word.text for word in self.words[:index]])
        raise AssertionError  # pragma: no cover - the longest pause is between two words

    def pcm(self, *, lead_ms: int = 0, tail_ms: int = 0, sample_rate: int = 16000) -> bytes:
        """The utterance as spoken speech the local server recognises, with silence around it."""
        words = [(word.text, word.start_ms + lead_ms, word.end_ms + lead_ms) for word in self.words]
        return synthesize_spoken(words, sample_rate=sample_rate, tail_ms=tail_ms)

    def shown_texts(self) -> list[str]:
        """The interim texts a streaming recogniser shows, in order, without their timing.

        The words heard after each word, a revised text first where there is one.
        """
        revised = {revision.heard: revision.shown for revision in self.revisions}
        texts: list[str] = []
        for end in range(1, len(self.words) + 1):
            heard = join_words([word.text for word in self.words[:end]])
            texts += [revised[heard], heard] if heard in revised else [heard]
        return texts

    def is_right(self, text: str) -> bool:
        """Whether `text` is the command (or one Assist treats the same), said any way."""
        said = normalise(text)
        return said in {normalise(self.command), *map(normalise, self.also_right)}


def join_words(words: list[str]) -> str:
    """Words as a recogniser writes them: spaces between words, none between characters."""
    text = ""
    for word in words:
        text += word if not text or (_han(text[-1]) and _han(word[0])) else " " + word
    return text


def _han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def normalise(text: str) -> str:
    """A text without case, punctuation or spaces between Chinese characters, for comparing."""
    kept = "".join(c for c in text.lower() if c not in string.punctuation and c not in "，。？！")
    return join_words(kept.split())


def say(
    name: str,
    kind: Kind,
    language: str,
    script: str,
    *,
    pace: float = 1.0,
    revise: dict[str, tuple[str, int]] | None = None,
    also_right: tuple[str, ...] = (),
) -> Spoken:
    """Make an utterance from its script (see the module's docstring)."""
    words: list[Word] = []
    clock = 0
    for token in script.split():
        if match := _PAUSE.match(token):
            clock += int(match.group(1))
            continue
        pieces = [token] if language == ENGLISH else list(token)
        for piece in pieces:
            base = 80 + 50 * len(piece) if language == ENGLISH else 220
            length = round(base * pace / 10) * 10
            words.append(Word(piece, clock, clock + length))
            clock += length
    revisions = tuple(Revision(heard, shown, ms) for heard, (shown, ms) in (revise or {}).items())
    command = join_words([word.text for word in words])
    return Spoken(name, kind, language, tuple(words), command, revisions, also_right)


def _corpus() -> tuple[Spoken, ...]:
    made: list[Spoken] = []

    def add(
        kind: Kind,
        language: str,
        script: str,
        *,
        revise: dict[str, tuple[str, int]] | None = None,
        also_right: tuple[str, ...] = (),
    ) -> None:
        number = sum(1 for spoken in made if (spoken.kind, spoken.language) == (kind, language))
        name = f"{language}-{kind.name.lower().replace('_', '-')}-{number + 1:02}"
        pace = PACES[len(made) % len(PACES)]
        made.append(
            say(name, kind, language, script, pace=pace, revise=revise, also_right=also_right)
        )

    plain, prefix, number, after, question = Kind
    en, zh = ENGLISH, MANDARIN

    attic = {"turn off the attic": ("turn off the addict", 300)}
    add(plain, en, "turn off the attic light", revise=attic)
    add(plain, en, "open the garage door")
    add(plain, en, "close the blinds")
    add(plain, en, "turn on the porch lamp")
    add(plain, en, "turn on the book light")
    add(plain, en, "turn on the lights in the bedroom")
    add(plain, en, "what time is it")
    # A recogniser may show another complete command for a moment: "on" for "off".
    add(plain, en, "turn off the fan", revise={"turn off the fan": ("turn on the fan", 200)})
    add(plain, zh, "打开客厅的灯")
    add(plain, zh, "打开吊灯", revise={"打开吊": ("打开掉", 250)})
    add(plain, zh, "关闭窗帘")
    add(plain, zh, "打开车库门")
    add(plain, zh, "打开大灯")
    add(plain, zh, "现在几点")
    add(plain, zh, "今天几号")
    add(plain, zh, "台灯开着吗")

    add(prefix, en, "turn on the kitchen light strip")
    add(prefix, en, "turn off the kitchen light strip")
    add(prefix, en, "turn on the ceiling fan light")
    add(prefix, en, "turn on the kitchen light (300) strip")
    add(prefix, en, "turn off the ceiling fan (400) light")
    add(prefix, en, "turn on the kitchen light")
    add(prefix, en, "turn off the ceiling fan")
    add(prefix, en, "turn off the kitchen light")
    add(prefix, zh, "打开台灯带")
    add(prefix, zh, "关闭台灯带", revise={"关闭台": ("关闭抬", 250)})
    add(prefix, zh, "打开卧室灯带")
    add(prefix, zh, "打开风扇灯")
    add(prefix, zh, "打开空调扇")
    add(prefix, zh, "打开台灯 (350) 带")
    add(prefix, zh, "打开台灯")
    add(prefix, zh, "关闭风扇")

    add(number, en, "set the thermostat to twenty (500) two degrees")
    # "percent" is not needed: Assist sets the same position without it.
    blinds = ("set the blinds to thirty five",)
    add(number, en, "set the blinds to thirty (400) five percent", also_right=blinds)
    add(number, en, "set the porch lamp brightness to forty (600) five")
    brightness = ("set the kitchen light brightness to fifty five",)
    add(
        number,
        en,
        "set the kitchen light brightness to fifty (450) five percent",
        also_right=brightness,
    )
    add(number, en, "set the thermostat to twenty two (400) degrees")
    # "thirty five" is first heard as another number Assist would act on.
    add(
        number,
        en,
        "set the blinds to thirty five percent",
        revise={"set the blinds to thirty five": ("set the blinds to thirty nine", 200)},
        also_right=blinds,
    )
    add(number, zh, "把空调的温度调到二十 (500) 六度")
    add(number, zh, "把空调温度调到二十六 (400) 度")
    add(number, zh, "把台灯的亮度调到五十 (600) 五")
    add(number, zh, "把台灯亮度调到百分之五十 (450) 五")
    add(number, zh, "把空调的温度调到二十 (300) 六度")
    add(number, zh, "把台灯的亮度调到三十 (400) 五")

    english_after = (
        ("turn on the kitchen light strip", "and the fan", ()),
        ("turn off the attic light", "and the fan", ()),
        ("turn on the porch lamp", "in five minutes", ()),
        ("open the garage door", "and turn on the porch lamp", ()),
        ("turn off the fan", "please", ("turn off the fan",)),
        ("turn on the book light", "thanks", ("turn on the book light",)),
    )
    mandarin_after = (
        ("打开台灯带", "和风扇灯", ()),
        ("打开车库门", "然后关闭窗帘", ()),
        ("关闭台灯带", "吧", ()),
        ("打开吊灯", "谢谢", ("打开吊灯",)),
        ("打开客厅的灯", "还有风扇灯", ()),
        ("关闭窗帘", "五分钟后", ()),
    )
    # Each phrase at two pause lengths: every length of 300-600 ms six times in all.
    for language, phrases in ((en, english_after), (zh, mandarin_after)):
        for index, (command, words, right) in enumerate(phrases):
            for pause in (300, 500) if index % 2 == 0 else (400, 600):
                add(after, language, f"{command} ({pause}) {words}", also_right=right)

    add(question, en, "what time is it in tokyo")
    add(question, en, "what time is it in new york")
    add(question, en, "what is the date next monday")
    add(question, en, "what is the date tomorrow")
    add(question, en, "is the fan on or off")
    add(question, en, "is the garage door open or closed")
    add(question, zh, "打开台灯带了吗")
    add(question, zh, "打开车库门了吗")
    add(question, zh, "打开客厅的灯了吗")
    add(question, zh, "关闭窗帘了没有")
    add(question, zh, "打开吊灯了没有")
    add(question, zh, "台灯开着吗还是关着")
    return tuple(made)


CORPUS: Final = _corpus()
"""Every utterance, in a stable order."""


def counts() -> Counter[tuple[Kind, str]]:
    """How many utterances there are of each kind, per language."""
    return Counter((spoken.kind, spoken.language) for spoken in CORPUS)
