"""Ending a stream at the end of the spoken command, for an engine that needs to be told."""

from __future__ import annotations

from collections.abc import AsyncIterator

from custom_components.huawei_cloud_sis.end_of_speech import (
    CommandSegmenter,
    is_quiet,
    is_speech,
    until_end_of_speech,
)
from tests.helpers.recognise import wav_file
from tests.sis_server import silence, synthesize


def test_loudness_decides_speech() -> None:
    assert is_speech(synthesize("a")[:320])
    assert not is_speech(silence(10))
    assert not is_speech(b"")


def test_silence_is_quiet_and_speech_is_not() -> None:
    assert is_quiet(silence(500), sample_rate=16000)
    assert is_quiet(b"", sample_rate=16000)
    assert is_quiet(silence(15) + b"\x01", sample_rate=16000)  # an odd byte is left out
    # Speech anywhere in the stretch makes it not quiet, however short.
    assert not is_quiet(silence(400) + synthesize("a") + silence(400), sample_rate=16000)
    assert not is_quiet(synthesize("on"), sample_rate=8000)
    # The threshold sits between a room's noise and the quietest speech.
    assert is_quiet(_tone(150), sample_rate=16000)
    assert not is_quiet(_tone(250), sample_rate=16000)


def _tone(level: int) -> bytes:
    """Return 100 ms of a square wave of amplitude `level`."""
    return b"".join(
        int(level if n % 20 < 10 else -level).to_bytes(2, "little", signed=True)
        for n in range(1600)
    )


def test_the_timings_of_home_assistants_segmenter() -> None:
    segmenter = CommandSegmenter()
    assert all(segmenter.process(10, speech=False) for _ in range(100))  # silence first
    assert all(segmenter.process(10, speech=True) for _ in range(30))
    assert segmenter.in_command
    # Silence ends it only once the command lasted a second and 0.7 s were silent.
    results = [segmenter.process(10, speech=False) for _ in range(70)]
    assert results[-1] is False
    assert all(results[:-1])


def test_a_command_that_never_ends_stops_at_fifteen_seconds() -> None:
    segmenter = CommandSegmenter()
    results = [segmenter.process(10, speech=True) for _ in range(1500)]
    assert results[-1] is False
    assert all(results[:-1])


async def _chunks(audio: bytes, size: int = 333) -> AsyncIterator[bytes]:
    for start in range(0, len(audio), size):
        yield audio[start : start + size]


async def test_the_stream_ends_after_the_command() -> None:
    speech = synthesize("打开客厅的灯" * 4, lead_ms=300)
    audio = wav_file(speech + silence(5000))
    out = b"".join(
        [chunk async for chunk in until_end_of_speech(_chunks(audio), sample_rate=16000)]
    )
    assert audio.startswith(out)
    assert len(speech) + 44 < len(out) < len(speech) + 44 + 32000  # within a second of silence


async def test_a_stream_without_speech_ends_at_its_end() -> None:
    audio = silence(500)
    out = [chunk async for chunk in until_end_of_speech(_chunks(audio), sample_rate=16000)]
    assert b"".join(out) == audio
