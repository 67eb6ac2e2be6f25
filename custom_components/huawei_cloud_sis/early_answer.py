"""Answer a spoken command as soon as it is complete, before the silence ends.

The pipeline waits for silence to be sure speech has ended: 0.7 s with Home
Assistant's default voice detection, the service's `vad_tail` in sentence mode.
With the option on, a recognition asks Huawei for interim results, and the
text so far is returned as the result as soon as all of these hold:

- Home Assistant's own matcher says Assist would act on it, and that it cannot
  grow into a longer command with this home's names or numbers
  (`CommandChecker`, `Verdict.early`);
- it has not changed for `STABLE_SECONDS`;
- the audio is quiet (`end_of_speech.is_quiet`) since the text arrived, and for
  at least `QUIET_SECONDS` before the decision: an interim text arrives some
  time after the words it holds were said, so a word said after them may
  already have been heard while the text was on its way.

The matcher is asked once a text has stood still in the quiet, not for every
interim text: a text that changes within the window never needs a verdict, so
its cost is per utterance. The language's sentences and the home's names are
loaded when the recognition starts.

The window and the quiet were chosen on the spoken corpus (`tests/corpus/`,
`benchmarks/bench_early_answer.py`, short-stream mode in real time), where a
streaming recogniser shows a word 250 ms after it ends, so a text arrives
about 300 ms after its last word (with the frame it ends in). An answer then
goes at about that plus the window, and a user who goes on after a longer
pause is answered before the rest: the window trades speed for those.

- `STABLE_SECONDS`, 200 ms. End of speech to text, p50 on plain commands, and
  the commands answered before words said after a pause of 300 / 400 / 500 /
  600 ms (6 of each): 0 ms: 313 ms, 5 / 4 / 5 / 4; 50 ms: 366 ms, 1 / 4 / 5 / 4;
  100 ms: 414 ms, 0 / 4 / 5 / 4; 200 ms: 514 ms, 0 / 0 / 5 / 4. Below 200 ms,
  "turn off the fan" was answered "turn on the fan", as the recogniser showed
  "on" for 200 ms after the end before it corrected itself: the wrong action,
  the one thing an early answer must never cost. The window is the longest
  revision of the last word it covers, and 200 ms also keeps a command from
  being cut by a pause of up to 400 ms before more words, the pause people
  make most within a sentence. It gives back 150 ms of the 50 ms window's
  saving (Home Assistant waits 700 ms, and then the service's time to its
  final result).
- `QUIET_SECONDS`, 350 ms. A word said while a text is on its way shows in
  the interim results up to the lag and a frame after it ends (250 + 50 ms
  here, and the 10 ms it ends in): a shorter look-back can decide just before
  it shows. With 200 ms, "set the blinds to thirty five percent" was answered
  at "thirty nine" (shown for a moment while "percent" was said) and
  "台灯开着吗" at "台灯开"; with 300 ms, the same sentence once at "thirty five",
  the decision coming a few milliseconds before "percent" showed. 350 ms costs
  little, as a text arrives 260 to 310 ms after its last word and then stands
  for the window; each 100 ms more delays every answer by as much. Of talking,
  every 300 ms holds a frame above the quiet threshold, while 200 ms can fall
  in a phrase break (`is_quiet`). A recogniser slower to show a word needs a
  longer look-back.

An early answer saves the silence the pipeline would still have waited for:
from the end of speech (the last audio that was not quiet) to Home Assistant's
default wait of 0.7 s after it (short-stream and continuous modes), or to the
entry's `vad_tail` (sentence mode), less the time already gone. The service's
own time to send its final result after that is not counted, so it is a lower
bound; a satellite set to wait longer (1.25 s, "relaxed") saves more.

Nothing here is kept between recognitions: an `EarlyAnswer` belongs to one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass
import logging
import time
from typing import Any, Final

from .command_check import CommandChecker, Status
from .const import CONF_EARLY_ANSWER, DOMAIN
from .end_of_speech import is_quiet

_LOGGER = logging.getLogger(__name__)

DEFAULT_EARLY_ANSWER: Final = False
"""Off: see the README's figures (the saving against Home Assistant's wait, and the
commands answered before words said after a pause)."""
STABLE_SECONDS: Final = 0.2
"""How long a text must stand unchanged (the figures that chose it: the module's docstring)."""
QUIET_SECONDS: Final = 0.35
"""How far back from the decision the audio must be quiet (the module's docstring)."""
MAX_AUDIO_GAP: Final = 0.15
"""Audio must have arrived this recently to call the room quiet: a stream that stalls
(a satellite's network) says nothing of what is being said. Above the 128 ms chunks of
Home Assistant's HTTP API."""
FRAME_MS: Final = 50
"""Audio goes to the service in frames this long while early answers are on (else 100 ms).

A word is in an interim result only once the frame that ends it was sent: halving the frame
halves that wait (25 ms on average). Huawei recommends 50 to 1,000 ms."""
STALL_POLL: Final = 0.05
"""How soon to look again while the audio stalls."""
PIPELINE_SILENCE: Final = 0.7
"""The silence Home Assistant's voice detection waits for by default (its "default"
sensitivity; "relaxed" waits 1.25 s, "aggressive" 0.25 s)."""


@dataclass(frozen=True, slots=True)
class EarlyAnswerSettings:
    """Whether recognitions answer complete commands before the silence ends."""

    enabled: bool = DEFAULT_EARLY_ANSWER

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> EarlyAnswerSettings:
        """Read the options."""
        return cls(enabled=bool(options.get(CONF_EARLY_ANSWER, DEFAULT_EARLY_ANSWER)))


@dataclass(frozen=True, slots=True)
class Answered:
    """A recognition answered early."""

    text: str
    """The text returned, in the script Assist matches."""
    speech_ended_at: float
    """When speech ended as the entity heard it: the last audio that was not quiet
    (monotonic); the text's arrival if none was."""
    silence_saved: float
    """Seconds of the pipeline's silence wait the answer did not need (see the module)."""


async def _next(texts: AsyncIterator[str]) -> str | None:
    """Return the next text, or None at the end."""
    return await anext(texts, None)


class EarlyAnswer:
    """Watch one recognition's texts and audio; end it when its command is complete.

    `observe` wraps the PCM on its way to the library; `follow` wraps the texts
    on their way out, yielding each and ending early once one is answered
    (`answered` then says which).
    """

    def __init__(
        self, checker: CommandChecker, language: str, sample_rate: int, *, silence: float
    ) -> None:
        """Watch a recognition of `language`; `silence` is what the pipeline would wait for."""
        self._checker = checker
        self._language = language
        self._rate = sample_rate
        self._silence = silence
        self._stable = STABLE_SECONDS
        self._quiet = QUIET_SECONDS
        self.answered: Answered | None = None
        self._usable = True
        """False once the matcher is known to be unavailable (or failed) for the language."""
        self._text = ""
        self._since = 0.0
        """When the current text arrived (monotonic)."""
        self._judged = False
        """The current text was given to the matcher (it is not asked twice)."""
        self._loud_at: float | None = None
        """When the last audio that was not quiet passed (monotonic)."""
        self._audio_at = time.monotonic()
        """When the last audio passed."""
        self._ended = False
        """The audio source ended: the service's final result is on its way."""
        self._prepared: asyncio.Task[bool] | None = None

    async def observe(self, pcm: AsyncIterable[bytes]) -> AsyncGenerator[bytes]:
        """Pass the audio on unchanged, noting when it was last loud."""
        rate = self._rate
        async for data in pcm:
            now = time.monotonic()
            self._audio_at = now
            if not is_quiet(data, sample_rate=rate):
                self._loud_at = now
            yield data
        self._ended = True

    async def follow(self, texts: AsyncGenerator[str]) -> AsyncGenerator[str]:
        """Yield `texts` as they come; end once one is answered early (closing `texts`).

        Closed or cancelled, it leaves no task behind and closes `texts`.
        """
        loop = asyncio.get_running_loop()
        self._prepared = loop.create_task(self._prepare(), name=f"{DOMAIN} early answer prepare")
        pending: asyncio.Task[str | None] | None = None
        try:
            while True:
                if pending is None:
                    pending = loop.create_task(_next(texts), name=f"{DOMAIN} early answer text")
                await asyncio.wait([pending], timeout=self._until_decision())
                if pending.done():
                    text = pending.result()
                    pending = None
                    if text is None:
                        return
                    self._heard(text)
                    yield text
                elif await self._decide(pending):
                    return
        finally:
            await _cancel(pending, self._prepared)
            await texts.aclose()

    async def _prepare(self) -> bool:
        try:
            return await self._checker.async_prepare(self._language)
        except Exception as err:  # noqa: BLE001 - the recognition goes on without answering early
            _LOGGER.warning(
                "Cannot check commands in %s, so none is answered early: %s: %s",
                self._language,
                type(err).__name__,
                err,
            )
            return False

    def _heard(self, text: str) -> None:
        if text != self._text:
            self._text, self._since, self._judged = text, time.monotonic(), False

    def _until_decision(self) -> float | None:
        """Seconds until the current text may be decided on; None: wait for another text."""
        if not self._usable or self._judged or self._ended or not self._text.strip():
            return None
        if self._loud_after(self._since):
            return None  # something was said after the text arrived: more words are coming
        loud = self._loud_at
        now = time.monotonic()
        at = self._since + self._stable
        if loud is not None:
            at = max(at, loud + self._quiet)
        if now - self._audio_at > MAX_AUDIO_GAP:
            at = max(at, now + STALL_POLL)
        return max(0.0, at - now)

    async def _decide(self, pending: asyncio.Task[str | None]) -> bool:
        """Ask the matcher about a text that stood still in the quiet; True: answered early."""
        if (wait := self._until_decision()) is None or wait > 0:
            return False  # something was said meanwhile, or the audio stalled
        text = self._text
        self._judged = True
        assert self._prepared is not None
        if not await self._prepared:
            self._usable = False
            return False
        try:
            verdict = await self._checker.async_check(self._language, text)
        except Exception as err:  # noqa: BLE001 - the recognition goes on without answering early
            _LOGGER.warning("The command check failed: %s: %s", type(err).__name__, err)
            self._usable = False
            return False
        self._usable = verdict.status is not Status.UNAVAILABLE
        # The text or the audio may have changed while the matcher ran.
        if not verdict.early or pending.done() or self._loud_after(self._since):
            return False
        await _cancel(pending)
        now = time.monotonic()
        ended = self._loud_at if self._loud_at is not None else self._since
        self.answered = Answered(text, ended, max(0.0, ended + self._silence - now))
        return True

    def _loud_after(self, since: float) -> bool:
        return self._loud_at is not None and self._loud_at >= since


async def _cancel(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel the tasks still running and wait for them to end."""
    running = [task for task in tasks if task is not None and not task.done()]
    for task in running:
        task.cancel()
    if running:
        await asyncio.wait(running)
