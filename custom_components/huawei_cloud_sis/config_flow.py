"""Config flow: region, credentials, reauth, reconfigure and options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from yarl import URL

if TYPE_CHECKING:
    # Home Assistant 2026.10+ serves `voluptuous` imports from probatio and types its
    # flows with it; older releases use voluptuous itself. Runtime always uses `voluptuous`.
    import probatio as vol
else:
    import voluptuous as vol

from . import create_client
from .account_problems import AccountProblem, classify
from .const import (
    AUTH_TYPE_AKSK,
    AUTH_TYPE_TOKEN,
    CONF_ACCESS_KEY,
    CONF_ADD_PUNC,
    CONF_AUTH_TYPE,
    CONF_DIGIT_NORM,
    CONF_DOMAIN_NAME,
    CONF_IAM_ENDPOINT,
    CONF_MAX_SECONDS,
    CONF_MODE,
    CONF_PASSWORD,
    CONF_PROJECT_ID,
    CONF_REGION,
    CONF_SECRET_KEY,
    CONF_SIS_ENDPOINT,
    CONF_USERNAME,
    CONF_VAD_HEAD,
    CONF_VAD_TAIL,
    CONF_VOCABULARY_ID,
    DOMAIN,
    REGION_CUSTOM,
    SIS_REGIONS,
)
from .languages import LANGUAGES, languages_for_region
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
    AudioFormat,
    RecognitionConfig,
    RecognitionMode,
    SisAuthError,
    SisClient,
    SisConfigError,
    SisConnectionError,
    SisError,
    SisProjectError,
    SisServerError,
    SisTimeoutError,
    is_vocabulary_id,
)

_LOGGER = logging.getLogger(__name__)

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


def _validation_error(err: Exception) -> ValidationError:
    """Return the form error that a failed check of the service stands for."""
    if isinstance(err, SisConfigError):
        return ValidationError("invalid_endpoint", field=CONF_SIS_ENDPOINT)
    if isinstance(err, SisAuthError):
        return ValidationError("invalid_auth")
    if isinstance(err, SisProjectError):
        return ValidationError("invalid_project")
    if isinstance(err, SisConnectionError | SisTimeoutError):
        _LOGGER.debug("Cannot reach Huawei Cloud SIS: %s", err)
        return ValidationError("cannot_connect")
    if isinstance(err, SisError):
        code = err.code or f"HTTP {err.status or '?'}"
        problem = classify(err)
        if problem is AccountProblem.REAL_NAME:
            return ValidationError("real_name_required", placeholders={"code": code})
        if problem is AccountProblem.ARREARS:
            return ValidationError("account_restricted", placeholders={"code": code})
        return ValidationError("service_error", placeholders={"code": code})
    _LOGGER.error("Unexpected error while checking Huawei Cloud SIS", exc_info=err)
    return ValidationError("unknown")


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
        raise _validation_error(err) from err
    return ValidatedAccount(project_id=project_id, trace_id=trace_id)


async def check_settings(client: SisClient, region: str, settings: RecognitionSettings) -> None:
    """Let the service try the settings for each language of the region.

    One short session per language starts with the settings and is cancelled
    at once; a refusal becomes a form error naming the language and the code.
    A custom endpoint's region is unknown: Mandarin, offered everywhere, is tried.
    """
    tags = [PROBE_LANGUAGE] if region == REGION_CUSTOM else languages_for_region(region)
    for tag in tags:
        try:
            await client.probe(settings.mode, settings.config(tag, 16000, interim_results=False))
        except SisServerError as err:
            if err.code is None or classify(err) is not None:
                raise _validation_error(err) from err
            raise ValidationError(
                "settings_refused",
                placeholders={"language": tag, "code": err.code, "message": err.message},
            ) from err
        except Exception as err:
            raise _validation_error(err) from err


def _title(data: Mapping[str, Any]) -> str:
    """Name the entry after its region, or the host of a custom endpoint."""
    region = data[CONF_REGION]
    if region == REGION_CUSTOM:
        return f"Huawei Cloud SIS ({URL(data[CONF_SIS_ENDPOINT]).host})"
    return f"Huawei Cloud SIS ({region})"


def _secret_field(data: Mapping[str, Any]) -> str:
    return CONF_PASSWORD if data[CONF_AUTH_TYPE] == AUTH_TYPE_TOKEN else CONF_SECRET_KEY


_PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
_TEXT = TextSelector()
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


def _user_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_REGION, default=SIS_REGIONS[0]): SelectSelector(
                SelectSelectorConfig(
                    options=[*SIS_REGIONS, REGION_CUSTOM],
                    translation_key=CONF_REGION,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_AUTH_TYPE, default=AUTH_TYPE_TOKEN): SelectSelector(
                SelectSelectorConfig(
                    options=[AUTH_TYPE_TOKEN, AUTH_TYPE_AKSK],
                    translation_key=CONF_AUTH_TYPE,
                    mode=SelectSelectorMode.LIST,
                )
            ),
        }
    )


def _credentials_schema(data: Mapping[str, Any], *, keep_secret: bool) -> vol.Schema:
    """Fields for the chosen sign-in method; the secret may stay empty to keep the old one."""
    secret = vol.Optional if keep_secret else vol.Required
    fields: dict[Any, Any] = {}
    if data[CONF_REGION] == REGION_CUSTOM:
        fields[vol.Required(CONF_SIS_ENDPOINT)] = _URL
        fields[vol.Required(CONF_IAM_ENDPOINT)] = _URL
    if data[CONF_AUTH_TYPE] == AUTH_TYPE_TOKEN:
        fields[vol.Required(CONF_DOMAIN_NAME)] = _TEXT
        fields[vol.Required(CONF_USERNAME)] = _TEXT
        fields[secret(CONF_PASSWORD)] = _PASSWORD
    else:
        fields[vol.Required(CONF_ACCESS_KEY)] = _TEXT
        fields[secret(CONF_SECRET_KEY)] = _PASSWORD
    # A custom endpoint has no region to find the project by: its id is needed.
    project = vol.Required if data[CONF_REGION] == REGION_CUSTOM else vol.Optional
    fields[project(CONF_PROJECT_ID)] = _TEXT
    return vol.Schema(fields)


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the keys of the chosen region and method, with spaces trimmed."""
    keys = [CONF_REGION, CONF_AUTH_TYPE, CONF_PROJECT_ID]
    if data[CONF_REGION] == REGION_CUSTOM:
        keys += [CONF_SIS_ENDPOINT, CONF_IAM_ENDPOINT]
    if data[CONF_AUTH_TYPE] == AUTH_TYPE_TOKEN:
        keys += [CONF_DOMAIN_NAME, CONF_USERNAME, CONF_PASSWORD]
    else:
        keys += [CONF_ACCESS_KEY, CONF_SECRET_KEY]
    cleaned = {
        key: data[key].strip() if isinstance(data.get(key), str) else data.get(key) for key in keys
    }
    if not cleaned[CONF_PROJECT_ID]:
        cleaned.pop(CONF_PROJECT_ID)
    return cleaned


class HuaweiSisConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up Huawei Cloud SIS: region and sign-in method, then credentials."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._choice: dict[str, Any] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> HuaweiSisOptionsFlow:
        """Return the options flow."""
        return HuaweiSisOptionsFlow()

    async def _async_validate(
        self, data: Mapping[str, Any]
    ) -> tuple[ValidatedAccount | None, dict[str, str], dict[str, str]]:
        try:
            account = await validate_input(self.hass, data)
        except ValidationError as err:
            return None, {err.field: err.error}, {"code": "", **err.placeholders}
        return account, {}, {"code": ""}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the region and how to sign in."""
        if user_input is not None:
            self._choice = dict(user_input)
            return await self.async_step_credentials()
        return self.async_show_form(step_id="user", data_schema=_user_schema())

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change region, endpoints, project or credentials of an entry."""
        entry = self._get_reconfigure_entry()
        if user_input is not None:
            self._choice = dict(user_input)
            return await self.async_step_credentials()
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(_user_schema(), entry.data),
        )

    async def async_step_credentials(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Enter the credentials (and endpoints for a custom deployment) and check them."""
        reconfiguring = self.source == SOURCE_RECONFIGURE
        current: Mapping[str, Any] = self._get_reconfigure_entry().data if reconfiguring else {}
        same_method = current.get(CONF_AUTH_TYPE) == self._choice[CONF_AUTH_TYPE]
        keep_secret = reconfiguring and same_method
        errors: dict[str, str] = {}
        placeholders = {"code": ""}
        if user_input is not None:
            data = _clean({**self._choice, **user_input})
            secret = _secret_field(data)
            if not data.get(secret) and keep_secret:
                data[secret] = current[secret]
            account, errors, placeholders = await self._async_validate(data)
            if account is not None:
                data[CONF_PROJECT_ID] = account.project_id
                # An entry is one Huawei Cloud project: its id is the unique id.
                await self.async_set_unique_id(account.project_id)
                if reconfiguring:
                    self._abort_if_unique_id_mismatch(reason="wrong_account")
                    return self.async_update_reload_and_abort(
                        self._get_reconfigure_entry(), title=_title(data), data=data
                    )
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=_title(data), data=data)
        suggested = {**current, **(user_input or {})}
        suggested.pop(CONF_PASSWORD, None)
        suggested.pop(CONF_SECRET_KEY, None)
        return self.async_show_form(
            step_id="credentials",
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(self._choice, keep_secret=keep_secret), suggested
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start reauthentication after the service refused the credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask only for the password or secret key, check it and reload the entry."""
        entry = self._get_reauth_entry()
        secret = _secret_field(entry.data)
        errors: dict[str, str] = {}
        placeholders = {"code": ""}
        if user_input is not None:
            data = {**entry.data, secret: user_input[secret]}
            account, errors, placeholders = await self._async_validate(data)
            if account is not None:
                await self.async_set_unique_id(account.project_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry, data_updates={secret: user_input[secret]}
                )
        name = entry.data.get(CONF_USERNAME) or entry.data.get(CONF_ACCESS_KEY, "")
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(secret): _PASSWORD}),
            errors=errors,
            description_placeholders={**placeholders, "name": str(name)},
        )


