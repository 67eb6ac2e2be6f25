"""Load figures of the entity, run by `benchmarks/bench_load.py` through pytest (not a test).

Home Assistant runs in the main thread with the integration; the SIS emulator runs
in a process of its own, so the main thread's CPU time is Home Assistant's and the
integration's alone. Audio is handed over in real-time 10 ms chunks, as the assist
pipeline does. Each row is run twice: with the entity, and with a speech-to-text
entity that only reads the stream (the baseline: Home Assistant's and the audio
source's own work); the integration's CPU is the difference. It prints tables and
asserts only that every text is right.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
import gc
import os
from pathlib import Path
import sys
import time

from homeassistant.components import stt
from homeassistant.components.stt.const import DATA_COMPONENT as STT_COMPONENT
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from benchmarks.bench_client import percentile
from benchmarks.emulator_process import EmulatorProcess, Recorded
from benchmarks.entity_latency import METADATA
from custom_components.huawei_cloud_sis.const import CONF_MODE, CONF_VAD_TAIL, DOMAIN
from tests.helpers.entry import PROJECT_ID, entry_data
from tests.sis_server import silence, synthesize

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
"""Rounds per mode and concurrency; each round runs 1 or 20 recognitions."""
MEMORY_RUNS = int(os.environ.get("BENCH_MEMORY_RUNS", "1000"))
CHUNK = 320
LEAD_MS = 1000
"""Silence before the words of a command."""
FRAME = 3200
"""Bytes per frame on the wire (100 ms at 16 kHz), the client's default."""
MODES = ("short-stream", "continue-stream", "sentence-stream")
ENTITY_ID = "stt.huawei_cloud_sis_speech_to_text"


