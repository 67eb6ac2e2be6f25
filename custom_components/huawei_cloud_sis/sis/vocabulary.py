"""Hot-word tables (vocabularies) of the SIS REST API: create, replace, read, list, delete.

A table belongs to the project it was created in, and its `vocabulary_id`
goes into the START config of a recognition whose model takes its language.
Values the service would refuse are refused here with `SisConfigError`
before anything is sent.

Huawei's pages leave the table list open in three ways (the project's notes
call it H3), and `list_all` and `find` work under each reading:

- the `name` filter may match exactly, match part of a name, or be ignored:
  names are always compared here, exactly;
- `offset` may count pages ("页码偏移量") or tables: the second page answers
  which (`_pages`);
- no largest `limit` is documented: the size of the first page says how many
  the service gives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
import logging
import re
from typing import Any, Final

import aiohttp
from yarl import URL

from . import rest
from .auth import Auth
from .endpoints import Endpoints
from .error_mapping import may_concern_vocabulary, worth_retrying
from .errors import (
    SisConfigError,
    SisError,
    SisProtocolError,
    SisServerError,
    SisVocabularyLanguageError,
    SisVocabularyLimitError,
    SisVocabularyNameTakenError,
    SisVocabularyNotFoundError,
    SisVocabularyWordError,
)
from .hot_words import MAX_WORDS_PER_TABLE, TableLanguage, word_problem
from .recognition_config import is_vocabulary_id
from .timeouts import DEFAULT_TIMEOUTS, Timeouts

_LOGGER = logging.getLogger(__name__)

MAX_TABLES: Final = 100
"""Tables one account may hold ("每个用户限制创建100个热词表"; the 2021 page said 10)."""
MAX_NAME_LENGTH: Final = 32
MAX_DESCRIPTION_BYTES: Final = 255
DEFAULT_PAGE_SIZE: Final = 10
"""The service's default `limit` of the table list."""
MAX_PAGE_SIZE: Final = 100
"""The largest `limit` asked for. The service documents no maximum; one page of this
size holds every table an account may have, when the service gives that many."""
DISPUTED_LANGUAGES: Final = frozenset({TableLanguage.ENGLISH})
"""Table languages Huawei's pages disagree about (H2): the user manual and the China site's
current create page list `english`; the API reference of 2021 and the SDK do not."""
_NAME_RE: Final = re.compile(rf"[A-Za-z0-9_#-]{{1,{MAX_NAME_LENGTH}}}")
_LIST_LIMIT: Final = 10 * MAX_TABLES
"""A table list longer than this is taken as a service that never stops paging."""


@dataclass(frozen=True, slots=True)
class VocabularyInfo:
    """A hot-word table as the list shows it."""

    vocabulary_id: str
    name: str
    language: str
    """A `TableLanguage` value, unless the service knows languages this client does not."""
    description: str


@dataclass(frozen=True, slots=True)
class Vocabulary(VocabularyInfo):
    """A hot-word table with its words."""

    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VocabularyPage:
    """One page of the table list."""

    count: int | None
    """Tables of the project in all; None when the service leaves the count out."""
    tables: tuple[VocabularyInfo, ...]


def refuses_language(err: SisError, language: TableLanguage | str) -> bool:
    """Whether the refusal of a new table says the service keeps no tables of `language`.

    SIS.0205 says so for any language. For a language the pages disagree
    about, so does any other refusal of the request itself
    (`may_concern_vocabulary`), whatever its code, unless it names another
    cause: too many tables, a name taken, a word refused. Failures of the
    service, the account or the credentials never do.
    """
    if isinstance(err, SisVocabularyLanguageError):
        return True
    other_cause = (SisVocabularyLimitError, SisVocabularyNameTakenError, SisVocabularyWordError)
    return (
        language in DISPUTED_LANGUAGES
        and may_concern_vocabulary(err)
        and not isinstance(err, other_cause)
    )


