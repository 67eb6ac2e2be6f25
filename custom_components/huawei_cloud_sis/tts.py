"""Text-to-speech entity: Home Assistant's text in, Huawei Cloud SIS speech out, while it streams.

Home Assistant hands over the text as it is written (a conversation agent's
reply) and plays the audio as it comes. The library speaks it sentence by
sentence (`SisClient.speak`); the entity maps the voice and settings in, and
the audio out as WAV with an open-ended header, as Home Assistant's own
streaming engines do.

The voice and settings in effect are the entity's `default_options`, so that
Home Assistant's audio cache, keyed on them, follows a change of options or a
voice the service refused. A refused voice gives way to the language's
default voice (the library speaks the reply on; `LearnedVoices` remembers).

Replies of Taiwanese (zh-TW) and Cantonese (zh-HK) pipelines are written in
Traditional characters and spoken by the Mandarin voices, which are made for
Simplified ones: their text is converted as it arrives (`chinese_script`), its
dictionaries read in the executor before the first such reply (a reply that cannot
have them fails).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Mapping
import contextlib
import io
import logging
from typing import Any
import wave

from homeassistant.components import tts
from homeassistant.components.tts.entity import TTSAudioRequest, TTSAudioResponse
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import translation
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import language as language_util

from . import HuaweiSisConfigEntry
from .audio import SAMPLE_WIDTH
from .chinese_script import Conversion, async_converted_pieces, async_readable_converter
from .const import CONF_PITCH, CONF_REGION, CONF_SPEED, CONF_VOLUME, DOMAIN
from .device import service_device
from .reporter import Work
from .sis import SisConfigError, StreamingSynthesis, SynthesisOutcome
from .voice_settings import (
    TRADITIONAL_REPLIES,
    VoiceChoice,
    VoiceSettings,
    reply_languages,
    synthesis_languages,
    voice_option_key,
)

_LOGGER = logging.getLogger(__name__)

PARALLEL_UPDATES = 0
"""Syntheses run concurrently, each with its own connections; the entity is never polled."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HuaweiSisConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's text-to-speech entity where the region offers speech synthesis."""
    if synthesis_languages(entry.data[CONF_REGION]):
        labels = await async_voice_labels(hass, hass.config.language)
        entity = HuaweiSisTextToSpeech(entry, hass.config.language, hass.config.country, labels)
        entry.runtime_data.voices.async_setup(entity.settings)
        async_add_entities([entity])


async def async_voice_labels(hass: HomeAssistant, language: str) -> dict[str, str]:
    """Return each voice's name in a language, as the options name it (`selector.voice`).

    Home Assistant's language is the one the voice lists are read in: they are
    fetched without the user's own.
    """
    prefix = f"component.{DOMAIN}.selector.voice.options."
    strings = await translation.async_get_translations(hass, language, "selector", [DOMAIN])
    return {
        key.removeprefix(prefix): text for key, text in strings.items() if key.startswith(prefix)
    }


def wav_header(sample_rate: int) -> bytes:
    """Return the header of a 16-bit mono WAV stream whose length is not known yet (0 frames)."""
    with io.BytesIO() as buffer:
        with wave.open(buffer, "wb") as writer:
            writer.setnchannels(1)
            writer.setsampwidth(SAMPLE_WIDTH)
            writer.setframerate(sample_rate)
        return buffer.getvalue()


