"""The emulator's hot-word table API and its use in recognition are as strict as documented.

Requests are built by hand (and signed with Huawei's own signer), never by the
client library, so that the server is checked against the documentation only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import json
from pathlib import Path
import ssl
import sys
from typing import Any

import aiohttp
import pytest
from yarl import URL

from tests.helpers.raw_client import PROJECT, REGION, Connect, finals, get_token, sign
from tests.sis_server import (
    PROJECTS,
    RestFault,
    SisServer,
    __main__ as emulator,
    sphinx,
    synthesize,
)
from tests.sis_server.__main__ import serve
from tests.sis_server.hot_word_rules import MAX_WORDS
from tests.sis_server.readings import Readings
from tests.sis_server.recognizer import Transcriber
from tests.tls import self_signed_context

pytestmark = pytest.mark.usefixtures("socket_enabled")

SHANGHAI = PROJECTS["cn-east-3"]
SINGAPORE = PROJECTS["ap-southeast-3"]
JSON = "application/json;charset=utf8"
WAIT = 5.0
TABLE = {"name": "home", "description": "", "language": "chinese_mandarin", "contents": ["客厅"]}


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    data: Any
    text: str


def signed(method: str, url: str, body: bytes, content_type: str | None = JSON) -> dict[str, str]:
    """Headers that sign a request like Huawei's SDK, its Content-Type and body included."""
    extra = {} if content_type is None else {"Content-Type": content_type}
    return sign(url, method=method, body=body, extra=extra)


type Send = Callable[..., Awaitable[Answer]]


