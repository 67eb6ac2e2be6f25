"""Converting Chinese text between scripts: `.venv/bin/python -m benchmarks.bench_chinese_script`.

Prints, for each conversion of `chinese_script`:
- the first load of its dictionaries in a fresh interpreter (BENCH_LOADS of them, default 5:
  median and worst wall time, median growth of the resident set, RSS) and the memory Python
  allocated for them (tracemalloc, in one more fresh interpreter: tracing slows the load);
  and, loaded in an executor as Home Assistant does, the longest the event loop waited
  meanwhile (BENCH_LOADS more fresh interpreters). The thread reads the files without the
  loop waiting more than a few milliseconds, but the objects it makes set off a full
  garbage collection of the interpreter's heap, which stops every thread: with this
  script's imports that is most of the wait (without the collector, some 5 ms);
- the time a recognition adds by converting a 20-character command once loaded (what the
  entity awaits: `async_written`), p50 and p99 over BENCH_RUNS runs (default
  20,000); and the conversion of a 79-character reply, whole and as a streaming agent's
  pieces.

With `--choices` it also prints how each candidate OpenCC conversion does on Home Assistant's
own zh-TW, zh-HK and zh-CN intents (`home_assistant_intents`): the sentences it changes and
those that no longer match their intent (hassil, with a few rooms and devices as the home's
names), the reason for each choice in `chinese_script`.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import AsyncGenerator, Iterable, Iterator
import difflib
import itertools
import json
import os
from pathlib import Path
import subprocess
import sys
import time
import tracemalloc
from types import SimpleNamespace
from typing import cast

from hassil.expression import Sentence
from hassil.intents import Intents, RangeSlotList, SlotList, TextSlotList
from hassil.recognize import recognize_best
from hassil.sample import sample_expression
from home_assistant_intents import get_intents
import homeassistant
from homeassistant.core import HomeAssistant
from opencc import OpenCC

from benchmarks.bench_client import percentile
from custom_components.huawei_cloud_sis.chinese_script import (
    Conversion,
    Converter,
    async_converted_pieces,
    async_converter,
    async_written,
    load_converter,
)
from tests.helpers.intents import strings

RUNS = int(os.environ.get("BENCH_RUNS", "20000"))
LOADS = int(os.environ.get("BENCH_LOADS", "5"))
COMMANDS = {
    # What each conversion is given: the model's text, 20 characters.
    Conversion.TAIWAN: "请把客厅的灯打开然后把卧室空调调到二五度",
    Conversion.HONG_KONG: "唔该帮我开客厅嘅灯再将睡房冷气调到二十五",
    Conversion.TRADITIONAL: "请把客厅的灯打开然后把卧室空调调到二五度",
    Conversion.SIMPLIFIED: "請把客廳的燈打開然後把臥室冷氣調到二五度",
}
TRADITIONAL_CANTONESE = "唔該幫我開客廳嘅燈再將睡房冷氣調到二十五"
REPLY = (
    "客廳的燈已經打開了，臥室的冷氣也調到二十五度。今天晚上會下雨，出門記得帶傘。"
    "明天早上七點鬧鐘會響，要幫你把咖啡機也設定好嗎？廚房的窗戶還開著，我可以幫你關上。"
)
assert all(len(text) == 20 for text in (*COMMANDS.values(), TRADITIONAL_CANTONESE))
PIECE = 4
"""Characters per piece of a streamed reply."""
SAMPLES_PER_TEMPLATE = 60
"""Sentences sampled from each template of the intents (their alternatives multiply)."""


def _rss_kib() -> int:
    """Resident set size of this process, in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _load_once(conversions: list[Conversion], traced: bool) -> dict[str, float]:
    """Load conversions in this (fresh) interpreter; return what it cost in all."""
    if traced:
        tracemalloc.start()
    rss = _rss_kib()
    start = time.perf_counter()
    converters = [load_converter(conversion) for conversion in conversions]
    seconds = time.perf_counter() - start
    figures = {"seconds": seconds, "rss_mib": (_rss_kib() - rss) / 1024}
    if traced:
        figures["traced_mib"] = tracemalloc.get_traced_memory()[0] / 2**20
    for conversion, convert in zip(conversions, converters, strict=True):
        convert(COMMANDS[conversion])
    return figures


