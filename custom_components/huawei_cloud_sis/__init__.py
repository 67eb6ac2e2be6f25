"""Huawei Cloud SIS: speech-to-text and text-to-speech with its real-time WebSocket APIs."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
    HomeAssistantError,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .command_check import CommandChecker
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
)
from .early_answer import FRAME_MS, Answered, EarlyAnswerSettings
from .fallback import FallbackCounts
from .hot_word_tables import HotWordTables, async_delete_tables
from .learned_voices import LearnedVoices, async_remove_learned
from .reporter import Reporter
from .settings import migrate_options
from .sis import (
    DEFAULT_FRAME_MS,
    AkSkAuth,
    Auth,
    Endpoints,
    RecognitionOutcome,
    SessionStats,
    SisAuthError,
    SisClient,
    SisConfigError,
    SisError,
    SisPermissionError,
    SisProjectError,
    Timeouts,
    TokenAuth,
)
from .usage import Usage

PLATFORMS: Final = [Platform.SENSOR, Platform.STT, Platform.TTS]

TIMEOUTS: Final = Timeouts()
"""Bounds of every wait on the service (the library's defaults suit voice commands)."""

RECENT_SESSIONS: Final = 10
"""How many finished recognitions' figures are kept for diagnostics."""


@dataclass(frozen=True, slots=True)
class Recent:
    """The figures of one finished recognition, for diagnostics."""

    stats: SessionStats
    answered: Answered | None = None
    """How it was answered before the silence ended, if it was."""


@dataclass(slots=True)
class HuaweiSisData:
    """What a loaded config entry keeps: the client, its hot-word tables, past figures."""

    client: SisClient
    hot_words: HotWordTables
    reporter: Reporter
    voices: LearnedVoices
    """What the service answered about voices and SSML (kept across restarts)."""
    checker: CommandChecker | None = None
    """Whether texts are complete commands, when the options answer them early."""
    recent: deque[Recent] = field(default_factory=lambda: deque(maxlen=RECENT_SESSIONS))
    """Figures of the last finished recognitions (never per-request state)."""
    fallbacks: FallbackCounts = field(default_factory=FallbackCounts)
    usage: Usage = field(default_factory=Usage)
    """Totals behind the usage sensors."""

    def record(self, outcome: RecognitionOutcome, answered: Answered | None = None) -> None:
        """Keep the figures of a finished recognition for diagnostics and the usage sensors."""
        self.recent.append(Recent(outcome.stats, answered))
        self.usage.record(outcome, answered)


type HuaweiSisConfigEntry = ConfigEntry[HuaweiSisData]


def create_client(
    http: aiohttp.ClientSession, data: Mapping[str, Any], *, frame_ms: int = DEFAULT_FRAME_MS
) -> SisClient:
    """Build the client that config entry data describes (audio sent in `frame_ms` frames).

    Raises `SisConfigError` for bad endpoints and `SisProjectError` when
    neither a project id nor a region is known.
    """
    region: str = data[CONF_REGION]
    if region == REGION_CUSTOM:
        endpoints = Endpoints.custom(data[CONF_SIS_ENDPOINT], data[CONF_IAM_ENDPOINT])
    else:
        endpoints = Endpoints.for_region(region)
    project_id: str | None = data.get(CONF_PROJECT_ID) or None
    auth: Auth
    auth_type = data.get(CONF_AUTH_TYPE)
    if auth_type == AUTH_TYPE_TOKEN:
        auth = TokenAuth(
            http,
            endpoints.iam_url,
            domain_name=data[CONF_DOMAIN_NAME],
            username=data[CONF_USERNAME],
            password=data[CONF_PASSWORD],
            project_id=project_id,
            region=endpoints.region,
            timeout=TIMEOUTS.iam,
        )
    elif auth_type == AUTH_TYPE_AKSK:
        auth = AkSkAuth(
            http,
            endpoints.iam_url,
            access_key=data[CONF_ACCESS_KEY],
            secret_key=data[CONF_SECRET_KEY],
            project_id=project_id,
            region=endpoints.region,
            timeout=TIMEOUTS.iam,
        )
    else:
        raise SisConfigError(f"Unknown sign-in method {auth_type!r}")
    return SisClient(http, auth, endpoints, timeouts=TIMEOUTS, frame_ms=frame_ms)


def _setup_failure(err: SisError | KeyError) -> HomeAssistantError:
    """Return what a failed setup raises: reauth, a configuration that cannot work, or retry."""
    kind: type[HomeAssistantError]
    if isinstance(err, SisAuthError):
        kind, key = ConfigEntryAuthFailed, "auth_failed"
    elif isinstance(err, SisPermissionError):
        kind, key = ConfigEntryError, "permission_denied"
    elif isinstance(err, SisProjectError | SisConfigError | KeyError):
        kind, key = ConfigEntryError, "invalid_config"
    else:
        kind, key = ConfigEntryNotReady, "cannot_connect"
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err)},
    )


async def async_setup_entry(hass: HomeAssistant, entry: HuaweiSisConfigEntry) -> bool:
    """Check the credentials once and set up the speech-to-text entity."""
    early = EarlyAnswerSettings.from_options(entry.options)
    frame_ms = FRAME_MS if early.enabled else DEFAULT_FRAME_MS
    try:
        client = create_client(async_get_clientsession(hass), entry.data, frame_ms=frame_ms)
        await client.verify()
    except (SisError, KeyError) as err:
        raise _setup_failure(err) from err
    hot_words = HotWordTables(hass, entry, client)
    await hot_words.async_load()
    voices = LearnedVoices(hass, entry)
    await voices.async_load()
    checker = None
    if early.enabled:
        checker = CommandChecker(hass)
        entry.async_on_unload(checker.async_start())
    entry.runtime_data = HuaweiSisData(
        client=client,
        hot_words=hot_words,
        reporter=Reporter(hass, entry, hot_words),
        voices=voices,
        checker=checker,
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    hot_words.async_start()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HuaweiSisConfigEntry) -> bool:
    """Unload the entity; sessions still closing are cancelled with the entry's tasks."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    await entry.runtime_data.voices.async_flush()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: HuaweiSisConfigEntry) -> None:
    """Delete the hot-word tables kept for the entry, and forget what it learned."""
    await async_remove_learned(hass, entry.entry_id)
    await async_delete_tables(
        hass, entry, lambda: create_client(async_get_clientsession(hass), entry.data)
    )


async def async_migrate_entry(hass: HomeAssistant, entry: HuaweiSisConfigEntry) -> bool:
    """Bring the options of an older entry up to date (see `settings.migrate_options`).

    A newer minor version is compatible by definition and stays as it is; a
    newer major version is refused (newer Home Assistant releases refuse it
    before asking).
    """
    if entry.version == 1 and entry.minor_version < ENTRY_MINOR_VERSION:
        hass.config_entries.async_update_entry(
            entry,
            options=migrate_options(entry.options, entry.minor_version),
            minor_version=ENTRY_MINOR_VERSION,
        )
    return entry.version == 1
