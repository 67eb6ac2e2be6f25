"""Credentials: how handshakes and REST requests are authenticated, and which project they use."""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from yarl import URL

from .errors import SisPermissionError, SisProjectError
from .iam import Token, list_projects, request_token
from .signer import sign

DEFAULT_REFRESH_MARGIN = timedelta(minutes=15)
"""A cached token is replaced this long before it expires."""

type Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Auth(ABC):
    """Authentication of handshakes and REST requests, shared by concurrent callers."""

    kind: str
    refreshable: bool = False
    """True when a refused request may succeed with freshly fetched credentials."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        iam_url: str,
        *,
        project_id: str | None,
        region: str | None,
        timeout: float,
        clock: Clock,
    ) -> None:
        """Keep what both kinds of credentials need to reach IAM."""
        if not project_id and not region:
            raise SisProjectError("A project id or a region is needed")
        self._http = http
        self._iam_url = iam_url
        self._project_id = project_id
        self._region = region
        self._timeout = timeout
        self._clock = clock
        self._lock = asyncio.Lock()

    @abstractmethod
    async def project_id(self) -> str:
        """Return the project id to put into the WebSocket URL."""

    @abstractmethod
    async def headers(self, url: str) -> dict[str, str]:
        """Return the headers that authenticate a handshake to `url`."""

    @abstractmethod
    async def rest_headers(
        self, method: str, url: str, *, body: bytes, content_type: str
    ) -> dict[str, str]:
        """Return the headers that authenticate a REST request, `Content-Type` among them.

        `body` is the exact body that will be sent (empty for none).
        """

    @abstractmethod
    async def verify(self) -> None:
        """Prove the credentials with one IAM call; raise SisAuthError when refused."""

    @abstractmethod
    def invalidate(self, headers: Mapping[str, str]) -> None:
        """Forget the credentials behind `headers` after the service refused them."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Return facts for diagnostics; never a secret."""


class TokenAuth(Auth):
    """IAM user name and password, exchanged for a cached project-scoped token.

    Concurrent sessions that need a token at the same time share one IAM
    request; the token is replaced `refresh_margin` before it expires.
    """

    kind = "token"
    refreshable = True

    def __init__(
        self,
        http: aiohttp.ClientSession,
        iam_url: str,
        *,
        domain_name: str,
        username: str,
        password: str,
        project_id: str | None = None,
        region: str | None = None,
        timeout: float = 10.0,
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
        clock: Clock = _utcnow,
    ) -> None:
        """Keep what is needed to ask IAM for tokens."""
        super().__init__(
            http, iam_url, project_id=project_id, region=region, timeout=timeout, clock=clock
        )
        self._domain_name = domain_name
        self._username = username
        self._password = password
        self._margin = refresh_margin
        self._token: Token | None = None

    def __repr__(self) -> str:
        """Name the user, never the password or token."""
        return f"TokenAuth(domain={self._domain_name!r}, user={self._username!r})"

    def _fresh(self, token: Token | None) -> Token | None:
        if token is not None and token.expires_at - self._margin > self._clock():
            return token
        return None

    async def token(self) -> Token:
        """Return a valid token, asking IAM only when the cached one is missing or old."""
        if token := self._fresh(self._token):
            return token
        async with self._lock:
            if token := self._fresh(self._token):
                return token
            self._token = await request_token(
                self._http,
                self._iam_url,
                domain_name=self._domain_name,
                username=self._username,
                password=self._password,
                project_id=self._project_id,
                region=self._region,
                timeout=self._timeout,
            )
            return self._token

    async def project_id(self) -> str:
        """Return the configured project id, or the one the token is scoped to."""
        if self._project_id:
            return self._project_id
        return (await self.token()).project_id

    async def headers(self, url: str) -> dict[str, str]:
        """Return the X-Auth-Token header."""
        return {"X-Auth-Token": (await self.token()).value}

    async def rest_headers(
        self, method: str, url: str, *, body: bytes, content_type: str
    ) -> dict[str, str]:
        """Return the content type and the X-Auth-Token header; the token covers any request."""
        return {"Content-Type": content_type, **(await self.headers(url))}

    async def verify(self) -> None:
        """Fetch a fresh token."""
        self._token = None
        await self.token()

    def invalidate(self, headers: Mapping[str, str]) -> None:
        """Drop the cached token if it is the one that was refused."""
        if self._token is not None and headers.get("X-Auth-Token") == self._token.value:
            self._token = None

    def describe(self) -> dict[str, Any]:
        """Return the token's expiry and project, not the token."""
        token = self._token
        return {
            "kind": self.kind,
            "token_expires_at": token.expires_at.isoformat() if token else None,
            "project_id": self._project_id or (token.project_id if token else None),
        }


