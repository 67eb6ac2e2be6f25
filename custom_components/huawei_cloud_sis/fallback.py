"""Another speech-to-text engine that answers when Huawei Cloud cannot.

Home Assistant gives a pipeline one speech-to-text engine. When Huawei Cloud
fails, the entity hands the audio kept so far and the rest of the live stream
to the engine the options name, and returns that engine's answer. Another
entry of this integration (a second region) is a valid choice; a chain that
comes back to an engine already trying (A → B → A) stops there.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
import logging
from typing import Any, Final

from homeassistant.components import stt
from homeassistant.core import HomeAssistant

from .audio_copy import AudioCopy
from .const import CONF_FALLBACK_ENGINE, CONF_FALLBACK_ON_EMPTY, DOMAIN
from .end_of_speech import until_end_of_speech
from .sis import RecognitionMode, RecognitionOutcome

DEFAULT_FALLBACK_ON_EMPTY: Final = False
"""Silence is an answer too: an empty text falls back only when the user asks for it."""

COPY_SECONDS: Final = RecognitionMode.SHORT_STREAM.max_audio_seconds
"""Audio kept for the fallback, in seconds: what a voice command may last (continuous mode
takes five hours, which a copy must not hold)."""
NO_TEXT: Final = "no_text"
"""The cause counted when the fallback is asked because Huawei Cloud heard nothing."""

_CHAIN: ContextVar[tuple[str, ...]] = ContextVar(f"{DOMAIN}_fallback_chain", default=())
"""The engines that are falling back in the current recognition, outermost first."""


@dataclass(frozen=True, slots=True)
class FallbackSettings:
    """Which engine answers when Huawei Cloud cannot, and whether for an empty text too."""

    entity_id: str | None = None
    on_empty: bool = DEFAULT_FALLBACK_ON_EMPTY

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> FallbackSettings:
        """Read the options."""
        entity_id = options.get(CONF_FALLBACK_ENGINE)
        return cls(
            entity_id=entity_id if isinstance(entity_id, str) and entity_id else None,
            on_empty=bool(options.get(CONF_FALLBACK_ON_EMPTY, DEFAULT_FALLBACK_ON_EMPTY)),
        )


@dataclass(slots=True)
class FallbackCounts:
    """How often the fallback engine was asked, per cause (an error code, or `NO_TEXT`)."""

    answered: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)


class FallbackError(Exception):
    """The fallback engine could not be used, or did not answer; the message says why."""


def keep_audio(stream: AsyncIterable[bytes], *, sample_rate: int) -> AudioCopy:
    """Start keeping a copy of a request's stream for a fallback."""
    return AudioCopy(
        stream, limit=COPY_SECONDS * sample_rate * 2, name=f"{DOMAIN} audio for the fallback"
    )


