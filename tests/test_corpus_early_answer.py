"""The spoken corpus (tests/corpus/): it holds what it says it holds.

Each utterance is recognised by the local server as its command, and Home
Assistant's own matcher, in the corpus's home, reads each kind as the kind
says: a plain command is complete, a name said before a longer one waits, and
so on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

from awesomeversion import AwesomeVersion
from homeassistant.components import conversation
from homeassistant.const import __version__ as ha_version
from homeassistant.core import Context, HomeAssistant
import pytest

from custom_components.huawei_cloud_sis.command_check import CommandChecker, Growth, Status
from tests.corpus.early_answer import (
    CORPUS,
    ENGLISH,
    MANDARIN,
    Kind,
    Spoken,
    counts,
    join_words,
    normalise,
    say,
)
from tests.corpus.home import async_setup_home
from tests.helpers.raw_client import Connect, finals

MODEL = {ENGLISH: "english_16k_general", MANDARIN: "chinese_16k_general"}
OLD_SENTENCES = AwesomeVersion(ha_version) < AwesomeVersion("2026.10.0")
NOT_IN_OLD_SENTENCES = frozenset(
    {"zh-CN-prefix-name-04", "zh-CN-prefix-name-05", "zh-CN-prefix-name-08", "zh-CN-slow-number-02"}
)
"""Home Assistant 2026.5's Mandarin sentences turn no fan on or off and do not take
"把空调温度调到...": there these utterances (or their shorter name) are no command."""


@pytest.fixture
async def checker(hass: HomeAssistant) -> AsyncIterator[CommandChecker]:
    """The command check in the corpus's home."""
    await async_setup_home(hass)
    checker = CommandChecker(hass)
    stop = checker.async_start()
    yield checker
    stop()


def _prefixes(spoken: Spoken) -> list[str]:
    """What was said after each word, as a recogniser writes it."""
    return [join_words([w.text for w in spoken.words[:end]]) for end in range(1, len(spoken.words))]


def test_the_corpus_has_every_kind_in_both_languages() -> None:
    assert len(CORPUS) >= 60
    assert len({spoken.name for spoken in CORPUS}) == len(CORPUS)
    sizes = counts()
    for kind in Kind:
        assert sizes[kind, ENGLISH] >= 6
        assert sizes[kind, MANDARIN] >= 6
    pauses = Counter(s.pause_ms for s in CORPUS if s.kind is Kind.WORDS_AFTER)
    assert pauses == {300: 6, 400: 6, 500: 6, 600: 6}


def test_utterances_are_said_with_timing() -> None:
    for spoken in CORPUS:
        assert spoken.words[0].start_ms == 0
        for before, word in zip(spoken.words, spoken.words[1:], strict=False):
            assert before.end_ms <= word.start_ms, spoken.name
        # Home Assistant waits 0.7 s of silence: every pause is shorter.
        assert spoken.pause_ms < 700
        assert 700 <= spoken.end_ms <= 4500, spoken.name


def test_a_script_becomes_words_with_durations() -> None:
    spoken = say("x", Kind.WORDS_AFTER, ENGLISH, "turn on (400) now", pace=0.9)
    assert [(w.text, w.start_ms, w.end_ms) for w in spoken.words] == [
        ("turn", 0, 250),
        ("on", 250, 410),
        ("now", 810, 1020),
    ]
    assert (spoken.command, spoken.pause_ms, spoken.before_pause) == ("turn on now", 400, "turn on")
    mandarin = say("y", Kind.PLAIN, MANDARIN, "打开 (300) 灯")
    assert [w.text for w in mandarin.words] == ["打", "开", "灯"]
    assert (mandarin.command, mandarin.end_ms, mandarin.stt_language) == ("打开灯", 960, "zh-CN")
    assert say("z", Kind.PLAIN, ENGLISH, "hi").before_pause == "hi"


def test_an_early_text_is_right_when_assist_acts_the_same() -> None:
    please = next(s for s in CORPUS if s.command == "turn off the fan please")
    assert please.is_right("Turn off the fan, please.")
    assert please.is_right("turn off the fan")
    assert not please.is_right("turn on the fan")
    question = next(s for s in CORPUS if s.command == "打开台灯带了吗")
    assert question.is_right("打开台灯带了吗？")
    assert not question.is_right("打开台灯带")
    assert normalise("打开 台灯带，谢谢") == "打开台灯带谢谢"


@pytest.mark.parametrize("mode", ["short-stream", "continue-stream"])
async def test_the_local_server_hears_each_command(connect: Connect, mode: str) -> None:
    client = await connect(mode)
    for spoken in CORPUS:
        await client.start(property=MODEL[spoken.language])
        await client.audio(spoken.pcm(lead_ms=200, tail_ms=300), frame=3200)
        await client.end()
        # A pause longer than the mode's sentence gap ends a sentence: the texts are joined.
        assert join_words(finals(await client.until("END"))) == spoken.command, spoken.name


async def test_the_matcher_reads_each_kind_as_the_corpus_says(checker: CommandChecker) -> None:
    for spoken in CORPUS:
        whole = await checker.async_check(spoken.language, spoken.command)
        before = await checker.async_check(spoken.language, spoken.before_pause)
        beginnings = [await checker.async_check(spoken.language, t) for t in _prefixes(spoken)]
        if OLD_SENTENCES and spoken.name in NOT_IN_OLD_SENTENCES:
            assert not any(v.early for v in beginnings), spoken.name
            continue
        match spoken.kind:
            case Kind.PLAIN:
                assert whole.early, spoken.name
            case Kind.PREFIX_NAME:
                # The shorter name makes Assist wait, whether the longer one follows or not.
                assert any(v.growth is Growth.NAME for v in [*beginnings, whole]), spoken.name
                assert whole.early or whole.growth is Growth.NAME, spoken.name
            case Kind.SLOW_NUMBER:
                assert whole.early, spoken.name
                assert before.growth is Growth.NUMBER or not spoken.pause_ms, spoken.name
            case Kind.WORDS_AFTER:
                # What came before the pause is a command of its own: answering then is early.
                assert before.early, spoken.name
                assert normalise(spoken.before_pause) != normalise(spoken.command)
            case Kind.QUESTION:
                assert whole.status is Status.NO_COMMAND, spoken.name
                assert any(v.early for v in beginnings), spoken.name


async def test_assist_does_the_same_with_a_text_that_is_also_right(
    checker: CommandChecker,
) -> None:
    hass = checker.hass
    also = [(spoken, text) for spoken in CORPUS for text in spoken.also_right]
    assert len(also) >= 8
    for spoken, text in also:
        answers = [
            await conversation.async_converse(hass, said, None, Context(), spoken.language)
            for said in (spoken.command, text)
        ]
        whole, shorter = (answer.response.as_dict() for answer in answers)
        assert whole["response_type"] == shorter["response_type"] == "action_done", spoken.name
        assert whole["speech"] == shorter["speech"]
        assert whole["data"]["success"] == shorter["data"]["success"]
