"""Constants of the Huawei Cloud SIS integration: the domain, entry data and option keys."""

from __future__ import annotations

from typing import Final

from .sis import REGIONS

DOMAIN: Final = "huawei_cloud_sis"
ENTRY_MINOR_VERSION: Final = 2
"""Minor version of the config entries made now (2: an own hot-word table per language)."""

# Config entry data -------------------------------------------------------------------------

CONF_REGION: Final = "region"
"""One of `SIS_REGIONS`, or `REGION_CUSTOM` with explicit endpoints."""
REGION_CUSTOM: Final = "custom"
SIS_REGIONS: Final[tuple[str, ...]] = tuple(REGIONS)
"""Regions with a public real-time recognition endpoint (cn-north-4 first)."""

CONF_AUTH_TYPE: Final = "auth_type"
AUTH_TYPE_TOKEN: Final = "token"  # noqa: S105
"""IAM user name and password, exchanged for a project-scoped token."""
AUTH_TYPE_AKSK: Final = "aksk"
"""Access key and secret key; every handshake is signed."""

CONF_DOMAIN_NAME: Final = "domain_name"
CONF_USERNAME: Final = "username"
CONF_PASSWORD: Final = "password"  # noqa: S105
CONF_ACCESS_KEY: Final = "access_key"
CONF_SECRET_KEY: Final = "secret_key"  # noqa: S105
CONF_PROJECT_ID: Final = "project_id"
"""Optional: found from the token, or through IAM for AK/SK, when left out."""
CONF_SIS_ENDPOINT: Final = "sis_endpoint"
"""`wss://` base URL (`ws://` only for loopback); region `custom` only."""
CONF_IAM_ENDPOINT: Final = "iam_endpoint"
"""`https://` base URL (`http://` only for loopback); region `custom` only."""

SECRET_KEYS: Final = frozenset({CONF_PASSWORD, CONF_SECRET_KEY})
"""Entry data that must never be shown or logged."""

# Options (defaults and ranges: settings.py) ---------------------------------------------------

CONF_MODE: Final = "mode"
CONF_ADD_PUNC: Final = "add_punc"
CONF_DIGIT_NORM: Final = "digit_norm"
CONF_VOCABULARY_ID: Final = "vocabulary_id"
"""Options of minor version 1 only: one hot-word table for every language.

Migrated to Mandarin's own table (`VOCABULARY_OPTION_PREFIX`), since a Mandarin
table sent with the English model is refused.
"""
CONF_VAD_HEAD: Final = "vad_head"
CONF_VAD_TAIL: Final = "vad_tail"
CONF_MAX_SECONDS: Final = "max_seconds"
CONF_EARLY_ANSWER: Final = "early_answer"
"""Return a command as soon as Assist can act on it, before the silence ends (early_answer.py)."""
CONF_FALLBACK_ENGINE: Final = "fallback_engine"
"""A speech-to-text entity that answers when Huawei Cloud cannot (fallback.py)."""
CONF_FALLBACK_ON_EMPTY: Final = "fallback_on_empty"
MODEL_OPTION_PREFIX: Final = "model_"
"""Followed by a language tag in lower case with `_`: the language's model, e.g. `model_zh_cn`."""
CONF_FAVOUR_NAMES: Final = "favour_names"
"""Keep hot-word tables of the names Assist knows in this home."""
CONF_EXTRA_WORDS: Final = "extra_words"
"""Words of the user's to favour too, one per line."""
VOCABULARY_OPTION_PREFIX: Final = "vocabulary_id_"
"""Followed by a language tag as for models: the user's own hot-word table of the language."""
SCRIPT_OPTION_PREFIX: Final = "script_"
"""Followed by a language tag as for models: the script a Chinese language's text is written in."""
CONF_SPEED: Final = "speed"
"""Speech synthesis; also the per-call option of the same name (voice_settings.py)."""
CONF_PITCH: Final = "pitch"
CONF_VOLUME: Final = "volume"
VOICE_OPTION_PREFIX: Final = "voice_"
"""Followed by a language tag in lower case with `_`: the language's voice, e.g. `voice_zh_cn`."""
CONF_EVERY_VOICE: Final = "every_voice"
"""Offer every documented voice, not only those a real-time synthesis page names."""
