"""Checking what the user typed with the service, and the form error each failure stands for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import logging
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from . import create_client
from .const import (
    AUTH_TYPE_TOKEN,
    CONF_AUTH_TYPE,
    CONF_IAM_ENDPOINT,
    CONF_PASSWORD,
    CONF_PROJECT_ID,
    CONF_SECRET_KEY,
    CONF_SIS_ENDPOINT,
    REGION_CUSTOM,
)
from .languages import LANGUAGES, MODELS, languages_for_region
from .learned_voices import LearnedVoices
from .settings import RecognitionSettings
from .sis import (
    AccountProblem,
    AudioFormat,
    RecognitionConfig,
    RecognitionMode,
    SisAccountError,
    SisAuthError,
    SisClient,
    SisConfigError,
    SisConnectionError,
    SisError,
    SisPermissionError,
    SisProjectError,
    SisServerError,
    SisTimeoutError,
    SisVoiceRefusedError,
    SynthesisConfig,
    normalize_base_url,
)
from .voice_settings import VoiceSettings, synthesis_languages, voice_option_key

_LOGGER = logging.getLogger(__name__)

ACCOUNT_ERRORS: Final = {
    AccountProblem.REAL_NAME: "real_name_required",
    AccountProblem.ARREARS: "account_restricted",
    AccountProblem.FROZEN: "account_frozen",
}
"""The form errors of the account problems a user can fix before trying again."""
PROBE_LANGUAGE = "zh-CN"
"""Mandarin is offered in every region, so its model proves the whole path."""


@dataclass(frozen=True, slots=True)
class ValidatedAccount:
    """What validation learned: the project in use and the service's trace id."""

    project_id: str
    trace_id: str | None


class ValidationError(Exception):
    """Validation failed; `error` is the form's error key."""

    def __init__(
        self, error: str, *, field: str = "base", placeholders: Mapping[str, str] | None = None
    ) -> None:
        """Keep the error key, the field it belongs to and the message's placeholders."""
        super().__init__(error)
        self.error = error
        self.field = field
        self.placeholders = dict(placeholders or {})


def form_error(err: Exception) -> ValidationError:
    """Return the form error that a failed check of the service stands for."""
    if isinstance(err, SisConfigError):
        return ValidationError("invalid_endpoint", field=CONF_SIS_ENDPOINT)
    if isinstance(err, SisAuthError):
        return ValidationError("invalid_auth")
    if isinstance(err, SisPermissionError):
        return ValidationError("permission_denied", placeholders={"code": err.label})
    if isinstance(err, SisProjectError):
        return ValidationError("invalid_project")
    if isinstance(err, SisConnectionError | SisTimeoutError):
        _LOGGER.debug("Cannot reach Huawei Cloud SIS: %s", err)
        return ValidationError("cannot_connect")
    if isinstance(err, SisAccountError) and err.problem in ACCOUNT_ERRORS:
        return ValidationError(ACCOUNT_ERRORS[err.problem], placeholders={"code": err.label})
    if isinstance(err, SisError):
        return ValidationError("service_error", placeholders={"code": err.label})
    _LOGGER.error("Unexpected error while checking Huawei Cloud SIS", exc_info=err)
    return ValidationError("unknown")


def credentials_error(err: Exception, data: Mapping[str, Any]) -> ValidationError:
    """Return the form error of a failed check of what the user typed in the config flow.

    Refused credentials, a bad endpoint and an unknown project point at the field
    concerned, worded for the chosen sign-in method; the rest is as `form_error`.
    """
    if isinstance(err, SisConfigError):
        try:
            normalize_base_url(data[CONF_SIS_ENDPOINT], secure="wss", plain="ws")
        except SisConfigError:
            return ValidationError("invalid_sis_endpoint", field=CONF_SIS_ENDPOINT)
        return ValidationError("invalid_iam_endpoint", field=CONF_IAM_ENDPOINT)
    if isinstance(err, SisAuthError):
        if data[CONF_AUTH_TYPE] == AUTH_TYPE_TOKEN:
            return ValidationError("invalid_password", field=CONF_PASSWORD)
        return ValidationError("invalid_access_key", field=CONF_SECRET_KEY)
    if isinstance(err, SisProjectError):
        return ValidationError("invalid_project", field=CONF_PROJECT_ID)
    return form_error(err)


