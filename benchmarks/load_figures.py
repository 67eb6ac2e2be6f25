"""Load figures of the entity, run by `benchmarks/bench_load.py` through pytest (not a test).

Home Assistant runs in the main thread with the integration; the SIS emulator runs
in a thread of its own, so the main thread's CPU time is Home Assistant's and the
integration's alone. Audio is handed over in real-time 10 ms chunks, as the assist
pipeline does. It prints tables and asserts only that every text is right.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import gc
import os
from pathlib import Path
import sys
import time

from homeassistant.components import stt
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from benchmarks.bench_client import ServerThread, percentile
from benchmarks.entity_latency import METADATA
from custom_components.huawei_cloud_sis.const import CONF_MODE, CONF_VAD_TAIL, DOMAIN
from tests.helpers.entry import PROJECT_ID, entry_data
from tests.sis_server import RecordedSession, SisServer, decode, silence, synthesize

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
"""Rounds per mode and concurrency; each round runs 1 or 20 recognitions."""
MEMORY_RUNS = int(os.environ.get("BENCH_MEMORY_RUNS", "1000"))
CHUNK = 320
FRAME = 3200
"""Bytes per frame on the wire (100 ms at 16 kHz), the client's default."""
MODES = ("short-stream", "continue-stream", "sentence-stream")
ENTITY_ID = "stt.huawei_cloud_sis_speech_to_text"


@dataclass
class Figures:
    """Measurements of one mode at one concurrency, in seconds."""

    speech_to_text: list[float] = field(default_factory=list)
    own_share: list[float] = field(default_factory=list)
    chunk_to_wire: list[float] = field(default_factory=list)
    audio_seconds: float = 0.0
    cpu_seconds: float = 0.0
    wrong: int = 0


async def paced(audio: bytes, handed: list[float]) -> AsyncIterator[bytes]:
    """Yield 10 ms chunks in real time; note when each one was handed over."""
    began = time.monotonic()
    for index, start in enumerate(range(0, len(audio), CHUNK)):
        await asyncio.sleep(max(0.0, began + index * 0.01 - time.monotonic()))
        handed.append(time.monotonic())
        yield audio[start : start + CHUNK]


def recorded_session(server: SisServer, text: str) -> RecordedSession:
    """The emulator's record of the session that carried `text`."""
    return next(s for s in list(server.sessions) if decode(bytes(s.audio)) == text)


def final_sent_at(recorded: RecordedSession) -> float:
    """When the emulator sent the first final result of a session."""
    return next(
        when
        for message, when in zip(recorded.sent, recorded.sent_times, strict=True)
        if message["resp_type"] == "RESULT" and message["segments"][0]["is_final"]
    )


@dataclass
class Run:
    """What one recognition left to analyse once the timing is over."""

    text: str
    speech_bytes: int
    handed: list[float]
    returned: float = 0.0
    result: str | None = None


async def one(entity: stt.SpeechToTextEntity, mode: str, text: str) -> Run:
    """Recognise one utterance; only note the times (analysis would cost loop time)."""
    speech = synthesize(text, lead_ms=100)
    # After the speech, the satellite's VAD stops the stream 300 ms later; in sentence
    # mode it keeps streaming and the service ends the sentence.
    audio = speech + silence(1500 if mode == "sentence-stream" else 300)
    run = Run(text, len(speech), [])
    result = await entity.internal_async_process_audio_stream(METADATA, paced(audio, run.handed))
    run.returned = time.monotonic()
    run.result = result.text
    return run


