"""Answering before the silence ends, run by `benchmarks/bench_early_answer.py` through pytest.

Two benchmarks over the spoken corpus (`tests/corpus/early_answer.py`), in
its home (`tests/corpus/home.py`), against the local server:

- `bench_early_answer`: every utterance is said in real time to an
  `assist_pipeline/run` (`benchmarks/playback.py`), in each mode and each
  variant of the entry's options, and the end of speech → text time is
  printed per kind of case, p50 / p90, with the answers given early, those
  of them that are not the command the user finished (false early), and all
  texts that are not (sentence mode's own end of the sentence cuts a slow
  number too), and for the words after a command, per pause length. Short-stream and
  continuous modes end on Home Assistant's default voice detection (0.7 s of
  silence); sentence mode on the service's `vad_tail` (500 ms).
- `bench_earliest_answer`: the upper bound of what answering early can save.
  Every utterance is recognised by the local server with interim results
  (as fast as it goes, positions in the audio kept), and each partial text is
  given to the command check; the first that is complete and cannot grow
  (`Verdict.early`) is the earliest possible answer. Printed per kind: how
  many utterances it answers rightly and how long after the end of speech
  that is (negative: before it), and those where it is not the command the
  user finished (false early), listed.
  With BENCH_WINDOWS (ms, comma separated; 0: none) a text must also stay
  unchanged for the window, and no word be said in the window or in the
  BENCH_QUIET_MS of audio before its end if that is longer (the quiet check
  may look back past the text's arrival: the interim lag is audio already
  heard), as the entity's stability window and quiet check will ask.

With the option on, each table also says how many utterances were answered
early, and how often and how long the command check ran (as awaited, per
utterance and per interim text the entity got: the check runs once a text has
stood still in the quiet, not for every interim text). Once a mode has run off
and on, the saving is printed per kind: p50 off less p50 on.

Environment: BENCH_MODES (default all three), BENCH_VARIANTS ("off", "on";
default both), BENCH_PER_KIND (utterances of each kind and language, default
all), BENCH_WINDOWS (default the entity's stability window), BENCH_STABLE_MS and
BENCH_QUIET_MS (the window and the quiet look-back, for the entity when the
option is on and for the earliest answers; default the entity's own), and
BENCH_FINAL_DELAY_MS: how long the local server takes to send each final
result (default 0; Huawei's own time to a final result is not in the figures
otherwise, and an early answer does not wait for it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
import os
import time
from typing import Any, Final, Protocol
from unittest.mock import patch

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from benchmarks.bench_client import percentile
from benchmarks.playback import (
    Heard,
    Played,
    interim_timeline,
    play_pipeline,
    revisions_on,
    speech_detector,
)
from custom_components.huawei_cloud_sis import early_answer
from custom_components.huawei_cloud_sis.command_check import CommandChecker
from custom_components.huawei_cloud_sis.const import CONF_EARLY_ANSWER, CONF_MODE
from custom_components.huawei_cloud_sis.languages import model_option_key
from tests.corpus.early_answer import CORPUS, ENGLISH, MANDARIN, STT_LANGUAGE, Kind, Spoken
from tests.corpus.home import async_setup_home
from tests.helpers.pipeline import create_pipeline
from tests.sis_server import SisServer

MODE_OPTIONS: Final[dict[str, dict[str, Any]]] = {
    "short-stream": {CONF_MODE: "short-stream"},
    "continue-stream": {CONF_MODE: "continue-stream"},
    # The default Mandarin model takes no sentence mode.
    "sentence-stream": {
        CONF_MODE: "sentence-stream",
        model_option_key(MANDARIN): "chinese_16k_common",
    },
}
VARIANTS: Final[dict[str, dict[str, Any]]] = {"off": {}, "on": {CONF_EARLY_ANSWER: True}}
"""Name → the entry options of a variant of answering early ("off": today's behaviour)."""
MODELS: Final = {
    (ENGLISH, "any"): "english_16k_general",
    (MANDARIN, "any"): "chinese_16k_general",
    (MANDARIN, "sentence-stream"): "chinese_16k_common",
}


def _listed(name: str, known: Iterable[str], default: str) -> list[str]:
    chosen = [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]
    unknown = set(chosen) - set(known)
    if unknown:
        raise ValueError(f"{name}: unknown {sorted(unknown)}; choose from {sorted(known)}")
    return chosen


MODES: Final = _listed("BENCH_MODES", MODE_OPTIONS, ",".join(MODE_OPTIONS))
CHOSEN_VARIANTS: Final = _listed("BENCH_VARIANTS", VARIANTS, ",".join(VARIANTS))
PER_KIND: Final = int(os.environ.get("BENCH_PER_KIND", "0"))
STABLE_MS: Final = int(
    os.environ.get("BENCH_STABLE_MS", str(round(early_answer.STABLE_SECONDS * 1000)))
)
QUIET_MS: Final = int(
    os.environ.get("BENCH_QUIET_MS", str(round(early_answer.QUIET_SECONDS * 1000)))
)
WINDOWS: Final = [int(ms) for ms in os.environ.get("BENCH_WINDOWS", str(STABLE_MS)).split(",")]
FINAL_DELAY_MS: Final = int(os.environ.get("BENCH_FINAL_DELAY_MS", "0"))
FRAME_MS: Final = early_answer.FRAME_MS
"""The frames the entity sends with the option on: the earliest answers are worked out
with the interim results of audio sent that way."""


def corpus() -> list[Spoken]:
    """The utterances to run: all, or the first BENCH_PER_KIND of each kind and language."""
    if not PER_KIND:
        return list(CORPUS)
    taken: dict[tuple[Kind, str], int] = {}
    chosen = []
    for spoken in CORPUS:
        key = (spoken.kind, spoken.language)
        if taken.get(key, 0) < PER_KIND:
            taken[key] = taken.get(key, 0) + 1
            chosen.append(spoken)
    return chosen


def model(language: str, mode: str) -> str:
    """The model a session of the language uses in the mode."""
    return MODELS.get((language, mode)) or MODELS[language, "any"]


def _ms(values: Sequence[float], pct: float) -> str:
    return f"{percentile(list(values), pct):.0f}" if values else "-"


def _share(count: int, total: int) -> str:
    return f"{count} ({count / total:.0%})"


class _Said(Protocol):
    @property
    def spoken(self) -> Spoken: ...


def _table[T: _Said](
    title: str, columns: list[str], items: Sequence[T], cells: Callable[[list[T]], list[str]]
) -> None:
    """Print a table with a row per kind, all, and a row per pause of the words after."""
    groups: dict[str, list[T]] = {kind.value: [] for kind in Kind}
    for item in items:
        groups[item.spoken.kind.value].append(item)
    groups["all"] = list(items)
    after = groups[Kind.WORDS_AFTER.value]
    for pause in sorted({item.spoken.pause_ms for item in after}):
        groups[f"words after, pause {pause} ms"] = [i for i in after if i.spoken.pause_ms == pause]
    print(f"\n{title}, {len(items)} utterances")
    print("| kind | n | " + " | ".join(columns) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in columns) + " |")
    for name, group in groups.items():
        if group:
            print(f"| {name} | {len(group)} | " + " | ".join(cells(group)) + " |")


