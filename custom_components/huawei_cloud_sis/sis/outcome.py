"""What a recognition or a synthesis came to: the typed answers callers map.

A caller never reads a session's internals to learn the answer: it gets one of
these once the work is over, success or failure alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SisError, SisSourceError, SisVoiceRefusedError
from .session import SessionStats, VocabularyRefusal
from .synthesis import SynthesisStats


@dataclass(frozen=True, slots=True, kw_only=True)
class RecognitionOutcome:
    """The answer of one recognition."""

    text: str | None
    """The recognised text ("" when nothing was heard); None when it failed."""
    failure: SisError | None
    """Why there is no text: a `SisError` (a `SisSourceError` when the audio source failed)."""
    audio_truncated: bool
    """Audio was left out: longer than the mode takes, or the service stopped listening."""
    trace_id: str | None
    """The service's id of the session, for Huawei's support."""
    audio_seconds: float
    """Seconds of audio sent: what Huawei Cloud bills."""
    speech_ended_at: float | None
    """When speech ended (monotonic): the service's end of the sentence, else END sent."""
    vocabulary_refusal: VocabularyRefusal | None
    """START was refused in a way that may concern the hot-word table it named; the
    recognition then went on without the table."""
    stats: SessionStats

    @property
    def service_failed(self) -> bool:
        """Whether the service (not the audio source) failed: another engine may do better."""
        return self.failure is not None and not isinstance(self.failure, SisSourceError)

    @classmethod
    def from_session(
        cls,
        stats: SessionStats,
        bytes_per_second: int,
        *,
        text: str | None,
        failure: SisError | None,
    ) -> RecognitionOutcome:
        """Return the outcome of a session with these figures."""
        return cls(
            text=None if failure is not None else text,
            failure=failure,
            audio_truncated=stats.audio_truncated,
            trace_id=stats.trace_id,
            audio_seconds=stats.audio_bytes / bytes_per_second,
            speech_ended_at=stats.voice_end_at or stats.end_sent_at,
            vocabulary_refusal=stats.vocabulary_refusal,
            stats=stats,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SynthesisOutcome:
    """The answer of a synthesis of one reply (one or more pieces of text)."""

    failure: SisError | None
    """Why the reply was not spoken to its end; None when it was."""
    pieces: int
    """Pieces of text synthesised (each is one billed call at least)."""
    characters: int
    """Characters of the syntheses the service took (their START answered): what it bills."""
    audio_seconds: float
    trace_ids: tuple[str, ...]
    stats: tuple[SynthesisStats, ...]
    """Figures of every synthesis, refused ones included."""
    voice: str
    """The voice the reply was spoken in at its end: the fallback once the first was refused."""
    refused_voice: SisVoiceRefusedError | None = None
    """The service refused the voice asked for; the reply went on in the fallback voice."""
    markup_refused: bool = False
    """The service refused `<`, `>` or `&` as SSML; the reply went on without them."""
