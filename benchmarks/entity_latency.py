"""Entity-level latency, run by `benchmarks/bench_entity.py` through pytest (not a test).

It needs Home Assistant's test harness (the `hass` fixture) and the fixtures of
`tests/conftest.py`; it prints figures and asserts only that the text is right.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import os
import time

from homeassistant.components import stt
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from benchmarks.bench_client import percentile
from custom_components.huawei_cloud_sis.const import CONF_MODE
from tests.sis_server import SisServer, silence, synthesize

RUNS = int(os.environ.get("BENCH_RUNS", "200"))
CHUNK = 320
TEXT = "turn on the light"
METADATA = stt.SpeechMetadata(
    language="en-US",
    format=stt.AudioFormats.WAV,
    codec=stt.AudioCodecs.PCM,
    bit_rate=stt.AudioBitRates.BITRATE_16,
    sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
    channel=stt.AudioChannels.CHANNEL_MONO,
)


async def _paced(audio: bytes, marks: dict[str, float]) -> AsyncIterator[bytes]:
    """Yield 10 ms chunks in real time, as the assist pipeline does; note when it ends."""
    began = time.monotonic()
    for index, start in enumerate(range(0, len(audio), CHUNK)):
        await asyncio.sleep(max(0.0, began + index * 0.01 - time.monotonic()))
        yield audio[start : start + CHUNK]
    marks["stream_end"] = time.monotonic()


def _row(name: str, values: list[float]) -> str:
    return f"| {name} | {percentile(values, 50) * 1000:.2f} | {percentile(values, 99) * 1000:.2f} |"


@pytest.mark.parametrize(
    "options",
    [{CONF_MODE: "short-stream"}, {CONF_MODE: "sentence-stream"}],
    ids=["short", "sentence"],
)
async def bench_entity(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    options: dict[str, str],
) -> None:
    """Recognise RUNS utterances one after the other and print the latency figures."""
    entity = stt.async_get_speech_to_text_entity(hass, "stt.huawei_cloud_sis_speech_to_text")
    assert entity is not None
    sentence = options[CONF_MODE] == "sentence-stream"
    # In sentence mode Home Assistant keeps streaming: the service ends the sentence.
    audio = synthesize(TEXT, lead_ms=100, tail_ms=300) + (silence(1500) if sentence else b"")
    after_end: list[float] = []
    after_final: list[float] = []
    for _ in range(RUNS):
        marks: dict[str, float] = {}
        result = await entity.internal_async_process_audio_stream(METADATA, _paced(audio, marks))
        returned = time.monotonic()
        assert result.text == TEXT
        recorded = sis_server.sessions[-1]
        if sentence:
            final = next(
                when
                for message, when in zip(recorded.sent, recorded.sent_times, strict=True)
                if message["resp_type"] == "RESULT" and message["segments"][0]["is_final"]
            )
            after_final.append(returned - final)
        else:
            after_end.append(returned - marks["stream_end"])
        await hass.async_block_till_done()
    print()
    print(f"{options[CONF_MODE]}, {RUNS} runs, real-time 10 ms chunks")
    print("| figure | p50 (ms) | p99 (ms) |")
    print("| --- | --- | --- |")
    if sentence:
        print(_row("server's final result to returned result", after_final))
    else:
        print(_row("end of Home Assistant's stream to returned result", after_end))
