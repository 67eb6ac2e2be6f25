"""START config validation, answering with the service's error code and message.

The product keeps its own copy of the same documented facts, on purpose: the
two share no code, so a misreading in one is not hidden by the other. Each
table below names the product module it mirrors; when a documented limit
changes, change both (tests/test_emulator_mirrors_product.py fails until they
agree).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .readings import Readings

# Mirrors the product's sis/recognition_config.py (AudioFormat: values, sample rates, widths,
# frame sizes).
AUDIO_FORMATS: Final = {
    "pcm16k16bit": 16000,
    "pcm8k16bit": 8000,
    "ulaw16k8bit": 16000,
    "ulaw8k8bit": 8000,
    "alaw16k8bit": 16000,
    "alaw8k8bit": 8000,
}
"""Audio format → sample rate."""

# Mirrors the product's sis/endpoints.py (REGIONS).
CHINA_SITE: Final = ("cn-north-4", "cn-east-3")
INTERNATIONAL: Final = ("ap-southeast-3", "me-east-1")
UNDOCUMENTED_SCRIPT: Final = "undocumented"
"""A model whose script Huawei does not document (`Readings.cantonese_script` decides)."""


@dataclass(frozen=True, slots=True)
class Model:
    """A recognition model: its sample rate, where it is offered and what it accepts."""

    sample_rate: int
    regions: tuple[str, ...]
    digit_norm: bool = True
    table_language: str | None = "chinese_mandarin"
    """The language of the hot-word tables it takes; None: it takes no `vocabulary_id`."""
    min_sentence_seconds: int = 1
    """Dialect models treat a smaller `max_seconds` as this."""
    modes: tuple[str, ...] = ("short-stream", "continue-stream", "sentence-stream")
    """The real-time modes that take the model."""
    script: str | None = "simplified"
    """The script of its Chinese text: "simplified", `UNDOCUMENTED_SCRIPT`, or None for a
    model that writes no Chinese."""


# Mirrors the product's languages.py (LANGUAGES: models, regions, digit_norm, min_max_seconds)
# and sis/hot_words.py (table_language_for_model).
MODELS: Final = {
    # Huawei's 2021 pages offer chinese_16k_general in the continuous and short-stream
    # modes only; newer SDK samples use it in continuous mode with vad_tail and
    # max_seconds, but nothing shows it in sentence mode: the strict reading refuses it.
    "chinese_16k_general": Model(
        16000, (*CHINA_SITE, *INTERNATIONAL), modes=("short-stream", "continue-stream")
    ),
    "chinese_8k_general": Model(8000, (*CHINA_SITE, *INTERNATIONAL)),
    "chinese_16k_common": Model(16000, CHINA_SITE),
    "chinese_8k_common": Model(8000, CHINA_SITE),
    "english_16k_general": Model(
        16000,
        ("cn-north-4", *INTERNATIONAL),
        digit_norm=False,
        table_language="english",
        script=None,
    ),
    "cantonese_16k_common": Model(
        16000,
        ("cn-north-4",),
        digit_norm=False,
        table_language=None,
        min_sentence_seconds=10,
        script=UNDOCUMENTED_SCRIPT,
    ),
    "sichuan_16k_common": Model(
        16000, ("cn-north-4",), digit_norm=False, table_language=None, min_sentence_seconds=10
    ),
    "shanghai_16k_common": Model(16000, ("cn-north-4",), min_sentence_seconds=10),
    "arabic_16k_general": Model(16000, INTERNATIONAL, table_language=None, script=None),
}

# SWITCHES, RANGES and KNOWN_FIELDS mirror the product's sis/recognition_config.py
# (RecognitionConfig, VAD_HEAD_MS, VAD_TAIL_MS, MAX_SECONDS).
SWITCHES: Final = ("add_punc", "interim_results", "digit_norm", "need_word_info")
"""Fields whose value is the string "yes" or "no"."""
RANGES: Final = {"vad_head": (0, 60000), "vad_tail": (0, 3000), "max_seconds": (1, 60)}
"""Integer fields and their inclusive ranges."""
REQUIRED: Final = ("audio_format", "property")
KNOWN_FIELDS: Final = frozenset({*REQUIRED, *SWITCHES, *RANGES, "vocabulary_id"})


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why START is refused: the SIS error code and message of the ERROR response."""

    code: str
    message: str