def _watched_load(conversions: list[Conversion]) -> dict[str, float]:
    """Load conversions in an executor while an event loop turns; how long it waited at most.

    A thread running Python code holds the GIL, which the loop waits for.
    """

    async def load() -> float:
        longest = 0.0
        loading = True

        async def watch() -> None:
            nonlocal longest
            last = time.perf_counter()
            while loading:
                await asyncio.sleep(0)
                now = time.perf_counter()
                longest = max(longest, now - last)
                last = now

        watcher = asyncio.get_running_loop().create_task(watch(), name="loop watch")
        await asyncio.sleep(0)
        for conversion in conversions:
            await asyncio.get_running_loop().run_in_executor(None, load_converter, conversion)
        loading = False
        await watcher
        return longest

    return {"loop_wait": asyncio.run(load())}


def _first_load(name: str, mode: str = "") -> dict[str, float]:
    """Run `_load_once` in a fresh interpreter ("all": every conversion, one after another).

    `mode` "--traced" traces memory; "--watched" loads in an executor (`_watched_load`).
    """
    args = [sys.executable, "-m", "benchmarks.bench_chinese_script", "--load", name]
    if mode:
        args.append(mode)
    run = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        args, capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent
    )
    figures: dict[str, float] = json.loads(run.stdout.splitlines()[-1])
    return figures


def _load_command(name: str, traced: bool, watched: bool) -> None:
    conversions = list(Conversion) if name == "all" else [Conversion(name)]
    if watched:
        print(json.dumps(_watched_load(conversions)))
    else:
        print(json.dumps(_load_once(conversions, traced)))


async def _stand_in() -> HomeAssistant:
    """Just what `chinese_script` uses of Home Assistant: its data and its executor."""
    loop = asyncio.get_running_loop()
    stand_in = SimpleNamespace(
        data={}, async_add_executor_job=lambda job, *args: loop.run_in_executor(None, job, *args)
    )
    return cast("HomeAssistant", stand_in)


async def _timed(hass: HomeAssistant, conversion: Conversion, text: str) -> list[float]:
    """Milliseconds of `async_written` once loaded: what a recognition awaits for its text."""
    times: list[float] = []
    for _ in range(RUNS):
        start = time.perf_counter_ns()
        await async_written(hass, conversion, text)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def _row(name: str, times: list[float]) -> str:
    return f"| {name} | {percentile(times, 50):.3f} | {percentile(times, 99):.3f} |"


async def _conversion_times() -> None:
    hass = await _stand_in()
    for conversion in Conversion:
        await async_converter(hass, conversion)

    print(f"\n{RUNS} runs each, milliseconds:\n")
    print(
        "| Added per recognition (the loaded converter awaited, then the conversion) | p50 | p99 |"
    )
    print("| --- | --- | --- |")
    cases = [
        ("Taiwan: 20-character Mandarin command", Conversion.TAIWAN, COMMANDS[Conversion.TAIWAN]),
        (
            "Hong Kong: 20 characters, the model writes Simplified",
            Conversion.HONG_KONG,
            COMMANDS[Conversion.HONG_KONG],
        ),
        (
            "Hong Kong: 20 characters, the model writes Traditional",
            Conversion.HONG_KONG,
            TRADITIONAL_CANTONESE,
        ),
        (
            "Traditional: 20-character Mandarin command, words kept",
            Conversion.TRADITIONAL,
            COMMANDS[Conversion.TRADITIONAL],
        ),
        (
            "Simplified: 20-character Traditional command",
            Conversion.SIMPLIFIED,
            COMMANDS[Conversion.SIMPLIFIED],
        ),
        (f"Simplified: {len(REPLY)}-character Traditional reply", Conversion.SIMPLIFIED, REPLY),
    ]
    for name, conversion, text in cases:
        print(_row(name, await _timed(hass, conversion, text)))
    print(
        _row(
            f"Simplified: the same reply streamed in {PIECE}-character pieces (held to its breaks)",
            await _streamed_times(hass),
        )
    )


