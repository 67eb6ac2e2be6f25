"""The cost of the command check, run by `benchmarks/bench_command_check.py` through pytest.

A home of 2,000 exposed entities on devices in 50 areas on 5 floors, every
tenth with an alias (the hot-word benchmark's home), in English, and the same
home with Mandarin names. Commands to its entities are fed as a streaming
recogniser sends them: English word by word, Mandarin two characters at a
time. For every interim text it prints, p50 / p99 over all rounds:

- the check as the caller waits for it (`async_check`, executor hops included);
- the matching itself, where it runs (in the executor): each strict
  recognition (hassil with Home Assistant's sentences and the names the text
  holds; a text is recognised once, and once more per longer name tried) and
  the whole judging of a text, timed around them;
- the longest the event loop did not turn during the checks (a task that
  only yields notes the time between its turns);
- the first check of a language (sentences loaded, the home's names read) and
  the first after a rename (names read again), once each, and a first round
  apart: it builds what is kept per intent (the templates cut up) and per
  number range (the numbers spelled out).

Every interim text is checked with no verdict kept, so it is matched afresh.

With BENCH_TEXTS=corpus the texts are those of the spoken corpus
(`tests/corpus/early_answer.py`: every interim text a streaming recogniser
shows for each utterance, revisions included), and the corpus's home is added
to the 2,000 entities so that its commands name real entities. The entity
asks the matcher only about a text that stood still in the quiet
(`early_answer.py`), so the tables then also give the checks of those texts
alone: the texts that stand for the stability window with no word said since
they arrived, a word shown `LAG_MS` after it ends (the local server's interim
lag, and half a 50 ms frame). The real-time benchmark
(`benchmarks/bench_early_answer.py`) counts the checks the entity made.
"""

from __future__ import annotations

from collections.abc import Callable
import os
import time
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from benchmarks.hot_word_figures import LoopWatch, _build_home
from custom_components.huawei_cloud_sis import command_check, early_answer
from custom_components.huawei_cloud_sis.command_check import CommandChecker, Status
from tests.corpus.early_answer import CORPUS, Spoken, join_words
from tests.corpus.home import async_setup_home

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
CORPUS_TEXTS = os.environ.get("BENCH_TEXTS", "") == "corpus"
ENGLISH = [
    "turn on the kitchen 1 lamp 1",
    "turn off the living room 1 ceiling light 1",
    "set the bedroom 1 dimmer 1 brightness to 50 percent",
    "is the garage 1 door sensor 2 on",
    "turn off the lights in the office 2",
    "what is the temperature in the attic 1",
]
MANDARIN = [
    "打开客厅1的吊灯1",
    "关闭厨房2的台灯2",
    "把卧室1的空调1的温度调到26度",
    "打开书房1的灯",
    "关掉车库2的插座1",
    "打开阳台3的窗帘2",
]
ZH_ROOMS = ["客厅", "厨房", "卧室", "书房", "车库", "阳台", "浴室", "餐厅", "走廊", "阁楼"]
ZH_THINGS = ["吊灯", "台灯", "空调", "窗帘", "插座", "风扇", "音箱", "加湿器", "暖气", "电视"]
ZH_DOMAINS = [
    "light", "light", "climate", "cover", "switch", "fan", "media_player", "fan", "climate",
    "media_player",
]  # fmt: skip


def _build_mandarin_home(hass: HomeAssistant) -> None:
    """50 areas, 2,000 exposed entities on devices named in Mandarin, every tenth an alias."""
    areas = [ar.async_get(hass).async_create(f"{ZH_ROOMS[n % 10]}{n // 10 + 1}") for n in range(50)]
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    entry = MockConfigEntry(domain="bench")
    entry.add_to_hass(hass)
    for number in range(2000):
        area = areas[number % 50]
        kind = number // 50 % 10
        device = devices.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={("bench-zh", str(number))},
            name=f"{area.name}的{ZH_THINGS[kind]}{number // 500 + 1}",
        )
        registered = entities.async_get_or_create(
            ZH_DOMAINS[kind], "bench-zh", str(number), device_id=device.id, has_entity_name=True
        )
        if number % 10 == 0:
            entities.async_update_entity(
                registered.entity_id, aliases=[er.COMPUTED_NAME, f"{ZH_THINGS[kind]}{number}"]
            )
        devices.async_update_device(device.id, area_id=area.id)
        hass.states.async_set(registered.entity_id, "off")


def _interim(command: str, *, spaced: bool) -> list[str]:
    """The interim texts a streaming recogniser sends for `command`."""
    if spaced:
        words = command.split()
        return [" ".join(words[:end]) for end in range(1, len(words) + 1)]
    return [command[:end] for end in range(2, len(command) + 2, 2)]


LAG_MS = 275
"""When a word is in the interim results after it ends: the local server's lag (250 ms)
and half a frame of the entity's 50 ms frames."""


