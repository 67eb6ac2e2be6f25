"""Waits and costs of a failing service, run by `benchmarks/bench_fallback.py` through pytest.

With the client's real time limits (not the tests' short ones), for each way the
service can fail: how long the user waits from the end of the stream to an
answer, without a fallback engine (an error) and with one (its text); how much
of that the fallback adds beyond its own processing; and the memory a stream
holds for the copy the fallback would need. It prints tables and asserts only
that every answer is the expected one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
import os
import time
import tracemalloc
from unittest.mock import patch

from homeassistant.components import stt
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from benchmarks.bench_client import percentile
from custom_components.huawei_cloud_sis.const import CONF_FALLBACK_ENGINE, CONF_SIS_ENDPOINT, DOMAIN
from custom_components.huawei_cloud_sis.sis import Timeouts
from tests.helpers.engines import RecordingEngine, add_engine
from tests.helpers.entry import PROJECT_ID, entry_data
from tests.helpers.pipeline import metadata
from tests.sis_server import Fault, SisServer, silence, synthesize

RUNS = int(os.environ.get("BENCH_RUNS", "10"))
ENTITY_ID = "stt.huawei_cloud_sis_speech_to_text"
CHUNK = 320
METADATA = metadata()
SPEECH = synthesize("打开客厅的灯", lead_ms=1000, tail_ms=300)
"""About 1.5 s: a short command after the wake word."""


@pytest.fixture(autouse=True)
def short_timeouts() -> Iterator[None]:
    """The client's own limits: what a user waits for is the point here."""
    with patch("custom_components.huawei_cloud_sis.TIMEOUTS", Timeouts()):
        yield