async def validate_input(hass: HomeAssistant, data: Mapping[str, Any]) -> ValidatedAccount:
    """Prove that credentials, project and service work together.

    Gets a token (or makes a signed IAM call), finds the project, then opens
    a recognition session that is cancelled at once without audio.
    """
    try:
        client = create_client(async_get_clientsession(hass), data)
        await client.verify()
        project_id = await client.auth.project_id()
        config = RecognitionConfig(
            audio_format=AudioFormat.PCM16K16BIT,
            model=LANGUAGES[PROBE_LANGUAGE].default_model,
        )
        trace_id = await client.probe(RecognitionMode.SHORT_STREAM, config)
    except Exception as err:
        raise credentials_error(err, data) from err
    return ValidatedAccount(project_id=project_id, trace_id=trace_id)


async def check_settings(client: SisClient, region: str, settings: RecognitionSettings) -> None:
    """Let the service try the settings for each language of the region.

    One short session per language (one for languages that ask the same of the
    service, as zh-TW and zh-CN do) starts with the settings and is cancelled at
    once; a refusal becomes a form error naming the language and the code.
    A custom endpoint's region is unknown: Mandarin, offered everywhere, is tried.
    """
    tags = [PROBE_LANGUAGE] if region == REGION_CUSTOM else languages_for_region(region)
    tags.sort(key=lambda tag: tag != PROBE_LANGUAGE)  # a refusal of Mandarin names zh-CN
    tried: list[RecognitionConfig] = []
    for tag in tags:
        config = settings.config(tag, 16000, interim_results=False)
        if config in tried:  # zh-TW asks what zh-CN asks: the same model and settings
            continue
        tried.append(config)
        try:
            await client.probe(settings.mode, config)
        except SisServerError as err:
            if err.code is None or isinstance(err, SisAccountError):
                raise form_error(err) from err
            raise refusal_error(settings, tag, err.code, err.message) from err
        except Exception as err:
            raise form_error(err) from err


def refusal_error(
    settings: RecognitionSettings, tag: str, code: str, message: str
) -> ValidationError:
    """Word the service's refusal of the settings tried for a language in the form's terms.

    The probe knows what it tried. Sentence mode with a model Huawei documents
    for the other modes only points at that model's field; a hot-word table of
    the user's own points at its field; anything else names the language. The
    service's code and message follow as a trailer.
    """
    placeholders = {"language": tag, "code": code, "message": message}
    language = LANGUAGES[tag]
    if (
        settings.mode is RecognitionMode.SENTENCE_STREAM
        and not MODELS[settings.model(tag)].sentence_mode
    ):
        return ValidationError(
            "sentence_mode_refused", field=language.option_key, placeholders=placeholders
        )
    if (settings.vocabulary_ids or {}).get(tag):
        field = language.vocabulary_option_key
        return ValidationError(f"refused_{field}", field=field, placeholders=placeholders)
    return ValidationError("settings_refused", placeholders=placeholders)


def changed_voices(
    region: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    refused: frozenset[str] = frozenset(),
) -> dict[str, SynthesisConfig]:
    """Return, by language, the synthesis configs that options `after` change from `before`.

    The voice and the settings the voice takes, as a reply without a voice
    of its own gets them (a refused voice gives way to the default).
    """
    old = VoiceSettings.from_options(before, region)
    new = VoiceSettings.from_options(after, region)
    changed: dict[str, SynthesisConfig] = {}
    for language in synthesis_languages(region):
        config = new.choose(language, {}, refused).config
        if config != old.choose(language, {}, refused).config:
            changed[language] = config
    return changed


async def check_voice_settings(
    client: SisClient, configs: Mapping[str, SynthesisConfig], learned: LearnedVoices | None
) -> None:
    """Let the service speak one word with each language's changed voice settings.

    One billed call per language (`SisClient.probe_voice`). A refused voice is
    remembered (`learned`) and becomes a form error naming it, tied to the
    language's voice field; another refusal names the voice. The service's
    code and message follow as a trailer.
    """
    for language, config in configs.items():
        field = voice_option_key(language)
        try:
            await client.probe_voice(config)
        except SisVoiceRefusedError as err:
            if learned is not None:
                learned.async_voice_refused(err)
            raise ValidationError(
                "voice_refused",
                field=field,
                placeholders={"voice": err.voice, "code": err.label, "message": err.message},
            ) from err
        except SisServerError as err:
            if err.code is None or isinstance(err, SisAccountError):
                raise form_error(err) from err
            raise ValidationError(
                "voice_settings_refused",
                field=field,
                placeholders={"voice": config.voice, "code": err.code, "message": err.message},
            ) from err
        except Exception as err:
            raise form_error(err) from err
