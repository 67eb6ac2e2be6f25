"""The regions of Huawei Cloud SIS and what each offers: the one table of region facts.

Sources: the endpoint pages of the China and international sites (sis_03_0004),
the product constraints (sis_01_0008: dialect and English models in Beijing4
only on the China site), the hot-word API pages (English tables on the China
site only) and the real-time synthesis pages (Beijing4 and Shanghai1; on the
international site, Riyadh only). Everything else (recognition languages,
voices, hot-word tables, endpoints) reads its region facts from here.

A custom endpoint (a private deployment, a local server) may be any region:
`region(None)` offers everything, and the service itself refuses what it lacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .hot_words import TableLanguage


class Site(StrEnum):
    """The Huawei Cloud site a region belongs to; pages and offers differ between them."""

    CHINA = "china"
    INTERNATIONAL = "international"


GENERAL_MANDARIN_MODELS: Final = frozenset({"chinese_16k_general", "chinese_8k_general"})
"""Mandarin's general (end-to-end) models, 16 and 8 kHz: the China and international sites."""
MANDARIN_MODELS: Final = GENERAL_MANDARIN_MODELS | {"chinese_16k_common", "chinese_8k_common"}
"""With the older common models, which only the China site's pages list."""
DIALECT_MODELS: Final = frozenset(
    {"cantonese_16k_common", "sichuan_16k_common", "shanghai_16k_common"}
)
"""Cantonese, Sichuanese and Shanghainese: China site, Beijing4 only."""
ENGLISH_MODELS: Final = frozenset({"english_16k_general"})
ARABIC_MODELS: Final = frozenset({"arabic_16k_general"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Region:
    """One region: its site, endpoints, recognition models, synthesis and hot-word tables."""

    name: str | None
    """The region id (`cn-north-4`), None for a custom endpoint."""
    site: Site | None
    models: frozenset[str]
    """The recognition models (`property` values) offered."""
    synthesis: bool
    """Real-time speech synthesis is offered."""
    table_languages: tuple[TableLanguage, ...]
    """The languages of the hot-word tables offered."""

    @property
    def sis_url(self) -> str:
        """Base URL of the SIS WebSocket (and REST) service."""
        return f"wss://sis-ext.{self.name}.myhuaweicloud.com"

    @property
    def iam_url(self) -> str:
        """Base URL of the region's IAM, which gives project-scoped tokens."""
        return f"https://iam.{self.name}.myhuaweicloud.com"


_CHINA_TABLES: Final = (TableLanguage.CHINESE_MANDARIN, TableLanguage.ENGLISH)
_INTERNATIONAL_TABLES: Final = (TableLanguage.CHINESE_MANDARIN,)

REGIONS: Final[Mapping[str, Region]] = {
    region.name: region
    for region in (
        Region(
            name="cn-north-4",
            site=Site.CHINA,
            models=MANDARIN_MODELS | DIALECT_MODELS | ENGLISH_MODELS,
            synthesis=True,
            table_languages=_CHINA_TABLES,
        ),
        Region(
            name="cn-east-3",
            site=Site.CHINA,
            models=MANDARIN_MODELS,
            synthesis=True,
            table_languages=_CHINA_TABLES,
        ),
        Region(
            name="ap-southeast-3",
            site=Site.INTERNATIONAL,
            models=GENERAL_MANDARIN_MODELS | ENGLISH_MODELS | ARABIC_MODELS,
            synthesis=False,
            table_languages=_INTERNATIONAL_TABLES,
        ),
        Region(
            name="me-east-1",
            site=Site.INTERNATIONAL,
            models=GENERAL_MANDARIN_MODELS | ENGLISH_MODELS | ARABIC_MODELS,
            synthesis=True,
            table_languages=_INTERNATIONAL_TABLES,
        ),
    )
    if region.name is not None
}
"""Regions with a documented real-time speech recognition endpoint, Beijing4 first."""

ANY_REGION: Final = Region(
    name=None,
    site=None,
    models=MANDARIN_MODELS | DIALECT_MODELS | ENGLISH_MODELS | ARABIC_MODELS,
    synthesis=True,
    table_languages=_CHINA_TABLES,
)
"""What a custom endpoint may offer: everything."""


def region(name: str | None) -> Region:
    """Return a region's facts; None (a custom endpoint) offers everything.

    Raises `KeyError` for a region without a documented endpoint.
    """
    return ANY_REGION if name is None else REGIONS[name]


def synthesis_regions(site: Site) -> tuple[str, ...]:
    """Return the regions of a site that offer real-time speech synthesis."""
    return tuple(name for name, item in REGIONS.items() if item.site is site and item.synthesis)
