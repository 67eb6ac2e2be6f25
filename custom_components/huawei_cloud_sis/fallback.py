"""Another speech-to-text engine that answers when Huawei Cloud cannot.

Home Assistant gives a pipeline one speech-to-text engine. When Huawei Cloud
fails, the entity hands the audio kept so far and the rest of the live stream
to the engine the options name, and returns that engine's answer. Another
entry of this integration (a second region) is a valid choice; a chain that
comes back to an engine already trying (A → B → A) stops there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components import stt
from homeassistant.core import HomeAssistant

from .audio_copy import AudioCopy
from .const import CONF_FALLBACK_ENGINE, CONF_FALLBACK_ON_EMPTY, DOMAIN
from .end_of_speech import until_end_of_speech

DEFAULT_FALLBACK_ON_EMPTY: Final = False
"""Silence is an answer too: an empty text falls back only when the user asks for it."""

COPY_SECONDS: Final = 60
"""Audio kept for the fallback, in seconds (the limit of short-stream and sentence modes;
continuous mode takes five hours, which a copy must not hold)."""

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


class FallbackError(Exception):
    """The fallback engine could not be used, or did not answer; the message says why."""


def keep_audio(stream: AsyncIterable[bytes], *, sample_rate: int) -> AudioCopy:
    """Start keeping a copy of a request's stream for a fallback."""
    return AudioCopy(
        stream, limit=COPY_SECONDS * sample_rate * 2, name=f"{DOMAIN} audio for the fallback"
    )


def _requires_external_vad(entity: stt.SpeechToTextEntity) -> bool:
    processing = getattr(entity, "audio_processing", None)  # Home Assistant 2026.5 and later
    return processing is None or bool(processing.requires_external_vad)


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
