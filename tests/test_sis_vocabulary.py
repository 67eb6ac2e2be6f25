"""The hot-word table client against the local server, over real sockets, with both sign-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.huawei_cloud_sis.sis import (
    MAX_TABLES,
    MAX_WORDS_PER_TABLE,
    AkSkAuth,
    Auth,
    Endpoints,
    SisAuthError,
    SisCertificateError,
    SisConfigError,
    SisConnectionError,
    SisError,
    SisPermissionError,
    SisProjectError,
    SisProtocolError,
    SisServerError,
    SisThrottledError,
    SisTimeoutError,
    SisVocabularyError,
    SisVocabularyLanguageError,
    SisVocabularyLimitError,
    SisVocabularyNameTakenError,
    SisVocabularyNotFoundError,
    SisVocabularyWordError,
    TableLanguage,
    Timeouts,
    TokenAuth,
    Vocabulary,
    VocabularyClient,
    VocabularyInfo,
    build_word_list,
    refuses_language,
)
from tests.helpers.stand_in import Handler, answer, stand_ins
from tests.sis_server import (
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    SECRET_KEY,
    USERNAME,
    RestFault,
    SisServer,
)
from tests.tls import SelfSignedServer, self_signed_context

pytestmark = pytest.mark.usefixtures("socket_enabled")

REGION = "cn-north-4"
PROJECT = PROJECTS[REGION]
MANDARIN = TableLanguage.CHINESE_MANDARIN
ENGLISH = TableLanguage.ENGLISH
TIMEOUTS = Timeouts(rest=0.5, iam=2.0)
"""Short enough that a hanging server ends the test quickly; never asserted as a duration."""

type ClientFactory = Callable[..., VocabularyClient]


def make_auth(
    http: aiohttp.ClientSession, server: SisServer, kind: str, project_id: str | None
) -> Auth:
    if kind == "token":
        return TokenAuth(
            http,
            server.iam_url,
            domain_name=DOMAIN_NAME,
            username=USERNAME,
            password=PASSWORD,
            project_id=project_id,
            region=REGION,
        )
    return AkSkAuth(
        http,
        server.iam_url,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        project_id=project_id,
        region=REGION,
    )


@pytest.fixture(params=["token", "aksk"])
def auth_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def make_client(http: aiohttp.ClientSession, server: SisServer, auth_kind: str) -> ClientFactory:
    def factory(project_id: str | None = PROJECT) -> VocabularyClient:
        endpoints = Endpoints.custom(server.sis_url, server.iam_url)
        auth = make_auth(http, server, auth_kind, project_id)
        return VocabularyClient(http, auth, endpoints, timeouts=TIMEOUTS)

    return factory


@pytest.fixture
def client(make_client: ClientFactory) -> VocabularyClient:
    return make_client()


def calls(server: SisServer) -> list[tuple[str, int | None]]:
    """(method, status) of every hot-word table request the server received."""
    return [(call.method, call.status) for call in server.vocabulary_calls]


# --- the whole life of a table ----------------------------------------------------------------


async def test_create_read_replace_list_delete(
    client: VocabularyClient, server: SisServer, auth_kind: str
) -> None:
    vocabulary_id = await client.create(
        "home_assistant", MANDARIN, ["客厅灯", "ECOBEE恒温器"], description="Names of the home"
    )
    assert await client.get(vocabulary_id) == Vocabulary(
        vocabulary_id=vocabulary_id,
        name="home_assistant",
        language="chinese_mandarin",
        description="Names of the home",
        words=("客厅灯", "ECOBEE恒温器"),
    )
    await client.replace(vocabulary_id, "home_assistant_2", ENGLISH, ["GARAGE", "ECOBEE"])
    table = await client.get(vocabulary_id)
    assert (table.name, table.language, table.words) == (
        "home_assistant_2",
        "english",
        ("GARAGE", "ECOBEE"),
    )
    assert table.description == ""
    listed = await client.list_all()
    assert listed == [VocabularyInfo(vocabulary_id, "home_assistant_2", "english", "")]
    assert await client.find("home_assistant_2") == listed[-1]
    assert await client.find("home_assistant") is None
    await client.delete(vocabulary_id)
    with pytest.raises(SisVocabularyNotFoundError) as info:
        await client.get(vocabulary_id)
    assert (info.value.code, info.value.status) == ("SIS.0201", 400)
    assert {call.auth for call in server.vocabulary_calls} == {auth_kind}
    assert [method for method, _ in calls(server)] == [
        "POST",
        "GET",
        "PUT",
        "GET",
        "GET",
        "GET",
        "GET",
        "DELETE",
        "GET",
    ]


async def test_the_project_is_looked_up_when_not_given(
    make_client: ClientFactory, server: SisServer
) -> None:
    client = make_client(project_id=None)
    vocabulary_id = await client.create("found_project", MANDARIN, ["卧室"])
    assert server.tables.get(PROJECT, vocabulary_id) is not None


async def test_words_built_from_names_are_accepted(
    client: VocabularyClient, server: SisServer
) -> None:
    """The library's word rules and the server's (written separately) agree."""
    names = [
        "Living room 2", "客厅 灯", "Ecobee恒温器", "2楼卧室", "Kid's room", "Garage 1234567",
        "2nd floor hallway", "\uff33\uff4f\uff4e\uff4f\uff53\u3000客厅", "Küchen Radio",
        "主卧室的床头柜上的灯", "TV",
    ]  # fmt: skip
    for language in TableLanguage:
        words = build_word_list(names, language).words
        assert words
        vocabulary_id = await client.create(f"from_names_{language.value}", language, words)
        assert (await client.get(vocabulary_id)).words == words


async def test_a_table_of_the_other_project_is_not_seen(
    make_client: ClientFactory, server: SisServer
) -> None:
    beijing = make_client()
    shanghai = make_client(PROJECTS["cn-east-3"])
    vocabulary_id = await beijing.create("beijing_only", MANDARIN, ["客厅"])
    assert await shanghai.list_all() == []
    with pytest.raises(SisVocabularyNotFoundError):
        await shanghai.get(vocabulary_id)
    # Names are unique per account, across projects.
    with pytest.raises(SisVocabularyNameTakenError) as info:
        await shanghai.create("beijing_only", MANDARIN, ["客厅"])
    assert (info.value.code, info.value.status) == ("SIS.0204", 400)


# --- paging and limits ------------------------------------------------------------------------


type Reading = tuple[str, int | None]
"""What the list's `offset` counts, and the largest page the service gives."""
PAGING: list[Reading] = [("tables", None), ("pages", None), ("tables", 10), ("pages", 10)]
REQUESTS_TO_LIST_23 = {("tables", None): 1, ("pages", None): 1, ("tables", 10): 4, ("pages", 10): 3}
"""One page of 100; else the first page, the one that says what `offset` counts, and the rest."""


