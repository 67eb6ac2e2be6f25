"""Config flow: region and credentials, reauth and reconfigure (options: options_flow.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
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

from .const import (
    AUTH_TYPE_AKSK,
    AUTH_TYPE_TOKEN,
    CONF_ACCESS_KEY,
    CONF_AUTH_TYPE,
    CONF_DOMAIN_NAME,
    CONF_IAM_ENDPOINT,
    CONF_PASSWORD,
    CONF_PROJECT_ID,
    CONF_REGION,
    CONF_SECRET_KEY,
    CONF_SIS_ENDPOINT,
    CONF_USERNAME,
    DOMAIN,
    ENTRY_MINOR_VERSION,
    REGION_CUSTOM,
    SIS_REGIONS,
)
from .options_flow import HuaweiSisOptionsFlow
from .validation import ValidatedAccount, ValidationError, validate_input


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
    MINOR_VERSION = ENTRY_MINOR_VERSION

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._choice: dict[str, Any] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> HuaweiSisOptionsFlow:
        """Return the options flow."""
        return HuaweiSisOptionsFlow()

    async def _async_validate(
        self, data: Mapping[str, Any], form: vol.Schema
    ) -> tuple[ValidatedAccount | None, dict[str, str], dict[str, str]]:
        """Check the data; an error about a field the form does not show goes on top."""
        try:
            account = await validate_input(self.hass, data)
        except ValidationError as err:
            field = err.field if err.field in {str(key) for key in form.schema} else "base"
            return None, {field: err.error}, {"code": "", **err.placeholders}
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
        form = _credentials_schema(self._choice, keep_secret=keep_secret)
        errors: dict[str, str] = {}
        placeholders = {"code": ""}
        if user_input is not None:
            data = _clean({**self._choice, **user_input})
            secret = _secret_field(data)
            if not data.get(secret) and keep_secret:
                data[secret] = current[secret]
            account, errors, placeholders = await self._async_validate(data, form)
            if account is not None:
                return await self._async_finish(data, account)
        suggested = {**current, **(user_input or {})}
        suggested.pop(CONF_PASSWORD, None)
        suggested.pop(CONF_SECRET_KEY, None)
        # A step of its own for a custom endpoint, whose texts say that the project is needed.
        custom = self._choice[CONF_REGION] == REGION_CUSTOM
        return self.async_show_form(
            step_id="custom_endpoint" if custom else "credentials",
            data_schema=self.add_suggested_values_to_schema(form, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_finish(
        self, data: dict[str, Any], account: ValidatedAccount
    ) -> ConfigFlowResult:
        """Create the entry, or update the one being reconfigured; one entry per project."""
        data[CONF_PROJECT_ID] = account.project_id
        # An entry is one Huawei Cloud project: its id is the unique id.
        await self.async_set_unique_id(account.project_id)
        if self.source != SOURCE_RECONFIGURE:
            self._abort_if_unique_id_configured()
            return self.async_create_entry(title=_title(data), data=data)
        self._abort_if_unique_id_mismatch(reason="wrong_account")
        # The reason is named so that our own text ends the flow: without it, Home Assistant
        # ends it with its generic text (translation domain homeassistant), which has no
        # Simplified Chinese.
        return self.async_update_reload_and_abort(
            self._get_reconfigure_entry(),
            title=_title(data),
            data=data,
            reason="reconfigure_successful",
        )

    async def async_step_custom_endpoint(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Enter the endpoints of a custom deployment, its project and the credentials."""
        return await self.async_step_credentials(user_input)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start reauthentication after the service refused the credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask only for the password or secret key, check it and reload the entry."""
        entry = self._get_reauth_entry()
        secret = _secret_field(entry.data)
        form = vol.Schema({vol.Required(secret): _PASSWORD})
        errors: dict[str, str] = {}
        placeholders = {"code": ""}
        if user_input is not None:
            data = {**entry.data, secret: user_input[secret]}
            account, errors, placeholders = await self._async_validate(data, form)
            if account is not None:
                await self.async_set_unique_id(account.project_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                # Named for our own text, as in reconfiguring.
                return self.async_update_reload_and_abort(
                    entry, data_updates={secret: user_input[secret]}, reason="reauth_successful"
                )
        name = entry.data.get(CONF_USERNAME) or entry.data.get(CONF_ACCESS_KEY, "")
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=form,
            errors=errors,
            description_placeholders={**placeholders, "name": str(name)},
        )
