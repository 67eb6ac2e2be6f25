"""Options: recognition settings (checked with the service before they are saved) and voices."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)

if TYPE_CHECKING:
    import probatio as vol
else:
    import voluptuous as vol

from . import create_client
from .const import (
    CONF_ADD_PUNC,
    CONF_DIGIT_NORM,
    CONF_EARLY_ANSWER,
    CONF_EVERY_VOICE,
    CONF_EXTRA_WORDS,
    CONF_FALLBACK_ENGINE,
    CONF_FALLBACK_ON_EMPTY,
    CONF_FAVOUR_NAMES,
    CONF_MAX_SECONDS,
    CONF_MODE,
    CONF_PITCH,
    CONF_REGION,
    CONF_SPEED,
    CONF_VAD_HEAD,
    CONF_VAD_TAIL,
    CONF_VOLUME,
    DOMAIN,
)
from .early_answer import DEFAULT_EARLY_ANSWER
from .fallback import DEFAULT_FALLBACK_ON_EMPTY
from .home_names import (
    DEFAULT_FAVOUR_NAMES,
    overflowing_words,
    parse_extra_words,
    unusable_words,
)
from .languages import (
    LANGUAGES,
    Script,
    languages_for_region,
    region_of,
    table_languages_for_region,
)
from .learned_voices import learned_voices, refused_voices
from .settings import (
    DEFAULT_ADD_PUNC,
    DEFAULT_DIGIT_NORM,
    DEFAULT_MAX_SECONDS,
    DEFAULT_MODE,
    DEFAULT_VAD_HEAD,
    DEFAULT_VAD_TAIL,
    RANGES,
    RecognitionSettings,
)
from .sis import (
    MAX_WORDS_PER_TABLE,
    IntRange,
    RecognitionMode,
    SisClient,
    SisError,
    is_vocabulary_id,
)
from .validation import (
    ValidationError,
    changed_voices,
    check_settings,
    check_voice_settings,
    form_error,
)
from .voice_settings import (
    DEFAULT_EVERY_VOICE,
    DEFAULTS as VOICE_DEFAULTS,
    RANGES as VOICE_RANGES,
    VoiceSettings,
    synthesis_languages,
    takes,
    voice_option_key,
    voices_for_region,
    without_refused,
)

SECTION_RECOGNITION = "recognition"
SECTION_HOT_WORDS = "hot_words"
SECTION_FALLBACK = "fallback"
SECTION_VOICE_DETECTION = "voice_detection"
SECTION_VOICE = "voice"
OWN_TABLE_KEYS: Final = tuple(
    dict.fromkeys(
        language.vocabulary_option_key
        for language in LANGUAGES.values()
        if language.table_language is not None
    )
)
"""The options naming a user's own hot-word table, one per language that takes tables
(zh-TW shares Mandarin's)."""


def _recognition_fields(hass: HomeAssistant, entry: ConfigEntry) -> dict[Any, Any]:
    fields: dict[Any, Any] = {
        vol.Required(CONF_MODE, default=DEFAULT_MODE.value): SelectSelector(
            SelectSelectorConfig(
                options=[mode.value for mode in RecognitionMode],
                translation_key=CONF_MODE,
                mode=SelectSelectorMode.LIST,
            )
        ),
        vol.Required(CONF_ADD_PUNC, default=DEFAULT_ADD_PUNC): BooleanSelector(),
        vol.Required(CONF_DIGIT_NORM, default=DEFAULT_DIGIT_NORM): BooleanSelector(),
        vol.Required(CONF_EARLY_ANSWER, default=DEFAULT_EARLY_ANSWER): BooleanSelector(),
    }
    region: str = entry.data[CONF_REGION]
    offered = region_of(region)
    languages = [LANGUAGES[tag] for tag in languages_for_region(region)]
    # A model choice where the region offers more than one model; zh-TW shares Mandarin's.
    for language in languages:
        models = language.models_in(offered)
        key = language.option_key
        if len(models) > 1 and key not in fields:
            fields[vol.Required(key, default=models[0])] = SelectSelector(
                SelectSelectorConfig(
                    options=list(models), translation_key="model", mode=SelectSelectorMode.DROPDOWN
                )
            )
    # The script of each Chinese language's text.
    for language in languages:
        if (script := language.default_script) is not None:
            fields[vol.Required(language.script_option_key, default=script.value)] = SelectSelector(
                SelectSelectorConfig(
                    options=[choice.value for choice in Script],
                    translation_key="script",
                    mode=SelectSelectorMode.LIST,
                )
            )
    return fields


def _hot_word_fields(hass: HomeAssistant, entry: ConfigEntry) -> dict[Any, Any]:
    fields: dict[Any, Any] = {
        vol.Required(CONF_FAVOUR_NAMES, default=DEFAULT_FAVOUR_NAMES): BooleanSelector(),
        vol.Optional(CONF_EXTRA_WORDS): TextSelector(TextSelectorConfig(multiline=True)),
    }
    for key in OWN_TABLE_KEYS:
        fields[vol.Optional(key)] = TextSelector()
    return fields


def _fallback_fields(hass: HomeAssistant, entry: ConfigEntry) -> dict[Any, Any]:
    own = er.async_get(hass).async_get_entity_id("stt", DOMAIN, entry.entry_id)
    return {
        vol.Optional(CONF_FALLBACK_ENGINE): EntitySelector(
            EntitySelectorConfig(domain="stt", exclude_entities=[own] if own else [])
        ),
        vol.Required(CONF_FALLBACK_ON_EMPTY, default=DEFAULT_FALLBACK_ON_EMPTY): (
            BooleanSelector()
        ),
    }


def _voice_detection_fields(hass: HomeAssistant, entry: ConfigEntry) -> dict[Any, Any]:
    return {
        vol.Required(CONF_VAD_HEAD, default=DEFAULT_VAD_HEAD): _number(CONF_VAD_HEAD, 100, "ms"),
        vol.Required(CONF_VAD_TAIL, default=DEFAULT_VAD_TAIL): _number(CONF_VAD_TAIL, 50, "ms"),
        vol.Required(CONF_MAX_SECONDS, default=DEFAULT_MAX_SECONDS): _number(
            CONF_MAX_SECONDS, 1, "s"
        ),
    }


def _voice_fields(hass: HomeAssistant, entry: ConfigEntry) -> dict[Any, Any]:
    # The voice of each language and the settings the region's voices take (none: no synthesis).
    region: str = entry.data[CONF_REGION]
    settings = VoiceSettings.from_options(entry.options, region)
    refused = refused_voices(entry)
    fields: dict[Any, Any] = {}
    for language in synthesis_languages(region):
        if not (voices := settings.offered(language, refused)):
            continue  # the service refused every voice of the language
        # Each voice is named by the translation of its id (selector.voice.options).
        fields[vol.Required(voice_option_key(language), default=voices[0].voice_id)] = (
            SelectSelector(
                SelectSelectorConfig(
                    options=[voice.voice_id for voice in voices],
                    translation_key="voice",
                    mode=SelectSelectorMode.DROPDOWN,
                )
            )
        )
    if fields:
        fields[vol.Required(CONF_EVERY_VOICE, default=DEFAULT_EVERY_VOICE)] = BooleanSelector()
    offered = voices_for_region(region)
    for key, step in ((CONF_SPEED, 10), (CONF_PITCH, 10), (CONF_VOLUME, 5)):
        if any(takes(voice, key) for voice in offered):
            fields[vol.Required(key, default=VOICE_DEFAULTS[key])] = _number(
                key, step, None, VOICE_RANGES
            )
    return fields


type Fields = Callable[[HomeAssistant, ConfigEntry], dict[Any, Any]]

SECTIONS: Final[Mapping[str, tuple[Fields, bool]]] = {
    SECTION_RECOGNITION: (_recognition_fields, False),
    SECTION_VOICE_DETECTION: (_voice_detection_fields, True),
    SECTION_HOT_WORDS: (_hot_word_fields, True),
    SECTION_FALLBACK: (_fallback_fields, False),
    SECTION_VOICE: (_voice_fields, False),
}
"""The sections of the form in order: their fields and whether they start collapsed.

Options are stored flat, one key per field, whatever section shows them. The
recognition sections come first, the voice of spoken replies last.
"""


def _options_schema(
    hass: HomeAssistant, entry: ConfigEntry, opened: Collection[str] = ()
) -> vol.Schema:
    """Return the form; the sections named in `opened` are open whatever their default."""
    return vol.Schema(
        {
            vol.Required(name): section(
                vol.Schema(part), {"collapsed": collapsed and name not in opened}
            )
            for name, (fields, collapsed) in SECTIONS.items()
            if (part := fields(hass, entry))
        }
    )


def _fields(schema: vol.Schema) -> dict[str, list[vol.Required | vol.Optional]]:
    """Return the fields of each section of the form, by the section's name."""
    return {str(name): list(part.schema.schema) for name, part in schema.schema.items()}


def _section_of(schema: vol.Schema, field: str) -> str:
    """Return the section showing `field`: the key its form errors need to be shown.

    Home Assistant's frontend shows an error only under a key of the form's top
    level, so an error of a field inside a section is keyed by the section (its
    text names the field). A field the form does not show gets `base`.
    """
    for name, markers in _fields(schema).items():
        if field in {str(marker) for marker in markers}:
            return name
    return "base"


def _nested(schema: vol.Schema, options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Sort flat options into the form's sections (for suggested values)."""
    nested: dict[str, dict[str, Any]] = {}
    for name, markers in _fields(schema).items():
        keys = {str(marker) for marker in markers}
        nested[name] = {key: value for key, value in options.items() if key in keys}
    return nested


def _flat(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the form's answer with one key per field."""
    return {key: value for part in user_input.values() for key, value in part.items()}


def _changed_sections(
    schema: vol.Schema, answer: Mapping[str, Any], stored: Mapping[str, Any]
) -> set[str]:
    """Return the sections the user changed something in (and so had opened)."""

    def differs(marker: vol.Required | vol.Optional) -> bool:
        # A field left alone holds its default (None: an optional field left empty).
        default = marker.default() if callable(marker.default) else None
        key = str(marker)
        return bool(answer.get(key, default) != stored.get(key, default))

    return {name for name, markers in _fields(schema).items() if any(map(differs, markers))}


def _out_of_range(options: Mapping[str, Any]) -> dict[str, str]:
    """Return the errors of the numbers outside the range the service takes.

    The number boxes leave their range to the flow (see `_number`), so that
    the error is keyed by the section and worded in the user's language.
    """
    return {
        key: f"out_of_range_{key}"
        for key, allowed in NUMBER_RANGES.items()
        if key in options and options[key] not in allowed
    }


class HuaweiSisOptionsFlow(OptionsFlowWithReload):
    """Recognition, silence, hot words, the fallback engine and voices, a section each."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options; store them once the service accepts them (the entry reloads).

        An error is shown above the section of its field, and that section comes
        back open, as do those the user changed something in.
        """
        placeholders = dict.fromkeys(("language", "code", "message", "words", "voice"), "")
        placeholders["limit"] = str(MAX_WORDS_PER_TABLE)
        entry = self.config_entry
        problems: dict[str, str] = {}
        shown: Mapping[str, Any] = entry.options
        if user_input is not None:
            shown = _flat(user_input)
            options = dict(shown)
            problems = self._clean_hot_words(options, placeholders) | _out_of_range(options)
            if not problems:
                try:
                    await self._check(options)
                except ValidationError as err:
                    problems[err.field] = err.error
                    placeholders |= err.placeholders
            if not problems:
                return self.async_create_entry(data=options)
        return self._form(shown, problems, placeholders)

    def _form(
        self, shown: Mapping[str, Any], problems: Mapping[str, str], placeholders: dict[str, str]
    ) -> ConfigFlowResult:
        """Show the options; each problem above the section of its field, that section open."""
        entry = self.config_entry
        schema = _options_schema(self.hass, entry)
        errors: dict[str, str] = {}
        for field, error in problems.items():
            errors.setdefault(_section_of(schema, field), error)
        opened = set(errors) | _changed_sections(schema, shown, entry.options)
        schema = _options_schema(self.hass, entry, opened)
        # A voice the service refused shows as the voice that speaks instead.
        suggested = without_refused(shown, entry.data[CONF_REGION], refused_voices(entry))
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, _nested(schema, suggested)),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _clean_hot_words(
        self, options: dict[str, Any], placeholders: dict[str, str]
    ) -> dict[str, str]:
        """Tidy the hot-word fields in place; return the errors of those that are unusable."""
        errors: dict[str, str] = {}
        for key in OWN_TABLE_KEYS:
            table = str(options.pop(key, "")).strip()
            if table:
                options[key] = table
                if not is_vocabulary_id(table):
                    errors[key] = f"invalid_{key}"
        words = parse_extra_words(options.pop(CONF_EXTRA_WORDS, ""))
        if words:
            options[CONF_EXTRA_WORDS] = "\n".join(words)
        languages = table_languages_for_region(self.config_entry.data[CONF_REGION])
        if unusable := unusable_words(words, languages):
            errors[CONF_EXTRA_WORDS] = "invalid_extra_words"
            placeholders["words"] = ", ".join(unusable)
        elif overflowing_words(words, languages):
            errors[CONF_EXTRA_WORDS] = "too_many_extra_words"
        return errors

    async def _check(self, options: Mapping[str, Any]) -> None:
        """Have the service try changed recognition and voice settings before they are saved."""
        entry = self.config_entry
        region: str = entry.data[CONF_REGION]
        settings = RecognitionSettings.from_options(options, region)
        recognition = settings != RecognitionSettings.from_options(entry.options, region)
        voices = changed_voices(region, entry.options, options, refused_voices(entry))
        if not recognition and not voices:
            return
        if entry.state is ConfigEntryState.LOADED:
            client: SisClient = entry.runtime_data.client
        else:
            try:
                client = create_client(async_get_clientsession(self.hass), entry.data)
            except SisError as err:
                raise form_error(err) from err
        if recognition:
            await check_settings(client, region, settings)
        await check_voice_settings(client, voices, learned_voices(entry))


class _NumberBox(NumberSelector):
    """A number box that tells the frontend its range but leaves checking it to the flow.

    Home Assistant refuses a value its schema rejects with raw English at the top
    of the form, since it cannot key the error by a field inside a section.
    """

    def __call__(self, data: Any) -> float:
        """Take any number; `_out_of_range` checks it."""
        number: float = vol.Coerce(float)(data)
        return number


def _number(
    key: str, step: int, unit: str | None, ranges: Mapping[str, IntRange] = RANGES
) -> vol.All[Any]:
    """Return a number field that shows the range the service takes for `key`."""
    allowed = ranges[key]
    config = NumberSelectorConfig(
        min=allowed.low, max=allowed.high, step=step, mode=NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return vol.All(_NumberBox(config), vol.Coerce(int))


NUMBER_RANGES: Final[Mapping[str, IntRange]] = {**RANGES, **VOICE_RANGES}
"""Every number of the form and the range the service takes (its error names both)."""
