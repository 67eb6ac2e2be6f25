"""Speech-to-text entities of the tests' own, to stand as the fallback engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable

from homeassistant.components import stt
from homeassistant.components.stt.const import DATA_COMPONENT
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

try:  # Home Assistant 2026.5 and later
    from homeassistant.components.stt import (  # type: ignore[attr-defined,unused-ignore]
        SpeechAudioProcessing,
    )
except ImportError:  # pragma: no cover - older releases have no audio_processing
    SpeechAudioProcessing = None  # type: ignore[assignment,misc,unused-ignore]


class RecordingEngine(stt.SpeechToTextEntity):
    """Reads the whole stream, keeps every byte, and answers a set text."""

    def __init__(
        self,
        name: str,
        text: str | None = "fallback heard this",
        *,
        languages: tuple[str, ...] = ("zh-CN", "en-US"),
        result: stt.SpeechResultState = stt.SpeechResultState.SUCCESS,
        error: Exception | None = None,
        hang: bool = False,
        requires_external_vad: bool = True,
    ) -> None:
        """Answer `text` (or fail as told) for the languages given."""
        self.entity_id = f"stt.{name}"
        self._attr_name = name
        self.text = text
        self.languages = list(languages)
        self.result = result
        self.error = error
        self.hang = hang
        self.requires_external_vad = requires_external_vad
        self.received = bytearray()
        self.calls: list[stt.SpeechMetadata] = []
        self.done = asyncio.Event()

    @property
    def supported_languages(self) -> list[str]:
        """The languages given."""
        return self.languages

    @property
    def supported_formats(self) -> list[stt.AudioFormats]:
        """WAV."""
        return [stt.AudioFormats.WAV]

    @property
    def supported_codecs(self) -> list[stt.AudioCodecs]:
        """PCM."""
        return [stt.AudioCodecs.PCM]

    @property
    def supported_bit_rates(self) -> list[stt.AudioBitRates]:
        """16 bits."""
        return [stt.AudioBitRates.BITRATE_16]

    @property
    def supported_sample_rates(self) -> list[stt.AudioSampleRates]:
        """16 kHz only."""
        return [stt.AudioSampleRates.SAMPLERATE_16000]

    @property
    def supported_channels(self) -> list[stt.AudioChannels]:
        """Mono."""
        return [stt.AudioChannels.CHANNEL_MONO]

    @property
    def audio_processing(self) -> SpeechAudioProcessing:
        """Whether Home Assistant must end the stream at the end of speech."""
        return SpeechAudioProcessing(
            requires_external_vad=self.requires_external_vad,
            prefers_auto_gain_enabled=True,
            prefers_noise_reduction_enabled=True,
        )

    async def async_process_audio_stream(
        self, metadata: stt.SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> stt.SpeechResult:
        """Read every chunk, then answer."""
        self.calls.append(metadata)
        try:
            async for chunk in stream:
                self.received += chunk
            if self.hang:
                await asyncio.Event().wait()
            if self.error is not None:
                raise self.error
            return stt.SpeechResult(self.text, self.result)
        finally:
            self.done.set()


async def add_engine(hass: HomeAssistant, engine: RecordingEngine) -> RecordingEngine:
    """Add a speech-to-text entity of the tests' own to Home Assistant."""
    assert await async_setup_component(hass, "stt", {})
    await hass.data[DATA_COMPONENT].async_add_entities([engine])
    return engine