def add_tables(server: SisServer, names: list[str]) -> list[str]:
    """Tables of the project made behind the client's back; return their ids."""
    body = {"language": "chinese_mandarin", "contents": ["客厅"]}
    return [server.tables.add(PROJECT, body | {"name": name}).vocabulary_id for name in names]


@pytest.mark.parametrize(("offset_counts", "max_page_size"), PAGING)
async def test_every_table_is_listed_once_under_either_paging(
    client: VocabularyClient,
    server: SisServer,
    offset_counts: Any,
    max_page_size: int | None,
) -> None:
    server.readings.list_offset = offset_counts
    server.readings.max_page_size = max_page_size
    created = add_tables(server, [f"table_{n}" for n in range(23)])
    listed = await client.list_all()
    assert [table.vocabulary_id for table in listed] == created
    assert calls(server) == [("GET", 200)] * REQUESTS_TO_LIST_23[offset_counts, max_page_size]


@pytest.mark.parametrize(("offset_counts", "max_page_size"), PAGING)
@pytest.mark.parametrize("total", [0, 1, 9, 10, 11, 20, 21, 100])
async def test_lists_of_every_length(
    client: VocabularyClient,
    server: SisServer,
    offset_counts: Any,
    max_page_size: int | None,
    total: int,
) -> None:
    server.readings.list_offset = offset_counts
    server.readings.max_page_size = max_page_size
    created = add_tables(server, [f"t{n}" for n in range(total)])
    assert [table.vocabulary_id for table in await client.list_all()] == created


