"""One utterance recognised while it is spoken: audio in as it arrives, text out.

A `Recognition` hands audio from an async iterable to a session as it arrives
and reads the session's messages in one loop. It answers the protocol's
questions about the result, and gives them as a `RecognitionOutcome`:

- what the text is: the final segments in order, and interim text that no
  final result replaced (the service's last word on it);
- when recognition is over: the END answer, or in sentence mode the service's
  end of the sentence (VOICE_END with its final result, or EXCEEDED_SILENCE);
- whether final results count when the END answer never comes: they do, once
  END was sent;
- when audio stops: at the end of the source, at the mode's audio limit, or
  when the service says it stopped listening (`RecognitionSession` decides the
  last two, and what a refused START means).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable
import logging

from .errors import SisError, SisSourceError, SisTimeoutError
from .messages import ResultResponse
from .outcome import RecognitionOutcome
from .recognition_config import RecognitionMode
from .session import RecognitionSession
from .transcript import Transcript

_LOGGER = logging.getLogger(__name__)


class Recognition:
    """Recognise the audio of one async iterable with one session.

    Iterate it (`async for text in recognition`) to run it: it yields the text
    so far whenever that changes and ends when the answer is known. Then
    `outcome` holds the answer, a failure included: iterating raises nothing
    but a cancellation. Always `close` it afterwards; closing may be left to
    run in the background once the answer is known (`done` tells whether
    anything is left to close).
    """

    def __init__(self, session: RecognitionSession, audio: AsyncIterable[bytes]) -> None:
        """Recognise `audio` (raw samples of the session's format) with `session`."""
        self.session = session
        self._audio = audio
        self._transcript = Transcript()
        self._feeder: asyncio.Task[None] | None = None
        self._failure: SisError | None = None
        self._text: str | None = None

    def __repr__(self) -> str:
        """Describe the recognition by its session."""
        return f"Recognition({self.session!r})"

    @property
    def done(self) -> bool:
        """True when nothing of the recognition runs any more."""
        return self.session.done and (self._feeder is None or self._feeder.done())

    @property
    def outcome(self) -> RecognitionOutcome:
        """The answer so far: complete once the iteration has ended.

        A recognition left before its end (the caller stopped iterating) has
        the text so far.
        """
        return RecognitionOutcome.from_session(
            self.session.stats,
            self.session.config.audio_format.bytes_per_second,
            text=self._transcript.partial_text if self._text is None else self._text,
            failure=self._failure,
        )

    async def __aiter__(self) -> AsyncGenerator[str]:
        """Run the recognition; yield the text so far each time it changes."""
        session = self.session
        session.start()
        self._feeder = asyncio.get_running_loop().create_task(
            self._feed(), name=f"sis {session.mode.value} audio"
        )
        sentence_mode = session.mode is RecognitionMode.SENTENCE_STREAM
        transcript = self._transcript
        shown = ""
        try:
            while (message := await session.receive()) is not None:
                transcript.add(message)
                if isinstance(message, ResultResponse) and transcript.partial_text != shown:
                    shown = transcript.partial_text
                    yield shown
                if sentence_mode and transcript.sentence_complete:
                    _LOGGER.debug("The service ended the sentence; no more audio is read")
                    break
            self._text = transcript.partial_text
        except SisTimeoutError as err:
            if session.end_sent and transcript.finals:
                _LOGGER.debug("No END answer; the final results received are the text")
                self._text = transcript.text
            else:
                self._failure = err
        except SisError as err:
            self._failure = err
        finally:
            await self._stop_feeding()

    async def close(self) -> None:
        """Stop reading audio and close the session; leaves no task or socket."""
        await self._stop_feeding()
        await self.session.close()

    async def _stop_feeding(self) -> None:
        feeder = self._feeder
        if feeder is not None and not feeder.done():
            feeder.cancel()
            await asyncio.wait([feeder])

    async def _feed(self) -> None:
        """Hand the audio to the session as it arrives; END when the source ends."""
        session = self.session
        try:
            async for data in self._audio:
                await session.send_audio(data)
                if session.audio_truncated:
                    return
            await session.end()
        except SisError:
            return  # the session failed: its error comes out of `receive`
        except Exception as err:  # noqa: BLE001 - the source's failure ends the recognition
            session.abort(SisSourceError.of(err))
