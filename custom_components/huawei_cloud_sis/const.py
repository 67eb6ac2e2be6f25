"""Constants of the Huawei Cloud SIS integration: entry keys, options and languages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .sis import REGIONS, RecognitionMode

DOMAIN: Final = "huawei_cloud_sis"

# Config entry data -------------------------------------------------------------------------

CONF_REGION: Final = "region"
"""One of `SIS_REGIONS`, or `REGION_CUSTOM` with explicit endpoints."""
REGION_CUSTOM: Final = "custom"
SIS_REGIONS: Final[tuple[str, ...]] = REGIONS
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

# Options -------------------------------------------------------------------------------------

CONF_MODE: Final = "mode"
MODES: Final[tuple[str, ...]] = tuple(mode.value for mode in RecognitionMode)
DEFAULT_MODE: Final = RecognitionMode.SHORT_STREAM.value
"""Home Assistant's voice activity detection decides when speech ends."""

CONF_ADD_PUNC: Final = "add_punc"
DEFAULT_ADD_PUNC: Final = False
"""Punctuation gets in the way of intent matching."""
CONF_DIGIT_NORM: Final = "digit_norm"
DEFAULT_DIGIT_NORM: Final = True
CONF_VOCABULARY_ID: Final = "vocabulary_id"
DEFAULT_VOCABULARY_ID: Final[str | None] = None
CONF_VAD_HEAD: Final = "vad_head"
DEFAULT_VAD_HEAD: Final = 10000
"""Milliseconds of leading silence (0-60000) before the sentence mode gives up."""
CONF_VAD_TAIL: Final = "vad_tail"
DEFAULT_VAD_TAIL: Final = 500
"""Milliseconds of trailing silence (0-3000) that end a sentence."""
CONF_MAX_SECONDS: Final = "max_seconds"
DEFAULT_MAX_SECONDS: Final = 30
"""Longest sentence in seconds (1-60)."""

MODEL_OPTION_PREFIX: Final = "model_"


def model_option_key(language: str) -> str:
    """Return the option key of a language's model choice, e.g. `model_zh_cn`."""
    return MODEL_OPTION_PREFIX + language.lower().replace("-", "_")


# Languages -----------------------------------------------------------------------------------

CHINA_REGIONS: Final = ("cn-north-4", "cn-east-3")
INTERNATIONAL_REGIONS: Final = ("ap-southeast-3", "me-east-1")


@dataclass(frozen=True, slots=True, kw_only=True)
class SisLanguage:
    """A language the entity offers and the SIS models that recognise it."""

    tag: str
    """The tag Home Assistant stores in pipelines: never rename or remove one."""
    models: Mapping[str, str | None]
    """16 kHz model → its 8 kHz sibling (None when there is none); the first is the default."""
    regions: tuple[str, ...]
    """Regions whose service offers the language."""
    digit_norm: bool = True
    """The models accept `digit_norm`."""
    vocabulary: bool = True
    """The models accept a hot-word table (`vocabulary_id`)."""
    min_max_seconds: int = 1
    """Smallest `max_seconds` the models honour (dialect models treat less as 10)."""

    @property
    def default_model(self) -> str:
        """The 16 kHz model used unless the options choose another one."""
        return next(iter(self.models))

    @property
    def option_key(self) -> str:
        """The option key of this language's model choice."""
        return model_option_key(self.tag)


LANGUAGES: Final[Mapping[str, SisLanguage]] = {
    language.tag: language
    for language in (
        SisLanguage(
            tag="zh-CN",
            models={
                "chinese_16k_general": "chinese_8k_general",
                "chinese_16k_common": "chinese_8k_common",
            },
            regions=(*CHINA_REGIONS, *INTERNATIONAL_REGIONS),
        ),
        SisLanguage(
            tag="en-US",
            models={"english_16k_general": None},
            regions=("cn-north-4", *INTERNATIONAL_REGIONS),
            digit_norm=False,
        ),
        SisLanguage(
            tag="zh-HK",
            models={"cantonese_16k_common": None},
            regions=("cn-north-4",),
            digit_norm=False,
            vocabulary=False,
            min_max_seconds=10,
        ),
        SisLanguage(
            tag="ar",
            models={"arabic_16k_general": None},
            regions=INTERNATIONAL_REGIONS,
            digit_norm=False,
            vocabulary=False,
        ),
    )
}
"""Every language tag the entity can list, in a stable order."""


def languages_for_region(region: str) -> list[str]:
    """Return the tags offered in a region; a custom endpoint may offer all of them."""
    if region == REGION_CUSTOM:
        return list(LANGUAGES)
    return [tag for tag, language in LANGUAGES.items() if region in language.regions]
