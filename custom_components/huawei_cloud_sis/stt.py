"""Speech-to-text entity: Home Assistant's audio stream in, Huawei Cloud SIS text out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Mapping
import contextlib
from dataclasses import dataclass, replace
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
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import HuaweiSisConfigEntry, account_problems
from .audio import AudioInputError, PcmInput
from .const import (
    CONF_ADD_PUNC,
    CONF_DIGIT_NORM,
    CONF_MAX_SECONDS,
    CONF_MODE,
    CONF_REGION,
    CONF_VAD_HEAD,
    CONF_VAD_TAIL,
    CONF_VOCABULARY_ID,
    DEFAULT_ADD_PUNC,
    DEFAULT_DIGIT_NORM,
    DEFAULT_MAX_SECONDS,
    DEFAULT_MODE,
    DEFAULT_VAD_HEAD,
    DEFAULT_VAD_TAIL,
    DEFAULT_VOCABULARY_ID,
    DOMAIN,
    LANGUAGES,
    MODES,
    languages_for_region,
)
from .sis import (
    AudioFormat,
    EndResponse,
    RecognitionConfig,
    RecognitionMode,
    RecognitionSession,
    ResultResponse,
    ServerMessage,
    SisAuthError,
    SisConfigError,
    SisError,
    SisTimeoutError,
    Transcript,
)

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

SAMPLE_RATES: Final = {
    AudioSampleRates.SAMPLERATE_16000: AudioFormat.PCM16K16BIT,
    AudioSampleRates.SAMPLERATE_8000: AudioFormat.PCM8K16BIT,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HuaweiSisConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's speech-to-text entity."""
    async_add_entities([HuaweiSisSpeechToText(entry)])


