"""How long the client waits for the service.

A voice command is short and someone is waiting for it, so every bound is as
short as the protocol allows. What the service does, and therefore what each
bound has to cover:

- START is answered as soon as the service has an engine for the session: one
  round trip plus an allocation, well under a second on a working service.
- Audio is decoded while it arrives, so after END only the last ~100 ms frame
  is left to decode; the final results and the END answer follow at once.
- When the final results are in and only the END answer is missing, waiting
  longer gains nothing: the finals are the text.

Synthesis opens the same way (connect, START answered, one retry). Then the
service streams the audio of one text faster than it plays:

- its first audio follows as soon as the first words are synthesised: well
  under a second on a working service;
- the following frames come back to back; a pause of seconds means a stalled
  engine (the last frame is followed by the END answer just as quickly);
- the whole text cannot take longer than speaking it slowly: a bound that only
  a service trickling audio forever reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

from .recognition_config import RecognitionMode


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeouts:
    """Upper bounds, in seconds, of every wait; the defaults suit voice commands."""

    connect: float = 3.0
    """Opening the WebSocket (TCP, TLS and the upgrade: three round trips), per attempt."""
    start: float = 2.0
    """From sending START to its answer, per attempt."""
    opening: float = 5.0
    """Everything before START is answered, the one retry included.

    Audio keeps arriving meanwhile and is kept; a retry is only made while
    this budget lasts, so a silent service costs at most this long.
    """
    end: float = 3.0
    """From sending END to the END answer, while no final result has come."""
    end_grace: float = 0.5
    """After a final result that followed END: how long the END answer may still take.

    The service sends its last finals and the END answer back to back; when
    only the END answer is missing, the finals are the answer after this.
    """
    session_margin: float = 30.0
    """A session may last the mode's longest audio plus this (see `session`)."""
    close: float = 2.0
    """Cancelling and closing a session."""
    first_audio: float = 3.0
    """Synthesis: from the START answer to the first audio."""
    audio_gap: float = 2.0
    """Synthesis: between two audio frames, and from the last one to the END answer."""
    synthesis_margin: float = 10.0
    """Synthesis: added to `synthesis_per_character` times the length of the text."""
    synthesis_per_character: float = 0.5
    """Synthesis: twice the time a character takes to speak at the normal speed (0.24 s)."""
    iam: float = 10.0
    """Each IAM request (token, project lookup)."""
    rest: float = 10.0
    """Each attempt of a request to the SIS REST API (hot-word tables)."""

    def session(self, mode: RecognitionMode) -> float:
        """Return the longest a session of `mode` may take, from connecting to the END answer."""
        return mode.max_audio_seconds + self.session_margin

    def synthesis(self, characters: int) -> float:
        """Return the longest the synthesis of a text may take, from connecting to END."""
        return self.synthesis_margin + characters * self.synthesis_per_character


DEFAULT_TIMEOUTS = Timeouts()