def decided(spoken: Spoken) -> set[str]:
    """The texts of an utterance the entity gives to the matcher (see the module)."""
    window = early_answer.STABLE_SECONDS * 1000
    quiet = early_answer.QUIET_SECONDS * 1000
    words = spoken.words
    found: set[str] = set()
    for index, word in enumerate(words):
        shown = word.end_ms + LAG_MS
        at = max(shown + window, word.end_ms + quiet)
        later = words[index + 1 :]
        if all(not shown <= other.start_ms < at for other in later) and (
            not later or later[0].end_ms + LAG_MS > at
        ):
            found.add(join_words([w.text for w in words[: index + 1]]))
    return found


def _texts(language: str) -> list[list[str]]:
    """The interim texts of each command to check, in order."""
    if CORPUS_TEXTS:
        return [spoken.shown_texts() for spoken in CORPUS if spoken.language == language]
    commands = ENGLISH if language == "en" else MANDARIN
    return [_interim(command, spaced=language == "en") for command in commands]


def _timed(original: Callable[..., Any], into: list[float]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - start)

    return timed


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def _row(name: str, values: list[float]) -> str:
    return f"| {name} | {len(values)} | {_p(values, 0.5):.2f} | {_p(values, 0.99):.2f} |"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
async def bench_command_check(hass: HomeAssistant, language: str) -> None:
    """Print the cost per interim text of one language."""
    assert await async_setup_component(hass, "intent", {})
    assert await async_setup_component(hass, "conversation", {})
    if language == "en":
        _build_home(hass)
    else:
        _build_mandarin_home(hass)
    if CORPUS_TEXTS:
        await async_setup_home(hass)
    checker = CommandChecker(hass)
    stop = checker.async_start()
    commands = _texts(language)
    spoken = [s for s in CORPUS if s.language == language] if CORPUS_TEXTS else []
    gated = set().union(*map(decided, spoken))

    start = time.perf_counter()
    await checker.async_check(language, "turn")
    first = time.perf_counter() - start

    waited: list[float] = []
    cold: list[float] = []
    complete: list[float] = []
    decided_texts: list[float] = []
    recognized: list[float] = []
    judged: list[float] = []
    verdicts: dict[str, Status] = {}
    with (
        # Timing the real functions, where they run (in the executor).
        patch.object(command_check, "_recognize", _timed(command_check._recognize, recognized)),  # noqa: SLF001
        patch.object(command_check, "_judge", _timed(command_check._judge, judged)),  # noqa: SLF001
        LoopWatch() as watch,
    ):
        for round_ in range(ROUNDS + 1):
            if round_ == 1:  # the first round filled what is kept per intent and range
                cold = waited[:]
                waited.clear()
                complete.clear()
                decided_texts.clear()
                recognized.clear()
                judged.clear()
                watch.longest = 0.0
            for shown in commands:
                for text in shown:
                    for known in checker._languages.values():  # noqa: SLF001
                        known[1].verdicts.clear()
                    start = time.perf_counter()
                    verdict = await checker.async_check(language, text)
                    waited.append(time.perf_counter() - start)
                    verdicts[text] = verdict.status
                    if verdict.status is Status.COMPLETE:
                        complete.append(waited[-1])
                    if text in gated:
                        decided_texts.append(waited[-1])

    area = next(iter(ar.async_get(hass).async_list_areas()))
    ar.async_get(hass).async_update(area.id, name=f"{area.name} renamed")
    await hass.async_block_till_done()
    start = time.perf_counter()
    await checker.async_check(language, commands[0][-1] + " ")
    renamed = time.perf_counter() - start
    stop()

    texts = len(waited) // ROUNDS
    print(f"\n{language}: {len(commands)} commands, {texts} interim texts, {ROUNDS} rounds")
    for text, status in verdicts.items():
        print(f"    {status.value:<11} {text}")
    print("| per interim text | n | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- |")
    print(_row("check, as awaited, first round (cold)", cold))
    print(_row("check, as awaited", waited))
    print(_row("check of a complete command, as awaited", complete))
    if spoken:
        print(_row("check of a text that stood still in the quiet, as awaited", decided_texts))
        per_text = sum(decided_texts) / max(1, len(waited)) * 1000
        checks = sum(len(decided(s)) for s in spoken) / len(spoken)
        print(f"| with the gating: checks per utterance | {len(spoken)} | {checks:.2f} | |")
        print(f"| with the gating: check time per interim text, mean | | {per_text:.2f} | |")
    print(_row("strict recognition, each (executor)", recognized))
    print(_row("judging a text, all of it (executor)", judged))
    print(f"| longest event loop hold | | | {watch.longest * 1000:.2f} |")
    print(f"| first check of the language | 1 | {first * 1000:.0f} | |")
    print(f"| first check after a rename | 1 | {renamed * 1000:.0f} | |")
