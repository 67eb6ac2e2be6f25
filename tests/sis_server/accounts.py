"""The one Huawei Cloud account the emulator knows: its user, key, projects and tokens."""

from __future__ import annotations

from collections.abc import Callable
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
"""Region name → id of the account's project in that region."""


def region_of(project_id: str) -> str | None:
    """Return the region of one of the account's projects, None for any other id."""
    return next((region for region, pid in PROJECTS.items() if pid == project_id), None)


def now_utc() -> datetime:
    """The current time, aware and in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Format a time the way IAM does: UTC, microseconds and a trailing Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(slots=True)
class IssuedToken:
    """A project-scoped token IAM handed out."""

    project_id: str
    issued_at: datetime
    expires_at: datetime


class Accounts:
    """Who may sign in, and the tokens issued so far."""

    def __init__(self, clock: Callable[[], datetime] = now_utc) -> None:
        """Use `clock` (aware UTC) for issuing and expiring tokens."""
        self._clock = clock
        self._tokens: dict[str, IssuedToken] = {}
        self.issued: list[str] = []
        """Every token value handed out, revoked ones too (tests look for leaks)."""
        self.credentials_revoked = False
        """When set, the password and the access key are refused."""

    def password_ok(self, domain_name: str, user_name: str, password: str) -> bool:
        """Whether the IAM user may sign in with this password."""
        return not self.credentials_revoked and (domain_name, user_name, password) == (
            DOMAIN_NAME,
            USERNAME,
            PASSWORD,
        )

    def secret_key(self, access_key: str) -> str | None:
        """The secret key that goes with an access key, None if the key is unknown."""
        if self.credentials_revoked or access_key != ACCESS_KEY:
            return None
        return SECRET_KEY

    def issue_token(self, project_id: str, lifetime: timedelta) -> tuple[str, IssuedToken]:
        """Create an opaque token scoped to one of the account's projects."""
        value = "MIIT" + secrets.token_urlsafe(48)
        now = self._clock()
        issued = IssuedToken(project_id=project_id, issued_at=now, expires_at=now + lifetime)
        self._tokens[value] = issued
        self.issued.append(value)
        return value, issued

    def token(self, value: str) -> IssuedToken | None:
        """Return a token issued by this IAM (expired or not), None for anything else."""
        return self._tokens.get(value)

    def token_expired(self, issued: IssuedToken) -> bool:
        """Whether the token's lifetime is over by the server clock."""
        return issued.expires_at <= self._clock()

    def expire_tokens(self) -> None:
        """Let every token issued so far expire now."""
        expired = self._clock() - timedelta(seconds=1)
        for issued in self._tokens.values():
            issued.expires_at = expired

    def revoke_tokens(self) -> None:
        """Forget every token issued so far."""
        self._tokens.clear()