class DoNothing(stt.SpeechToTextEntity):
    """Reads the stream and answers nothing: what any engine costs at the least."""

    _attr_name = "Do nothing"
    _attr_supported_languages = ["en-US"]  # noqa: RUF012 - as Home Assistant declares them
    _attr_supported_formats = [stt.AudioFormats.WAV]  # noqa: RUF012
    _attr_supported_codecs = [stt.AudioCodecs.PCM]  # noqa: RUF012
    _attr_supported_bit_rates = [stt.AudioBitRates.BITRATE_16]  # noqa: RUF012
    _attr_supported_sample_rates = [stt.AudioSampleRates.SAMPLERATE_16000]  # noqa: RUF012
    _attr_supported_channels = [stt.AudioChannels.CHANNEL_MONO]  # noqa: RUF012

    @property
    def supported_languages(self) -> list[str]:
        """The benchmark's language."""
        return self._attr_supported_languages

    @property
    def supported_formats(self) -> list[stt.AudioFormats]:
        """WAV."""
        return self._attr_supported_formats

    @property
    def supported_codecs(self) -> list[stt.AudioCodecs]:
        """PCM."""
        return self._attr_supported_codecs

    @property
    def supported_bit_rates(self) -> list[stt.AudioBitRates]:
        """16 bits."""
        return self._attr_supported_bit_rates

    @property
    def supported_sample_rates(self) -> list[stt.AudioSampleRates]:
        """16 kHz."""
        return self._attr_supported_sample_rates

    @property
    def supported_channels(self) -> list[stt.AudioChannels]:
        """Mono."""
        return self._attr_supported_channels

    async def async_process_audio_stream(
        self, metadata: stt.SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> stt.SpeechResult:
        """Read every chunk; answer with no text."""
        async for _chunk in stream:
            pass
        return stt.SpeechResult("", stt.SpeechResultState.SUCCESS)


@dataclass
class Figures:
    """Measurements of one mode at one concurrency, in seconds."""

    speech_to_text: list[float] = field(default_factory=list)
    own_share: list[float] = field(default_factory=list)
    chunk_to_wire: list[float] = field(default_factory=list)
    audio_seconds: float = 0.0
    cpu_seconds: float = 0.0
    baseline_cpu_seconds: float = 0.0
    """The same rounds with the do-nothing entity, which reads every chunk."""
    baseline_audio_seconds: float = 0.0
    wrong: int = 0


async def paced(audio: bytes, handed: list[float], phase: float) -> AsyncIterator[bytes]:
    """Yield 10 ms chunks in real time; note when each one was handed over.

    Satellites do not speak in step: each stream's chunks come `phase` seconds
    (within 10 ms) after the start, so that the streams' timers do not all fall
    into the same turn of the event loop, for the baseline as for the entity.
    """
    began = time.monotonic() + phase
    for index, start in enumerate(range(0, len(audio), CHUNK)):
        await asyncio.sleep(max(0.0, began + index * 0.01 - time.monotonic()))
        handed.append(time.monotonic())
        yield audio[start : start + CHUNK]


@dataclass
class Run:
    """What one recognition left to analyse once the timing is over."""

    text: str
    speech_bytes: int
    handed: list[float]
    returned: float = 0.0
    result: str | None = None


async def one(entity: stt.SpeechToTextEntity, mode: str, text: str, phase: float) -> Run:
    """Recognise one utterance; only note the times (analysis would cost loop time)."""
    # About two seconds, as a spoken command: a pause after the wake word, the words
    # (10 ms per byte in the emulator's codec), then what follows them. After the
    # speech the satellite's VAD stops the stream 300 ms later; in sentence mode it
    # keeps streaming and the service ends the sentence.
    speech = synthesize(text, lead_ms=LEAD_MS)
    audio = speech + silence(1500 if mode == "sentence-stream" else 300)
    run = Run(text, len(speech), [])
    stream = paced(audio, run.handed, phase)
    result = await entity.internal_async_process_audio_stream(METADATA, stream)
    run.returned = time.monotonic()
    run.result = result.text
    return run


def analyse(run: Run, recorded: Recorded, mode: str, figures: Figures) -> None:
    """Add the figures of one recognition."""
    if run.result != run.text:
        figures.wrong += 1
        return
    handed = run.handed
    figures.speech_to_text.append(run.returned - handed[(run.speech_bytes - 1) // CHUNK])
    if mode == "sentence-stream":
        # The entity returns as soon as the service has ended the sentence.
        assert recorded.final_sent_at is not None
        figures.own_share.append(run.returned - recorded.final_sent_at)
    else:
        # End of stream to text, less the emulator's time from END to its answer.
        assert recorded.end_received_at is not None
        assert recorded.answered_at is not None
        server_time = recorded.answered_at - recorded.end_received_at
        figures.own_share.append(run.returned - handed[-1] - server_time)
    for number, arrival in enumerate(recorded.frame_times[:-1]):
        completing = ((number + 1) * FRAME - 1) // CHUNK
        if completing < len(handed):
            figures.chunk_to_wire.append(arrival - handed[completing])
    figures.audio_seconds += len(handed) * CHUNK / 32000


async def measure(
    hass: HomeAssistant,
    server: EmulatorProcess,
    baseline: stt.SpeechToTextEntity,
    mode: str,
    concurrency: int,
) -> Figures:
    """Run ROUNDS rounds of `concurrency` recognitions at once, and the same for the baseline."""
    entity = stt.async_get_speech_to_text_entity(hass, ENTITY_ID)
    assert entity is not None
    figures = Figures()
    for round_number in range(ROUNDS):
        texts = [f"command {round_number} for room {room}" for room in range(concurrency)]
        cpu = time.thread_time()
        phases = [0.01 * room / concurrency for room in range(concurrency)]
        base_runs = await asyncio.gather(
            *(one(baseline, mode, text, phase) for text, phase in zip(texts, phases, strict=True))
        )
        await hass.async_block_till_done()
        figures.baseline_cpu_seconds += time.thread_time() - cpu
        figures.baseline_audio_seconds += sum(len(run.handed) for run in base_runs) * CHUNK / 32000
        cpu = time.thread_time()
        runs = await asyncio.gather(
            *(one(entity, mode, text, phase) for text, phase in zip(texts, phases, strict=True))
        )
        await hass.async_block_till_done()
        figures.cpu_seconds += time.thread_time() - cpu
        records = {record.text: record for record in server.records()}
        for run in runs:
            analyse(run, records[run.text], mode, figures)
    return figures


async def entry_for(hass: HomeAssistant, server: EmulatorProcess, mode: str) -> MockConfigEntry:
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


async def memory(hass: HomeAssistant, server: EmulatorProcess) -> list[tuple[int, int, int, int]]:
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
        if run % 100 == 0:
            server.records()
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
            "| CPU per audio s: all / baseline / integration (ms) |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    assert await async_setup_component(hass, "stt", {})
    baseline = DoNothing()
    await hass.data[STT_COMPONENT].async_add_entities([baseline])
    with EmulatorProcess() as server:
        for mode in MODES:
            entry = await entry_for(hass, server, mode)
            for concurrency in (1, 20):
                figures = await measure(hass, server, baseline, mode, concurrency)
                assert figures.wrong == 0, f"{figures.wrong} wrong transcripts"
                speech = [percentile(figures.speech_to_text, p) * 1000 for p in (50, 99)]
                own = [percentile(figures.own_share, p) * 1000 for p in (50, 99)]
                wire = [percentile(figures.chunk_to_wire, p) * 1000 for p in (50, 99)]
                # Per stream: the audio seconds of all the streams that ran.
                cpu = figures.cpu_seconds / figures.audio_seconds * 1000
                base = figures.baseline_cpu_seconds / figures.baseline_audio_seconds * 1000
                lines.append(
                    f"| {mode} | {concurrency} | {len(figures.speech_to_text)} "
                    f"| {speech[0]:.0f} / {speech[1]:.0f} | {own[0]:.2f} / {own[1]:.2f} "
                    f"| {wire[0]:.2f} / {wire[1]:.2f} | {cpu:.2f} / {base:.2f} / {cpu - base:.2f} |"
                )
            if mode == "short-stream":
                samples = await memory(hass, server)
            assert await hass.config_entries.async_unload(entry.entry_id)
            await hass.config_entries.async_remove(entry.entry_id)
    print()
    print(f"{ROUNDS} rounds per row, real-time 10 ms chunks, emulator on loopback.")
    print("End of speech to text includes the 300 ms the satellite streams after the speech")
    print("(short, continue) or the service's 500 ms vad_tail (sentence). The integration's")
    print("share: end of stream to text less the emulator's time from END to its answer")
    print("(short, continue), final result to text (sentence). CPU per audio second of each")
    print("stream: all of the main thread, the same with the do-nothing entity, and the")
    print("difference, which is the integration's.")
    print("\n".join(lines))
    print()
    print(f"short-stream, {MEMORY_RUNS} runs one after the other, as fast as possible")
    print("| after run | resident memory (MiB) | Python memory blocks | asyncio tasks |")
    print("| --- | --- | --- | --- |")
    for run, rss, blocks, tasks in samples:
        print(f"| {run} | {rss / 1024:.1f} | {blocks} | {tasks} |")
