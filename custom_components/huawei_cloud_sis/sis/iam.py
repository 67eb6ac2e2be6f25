"""Calls to Huawei Cloud IAM: project-scoped tokens and project lookup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
import json
from typing import Any, Final, NoReturn

import aiohttp

from .errors import SisProjectError, SisServerError
from .rest import JSON_CONTENT_TYPE, RestResponse, error_for, send

IAM: Final = "IAM"


@dataclass(frozen=True, slots=True)
class Token:
    """A project-scoped IAM token; the value never shows in a repr."""

    value: str = field(repr=False)
    expires_at: datetime
    project_id: str


def _raise_for_status(response: RestResponse, what: str) -> NoReturn:
    if response.status in (400, 404):
        text = response.error_message or f"HTTP {response.status}"
        raise SisProjectError(
            f"IAM refused the {what} request: {text}",
            code=response.error_code,
            status=response.status,
        )
    raise error_for(response, service=IAM, what=what)


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise SisServerError("IAM returned a token without expires_at")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise SisServerError(f"IAM returned an invalid expires_at: {value!r}") from err


async def request_token(
    http: aiohttp.ClientSession,
    iam_url: str,
    *,
    domain_name: str,
    username: str,
    password: str,
    project_id: str | None,
    region: str | None,
    timeout: float,
) -> Token:
    """Get a project-scoped token with the password method.

    The scope is the project id when given, else the project named after the
    region; in both cases the project id is read back from the response.
    """
    if project_id:
        scope: dict[str, str] = {"id": project_id}
    elif region:
        scope = {"name": region}
    else:
        raise SisProjectError("A project id or a region is needed to get a token")
    payload = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": username,
                        "password": password,
                        "domain": {"name": domain_name},
                    }
                },
            },
            "scope": {"project": scope},
        }
    }
    response = await send(
        http,
        "POST",
        f"{iam_url}/v3/auth/tokens?nocatalog=true",
        headers={"Content-Type": JSON_CONTENT_TYPE},
        body=json.dumps(payload).encode(),
        timeout=timeout,
        service=IAM,
        what="token",
    )
    if response.status != 201:
        _raise_for_status(response, "token")
    value = response.headers.get("X-Subject-Token")
    data = response.data
    token = data.get("token") if isinstance(data, dict) else None
    if not value or not isinstance(token, dict):
        raise SisServerError("IAM answered without a token")
    project = token.get("project")
    found = project.get("id") if isinstance(project, dict) else None
    if not isinstance(found, str) or not found:
        raise SisServerError("IAM returned a token that is not scoped to a project")
    return Token(value=value, expires_at=_parse_time(token.get("expires_at")), project_id=found)


async def list_projects(
    http: aiohttp.ClientSession,
    url: str,
    *,
    headers: Mapping[str, str],
    timeout: float,
) -> list[dict[str, Any]]:
    """Return the projects IAM lists at `url` (already signed by the caller)."""
    response = await send(
        http,
        "GET",
        url,
        headers=headers,
        body=None,
        timeout=timeout,
        service=IAM,
        what="project list",
    )
    if response.status != 200:
        _raise_for_status(response, "project list")
    data = response.data
    projects = data.get("projects") if isinstance(data, dict) else None
    if not isinstance(projects, list):
        raise SisServerError("IAM answered the project list without projects")
    return [item for item in projects if isinstance(item, dict)]