@pytest.mark.parametrize(("offset_counts", "max_page_size"), PAGING)
@pytest.mark.parametrize("name_filter", ["exact", "contains", "ignored"])
async def test_a_table_is_found_by_its_exact_name_under_every_reading(
    client: VocabularyClient,
    server: SisServer,
    offset_counts: Any,
    max_page_size: int | None,
    name_filter: Any,
) -> None:
    """More tables than a page, many of whose names contain the one looked for."""
    server.readings.list_offset = offset_counts
    server.readings.max_page_size = max_page_size
    server.readings.name_filter = name_filter
    names = [f"home{n}" for n in range(15)] + [f"other_{n}" for n in range(15)] + ["home"]
    ids = dict(zip(names, add_tables(server, names), strict=True))
    for name in ("home1", "home", "home14", "other_3"):
        found = await client.find(name)
        assert found is not None
        assert (found.name, found.vocabulary_id) == (name, ids[name])
    assert await client.find("hom") is None
    assert await client.find("home15") is None
    # The filter makes a search one request when the service applies it.
    server.vocabulary_calls.clear()
    assert await client.find("home14") is not None
    if name_filter != "ignored":
        assert calls(server) == [("GET", 200)]


@pytest.mark.parametrize(("offset_counts", "max_page_size"), PAGING)
async def test_a_fuzzy_filter_longer_than_a_page(
    client: VocabularyClient, server: SisServer, offset_counts: Any, max_page_size: int | None
) -> None:
    server.readings.list_offset = offset_counts
    server.readings.max_page_size = max_page_size
    server.readings.name_filter = "contains"
    names = [f"home_{n}" for n in range(25)]
    ids = add_tables(server, names)
    found = await client.find("home_24")
    assert found is not None
    assert found.vocabulary_id == ids[-1]
    assert [table.vocabulary_id for table in await client.list_all(name="home_2")] == [
        ids[2],
        *ids[20:],
    ]


async def test_the_filter_goes_in_the_body(client: VocabularyClient, server: SisServer) -> None:
    """The local server reads it there (as the API reference and the SDK put it), signed too."""
    add_tables(server, ["home", "other"])
    page = await client.list_page(name="home")
    assert (page.count, [table.name for table in page.tables]) == (1, ["home"])


async def test_a_refused_filter_falls_back_to_the_whole_list(
    client: VocabularyClient, server: SisServer
) -> None:
    [table] = add_tables(server, ["home"])
    server.vocabulary_faults.append(RestFault.error("SIS.0031", "'name' is not supported"))
    found = await client.find("home")
    assert found is not None
    assert found.vocabulary_id == table
    assert calls(server) == [("GET", 400), ("GET", 200)]
    # A failure of the service is not a refusal of the filter: no list without it.
    server.vocabulary_calls.clear()
    server.vocabulary_faults += [RestFault.answer(503)] * 2
    with pytest.raises(SisServerError) as info:
        await client.find("home")
    assert info.value.status == 503
    assert calls(server) == [("GET", 503)] * 2


async def test_the_table_limit(client: VocabularyClient, server: SisServer) -> None:
    while len(server.tables) < MAX_TABLES:
        await client.create(f"t{len(server.tables)}", ENGLISH, ["GARAGE"])
    with pytest.raises(SisVocabularyLimitError) as info:
        await client.create("one_too_many", ENGLISH, ["GARAGE"])
    assert (info.value.code, info.value.status) == ("SIS.0208", 400)
    assert len(server.tables) == MAX_TABLES


