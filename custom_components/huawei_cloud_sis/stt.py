"""Speech-to-text entity: Home Assistant's audio stream in, Huawei Cloud SIS text out.

The entity maps Home Assistant's request to a recognition (`SisClient.recognize`)
and the recognition's outcome to a `SpeechResult`. The library decides what
the protocol means; the reporter says what a failure means to the user; a
fallback engine answers when Huawei Cloud cannot.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Callable
import contextlib
from dataclasses import replace
import logging
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
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import HuaweiSisConfigEntry
from .audio import aclose, pcm_samples
from .audio_copy import AudioCopy
from .chinese_script import Conversion, async_load, async_written
from .const import CONF_REGION, DOMAIN
from .device import service_device
from .early_answer import PIPELINE_SILENCE, EarlyAnswer
from .fallback import Fallback, FallbackSettings, answering_for_another
from .languages import languages_for_region
from .settings import SAMPLE_RATES, RecognitionSettings, TextScripts
from .sis import Recognition, RecognitionMode, RecognitionOutcome, SisConfigError

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
    async_add_entities([HuaweiSisSpeechToText(hass, entry)])


class HuaweiSisSpeechToText(SpeechToTextEntity):
    """Stream audio to Huawei Cloud SIS while it arrives and return the final text.

    Every request gets its own recognition; the entity keeps only what the
    config entry says.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "speech_to_text"

    def __init__(self, hass: HomeAssistant, entry: HuaweiSisConfigEntry) -> None:
        """Describe the entity from its config entry."""
        self._entry = entry
        self._runtime = entry.runtime_data
        """What the entry keeps while loaded; a request that outlives an unload still has it."""
        self._settings = RecognitionSettings.from_options(entry.options, entry.data[CONF_REGION])
        self._scripts = TextScripts.from_options(entry.options)
        self._fallback = Fallback(
            hass=hass,
            settings=FallbackSettings.from_options(entry.options),
            counts=self._runtime.fallbacks,
            mode=self._settings.mode,
            timeout=self._runtime.client.timeouts.session(self._settings.mode),
        )
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
            result = await anext(run)  # without partial texts, the result comes first
        assert isinstance(result, SpeechResult)
        return result

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

        Huawei's texts and result are in the script the options choose for the language,
        converted after the library's outcome (a fallback engine's answer is its own).
        With early answers on (`early_answer.py`), a text so far that is a complete command
        is the result. The stream is closed before the result is yielded, and everything the
        recognition started is finished, except closing a session whose answer is known,
        which goes on in the background (bounded by the close timeout).
        """
        copy = self._fallback.keep_audio(stream, int(metadata.sample_rate))
        result = SpeechResult(None, SpeechResultState.ERROR)
        conversion = self._scripts.conversion(metadata.language)
        if conversion is not None:  # read while the audio flows, once per Home Assistant
            async_load(self.hass, conversion)
        early = self._early_answer(metadata)
        try:
            recognition = self._recognition(metadata, copy or stream, partials, early)
            if recognition is not None:
                answered = False
                texts = self._texts(recognition, conversion if partials or early else None, early)
                try:
                    async with contextlib.aclosing(texts):
                        async for text in texts:
                            if partials:
                                yield text
                    answered = True
                finally:
                    outcome = await self._finish(recognition, answered=answered, early=early)
                outcome = await self._written(conversion, outcome, early)
                result = await self._answer(metadata, copy, outcome)
        finally:
            await (copy.close() if copy else aclose(stream))
        yield result

    def _early_answer(self, metadata: SpeechMetadata) -> EarlyAnswer | None:
        """Return the watch that answers a complete command early, when the options ask it.

        Never for a recognition that answers for another engine (its audio is a replay).
        """
        checker = self._runtime.checker
        if checker is None or answering_for_another():
            return None
        sentence = self._settings.mode is RecognitionMode.SENTENCE_STREAM
        silence = self._settings.vad_tail / 1000 if sentence else PIPELINE_SILENCE
        return EarlyAnswer(checker, metadata.language, int(metadata.sample_rate), silence=silence)

    def _recognition(
        self,
        metadata: SpeechMetadata,
        audio: AsyncIterable[bytes] | AudioCopy,
        partials: bool,
        early: EarlyAnswer | None,
    ) -> Recognition | None:
        """Return the recognition of a request; None when no model takes its audio."""
        rate = int(metadata.sample_rate)
        runtime = self._runtime
        try:
            config = self._settings.config(
                metadata.language,
                rate,
                interim_results=partials or early is not None,
                tables=runtime.hot_words.table_ids,
            )
        except SisConfigError as err:
            _LOGGER.error("Cannot recognise this audio: %s", err)  # noqa: TRY400
            return None
        source = audio.reader() if isinstance(audio, AudioCopy) else audio
        pcm = pcm_samples(source, sample_rate=rate)
        return runtime.client.recognize(
            self._settings.mode, config, early.observe(pcm) if early else pcm
        )

    def _texts(
        self, recognition: Recognition, conversion: Conversion | None, early: EarlyAnswer | None
    ) -> AsyncGenerator[str]:
        """Return the texts of a recognition in the script `conversion` writes (None: as is).

        With `early`, they end as soon as one is answered early.
        """

        async def texts() -> AsyncGenerator[str]:
            async with contextlib.aclosing(aiter(recognition)) as said:
                async for text in said:
                    yield await async_written(self.hass, conversion, text)

        return early.follow(texts()) if early else texts()

    async def _finish(
        self, recognition: Recognition, *, answered: bool, early: EarlyAnswer | None
    ) -> RecognitionOutcome:
        """Count a recognition that ended (`answered`) or was left; close its session.

        A session whose text is known (an early answer's too) hears END (cancel) in the
        background.
        """
        outcome = recognition.outcome
        self._runtime.record(outcome, early.answered if early else None)
        if outcome.audio_truncated:
            mode = self._settings.mode
            _LOGGER.warning(
                "The audio is longer than %s mode takes (%s s); the rest was not recognised",
                mode.value,
                mode.max_audio_seconds,
            )
        if (
            not answered
            or outcome.text is None
            or recognition.done
            or self._entry.state is not ConfigEntryState.LOADED
        ):
            await recognition.close()
        else:
            self._entry.async_create_background_task(
                self.hass, recognition.close(), f"{DOMAIN} close session"
            )
        return outcome

    async def _written(
        self, conversion: Conversion | None, outcome: RecognitionOutcome, early: EarlyAnswer | None
    ) -> RecognitionOutcome:
        """Return the outcome with its text in the script the options choose.

        An early answer's text is that script already.
        """
        if early is not None and early.answered is not None:
            return replace(outcome, text=early.answered.text)
        if outcome.text is None:
            return outcome
        return replace(outcome, text=await async_written(self.hass, conversion, outcome.text))

    async def _answer(
        self, metadata: SpeechMetadata, copy: AudioCopy | None, outcome: RecognitionOutcome
    ) -> SpeechResult:
        """Report the outcome; return Huawei Cloud's text, or the fallback engine's answer."""
        problem = self._runtime.reporter.async_recognised(outcome)
        answer = await self._fallback.async_answer(self.entity_id, metadata, copy, outcome, problem)
        if answer.line is not None:
            _LOGGER.log(answer.level, "%s", answer.line)
        return answer.result