class AkSkAuth(Auth):
    """Access key and secret key: every handshake is signed with SDK-HMAC-SHA256."""

    kind = "aksk"

    def __init__(
        self,
        http: aiohttp.ClientSession,
        iam_url: str,
        *,
        access_key: str,
        secret_key: str,
        project_id: str | None = None,
        region: str | None = None,
        timeout: float = 10.0,
        clock: Clock = _utcnow,
    ) -> None:
        """Keep the keys; the project is looked up in IAM when not given."""
        super().__init__(
            http, iam_url, project_id=project_id, region=region, timeout=timeout, clock=clock
        )
        self._access_key = access_key
        self._secret_key = secret_key

    def __repr__(self) -> str:
        """Name the access key, never the secret key."""
        return f"AkSkAuth(access_key={self._access_key!r})"

    def _signed(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> dict[str, str]:
        return sign(
            method=method,
            url=url,
            access_key=self._access_key,
            secret_key=self._secret_key,
            headers=headers,
            body=body,
            now=self._clock(),
        )

    async def _projects(self, name: str | None) -> list[dict[str, Any]]:
        url = URL(f"{self._iam_url}/v3/projects")
        if name:
            url = url.with_query(name=name)
        return await list_projects(
            self._http, str(url), headers=self._signed("GET", str(url)), timeout=self._timeout
        )

    async def project_id(self) -> str:
        """Return the configured project id, or find the project named after the region."""
        if self._project_id:
            return self._project_id
        async with self._lock:
            if not self._project_id:
                try:
                    projects = await self._projects(self._region)
                except SisPermissionError as err:
                    # The key is valid but may not read IAM: the user must give the id.
                    raise SisProjectError(
                        "This access key may not list IAM projects; enter the project id",
                        status=403,
                    ) from err
                ids = [p["id"] for p in projects if p.get("name") == self._region and p.get("id")]
                if not ids:
                    raise SisProjectError(f"No project named {self._region} for this access key")
                self._project_id = str(ids[0])
            return self._project_id

    def invalidate(self, headers: Mapping[str, str]) -> None:
        """Keys are not cached credentials: nothing to forget."""

    async def headers(self, url: str) -> dict[str, str]:
        """Sign the handshake."""
        return self._signed("GET", url)

    async def rest_headers(
        self, method: str, url: str, *, body: bytes, content_type: str
    ) -> dict[str, str]:
        """Sign the method, URL with its query, the content type and the body."""
        return self._signed(method, url, {"Content-Type": content_type}, body)

    async def verify(self) -> None:
        """Make one signed IAM call: find the project, or check that the given one exists."""
        if not self._project_id:
            await self.project_id()
            return
        try:
            projects = await self._projects(self._region)
        except SisPermissionError:
            # The gateway accepted the signature; IAM only refuses to list projects.
            return
        if not any(p.get("id") == self._project_id for p in projects):
            raise SisProjectError("The project id does not belong to this access key's region")

    def describe(self) -> dict[str, Any]:
        """Return the project in use."""
        return {"kind": self.kind, "project_id": self._project_id}
