"""What an entry's recognitions used: the figures behind the usage sensors.

Huawei Cloud bills real-time recognition by the seconds of audio sent. The
entity records each recognition here as it ends; the sensors are told on the
next turn of the event loop, so that writing their states never delays an
answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import time

from .early_answer import Answered
from .sis import RecognitionOutcome


@dataclass(slots=True)
class Usage:
    """Totals since the sensors were first created (they restore them after a restart)."""

    audio_seconds: float = 0.0
    """Seconds of audio sent to Huawei Cloud, the billing basis."""
    recognitions: int = 0
    failures: int = 0
    """Recognitions Huawei Cloud did not answer (a fallback engine may have)."""
    last_latency_ms: float | None = None
    """End of speech to text, for the last recognition that gave text."""
    early_answers: int = 0
    """Recognitions answered as soon as the command was complete."""
    silence_saved_seconds: float = 0.0
    """The silence those answers did not wait for (`early_answer.Answered.silence_saved`)."""
    _listeners: list[Callable[[], None]] = field(default_factory=list)

    def record(self, outcome: RecognitionOutcome, answered: Answered | None = None) -> None:
        """Count one recognition; tell the listeners after this turn of the loop.

        The latency is measured now, when the answer is known: from the end of
        speech (the service's, else the end of the audio; for an early answer,
        the last audio that was not quiet) to this moment.
        """
        self.audio_seconds = round(self.audio_seconds + outcome.audio_seconds, 3)
        self.recognitions += 1
        self.failures += outcome.service_failed
        ended = outcome.speech_ended_at
        if answered is not None:
            self.early_answers += 1
            self.silence_saved_seconds = round(
                self.silence_saved_seconds + answered.silence_saved, 3
            )
            ended = answered.speech_ended_at
        if (outcome.text or answered) and ended is not None:
            self.last_latency_ms = (time.monotonic() - ended) * 1000
        loop = asyncio.get_running_loop()
        for listener in self._listeners:
            loop.call_soon(listener)

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after each recognition; return what removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)