@pytest.fixture(params=["token", "aksk"])
def auth_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
async def api(http: aiohttp.ClientSession, server: SisServer, auth_kind: str) -> Send:
    """Send one hot-word table request, authenticated with `auth_kind`."""
    tokens: dict[str, str] = {}

    async def send(
        method: str,
        path: str = "",
        payload: Any = None,
        *,
        project: str = PROJECT,
        query: dict[str, str] | None = None,
        body: bytes | None = None,
        content_type: str | None = JSON,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        url = str(
            URL(f"{server.rest_url}/v1/{project}/asr/vocabularies{path}").with_query(query or {})
        )
        if body is None:
            body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        if auth_kind == "token":
            region = next((r for r, p in PROJECTS.items() if p == project), REGION)
            if region not in tokens:
                tokens[region] = await get_token(http, server, region)
            sent = {"X-Auth-Token": tokens[region]}
            if content_type is not None:
                sent["Content-Type"] = content_type
        else:
            sent = signed(method, url, body, content_type)
        sent |= headers or {}
        async with http.request(method, url, headers=sent, data=body or None) as response:
            text = await response.text()
            data = json.loads(text) if text else None
            return Answer(response.status, data, text)

    return send


def refusal(answer: Answer, status: int, code: str) -> str:
    """Check an error answer's shape and code; return its message."""
    assert answer.status == status, answer
    assert set(answer.data) == {"error_code", "error_msg"}
    assert answer.data["error_code"] == code, answer
    message: str = answer.data["error_msg"]
    return message


# --- authentication ---------------------------------------------------------------------------


async def test_both_sign_ins_are_recorded(api: Send, server: SisServer, auth_kind: str) -> None:
    answer = await api("GET")
    assert answer.status == 200
    assert answer.data == {"count": 0, "result": []}  # an account starts without tables
    assert server.vocabulary_calls[-1].auth == auth_kind
    assert server.vocabulary_calls[-1].status == 200
    assert server.vocabulary_calls[-1].path == f"/v1/{PROJECT}/asr/vocabularies"


async def test_without_credentials(http: aiohttp.ClientSession, server: SisServer) -> None:
    async with http.get(f"{server.rest_url}/v1/{PROJECT}/asr/vocabularies") as response:
        assert response.status == 401
        assert (await response.json())["error_code"] == "APIG.0301"
    assert server.vocabulary_calls[-1].auth is None


async def test_tokens_are_checked(http: aiohttp.ClientSession, server: SisServer) -> None:
    url = f"{server.rest_url}/v1/{PROJECT}/asr/vocabularies"
    shanghai_token = await get_token(http, server, "cn-east-3")
    for token, code in (("MIIT-not-issued", "APIG.0301"), (shanghai_token, "SIS.0101")):
        async with http.get(url, headers={"X-Auth-Token": token}) as response:
            assert response.status == 401
            assert (await response.json())["error_code"] == code
    beijing_token = await get_token(http, server)
    server.expire_tokens()
    async with http.get(url, headers={"X-Auth-Token": beijing_token}) as response:
        assert response.status == 401
        assert "token expires" in (await response.json())["error_msg"]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda h, b, u: (h, b + b" ", u), id="body"),
        pytest.param(lambda h, b, u: (h | {"Content-Type": "text/plain"}, b, u), id="type"),
        pytest.param(lambda h, b, u: (h, b, u + "&offset=1"), id="query"),
        pytest.param(lambda h, b, u: (h, b, u.replace(PROJECT, SHANGHAI)), id="path"),
    ],
)
async def test_the_signature_covers_body_type_query_and_path(
    http: aiohttp.ClientSession,
    server: SisServer,
    tamper: Callable[[dict[str, str], bytes, str], tuple[dict[str, str], bytes, str]],
) -> None:
    url = f"{server.rest_url}/v1/{PROJECT}/asr/vocabularies?limit=10"
    body = json.dumps(TABLE).encode()
    headers = signed("POST", url, body)
    async with http.post(url, headers=headers, data=body) as response:
        assert response.status == 200  # untampered: accepted
    headers, body, url = tamper(signed("POST", url, body), body, url)
    async with http.post(url, headers=headers, data=body) as response:
        assert response.status == 401
        assert (await response.json())["error_msg"].endswith("verify aksk signature fail")


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"X-Sdk-Date": "yesterday"}, "APIG.0303", "x-sdk-date is missing or malformed"),
        ({"X-Sdk-Date": "20200101T000000Z"}, "APIG.0303", "signature expired"),
        ({"Authorization": "SDK-HMAC-SHA256 Access=nobody"}, "APIG.0301", "verify aksk"),
    ],
)
async def test_signature_refusals(
    http: aiohttp.ClientSession, server: SisServer, change: dict[str, str], code: str, message: str
) -> None:
    url = f"{server.rest_url}/v1/{PROJECT}/asr/vocabularies"
    async with http.get(url, headers=signed("GET", url, b"") | change) as response:
        assert response.status == 401
        body = await response.json()
    assert body["error_code"] == code
    assert message in body["error_msg"]


async def test_the_host_must_be_signed(http: aiohttp.ClientSession, server: SisServer) -> None:
    url = f"{server.rest_url}/v1/{PROJECT}/asr/vocabularies"
    headers = signed("GET", url, b"")
    headers["Authorization"] = headers["Authorization"].replace(
        "SignedHeaders=content-type;host;x-sdk-date", "SignedHeaders=content-type;x-sdk-date"
    )
    async with http.get(url, headers=headers) as response:
        assert response.status == 401
        assert (await response.json())["error_msg"].endswith("verify aksk signature fail")


@pytest.mark.parametrize("auth_kind", ["aksk"])
async def test_a_key_for_a_project_of_another_account(api: Send) -> None:
    refusal(await api("GET", project="ffffffffffffffffffffffffffffffff"), 403, "APIG.0310")


async def test_an_unpublished_method(api: Send) -> None:
    created = (await api("POST", "", TABLE)).data["vocabulary_id"]
    refusal(await api("PATCH", f"/{created}", TABLE), 404, "APIG.0101")


# --- creating and replacing: every rule --------------------------------------------------------