async def test_a_full_table_of_words(client: VocabularyClient) -> None:
    words = [
        "WORD" + "".join(chr(65 + n // 26**place % 26) for place in range(3))
        for n in range(MAX_WORDS_PER_TABLE)
    ]
    vocabulary_id = await client.create("full", ENGLISH, words)
    assert len((await client.get(vocabulary_id)).words) == MAX_WORDS_PER_TABLE


# --- refusals by the service --------------------------------------------------------------------


async def test_english_is_refused_on_the_international_site(make_client: ClientFactory) -> None:
    client = make_client(PROJECTS["ap-southeast-3"])
    with pytest.raises(SisVocabularyLanguageError) as info:
        await client.create("english_words", ENGLISH, ["GARAGE"])
    assert (info.value.code, info.value.status) == ("SIS.0205", 400)
    assert await client.create("mandarin_words", MANDARIN, ["GARAGE"])


async def test_unknown_tables(client: VocabularyClient, server: SisServer) -> None:
    with pytest.raises(SisVocabularyNotFoundError):
        await client.get("no-such-table")
    with pytest.raises(SisVocabularyNotFoundError):
        await client.replace("no-such-table", "name", MANDARIN, ["客厅"])
    await client.delete("no-such-table")  # already gone: nothing to do
    assert calls(server) == [("GET", 400), ("PUT", 400), ("DELETE", 400)]


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("SIS.0201", SisVocabularyNotFoundError),
        ("SIS.0203", SisVocabularyWordError),
        ("SIS.0204", SisVocabularyNameTakenError),
        ("SIS.0205", SisVocabularyLanguageError),
        ("SIS.0206", SisVocabularyError),
        ("SIS.0207", SisVocabularyError),
        ("SIS.0208", SisVocabularyLimitError),
    ],
)
async def test_every_table_error_code(
    client: VocabularyClient, server: SisServer, code: str, error: type[SisError]
) -> None:
    server.vocabulary_faults.append(RestFault.error(code, "refused"))
    with pytest.raises(error, match="refused") as info:
        await client.create("name", MANDARIN, ["客厅"])
    assert type(info.value) is error
    assert (info.value.code, info.value.status) == (code, 400)
    assert calls(server) == [("POST", 400)]


@pytest.mark.parametrize(
    ("fault", "english", "mandarin"),
    [
        (RestFault.error("SIS.0205", "language not supported"), True, True),
        (RestFault.error("SIS.0032", "'language' is invalid"), True, False),
        (RestFault.answer(400, {}), True, False),
        (RestFault.error("SIS.0206", "saving failed"), True, False),
        (RestFault.error("SIS.0203", "illegal word"), False, False),
        (RestFault.error("SIS.0204", "name taken"), False, False),
        (RestFault.error("SIS.0208", "too many"), False, False),
        (RestFault.error("SIS.0023", "in arrears"), False, False),
        (RestFault.answer(401), False, False),
        (RestFault.answer(403), False, False),
        (RestFault.answer(429), False, False),
        (RestFault.answer(503), False, False),
    ],
)
async def test_which_refusals_say_a_language_is_not_kept(
    client: VocabularyClient, server: SisServer, fault: RestFault, english: bool, mandarin: bool
) -> None:
    """English tables are disputed (H2): any refusal of the request itself counts for them."""
    await client.list_page()  # the token is fetched before the fault
    for language, expected in ((ENGLISH, english), (MANDARIN, mandarin)):
        server.vocabulary_faults += [fault, fault]  # a refused token is replaced once
        with pytest.raises(SisError) as info:
            await client.create("new_table", language, ["GARAGE"])
        assert refuses_language(info.value, language) is expected
        server.vocabulary_faults.clear()


