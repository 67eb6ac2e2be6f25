"""The recognition settings of an entry: their defaults and ranges, and the START config they make.

The options flow builds its form from these, the entity reads its settings
through `RecognitionSettings`, and both validate with the same ranges, which
are the service's own (`sis.recognition_config`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .chinese_script import Conversion
from .const import (
    CONF_ADD_PUNC,
    CONF_DIGIT_NORM,
    CONF_MAX_SECONDS,
    CONF_MODE,
    CONF_VAD_HEAD,
    CONF_VAD_TAIL,
    CONF_VOCABULARY_ID,
    REGION_CUSTOM,
)
from .languages import LANGUAGES, MODELS, Script, region_of
from .sis import (
    MAX_SECONDS,
    VAD_HEAD_MS,
    VAD_TAIL_MS,
    AudioFormat,
    IntRange,
    RecognitionConfig,
    RecognitionMode,
    SisConfigError,
    TableLanguage,
    is_vocabulary_id,
    table_language_for_model,
)

DEFAULT_MODE: Final = RecognitionMode.SHORT_STREAM
"""Home Assistant's voice activity detection decides when speech ends."""
DEFAULT_ADD_PUNC: Final = False
"""Punctuation gets in the way of intent matching."""
DEFAULT_DIGIT_NORM: Final = True
"""Spoken numbers as digits: what intents expect."""
DEFAULT_VAD_HEAD: Final = 10000
"""Milliseconds of leading silence before sentence mode gives up (0: no limit)."""
DEFAULT_VAD_TAIL: Final = 500
"""Milliseconds of trailing silence that end a sentence."""
DEFAULT_MAX_SECONDS: Final = 30
"""Longest sentence in seconds."""

RANGES: Final[Mapping[str, IntRange]] = {
    CONF_VAD_HEAD: VAD_HEAD_MS,
    CONF_VAD_TAIL: VAD_TAIL_MS,
    CONF_MAX_SECONDS: MAX_SECONDS,
}
"""The integer options and the ranges the service takes."""

SAMPLE_RATES: Final[Mapping[int, AudioFormat]] = {
    16000: AudioFormat.PCM16K16BIT,
    8000: AudioFormat.PCM8K16BIT,
}
"""Sample rates the entity takes (16-bit mono PCM) and their audio format."""


def own_vocabulary_ids(options: Mapping[str, Any]) -> dict[str, str]:
    """Return language tag → the hot-word table the user named for it in the options."""
    return {
        tag: table
        for tag, language in LANGUAGES.items()
        if language.table_language is not None
        and is_vocabulary_id(table := options.get(language.vocabulary_option_key))
    }


def _number(options: Mapping[str, Any], key: str, default: int) -> int:
    try:
        return RANGES[key].check(key, options.get(key, default))
    except SisConfigError:
        return default