BAD_TABLES: list[tuple[Any, str]] = [
    ([TABLE], "SIS.0032"),
    ({k: v for k, v in TABLE.items() if k != "name"}, "SIS.0012"),
    ({k: v for k, v in TABLE.items() if k != "language"}, "SIS.0012"),
    ({k: v for k, v in TABLE.items() if k != "contents"}, "SIS.0012"),
    (TABLE | {"contents": []}, "SIS.0012"),
    (TABLE | {"name": ""}, "SIS.0012"),
    (TABLE | {"owner": "me"}, "SIS.0031"),
    (TABLE | {"name": "has space"}, "SIS.0032"),
    (TABLE | {"name": "x" * 33}, "SIS.0032"),
    (TABLE | {"name": "名字"}, "SIS.0032"),
    (TABLE | {"name": "a.b"}, "SIS.0032"),
    (TABLE | {"name": 5}, "SIS.0032"),
    (TABLE | {"description": "描" * 86}, "SIS.0032"),
    (TABLE | {"description": 5}, "SIS.0032"),
    (TABLE | {"language": "cantonese"}, "SIS.0205"),
    (TABLE | {"language": "Chinese_Mandarin"}, "SIS.0205"),
    (TABLE | {"language": 1}, "SIS.0032"),
    (TABLE | {"contents": "客厅"}, "SIS.0032"),
    (TABLE | {"contents": ["客厅", 1]}, "SIS.0032"),
    (TABLE | {"contents": ["客厅", ""]}, "SIS.0203"),
    (TABLE | {"contents": ["ecobee"]}, "SIS.0203"),
    (TABLE | {"contents": ["LIVING ROOM"]}, "SIS.0203"),
    (TABLE | {"contents": ["ROOM2"]}, "SIS.0203"),
    (TABLE | {"contents": ["2楼"]}, "SIS.0203"),
    (TABLE | {"contents": ["客厅,灯"]}, "SIS.0203"),
    (TABLE | {"contents": ["ECOBEE/5"]}, "SIS.0203"),
    (TABLE | {"contents": ["植物间=职务间"]}, "SIS.0203"),
    (TABLE | {"contents": ["ÉCOLE"]}, "SIS.0203"),
    (TABLE | {"contents": ["A" * 33]}, "SIS.0203"),
    (TABLE | {"contents": ["客" * 11]}, "SIS.0203"),
    (TABLE | {"contents": ["GARAGE"] * (MAX_WORDS + 1)}, "SIS.0203"),
    (TABLE | {"language": "english", "contents": ["ECOBEE恒温器"]}, "SIS.0203"),
]


@pytest.mark.parametrize(("body", "code"), BAD_TABLES)
async def test_create_and_replace_refuse(
    api: Send, server: SisServer, body: Any, code: str
) -> None:
    existing = (await api("POST", "", TABLE | {"name": "existing"})).data["vocabulary_id"]
    refusal(await api("POST", "", body), 400, code)
    refusal(await api("PUT", f"/{existing}", body), 400, code)
    assert [table.name for table in server.tables] == ["existing"]


@pytest.mark.parametrize(
    "body",
    [
        TABLE | {"name": "Ab_-#" + "x" * 27, "description": "描" * 85},
        TABLE | {"contents": ["A" * 32, "客" * 10, "ECOBEE恒温器", "客厅", "客厅"]},
        TABLE | {"contents": ["GARAGE"] * MAX_WORDS},
        {k: v for k, v in TABLE.items() if k != "description"},
        TABLE | {"language": "english", "contents": ["ECOBEE", "TV"]},
    ],
)
async def test_create_accepts_the_limits(api: Send, server: SisServer, body: Any) -> None:
    answer = await api("POST", "", body)
    assert answer.status == 200, answer
    table = server.tables.get(PROJECT, answer.data["vocabulary_id"])
    assert table is not None
    assert table.words == tuple(body["contents"])


