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

A piece the service refuses is spoken again, before any of its audio is out,
where that can help; the reply then goes on that way:

- the voice is refused (`SisVoiceRefusedError`) and the caller named a
  fallback voice: the piece and the rest of the reply go in the fallback voice;
- the text's SSML characters are refused (`SisMarkupError`, SIS.0419): the
  piece and the rest of the reply go without `<`, `>` and `&`.

A piece already synthesising the old way is closed and started again the new
way. The outcome says what the reply learned, for the caller to remember.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterable, Callable
import contextlib
from dataclasses import dataclass
import logging
from typing import Final

from .errors import SisError, SisMarkupError, SisSourceError, SisVoiceRefusedError
from .outcome import SynthesisOutcome
from .sentences import SentenceSplitter, speakable
from .synthesis import Synthesis, SynthesisStats
from .synthesis_config import SynthesisConfig

_LOGGER = logging.getLogger(__name__)

OPEN_AT_ONCE: Final = 2
"""Connections per reply: the one being handed out and the next one."""
MARKUP: Final = "<>&"
"""The characters SSML gives a meaning to, which the service may refuse (SIS.0419)."""
_NO_MARKUP: Final = str.maketrans(dict.fromkeys(MARKUP, " "))


def without_markup(text: str) -> str:
    """Return the text with `<`, `>` and `&` made spaces (so that "3<5" stays two words).

    Only punctuation changes: a piece that was worth speaking still is.
    """
    return text.translate(_NO_MARKUP)


@dataclass(slots=True)
class _Running:
    """A piece of the reply and the synthesis speaking it now."""

    piece: str
    synthesis: Synthesis


class StreamingSynthesis:
    """Synthesise text that arrives in pieces; iterate it for the audio.

    `synthesis` makes the (not yet started) `Synthesis` of one piece of text
    with a config. Iterating runs everything; leaving the iteration early (an
    error, a cancellation, `aclose`) closes every connection and stops reading
    the text.
    """

    def __init__(
        self,
        synthesis: Callable[[str, SynthesisConfig], Synthesis],
        texts: AsyncIterable[str],
        *,
        config: SynthesisConfig,
        fallback: SynthesisConfig | None = None,
        strip_markup: bool = False,
    ) -> None:
        """Speak `texts` with `config`; `fallback` speaks when the service refuses its voice.

        Pieces fit both voices. `strip_markup` leaves `<`, `>` and `&` out from
        the start (the service was seen refusing them).
        """
        self._make = synthesis
        self._texts = texts
        self._config = config
        self._fallback = fallback if fallback is None or fallback.voice != config.voice else None
        limits = [config.spec.max_text]
        if self._fallback is not None:
            limits.append(self._fallback.spec.max_text)
        self._splitter = SentenceSplitter(min(limits))
        self._strip = strip_markup
        self._running: deque[_Running] = deque()
        self._changed = asyncio.Event()
        self._soon: asyncio.Handle | None = None
        self._closed = False
        self._failure: SisError | None = None
        self._refused_voice: SisVoiceRefusedError | None = None
        self._markup_refused = False
        self.pieces: list[str] = []
        """The texts synthesised so far, in order (as they came, markup included)."""
        self.stats: list[SynthesisStats] = []
        """Figures of the finished syntheses, in order, refused ones included."""

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
            characters=sum(item.characters for item in stats if item.started_at is not None),
            audio_seconds=sum(item.audio_bytes / item.bytes_per_second for item in stats),
            trace_ids=tuple(item.trace_id for item in stats if item.trace_id),
            stats=stats,
            voice=self._config.voice,
            refused_voice=self._refused_voice,
            markup_refused=self._markup_refused,
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
                synthesis = self._running[0].synthesis
                try:
                    async with contextlib.aclosing(aiter(synthesis)) as audio:
                        async for chunk in audio:
                            yield chunk
                except SisError as err:
                    if (failure := await self._recover(err)) is not None:
                        self._failure = failure
                        return  # the syntheses still running are closed below
                    continue
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
                synthesis = self._running.popleft().synthesis
                self.stats.append(synthesis.stats)
                await synthesis.close()

    async def _recover(self, err: SisError) -> SisError | None:
        """Speak the first piece again where its refusal allows; return the failure otherwise.

        Nothing of the piece may have been handed out yet (it would be heard
        twice). The way the reply goes on changes once: to the fallback voice,
        or to text without SSML characters.
        """
        if self._running[0].synthesis.stats.audio_bytes:
            return err
        if (
            isinstance(err, SisVoiceRefusedError)
            and self._fallback is not None
            and self._refused_voice is None
            and err.voice == self._config.voice
        ):
            _LOGGER.debug("The service refused %s; speaking in %s", err.voice, self._fallback.voice)
            self._refused_voice = err
            self._config = self._fallback
        elif isinstance(err, SisMarkupError) and not self._strip:
            _LOGGER.debug("The service refused SSML characters; speaking without them")
            self._markup_refused = True
            self._strip = True
        else:
            return err
        first = self._running[0]
        try:
            await self._replan()
        except SisError as later:  # the fallback voice cannot take the piece
            return later
        if first.synthesis.stats.error_code:
            return err  # nothing changed for the refused piece
        return None

    async def _replan(self) -> None:
        """Start again, the way the reply now goes, every piece that was started another way."""
        for item in list(self._running):
            text, config = self._plan(item.piece)
            if text == item.synthesis.text and config == item.synthesis.config:
                continue
            self.stats.append(item.synthesis.stats)
            await item.synthesis.close()
            item.synthesis = self._make(text, config)
            item.synthesis.start()

    def _plan(self, piece: str) -> tuple[str, SynthesisConfig]:
        """Return the text and config a piece goes with now."""
        return (without_markup(piece) if self._strip else piece), self._config

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
                synthesis = self._make(*self._plan(piece))
            except SisError as err:  # the voice refuses the piece: the reply cannot go on
                self._failure = err
                self._changed.set()
                return
            synthesis.start()
            self.pieces.append(piece)
            self._running.append(_Running(piece, synthesis))
            self._changed.set()