@pytest.mark.parametrize(
    ("fault", "error", "status", "code"),
    [
        (RestFault.error("SIS.0032", "'name' is invalid"), SisServerError, 400, "SIS.0032"),
        (RestFault.answer(401), SisAuthError, 401, "APIG.0301"),
        (RestFault.answer(403), SisPermissionError, 403, "APIG.0302"),
        (RestFault.answer(404), SisProjectError, 404, "APIG.0101"),
        (RestFault.answer(429), SisThrottledError, 429, "APIG.0308"),
    ],
)
async def test_gateway_answers_are_not_repeated(
    client: VocabularyClient,
    server: SisServer,
    auth_kind: str,
    fault: RestFault,
    error: type[SisError],
    status: int,
    code: str,
) -> None:
    await client.list_page()  # the token is fetched before the fault
    server.vocabulary_faults += [fault, fault]
    with pytest.raises(error) as info:
        await client.get("any-table")
    assert type(info.value) is error
    assert (info.value.status, info.value.code) == (status, code)
    assert not isinstance(info.value, SisVocabularyError)
    refreshed = status == 401 and auth_kind == "token"
    assert len(server.vocabulary_calls) == 1 + 1 + refreshed


async def test_no_permission_for_the_api(
    client: VocabularyClient, server: SisServer, auth_kind: str
) -> None:
    server.vocabulary_forbidden = True
    with pytest.raises(SisPermissionError) as info:
        await client.list_all()
    assert (info.value.status, info.value.code) == (403, "APIG.0302")
    assert not isinstance(info.value, SisAuthError)  # new credentials would not help
    assert server.vocabulary_calls[0].auth == auth_kind


@pytest.mark.parametrize("auth_kind", ["token"])
async def test_a_refused_token_is_replaced_once(
    client: VocabularyClient, server: SisServer
) -> None:
    await client.list_page()
    server.revoke_tokens()
    await client.list_page()
    assert calls(server) == [("GET", 200), ("GET", 401), ("GET", 200)]
    assert server.iam_token_requests == 2


@pytest.mark.parametrize("auth_kind", ["token"])
async def test_revoked_credentials_end_in_an_auth_error(
    client: VocabularyClient, server: SisServer
) -> None:
    await client.list_page()
    server.revoke_credentials()
    with pytest.raises(SisAuthError) as info:
        await client.list_page()
    assert not isinstance(info.value, SisPermissionError)
    assert calls(server) == [("GET", 200), ("GET", 401)]


@pytest.mark.parametrize("auth_kind", ["aksk"])
async def test_a_refused_key_is_not_retried(client: VocabularyClient, server: SisServer) -> None:
    server.revoke_credentials()
    with pytest.raises(SisAuthError) as info:
        await client.list_page()
    assert info.value.status == 401
    assert calls(server) == [("GET", 401)]


# --- faults: what is sent again, and what never is ---------------------------------------------

type Call = Callable[[VocabularyClient], Awaitable[object]]
type TableCall = Callable[[VocabularyClient, str], Awaitable[object]]
"""A request about one table, given its id."""
SAFE: list[tuple[str, TableCall]] = [
    ("GET", lambda client, table: client.get(table)),
    ("GET", lambda client, table: client.list_page()),
    ("PUT", lambda client, table: client.replace(table, "console_zh", MANDARIN, ["客厅"])),
    ("DELETE", lambda client, table: client.delete(table)),
]


@pytest.fixture
async def table(client: VocabularyClient, server: SisServer) -> str:
    """The id of a table made before the test (its calls are not counted)."""
    vocabulary_id = await client.create("console_zh", MANDARIN, ["华为云"])
    server.vocabulary_calls.clear()
    return vocabulary_id


@pytest.mark.parametrize(("method", "call"), SAFE, ids=[m for m, _ in SAFE])
async def test_safe_requests_are_sent_again_once_after_5xx(
    client: VocabularyClient, server: SisServer, table: str, method: str, call: TableCall
) -> None:
    server.vocabulary_faults.append(RestFault.answer(503))
    await call(client, table)
    assert calls(server) == [(method, 503), (method, 200)]
    server.vocabulary_calls.clear()
    server.vocabulary_faults += [RestFault.answer(502), RestFault.answer(504)]
    with pytest.raises(SisServerError) as info:
        await call(client, table)
    assert info.value.status == 504
    assert calls(server) == [(method, 502), (method, 504)]