async def test_bodies_that_are_not_json(api: Send) -> None:
    refusal(await api("POST", body=b"{not json"), 400, "SIS.0032")
    refusal(
        await api("POST", body=json.dumps(TABLE).encode(), content_type="text/plain"),
        400,
        "SIS.0032",
    )
    refusal(await api("POST", body=json.dumps(TABLE).encode(), content_type=None), 400, "SIS.0032")


async def test_english_only_on_the_china_site(api: Send) -> None:
    english = TABLE | {"language": "english", "contents": ["GARAGE"]}
    for project in (SINGAPORE, PROJECTS["me-east-1"]):
        refusal(await api("POST", "", english, project=project), 400, "SIS.0205")
        assert (
            await api("POST", "", TABLE | {"name": f"m{project[:4]}"}, project=project)
        ).status == 200
    assert (await api("POST", "", english | {"name": "sh_en"}, project=SHANGHAI)).status == 200


async def test_names_are_unique_per_account(api: Send) -> None:
    assert (await api("POST", "", TABLE)).status == 200
    refusal(await api("POST", "", TABLE), 400, "SIS.0204")
    refusal(await api("POST", "", TABLE, project=SHANGHAI), 400, "SIS.0204")


async def test_at_most_a_hundred_tables_per_account(api: Send, server: SisServer) -> None:
    for n in range(server.readings.max_tables):
        project = PROJECT if n % 2 else SHANGHAI  # the limit counts every project
        assert (await api("POST", "", TABLE | {"name": f"t{n}"}, project=project)).status == 200
    refusal(await api("POST", "", TABLE | {"name": "last"}), 400, "SIS.0208")
    first_here = server.tables.named("t1")
    assert first_here is not None
    assert (await api("DELETE", f"/{first_here.vocabulary_id}")).status == 200
    assert (await api("POST", "", TABLE | {"name": "last"})).status == 200


async def test_replace_a_whole_table(api: Send, server: SisServer) -> None:
    created = (await api("POST", "", TABLE | {"description": "old"})).data["vocabulary_id"]
    new = {"name": "renamed", "language": "english", "contents": ["GARAGE"]}
    answer = await api("PUT", f"/{created}", new)
    assert (answer.status, answer.data) == (200, {"vocabulary_id": created})
    got = await api("GET", f"/{created}")
    assert got.data == {
        "vocabulary_id": created,
        "name": "renamed",
        "language": "english",
        "description": "",
        "contents": ["GARAGE"],
    }
    assert (await api("PUT", f"/{created}", new)).status == 200  # its own name is fine
    assert (await api("POST", "", TABLE | {"name": "other"})).status == 200
    refusal(await api("PUT", f"/{created}", new | {"name": "other"}), 400, "SIS.0204")


async def test_tables_belong_to_their_project(api: Send) -> None:
    created = (await api("POST", "", TABLE, project=SHANGHAI)).data["vocabulary_id"]
    for method, payload in (("GET", None), ("PUT", TABLE), ("DELETE", None)):
        refusal(await api(method, f"/{created}", payload), 400, "SIS.0201")
    listed = (await api("GET")).data["result"]
    assert created not in [table["vocabulary_id"] for table in listed]
    assert (await api("GET", project=SHANGHAI)).data["count"] == 1


async def test_read_and_delete(api: Send) -> None:
    created = (await api("POST", "", TABLE | {"contents": ["华为云"]})).data["vocabulary_id"]
    got = await api("GET", f"/{created}")
    assert got.status == 200
    assert got.data["contents"] == ["华为云"]
    assert "华为云" in got.text  # as the service writes it, not \\u escaped
    deleted = await api("DELETE", f"/{created}")
    assert (deleted.status, deleted.text) == (200, "")
    refusal(await api("DELETE", f"/{created}"), 400, "SIS.0201")
    refusal(await api("GET", f"/{created}"), 400, "SIS.0201")
    refusal(await api("GET", "/no-such-table"), 400, "SIS.0201")


# --- the list ---------------------------------------------------------------------------------


