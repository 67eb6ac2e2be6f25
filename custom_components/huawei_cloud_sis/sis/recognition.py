"""One utterance recognised while it is spoken: audio in as it arrives, text out.

A `Recognition` hands audio from an async iterable to a session as it arrives
and reads the session's messages in one loop. It answers the protocol's
questions about the result:

- what the text is: the final segments in order, and interim text that no
  final result replaced (the service's last word on it);
- when recognition is over: the END answer, or in sentence mode the service's
  end of the sentence (VOICE_END with its final result, or EXCEEDED_SILENCE);
- whether final results count when the END answer never comes: they do, once
  END was sent;
- when audio stops: at the end of the source, at the mode's audio limit, or
  when the service says it stopped listening (`RecognitionSession` decides the
  last two).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable
import logging

from .config import RecognitionMode
from .errors import SisError, SisTimeoutError
from .messages import ResultResponse
from .session import RecognitionSession
from .transcript import Transcript

_LOGGER = logging.getLogger(__name__)


class Recognition:
    """Recognise the audio of one async iterable with one session.

    Iterate it (`async for text in recognition`) to run it: it yields the text
    so far whenever that changes and ends when the answer is known, which is
    then in `text`. Failures are raised: a `SisError`, or whatever the audio
    source raised. Always `close` it afterwards; closing may be left to run in
    the background once the answer is known.
    """

    def __init__(self, session: RecognitionSession, audio: AsyncIterable[bytes]) -> None:
        """Recognise `audio` (raw samples of the session's format) with `session`."""
        self.session = session
        self.text: str | None = None
        """The recognised text, once the recognition is over without an error."""
        self._audio = audio
        self._transcript = Transcript()
        self._feeder: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        """Describe the recognition by its session."""
        return f"Recognition({self.session!r})"

    @property
    def done(self) -> bool:
        """True when nothing of the recognition runs any more."""
        return self.session.done and (self._feeder is None or self._feeder.done())

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
            self.text = transcript.partial_text
        except SisTimeoutError:
            if not (session.end_sent and transcript.finals):
                raise
            _LOGGER.debug("No END answer; the final results received are the text")
            self.text = transcript.text
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
                await session.write_audio(data)
                if session.audio_truncated:
                    return
            session.end()
        except SisError:
            return  # the session failed: its error comes out of `receive`
        except Exception as err:  # noqa: BLE001 - the source's failure ends the recognition
            session.abort(err)
