"""What a synthesis asks for: the voice, the audio and the START config they make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .errors import SisConfigError
from .ranges import IntRange
from .voices import VOICES, Voice, text_length

SPEED: Final = IntRange(-500, 500)
"""`speed`: 0 is about 250 Chinese characters a minute; there is no exact scale."""
PITCH: Final = IntRange(-500, 500)
"""`pitch`: 0 is the voice's own."""
VOLUME: Final = IntRange(0, 100)
"""`volume`: the service's default is 50."""
SAMPLE_WIDTH: Final = 2
"""Bytes per sample of the `pcm` audio format (16-bit little-endian mono)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SynthesisConfig:
    """The `config` of a real-time synthesis START, checked against the voice's rules.

    The audio is always raw PCM; fields left at None are not sent, so the
    service applies its own default. A field the voice does not take is a
    `SisConfigError`: leave it at None.
    """

    voice: str
    """A `property` value of `VOICES`."""
    sample_rate: int = 16000
    speed: int | None = None
    pitch: int | None = None
    volume: int | None = None

    def __post_init__(self) -> None:
        """Refuse what the service would refuse, before anything is sent."""
        voice = VOICES.get(self.voice) if isinstance(self.voice, str) else None
        if voice is None:
            raise SisConfigError(f"Unknown voice {self.voice!r}")
        if self.sample_rate not in voice.sample_rates:
            raise SisConfigError(f"{self.voice} does not synthesise at {self.sample_rate!r} Hz")
        for name, allowed, takes in (
            ("speed", SPEED, voice.speed),
            ("pitch", PITCH, voice.pitch),
            ("volume", VOLUME, voice.volume),
        ):
            value = getattr(self, name)
            if value is None:
                continue
            if not takes:
                raise SisConfigError(f"{self.voice} does not take {name}")
            allowed.check(name, value)

    @property
    def spec(self) -> Voice:
        """The voice's facts."""
        return VOICES[self.voice]

    @property
    def bytes_per_second(self) -> int:
        """Bytes of audio per second of speech."""
        return self.sample_rate * SAMPLE_WIDTH

    def check_text(self, text: str) -> None:
        """Refuse a text the voice cannot take in one START (empty, or too long)."""
        if not text.strip():
            raise SisConfigError("There is no text to speak")
        if (length := text_length(text)) > self.spec.max_text:
            raise SisConfigError(
                f"{self.voice} takes at most {self.spec.max_text} characters, not {length}"
            )

    def to_json(self) -> dict[str, Any]:
        """Return the `config` object of the START command."""
        config: dict[str, Any] = {
            "audio_format": "pcm",
            "sample_rate": str(self.sample_rate),
            "property": self.voice,
        }
        for name in ("speed", "pitch", "volume"):
            if (value := getattr(self, name)) is not None:
                config[name] = value
        return config
