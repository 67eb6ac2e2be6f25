"""IAM answers the emulator never gives: odd bodies, missing fields, refusals to list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
import pytest

from custom_components.huawei_cloud_sis.sis import (
    AkSkAuth,
    SisAuthError,
    SisCertificateError,
    SisConnectionError,
    SisPermissionError,
    SisProjectError,
    SisServerError,
    TokenAuth,
)
from tests.helpers.stand_in import StartStandIn, answer, stand_ins
from tests.tls import SelfSignedServer, self_signed_context

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
async def iam() -> AsyncIterator[StartStandIn]:
    """Start an IAM stand-in whose every answer a test chooses."""
    async with stand_ins() as start:
        yield start


def _token_auth(http: aiohttp.ClientSession, url: str) -> TokenAuth:
    return TokenAuth(
        http, url, domain_name="d", username="u", password="secret-pw", region="cn-north-4"
    )


TOKEN = {"X-Subject-Token": "t"}
GOOD = {"expires_at": "2030-01-01T00:00:00.000000Z", "project": {"id": "p1"}}


@pytest.mark.parametrize(
    ("status", "body", "headers", "error", "text"),
    [
        (201, {"token": GOOD}, {}, SisServerError, "without a token"),
        (201, {"token": {**GOOD, "project": {}}}, TOKEN, SisServerError, "scoped"),
        (201, {"token": {**GOOD, "expires_at": 5}}, TOKEN, SisServerError, "expires_at"),
        (201, {"token": {**GOOD, "expires_at": "soon"}}, TOKEN, SisServerError, "invalid"),
        (500, "<html>oops</html>", {}, SisServerError, "HTTP 500"),
        (403, {"error_code": "APIG.0302", "error_msg": "no way"}, {}, SisPermissionError, "no way"),
        (404, {"error": {"code": 404, "message": "no such"}}, {}, SisProjectError, "no such"),
    ],
)
async def test_token_answers(
    iam: StartStandIn,
    http: aiohttp.ClientSession,
    status: int,
    body: Any,
    headers: dict[str, str],
    error: type[Exception],
    text: str,
) -> None:
    url = await iam(answer(status, body, headers=headers))
    with pytest.raises(error, match=text) as info:
        await _token_auth(http, url).verify()
    assert "secret-pw" not in str(info.value)
    if isinstance(body, dict) and "error_code" in body:
        assert getattr(info.value, "code", None) == body["error_code"]


def test_token_auth_needs_a_project_or_region(http: aiohttp.ClientSession) -> None:
    with pytest.raises(SisProjectError):
        TokenAuth(http, "https://iam.example.com", domain_name="d", username="u", password="p")
    with pytest.raises(SisProjectError):
        AkSkAuth(http, "https://iam.example.com", access_key="a", secret_key="s")


async def test_request_token_needs_a_scope(http: aiohttp.ClientSession) -> None:
    from custom_components.huawei_cloud_sis.sis.iam import request_token

    with pytest.raises(SisProjectError):
        await request_token(
            http,
            "https://iam.example.com",
            domain_name="d",
            username="u",
            password="p",
            project_id=None,
            region=None,
            timeout=1,
        )


def _aksk(http: aiohttp.ClientSession, url: str, project_id: str | None) -> AkSkAuth:
    return AkSkAuth(
        http, url, access_key="AK", secret_key="SK", project_id=project_id, region="cn-north-4"
    )


async def test_project_list_without_projects(
    iam: StartStandIn, http: aiohttp.ClientSession
) -> None:
    url = await iam(answer(200, {"links": {}}))
    with pytest.raises(SisServerError, match="without projects"):
        await _aksk(http, url, None).project_id()


async def test_project_not_in_the_list(iam: StartStandIn, http: aiohttp.ClientSession) -> None:
    url = await iam(answer(200, {"projects": [{"id": "x", "name": "cn-east-3"}, "junk"]}))
    with pytest.raises(SisProjectError, match="No project named"):
        await _aksk(http, url, None).project_id()


async def test_key_that_may_not_list_projects(
    iam: StartStandIn, http: aiohttp.ClientSession
) -> None:
    """403 from IAM: the signature passed; the project id must then be given."""
    url = await iam(answer(403, {"error_code": "IAM.0002", "error_msg": "forbidden"}))
    with pytest.raises(SisProjectError, match="enter the project id") as info:
        await _aksk(http, url, None).project_id()
    assert info.value.status == 403
    await _aksk(http, url, "p1").verify()  # accepted: nothing more to check


async def test_refused_key(iam: StartStandIn, http: aiohttp.ClientSession) -> None:
    url = await iam(answer(401, {"error_code": "APIG.0301", "error_msg": "verify aksk fail"}))
    with pytest.raises(SisAuthError):
        await _aksk(http, url, None).project_id()
    with pytest.raises(SisAuthError) as info:
        await _aksk(http, url, "p1").verify()
    assert info.value.code == "APIG.0301"


async def test_untrusted_iam_certificate(http: aiohttp.ClientSession, tmp_path: Path) -> None:
    with SelfSignedServer(self_signed_context(tmp_path)) as server:
        auth = _token_auth(http, f"https://127.0.0.1:{server.port}")
        with pytest.raises(SisCertificateError, match="certificate of IAM is not trusted"):
            await auth.verify()
        assert server.completed == 0


class _NoSuchHost(AbstractResolver):
    """A resolver that knows no name, as DNS answers for one that does not exist."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[ResolveResult]:
        raise OSError(None, f"Domain name not found: {host}")

    async def close(self) -> None:
        """Nothing to close."""


async def test_iam_host_that_does_not_resolve() -> None:
    connector = aiohttp.TCPConnector(resolver=_NoSuchHost())
    async with aiohttp.ClientSession(connector=connector) as http:
        auth = _token_auth(http, "https://iam.example.invalid")
        with pytest.raises(SisConnectionError, match="Cannot resolve the host name of IAM"):
            await auth.verify()
