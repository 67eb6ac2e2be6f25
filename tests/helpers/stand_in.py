"""HTTP stand-ins for Huawei Cloud services whose every answer a test chooses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
type StartStandIn = Callable[[Handler], Awaitable[str]]


@asynccontextmanager
async def stand_ins() -> AsyncIterator[StartStandIn]:
    """Yield a function that starts a stand-in and returns its base URL; stop them all after.

    A stand-in listens on 127.0.0.1 and answers every method and path with its handler.
    """
    servers: list[TestServer] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("")).rstrip("/")

    try:
        yield start
    finally:
        for server in servers:
            await server.close()


def answer(status: int, *bodies: Any, headers: dict[str, str] | None = None) -> Handler:
    """A handler that answers with `status` and the next body (JSON unless a str).

    The last body is answered again once the others are used up.
    """
    remaining = list(bodies)

    async def handler(request: web.Request) -> web.StreamResponse:
        body = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(body, str):
            return web.Response(status=status, text=body, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    return handler