def _invalid(field: str) -> Refusal:
    return Refusal("SIS.0032", f"'{field}' is invalid")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_config(
    config: Any,
    region: str | None,
    mode: str,
    table_language: Callable[[str], str | None] | None = None,
    readings: Readings | None = None,
) -> Refusal | None:
    """Return why the service refuses this START config in `region` and `mode`, or None.

    `table_language` gives the language of a hot-word table of the session's
    project, None for a table the project does not have; without it any
    well-formed `vocabulary_id` passes. `readings.dead_table_start` says how a
    table the project does not have is answered.
    """
    if config is None:
        return Refusal("SIS.0012", "'config' cannot be empty")
    if not isinstance(config, dict):
        return _invalid("config")
    for field in REQUIRED:
        if config.get(field) in (None, ""):
            return Refusal("SIS.0012", f"'{field}' cannot be empty")
    unknown = sorted(str(key) for key in config if key not in KNOWN_FIELDS)
    if unknown:
        return Refusal("SIS.0031", f"'{unknown[0]}' is not supported")
    audio_format, model_name = config["audio_format"], config["property"]
    if not isinstance(audio_format, str) or audio_format not in AUDIO_FORMATS:
        return _invalid("audio_format")
    if not isinstance(model_name, str) or model_name not in MODELS:
        return _invalid("property")
    for field in SWITCHES:
        if field in config and config[field] not in ("yes", "no"):
            return _invalid(field)
    for field, (low, high) in RANGES.items():
        if field in config and not (_is_int(config[field]) and low <= config[field] <= high):
            return _invalid(field)
    if "vocabulary_id" in config and not (
        isinstance(config["vocabulary_id"], str) and config["vocabulary_id"]
    ):
        return _invalid("vocabulary_id")
    model = MODELS[model_name]
    if region is not None and region not in model.regions:
        return _invalid("property")
    if mode not in model.modes:
        return Refusal("SIS.0031", f"'{model_name}' is not supported in {mode} mode")
    if "digit_norm" in config and not model.digit_norm:
        return Refusal("SIS.0031", f"'digit_norm' is not supported by {model_name}")
    if "vocabulary_id" in config and model.table_language is None:
        return Refusal("SIS.0031", f"'vocabulary_id' is not supported by {model_name}")
    if AUDIO_FORMATS[audio_format] != model.sample_rate:
        return Refusal("SIS.0301", "'audio_format' is not match model")
    if "vocabulary_id" in config and table_language is not None:
        dead_table = (readings or Readings()).dead_table_start
        return _check_table(config["vocabulary_id"], model_name, model, table_language, dead_table)
    return None


def _check_table(
    vocabulary_id: str,
    model_name: str,
    model: Model,
    table_language: Callable[[str], str | None],
    dead_table: str,
) -> Refusal | None:
    """Refuse a table that is unknown, of another project, or of another language.

    The pages say "an invalid id errors" without a code. An unknown or foreign
    table is answered as the reading `dead_table` says (`Readings.dead_table_start`):
    by default with the clearest of the hot-word codes, SIS.0201 (table not
    found). For a table of another language the pages say it "has no effect" or
    may be refused; refused it is, with SIS.0205 (language not supported), so a
    client learns of a table that would silently do nothing.
    """
    language = table_language(vocabulary_id)
    if language is None:
        if dead_table == "ignore":
            return None
        if dead_table == "other":
            return _invalid("vocabulary_id")
        return Refusal("SIS.0201", f"the vocabulary {vocabulary_id} is not found")
    if language != model.table_language:
        return Refusal("SIS.0205", f"a {language} vocabulary is not supported by {model_name}")
    return None


def sample_rate(audio_format: str) -> int:
    """Samples per second of an audio format."""
    return AUDIO_FORMATS[audio_format]


def sample_width(audio_format: str) -> int:
    """Bytes per sample: 2 for 16-bit PCM, 1 for u-law and a-law."""
    return 2 if audio_format.endswith("16bit") else 1


# Mirrors the product's sis/recognition_config.py (AudioFormat.min_frame and max_frame).
def frame_limits(audio_format: str) -> tuple[int, int]:
    """Smallest and largest binary frame, in bytes, the service accepts for a format."""
    return (320, 65536) if sample_rate(audio_format) == 16000 else (160, 32768)
