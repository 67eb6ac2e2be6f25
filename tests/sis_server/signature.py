"""Check SDK-HMAC-SHA256 signatures with Huawei's own signer, not the client's code.

The request is rebuilt from what arrived on the wire (method, `http` URL, the
headers named in SignedHeaders with their received values, the body) and signed
again with `huaweicloudsdkcore`; the signature must match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import hmac
import re
from typing import Final

from aiohttp import web
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

MAX_SKEW: Final = timedelta(minutes=15)
DATE_FORMAT: Final = "%Y%m%dT%H%M%SZ"
_AUTHORIZATION: Final = re.compile(
    r"SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})"
)
_PREFIX: Final = "Incorrect IAM authentication information: "


class SignatureError(Exception):
    """The signature is refused; `code` and `message` go into the APIG error body."""

    def __init__(self, code: str, reason: str) -> None:
        """Keep the APIG code and the message."""
        super().__init__(code, _PREFIX + reason)
        self.code = code
        self.message = _PREFIX + reason


@dataclass(frozen=True, slots=True)
class _Credentials:
    """What Huawei's signer reads from a credentials object."""

    ak: str
    sk: str


def expected_signature(
    request: web.BaseRequest,
    signed_names: list[str],
    access_key: str,
    secret_key: str,
    body: bytes = b"",
) -> str:
    """Sign the received request again with Huawei's signer and return the signature."""
    headers = {name: request.headers[name] for name in signed_names}
    sdk_request = SdkRequest(
        method=request.method,
        schema="http",
        host=request.headers.get("Host", ""),
        resource_path=request.raw_path.split("?", 1)[0],
        query_params=list(request.query.items()),
        header_params=headers,
        body=body,
    )
    signed = Signer(_Credentials(access_key, secret_key)).sign(sdk_request)
    authorization = str(signed.header_params["Authorization"])
    return authorization.rsplit("Signature=", 1)[1]


def verify(
    request: web.BaseRequest,
    now: datetime,
    secret_key_of: Callable[[str], str | None],
    body: bytes = b"",
) -> str:
    """Return the access key the request is validly signed with; raise SignatureError if not.

    `body` is the request body as received (a handshake has none).
    """
    header = request.headers.get("Authorization")
    if header is None:
        raise SignatureError("APIG.0301", "x-auth-token not found")
    match = _AUTHORIZATION.fullmatch(header)
    if match is None:
        raise SignatureError("APIG.0301", "verify aksk signature fail")
    access_key, signed_list, signature = match.groups()
    secret_key = secret_key_of(access_key)
    if secret_key is None:
        raise SignatureError("APIG.0301", "ak not found")
    try:
        signed_at = datetime.strptime(request.headers.get("X-Sdk-Date", ""), DATE_FORMAT)
    except ValueError:
        raise SignatureError("APIG.0303", "x-sdk-date is missing or malformed") from None
    if abs(now - signed_at.replace(tzinfo=UTC)) > MAX_SKEW:
        raise SignatureError("APIG.0303", "calc ak sk signature fail:signature expired")
    signed_names = signed_list.split(";")
    if (
        "host" not in signed_names
        or "x-sdk-date" not in signed_names
        or any(len(request.headers.getall(name, [])) != 1 for name in signed_names)
    ):
        raise SignatureError("APIG.0301", "verify aksk signature fail")
    expected = expected_signature(request, signed_names, access_key, secret_key, body)
    if not hmac.compare_digest(expected, signature):
        raise SignatureError("APIG.0301", "verify aksk signature fail")
    return access_key
