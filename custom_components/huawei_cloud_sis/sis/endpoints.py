"""Where the SIS (WebSocket and REST) and IAM services of a region live."""

from __future__ import annotations

from dataclasses import dataclass
import ipaddress
from urllib.parse import urlsplit, urlunsplit

from .errors import SisConfigError
from .recognition_config import RecognitionMode
from .regions import REGIONS


def is_loopback_host(host: str) -> bool:
    """Return True for localhost and loopback addresses."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str, *, secure: str, plain: str) -> str:
    """Check a base URL and return it without a trailing slash.

    The secure scheme (`wss`/`https`) is always accepted; the plain one
    (`ws`/`http`) only for loopback hosts, so that credentials never travel
    unencrypted over a network.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as err:
        raise SisConfigError(f"Invalid URL: {url!r}") from err
    if not host:
        raise SisConfigError(f"The URL has no host: {url!r}")
    if parts.scheme == plain:
        if not is_loopback_host(host):
            raise SisConfigError(f"Use {secure}:// for {host}; {plain}:// is only for loopback")
    elif parts.scheme != secure:
        raise SisConfigError(f"The URL must start with {secure}://: {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise SisConfigError(f"The URL must be a plain base URL: {url!r}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Base URLs of the SIS WebSocket service and of IAM; the SIS REST API is derived."""

    sis_url: str
    iam_url: str
    region: str | None = None

    @classmethod
    def for_region(cls, region: str) -> Endpoints:
        """Return Huawei Cloud's public endpoints of a region."""
        if region not in REGIONS:
            raise SisConfigError(f"Real-time speech recognition is not offered in {region!r}")
        facts = REGIONS[region]
        return cls(sis_url=facts.sis_url, iam_url=facts.iam_url, region=region)

    @classmethod
    def custom(cls, sis_url: str, iam_url: str, region: str | None = None) -> Endpoints:
        """Return explicit endpoints (private deployments, local servers)."""
        return cls(
            sis_url=normalize_base_url(sis_url, secure="wss", plain="ws"),
            iam_url=normalize_base_url(iam_url, secure="https", plain="http"),
            region=region,
        )

    @property
    def rest_url(self) -> str:
        """Base URL of the SIS REST API: the WebSocket host over `https` (`http` for `ws`).

        Huawei Cloud serves both on `sis-ext.{region}.myhuaweicloud.com`; a
        custom endpoint is taken to do the same.
        """
        scheme, rest = self.sis_url.split("://", 1)
        return f"{'http' if scheme == 'ws' else 'https'}://{rest}"

    def vocabularies_url(self, project_id: str) -> str:
        """Return the URL of the hot-word tables of a project."""
        return f"{self.rest_url}/v1/{project_id}/asr/vocabularies"

    def rasr_url(self, project_id: str, mode: RecognitionMode) -> str:
        """Return the WebSocket URL of a recognition mode."""
        return f"{self.sis_url}/v1/{project_id}/rasr/{mode.value}"

    def rtts_url(self, project_id: str) -> str:
        """Return the WebSocket URL of real-time speech synthesis."""
        return f"{self.sis_url}/v1/{project_id}/rtts"
