"""The voice settings of an entry: their defaults and ranges, and the synthesis config they make.

The options flow builds its voice section from these; the text-to-speech
entity reads the entry's settings through `VoiceSettings` and lets a call
override them (`voice`, `speed`, `pitch`, `volume`). The ranges are the
service's own (`sis.synthesis_config`). A setting a voice does not take
(pitch for premium voices; speed, pitch and volume for the Riyadh voices) is
left out for that voice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .const import CONF_PITCH, CONF_SPEED, CONF_VOLUME, REGION_CUSTOM, VOICE_OPTION_PREFIX
from .sis import (
    PITCH,
    SPEED,
    VOICES,
    VOLUME,
    IntRange,
    SisConfigError,
    SynthesisConfig,
    Voice,
    voices_for_region as _voices_for_region,
)

SAMPLE_RATE: Final = 16000
"""The audio asked of the service: 16 kHz, what voice satellites play without resampling."""
DEFAULT_SPEED: Final = 0
"""The voice's natural pace (about 250 Chinese characters a minute)."""
DEFAULT_PITCH: Final = 0
"""The voice's own pitch."""
DEFAULT_VOLUME: Final = 50
"""The service's own default: loud enough without clipping."""
DEFAULTS: Final[Mapping[str, int]] = {
    CONF_SPEED: DEFAULT_SPEED,
    CONF_PITCH: DEFAULT_PITCH,
    CONF_VOLUME: DEFAULT_VOLUME,
}
RANGES: Final[Mapping[str, IntRange]] = {CONF_SPEED: SPEED, CONF_PITCH: PITCH, CONF_VOLUME: VOLUME}
"""The integer voice settings and the ranges the service takes."""
LANGUAGE_ORDER: Final = ("zh-CN", "en-US", "ar")


def voice_option_key(language: str) -> str:
    """Return the option key of a language's voice, e.g. `voice_zh_cn`."""
    return VOICE_OPTION_PREFIX + language.lower().replace("-", "_")


def voices_for_region(region: str) -> list[Voice]:
    """Return the voices offered in a region; a custom endpoint may offer all of them."""
    return _voices_for_region(None if region == REGION_CUSTOM else region, every_documented=True)


def voices_for_language(region: str, language: str) -> list[Voice]:
    """Return the voices of a language in a region, the default first."""
    return [voice for voice in voices_for_region(region) if voice.language == language]


def synthesis_languages(region: str) -> list[str]:
    """Return the language tags a region can speak (none: the region has no synthesis)."""
    spoken = {voice.language for voice in voices_for_region(region)}
    return [language for language in LANGUAGE_ORDER if language in spoken]


def takes(voice: Voice, key: str) -> bool:
    """Whether a voice takes a setting (`speed`, `pitch` or `volume`)."""
    return bool(getattr(voice, key))


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceSettings:
    """What the entry's options ask of every synthesis."""

    region: str
    voices: Mapping[str, str]
    """Language tag → the voice chosen for it; a missing tag uses the language's default."""
    speed: int = DEFAULT_SPEED
    pitch: int = DEFAULT_PITCH
    volume: int = DEFAULT_VOLUME

    @classmethod
    def from_options(cls, options: Mapping[str, Any], region: str) -> VoiceSettings:
        """Read the options; a missing or unusable value falls back to its default."""
        voices = {
            language: chosen
            for language in synthesis_languages(region)
            if (chosen := options.get(voice_option_key(language)))
            in {voice.voice_id for voice in voices_for_language(region, language)}
        }
        numbers: dict[str, int] = {}
        for key, default in DEFAULTS.items():
            try:
                numbers[key] = RANGES[key].check(key, options.get(key, default))
            except SisConfigError:
                numbers[key] = default
        return cls(region=region, voices=voices, **numbers)

    def voice(self, language: str) -> str | None:
        """Return the voice of a language: the chosen one, or the language's default."""
        if chosen := self.voices.get(language):
            return chosen
        offered = voices_for_language(self.region, language)
        return offered[0].voice_id if offered else None

    def config(self, language: str, overrides: Mapping[str, Any]) -> SynthesisConfig:
        """Return the config of a synthesis; a call's `voice`, `speed`, `pitch`, `volume` win.

        Raises SisConfigError for a voice the region does not offer or a value
        outside its range.
        """
        voice_id = overrides.get("voice") or self.voice(language)
        offered = {voice.voice_id for voice in voices_for_region(self.region)}
        if voice_id not in offered:
            raise SisConfigError(f"No voice {voice_id!r} for {language} in this region")
        voice = VOICES[voice_id]
        numbers = {
            key: RANGES[key].check(key, overrides.get(key, getattr(self, key)))
            for key in RANGES
            if takes(voice, key)
        }
        return SynthesisConfig(voice=voice_id, sample_rate=SAMPLE_RATE, **numbers)