async def _streamed_times(hass: HomeAssistant) -> list[float]:
    """Time converting `REPLY` as a streaming agent's pieces (all of it, per reply)."""
    convert = await async_converter(hass, Conversion.SIMPLIFIED)

    async def pieces() -> AsyncGenerator[str]:
        for start in range(0, len(REPLY), PIECE):
            yield REPLY[start : start + PIECE]

    times: list[float] = []
    for _ in range(RUNS // 10):
        start = time.perf_counter_ns()
        parts = [part async for part in async_converted_pieces(pieces(), convert)]
        times.append((time.perf_counter_ns() - start) / 1e6)
    assert "".join(parts) == convert(REPLY)
    return times


def _load_figures() -> None:
    print(
        f"| First load, {LOADS} fresh interpreters | time median / worst (ms) "
        "| traced memory (MiB) | RSS growth (MiB) | event loop held, median / worst (ms) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for name in [*(c.value for c in Conversion), "all"]:
        timed = [_first_load(name) for _ in range(LOADS)]
        traced = _first_load(name, "--traced")
        held = sorted(_first_load(name, "--watched")["loop_wait"] * 1000 for _ in range(LOADS))
        seconds = sorted(figures["seconds"] * 1000 for figures in timed)
        rss = sorted(figures["rss_mib"] for figures in timed)
        label = "all four, one after another" if name == "all" else name
        print(
            f"| {label} | {seconds[len(seconds) // 2]:.0f} / {seconds[-1]:.0f} "
            f"| {traced['traced_mib']:.1f} | {rss[len(rss) // 2]:.1f} "
            f"| {held[len(held) // 2]:.0f} / {held[-1]:.0f} |"
        )


# --- --choices: the candidates on Home Assistant's intents -----------------------------------

HOME_NAMES = {
    "zh-TW": {
        "area": ["客廳", "臥室", "廚房", "浴室", "書房"],
        "name": ["吊燈", "檯燈", "冷氣", "電風扇"],
        "floor": ["二樓"],
    },
    "zh-HK": {
        "area": ["客廳", "睡房", "廚房", "浴室"],
        "name": ["吊燈", "枱燈", "冷氣機", "風扇"],
        "floor": ["二樓"],
    },
    "zh-CN": {"area": ["客厅", "卧室"], "name": ["台灯", "空调"], "floor": ["二楼"]},
}
"""The home's names (areas, entities, floors) the sentences are sampled with."""


class IntentTexts:
    """The sentences (sampled from the templates), responses and list values of a language."""

    def __init__(self, language: str) -> None:
        data = get_intents(language)
        assert data is not None
        self.intents = Intents.from_dict(data)
        self.lists: dict[str, SlotList] = {}
        for name, slot_list in self.intents.slot_lists.items():
            self.lists[name] = slot_list
            if isinstance(slot_list, RangeSlotList):  # one number stands for the range
                middle = slot_list.start + (slot_list.stop - slot_list.start) // 2
                self.lists[name] = TextSlotList.from_strings([str(middle)], name=name)
        for name, values in HOME_NAMES[language].items():
            self.lists[name] = TextSlotList.from_strings(values, name=name)
        self.sentences: dict[str, str] = {}
        """Sentence → its intent."""
        for intent_name, intent in self.intents.intents.items():
            for data_item in intent.data:
                rules = {**self.intents.expansion_rules, **(data_item.expansion_rules or {})}
                for sentence in data_item.sentences:
                    for text in self._sample(sentence, rules, data_item.wildcard_list_names):
                        self.sentences.setdefault(text, intent_name)
        self.others = sorted(set(strings(data.get("responses", {}))) | set(self._list_values()))

    def _sample(
        self, sentence: Sentence, rules: dict[str, Sentence], wildcards: Iterable[str]
    ) -> Iterator[str]:
        if set(sentence.list_names(rules)) & set(wildcards):
            return iter(())
        texts = sample_expression(sentence.expression, self.lists, rules)
        return itertools.islice(texts, SAMPLES_PER_TEMPLATE)

    def _list_values(self) -> Iterator[str]:
        for slot_list in self.intents.slot_lists.values():
            if isinstance(slot_list, TextSlotList):
                for value in slot_list.values:
                    yield from itertools.islice(sample_expression(value.text_in), 50)

    def matched(self, text: str, intent: str) -> bool:
        result = recognize_best(text, self.intents, slot_lists=self.lists)
        return result is not None and result.intent.name == intent


def _changes(pairs: Iterable[tuple[str, str]]) -> str:
    """The characters changed, most frequent first: `溫→温 x192`."""
    counts: Counter[str] = Counter()
    for before, after in pairs:
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        for tag, a1, a2, b1, b2 in matcher.get_opcodes():
            if tag != "equal":
                counts[f"{before[a1:a2]}→{after[b1:b2]}"] += 1
    return ", ".join(f"{change} x{count}" for change, count in counts.most_common(6)) or "-"


def _opencc(*configs: str) -> Converter:
    converters = [OpenCC(config).convert for config in configs]

    def convert(text: str) -> str:
        for one in converters:
            text = one(text)
        return text

    return convert


def _choice_table(
    texts: IntentTexts,
    candidates: dict[str, Converter],
    inputs: dict[str, Converter],
) -> None:
    matched = [text for text, intent in texts.sentences.items() if texts.matched(text, intent)]
    print(
        f"\n{len(texts.sentences)} sentences sampled, {len(matched)} matched by hassil as "
        f"written; {len(texts.others)} responses and list values\n"
    )
    print("| Candidate | Model writes | Sentences changed | No longer matched | Because of |")
    print("| --- | --- | --- | --- | --- |")
    seen: dict[tuple[str, str], bool] = {}
    for name, convert in candidates.items():
        for script, written in inputs.items():
            changed = [(x, y) for x in matched if (y := convert(written(x))) != x]
            lost = []
            for before, after in changed:
                key = (after, texts.sentences[before])
                if key not in seen:
                    seen[key] = texts.matched(*key)
                if not seen[key]:
                    lost.append((before, after))
            print(f"| {name} | {script} | {len(changed)} | {len(lost)} | {_changes(lost)} |")


def _other_senses_of_xi(chosen: Converter, s2tw: Converter, t2s: Converter) -> None:
    """Where the Cantonese phrases might turn a 系 that means a system or a tie into 係.

    Home Assistant's own Traditional translations (zh-Hant, Taiwan's written Mandarin) are
    the corpus: each string with 系, 係 or 繫, written in Simplified (t2s), then converted.
    """
    components = Path(homeassistant.__file__).parent / "components"
    texts = sorted(
        {
            text
            for path in components.glob("*/translations/zh-Hant.json")
            for text in strings(json.loads(path.read_text(encoding="utf-8")))
            if any(character in text for character in "系係繫")
        }
    )
    otherwise = [
        (s2tw(t2s(text)), after)
        for text in texts
        if (after := chosen(t2s(text))) != s2tw(t2s(text))
    ]
    wrong = sum(chosen(t2s(text)) != text for text in texts)
    print(
        f"\nHome Assistant's zh-Hant translations with 系, 係 or 繫: {len(texts)}; written "
        f"otherwise than s2tw by the chosen conversion: {len(otherwise)} ({_changes(otherwise)}); "
        f"not as the translation writes them: {wrong}"
    )


def _choices() -> None:
    t2s = OpenCC("t2s").convert
    as_written: Converter = str
    print("\nTaiwan: the Mandarin model writes a zh-TW sentence in Simplified characters (t2s)")
    taiwan = IntentTexts("zh-TW")
    _choice_table(
        taiwan,
        {"s2twp (chosen)": load_converter(Conversion.TAIWAN), "s2tw": _opencc("s2tw")},
        {"Simplified": t2s},
    )
    print("\nHong Kong: the Cantonese model writes a zh-HK sentence in either script")
    hong_kong = IntentTexts("zh-HK")
    s2tw = _opencc("s2tw")
    _choice_table(
        hong_kong,
        {
            "Traditional kept, else s2tw and the Cantonese phrases (chosen)": load_converter(
                Conversion.HONG_KONG
            ),
            "Traditional kept, else s2tw": lambda text: text if t2s(text) != text else s2tw(text),
            "Traditional kept, else s2hk": lambda text: text if t2s(text) != text else s2hk(text),
            "s2hk": (s2hk := _opencc("s2hk")),
            "t2hk": _opencc("t2hk"),
            "s2t": _opencc("s2t"),
            "s2tw": s2tw,
        },
        {"Traditional": as_written, "Simplified": t2s},
    )
    _other_senses_of_xi(load_converter(Conversion.HONG_KONG), s2tw, t2s)
    print("\nSimplified: texts of each language that a candidate writes otherwise than the choice")
    chosen = load_converter(Conversion.SIMPLIFIED)
    print("\n| Language | Candidate | Texts written otherwise | Differences (candidate→chosen) |")
    print("| --- | --- | --- | --- |")
    zh_cn = IntentTexts("zh-CN")
    for language, texts in (("zh-TW", taiwan), ("zh-HK", hong_kong), ("zh-CN", zh_cn)):
        pool = [*texts.sentences, *texts.others]
        for candidate in ("t2s", "tw2s", "hk2s"):
            convert = OpenCC(candidate).convert
            pairs = [(a, b) for text in pool if (a := convert(text)) != (b := chosen(text))]
            print(f"| {language} | {candidate} | {len(pairs)} of {len(pool)} | {_changes(pairs)} |")
        changed = sum(chosen(text) != text for text in pool)
        print(f"| {language} | (texts the choice changes at all) | {changed} of {len(pool)} | - |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--choices", action="store_true", help="also measure the candidates")
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--watched", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        _load_command(args.load, args.traced, args.watched)
        return
    _load_figures()
    asyncio.run(_conversion_times())
    if args.choices:
        _choices()


if __name__ == "__main__":
    main()
