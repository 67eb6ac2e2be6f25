"""The voice settings of an entry: their defaults and ranges, and the synthesis config they make.

The options flow builds its voice section from these; the text-to-speech
entity reads the entry's settings through `VoiceSettings` and lets a call
override them (`voice`, `speed`, `pitch`, `volume`). The ranges are the
service's own (`sis.synthesis_config`). A setting a voice does not take
(pitch for premium voices; speed, pitch and volume for the Riyadh voices) is
left out for that voice.

Which voices are offered: those a real-time synthesis page names, each
language's default first (`sis.voices_for_region`), or every documented voice
when the entry asks for them (`every_voice`); never one the service refused
for the entry's region. A voice chosen before stays usable and listed even if
no real-time page names it: the service decides, and a refusal is learned.

Replies in Taiwanese Mandarin (zh-TW) and Cantonese (zh-HK) are spoken by the
Mandarin voices: no real-time page names a voice of either, and Home Assistant
writes both in Traditional characters, which `tts` converts to Simplified, the
script the Mandarin voices read. They get the Mandarin voice the options chose
unless a call or a pipeline names another; the default options carry it under
each language's own key (`voice_zh_tw`), so that a reply's cache key names the
voice it was spoken in.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .const import (
    CONF_EVERY_VOICE,
    CONF_PITCH,
    CONF_SPEED,
    CONF_VOLUME,
    REGION_CUSTOM,
    VOICE_OPTION_PREFIX,
)
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
DEFAULT_EVERY_VOICE: Final = False
"""Offer only the voices a real-time synthesis page names."""
DEFAULTS: Final[Mapping[str, int]] = {
    CONF_SPEED: DEFAULT_SPEED,
    CONF_PITCH: DEFAULT_PITCH,
    CONF_VOLUME: DEFAULT_VOLUME,
}
RANGES: Final[Mapping[str, IntRange]] = {CONF_SPEED: SPEED, CONF_PITCH: PITCH, CONF_VOLUME: VOLUME}
"""The integer voice settings and the ranges the service takes."""
LANGUAGE_ORDER: Final = ("zh-CN", "en-US", "ar")
"""The languages the voices speak, each with a voice option, in the order the options show them."""
TRADITIONAL_REPLIES: Final = ("zh-TW", "zh-HK")
"""Languages Home Assistant writes in Traditional characters and the Mandarin voices speak."""
REPLY_ORDER: Final = ("zh-TW", "zh-CN", "zh-HK", "en-US", "ar")
"""The order of the entity's languages, as the speech-to-text entity's (`languages`).

