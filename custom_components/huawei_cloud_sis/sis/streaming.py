"""Speaking text while it is still being written: sentences in, audio out, in order.

A reply arrives in pieces (a conversation agent writes it word by word) and
the service takes one text per connection. `StreamingSynthesis` reads the
text as it comes, cuts it into sentences (`SentenceSplitter`), and starts a
synthesis as soon as a sentence is complete. While the audio of one synthesis
is handed out, the next one is already connecting and synthesising, so its
audio is ready when the first ends; the sentences that complete meanwhile wait
and then go together in one synthesis (fewer calls: each call is billed). At
most two connections are open per reply.

When nothing is being synthesised yet, a long enough clause goes at once
rather than waiting for the end of its sentence: the first words come sooner.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterable, Callable
import contextlib
import logging
from typing import Final

from .errors import SisError, SisSourceError
from .outcome import SynthesisOutcome
from .sentences import SentenceSplitter, speakable
from .synthesis import Synthesis, SynthesisStats

_LOGGER = logging.getLogger(__name__)

OPEN_AT_ONCE: Final = 2
"""Connections per reply: the one being handed out and the next one."""


class StreamingSynthesis:
    """Synthesise text that arrives in pieces; iterate it for the audio.

    `synthesis` makes the (not yet started) `Synthesis` of one piece of text.
    Iterating runs everything; leaving the iteration early (an error, a
    cancellation, `aclose`) closes every connection and stops reading the text.
    """

    def __init__(
        self,
        synthesis: Callable[[str], Synthesis],
        texts: AsyncIterable[str],
        *,
        max_chars: int,
    ) -> None:
        """Speak `texts`, in pieces of at most `max_chars` characters."""
        self._make = synthesis
        self._texts = texts
        self._splitter = SentenceSplitter(max_chars)
        self._running: deque[Synthesis] = deque()
        self._changed = asyncio.Event()
        self._soon: asyncio.Handle | None = None
        self._closed = False
        self._failure: SisError | None = None
        self.pieces: list[str] = []
        """The texts synthesised so far, in order."""
        self.stats: list[SynthesisStats] = []
        """Figures of the finished syntheses, in order."""

    def __repr__(self) -> str:
        """Describe the progress, never the text."""
        return f"StreamingSynthesis(pieces={len(self.pieces)})"

    @property
    def outcome(self) -> SynthesisOutcome:
        """The answer: complete once the iteration has ended (the audio so far before)."""
        stats = tuple(self.stats)
        return SynthesisOutcome(
            failure=self._failure,
            pieces=len(self.pieces),
            characters=sum(item.characters for item in stats),
            audio_seconds=sum(item.audio_bytes / item.bytes_per_second for item in stats),
            trace_ids=tuple(item.trace_id for item in stats if item.trace_id),
            stats=stats,
        )

    async def __aiter__(self) -> AsyncGenerator[bytes]:
        """Yield the audio of every piece in order, each as it arrives.

        A failure ends the audio early and is kept in `outcome`: a failed
        synthesis at once, a failed text source once the pieces already
        started are spoken. Iterating raises nothing but a cancellation.
        """
        reader = asyncio.get_running_loop().create_task(self._read(), name="sis synthesis text")
        try:
            while True:
                self._launch()
                if not self._running:
                    if self._failure is not None or (
                        self._splitter.finished and not self._splitter.pending
                    ):
                        return
                    self._changed.clear()
                    await self._changed.wait()
                    continue
                synthesis = self._running[0]
                try:
                    async with contextlib.aclosing(aiter(synthesis)) as audio:
                        async for chunk in audio:
                            yield chunk
                except SisError as err:
                    self._failure = err
                    return  # the syntheses still running are closed below
                self._running.popleft()
                self.stats.append(synthesis.stats)
                await synthesis.close()
                if self._failure is not None:
                    return  # the text source failed, or a piece was refused
        finally:
            self._closed = True  # a launch still due does nothing now
            reader.cancel()
            await asyncio.wait([reader])
            while self._running:
                synthesis = self._running.popleft()
                self.stats.append(synthesis.stats)
                await synthesis.close()

    async def _read(self) -> None:
        """Feed the text to the splitter as it arrives; start syntheses when pieces are ready."""
        try:
            async for text in self._texts:
                self._splitter.feed(text)
                if self._soon is None:
                    # Not at once: a source that ends right away (a whole message) ends
                    # first, so that the whole message goes in one piece.
                    self._soon = asyncio.get_running_loop().call_soon(self._launch_soon)
        except Exception as err:  # noqa: BLE001 - the source's failure ends the reply
            self._failure = SisSourceError.of(err)
        else:
            self._splitter.finish()
        self._changed.set()

    def _launch_soon(self) -> None:
        self._soon = None
        self._launch()

    def _launch(self) -> None:
        """Start syntheses of the pieces that are ready, while a connection is free."""
        while not self._closed and len(self._running) < OPEN_AT_ONCE:
            piece = self._splitter.take(eager=not self._running)
            if piece is None:
                return
            if not speakable(piece):
                _LOGGER.debug("Nothing to say in a piece of %s characters", len(piece))
                continue
            try:
                synthesis = self._make(piece)
            except SisError as err:  # the voice refuses the piece: the reply cannot go on
                self._failure = err
                self._changed.set()
                return
            synthesis.start()
            self.pieces.append(piece)
            self._running.append(synthesis)
            self._changed.set()
