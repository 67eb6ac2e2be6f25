"""Text-to-speech entity: Home Assistant's text in, Huawei Cloud SIS speech out, while it streams.

Home Assistant hands over the text as it is written (a conversation agent's
reply) and plays the audio as it comes. The library speaks it sentence by
sentence (`SisClient.speak`); the entity maps the voice and settings in, and
the audio out as WAV with an open-ended header, as Home Assistant's own
streaming engines do.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Mapping
import contextlib
import io
import logging
import wave

from homeassistant.components import tts
from homeassistant.components.tts.entity import TTSAudioRequest, TTSAudioResponse
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import translation
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import HuaweiSisConfigEntry
from .audio import SAMPLE_WIDTH
from .const import CONF_PITCH, CONF_REGION, CONF_SPEED, CONF_VOLUME, DOMAIN
from .device import service_device
from .reporter import Work
from .sis import SisConfigError, SynthesisConfig, SynthesisOutcome
from .voice_settings import VoiceSettings, synthesis_languages, voices_for_language

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
        async_add_entities([HuaweiSisTextToSpeech(entry, hass.config.language, labels)])


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
        self, entry: HuaweiSisConfigEntry, language: str, labels: Mapping[str, str]
    ) -> None:
        """Describe the entity from its config entry; `language` is Home Assistant's.

        `labels` name the voices in that language.
        """
        self._entry = entry
        self._runtime = entry.runtime_data
        """What the entry keeps while loaded; a reply that outlives an unload still has it."""
        self._labels = labels
        self._region: str = entry.data[CONF_REGION]
        self._settings = VoiceSettings.from_options(entry.options, self._region)
        self._attr_unique_id = entry.entry_id
        self._attr_supported_options = [tts.ATTR_VOICE, CONF_SPEED, CONF_PITCH, CONF_VOLUME]
        self._attr_device_info = service_device(entry)
        self._attr_supported_languages = synthesis_languages(self._region)
        primary = language.split("-", maxsplit=1)[0]
        self._attr_default_language = next(
            (tag for tag in self._attr_supported_languages if tag.split("-")[0] == primary),
            self._attr_supported_languages[0],
        )

    @callback
    def async_get_supported_voices(self, language: str) -> list[tts.Voice] | None:
        """Return the voices of a language in the entry's region, the default first."""
        voices = voices_for_language(self._region, language)
        return [
            tts.Voice(voice.voice_id, self._labels.get(voice.voice_id, voice.voice_id))
            for voice in voices
        ] or None

    async def async_stream_tts_audio(self, request: TTSAudioRequest) -> TTSAudioResponse:
        """Speak the text while it arrives; the audio streams as WAV."""
        try:
            config = self._settings.config(request.language, request.options)
        except SisConfigError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="invalid_voice_options",
                translation_placeholders={"error": str(err)},
            ) from err
        return TTSAudioResponse("wav", self._speak(request.message_gen, config))

    async def _speak(
        self, texts: AsyncIterable[str], config: SynthesisConfig
    ) -> AsyncGenerator[bytes]:
        """Yield the WAV header with the first audio, then the audio as it comes."""
        speech = self._runtime.client.speak(texts, config)
        header: bytes | None = wav_header(config.sample_rate)
        async with contextlib.aclosing(aiter(speech)) as audio:
            async for chunk in audio:
                yield chunk if header is None else header + chunk
                header = None
        self._report(speech.outcome)
        if header is not None:
            yield header  # no audio: an empty WAV stream

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