async def test_list_pages(api: Send) -> None:
    created = [
        (await api("POST", "", TABLE | {"name": f"t{n}"})).data["vocabulary_id"] for n in range(12)
    ]
    everything = created
    first = (await api("GET")).data
    assert first["count"] == len(everything)
    assert [t["vocabulary_id"] for t in first["result"]] == everything[:10]
    assert set(first["result"][0]) == {"vocabulary_id", "name", "language", "description"}
    page = (await api("GET", query={"limit": "5", "offset": "12"})).data
    assert [t["vocabulary_id"] for t in page["result"]] == everything[12:17]
    beyond = (await api("GET", query={"offset": "100"})).data
    assert beyond == {"count": len(everything), "result": []}
    whole = (await api("GET", query={"limit": "100"})).data
    assert [t["vocabulary_id"] for t in whole["result"]] == everything


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"limit": "-1"}, {"offset": "-1"},
     {"offset": "1.5"}, {"limit": "\uff11"}],
)  # fmt: skip
async def test_list_refuses_bad_paging(api: Send, query: dict[str, str]) -> None:
    refusal(await api("GET", query=query), 400, "SIS.0032")


async def test_list_filters_by_name(api: Send) -> None:
    assert (await api("POST", "", TABLE)).status == 200
    english = TABLE | {"name": "console_en", "language": "english", "contents": ["KITCHEN"]}
    created = (await api("POST", "", english)).data["vocabulary_id"]
    answer = await api("GET", "", {"name": "console_en"})
    assert [t["vocabulary_id"] for t in answer.data["result"]] == [created]
    assert answer.data["count"] == 1
    refusal(await api("GET", "", {"name": "x", "language": "english"}), 400, "SIS.0031")
    refusal(await api("GET", "", {"name": 5}), 400, "SIS.0032")
    refusal(await api("GET", "", ["x"]), 400, "SIS.0031")
    refusal(await api("GET", body=b"{", content_type=JSON), 400, "SIS.0032")


# --- faults -----------------------------------------------------------------------------------


async def test_fault_answers(api: Send, server: SisServer) -> None:
    server.vocabulary_faults += [RestFault.answer(429), RestFault.error("SIS.0206")]
    assert refusal(await api("GET"), 429, "APIG.0308").startswith("The throttling threshold")
    assert refusal(await api("POST", "", TABLE), 400, "SIS.0206") == "SIS.0206"
    assert len(server.tables) == 0  # a fault does nothing
    assert [c.status for c in server.vocabulary_calls] == [429, 400]


async def test_forbidden_api(api: Send, server: SisServer) -> None:
    server.vocabulary_forbidden = True
    assert "not authorized" in refusal(await api("GET"), 403, "APIG.0302")
    server.vocabulary_forbidden = False
    assert (await api("GET")).status == 200


async def test_a_hanging_request_ends_when_the_server_closes(api: Send, server: SisServer) -> None:
    server.vocabulary_faults.append(RestFault.hang())
    request = asyncio.ensure_future(api("GET"))
    while not server.vocabulary_calls:
        await asyncio.sleep(0.01)
    assert not request.done()
    await asyncio.wait_for(server.close(), WAIT)
    # Released: answered at the last moment, or cut off by the closing server.
    (outcome,) = await asyncio.wait_for(asyncio.gather(request, return_exceptions=True), WAIT)
    assert isinstance(outcome, Answer | aiohttp.ClientError)
    assert server.vocabulary_calls[0].status is None


async def test_lost_answers(api: Send, server: SisServer) -> None:
    server.vocabulary_faults += [RestFault.disconnect(), RestFault.lose_answer()]
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api("POST", "", TABLE)
    assert server.tables.named("home") is None  # dropped before anything was done
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api("POST", "", TABLE)
    assert server.tables.named("home") is not None  # done, then the answer was lost
    assert [c.status for c in server.vocabulary_calls] == [None, None]


# --- the table in recognition ----------------------------------------------------------------