def _payload(
    name: str, language: TableLanguage | str, words: Iterable[str], description: str
) -> dict[str, Any]:
    """Return the body of a create or replace request, checked against the service's rules."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise SisConfigError(
            f"A hot-word table name has 1 to {MAX_NAME_LENGTH} letters, digits, '_', '-' "
            f"or '#': {name!r}"
        )
    if len(description.encode()) > MAX_DESCRIPTION_BYTES:
        raise SisConfigError(
            f"A hot-word table description has at most {MAX_DESCRIPTION_BYTES} bytes"
        )
    try:
        table_language = TableLanguage(language)
    except ValueError as err:
        raise SisConfigError(f"Unknown hot-word table language {language!r}") from err
    contents = list(words)
    if not contents:
        raise SisConfigError("A hot-word table needs at least one word")
    if len(contents) > MAX_WORDS_PER_TABLE:
        raise SisConfigError(f"A hot-word table holds at most {MAX_WORDS_PER_TABLE} words")
    for word in contents:
        if problem := word_problem(word, table_language):
            raise SisConfigError(f"Invalid hot word {problem}")
    return {
        "name": name,
        "description": description,
        "language": table_language.value,
        "contents": contents,
    }


def _error(response: rest.RestResponse, what: str) -> SisError:
    """Return the exception for an error answer (SIS.02xx codes have their own classes)."""
    return rest.error_for(response, service=rest.SIS, what=what)


def _string(data: dict[str, Any], key: str, what: str, *, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise SisProtocolError(f"SIS answered the {what} request without a valid {key!r}")
    return value


def _object(response: rest.RestResponse, what: str) -> dict[str, Any]:
    if not isinstance(response.data, dict):
        raise SisProtocolError(f"SIS answered the {what} request without a JSON object")
    return response.data


def _info(data: Any, what: str) -> VocabularyInfo:
    if not isinstance(data, dict):
        raise SisProtocolError(f"SIS answered the {what} request with a malformed table")
    return VocabularyInfo(
        vocabulary_id=_string(data, "vocabulary_id", what),
        name=_string(data, "name", what),
        language=_string(data, "language", what),
        description=_string(data, "description", what, default=""),
    )


def _new(
    page: VocabularyPage, seen: dict[str, VocabularyInfo], *, first: bool = False
) -> list[VocabularyInfo]:
    """Return the tables of `page` not seen before, and note them as seen.

    A page past the first two that brings nothing new is a service sending
    the same page again.
    """
    new = [table for table in page.tables if table.vocabulary_id not in seen]
    if page.tables and not new and not first:
        raise SisProtocolError("SIS sent the same page of the table list again")
    seen.update((table.vocabulary_id, table) for table in new)
    if len(seen) > _LIST_LIMIT:
        raise SisProtocolError("SIS does not stop sending the table list")
    return new


def _ended(
    page: VocabularyPage, size: int, seen: dict[str, VocabularyInfo], *, unsure: bool = False
) -> bool:
    """Whether the list is read to its end once `page` (asked for `size` tables) is.

    It is when every table counted is seen, or when a page is shorter than
    asked, unless the count says tables are missing. `unsure`: the service may
    give fewer than asked on every page, so only an empty page or the count
    can say the list ended.
    """
    if page.count is not None:
        if len(seen) >= page.count:
            return True
        if not page.tables or (len(page.tables) < size and not unsure):
            raise SisProtocolError("SIS ended the table list before its count")
        return False
    return not page.tables or (len(page.tables) < size and not unsure)


class VocabularyClient:
    """Manage the hot-word tables of the project of `auth`.

    Safe for concurrent callers: nothing of one request is kept on the object.
    Every request waits at most `timeouts.rest` per attempt.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        auth: Auth,
        endpoints: Endpoints,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        """Use the caller's HTTP session, credentials and endpoints."""
        self._http = http
        self._auth = auth
        self._endpoints = endpoints
        self._timeouts = timeouts

    def __repr__(self) -> str:
        """Name the endpoint and the credentials, never a secret."""
        return f"VocabularyClient(url={self._endpoints.rest_url!r}, auth={self._auth!r})"

    async def _url(self, vocabulary_id: str | None = None) -> str:
        base = self._endpoints.vocabularies_url(await self._auth.project_id())
        if vocabulary_id is None:
            return base
        if not is_vocabulary_id(vocabulary_id):
            raise SisConfigError(f"Not a hot-word table id: {vocabulary_id!r}")
        return f"{base}/{vocabulary_id}"

    async def _send(
        self, method: str, url: str, what: str, payload: Any = None
    ) -> rest.RestResponse:
        return await rest.call(
            self._http,
            self._auth,
            method,
            url,
            payload=payload,
            timeout=self._timeouts.rest,
            what=what,
        )

    async def _request(
        self, method: str, url: str, what: str, payload: Any = None
    ) -> rest.RestResponse:
        response = await self._send(method, url, what, payload)
        if not response.ok:
            raise _error(response, what)
        return response

    async def create(
        self,
        name: str,
        language: TableLanguage | str,
        words: Iterable[str],
        *,
        description: str = "",
    ) -> str:
        """Create a table and return its id.

        Raises `SisVocabularyNameTakenError` when the account has a table of
        this name (in any project), `SisVocabularyLimitError` when it holds
        `MAX_TABLES`, `SisVocabularyLanguageError` when the region does not
        offer the language.
        """
        payload = _payload(name, language, words, description)
        what = "hot-word table create"
        url = await self._url()
        try:
            response = await self._request("POST", url, what, payload)
        except SisError as err:
            if not worth_retrying(err):
                raise  # the service refused it: no table was made
            # A create is not sent twice: if the first one reached the service, a
            # second would be refused as a taken name, or make a second table.
            # Instead the table is looked up by its name, which is unique per
            # account: one with exactly this content is the one just created.
            created = await self._find_created(payload)
            if created is None:
                raise
            _LOGGER.debug("The table was created although its answer was lost: %s", err)
            return created
        vocabulary_id = _string(_object(response, what), "vocabulary_id", what)
        if not is_vocabulary_id(vocabulary_id):
            raise SisProtocolError(f"SIS answered the {what} request with an invalid id")
        return vocabulary_id

    async def _find_created(self, payload: dict[str, Any]) -> str | None:
        """Return the id of a table with exactly this content; None if none, or no answer."""
        try:
            info = await self.find(payload["name"])
            if info is None or info.language != payload["language"]:
                return None
            table = await self.get(info.vocabulary_id)
        except SisError as err:
            _LOGGER.debug("Looking for the table after a failed create failed: %s", err)
            return None
        if set(table.words) != set(payload["contents"]) or (
            table.description != payload["description"]
        ):
            return None
        return table.vocabulary_id

    async def replace(
        self,
        vocabulary_id: str,
        name: str,
        language: TableLanguage | str,
        words: Iterable[str],
        *,
        description: str = "",
    ) -> None:
        """Replace a whole table: name, language, description and words.

        Raises `SisVocabularyNotFoundError` when the project has no such table.
        """
        payload = _payload(name, language, words, description)
        await self._request("PUT", await self._url(vocabulary_id), "hot-word table update", payload)

    async def get(self, vocabulary_id: str) -> Vocabulary:
        """Read one table with its words."""
        what = "hot-word table read"
        response = await self._request("GET", await self._url(vocabulary_id), what)
        data = _object(response, what)
        info = _info(data, what)
        contents = data.get("contents")
        if not isinstance(contents, list) or not all(isinstance(w, str) for w in contents):
            raise SisProtocolError(f"SIS answered the {what} request without valid 'contents'")
        return Vocabulary(
            vocabulary_id=info.vocabulary_id,
            name=info.name,
            language=info.language,
            description=info.description,
            words=tuple(contents),
        )

    async def list_page(
        self, *, limit: int = DEFAULT_PAGE_SIZE, offset: int = 0, name: str | None = None
    ) -> VocabularyPage:
        """Read one page of the project's tables: at most `limit`, from `offset` on.

        Whether `offset` counts tables or pages is not documented; `list_all`
        works either way. `name` asks the service to filter the tables by
        name, which it may do exactly, by a part of the name, or not at all.
        """
        if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0:
            raise SisConfigError(
                f"limit must be 1 to {MAX_PAGE_SIZE} and offset at least 0, not {limit}, {offset}"
            )
        what = "hot-word table list"
        url = URL(await self._url()).with_query(limit=limit, offset=offset)
        # The filter goes in the body of the GET: the API reference of 2021 lists `name`
        # under the request body ("请求消息"), apart from the URI parameters, and Huawei's
        # SDK sends the request's only field, `ShowVocabulariesParams` (`name`), as its
        # body. No source puts it in the query, where a strict gateway may refuse it.
        payload = None if name is None else {"name": name}
        response = await self._request("GET", str(url), what, payload)
        data = _object(response, what)
        result = data.get("result", [])
        count = data.get("count")
        if not isinstance(result, list) or not (
            count is None or (isinstance(count, int) and not isinstance(count, bool))
        ):
            raise SisProtocolError(f"SIS answered the {what} request with a malformed list")
        return VocabularyPage(count=count, tables=tuple(_info(item, what) for item in result))

    async def list_all(self, *, name: str | None = None) -> list[VocabularyInfo]:
        """Read every table of the project (those `name` filters, if given), each once."""
        return [table async for table in self._pages(name)]

    async def find(self, name: str) -> VocabularyInfo | None:
        """Return the project's table of exactly this name, None if there is none.

        Asks for the tables filtered by `name`: one request when the service
        filters, and the whole list, page by page until the table shows, when
        it ignores the filter. A service that refuses the filter is asked for
        the list without it.
        """
        try:
            return await self._first_named(name, name)
        except SisServerError as err:
            if type(err) is not SisServerError or worth_retrying(err):
                raise  # not a refusal of the request itself
            _LOGGER.debug("The table list was refused with a name filter; listing all: %s", err)
        return await self._first_named(name, None)

    async def _first_named(self, name: str, name_filter: str | None) -> VocabularyInfo | None:
        async for table in self._pages(name_filter):
            if table.name == name:
                return table
        return None

    async def _pages(self, name: str | None) -> AsyncIterator[VocabularyInfo]:
        """Yield every listed table once, whatever `offset` counts and however long a page is.

        The first page asks for `MAX_PAGE_SIZE` tables; the number the service
        gives is its page size. The second asks for `offset` 1: counting pages,
        that is the page after the first; counting tables, it starts with the
        first page's second table. What comes back says which, and the rest
        of the list is read that way.
        """
        seen: dict[str, VocabularyInfo] = {}
        page = await self.list_page(limit=MAX_PAGE_SIZE, name=name)
        for table in _new(page, seen, first=True):
            yield table
        if _ended(page, MAX_PAGE_SIZE, seen, unsure=True):
            return
        size = len(page.tables)
        page = await self.list_page(limit=size, offset=1, name=name)
        counts_pages = bool(page.tables) and page.tables[0].vocabulary_id not in seen
        offset = 2 if counts_pages else 1 + len(page.tables)
        for table in _new(page, seen, first=True):
            yield table
        while not _ended(page, size, seen):
            page = await self.list_page(limit=size, offset=offset, name=name)
            for table in _new(page, seen):
                yield table
            offset += 1 if counts_pages else len(page.tables)

    async def delete(self, vocabulary_id: str) -> None:
        """Delete a table; return normally once it is gone.

        A table the project does not have (SIS.0201) counts as gone: a DELETE is
        sent again when the answer to the first one is lost (by this client or
        by aiohttp itself), and the second then finds nothing to delete.
        """
        what = "hot-word table delete"
        response = await self._send("DELETE", await self._url(vocabulary_id), what)
        if not response.ok:
            error = _error(response, what)
            if not isinstance(error, SisVocabularyNotFoundError):
                raise error
