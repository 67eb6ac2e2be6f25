"""Streamed replies through the text-to-speech entity, timed (run by `bench_tts`).

A conversation agent writes a reply a few characters at a time; Home Assistant's
pipeline hands the text over once it passes 60 characters, then each piece as it
comes. Measured at the reader of Home Assistant's result stream:

- from the first 60 characters handed over to the first audio byte;
- from the last text piece to the last audio byte;

for a Mandarin (zh-CN) reply, and for the same reply written in Traditional characters
by a zh-TW assistant, which the entity converts to Simplified as it streams in (the two
taken in turns).

And the wait a refused voice adds: a one-sentence reply handed over whole, asked
in a voice the service refuses, the first time (refused, then spoken in the
default voice) and once the refusal is remembered, against the same reply in a
voice the service takes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import os
import statistics
import time

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.huawei_cloud_sis.learned_voices import LearnedVoices
from tests.helpers.speak import WAV_HEADER, stream, texts
from tests.sis_server import SisServer

RUNS = int(os.environ.get("BENCH_RUNS", "100"))
REPLY = (
    "好的，我已经把客厅的灯打开了，亮度调到百分之六十。"
    "现在室外气温十八度，有小雨，出门记得带伞。"
    "另外，你的日历上今天下午三点有一个会议，需要我提前十五分钟提醒你吗？"
    "如果还有别的事情，随时告诉我。"
)
REPLY_TAIWAN = (
    "好的，我已經把客廳的燈打開了，亮度調到百分之六十。"
    "現在室外氣溫十八度，有小雨，出門記得帶傘。"
    "另外，你的日曆上今天下午三點有一個會議，需要我提前十五分鐘提醒你嗎？"
    "如果還有別的事情，隨時告訴我。"
)
"""The same reply as a zh-TW pipeline writes it: converted back to `REPLY` before it is sent."""
FIRST = 60
"""The pipeline starts streaming to the engine once the reply passes this many characters."""
PIECE = 4
PIECE_INTERVAL = 0.02
"""A conversation agent writing about 200 characters a second."""


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _one(hass: HomeAssistant, language: str, reply: str) -> tuple[float, float]:
    handed: dict[str, float] = {}

    async def agent() -> AsyncGenerator[str]:
        first = reply[: FIRST + 1]
        handed["first"] = time.perf_counter()
        yield first
        for start in range(len(first), len(reply), PIECE):
            await asyncio.sleep(PIECE_INTERVAL)
            handed["last"] = time.perf_counter()
            yield reply[start : start + PIECE]

    result = stream(hass, language=language)
    result.async_set_message_stream(texts(agent()))
    first_audio = last_audio = 0.0
    received = 0
    async for chunk in result.async_stream_result():
        received += len(chunk)
        if not first_audio and received > WAV_HEADER:
            first_audio = time.perf_counter()
        last_audio = time.perf_counter()
    return first_audio - handed["first"], last_audio - handed["last"]


async def bench_streamed_reply(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    replies = {"zh-CN": REPLY, "zh-TW": REPLY_TAIWAN}
    times: dict[str, tuple[list[float], list[float]]] = {tag: ([], []) for tag in replies}
    for _ in range(RUNS):
        # Taken in turns, so that the machine's load weighs on both alike.
        for language, reply in replies.items():
            first, last = await _one(hass, language, reply)
            times[language][0].append(first * 1000)
            times[language][1].append(last * 1000)
    # Both replies reach the service in Simplified characters.
    assert all(record.text and record.text in REPLY for record in sis_server.syntheses)
    pieces = len(sis_server.syntheses) / RUNS / len(replies)
    print()
    print(
        f"| Streamed reply ({len(REPLY)} characters, {pieces:.1f} syntheses each, {RUNS} runs) "
        "| p50 | p99 |"
    )
    print("| --- | --- | --- |")
    for language, (firsts, lasts) in times.items():
        written = "converted from Traditional characters" if language != "zh-CN" else "as written"
        for name, values in (
            (f"{language} ({written}): first 60 characters handed over to the first audio byte",
             firsts),
            (f"{language}: last text piece to the last audio byte", lasts),
        ):  # fmt: skip
            print(
                f"| {name} | {statistics.median(values):.2f} ms "
                f"| {_quantile(values, 0.99):.2f} ms |"
            )


SENTENCE = "好的，客厅的灯已经打开了。"
TAKEN = "chinese_xiaoqi_common"
"""The Mandarin default: every real-time page names it."""
REFUSED = "chinese_huaxiaoxia_common"
"""A voice of Huawei's voice list that no real-time page names: the local server refuses it."""


async def _first_audio(hass: HomeAssistant, voice: str) -> float:
    """Hand a whole sentence over; return the seconds to its first audio byte."""

    async def whole() -> AsyncGenerator[str]:
        yield SENTENCE

    result = stream(hass, language="zh-CN", voice=voice)
    began = time.perf_counter()
    result.async_set_message_stream(texts(whole()))
    first = 0.0
    received = 0
    async for chunk in result.async_stream_result():
        received += len(chunk)
        if not first and received > WAV_HEADER:
            first = time.perf_counter()
    return first - began


async def bench_refused_voice(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    runtime = loaded_entry.runtime_data
    rows: dict[str, list[float]] = {"taken": [], "first": [], "remembered": []}
    for _ in range(RUNS):
        rows["taken"].append(await _first_audio(hass, TAKEN) * 1000)
        runtime.voices = LearnedVoices(hass, loaded_entry)  # nothing learned yet
        rows["first"].append(await _first_audio(hass, REFUSED) * 1000)
        rows["remembered"].append(await _first_audio(hass, REFUSED) * 1000)
    refusals = sum(1 for r in sis_server.syntheses if r.sent and r.sent[0]["resp_type"] == "ERROR")
    assert refusals == RUNS, refusals  # refused once per run, never once remembered
    taken = statistics.median(rows["taken"])
    print()
    print(f"| Reply of one sentence handed over whole ({RUNS} runs) | p50 | p99 | added (p50) |")
    print("| --- | --- | --- | --- |")
    for name, key in (
        ("Voice taken: to the first audio byte", "taken"),
        ("Voice refused, the first time: refused, then spoken in the default voice", "first"),
        ("Voice refused, remembered: spoken in the default voice at once", "remembered"),
    ):
        values = rows[key]
        median = statistics.median(values)
        print(
            f"| {name} | {median:.2f} ms | {_quantile(values, 0.99):.2f} ms "
            f"| {median - taken:+.2f} ms |"
        )