@pytest.fixture
def recognise(connect: Connect) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Run one session with a START config; return the ERROR, or the texts recognised."""

    async def run(
        text: str = "", *, region: str = REGION, mode: str = "short-stream", **config: Any
    ) -> dict[str, Any]:
        ws = await connect(mode, region)
        answer = await ws.start(**config)
        if answer["resp_type"] != "START":
            return answer
        await ws.audio(synthesize(text, tail_ms=600))
        await ws.end()
        return {"resp_type": "END", "texts": finals(await ws.until("END"))}

    return run


@pytest.fixture
async def tables(api: Send) -> dict[str, str]:
    """A Mandarin and an English table of the Beijing project, by language."""
    english = {"name": "english", "language": "english", "contents": ["KITCHEN"]}
    return {
        "mandarin": (await api("POST", "", TABLE | {"name": "mandarin"})).data["vocabulary_id"],
        "english": (await api("POST", "", TABLE | english)).data["vocabulary_id"],
    }


def with_table(config: dict[str, Any], tables: dict[str, str]) -> dict[str, Any]:
    """The config with the language named as `vocabulary_id` replaced by that table's id."""
    table = config["vocabulary_id"]
    return config | {"vocabulary_id": tables.get(table, table)}


@pytest.mark.parametrize(
    ("config", "region", "code", "message"),
    [
        ({"vocabulary_id": "no-such-table"}, REGION, "SIS.0201", "not found"),
        ({"vocabulary_id": "english"}, REGION, "SIS.0205", "english vocabulary"),
        (
            {"vocabulary_id": "mandarin", "property": "english_16k_general"},
            REGION,
            "SIS.0205",
            "chinese_mandarin vocabulary is not supported by english_16k_general",
        ),
        ({"vocabulary_id": "mandarin"}, "cn-east-3", "SIS.0201", "not found"),
        (
            {"vocabulary_id": "mandarin", "property": "arabic_16k_general"},
            "me-east-1",
            "SIS.0031",
            "'vocabulary_id' is not supported by arabic_16k_general",
        ),
        (
            {"vocabulary_id": "mandarin", "property": "sichuan_16k_common"},
            REGION,
            "SIS.0031",
            "not supported by sichuan_16k_common",
        ),
    ],
)
async def test_start_refuses_a_table_it_cannot_use(
    recognise: Callable[..., Awaitable[dict[str, Any]]],
    tables: dict[str, str],
    config: dict[str, Any],
    region: str,
    code: str,
    message: str,
) -> None:
    answer = await recognise(region=region, **with_table(config, tables))
    assert answer["resp_type"] == "ERROR"
    assert answer["error_code"] == code
    assert message in answer["error_msg"]


@pytest.mark.parametrize(
    ("config", "region"),
    [
        ({"vocabulary_id": "mandarin"}, REGION),
        (
            {
                "vocabulary_id": "mandarin",
                "property": "chinese_8k_general",
                "audio_format": "pcm8k16bit",
            },
            REGION,
        ),
        ({"vocabulary_id": "mandarin", "property": "shanghai_16k_common"}, REGION),
        ({"vocabulary_id": "english", "property": "english_16k_general"}, REGION),
    ],
)
async def test_start_takes_a_table_of_its_language(
    recognise: Callable[..., Awaitable[dict[str, Any]]],
    tables: dict[str, str],
    config: dict[str, Any],
    region: str,
) -> None:
    answer = await recognise("你好", region=region, **with_table(config, tables))
    assert answer["resp_type"] == "END"


