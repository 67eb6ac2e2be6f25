"""Speech-to-text entity: Home Assistant's audio stream in, Huawei Cloud SIS text out."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Callable
import contextlib
from dataclasses import dataclass, replace
import logging
import time
from typing import Any, Final

from homeassistant.components import stt
from homeassistant.components.stt import (
    AudioBitRates,
    AudioChannels,
    AudioCodecs,
    AudioFormats,
    AudioSampleRates,
    SpeechMetadata,
    SpeechResult,
    SpeechResultState,
    SpeechToTextEntity,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import HuaweiSisConfigEntry, account_problems
from .audio import AudioInputError, pcm_samples
from .audio_copy import AudioCopy
from .const import CONF_REGION, DOMAIN
from .entity import service_device
from .fallback import FallbackError, FallbackSettings, async_fall_back, keep_audio
from .languages import languages_for_region
from .settings import SAMPLE_RATES, RecognitionSettings
from .sis import Recognition, RecognitionMode, SisAuthError, SisError

try:  # Home Assistant 2026.5 and later
    from homeassistant.components.stt import (  # type: ignore[attr-defined,unused-ignore]
        SpeechAudioProcessing,
    )
except ImportError:  # pragma: no cover - older releases have no audio_processing
    SpeechAudioProcessing = None  # type: ignore[assignment,misc,unused-ignore]

_LOGGER = logging.getLogger(__name__)

PARALLEL_UPDATES = 0
"""Recognitions run concurrently, one session each; the entity is never polled."""

PARTIAL_SPEECH_RESULT: Final[Callable[..., Any] | None] = getattr(stt, "PartialSpeechResult", None)
"""`PartialSpeechResult` on Home Assistant 2026.11 and later, else None."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HuaweiSisConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's speech-to-text entity."""
    async_add_entities([HuaweiSisSpeechToText(entry)])


