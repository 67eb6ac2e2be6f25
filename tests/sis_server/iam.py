"""The emulated IAM: project-scoped tokens and the project list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .accounts import (
    DOMAIN_ID,
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    USER_ID,
    USERNAME,
    iso,
    now_utc,
    region_of,
)
from .signature import SignatureError, verify

if TYPE_CHECKING:
    from .server import SisServer


def _iam_error(status: int, message: str, title: str) -> web.Response:
    return web.json_response(
        {"error": {"code": status, "message": message, "title": title}}, status=status
    )


def _bad_request(message: str) -> web.Response:
    return _iam_error(400, message, "Bad Request")


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class IamHandlers:
    """HTTP handlers of the IAM endpoints."""

    def __init__(self, server: SisServer) -> None:
        """Serve on behalf of `server`, whose state they share."""
        self.server = server

    async def _fault(self) -> web.Response | None:
        fault = self.server.iam_fault
        if fault is None:
            return None
        if fault.hang:
            await self.server.closing.wait()
        return _iam_error(fault.status, "Service unavailable", "Service Unavailable")

    async def tokens(self, request: web.Request) -> web.Response:
        """POST /v3/auth/tokens with the password method."""
        self.server.iam_token_requests += 1
        if failed := await self._fault():
            return failed
        if not request.content_type.startswith("application/json"):
            return _bad_request("The request body must be JSON")
        try:
            body = await request.json()
        except ValueError:
            return _bad_request("The request body is not valid JSON")
        identity = _dig(body, "auth", "identity")
        user = _dig(identity, "password", "user")
        scope = _dig(body, "auth", "scope", "project")
        if (
            _dig(identity, "methods") != ["password"]
            or not isinstance(user, dict)
            or not isinstance(user.get("name"), str)
            or not isinstance(user.get("password"), str)
            or not isinstance(_dig(user, "domain", "name"), str)
            or not isinstance(scope, dict)
            or len(scope) != 1
            or not isinstance(scope.get("id", scope.get("name")), str)
        ):
            return _bad_request("The request body is malformed")
        if self.server.credentials_revoked or (
            user["name"],
            user["password"],
            user["domain"]["name"],
        ) != (
            USERNAME,
            PASSWORD,
            DOMAIN_NAME,
        ):
            return _iam_error(401, "The username or password is wrong.", "Unauthorized")
        if "id" in scope:
            project_id, region = scope["id"], region_of(scope["id"])
        else:
            region, project_id = scope["name"], PROJECTS.get(scope["name"])
        if region is None or project_id is None:
            return _bad_request("project not found in this account")
        value, issued = self.server.tokens.issue(project_id, self.server.token_lifetime)
        domain = {"id": DOMAIN_ID, "name": DOMAIN_NAME}
        token = {
            "expires_at": iso(issued.expires_at),
            "issued_at": iso(now_utc()),
            "methods": ["password"],
            "project": {"id": project_id, "name": region, "domain": domain},
            "user": {"id": USER_ID, "name": USERNAME, "domain": domain},
        }
        return web.json_response({"token": token}, status=201, headers={"X-Subject-Token": value})

    async def projects(self, request: web.Request) -> web.Response:
        """GET /v3/projects[?name=region], signed with the access key."""
        self.server.iam_project_requests += 1
        if failed := await self._fault():
            return failed
        try:
            verify(request, self.server.now(), revoked=self.server.credentials_revoked)
        except SignatureError as err:
            code, message = err.args
            return web.json_response({"error_code": code, "error_msg": message}, status=401)
        name = request.query.get("name")
        projects = [
            {
                "id": project_id,
                "name": region,
                "domain_id": DOMAIN_ID,
                "enabled": True,
                "description": "",
            }
            for region, project_id in PROJECTS.items()
            if name is None or name == region
        ]
        return web.json_response({"projects": projects, "links": {"self": str(request.url)}})