@pytest.mark.parametrize(("method", "call"), SAFE, ids=[m for m, _ in SAFE])
async def test_safe_requests_are_sent_again_once_after_a_timeout(
    client: VocabularyClient, server: SisServer, table: str, method: str, call: TableCall
) -> None:
    server.vocabulary_faults.append(RestFault.hang())
    await call(client, table)
    assert calls(server) == [(method, None), (method, 200)]
    server.vocabulary_calls.clear()
    server.vocabulary_faults += [RestFault.hang(), RestFault.hang()]
    with pytest.raises(SisTimeoutError, match="did not answer the hot-word table"):
        await call(client, table)
    assert calls(server) == [(method, None), (method, None)]


async def test_a_lost_answer_to_a_delete_still_deletes(
    client: VocabularyClient, server: SisServer, table: str
) -> None:
    server.vocabulary_faults.append(RestFault.lose_answer())
    await client.delete(table)
    assert server.tables.get(PROJECT, table) is None
    # aiohttp itself sends an idempotent request again when the connection drops.
    assert calls(server) == [("DELETE", None), ("DELETE", 400)]


async def test_a_dropped_connection_is_retried_for_a_read(
    client: VocabularyClient, server: SisServer, table: str
) -> None:
    # aiohttp sends the GET again once, the client once more (and aiohttp again).
    server.vocabulary_faults += [RestFault.disconnect()] * 3
    assert (await client.get(table)).words == ("华为云",)
    assert calls(server) == [("GET", None)] * 3 + [("GET", 200)]


async def test_a_create_that_failed_is_never_sent_again(
    client: VocabularyClient, server: SisServer
) -> None:
    for fault in (RestFault.answer(503), RestFault.hang(), RestFault.disconnect()):
        server.vocabulary_calls.clear()
        server.vocabulary_faults.append(fault)
        with pytest.raises((SisServerError, SisTimeoutError, SisConnectionError)):
            await client.create("new_table", MANDARIN, ["客厅"])
        # One POST; then the table is looked for by its name, and it is not there.
        assert [call.method for call in server.vocabulary_calls] == ["POST", "GET"]
    assert await client.find("new_table") is None


async def test_a_create_whose_answer_was_lost_is_found(
    client: VocabularyClient, server: SisServer
) -> None:
    server.vocabulary_faults.append(RestFault.lose_answer())
    vocabulary_id = await client.create("lost_answer", MANDARIN, ["客厅", "卧室"])
    assert server.tables.get(PROJECT, vocabulary_id) is not None
    assert [table.name for table in server.tables].count("lost_answer") == 1
    assert [call.method for call in server.vocabulary_calls] == ["POST", "GET", "GET"]


async def test_a_lost_create_that_met_another_table_is_an_error(
    client: VocabularyClient, server: SisServer, table: str
) -> None:
    """The name was taken by a table with other words: the create did not happen."""
    server.vocabulary_faults.append(RestFault.lose_answer())
    with pytest.raises(SisConnectionError):
        await client.create("console_zh", MANDARIN, ["客厅"])
    assert (await client.get(table)).words == ("华为云",)


async def test_a_lost_create_that_cannot_be_looked_up_is_an_error(
    client: VocabularyClient, server: SisServer
) -> None:
    server.vocabulary_faults += [RestFault.answer(503), RestFault.answer(403)]
    with pytest.raises(SisServerError) as info:
        await client.create("new_table", MANDARIN, ["客厅"])
    assert info.value.status == 503


