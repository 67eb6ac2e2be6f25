"""The copy of a stream: one live reader, a replay from the start, and its limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from custom_components.huawei_cloud_sis.audio_copy import AudioCopy


class Source:
    """A stream the test feeds chunk by chunk; it knows whether it was closed."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | Exception | None] = asyncio.Queue()
        self.closed = False

    async def stream(self) -> AsyncIterator[bytes]:
        try:
            while (item := await self.queue.get()) is not None:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            self.closed = True


async def take(reader: AsyncIterator[bytes], count: int) -> list[bytes]:
    return [await anext(reader) for _ in range(count)]


async def test_a_cancelled_reader_leaves_the_stream_to_the_replay() -> None:
    source = Source()
    copy = AudioCopy(source.stream(), limit=100, name="test copy")
    live = copy.reader()
    source.queue.put_nowait(b"ab")
    assert await take(live, 1) == [b"ab"]
    waiting = asyncio.ensure_future(anext(live))
    await asyncio.sleep(0)
    waiting.cancel()  # the live reader is cancelled while it waits for the next chunk
    with pytest.raises(asyncio.CancelledError):
        await waiting
    replay = copy.replay()
    assert await take(replay, 1) == [b"ab"]
    source.queue.put_nowait(b"cd")
    source.queue.put_nowait(None)
    assert [chunk async for chunk in replay] == [b"cd"]
    assert copy.held == 4
    await copy.close()
    assert source.closed
    assert copy.held == 0


async def test_past_the_limit_only_the_live_reader_goes_on() -> None:
    source = Source()
    copy = AudioCopy(source.stream(), limit=5, name="test copy")
    live = copy.reader()
    for chunk in (b"abc", b"def", b"ghi"):
        source.queue.put_nowait(chunk)
    assert await take(live, 3) == [b"abc", b"def", b"ghi"]
    assert not copy.complete
    assert copy.held == 0  # nothing the live reader still needs
    with pytest.raises(RuntimeError, match="incomplete"):
        await anext(copy.replay())
    source.queue.put_nowait(b"jk")
    source.queue.put_nowait(None)
    assert [chunk async for chunk in live] == [b"jk"]
    await copy.close()


async def test_a_failing_stream_fails_its_readers() -> None:
    source = Source()
    copy = AudioCopy(source.stream(), limit=100, name="test copy")
    source.queue.put_nowait(b"ab")
    source.queue.put_nowait(OSError("gone"))
    live = copy.reader()
    assert await take(live, 1) == [b"ab"]
    with pytest.raises(OSError, match="gone"):
        await anext(live)
    await copy.close()


async def test_closing_a_copy_whose_stream_ended() -> None:
    async def two() -> AsyncIterator[bytes]:
        yield b"a"
        yield b"b"

    copy = AudioCopy(two(), limit=100, name="test copy")
    assert [chunk async for chunk in copy.reader()] == [b"a", b"b"]
    await copy.close()
    await copy.close()
    assert copy.held == 0
