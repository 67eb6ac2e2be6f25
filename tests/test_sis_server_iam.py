"""The emulated IAM (tests/sis_server/iam.py): tokens, project lists and their refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from typing import Any

import aiohttp
import pytest

from tests.helpers.raw_client import (
    ISO,
    PROJECT,
    REGION,
    get_token,
    sign,
    token_body,
)
from tests.sis_server import (
    DOMAIN_NAME,
    PROJECTS,
    USERNAME,
    IamFault,
    SisServer,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


# --- IAM --------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [{"name": "cn-east-3"}, {"id": PROJECTS["cn-east-3"]}])
async def test_iam_token(
    http: aiohttp.ClientSession, server: SisServer, scope: dict[str, str]
) -> None:
    url = f"{server.iam_url}/v3/auth/tokens"
    async with http.post(
        url, json=token_body(scope=scope), headers={"Content-Type": "application/json;charset=utf8"}
    ) as response:
        assert response.status == 201
        token = response.headers["X-Subject-Token"]
        body = await response.json()
    assert len(token) > 40
    data = body["token"]
    assert list(data)[:5] == ["expires_at", "issued_at", "methods", "project", "user"]
    assert ISO.match(data["expires_at"])
    assert ISO.match(data["issued_at"])
    issued = datetime.strptime(data["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    expires = datetime.strptime(data["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert expires - issued == timedelta(hours=24)
    assert data["methods"] == ["password"]
    assert data["project"]["id"] == PROJECTS["cn-east-3"]
    assert data["project"]["name"] == "cn-east-3"
    assert data["project"]["domain"]["name"] == DOMAIN_NAME
    assert data["user"]["name"] == USERNAME
    assert "catalog" in data
    async with http.post(f"{url}?nocatalog=true", json=token_body(scope=scope)) as response:
        assert response.status == 201
        assert "catalog" not in (await response.json())["token"]
        assert response.headers["X-Subject-Token"] != token
    assert server.iam_token_requests == 2


async def test_iam_token_lifetime_follows_the_server(http: aiohttp.ClientSession) -> None:
    server = SisServer(token_lifetime=timedelta(minutes=10))
    await server.start()
    try:
        async with http.post(f"{server.iam_url}/v3/auth/tokens", json=token_body()) as response:
            data = (await response.json())["token"]
        issued = datetime.strptime(data["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        expires = datetime.strptime(data["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert expires - issued == timedelta(minutes=10)
    finally:
        await server.close()


@pytest.mark.parametrize(
    "body",
    [
        token_body(user="someone-else"),
        token_body(password="not-the-password"),
        token_body(domain="other-account"),
    ],
)
async def test_iam_wrong_credentials(
    http: aiohttp.ClientSession, server: SisServer, body: dict[str, Any]
) -> None:
    async with http.post(f"{server.iam_url}/v3/auth/tokens", json=body) as response:
        assert response.status == 401
        assert "X-Subject-Token" not in response.headers
        assert await response.json() == {
            "error": {
                "code": 401,
                "message": "The username or password is wrong.",
                "title": "Unauthorized",
            }
        }


def _without(path: tuple[str, ...]) -> dict[str, Any]:
    body = token_body()
    node = body
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return body


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        (json.dumps(token_body()), "text/plain"),
        ("{not json", "application/json"),
        ("[]", "application/json"),
        (json.dumps(_without(("auth", "scope"))), "application/json"),
        (json.dumps(_without(("auth", "identity", "password", "user", "domain"))), None),
        (json.dumps(_without(("auth", "identity", "methods"))), None),
        (json.dumps(token_body(scope={"name": REGION, "id": PROJECT})), None),
        (json.dumps(token_body(scope={"title": REGION})), None),
        (json.dumps({"auth": {"identity": {"methods": ["token"]}}}), None),
    ],
)
async def test_iam_malformed_request(
    http: aiohttp.ClientSession, server: SisServer, payload: str, content_type: str | None
) -> None:
    async with http.post(
        f"{server.iam_url}/v3/auth/tokens",
        data=payload,
        headers={"Content-Type": content_type or "application/json"},
    ) as response:
        assert response.status == 400
        error = (await response.json())["error"]
    assert error["code"] == 400
    assert error["title"] == "Bad Request"
    assert error["message"]
    assert server.iam_token_requests == 1


@pytest.mark.parametrize("scope", [{"name": "ap-southeast-1"}, {"id": "f" * 32}])
async def test_iam_unknown_project(
    http: aiohttp.ClientSession, server: SisServer, scope: dict[str, str]
) -> None:
    async with http.post(
        f"{server.iam_url}/v3/auth/tokens", json=token_body(scope=scope)
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"]["message"].startswith("project not found")


async def test_iam_fault(http: aiohttp.ClientSession, server: SisServer) -> None:
    server.iam_fault = IamFault(status=503)
    async with http.post(f"{server.iam_url}/v3/auth/tokens", json=token_body()) as response:
        assert response.status == 503
        assert (await response.json())["error"]["code"] == 503
    async with http.get(f"{server.iam_url}/v3/projects") as response:
        assert response.status == 503
    server.iam_fault = IamFault(hang=True)
    with pytest.raises(TimeoutError):
        async with http.post(
            f"{server.iam_url}/v3/auth/tokens",
            json=token_body(),
            timeout=aiohttp.ClientTimeout(total=0.3),
        ):
            pass
    server.iam_fault = None
    assert await get_token(http, server)
    assert server.iam_token_requests == 3
    assert server.iam_project_requests == 1


async def test_project_listing(http: aiohttp.ClientSession, server: SisServer) -> None:
    url = f"{server.iam_url}/v3/projects?name=me-east-1"
    async with http.get(url, headers=sign(url)) as response:
        assert response.status == 200
        body = await response.json()
    assert body["projects"] == [
        {
            "id": PROJECTS["me-east-1"],
            "name": "me-east-1",
            "domain_id": body["projects"][0]["domain_id"],
            "enabled": True,
            "description": "",
        }
    ]
    assert body["links"]["self"].endswith("/v3/projects?name=me-east-1")
    url = f"{server.iam_url}/v3/projects?name=eu-west-0"
    async with http.get(url, headers=sign(url)) as response:
        assert (await response.json())["projects"] == []
    url = f"{server.iam_url}/v3/projects"
    async with http.get(url, headers=sign(url)) as response:
        assert len((await response.json())["projects"]) == len(PROJECTS)
    assert server.iam_project_requests == 3


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "APIG.0301"),
        ({"secret_key": "wrong"}, "APIG.0301"),
        ({"access_key": "HPUAUNKNOWNKEY000000"}, "APIG.0301"),
        ({"skew": -20}, "APIG.0303"),
    ],
)
async def test_project_listing_refused(
    http: aiohttp.ClientSession, server: SisServer, headers: dict[str, Any], code: str
) -> None:
    url = f"{server.iam_url}/v3/projects?name={REGION}"
    sent: dict[str, str] = {}
    if headers:
        when = datetime.now(UTC) + timedelta(minutes=headers.pop("skew", 0))
        sent = sign(url, when=when, **headers)
    async with http.get(url, headers=sent) as response:
        assert response.status == 401
        assert response.content_type == "application/json"
        assert (await response.json())["error_code"] == code