@dataclass(slots=True)
class Checks:
    """The command checks a variant ran: how long each took as awaited, per utterance."""

    per_utterance: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    texts: int = 0
    """Interim texts the entity got (each a candidate)."""

    @contextmanager
    def counted(self) -> Iterator[None]:
        """Count and time `CommandChecker.async_check` while the block runs."""
        check = CommandChecker.async_check
        ran: list[float] = []

        async def timed(checker: CommandChecker, language: str, text: str) -> Any:
            start = time.perf_counter()
            try:
                return await check(checker, language, text)
            finally:
                ran.append(time.perf_counter() - start)

        heard = early_answer.EarlyAnswer._heard  # noqa: SLF001

        def counted(watch: early_answer.EarlyAnswer, text: str) -> None:
            self.texts += 1
            heard(watch, text)

        with (
            patch.object(CommandChecker, "async_check", timed),
            patch.object(early_answer.EarlyAnswer, "_heard", counted),
        ):
            yield
        self.per_utterance.append(len(ran))
        self.seconds.extend(ran)


@dataclass(slots=True)
class Run:
    """One utterance said to a variant: what came back, and whether it was answered early."""

    played: Played
    early: bool

    @property
    def spoken(self) -> Spoken:
        """The utterance."""
        return self.played.spoken


_RUNS: dict[tuple[str, str], list[Run]] = {}
"""Every mode and variant run so far, for the saving of one against the other."""


