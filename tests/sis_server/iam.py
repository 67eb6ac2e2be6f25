"""The emulated IAM: project-scoped tokens (password method) and the signed project list."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .accounts import DOMAIN_ID, DOMAIN_NAME, PROJECTS, USER_ID, USERNAME, iso, region_of
from .signature import SignatureError, verify

if TYPE_CHECKING:
    from .server import SisServer


def iam_error(status: int, message: str) -> web.Response:
    """An IAM error response: {"error": {"code", "message", "title"}}."""
    title = HTTPStatus(status).phrase if status in HTTPStatus else "Error"
    return web.json_response(
        {"error": {"code": status, "message": message, "title": title}}, status=status
    )


def _object(data: Any, *keys: str) -> dict[str, Any] | None:
    """Follow `keys` through nested JSON objects; None if any step is not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, dict) else None


def _string(data: dict[str, Any] | None, key: str) -> str | None:
    value = None if data is None else data.get(key)
    return value if isinstance(value, str) and value else None


def _scope_project(body: Any) -> tuple[str, str] | None:
    """The ("id" | "name", value) the token is to be scoped to; None if malformed."""
    project = _object(body, "auth", "scope", "project")
    if project is None or len(project) != 1:
        return None
    key, value = next(iter(project.items()))
    if key not in ("id", "name") or not isinstance(value, str) or not value:
        return None
    return key, value


def _catalog(region: str) -> list[dict[str, Any]]:
    """A short service catalog, as IAM returns without `nocatalog=true`."""
    return [
        {
            "type": "sis",
            "id": "5c1e0e4d0b9f4e4f9a8b7c6d5e4f3a21",
            "name": "sis",
            "endpoints": [
                {
                    "id": "9a8b7c6d5e4f3a215c1e0e4d0b9f4e4f",
                    "interface": "public",
                    "region": region,
                    "region_id": region,
                    "url": f"https://sis-ext.{region}.myhuaweicloud.com",
                }
            ],
        }
    ]


class IamHandlers:
    """HTTP handlers of the IAM endpoints, sharing the state of a `SisServer`."""

    def __init__(self, server: SisServer) -> None:
        """Serve on behalf of `server`."""
        self.server = server

    async def _fault(self) -> web.Response | None:
        fault = self.server.iam_fault
        if fault is None:
            return None
        if fault.hang:
            await self.server.closing.wait()
        return iam_error(fault.status, "The service is temporarily unavailable.")

    async def tokens(self, request: web.Request) -> web.Response:
        """POST /v3/auth/tokens[?nocatalog=true] with the password method."""
        self.server.iam_token_requests += 1
        if failed := await self._fault():
            return failed
        if not request.headers.get("Content-Type", "").startswith("application/json"):
            return iam_error(400, "The request body must be application/json.")
        try:
            body = await request.json()
        except ValueError:
            return iam_error(400, "The request body is not valid JSON.")
        identity = _object(body, "auth", "identity")
        user = _object(identity, "password", "user")
        domain = _object(user, "domain")
        scope = _scope_project(body)
        name, password = _string(user, "name"), _string(user, "password")
        domain_name = _string(domain, "name")
        if (
            identity is None
            or identity.get("methods") != ["password"]
            or name is None
            or password is None
            or domain_name is None
            or scope is None
        ):
            return iam_error(400, "The request body is malformed.")
        if not self.server.accounts.password_ok(domain_name, name, password):
            return iam_error(401, "The username or password is wrong.")
        key, value = scope
        project_id: str | None
        region: str | None
        if key == "id":
            project_id, region = value, region_of(value)
        else:
            project_id, region = PROJECTS.get(value), value
        if project_id is None or region is None:
            return iam_error(400, f"project not found in the account: {value}")
        token_value, issued = self.server.accounts.issue_token(
            project_id, self.server.token_lifetime
        )
        domain_info = {"id": DOMAIN_ID, "name": DOMAIN_NAME}
        token: dict[str, Any] = {
            "expires_at": iso(issued.expires_at),
            "issued_at": iso(issued.issued_at),
            "methods": ["password"],
            "project": {"id": project_id, "name": region, "domain": domain_info},
            "user": {"id": USER_ID, "name": USERNAME, "domain": domain_info},
        }
        if request.query.get("nocatalog") != "true":
            token["catalog"] = _catalog(region)
        return web.json_response(
            {"token": token}, status=201, headers={"X-Subject-Token": token_value}
        )

    async def projects(self, request: web.Request) -> web.Response:
        """GET /v3/projects[?name=region], signed with the access key."""
        self.server.iam_project_requests += 1
        if failed := await self._fault():
            return failed
        try:
            verify(request, self.server.now(), self.server.accounts.secret_key)
        except SignatureError as err:
            return web.json_response({"error_code": err.code, "error_msg": err.message}, status=401)
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
