"""Read an audio stream once, and hand it out twice: live now, and from the start later.

The live reader feeds Huawei Cloud. If Huawei Cloud fails, a second reader
replays what was kept from the start and then goes on with the live stream,
for another speech-to-text engine. One task reads the stream, so that a reader
that is cancelled (Huawei Cloud's session closing) never cancels the stream
itself, which the second reader still needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable


class AudioCopy:
    """Keep up to `limit` bytes of a stream while a task reads it for its readers.

    `reader()` and `replay()` both start at the first byte; `replay()` can
    only be used while `complete` is true, i.e. nothing was dropped for the
    limit. `close()` stops reading and closes the stream.
    """

    def __init__(self, source: AsyncIterable[bytes], *, limit: int, name: str) -> None:
        """Read `source` in the background, keeping at most `limit` bytes for a replay."""
        self._source = source
        self._limit = limit
        self._chunks: list[bytes] = []
        self._first = 0
        """Position in the stream of `_chunks[0]` (chunks before it were dropped)."""
        self._held = 0
        self._live = 0
        """Position of the live reader."""
        self._ended = False
        self._error: Exception | None = None
        self._arrived = asyncio.Event()
        self.complete = True
        """Every byte read so far is still held."""
        self._task = asyncio.get_running_loop().create_task(self._pump(), name=name)

    @property
    def held(self) -> int:
        """Bytes held for a replay."""
        return self._held

    async def _pump(self) -> None:
        try:
            async for chunk in self._source:
                self._chunks.append(chunk)
                self._held += len(chunk)
                if self._held > self._limit:
                    self._drop()
                self._arrived.set()
                self._arrived.clear()
        except Exception as err:  # noqa: BLE001 - the readers raise it
            self._error = err
        finally:
            self._ended = True
            self._arrived.set()

    def _drop(self) -> None:
        """Over the limit: no replay is possible; keep only what the live reader lacks."""
        self.complete = False
        keep = self._live - self._first
        del self._chunks[:keep]
        self._first = self._live
        self._held = sum(len(chunk) for chunk in self._chunks)

    async def _chunk(self, position: int) -> bytes | None:
        """Return the chunk at `position`, waiting for it; None at the end of the stream."""
        while position >= self._first + len(self._chunks):
            if self._ended:
                if self._error is not None:
                    raise self._error
                return None
            await self._arrived.wait()
        return self._chunks[position - self._first]

    async def reader(self) -> AsyncGenerator[bytes]:
        """Yield the stream from its first byte, as it arrives."""
        while (chunk := await self._chunk(self._live)) is not None:
            self._live += 1
            if not self.complete:
                self._drop()
            yield chunk

    async def replay(self) -> AsyncGenerator[bytes]:
        """Yield what was kept from the first byte, then the rest as it arrives."""
        if not self.complete:
            raise RuntimeError("The copy is incomplete")
        position = 0
        while (chunk := await self._chunk(position)) is not None:
            position += 1
            yield chunk

    async def close(self) -> None:
        """Stop reading; close the stream; drop what was kept."""
        if not self._task.done():
            self._task.cancel()
            await asyncio.wait([self._task])
        if (aclose := getattr(self._source, "aclose", None)) is not None:
            await aclose()
        self._chunks.clear()
        self._held = 0