def print_played(mode: str, variant: str, runs: list[Run], checks: Checks | None = None) -> None:
    """The end of speech → text table of one mode and variant."""

    def cells(items: list[Run]) -> list[str]:
        played = [run.played for run in items]
        latencies = [p.latency_ms for p in played if p.latency_ms is not None]
        vad = [(p.vad_end_at - p.end_of_speech) * 1000 for p in played if p.vad_end_at]
        wrong = sum(not p.right for p in played)
        early = sum(run.early for run in items)
        false = sum(run.early and not run.played.right for run in items)
        return [
            _ms(latencies, 50),
            _ms(latencies, 90),
            _ms(vad, 50),
            str(early),
            _share(false, len(items)),
            _share(wrong, len(items)),
        ]

    delay = f", final results {FINAL_DELAY_MS} ms late" if FINAL_DELAY_MS else ""
    window = f" (stable {STABLE_MS} ms, quiet {QUIET_MS} ms)" if variant != "off" else ""
    title = f"{mode}, option {variant}{window}: end of speech to text, real time{delay}"
    columns = ["p50 ms", "p90 ms", "voice detection ended, p50 ms", "answered early"]
    columns += ["false early", "not the command (any answer)"]
    _table(title, columns, runs, cells)
    for run in runs:
        p = run.played
        if not p.right or p.error:
            said = f"{p.spoken.name} said {p.spoken.command!r}"
            print(f"    {mode} {variant}: {said}: {p.text!r} {p.error or ''}")
    if checks is not None and checks.per_utterance:
        print_checks(mode, checks, len(runs))
    _RUNS[mode, variant] = runs
    if (off := _RUNS.get((mode, "off"))) and (on := _RUNS.get((mode, "on"))):
        print_saving(mode, off, on)


def print_checks(mode: str, checks: Checks, utterances: int) -> None:
    """How often and how long the command check ran."""
    seconds = [s * 1000 for s in checks.seconds]
    total = sum(seconds)
    texts = checks.texts
    print(
        f"\n{mode}: {len(seconds)} command checks for {texts} interim texts of "
        f"{utterances} utterances"
    )
    print("| figure | value |")
    print("| --- | --- |")
    most = max(checks.per_utterance)
    print(f"| checks per utterance, p50 / max | {_ms(checks.per_utterance, 50)} / {most} |")
    print(f"| check as awaited, p50 / p99 ms | {_ms(seconds, 50)} / {_ms(seconds, 99)} |")
    print(f"| check time per interim text, mean ms | {total / max(1, checks.texts):.2f} |")


def print_saving(mode: str, off: list[Run], on: list[Run]) -> None:
    """The saving of the option per kind: p50 off less p50 on (end of speech to text)."""

    def p50(runs: list[Run]) -> float | None:
        values = [r.played.latency_ms for r in runs if r.played.latency_ms is not None]
        return percentile(values, 50) if values else None

    print(f"\n{mode}: saving of the option, p50 off less p50 on")
    print("| kind | p50 off ms | p50 on ms | saving ms |")
    print("| --- | --- | --- | --- |")
    for kind in Kind:
        before = p50([r for r in off if r.spoken.kind is kind])
        after = p50([r for r in on if r.spoken.kind is kind])
        if before is not None and after is not None:
            print(f"| {kind.value} | {before:.0f} | {after:.0f} | {before - after:.0f} |")


@pytest.fixture
def options(run: tuple[str, str]) -> dict[str, Any]:
    """The entry's options: the mode's and the variant's."""
    mode, variant = run
    return MODE_OPTIONS[mode] | VARIANTS[variant]


@pytest.mark.parametrize(
    "run",
    [(mode, variant) for mode in MODES for variant in CHOSEN_VARIANTS],
    ids="-".join,
)
async def bench_early_answer(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_ws_client: WebSocketGenerator,
    run: tuple[str, str],
) -> None:
    """Say every utterance to a pipeline in real time; print end of speech → text per kind."""
    mode, variant = run
    await async_setup_home(hass)
    assert await async_setup_component(hass, "assist_pipeline", {})
    ws = await hass_ws_client()
    pipelines = {
        language: await create_pipeline(ws, language, STT_LANGUAGE[language])
        for language in (ENGLISH, MANDARIN)
    }
    sis_server.processing_delay = FINAL_DELAY_MS / 1000
    usage = loaded_entry.runtime_data.usage
    runs: list[Run] = []
    checks = Checks() if variant != "off" else None
    with speech_detector(), _window():
        for spoken in corpus():
            answered = usage.early_answers
            with revisions_on(sis_server, spoken), checks.counted() if checks else _nothing():
                played = await play_pipeline(ws, pipelines[spoken.language], spoken)
                await hass.async_block_till_done()
            runs.append(Run(played, usage.early_answers > answered))
    await ws.close()
    print_played(mode, variant, runs, checks)


