"""START config validation, with the service's error codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

AUDIO_FORMATS: Final = {
    "pcm16k16bit": 16000,
    "pcm8k16bit": 8000,
    "ulaw16k8bit": 16000,
    "ulaw8k8bit": 8000,
    "alaw16k8bit": 16000,
    "alaw8k8bit": 8000,
}
"""Audio format → sample rate."""

CHINA_SITE: Final = ("cn-north-4", "cn-east-3")
INTERNATIONAL: Final = ("ap-southeast-3", "me-east-1")


@dataclass(frozen=True, slots=True)
class Model:
    """A recognition model and where it is offered."""

    sample_rate: int
    regions: tuple[str, ...]
    digit_norm: bool = True
    vocabulary: bool = True


MODELS: Final = {
    "chinese_16k_general": Model(16000, (*CHINA_SITE, *INTERNATIONAL)),
    "chinese_8k_general": Model(8000, (*CHINA_SITE, *INTERNATIONAL)),
    "chinese_16k_common": Model(16000, CHINA_SITE),
    "chinese_8k_common": Model(8000, CHINA_SITE),
    "english_16k_general": Model(16000, ("cn-north-4", *INTERNATIONAL), digit_norm=False),
    "cantonese_16k_common": Model(16000, ("cn-north-4",), digit_norm=False, vocabulary=False),
    "sichuan_16k_common": Model(16000, ("cn-north-4",), digit_norm=False, vocabulary=False),
    "shanghai_16k_common": Model(16000, ("cn-north-4",)),
    "arabic_16k_general": Model(16000, INTERNATIONAL, digit_norm=False, vocabulary=False),
}

SWITCHES: Final = ("add_punc", "interim_results", "digit_norm", "need_word_info")
RANGES: Final = {"vad_head": (0, 60000), "vad_tail": (0, 3000), "max_seconds": (1, 60)}
KNOWN: Final = {"audio_format", "property", "vocabulary_id", *SWITCHES, *RANGES}


class ConfigRefused(Exception):
    """START is refused; args are (SIS code, message)."""


def _invalid(field: str) -> ConfigRefused:
    return ConfigRefused("SIS.0032", f"'{field}' is invalid")


def validate(config: Any, region: str | None) -> dict[str, Any]:
    """Return the config when the service would accept it, else raise ConfigRefused."""
    if not isinstance(config, dict):
        raise ConfigRefused("SIS.0012", "'config' cannot be empty")
    for field in ("audio_format", "property"):
        if not config.get(field):
            raise ConfigRefused("SIS.0012", f"'{field}' cannot be empty")
    unknown = sorted(set(config) - KNOWN)
    if unknown:
        raise ConfigRefused("SIS.0031", f"'{unknown[0]}' is not supported")
    if config["audio_format"] not in AUDIO_FORMATS:
        raise _invalid("audio_format")
    model = MODELS.get(config["property"]) if isinstance(config["property"], str) else None
    if model is None or (region is not None and region not in model.regions):
        raise _invalid("property")
    for field in SWITCHES:
        if field in config and config[field] not in ("yes", "no"):
            raise _invalid(field)
    for field, (low, high) in RANGES.items():
        value = config.get(field, low)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _invalid(field)
    if "vocabulary_id" in config:
        vocabulary = config["vocabulary_id"]
        if not isinstance(vocabulary, str) or not vocabulary:
            raise _invalid("vocabulary_id")
        if not model.vocabulary:
            raise ConfigRefused("SIS.0031", "'vocabulary_id' is not supported by this model")
    if "digit_norm" in config and not model.digit_norm:
        raise ConfigRefused("SIS.0031", "'digit_norm' is not supported by this model")
    if AUDIO_FORMATS[config["audio_format"]] != model.sample_rate:
        raise ConfigRefused("SIS.0301", "'audio_format' is not match model")
    return config


def frame_limits(audio_format: str) -> tuple[int, int]:
    """Smallest and largest binary frame the service accepts for a format."""
    return (320, 65536) if AUDIO_FORMATS[audio_format] == 16000 else (160, 32768)
