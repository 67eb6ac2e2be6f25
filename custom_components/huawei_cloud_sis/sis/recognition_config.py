"""What a recognition session asks for: mode, audio format and the START config."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import re
from typing import Any, TypeGuard

from .errors import SisConfigError
from .ranges import IntRange


class RecognitionMode(StrEnum):
    """The three real-time recognition modes (the last part of the WebSocket path)."""

    SHORT_STREAM = "short-stream"
    """One utterance under a minute; the client decides when it ends."""
    CONTINUE_STREAM = "continue-stream"
    """Long audio; the service splits sentences and goes on."""
    SENTENCE_STREAM = "sentence-stream"
    """The service detects the end of the first sentence and stops."""

    @property
    def max_audio_seconds(self) -> int:
        """The longest audio the service takes in one session (longer is SIS.0309)."""
        return 5 * 3600 if self is RecognitionMode.CONTINUE_STREAM else 60


class AudioFormat(StrEnum):
    """Raw audio encodings accepted by real-time recognition (mono, no header)."""

    PCM16K16BIT = "pcm16k16bit"
    PCM8K16BIT = "pcm8k16bit"
    ULAW16K8BIT = "ulaw16k8bit"
    ULAW8K8BIT = "ulaw8k8bit"
    ALAW16K8BIT = "alaw16k8bit"
    ALAW8K8BIT = "alaw8k8bit"

    @property
    def sample_rate(self) -> int:
        """Samples per second."""
        return 16000 if "16k" in self.value else 8000

    @property
    def sample_width(self) -> int:
        """Bytes per sample."""
        return 2 if self.value.endswith("16bit") else 1

    @property
    def bytes_per_second(self) -> int:
        """Bytes of audio per second."""
        return self.sample_rate * self.sample_width

    @property
    def min_frame(self) -> int:
        """Smallest binary frame the service accepts, in bytes."""
        return 320 if self.sample_rate == 16000 else 160

    @property
    def max_frame(self) -> int:
        """Largest binary frame the service accepts, in bytes."""
        return 65536 if self.sample_rate == 16000 else 32768

    @property
    def silence(self) -> bytes:
        """One sample of silence."""
        if self.value.startswith("ulaw"):
            return b"\xff"
        if self.value.startswith("alaw"):
            return b"\xd5"
        return b"\x00\x00"


VAD_HEAD_MS = IntRange(0, 60000)
"""`vad_head`: leading silence in ms before sentence mode gives up; 0 means no limit."""
VAD_TAIL_MS = IntRange(0, 3000)
"""`vad_tail`: trailing silence in ms that ends a sentence (below 200 cuts too often)."""
MAX_SECONDS = IntRange(1, 60)
"""`max_seconds`: the longest sentence in seconds."""

_MODEL_RE = re.compile(r"^[a-z]+_(8k|16k)_[a-z]+$")
_VOCABULARY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def is_vocabulary_id(value: object) -> TypeGuard[str]:
    """Whether `value` looks like a hot-word table id (letters, digits, - and _)."""
    return isinstance(value, str) and _VOCABULARY_RE.fullmatch(value) is not None


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecognitionConfig:
    """The `config` of a START command, checked against the documented ranges.

    Fields left at None are not sent, so the service applies its own default.
    """

    audio_format: AudioFormat
    model: str
    """The `property` field: `<language>_<8k|16k>_<domain>`, e.g. `chinese_16k_general`."""
    add_punc: bool = False
    interim_results: bool = False
    digit_norm: bool | None = None
    need_word_info: bool = False
    vad_head: int | None = None
    """Leading silence in ms (`VAD_HEAD_MS`) before sentence mode gives up; 0: no limit."""
    vad_tail: int | None = None
    """Trailing silence in ms (`VAD_TAIL_MS`) that ends a sentence."""
    max_seconds: int | None = None
    """Longest sentence in seconds (`MAX_SECONDS`)."""
    vocabulary_id: str | None = None
    """Hot-word table id of the same region."""

    def __post_init__(self) -> None:
        """Refuse values the service would reject, before anything is sent."""
        if not isinstance(self.audio_format, AudioFormat):
            raise SisConfigError(f"Unknown audio format {self.audio_format!r}")
        match = _MODEL_RE.match(self.model) if isinstance(self.model, str) else None
        if match is None:
            raise SisConfigError(f"Invalid model name {self.model!r}")
        if int(match.group(1)[:-1]) * 1000 != self.audio_format.sample_rate:
            raise SisConfigError(
                f"Model {self.model} does not match audio format {self.audio_format.value}"
            )
        for name, allowed in (
            ("vad_head", VAD_HEAD_MS),
            ("vad_tail", VAD_TAIL_MS),
            ("max_seconds", MAX_SECONDS),
        ):
            if (value := getattr(self, name)) is not None:
                allowed.check(name, value)
        if self.vocabulary_id is not None and not is_vocabulary_id(self.vocabulary_id):
            raise SisConfigError("vocabulary_id must be a hot-word table id")

    def to_json(self) -> dict[str, Any]:
        """Return the `config` object of the START command."""
        config: dict[str, Any] = {
            "audio_format": self.audio_format.value,
            "property": self.model,
            "add_punc": _yes_no(self.add_punc),
            "interim_results": _yes_no(self.interim_results),
            "need_word_info": _yes_no(self.need_word_info),
        }
        if self.digit_norm is not None:
            config["digit_norm"] = _yes_no(self.digit_norm)
        for name in ("vad_head", "vad_tail", "max_seconds", "vocabulary_id"):
            value = getattr(self, name)
            if value is not None:
                config[name] = value
        return config