class HuaweiSisOptionsFlow(OptionsFlowWithReload):
    """Recognition mode, text formatting, voice detection and models."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options; store them once the service accepts them (the entry reloads)."""
        errors: dict[str, str] = {}
        placeholders = {"language": "", "code": "", "message": ""}
        if user_input is not None:
            options = dict(user_input)
            vocabulary = str(options.pop(CONF_VOCABULARY_ID, "")).strip()
            if vocabulary:
                options[CONF_VOCABULARY_ID] = vocabulary
            if vocabulary and not is_vocabulary_id(vocabulary):
                errors[CONF_VOCABULARY_ID] = "invalid_vocabulary_id"
            else:
                try:
                    await self._check(options)
                except ValidationError as err:
                    # What is wrong lies in the service or the entry, not in a field here.
                    errors["base"] = err.error
                    placeholders |= err.placeholders
            if not errors:
                return self.async_create_entry(data=options)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                _options_schema(), user_input or self.config_entry.options
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _check(self, options: Mapping[str, Any]) -> None:
        """Have the service try changed recognition settings before they are saved."""
        entry = self.config_entry
        settings = RecognitionSettings.from_options(options)
        if settings == RecognitionSettings.from_options(entry.options):
            return
        if entry.state is ConfigEntryState.LOADED:
            client: SisClient = entry.runtime_data.client
        else:
            try:
                client = create_client(async_get_clientsession(self.hass), entry.data)
            except SisError as err:
                raise _validation_error(err) from err
        await check_settings(client, entry.data[CONF_REGION], settings)


def _options_schema() -> vol.Schema:
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
        vol.Optional(CONF_VOCABULARY_ID): TextSelector(),
        vol.Required(CONF_VAD_HEAD, default=DEFAULT_VAD_HEAD): _number(CONF_VAD_HEAD, 100, "ms"),
        vol.Required(CONF_VAD_TAIL, default=DEFAULT_VAD_TAIL): _number(CONF_VAD_TAIL, 50, "ms"),
        vol.Required(CONF_MAX_SECONDS, default=DEFAULT_MAX_SECONDS): _number(
            CONF_MAX_SECONDS, 1, "s"
        ),
    }
    for language in LANGUAGES.values():
        if len(language.models) > 1:
            fields[vol.Required(language.option_key, default=language.default_model)] = (
                SelectSelector(
                    SelectSelectorConfig(
                        options=list(language.models),
                        translation_key="model",
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                )
            )
    return vol.Schema(fields)


def _number(key: str, step: int, unit: str) -> vol.All[Any]:
    """Return a number field within the range the service takes for `key`."""
    allowed = RANGES[key]
    return vol.All(
        NumberSelector(
            NumberSelectorConfig(
                min=allowed.low,
                max=allowed.high,
                step=step,
                unit_of_measurement=unit,
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Coerce(int),
        vol.Range(min=allowed.low, max=allowed.high),
    )