class HuaweiSisSpeechToText(SpeechToTextEntity):
    """Stream audio to Huawei Cloud SIS while it arrives and return the final text.

    Every request gets its own session and tasks; the entity itself keeps only
    what the config entry says.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "speech_to_text"

    def __init__(self, entry: HuaweiSisConfigEntry) -> None:
        """Describe the entity from its config entry."""
        self._entry = entry
        self._settings = RecognitionSettings.from_options(entry.options)
        self._fallback = FallbackSettings.from_options(entry.options)
        self._languages = languages_for_region(entry.data[CONF_REGION])
        self._attr_unique_id = entry.entry_id
        self._attr_device_info = service_device(entry)

    @property
    def supported_languages(self) -> list[str]:
        """Language tags the entry's region offers."""
        return self._languages

    @property
    def supported_formats(self) -> list[AudioFormats]:
        """WAV: a RIFF header, or raw PCM as the assist pipeline sends it."""
        return [AudioFormats.WAV]

    @property
    def supported_codecs(self) -> list[AudioCodecs]:
        """PCM only."""
        return [AudioCodecs.PCM]

    @property
    def supported_bit_rates(self) -> list[AudioBitRates]:
        """16-bit samples only."""
        return [AudioBitRates.BITRATE_16]

    @property
    def supported_sample_rates(self) -> list[AudioSampleRates]:
        """16 kHz, and 8 kHz for the languages with a telephone model."""
        return [AudioSampleRates(rate) for rate in SAMPLE_RATES]

    @property
    def supported_channels(self) -> list[AudioChannels]:
        """Mono only."""
        return [AudioChannels.CHANNEL_MONO]

    @property
    def audio_processing(self) -> SpeechAudioProcessing:
        """In sentence mode the service itself detects the end of speech."""
        processing = super().audio_processing
        if self._settings.mode is RecognitionMode.SENTENCE_STREAM:
            return replace(processing, requires_external_vad=False)
        return processing

    async def async_process_audio_stream(
        self, metadata: SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> SpeechResult:
        """Recognise the stream and return the final text."""
        async with contextlib.aclosing(self._recognize(metadata, stream, partials=False)) as run:
            async for item in run:
                if isinstance(item, SpeechResult):
                    return item
        raise RuntimeError("The recognition ended without a result")  # pragma: no cover

    async def async_process_audio_stream_with_progress(
        self, metadata: SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> AsyncGenerator[Any]:
        """Yield `PartialSpeechResult`s while recognising, then the `SpeechResult`.

        Home Assistant 2026.11 and later call this; without `PartialSpeechResult`
        only the result is yielded.
        """
        partial = PARTIAL_SPEECH_RESULT
        if partial is None:
            yield await self.async_process_audio_stream(metadata, stream)
        else:
            async with contextlib.aclosing(self._recognize(metadata, stream, partials=True)) as run:
                async for item in run:
                    yield item if isinstance(item, SpeechResult) else partial(text=item)

    async def _recognize(
        self, metadata: SpeechMetadata, stream: AsyncIterable[bytes], *, partials: bool
    ) -> AsyncGenerator[str | SpeechResult]:
        """Run one recognition: yield the text so far (when asked), then the result.

        Everything this run started is finished before the result is yielded,
        except closing a session whose result is already known, which goes on
        in the background (bounded by the client's close timeout).
        """
        runtime = self._entry.runtime_data
        sample_rate = int(metadata.sample_rate)
        copy = keep_audio(stream, sample_rate=sample_rate) if self._fallback.entity_id else None
        recognition: Recognition | None = None
        text: str | None = None
        failure: _Failure | None = None
        try:
            try:
                config = self._settings.config(
                    metadata.language,
                    sample_rate,
                    interim_results=partials,
                    tables=runtime.hot_words.table_ids,
                )
                audio = pcm_samples(copy.reader() if copy else stream, sample_rate=sample_rate)
                recognition = runtime.client.recognize(self._settings.mode, config, audio)
                async with contextlib.aclosing(aiter(recognition)) as texts:
                    async for partial_text in texts:
                        if partials:
                            yield partial_text
                if recognition.session.audio_truncated:
                    _LOGGER.warning(
                        "The audio is longer than %s mode takes (%s s); "
                        "the rest was not recognised",
                        recognition.session.mode.value,
                        recognition.session.mode.max_audio_seconds,
                    )
                text = recognition.text
                account_problems.async_clear(self.hass, self._entry.entry_id)
            except SisError as err:
                failure = _Failure(err.code or type(err).__name__, err.trace_id, err.message)
                account_problems.async_report(
                    self.hass, self._entry.entry_id, self._entry.title, err
                )
                if recognition is not None:
                    runtime.hot_words.async_recognition_failed(err, recognition.session.config)
                if isinstance(err, SisAuthError):
                    self._entry.async_start_reauth(self.hass)
            except AudioInputError as err:
                # The audio itself is wrong: another engine would get the same.
                trace_id = recognition.session.stats.trace_id if recognition else None
                failure = _Failure(type(err).__name__, trace_id, str(err), service=False)
            finally:
                if recognition is not None:
                    self._count(recognition, failure, text)
                    if recognition.done or text is None:
                        await recognition.close()
                    else:
                        # The answer is known; the service hears END (cancel) in the background.
                        self._entry.async_create_background_task(
                            self.hass, recognition.close(), f"{DOMAIN} close session"
                        )
            result = await self._answer(metadata, copy, text, failure)
        finally:
            if copy is not None:
                await copy.close()
            elif (aclose := getattr(stream, "aclose", None)) is not None:
                await aclose()
        yield result

    async def _answer(
        self,
        metadata: SpeechMetadata,
        copy: AudioCopy | None,
        text: str | None,
        failure: _Failure | None,
    ) -> SpeechResult:
        """Return Huawei Cloud's text, or the fallback engine's when Huawei Cloud had none."""
        engine = self._fallback.entity_id
        if failure is None:
            assert text is not None
            if text or not self._fallback.on_empty or copy is None or engine is None:
                return SpeechResult(text, SpeechResultState.SUCCESS)
            cause, why = "no_text", "Huawei Cloud SIS heard no text"
        elif copy is None or engine is None or not failure.service:
            _LOGGER.error("%s", failure.describe())
            return SpeechResult(None, SpeechResultState.ERROR)
        else:
            cause, why = failure.code, failure.describe()
        try:
            result = await async_fall_back(
                self.hass,
                own_entity_id=self.entity_id,
                engine=engine,
                metadata=metadata,
                audio=copy,
                end_speech=self._settings.mode is RecognitionMode.SENTENCE_STREAM,
                timeout=self._entry.runtime_data.client.timeouts.session(self._settings.mode),
            )
        except FallbackError as err:
            problem = str(err)
        else:
            self._entry.runtime_data.fallbacks.answered[cause] += 1
            log = _LOGGER.info if failure is None else _LOGGER.warning
            log("%s; %s answered instead", why, engine)
            return result
        self._entry.runtime_data.fallbacks.failed[cause] += 1
        if failure is None:
            _LOGGER.info("%s; the fallback could not answer: %s", why, problem)
            return SpeechResult(text, SpeechResultState.SUCCESS)
        _LOGGER.error("%s; the fallback could not answer: %s", why, problem)
        return SpeechResult(None, SpeechResultState.ERROR)

    def _count(self, recognition: Recognition, failure: _Failure | None, text: str | None) -> None:
        """Keep the figures of a finished recognition for diagnostics and the usage sensors."""
        runtime = self._entry.runtime_data
        stats = recognition.session.stats
        runtime.recent.append(stats)
        ended = stats.voice_end_at or stats.end_sent_at
        runtime.usage.record(
            audio_seconds=stats.audio_bytes
            / recognition.session.config.audio_format.bytes_per_second,
            failed=failure is not None and failure.service,
            latency_ms=(time.monotonic() - ended) * 1000 if text and ended is not None else None,
        )


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why Huawei Cloud gave no text."""

    code: str
    trace_id: str | None
    message: str
    service: bool = True
    """A failure of the service (not of the audio): another engine may succeed."""

    def describe(self) -> str:
        """Say what failed in one line, with the code and the trace id for Huawei's support."""
        return (
            f"Speech recognition failed (code {self.code}, trace id {self.trace_id or 'none'}): "
            f"{self.message}"
        )
