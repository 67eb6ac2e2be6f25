"""Calls to Huawei Cloud IAM: project-scoped tokens and project lookup."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
import json
from typing import Any

import aiohttp

from .errors import (
    SisAuthError,
    SisCertificateError,
    SisConnectionError,
    SisProjectError,
    SisServerError,
    SisTimeoutError,
)


@dataclass(frozen=True, slots=True)
class Token:
    """A project-scoped IAM token; the value never shows in a repr."""

    value: str = field(repr=False)
    expires_at: datetime
    project_id: str


def _error_text(body: Any) -> str | None:
    """Pick the human-readable message out of an IAM error body."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(body.get("error_msg"), str):
            return str(body["error_msg"])
    return None


def _error_code(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error_code"), str):
        return str(body["error_code"])
    return None


async def _call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes | None,
    timeout: float,
    what: str,
) -> tuple[int, Mapping[str, str], Any]:
    """Send one IAM request and return status, headers and decoded JSON body."""
    try:
        async with asyncio.timeout(timeout):
            async with http.request(method, url, headers=dict(headers), data=body) as response:
                raw = await response.read()
                try:
                    data = json.loads(raw) if raw else None
                except ValueError:
                    data = None
                return response.status, response.headers, data
    except TimeoutError as err:
        raise SisTimeoutError(f"IAM did not answer the {what} request in {timeout:g} s") from err
    except aiohttp.ClientConnectorCertificateError as err:
        raise SisCertificateError(
            f"The TLS certificate of IAM is not trusted ({what} request)"
        ) from err
    except aiohttp.ClientConnectorDNSError as err:
        raise SisConnectionError(f"Cannot resolve the host name of IAM ({what} request)") from err
    except aiohttp.ClientError as err:
        raise SisConnectionError(
            f"Cannot reach IAM for the {what} request: {type(err).__name__}"
        ) from err


def _raise_for_status(status: int, data: Any, what: str) -> None:
    text = _error_text(data) or f"HTTP {status}"
    code = _error_code(data)
    if status in (401, 403):
        raise SisAuthError(f"IAM refused the {what} request: {text}", code=code, status=status)
    if status in (400, 404):
        raise SisProjectError(f"IAM refused the {what} request: {text}", code=code, status=status)
    raise SisServerError(f"IAM failed the {what} request: {text}", code=code, status=status)


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
    status, headers, data = await _call(
        http,
        "POST",
        f"{iam_url}/v3/auth/tokens?nocatalog=true",
        headers={"Content-Type": "application/json;charset=utf8"},
        body=json.dumps(payload).encode(),
        timeout=timeout,
        what="token",
    )
    if status != 201:
        _raise_for_status(status, data, "token")
    value = headers.get("X-Subject-Token")
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
    status, _, data = await _call(
        http, "GET", url, headers=headers, body=None, timeout=timeout, what="project list"
    )
    if status != 200:
        _raise_for_status(status, data, "project list")
    projects = data.get("projects") if isinstance(data, dict) else None
    if not isinstance(projects, list):
        raise SisServerError("IAM answered the project list without projects")
    return [item for item in projects if isinstance(item, dict)]