def analyse(run: Run, server: SisServer, mode: str, figures: Figures) -> None:
    """Add the figures of one recognition."""
    if run.result != run.text:
        figures.wrong += 1
        return
    handed = run.handed
    figures.speech_to_text.append(run.returned - handed[(run.speech_bytes - 1) // CHUNK])
    recorded = recorded_session(server, run.text)
    if mode == "sentence-stream":
        # The entity returns as soon as the service has ended the sentence.
        figures.own_share.append(run.returned - final_sent_at(recorded))
    else:
        figures.own_share.append(run.returned - handed[-1])
    for number, arrival in enumerate(list(recorded.frame_times)[:-1]):
        completing = ((number + 1) * FRAME - 1) // CHUNK
        if completing < len(handed):
            figures.chunk_to_wire.append(arrival - handed[completing])
    figures.audio_seconds += len(handed) * CHUNK / 32000


async def measure(hass: HomeAssistant, server: SisServer, mode: str, concurrency: int) -> Figures:
    """Run ROUNDS rounds of `concurrency` recognitions at once."""
    entity = stt.async_get_speech_to_text_entity(hass, ENTITY_ID)
    assert entity is not None
    figures = Figures()
    for round_number in range(ROUNDS):
        texts = [f"command {round_number} for room {room}" for room in range(concurrency)]
        cpu = time.thread_time()
        runs = await asyncio.gather(*(one(entity, mode, text) for text in texts))
        await hass.async_block_till_done()
        figures.cpu_seconds += time.thread_time() - cpu
        for run in runs:
            analyse(run, server, mode, figures)
        server.sessions.clear()
    return figures


async def entry_for(hass: HomeAssistant, server: SisServer, mode: str) -> MockConfigEntry:
    """Load an entry pointed at the emulator thread, in `mode`."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Huawei Cloud SIS",
        data=entry_data(server),
        options={CONF_MODE: mode, CONF_VAD_TAIL: 500},
        unique_id=PROJECT_ID,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def resident_kib() -> int:
    """Resident memory of this process (Linux), in KiB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def memory(hass: HomeAssistant, server: SisServer) -> list[tuple[int, int, int, int]]:
    """Recognise MEMORY_RUNS utterances as fast as possible; sample memory on the way."""
    entity = stt.async_get_speech_to_text_entity(hass, ENTITY_ID)
    assert entity is not None
    audio = synthesize("turn on the light", lead_ms=100, tail_ms=300)

    async def whole() -> AsyncIterator[bytes]:
        for start in range(0, len(audio), 4096):
            yield audio[start : start + 4096]

    samples: list[tuple[int, int, int, int]] = []
    for run in range(1, MEMORY_RUNS + 1):
        result = await entity.internal_async_process_audio_stream(METADATA, whole())
        assert result.text == "turn on the light"
        server.sessions.clear()
        if run in {10, 100, MEMORY_RUNS // 2, MEMORY_RUNS}:
            await hass.async_block_till_done()
            gc.collect()
            samples.append(
                (run, resident_kib(), sys.getallocatedblocks(), len(asyncio.all_tasks()))
            )
    return samples


def row(name: str, values: list[float]) -> str:
    """A table row of p50 and p99 in milliseconds."""
    if not values:
        return f"| {name} | - | - |"
    return f"| {name} | {percentile(values, 50) * 1000:.2f} | {percentile(values, 99) * 1000:.2f} |"


async def bench_load(hass: HomeAssistant, socket_enabled: None) -> None:
    """Print the latency table per mode and concurrency, then memory over many runs."""
    # The test harness turns asyncio's debug mode on, which Home Assistant never runs
    # with and which costs several times the integration's own CPU time.
    asyncio.get_running_loop().set_debug(False)
    lines = [
        (
            "| mode | at once | runs | end of speech to text p50 / p99 (ms) "
            "| integration's share p50 / p99 (ms) | chunk to wire p50 / p99 (ms) "
            "| CPU per audio s (ms) |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    with ServerThread() as server:
        for mode in MODES:
            entry = await entry_for(hass, server, mode)
            for concurrency in (1, 20):
                figures = await measure(hass, server, mode, concurrency)
                assert figures.wrong == 0, f"{figures.wrong} wrong transcripts"
                speech = [percentile(figures.speech_to_text, p) * 1000 for p in (50, 99)]
                own = [percentile(figures.own_share, p) * 1000 for p in (50, 99)]
                wire = [percentile(figures.chunk_to_wire, p) * 1000 for p in (50, 99)]
                cpu = figures.cpu_seconds / figures.audio_seconds * 1000
                lines.append(
                    f"| {mode} | {concurrency} | {len(figures.speech_to_text)} "
                    f"| {speech[0]:.0f} / {speech[1]:.0f} | {own[0]:.2f} / {own[1]:.2f} "
                    f"| {wire[0]:.2f} / {wire[1]:.2f} | {cpu:.2f} |"
                )
            if mode == "short-stream":
                samples = await memory(hass, server)
            assert await hass.config_entries.async_unload(entry.entry_id)
            await hass.config_entries.async_remove(entry.entry_id)
    print()
    print(f"{ROUNDS} rounds per row, real-time 10 ms chunks, emulator on loopback.")
    print("End of speech to text includes the 300 ms the satellite streams after the speech")
    print("(short, continue) or the service's 500 ms vad_tail (sentence). The integration's")
    print("share: end of stream to text (short, continue), final result to text (sentence).")
    print("\n".join(lines))
    print()
    print(f"short-stream, {MEMORY_RUNS} runs one after the other, as fast as possible")
    print("| after run | resident memory (MiB) | Python memory blocks | asyncio tasks |")
    print("| --- | --- | --- | --- |")
    for run, rss, blocks, tasks in samples:
        print(f"| {run} | {rss / 1024:.1f} | {blocks} | {tasks} |")