@dataclass(frozen=True, slots=True, kw_only=True)
class RecognitionSettings:
    """What the entry's options ask of every recognition."""

    mode: RecognitionMode
    add_punc: bool
    digit_norm: bool
    vocabulary_id: str | None
    vad_head: int
    vad_tail: int
    max_seconds: int
    models: Mapping[str, str]
    """Language tag → chosen 16 kHz model."""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> RecognitionSettings:
        """Read the options, falling back to the defaults."""
        models: dict[str, str] = {}
        for tag, language in LANGUAGES.items():
            chosen = options.get(language.option_key)
            if isinstance(chosen, str) and chosen in language.models:
                models[tag] = chosen
            else:
                models[tag] = language.default_model
        mode = options.get(CONF_MODE)
        return cls(
            mode=RecognitionMode(mode if mode in MODES else DEFAULT_MODE),
            add_punc=bool(options.get(CONF_ADD_PUNC, DEFAULT_ADD_PUNC)),
            digit_norm=bool(options.get(CONF_DIGIT_NORM, DEFAULT_DIGIT_NORM)),
            vocabulary_id=options.get(CONF_VOCABULARY_ID, DEFAULT_VOCABULARY_ID) or None,
            vad_head=int(options.get(CONF_VAD_HEAD, DEFAULT_VAD_HEAD)),
            vad_tail=int(options.get(CONF_VAD_TAIL, DEFAULT_VAD_TAIL)),
            max_seconds=int(options.get(CONF_MAX_SECONDS, DEFAULT_MAX_SECONDS)),
            models=models,
        )

    def config(self, metadata: SpeechMetadata, *, interim_results: bool) -> RecognitionConfig:
        """Return the START config for a request; raise SisConfigError if none fits."""
        language = LANGUAGES.get(metadata.language)
        audio_format = SAMPLE_RATES.get(metadata.sample_rate)
        if language is None or audio_format is None:
            raise SisConfigError(
                f"No model for {metadata.language} at {int(metadata.sample_rate)} Hz"
            )
        model: str | None = self.models[language.tag]
        if audio_format is AudioFormat.PCM8K16BIT:
            model = language.models[self.models[language.tag]]
        if model is None:
            raise SisConfigError(f"No 8 kHz model for {language.tag}")
        vad = self.mode is not RecognitionMode.SHORT_STREAM
        return RecognitionConfig(
            audio_format=audio_format,
            model=model,
            add_punc=self.add_punc,
            interim_results=interim_results,
            digit_norm=self.digit_norm if language.digit_norm else None,
            vocabulary_id=self.vocabulary_id if language.vocabulary else None,
            vad_head=self.vad_head if vad else None,
            vad_tail=self.vad_tail if vad else None,
            max_seconds=max(self.max_seconds, language.min_max_seconds) if vad else None,
        )


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
        self._languages = languages_for_region(entry.data[CONF_REGION])
        self._attr_unique_id = entry.entry_id
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="Huawei Cloud",
            model="Speech Interaction Service",
            name=entry.title,
        )

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
        return list(SAMPLE_RATES)

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
        """Run one session: yield interim texts (when asked), then the result.

        Everything this run started is finished before the result is yielded,
        except closing a session whose result is already known, which goes on
        in the background (bounded by the client's close timeout).
        """
        session: RecognitionSession | None = None
        feeder: asyncio.Task[None] | None = None
        receiver: asyncio.Task[ServerMessage | None] | None = None
        transcript = Transcript()
        result: SpeechResult | None = None
        try:
            config = self._settings.config(metadata, interim_results=partials)
            session = self._entry.runtime_data.client.session(self._settings.mode, config)
            session.start()
            feeder = asyncio.get_running_loop().create_task(
                _feed(session, PcmInput(sample_rate=int(metadata.sample_rate)), stream),
                name=f"{DOMAIN} audio feeder",
            )
            last_partial = ""
            while True:
                if receiver is None:
                    receiver = asyncio.get_running_loop().create_task(
                        session.receive(), name=f"{DOMAIN} receiver"
                    )
                if not feeder.done():
                    await asyncio.wait((receiver, feeder), return_when=asyncio.FIRST_COMPLETED)
                    if feeder.done():
                        feeder.result()  # a bad WAV header or a failure of the stream
                    if not receiver.done():
                        continue
                message = await receiver
                receiver = None
                if message is None:
                    break
                transcript.add(message)
                if partials and isinstance(message, ResultResponse):
                    text = transcript.partial_text
                    if text and text != last_partial:
                        last_partial = text
                        yield text
                if isinstance(message, EndResponse):
                    break
                if (
                    self._settings.mode is RecognitionMode.SENTENCE_STREAM
                    and transcript.sentence_complete
                ):
                    _LOGGER.debug("The service ended the sentence; not reading more audio")
                    break
            # Interim text that no final result replaced is the service's last word on it.
            result = SpeechResult(transcript.partial_text, SpeechResultState.SUCCESS)
            account_problems.async_clear(self.hass, self._entry.entry_id)
        except SisError as err:
            if (
                isinstance(err, SisTimeoutError)
                and session is not None
                and session.stats.end_sent_at is not None
                and transcript.finals
            ):
                _LOGGER.debug("No END response; returning the final results received")
                result = SpeechResult(transcript.text, SpeechResultState.SUCCESS)
            else:
                self._log_failure(err, session)
                account_problems.async_report(
                    self.hass, self._entry.entry_id, self._entry.title, err
                )
                if isinstance(err, SisAuthError):
                    self._entry.async_start_reauth(self.hass)
                result = SpeechResult(None, SpeechResultState.ERROR)
        except AudioInputError as err:
            self._log_failure(err, session)
            result = SpeechResult(None, SpeechResultState.ERROR)
        finally:
            await _stop_tasks(feeder, receiver)
            if (aclose := getattr(stream, "aclose", None)) is not None:
                await aclose()
            if session is not None:
                self._entry.runtime_data.recent.append(session.stats)
                if result is None or session.done:
                    # Cancelled, or the caller stopped listening: close before going on.
                    await session.close()
                else:
                    self._entry.async_create_background_task(
                        self.hass, session.close(), f"{DOMAIN} close session"
                    )
        yield result

    def _log_failure(
        self, err: SisError | AudioInputError, session: RecognitionSession | None
    ) -> None:
        """Log one line naming the error code and trace id; no traceback."""
        if isinstance(err, SisError):
            code, message = err.code or type(err).__name__, err.message
            trace_id = err.trace_id or (session.stats.trace_id if session else None)
        else:
            code, message = type(err).__name__, str(err)
            trace_id = session.stats.trace_id if session else None
        _LOGGER.error(
            "Speech recognition failed (code %s, trace id %s): %s",
            code,
            trace_id or "none",
            message,
        )


async def _feed(session: RecognitionSession, pcm: PcmInput, stream: AsyncIterable[bytes]) -> None:
    """Forward audio as it arrives; send END when Home Assistant's stream ends."""
    try:
        async for chunk in stream:
            if data := pcm.feed(chunk):
                session.send_audio(data)
            if session.stats.audio_limit_reached:
                _LOGGER.warning(
                    "The audio is longer than the %s s %s mode takes; the rest was not recognised",
                    session.mode.max_audio_seconds,
                    session.mode.value,
                )
                return
        if data := pcm.finish():
            session.send_audio(data)
        session.end()
    except SisError:
        # The session failed; its error comes out of `receive`.
        return


async def _stop_tasks(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel the tasks and wait until they are finished."""
    running = [task for task in tasks if task is not None]
    for task in running:
        task.cancel()
    if running:
        await asyncio.wait(running)
    for task in running:
        if not task.cancelled():
            task.exception()  # retrieved: it was handled, or is superseded by another error
