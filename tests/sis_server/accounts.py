"""The one Huawei Cloud account the emulator knows: users, keys, projects and tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import secrets
from typing import Final

DOMAIN_NAME: Final = "home-account"
DOMAIN_ID: Final = "d0d0c0ffee0000000000000000000001"
USERNAME: Final = "voice-user"
USER_ID: Final = "u0d0c0ffee0000000000000000000001"
PASSWORD: Final = "Pa55word!voice"
ACCESS_KEY: Final = "HPUATESTACCESSKEY0001"
SECRET_KEY: Final = "tEsTsEcReTkEy0001AbCdEfGhIjKlMnOpQrStUv"
PROJECTS: Final = {
    "cn-north-4": "0a4c1f2e9b7d4e6f8a1b2c3d4e5f6a70",
    "cn-east-3": "1b5d2a3f0c8e4f7a9b2c3d4e5f6a7b81",
    "ap-southeast-3": "2c6e3b4a1d9f4a8b0c3d4e5f6a7b8c92",
    "me-east-1": "3d7f4c5b2e0a4b9c1d4e5f6a7b8c9da3",
}
"""Region name → project id of the account."""


def region_of(project_id: str) -> str | None:
    """Return the region of one of the account's projects."""
    return next((region for region, pid in PROJECTS.items() if pid == project_id), None)


def now_utc() -> datetime:
    """The current time, aware and in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Format a time the way IAM does: microseconds and a trailing Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(slots=True)
class IssuedToken:
    """A token IAM handed out."""

    project_id: str
    expires_at: datetime


class TokenStore:
    """Tokens issued by the emulated IAM."""

    def __init__(self) -> None:
        """Start with no token."""
        self._tokens: dict[str, IssuedToken] = {}

    def issue(self, project_id: str, lifetime: timedelta) -> tuple[str, IssuedToken]:
        """Create an opaque token scoped to a project."""
        value = "MIIT" + secrets.token_urlsafe(48)
        issued = IssuedToken(project_id=project_id, expires_at=now_utc() + lifetime)
        self._tokens[value] = issued
        return value, issued

    def get(self, value: str) -> IssuedToken | None:
        """Return a known token (expired or not)."""
        return self._tokens.get(value)

    def expire_all(self) -> None:
        """Let every issued token expire now."""
        for issued in self._tokens.values():
            issued.expires_at = now_utc() - timedelta(seconds=1)

    def revoke_all(self) -> None:
        """Forget every issued token."""
        self._tokens.clear()
