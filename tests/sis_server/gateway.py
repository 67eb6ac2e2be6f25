"""What API Gateway checks before a request reaches SIS: the token or the AK/SK signature."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol

from aiohttp import web

from .accounts import iso, region_of
from .faults import Fault, FaultKind
from .signature import SignatureError, verify

if TYPE_CHECKING:
    from .server import SisServer

CLOSE_TIMEOUT: Final = 2.0
"""How long the server waits for the client's close frame after sending its own."""
NOT_FOUND: Final = "The API does not exist or has not been published in the environment."
IAM_PREFIX: Final = "Incorrect IAM authentication information: "


def apig_error(status: int, code: str, message: str) -> web.Response:
    """A refusal: plain HTTP with a JSON {"error_code", "error_msg"} body."""
    return web.json_response({"error_code": code, "error_msg": message}, status=status)


def authenticate(
    server: SisServer, request: web.Request, project_id: str, body: bytes = b""
) -> str | web.Response:
    """Return how the client signed in ("token" or "aksk"), or the refusal to send.

    A token must be one IAM issued, unexpired and scoped to the project in the
    URL. A signature must match the request as received, `body` included, and
    the project must be one of the key's account.
    """
    if len(request.headers.getall("Host", [])) > 1:
        return apig_error(401, "APIG.0301", IAM_PREFIX + "duplicate host header")
    token = request.headers.get("X-Auth-Token")
    if token is not None:
        issued = server.accounts.token(token)
        if issued is None:
            return apig_error(401, "APIG.0301", IAM_PREFIX + "decrypt token fail")
        if server.accounts.token_expired(issued):
            message = f"token expires, expires_at: {iso(issued.expires_at)}"
            return apig_error(401, "APIG.0301", IAM_PREFIX + message)
        if issued.project_id != project_id:
            return apig_error(
                401,
                "SIS.0101",
                "Token verification failed: the token is not scoped to the project in the URL.",
            )
        return "token"
    if "Authorization" in request.headers:
        try:
            verify(request, server.now(), server.accounts.secret_key, body)
        except SignatureError as err:
            return apig_error(401, err.code, err.message)
        if region_of(project_id) is None:
            return apig_error(403, "APIG.0310", "The project is unavailable.")
        return "aksk"
    return apig_error(401, "APIG.0301", IAM_PREFIX + "x-auth-token not found")


async def refused_handshake(server: SisServer, fault: Fault | None) -> web.Response | None:
    """The answer a handshake fault gives instead of the upgrade (None: no such fault).

    A hanging handshake is answered only when the server closes.
    """
    if fault is not None and fault.kind is FaultKind.HANG_HANDSHAKE:
        await server.closing.wait()
        return apig_error(503, "APIG.0201", "Backend unavailable.")
    if fault is not None and fault.kind is FaultKind.HANDSHAKE:
        return web.json_response(fault.body, status=fault.status)
    return None


class Served(Protocol):
    """The protocol spoken over one accepted WebSocket."""

    async def run(self) -> None:
        """Serve frames until the connection is over."""

    def stop(self) -> None:
        """Mark what the connection was doing as over."""


async def accept(request: web.Request) -> web.WebSocketResponse | web.Response:
    """Take the upgrade, or refuse a request that is not one."""
    ws = web.WebSocketResponse(timeout=CLOSE_TIMEOUT)
    if not ws.can_prepare(request).ok:
        return apig_error(400, "APIG.0201", "The request is not a WebSocket upgrade.")
    await ws.prepare(request)
    return ws


async def serve(
    server: SisServer, ws: web.WebSocketResponse, served: Served
) -> web.WebSocketResponse:
    """Run a protocol over an accepted WebSocket, counted while it is open, and close it."""
    server.connections += 1
    server.open_connections += 1
    server.sockets.add(ws)
    try:
        await served.run()
    except ConnectionError:
        pass  # the client went away while the server was sending
    finally:
        served.stop()
        server.sockets.discard(ws)
        server.open_connections -= 1
        if not ws.closed:
            await ws.close()
    return ws