@dataclass(frozen=True, slots=True, kw_only=True)
class RecognitionSettings:
    """What the entry's options ask of every recognition."""

    mode: RecognitionMode = DEFAULT_MODE
    add_punc: bool = DEFAULT_ADD_PUNC
    digit_norm: bool = DEFAULT_DIGIT_NORM
    vocabulary_ids: Mapping[str, str] | None = None
    """Language tag → the user's own hot-word table; it wins over the table kept for the home."""
    vad_head: int = DEFAULT_VAD_HEAD
    vad_tail: int = DEFAULT_VAD_TAIL
    max_seconds: int = DEFAULT_MAX_SECONDS
    models: Mapping[str, str] | None = None
    """Language tag → chosen 16 kHz model; a missing tag uses the language's default."""

    @classmethod
    def from_options(
        cls, options: Mapping[str, Any], region: str = REGION_CUSTOM
    ) -> RecognitionSettings:
        """Read the options of an entry of `region` (`CONF_REGION`).

        A missing or unusable value falls back to its default, and so does a model the
        region does not offer (an entry moved to another region keeps its options).
        """
        offered = region_of(region)
        models = {  # the default chosen is no choice: settings that ask the same are equal
            tag: chosen
            for tag, language in LANGUAGES.items()
            if isinstance(chosen := options.get(language.option_key), str)
            and chosen != language.default_model
            and chosen in language.models_in(offered)
        }
        mode = options.get(CONF_MODE)
        return cls(
            mode=RecognitionMode(mode)
            if isinstance(mode, str) and mode in RecognitionMode
            else DEFAULT_MODE,
            add_punc=bool(options.get(CONF_ADD_PUNC, DEFAULT_ADD_PUNC)),
            digit_norm=bool(options.get(CONF_DIGIT_NORM, DEFAULT_DIGIT_NORM)),
            vocabulary_ids=own_vocabulary_ids(options),
            vad_head=_number(options, CONF_VAD_HEAD, DEFAULT_VAD_HEAD),
            vad_tail=_number(options, CONF_VAD_TAIL, DEFAULT_VAD_TAIL),
            max_seconds=_number(options, CONF_MAX_SECONDS, DEFAULT_MAX_SECONDS),
            models=models,
        )

    def model(self, tag: str) -> str:
        """Return the 16 kHz model of a language (a tag of `LANGUAGES`)."""
        return (self.models or {}).get(tag) or LANGUAGES[tag].default_model

    def config(
        self,
        tag: str,
        sample_rate: int,
        *,
        interim_results: bool,
        tables: Mapping[TableLanguage, str] | None = None,
    ) -> RecognitionConfig:
        """Return the START config for a request; raise SisConfigError if no model fits.

        `tables` are the hot-word tables kept for the home, by language: the
        model gets the one of its own language, unless the user named a table
        of theirs for the language. A model that takes no table gets none.
        """
        audio_format = SAMPLE_RATES.get(sample_rate)
        if tag not in LANGUAGES or audio_format is None:
            raise SisConfigError(f"No model for {tag} at {sample_rate} Hz")
        facts = MODELS[self.model(tag)]
        model = facts.name
        if audio_format is AudioFormat.PCM8K16BIT:
            if facts.telephone is None:
                raise SisConfigError(f"No 8 kHz model for {tag} ({facts.name} has none)")
            model = facts.telephone
        vad = self.mode is not RecognitionMode.SHORT_STREAM
        table_language = table_language_for_model(model)
        vocabulary_id = None
        if table_language is not None:
            own = (self.vocabulary_ids or {}).get(tag)
            vocabulary_id = own or (tables or {}).get(table_language)
        return RecognitionConfig(
            audio_format=audio_format,
            model=model,
            add_punc=self.add_punc,
            interim_results=interim_results,
            digit_norm=self.digit_norm if facts.digit_norm else None,
            vocabulary_id=vocabulary_id,
            vad_head=self.vad_head if vad else None,
            vad_tail=self.vad_tail if vad else None,
            max_seconds=max(self.max_seconds, facts.min_max_seconds) if vad else None,
        )


@dataclass(frozen=True, slots=True)
class TextScripts:
    """The script each Chinese language's text is written in.

    The options' choice, else the language's default. The service is asked nothing about
    it: the model's text is converted after the recognition.
    """

    chosen: Mapping[str, Script]
    """Language tag → the script the options chose for it."""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TextScripts:
        """Read the options; a missing or unusable choice leaves the language's default."""
        return cls(
            {
                tag: Script(chosen)
                for tag, language in LANGUAGES.items()
                if isinstance(chosen := options.get(language.script_option_key), str)
                and chosen in language.scripts
            }
        )

    def script(self, tag: str) -> Script | None:
        """Return the script of a language's text; None for a language not written in Chinese."""
        language = LANGUAGES.get(tag)
        if language is None:
            return None
        return self.chosen.get(tag) or language.default_script

    def conversion(self, tag: str) -> Conversion | None:
        """Return how the model's text of a language is converted; None: it is kept as written."""
        script = self.script(tag)
        return None if script is None else LANGUAGES[tag].scripts[script]


def migrate_options(options: Mapping[str, Any], minor_version: int) -> dict[str, Any]:
    """Return the options of an entry of version 1 as the current minor version keeps them.

    Minor version 2 replaced the one hot-word table sent with every language
    (`vocabulary_id`) by one table per language: the old table was meant for
    Mandarin, the language every region offers (sent with the English model,
    a Mandarin table is refused), so it becomes Mandarin's.
    """
    migrated = dict(options)
    if minor_version < 2:
        table = migrated.pop(CONF_VOCABULARY_ID, None)
        if is_vocabulary_id(table):
            migrated[LANGUAGES["zh-CN"].vocabulary_option_key] = table
    return migrated
