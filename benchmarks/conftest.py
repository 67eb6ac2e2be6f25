"""The benchmarks reuse the fixtures of the test suite (Home Assistant and the SIS emulator)."""

from tests.conftest import (
    auth_type,
    auto_enable_custom_integrations,
    config_entry,
    hass,
    loaded_entry,
    options,
    short_timeouts,
    sis_server,
    tts_cache_dir,
)

__all__ = [
    "auth_type",
    "auto_enable_custom_integrations",
    "config_entry",
    "hass",
    "loaded_entry",
    "options",
    "short_timeouts",
    "sis_server",
    "tts_cache_dir",
]
