"""REST requests to Huawei Cloud, and how their failures become `SisError`s.

`send` is the transport shared by IAM and the SIS REST API: it bounds the wait
and maps every aiohttp failure (`error_mapping.from_transport`). `call` adds
what the SIS REST API needs: the credentials of an `Auth`, a JSON body and
sending a request again when that may help (`error_mapping.worth_retrying`).
`error_for` turns an HTTP error answer into the exception a caller reacts to
(`error_mapping.from_status`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
import json
import logging
from typing import TYPE_CHECKING, Any, Final

import aiohttp

from .error_mapping import from_status, from_transport, token_refresh_may_help, worth_retrying
from .errors import SisError

if TYPE_CHECKING:
    from .auth import Auth

_LOGGER = logging.getLogger(__name__)

JSON_CONTENT_TYPE: Final = "application/json;charset=utf8"
SIS: Final = "SIS"
"""How the speech service is named in messages."""
SAFE_TO_REPEAT: Final = frozenset({"GET", "PUT", "DELETE"})
"""Methods whose repetition leaves the service as one request would."""


@dataclass(frozen=True, slots=True)
class RestResponse:
    """An HTTP answer: status, headers and the body decoded as JSON (None if it is not)."""

    status: int
    headers: Mapping[str, str] = field(repr=False)
    data: Any

    @property
    def ok(self) -> bool:
        """Whether the status is a success (2xx)."""
        return 200 <= self.status < 300

    @property
    def error_code(self) -> str | None:
        """The `error_code` of an error body."""
        code = self.data.get("error_code") if isinstance(self.data, dict) else None
        return code if isinstance(code, str) else None

    @property
    def error_message(self) -> str | None:
        """The human-readable message of an error body (IAM's or API Gateway's shape)."""
        if not isinstance(self.data, dict):
            return None
        error = self.data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        message = self.data.get("error_msg")
        return message if isinstance(message, str) else None


async def send(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes | None,
    timeout: float,
    service: str,
    what: str,
) -> RestResponse:
    """Send one request and return its answer, whatever the status.

    Raises the error of a request that got no answer (`error_mapping.from_transport`):
    a time-out after `timeout` seconds, an untrusted certificate, a failure to
    reach `service`. `what` names the request in messages.
    """
    try:
        async with asyncio.timeout(timeout):
            async with http.request(method, url, headers=dict(headers), data=body) as response:
                raw = await response.read()
    except (TimeoutError, aiohttp.ClientError, OSError) as err:
        raise from_transport(err, service=service, what=what, timeout=timeout) from err
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None
    return RestResponse(response.status, response.headers, data)


def error_for(response: RestResponse, *, service: str, what: str) -> SisError:
    """Return the exception for an error answer (see `error_mapping.from_status`)."""
    return from_status(
        response.status,
        service=service,
        what=what,
        code=response.error_code,
        message=response.error_message,
    )


async def call(
    http: aiohttp.ClientSession,
    auth: Auth,
    method: str,
    url: str,
    *,
    payload: Any = None,
    timeout: float,
    what: str,
) -> RestResponse:
    """Send an authenticated request to the SIS REST API and return its answer.

    `payload` is sent as JSON. A token the service refuses (401) is replaced
    and the request sent once more. GET, PUT and DELETE are also sent once
    more after a failure worth retrying (`error_mapping.worth_retrying`),
    because repeating them is harmless. Any other method (POST) is never
    repeated here: whether a failed attempt took effect is for the caller to
    find out.
    """
    body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    repeatable = method in SAFE_TO_REPEAT
    refreshed = repeated = False
    while True:
        headers = await auth.rest_headers(method, url, body=body, content_type=JSON_CONTENT_TYPE)
        try:
            response = await send(
                http,
                method,
                url,
                headers=headers,
                body=body or None,
                timeout=timeout,
                service=SIS,
                what=what,
            )
        except SisError as err:
            if not repeatable or repeated or not worth_retrying(err):
                raise
            _LOGGER.debug("Sending the %s request again after: %s", what, err)
            repeated = True
            continue
        if response.ok:
            return response
        error = error_for(response, service=SIS, what=what)
        if token_refresh_may_help(error) and auth.refreshable and not refreshed:
            auth.invalidate(headers)
            refreshed = True
        elif repeatable and not repeated and worth_retrying(error):
            _LOGGER.debug("Sending the %s request again after: %s", what, error)
            repeated = True
        else:
            return response