async def test_a_table_of_another_project_in_the_same_region_is_refused(
    http: aiohttp.ClientSession,
    server: SisServer,
    recognise: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    shanghai = server.tables.add(SHANGHAI, TABLE)
    answer = await recognise(vocabulary_id=shanghai.vocabulary_id)
    assert answer["error_code"] == "SIS.0201"
    assert (await recognise("客厅", region="cn-east-3", vocabulary_id=shanghai.vocabulary_id))[
        "texts"
    ] == ["客厅"]


async def test_mishearing_without_and_with_the_table(
    server: SisServer,
    recognise: Callable[..., Awaitable[dict[str, Any]]],
    tables: dict[str, str],
) -> None:
    server.mishear("ECOBEE", "incubi")
    server.mishear("植物间", "职务间")
    english = {"property": "english_16k_general"}
    said = "set the Ecobee to twenty"
    assert (await recognise(said, **english))["texts"] == ["set the incubi to twenty"]
    assert (await recognise(said, vocabulary_id=tables["english"], **english))["texts"] == [
        "set the incubi to twenty"
    ]
    with_table = server.tables.add(
        PROJECT, TABLE | {"name": "en", "language": "english", "contents": ["ECOBEE"]}
    )
    assert (await recognise(said, vocabulary_id=with_table.vocabulary_id, **english))["texts"] == [
        said
    ]
    assert (await recognise("打开植物间的灯"))["texts"] == ["打开职务间的灯"]
    zh = server.tables.add(PROJECT, TABLE | {"name": "zh", "contents": ["二楼植物间", "ECOBEE"]})
    assert (await recognise("打开植物间的灯", vocabulary_id=zh.vocabulary_id))["texts"] == [
        "打开植物间的灯"
    ]
    # Whole words only, any case.
    assert (await recognise("ECOBEES and ecobee", **english))["texts"] == ["ECOBEES and incubi"]


async def test_a_table_is_read_at_start(
    api: Send, server: SisServer, recognise: Callable[..., Awaitable[dict[str, Any]]]
) -> None:
    server.mishear("living room", "leaving groom")
    created = (await api("POST", "", TABLE | {"language": "english", "contents": ["GARAGE"]})).data
    config = {"vocabulary_id": created["vocabulary_id"], "property": "english_16k_general"}
    assert (await recognise("the Living  Room light", **config))["texts"] == [
        "the leaving groom light"
    ]
    new = TABLE | {"language": "english", "contents": ["LIVINGROOM"]}
    assert (await api("PUT", f"/{created['vocabulary_id']}", new)).status == 200
    assert (await recognise("the living room light", **config))["texts"] == [
        "the living room light"
    ]


def test_a_misheard_word_cannot_be_empty(server: SisServer) -> None:
    with pytest.raises(ValueError, match="empty"):
        server.mishear(" ", "x")


# --- running on its own -----------------------------------------------------------------------


@pytest.mark.parametrize("transcriber", [None, lambda pcm, rate: "heard"])
async def test_the_emulator_names_the_table_endpoint(
    capsys: pytest.CaptureFixture[str], transcriber: Transcriber | None
) -> None:
    task = asyncio.ensure_future(serve("127.0.0.1", 0, "hello", transcriber=transcriber))
    output = ""
    while "Press Ctrl-C" not in output:
        await asyncio.sleep(0.01)
        output += capsys.readouterr().out
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "Hot-word tables: http://127.0.0.1:" in output
    assert "/v1/<project id>/asr/vocabularies" in output
    assert f"Readings of Huawei's disputed points: {Readings()}" in output


def test_the_emulator_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[Any, ...]] = []

    async def fake_serve(*args: Any) -> None:
        served.append(args)

    monkeypatch.setattr(emulator, "serve", fake_serve)
    monkeypatch.setattr(sphinx, "available", lambda: False)
    monkeypatch.setattr(sys, "argv", ["sis-emulator", "--port", "1", "--phrase", "hi"])
    emulator.main()
    assert served == [("127.0.0.1", 1, "hi", None, None, Readings())]
    self_signed_context(tmp_path)
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    monkeypatch.setattr(sys, "argv", ["sis-emulator", "--certfile", cert, "--keyfile", key])
    emulator.main()
    assert isinstance(served[-1][3], ssl.SSLContext)
    monkeypatch.setattr(sys, "argv", ["sis-emulator", "--keyfile", key])
    with pytest.raises(SystemExit):
        emulator.main()
    assert len(served) == 2
