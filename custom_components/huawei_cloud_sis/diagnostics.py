"""Diagnostics: settings without secrets, endpoints, token expiry and recent figures."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant
from yarl import URL

from . import HuaweiSisConfigEntry, Recent
from .const import CONF_ACCESS_KEY, CONF_DOMAIN_NAME, CONF_PASSWORD, CONF_SECRET_KEY, CONF_USERNAME

TO_REDACT = {CONF_PASSWORD, CONF_SECRET_KEY, CONF_ACCESS_KEY, CONF_USERNAME, CONF_DOMAIN_NAME}


def _clean_url(url: str) -> str:
    """Drop any user information from a URL."""
    return str(URL(url).with_user(None))


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HuaweiSisConfigEntry
) -> dict[str, Any]:
    """Return what helps to understand a problem, never a secret."""
    client = entry.runtime_data.client
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "endpoints": {
            "sis": _clean_url(client.endpoints.sis_url),
            "iam": _clean_url(client.endpoints.iam_url),
            "region": client.endpoints.region,
        },
        "auth": client.auth.describe(),
        "hot_words": entry.runtime_data.hot_words.diagnostics(),
        "learned_voices": entry.runtime_data.voices.diagnostics(),
        "recent_recognitions": [_recent(recent) for recent in entry.runtime_data.recent],
        "early_answers": {
            "enabled": entry.runtime_data.checker is not None,
            "answered": entry.runtime_data.usage.early_answers,
            "silence_saved_seconds": entry.runtime_data.usage.silence_saved_seconds,
        },
        "fallbacks": {
            "answered": dict(entry.runtime_data.fallbacks.answered),
            "failed": dict(entry.runtime_data.fallbacks.failed),
        },
    }


def _recent(recent: Recent) -> dict[str, Any]:
    """Return the figures of one recent recognition."""
    stats, answered = recent.stats, recent.answered
    return {
        "mode": stats.mode,
        "model": stats.model,
        "attempts": stats.attempts,
        "connect_seconds": stats.connect_seconds,
        "start_response_seconds": stats.start_seconds,
        "end_of_audio_to_final_seconds": stats.end_to_final_seconds,
        "final_segments": stats.final_segments,
        "error_code": stats.error_code,
        "answered_early": answered is not None,
        "silence_saved_seconds": round(answered.silence_saved, 3) if answered else None,
    }
