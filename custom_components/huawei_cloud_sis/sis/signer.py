"""SDK-HMAC-SHA256 request signing (Huawei Cloud API Gateway AK/SK authentication)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
import hashlib
import hmac
from urllib.parse import quote, unquote

from yarl import URL

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def _encode(part: str) -> str:
    return quote(part, safe="~")


def canonical_uri(path: str) -> str:
    """Encode each path segment and end with a slash, as the gateway does."""
    uri = "/".join(_encode(part) for part in unquote(path or "/").split("/"))
    return uri if uri.endswith("/") else f"{uri}/"


def canonical_query(url: URL) -> str:
    """Sort the query parameters and encode keys and values."""
    pairs = sorted((_encode(key), _encode(value)) for key, value in url.query.items())
    return "&".join(f"{key}={value}" for key, value in pairs)


def http_url(url: str) -> URL:
    """Return the URL as the gateway sees it: `ws(s)://` becomes `http(s)://`."""
    parsed = URL(url)
    if parsed.scheme in ("ws", "wss"):
        parsed = parsed.with_scheme("http" + parsed.scheme[2:])
    return parsed


def sign(
    *,
    method: str,
    url: str,
    access_key: str,
    secret_key: str,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    now: datetime | None = None,
) -> dict[str, str]:
    """Return the headers that authenticate a request.

    `headers` are the request's other headers; they are all signed together with
    `host` and `X-Sdk-Date`. The returned mapping holds `X-Sdk-Date` and
    `Authorization` (plus the given headers) but not `Host`: the HTTP client
    writes that itself, and a second Host header makes the gateway refuse the
    request.
    """
    target = http_url(url)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    signed: dict[str, str] = {key.lower(): value.strip() for key, value in (headers or {}).items()}
    signed[DATE_HEADER.lower()] = moment.strftime(DATE_FORMAT)
    signed["host"] = target.host_port_subcomponent or ""
    names = sorted(signed)
    canonical_request = "\n".join(
        (
            method.upper(),
            canonical_uri(target.raw_path),
            canonical_query(target),
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        )
    )
    string_to_sign = "\n".join(
        (
            ALGORITHM,
            signed[DATE_HEADER.lower()],
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        )
    )
    signature = hmac.new(secret_key.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    result = dict(headers or {})
    result[DATE_HEADER] = signed[DATE_HEADER.lower()]
    result["Authorization"] = (
        f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return result