async def test_an_untrusted_certificate_is_not_retried(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    with SelfSignedServer(self_signed_context(tmp_path)) as server:
        endpoints = Endpoints.custom(f"wss://127.0.0.1:{server.port}", "https://iam.example.com")
        auth = AkSkAuth(
            http, endpoints.iam_url, access_key=ACCESS_KEY, secret_key=SECRET_KEY, project_id="p"
        )
        client = VocabularyClient(http, auth, endpoints, timeouts=TIMEOUTS)
        with pytest.raises(SisCertificateError, match="certificate of SIS is not trusted"):
            await client.get("table")
        assert server.attempts == 1
        assert server.completed == 0


# --- values refused before anything is sent ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "language", "words", "description", "message"),
    [
        ("", MANDARIN, ["客厅"], "", "name"),
        ("has space", MANDARIN, ["客厅"], "", "name"),
        ("x" * 33, MANDARIN, ["客厅"], "", "name"),
        ("名字", MANDARIN, ["客厅"], "", "name"),
        ("ok", MANDARIN, ["客厅"], "描" * 86, "description"),
        ("ok", "cantonese", ["客厅"], "", "language"),
        ("ok", MANDARIN, [], "", "at least one word"),
        ("ok", MANDARIN, ["GARAGE"] * (MAX_WORDS_PER_TABLE + 1), "", "at most 1024"),
        ("ok", ENGLISH, ["客厅"], "", "no Chinese"),
        ("ok", MANDARIN, ["living room"], "", "upper-case"),
    ],
)
async def test_invalid_tables_are_not_sent(
    client: VocabularyClient,
    server: SisServer,
    name: str,
    language: str,
    words: list[str],
    description: str,
    message: str,
) -> None:
    with pytest.raises(SisConfigError, match=message):
        await client.create(name, language, words, description=description)
    with pytest.raises(SisConfigError, match=message):
        await client.replace("any-table", name, language, words, description=description)
    assert server.vocabulary_calls == []


async def test_the_longest_name_and_description_are_accepted(client: VocabularyClient) -> None:
    name = "Ab_-#" + "x" * 27
    vocabulary_id = await client.create(name, MANDARIN, ["客厅"], description="描" * 85)
    assert (await client.get(vocabulary_id)).name == name


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.get("../other"),
        lambda client: client.delete("a b"),
        lambda client: client.list_page(limit=0),
        lambda client: client.list_page(limit=101),
        lambda client: client.list_page(offset=-1),
    ],
)
async def test_invalid_ids_and_pages_are_not_sent(
    client: VocabularyClient, server: SisServer, call: Call
) -> None:
    with pytest.raises(SisConfigError):
        await call(client)
    assert server.vocabulary_calls == []


# --- secrets ---------------------------------------------------------------------------------


async def test_no_secret_in_errors_or_reprs(
    client: VocabularyClient, server: SisServer, auth_kind: str
) -> None:
    failures: list[SisError] = []
    server.vocabulary_faults += [RestFault.answer(401), RestFault.answer(403)]
    for _ in range(2):
        try:
            await client.list_page()
        except SisError as err:
            failures.append(err)
    server.revoke_credentials()
    with pytest.raises(SisAuthError) as info:
        await client.list_page()
    failures.append(info.value)
    secrets = [PASSWORD, SECRET_KEY, *server.accounts.issued]
    texts = [repr(client), *(f"{err!s} {err!r} {err.args!r}" for err in failures)]
    # A token is replaced after the 401, so only the 403 fails the first round.
    assert len(failures) == (3 if auth_kind == "aksk" else 2)
    for text in texts:
        assert not [secret for secret in secrets if secret in text]


# --- answers the emulator never gives ----------------------------------------------------------


@pytest.fixture
async def odd_service(
    http: aiohttp.ClientSession,
) -> AsyncIterator[Callable[[Handler], Awaitable[VocabularyClient]]]:
    """A stand-in whose every answer a test chooses, behind an AK/SK client."""
    async with stand_ins() as start_stand_in:

        async def start(handler: Handler) -> VocabularyClient:
            base = await start_stand_in(handler)
            endpoints = Endpoints.custom(base.replace("http://", "ws://"), base)
            auth = AkSkAuth(http, base, access_key="AK", secret_key="SK", project_id="p1")
            return VocabularyClient(http, auth, endpoints, timeouts=TIMEOUTS)

        yield start


def info(n: int) -> dict[str, str]:
    return {"vocabulary_id": f"id{n}", "name": f"n{n}", "language": "english", "description": ""}