Home Assistant picks a pipeline's reply language with `language.matches`:
an exact tag wins, a tag without a region goes by the country and then by
zh-Hant → HK, TW and zh-Hans → CN, and between equals (a region no tag
names, such as zh-SG or zh-MO) the first in this list wins: zh-TW, whose
conversion to Simplified leaves Simplified text as it is, so that a reply in
either script reaches the Mandarin voices in Simplified characters.
"""
ATTR_VOICE: Final = "voice"
"""The per-call option naming a voice (Home Assistant's `tts.ATTR_VOICE`)."""


def voice_option_key(language: str) -> str:
    """Return the option key of a language's voice, e.g. `voice_zh_cn`."""
    return VOICE_OPTION_PREFIX + language.lower().replace("-", "_")


def voice_language(language: str) -> str:
    """Return the language whose voices speak replies in `language` (zh-TW: zh-CN)."""
    return "zh-CN" if language in TRADITIONAL_REPLIES else language


def voices_for_region(region: str, *, every_documented: bool = True) -> list[Voice]:
    """Return the voices of a region, the real-time ones first; a custom endpoint may offer all.

    Without `every_documented`, only the voices a real-time synthesis page names.
    """
    return _voices_for_region(
        None if region == REGION_CUSTOM else region, every_documented=every_documented
    )


def voices_for_language(
    region: str, language: str, *, every_documented: bool = True
) -> list[Voice]:
    """Return the voices of a language in a region, the default first."""
    return [
        voice
        for voice in voices_for_region(region, every_documented=every_documented)
        if voice.language == language
    ]


def offered_voices(
    region: str,
    language: str,
    *,
    every: bool = DEFAULT_EVERY_VOICE,
    refused: Collection[str] = (),
    chosen: str | None = None,
) -> list[Voice]:
    """Return the voices to offer for a language, the default first.

    Those a real-time page names (every documented one with `every`), and the
    voice `chosen` before when it is a documented one of the language; never
    a voice in `refused`.
    """
    voices = [
        voice
        for voice in voices_for_language(region, language, every_documented=every)
        if voice.voice_id not in refused
    ]
    documented = {voice.voice_id for voice in voices_for_language(region, language)}
    if chosen in documented and chosen not in refused and all(v.voice_id != chosen for v in voices):
        voices.append(VOICES[chosen])
    return voices


def synthesis_languages(region: str) -> list[str]:
    """Return the languages a region's voices speak (none: the region has no synthesis).

    Each has a voice option.
    """
    spoken = {voice.language for voice in voices_for_region(region)}
    return [language for language in LANGUAGE_ORDER if language in spoken]


def reply_languages(region: str) -> list[str]:
    """Return the languages a region replies in: its voices' own, and zh-TW and zh-HK with Mandarin.

    In `REPLY_ORDER`.
    """
    spoken = synthesis_languages(region)
    return [language for language in REPLY_ORDER if voice_language(language) in spoken]


def takes(voice: Voice, key: str) -> bool:
    """Whether a voice takes a setting (`speed`, `pitch` or `volume`)."""
    return bool(getattr(voice, key))


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceChoice:
    """What one reply is spoken with: the config, and the fallback if its voice is refused."""

    asked: str
    """The voice the call or the entry asked for."""
    config: SynthesisConfig
    """What is sent: the asked voice, or the language's default when the asked one is known
    to be refused."""
    fallback: SynthesisConfig | None
    """The language's default voice (another one), should the service refuse `config`'s."""

    @property
    def replaced(self) -> bool:
        """Whether the asked voice is known to be refused and another one speaks."""
        return self.config.voice != self.asked


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceSettings:
    """What the entry's options ask of every synthesis."""

    region: str
    voices: Mapping[str, str]
    """Language tag → the voice chosen for it; a missing tag uses the language's default."""
    speed: int = DEFAULT_SPEED
    pitch: int = DEFAULT_PITCH
    volume: int = DEFAULT_VOLUME
    every_voice: bool = DEFAULT_EVERY_VOICE
    """Offer every documented voice, not only those a real-time page names."""

    @classmethod
    def from_options(cls, options: Mapping[str, Any], region: str) -> VoiceSettings:
        """Read the options; a missing or unusable value falls back to its default.

        A chosen voice stays chosen when it is any documented voice of the
        language in the region, on a real-time page or not.
        """
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
        every = options.get(CONF_EVERY_VOICE, DEFAULT_EVERY_VOICE) is True
        return cls(region=region, voices=voices, every_voice=every, **numbers)

    def default(self, language: str, refused: Collection[str] = ()) -> str | None:
        """Return the language's default voice: the first a real-time page names, not refused."""
        return next(
            (
                voice.voice_id
                for voice in voices_for_language(
                    self.region, voice_language(language), every_documented=False
                )
                if voice.voice_id not in refused
            ),
            None,
        )

    def voice(self, language: str, refused: Collection[str] = ()) -> str | None:
        """Return the voice of a language: the chosen one, else (or if refused) the default."""
        chosen = self.voices.get(voice_language(language))
        if chosen and chosen not in refused:
            return chosen
        return self.default(language, refused) or chosen

    def offered(self, language: str, refused: Collection[str] = ()) -> list[Voice]:
        """Return the voices to offer for a language (see `offered_voices`)."""
        spoken_in = voice_language(language)
        return offered_voices(
            self.region,
            spoken_in,
            every=self.every_voice,
            refused=refused,
            chosen=self.voices.get(spoken_in),
        )

    def default_options(self, refused: Collection[str] = ()) -> dict[str, Any]:
        """Return the settings a reply gets unless its call says otherwise.

        The voice of each language the entity replies in under its option key
        (zh-TW's too, though the options choose it as Mandarin's), and the
        numbers: Home Assistant keys its audio cache on these, so a change
        makes new audio.
        """
        options: dict[str, Any] = {
            voice_option_key(language): voice
            for language in reply_languages(self.region)
            if (voice := self.voice(language, refused))
        }
        return options | {key: getattr(self, key) for key in RANGES}

    def choose(
        self, language: str, overrides: Mapping[str, Any], refused: Collection[str] = ()
    ) -> VoiceChoice:
        """Return what a reply is spoken with; a call's `voice`, `speed`, `pitch`, `volume` win.

        A voice known to be refused gives way to the language's default.
        Raises SisConfigError for a voice the region does not offer or a value
        outside its range.
        """
        asked = (
            overrides.get(ATTR_VOICE)
            or overrides.get(voice_option_key(language))
            or self.voice(language)
        )
        if not isinstance(asked, str) or asked not in {
            voice.voice_id for voice in voices_for_region(self.region)
        }:
            raise SisConfigError(f"No voice {asked!r} for {language} in this region")
        spoken = self.default(language, refused) if asked in refused else asked
        config = self._config(spoken or asked, overrides)
        fallback = self.default(language, {*refused, config.voice})
        return VoiceChoice(
            asked=asked,
            config=config,
            fallback=self._config(fallback, overrides) if fallback else None,
        )

    def config(self, language: str, overrides: Mapping[str, Any]) -> SynthesisConfig:
        """Return the config of a synthesis (see `choose`), whatever the service refused."""
        return self.choose(language, overrides).config

    def _config(self, voice_id: str, overrides: Mapping[str, Any]) -> SynthesisConfig:
        voice = VOICES[voice_id]
        numbers = {
            key: RANGES[key].check(key, overrides.get(key, getattr(self, key)))
            for key in RANGES
            if takes(voice, key)
        }
        return SynthesisConfig(voice=voice_id, sample_rate=SAMPLE_RATE, **numbers)


def without_refused(
    options: Mapping[str, Any], region: str, refused: Collection[str]
) -> dict[str, Any]:
    """Return the options with each refused voice replaced by the one that speaks instead."""
    settings = VoiceSettings.from_options(options, region)
    shown = dict(options)
    for language in synthesis_languages(region):
        key = voice_option_key(language)
        if shown.get(key) in refused and (voice := settings.voice(language, refused)):
            shown[key] = voice
    return shown