ERROR_RESULT: Final = stt.SpeechResult(None, stt.SpeechResultState.ERROR)


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of a request, and the line to log about it (once, at `level`)."""

    result: stt.SpeechResult
    line: str | None = None
    level: int = logging.INFO


@dataclass(frozen=True, slots=True, kw_only=True)
class Fallback:
    """Answer a request with Huawei Cloud's outcome, or with the fallback engine's.

    The answer says what to log, at the level it deserves: an error when the
    user gets none, a warning when the fallback answered instead.
    """

    hass: HomeAssistant
    settings: FallbackSettings
    counts: FallbackCounts
    mode: RecognitionMode
    timeout: float
    """The longest the fallback engine may take (a session of the mode)."""

    def keep_audio(self, stream: AsyncIterable[bytes], sample_rate: int) -> AudioCopy | None:
        """Keep a copy of the stream when a fallback engine is set."""
        if self.settings.entity_id is None:
            return None
        return keep_audio(stream, sample_rate=sample_rate)

    async def async_answer(
        self,
        own_entity_id: str,
        metadata: stt.SpeechMetadata,
        copy: AudioCopy | None,
        outcome: RecognitionOutcome,
        problem: str | None,
    ) -> Answer:
        """Return the answer of a recognition; `problem` is the log line of its failure."""
        cause = self._cause(copy, outcome)
        if cause is None or copy is None or self.settings.entity_id is None:
            if problem is None:
                return Answer(stt.SpeechResult(outcome.text, stt.SpeechResultState.SUCCESS))
            return Answer(ERROR_RESULT, problem, logging.ERROR)
        why = problem or "Huawei Cloud SIS heard no text"
        try:
            result = await async_fall_back(
                self.hass,
                own_entity_id=own_entity_id,
                engine=self.settings.entity_id,
                metadata=metadata,
                audio=copy,
                end_speech=self.mode is RecognitionMode.SENTENCE_STREAM,
                timeout=self.timeout,
            )
        except FallbackError as err:
            self.counts.failed[cause] += 1
            line = f"{why}; the fallback could not answer: {err}"
            if cause == NO_TEXT:
                success = stt.SpeechResult(outcome.text, stt.SpeechResultState.SUCCESS)
                return Answer(success, line, logging.INFO)
            return Answer(ERROR_RESULT, line, logging.ERROR)
        self.counts.answered[cause] += 1
        line = f"{why}; {self.settings.entity_id} answered instead"
        return Answer(result, line, logging.INFO if cause == NO_TEXT else logging.WARNING)

    def _cause(self, copy: AudioCopy | None, outcome: RecognitionOutcome) -> str | None:
        """Why the fallback engine is asked (a failure's label, `NO_TEXT`); None: it is not."""
        if copy is None or self.settings.entity_id is None:
            return None
        if outcome.failure is not None:
            return outcome.failure.label if outcome.service_failed else None
        return NO_TEXT if not outcome.text and self.settings.on_empty else None


def answering_for_another() -> bool:
    """Whether the current recognition is a fallback engine's, for an engine that failed.

    Its audio is then a replay of what was kept, read as fast as it comes.
    """
    return bool(_CHAIN.get())


def _requires_external_vad(entity: stt.SpeechToTextEntity) -> bool:
    processing = getattr(entity, "audio_processing", None)  # Home Assistant 2026.5 and later
    return processing is None or bool(processing.requires_external_vad)


def _usable_engine(
    hass: HomeAssistant, engine: str, metadata: stt.SpeechMetadata, audio: AudioCopy
) -> stt.SpeechToTextEntity:
    """Return the engine's entity; raise `FallbackError` when it cannot take this audio."""
    if not audio.complete:
        raise FallbackError(f"the audio is longer than the {COPY_SECONDS} s kept for it")
    entity = stt.async_get_speech_to_text_entity(hass, engine)
    if entity is None:
        raise FallbackError(f"{engine} does not exist")
    if not entity.available:
        raise FallbackError(f"{engine} is unavailable")
    if not entity.check_metadata(metadata):
        raise FallbackError(
            f"{engine} does not take {metadata.language} audio at {int(metadata.sample_rate)} Hz"
        )
    return entity


async def async_fall_back(
    hass: HomeAssistant,
    *,
    own_entity_id: str,
    engine: str,
    metadata: stt.SpeechMetadata,
    audio: AudioCopy,
    end_speech: bool,
    timeout: float,
) -> stt.SpeechResult:
    """Recognise the kept and live audio with `engine`; return its answer.

    `end_speech`: nobody ends the stream at the end of speech (sentence mode);
    an engine that relies on that gets the stream up to the end of the command.
    Raises `FallbackError` when the engine is missing, unavailable, does not
    take the audio, is already trying in this recognition, fails, or takes
    longer than `timeout` seconds.
    """
    chain = _CHAIN.get()
    if engine == own_entity_id or engine in chain:
        raise FallbackError(f"{engine} is already trying this recognition")
    entity = _usable_engine(hass, engine, metadata, audio)
    stream: AsyncIterable[bytes] = audio.replay()
    if end_speech and _requires_external_vad(entity):
        stream = until_end_of_speech(stream, sample_rate=int(metadata.sample_rate))
    token = _CHAIN.set((*chain, own_entity_id))
    try:
        async with asyncio.timeout(timeout):
            result = await entity.internal_async_process_audio_stream(metadata, stream)
    except TimeoutError as err:
        raise FallbackError(f"{engine} did not answer within {timeout:g} s") from err
    except Exception as err:
        raise FallbackError(f"{engine} failed: {type(err).__name__}: {err}") from err
    finally:
        _CHAIN.reset(token)
        if (aclose := getattr(stream, "aclose", None)) is not None:
            await aclose()
    if result.result is not stt.SpeechResultState.SUCCESS:
        raise FallbackError(f"{engine} answered with an error")
    return result
