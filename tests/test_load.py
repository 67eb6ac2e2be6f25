"""Many recognitions at once, and many in a row: every result right, nothing piling up.

Only counts are asserted here; how fast it all goes is measured by
benchmarks/bench_load.py, never by a test.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from homeassistant.core import HomeAssistant
import pytest

from tests.helpers.checks import our_tasks, wait_for
from tests.helpers.recognise import (
    CHUNK,
    PHRASES,
    HttpClient,
    chunks,
    needs_chunked_http_body,
    recognise,
)
from tests.sis_server import Fault, SisServer, decode, synthesize


def open_descriptors() -> int:
    """File descriptors of this process (sockets among them)."""
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def peak_in_flight(server: SisServer) -> int:
    """The most sessions that were receiving audio at the same moment."""
    edges = [(session.frame_times[0], 1) for session in server.sessions]
    edges += [(session.frame_times[-1], -1) for session in server.sessions]
    level = peak = 0
    for _, step in sorted(edges, key=lambda edge: (edge[0], -edge[1])):
        level += step
        peak = max(peak, level)
    return peak


@needs_chunked_http_body
@pytest.mark.parametrize(
    "options",
    [{"mode": "short-stream"}, {"mode": "continue-stream"}],
    ids=["short-stream", "continue-stream"],
)
async def test_twenty_at_once_each_get_their_own_text(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer
) -> None:
    assert len(set(PHRASES)) == 20
    audio = [synthesize(phrase, lead_ms=200, tail_ms=600) for phrase in PHRASES]
    # Small pieces that yield to the loop: the twenty streams interleave on the wire.
    answers = await asyncio.gather(*(recognise(client, chunks(pcm, CHUNK)) for pcm in audio))
    assert [answer["text"] for answer in answers] == PHRASES
    assert len(sis_server.sessions) == 20
    heard = [decode(bytes(session.audio)) or "" for session in sis_server.sessions]
    assert sorted(heard) == sorted(PHRASES)
    assert peak_in_flight(sis_server) == 20
    await wait_for(lambda: sis_server.open_connections == 0, "every socket closed")
    await wait_for(lambda: our_tasks() == [], "every task of the integration ended")


async def test_two_hundred_in_a_row_leave_nothing_behind(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer
) -> None:
    async def run(index: int) -> None:
        phrase = PHRASES[index % len(PHRASES)]
        if index % 10 == 9:
            # Every tenth one meets a fault, which must not leak either.
            sis_server.faults.append(Fault.close_after_bytes(3200))
            assert (await recognise(client, synthesize(phrase, tail_ms=300)))["result"] == "error"
        else:
            assert (await recognise(client, synthesize(phrase, tail_ms=300)))["text"] == phrase

    async def settled() -> tuple[int, int]:
        await hass.async_block_till_done()
        await wait_for(lambda: sis_server.open_connections == 0, "every socket closed")
        await wait_for(lambda: our_tasks() == [], "every task of the integration ended")
        return len(asyncio.all_tasks()), open_descriptors()

    for index in range(10):  # warm up: pooled connections, caches, the token
        await run(index)
    tasks_before, descriptors_before = await settled()
    for index in range(10, 210):
        await run(index)
    tasks_after, descriptors_after = await settled()
    assert len(sis_server.sessions) == 210
    assert tasks_after <= tasks_before
    assert descriptors_after <= descriptors_before