class TimedEngine(RecordingEngine):
    """A fallback that notes when its stream ended and when it answered."""

    stream_ended = 0.0
    answered = 0.0

    async def async_process_audio_stream(
        self, metadata: stt.SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> stt.SpeechResult:
        """Read everything, then answer at once."""
        async for chunk in stream:
            self.received += chunk
        self.stream_ended = time.monotonic()
        self.answered = time.monotonic()
        return stt.SpeechResult(self.text, self.result)


async def paced(audio: bytes, marks: dict[str, float]) -> AsyncIterator[bytes]:
    """Hand over 10 ms chunks in real time; note when the stream ends (or is due to end).

    An engine that gives up early stops reading before the end: the wait is then
    counted from when the stream was due to end, and is negative.
    """
    began = time.monotonic()
    marks["end"] = began + (len(audio) // CHUNK) * 0.01
    for index, start in enumerate(range(0, len(audio), CHUNK)):
        await asyncio.sleep(max(0.0, began + index * 0.01 - time.monotonic()))
        yield audio[start : start + CHUNK]
    marks["end"] = time.monotonic()


type Prepare = Callable[[SisServer], None]

CASES: list[tuple[str, bytes, Prepare, str | None]] = [
    ("connection refused (early)", SPEECH, lambda server: None, "refused"),
    (
        "handshake never answered",
        SPEECH,
        lambda server: server.faults.extend([Fault.hang_handshake(), Fault.hang_handshake()]),
        None,
    ),
    (
        "START never answered",
        SPEECH,
        lambda server: server.faults.extend([Fault.no_start_response()] * 2),
        None,
    ),
    (
        "END never answered, no final (late)",
        silence(1500),
        lambda server: server.faults.append(Fault.no_end_response()),
        None,
    ),
    (
        "END never answered after the finals",
        SPEECH,
        lambda server: server.faults.append(Fault.no_end_response()),
        None,
    ),
]


async def entry_for(
    hass: HomeAssistant, server: SisServer, *, endpoint: str | None, fallback: bool
) -> MockConfigEntry:
    """Load an entry (pointed at `endpoint` when given), with or without the fallback."""
    data = entry_data(server)
    if endpoint is not None:
        data[CONF_SIS_ENDPOINT] = endpoint
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Huawei Cloud SIS",
        data=data,
        options={CONF_FALLBACK_ENGINE: "stt.fallback"} if fallback else {},
        unique_id=PROJECT_ID,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def ms(values: list[float]) -> str:
    """p50 / p99 in milliseconds."""
    return f"{percentile(values, 50) * 1000:.0f} / {percentile(values, 99) * 1000:.0f}"


async def bench_fallback(
    hass: HomeAssistant, sis_server: SisServer, socket_enabled: None, unused_tcp_port: int
) -> None:
    """Print the waits per failure, with and without the fallback, and the copy's memory."""
    asyncio.get_running_loop().set_debug(False)
    engine = TimedEngine("fallback")
    await add_engine(hass, engine)
    rows = [
        (
            "| failure | user's wait without a fallback p50 / p99 (ms) "
            "| with the fallback p50 / p99 (ms) | added by falling back p50 / p99 (ms) |"
        ),
        "| --- | --- | --- | --- |",
    ]
    refused = f"ws://127.0.0.1:{unused_tcp_port}"
    for name, audio, prepare, endpoint in CASES:
        waits: dict[bool, list[float]] = {False: [], True: []}
        added: list[float] = []
        for with_fallback in (False, True):
            entry = await entry_for(
                hass, sis_server, endpoint=refused if endpoint else None, fallback=with_fallback
            )
            entity = stt.async_get_speech_to_text_entity(
                hass, "stt.huawei_cloud_sis_speech_to_text"
            )
            assert entity is not None
            for _ in range(RUNS):
                prepare(sis_server)
                marks: dict[str, float] = {}
                result = await entity.internal_async_process_audio_stream(
                    METADATA, paced(audio, marks)
                )
                returned = time.monotonic()
                sis_server.faults.clear()
                waits[with_fallback].append(returned - marks["end"])
                if name.endswith("after the finals"):
                    assert result.text == "打开客厅的灯", name  # the finals are the answer
                elif with_fallback:
                    assert result.text == engine.text, name
                    # The fallback's own part: from its stream's end to its answer.
                    own = engine.answered - engine.stream_ended
                    if engine.stream_ended:
                        added.append(returned - max(marks["end"], engine.stream_ended) - own)
                    engine.stream_ended = 0.0
                await hass.async_block_till_done()
            assert await hass.config_entries.async_unload(entry.entry_id)
            await hass.config_entries.async_remove(entry.entry_id)
        share = ms(added) if added else "no fallback: the finals answer"
        rows.append(f"| {name} | {ms(waits[False])} | {ms(waits[True])} | {share} |")

    # Memory a stream holds for the copy: the same successful recognition, with and without.
    peaks: dict[bool, int] = {}
    for with_fallback in (False, True):
        entry = await entry_for(hass, sis_server, endpoint=None, fallback=with_fallback)
        entity = stt.async_get_speech_to_text_entity(hass, ENTITY_ID)
        assert entity is not None
        tracemalloc.start()
        tracemalloc.reset_peak()
        result = await entity.internal_async_process_audio_stream(METADATA, paced(SPEECH, {}))
        peaks[with_fallback] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result.text == "打开客厅的灯"
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.config_entries.async_remove(entry.entry_id)
    seconds = len(SPEECH) / 32000
    extra = peaks[True] - peaks[False]
    print()
    print(f"{RUNS} runs per cell, real-time 10 ms chunks, the client's own time limits,")
    print("a fallback that answers as soon as its stream ends. The user's wait runs from the")
    print("end of Home Assistant's stream to the answer.")
    print("\n".join(rows))
    print()
    print("| figure | value |")
    print("| --- | --- |")
    print(f"| audio of the recognition | {seconds:.2f} s ({len(SPEECH)} bytes) |")
    print(f"| extra peak memory with a fallback set | {extra / 1024:.1f} KiB |")
    print(f"| per second of audio | {extra / seconds / 1024:.1f} KiB |")