@pytest.mark.parametrize(
    ("call", "bodies", "message"),
    [
        (lambda c: c.create("n", ENGLISH, ["GARAGE"]), ["not json"], "without a JSON object"),
        (lambda c: c.create("n", ENGLISH, ["GARAGE"]), [{}], "valid 'vocabulary_id'"),
        (lambda c: c.create("n", ENGLISH, ["GARAGE"]), [{"vocabulary_id": "a/b"}], "invalid id"),
        (lambda c: c.get("id1"), [{**info(1), "contents": "GARAGE"}], "valid 'contents'"),
        (lambda c: c.get("id1"), [{**info(1), "contents": [1]}], "valid 'contents'"),
        (lambda c: c.get("id1"), [{**info(1), "name": 5, "contents": []}], "valid 'name'"),
        (lambda c: c.list_page(), [{"result": {}}], "malformed list"),
        (lambda c: c.list_page(), [{"result": [], "count": "1"}], "malformed list"),
        (lambda c: c.list_page(), [{"result": [], "count": True}], "malformed list"),
        (lambda c: c.list_page(), [{"result": ["x"]}], "malformed table"),
        (
            lambda c: c.list_all(),
            [{"count": 9, "result": [info(1), info(2)]}],
            "the same page",
        ),
        (
            lambda c: c.list_all(),
            [{"count": 9, "result": [info(1), info(2)]}, {"count": 9, "result": [info(3)]}],
            "before its count",
        ),
        (
            lambda c: c.list_all(),
            [{"count": 3, "result": [info(1), info(2)]}, {"count": 3, "result": []}],
            "before its count",
        ),
    ],
)
async def test_malformed_answers(
    odd_service: Callable[[Handler], Awaitable[VocabularyClient]],
    call: Call,
    bodies: list[Any],
    message: str,
) -> None:
    client = await odd_service(answer(200, *bodies))
    with pytest.raises(SisProtocolError, match=message):
        await call(client)


async def test_a_list_without_count_ends_with_a_short_page(
    odd_service: Callable[[Handler], Awaitable[VocabularyClient]],
) -> None:
    pages = [{"result": [info(1), info(2)]}, {"result": [info(3)]}]
    client = await odd_service(answer(200, *pages))
    listed = await client.list_all()
    assert [table.vocabulary_id for table in listed] == ["id1", "id2", "id3"]
    assert listed[0].description == ""


async def test_a_list_that_never_ends(
    odd_service: Callable[[Handler], Awaitable[VocabularyClient]],
) -> None:
    served = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal served
        served += 1
        page = [info(served * 10 + n) for n in range(10)]
        return web.json_response({"result": page})

    client = await odd_service(endless)
    with pytest.raises(SisProtocolError, match="does not stop"):
        await client.list_all()
    assert served == 10 * MAX_TABLES // 10 + 1


async def test_a_description_left_out_reads_as_empty(
    odd_service: Callable[[Handler], Awaitable[VocabularyClient]],
) -> None:
    body = {"vocabulary_id": "id1", "name": "n", "language": "english", "contents": ["GARAGE"]}
    client = await odd_service(answer(200, {**body, "description": None}))
    assert (await client.get("id1")).description == ""


async def test_an_error_answer_without_a_body(
    odd_service: Callable[[Handler], Awaitable[VocabularyClient]],
) -> None:
    client = await odd_service(answer(400, ""))
    with pytest.raises(SisServerError, match="HTTP 400") as info:
        await client.get("id1")
    assert info.value.code is None


def test_the_rest_endpoint_of_a_region_and_of_a_custom_endpoint() -> None:
    assert (
        Endpoints.for_region("cn-east-3").rest_url == "https://sis-ext.cn-east-3.myhuaweicloud.com"
    )
    custom = Endpoints.custom("ws://127.0.0.1:8790/base", "http://127.0.0.1:8790")
    assert custom.rest_url == "http://127.0.0.1:8790/base"
    assert custom.vocabularies_url("p1") == "http://127.0.0.1:8790/base/v1/p1/asr/vocabularies"
    assert Endpoints.custom("wss://sis.example.com", "https://iam.example.com").rest_url == (
        "https://sis.example.com"
    )
