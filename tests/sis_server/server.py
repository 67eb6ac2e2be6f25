"""`SisServer`: IAM and SIS real-time recognition on one loopback port."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from aiohttp import web

from .accounts import TokenStore, now_utc
from .faults import Fault, IamFault
from .iam import IamHandlers
from .rasr import RasrHandlers, RecordedSession

DEFAULT_FALLBACK = "turn on the kitchen light"


class SisServer:
    """A strict local stand-in for Huawei Cloud IAM and SIS."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        idle_timeout: float = 20.0,
        token_lifetime: timedelta = timedelta(hours=24),
        fallback_text: str = DEFAULT_FALLBACK,
    ) -> None:
        """Configure; nothing listens before `start`."""
        self.host = host
        self.port = port
        self.idle_timeout = idle_timeout
        self.token_lifetime = token_lifetime
        self.fallback_text = fallback_text
        self.tokens = TokenStore()
        self.faults: list[Fault] = []
        self.iam_fault: IamFault | None = None
        self.sessions: list[RecordedSession] = []
        self.connections = 0
        self.open_connections = 0
        self.iam_token_requests = 0
        self.iam_project_requests = 0
        self.clock_offset = timedelta()
        self.credentials_revoked = False
        self.processing_delay = 0.0
        self.sockets: set[web.WebSocketResponse] = set()
        self.closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    def now(self) -> datetime:
        """The server's clock."""
        return now_utc() + self.clock_offset

    def expire_tokens(self) -> None:
        """Every token issued so far is expired from now on."""
        self.tokens.expire_all()

    def revoke_tokens(self) -> None:
        """Every token issued so far is unknown from now on."""
        self.tokens.revoke_all()

    def revoke_credentials(self) -> None:
        """The IAM user's password and the access key stop working (tokens too)."""
        self.credentials_revoked = True
        self.tokens.revoke_all()

    def restore_credentials(self) -> None:
        """The credentials work again."""
        self.credentials_revoked = False

    @property
    def sis_url(self) -> str:
        """Base URL of the recognition service."""
        return f"ws://{self.host}:{self.port}"

    @property
    def iam_url(self) -> str:
        """Base URL of IAM."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Listen on the loopback port (a free one when port is 0)."""
        iam = IamHandlers(self)
        rasr = RasrHandlers(self)
        app = web.Application()
        app.router.add_post("/v3/auth/tokens", iam.tokens)
        app.router.add_get("/v3/projects", iam.projects)
        app.router.add_get("/v1/{project_id}/rasr/{mode}", rasr.handle)
        app.router.add_route("*", "/{tail:.*}", rasr.not_found)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Close every connection and stop listening."""
        self.closing.set()
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