class HuaweiSisTextToSpeech(tts.TextToSpeechEntity):
    """Speak text with Huawei Cloud SIS real-time synthesis, sentence by sentence.

    Every request gets its own connections and tasks; the entity keeps only
    what the config entry says.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "text_to_speech"

    def __init__(
        self,
        entry: HuaweiSisConfigEntry,
        language: str,
        country: str | None,
        labels: Mapping[str, str],
    ) -> None:
        """Describe the entity from its config entry, in Home Assistant's language and country.

        `labels` name the voices in that language. The default language is the one
        Home Assistant picks for its own language when it makes a pipeline (zh-Hant:
        zh-HK, or zh-TW in Taiwan).
        """
        self._entry = entry
        self._runtime = entry.runtime_data
        """What the entry keeps while loaded; a reply that outlives an unload still has it."""
        self._labels = labels
        self._region: str = entry.data[CONF_REGION]
        self.settings = VoiceSettings.from_options(entry.options, self._region)
        self._attr_unique_id = entry.entry_id
        self._attr_device_info = service_device(entry)
        self._attr_supported_languages = reply_languages(self._region)
        self._attr_supported_options = [
            tts.ATTR_VOICE,
            CONF_SPEED,
            CONF_PITCH,
            CONF_VOLUME,
            *(voice_option_key(tag) for tag in self._attr_supported_languages),
        ]
        self._attr_default_language = next(
            iter(language_util.matches(language, self._attr_supported_languages, country)),
            synthesis_languages(self._region)[0],  # a language of the voices' own
        )

    @property
    def default_options(self) -> Mapping[str, Any]:
        """The voice of each language and the settings in effect (Home Assistant's cache key).

        A voice the service refused is replaced by the language's default here
        too, so that no audio cached before stands for the new voice.
        """
        return self.settings.default_options(self._runtime.voices.refused)

    @callback
    def async_get_supported_voices(self, language: str) -> list[tts.Voice] | None:
        """Return the voices to offer for a language in the entry's region, the default first."""
        voices = self.settings.offered(language, self._runtime.voices.refused)
        return [
            tts.Voice(voice.voice_id, self._labels.get(voice.voice_id, voice.voice_id))
            for voice in voices
        ] or None

    async def async_stream_tts_audio(self, request: TTSAudioRequest) -> TTSAudioResponse:
        """Speak the text while it arrives; the audio streams as WAV."""
        learned = self._runtime.voices
        try:
            choice = self.settings.choose(request.language, request.options, learned.refused)
        except SisConfigError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="invalid_voice_options",
                translation_placeholders={"error": str(err)},
            ) from err
        learned.async_asked(choice)
        texts: AsyncIterable[str] = request.message_gen
        if request.language in TRADITIONAL_REPLIES:
            # Not spoken from the Traditional text instead: Home Assistant would cache that
            # audio under the reply's key and play it again once the dictionaries are back.
            convert = await async_readable_converter(
                self.hass, Conversion.SIMPLIFIED, "the reply is not spoken"
            )
            if convert is None:
                raise HomeAssistantError(
                    translation_domain=DOMAIN, translation_key="script_conversion_failed"
                )
            texts = async_converted_pieces(texts, convert)
        return TTSAudioResponse("wav", self._speak(texts, choice))

    async def _speak(self, texts: AsyncIterable[str], choice: VoiceChoice) -> AsyncGenerator[bytes]:
        """Yield the WAV header with the first audio, then the audio as it comes."""
        runtime = self._runtime
        speech = runtime.client.speak(
            texts,
            choice.config,
            fallback=choice.fallback,
            strip_markup=runtime.voices.markup_refused,
        )
        header: bytes | None = wav_header(choice.config.sample_rate)
        try:
            async with contextlib.aclosing(aiter(speech)) as audio:
                async for chunk in audio:
                    yield chunk if header is None else header + chunk
                    header = None
        finally:
            self._learn(speech)
        self._report(speech.outcome)
        if header is not None:
            yield header  # no audio: an empty WAV stream

    def _learn(self, speech: StreamingSynthesis) -> None:
        """Remember what the service answered, also when the reply was left early."""
        self._runtime.voices.async_learned(speech.outcome)

    def _report(self, outcome: SynthesisOutcome) -> None:
        """Report the outcome of a reply; raise when it was not spoken to its end."""
        reporter = self._runtime.reporter
        if outcome.failure is None:
            reporter.async_succeeded()
            return
        problem = reporter.async_failed(Work.SYNTHESIS, outcome.failure)
        _LOGGER.error("%s", problem)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="synthesis_failed",
            translation_placeholders={"error": problem},
        ) from outcome.failure
