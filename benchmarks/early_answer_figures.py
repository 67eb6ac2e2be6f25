"""Answering before the silence ends, run by `benchmarks/bench_early_answer.py` through pytest.

Two benchmarks over the spoken corpus (`tests/corpus/early_answer.py`), in
its home (`tests/corpus/home.py`), against the local server:

- `bench_early_answer`: every utterance is said in real time to an
  `assist_pipeline/run` (`benchmarks/playback.py`), in each mode and each
  variant of the entry's options, and the end of speech → text time is
  printed per kind of case, p50 / p90, with the share of texts that are not
  the command the user finished (for an early answer: the false-early rate),
  and for the words after a command, per pause length. Short-stream and
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

Environment: BENCH_MODES (default all three), BENCH_VARIANTS (default "off";
the option's other settings join `VARIANTS` when it exists), BENCH_PER_KIND
(utterances of each kind and language, default all), BENCH_WINDOWS,
BENCH_QUIET_MS, and BENCH_FINAL_DELAY_MS: how long the local server takes to
send each final result (default 0; Huawei's own time to a final result is not
in the figures otherwise, and an early answer does not wait for it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import os
from typing import Any, Final, Protocol

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
from custom_components.huawei_cloud_sis.command_check import CommandChecker
from custom_components.huawei_cloud_sis.const import CONF_MODE
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
VARIANTS: Final[dict[str, dict[str, Any]]] = {"off": {}}
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
CHOSEN_VARIANTS: Final = _listed("BENCH_VARIANTS", VARIANTS, "off")
PER_KIND: Final = int(os.environ.get("BENCH_PER_KIND", "0"))
WINDOWS: Final = [int(ms) for ms in os.environ.get("BENCH_WINDOWS", "0").split(",")]
QUIET_MS: Final = int(os.environ.get("BENCH_QUIET_MS", "0"))
FINAL_DELAY_MS: Final = int(os.environ.get("BENCH_FINAL_DELAY_MS", "0"))


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


def print_played(mode: str, variant: str, played: list[Played]) -> None:
    """The end of speech → text table of one mode and variant."""

    def cells(items: list[Played]) -> list[str]:
        latencies = [p.latency_ms for p in items if p.latency_ms is not None]
        vad = [(p.vad_end_at - p.end_of_speech) * 1000 for p in items if p.vad_end_at]
        wrong = sum(not p.right for p in items)
        return [_ms(latencies, 50), _ms(latencies, 90), _ms(vad, 50), _share(wrong, len(items))]

    delay = f", final results {FINAL_DELAY_MS} ms late" if FINAL_DELAY_MS else ""
    title = f"{mode}, option {variant}: end of speech to text, real time{delay}"
    columns = ["p50 ms", "p90 ms", "voice detection ended, p50 ms", "not the command"]
    _table(title, columns, played, cells)
    for p in played:
        if not p.right or p.error:
            said = f"{p.spoken.name} said {p.spoken.command!r}"
            print(f"    {mode} {variant}: {said}: {p.text!r} {p.error or ''}")


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
    played: list[Played] = []
    with speech_detector():
        for spoken in corpus():
            with revisions_on(sis_server, spoken):
                played.append(await play_pipeline(ws, pipelines[spoken.language], spoken))
            await hass.async_block_till_done()
    await ws.close()
    print_played(mode, variant, played)


class Earliest:
    """The earliest possible answer of one utterance, for one window."""

    def __init__(self, spoken: Spoken, heard: Heard | None, window_ms: int) -> None:
        """`heard`: the partial text that would be answered (None: never)."""
        self.spoken = spoken
        self.heard = heard
        self.at_ms = None if heard is None else heard.at_ms + window_ms
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

    Quiet: no word is said in the window, nor in the `quiet_ms` before its end.
    """
    for index, (heard, is_early) in enumerate(zip(timeline, early, strict=True)):
        if not is_early:
            continue
        changed = timeline[index + 1].at_ms if index + 1 < len(timeline) else None
        until = heard.at_ms + window_ms
        if window_ms and (
            (changed is not None and changed <= until)
            or _talking(spoken, min(heard.at_ms, until - quiet_ms), until)
        ):
            continue
        return Earliest(spoken, heard, window_ms)
    return Earliest(spoken, None, window_ms)


def print_earliest(mode: str, window_ms: int, found: list[Earliest]) -> None:
    """The earliest-possible-answer table of one mode and window, and the false-early cases."""

    def cells(items: list[Earliest]) -> list[str]:
        times = [e.after_speech_ms for e in items if e.after_speech_ms is not None and not e.false]
        false = sum(e.false for e in items)
        return [str(len(times)), _ms(times, 50), _ms(times, 90), _share(false, len(items))]

    quiet = f", quiet for {max(window_ms, QUIET_MS)} ms" if window_ms else ""
    window = f", stable for {window_ms} ms{quiet}" if window_ms else ""
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
            timeline = await interim_timeline(http, sis_server, spoken, mode, config)
            early = [(await checker.async_check(spoken.language, h.text)).early for h in timeline]
            timelines.append((spoken, timeline, early))
    stop()
    for window_ms in WINDOWS:
        found = [earliest(*item, window_ms, QUIET_MS) for item in timelines]
        print_earliest(mode, window_ms, found)