@contextmanager
def _window() -> Iterator[None]:
    """The entity's stability window and quiet look-back as the benchmark is asked to run."""
    with (
        patch.object(early_answer, "STABLE_SECONDS", STABLE_MS / 1000),
        patch.object(early_answer, "QUIET_SECONDS", QUIET_MS / 1000),
    ):
        yield


@contextmanager
def _nothing() -> Iterator[None]:
    yield


class Earliest:
    """The earliest possible answer of one utterance, for one window."""

    def __init__(self, spoken: Spoken, heard: Heard | None, at_ms: int | None) -> None:
        """`heard`: the partial text that would be answered at `at_ms` (None: never)."""
        self.spoken = spoken
        self.heard = heard
        self.at_ms = at_ms
        """When the answer would go, from the start of speech."""

    @property
    def after_speech_ms(self) -> int | None:
        """The answer's time after the end of speech (negative: before)."""
        return None if self.at_ms is None else self.at_ms - self.spoken.end_ms

    @property
    def false(self) -> bool:
        """An answer was possible with a text that is not the command the user finished."""
        return self.heard is not None and not self.spoken.is_right(self.heard.text)


def _talking(spoken: Spoken, start_ms: int, end_ms: int) -> bool:
    """A word is being said somewhere in [start_ms, end_ms)."""
    return any(word.start_ms < end_ms and start_ms < word.end_ms for word in spoken.words)


def earliest(
    spoken: Spoken, timeline: list[Heard], early: list[bool], window_ms: int, quiet_ms: int = 0
) -> Earliest:
    """The first partial text the check calls early and that stays, quiet, for the window.

    As the entity decides: a text is answered once it has stood for the window
    and nothing was said since it arrived, nor in the `quiet_ms` before (the
    answer waits until the last word said before it is that far back). With
    neither a window nor a look-back, the first text called early is answered.
    """
    for index, (heard, is_early) in enumerate(zip(timeline, early, strict=True)):
        if not is_early:
            continue
        at = heard.at_ms + window_ms
        if window_ms or quiet_ms:
            said = [word.end_ms for word in spoken.words if word.start_ms < heard.at_ms]
            at = max(at, max(said, default=0) + quiet_ms)
            changed = timeline[index + 1].at_ms if index + 1 < len(timeline) else None
            if (changed is not None and changed <= at) or _talking(spoken, heard.at_ms, at):
                continue
        return Earliest(spoken, heard, at)
    return Earliest(spoken, None, None)


def print_earliest(mode: str, window_ms: int, found: list[Earliest]) -> None:
    """The earliest-possible-answer table of one mode and window, and the false-early cases."""

    def cells(items: list[Earliest]) -> list[str]:
        times = [e.after_speech_ms for e in items if e.after_speech_ms is not None and not e.false]
        false = sum(e.false for e in items)
        return [str(len(times)), _ms(times, 50), _ms(times, 90), _share(false, len(items))]

    window = ""
    if window_ms or QUIET_MS:
        window = f", stable for {window_ms} ms, quiet since and {QUIET_MS} ms before"
    columns = ["right early answers", "after end of speech p50 ms", "p90 ms", "false early"]
    _table(f"{mode}: earliest possible answer{window}", columns, found, cells)
    for e in found:
        if e.false:
            assert e.heard is not None
            print(
                f"    false early {mode} w={window_ms}: {e.spoken.name} ({e.spoken.kind.value}, "
                f"pause {e.spoken.pause_ms} ms): {e.heard.text!r} at {e.after_speech_ms:+d} ms, "
                f"said {e.spoken.command!r}"
            )


@pytest.mark.parametrize("mode", MODES)
async def bench_earliest_answer(hass: HomeAssistant, sis_server: SisServer, mode: str) -> None:
    """Check every partial text of every utterance; print the earliest possible answers."""
    await async_setup_home(hass)
    checker = CommandChecker(hass)
    stop = checker.async_start()
    timelines: list[tuple[Spoken, list[Heard], list[bool]]] = []
    async with aiohttp.ClientSession() as http:
        for spoken in corpus():
            config = {"property": model(spoken.language, mode)}
            timeline = await interim_timeline(
                http, sis_server, spoken, mode, config, frame_ms=FRAME_MS
            )
            early = [(await checker.async_check(spoken.language, h.text)).early for h in timeline]
            timelines.append((spoken, timeline, early))
    stop()
    for window_ms in WINDOWS:
        found = [earliest(*item, window_ms, QUIET_MS) for item in timelines]
        print_earliest(mode, window_ms, found)
