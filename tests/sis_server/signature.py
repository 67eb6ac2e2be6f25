"""Check SDK-HMAC-SHA256 signatures with Huawei's own signer (not the client's code)."""

from __future__ import annotations

from datetime import datetime, timedelta
import re
from typing import Any

from aiohttp import web
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from .accounts import ACCESS_KEY, SECRET_KEY

MAX_SKEW = timedelta(minutes=15)
_AUTHORIZATION = re.compile(
    r"^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$"
)


class _Credentials:
    ak = ACCESS_KEY
    sk = SECRET_KEY


class SignatureError(Exception):
    """The request's signature is refused; args are (APIG code, message)."""


def verify(request: web.Request, now: datetime, *, revoked: bool = False) -> None:
    """Raise SignatureError unless the request is signed with the account's (valid) key."""
    header = request.headers.get("Authorization", "")
    match = _AUTHORIZATION.match(header)
    if match is None:
        raise SignatureError("APIG.0301", "Incorrect IAM authentication information: bad header")
    access_key, signed_names, signature = match.groups()
    if access_key != ACCESS_KEY or revoked:
        raise SignatureError("APIG.0301", "Incorrect IAM authentication information: ak not found")
    date = request.headers.get("X-Sdk-Date", "")
    try:
        moment = datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=now.tzinfo)
    except ValueError:
        raise SignatureError(
            "APIG.0303", "Incorrect app authentication information: bad x-sdk-date"
        ) from None
    if abs(now - moment) > MAX_SKEW:
        raise SignatureError(
            "APIG.0303",
            "Incorrect IAM authentication information: calc ak sk signature fail:signature expired",
        )
    names = signed_names.split(";")
    if "host" not in names or "x-sdk-date" not in names:
        raise SignatureError("APIG.0301", "Incorrect IAM authentication information: headers")
    headers: dict[str, Any] = {}
    for name in names:
        values = request.headers.getall(name, [])
        if len(values) != 1:
            raise SignatureError("APIG.0301", "Incorrect IAM authentication information: headers")
        headers[name] = values[0]
    sdk_request = SdkRequest(
        method=request.method,
        schema="http",
        host=request.headers.get("Host", ""),
        resource_path=request.raw_path.split("?")[0],
        query_params=list(request.query.items()),
        header_params=headers,
        body="",
    )
    expected = str(Signer(_Credentials()).sign(sdk_request).header_params["Authorization"])
    if expected.rsplit("Signature=", 1)[1] != signature:
        raise SignatureError(
            "APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail"
        )
