"""The emulated hot-word table API: `/v1/{project_id}/asr/vocabularies[/{vocabulary_id}]`.

Authenticated like the handshake (a token scoped to the project in the URL, or
an AK/SK signature over the request and its body). A table belongs to the
project it was created in; other projects neither see nor use it. Every
refusal of the service is HTTP 400 with `{"error_code", "error_msg"}`; API
Gateway's refusals are 401, 403, 404 and 429.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import json
from typing import TYPE_CHECKING, Any, Final
import uuid

from aiohttp import web

from .accounts import region_of
from .config_rules import Refusal
from .faults import RestFault, RestFaultKind
from .gateway import apig_error, authenticate
from .hot_word_rules import check_table, page
from .readings import Readings

if TYPE_CHECKING:
    from .server import SisServer

FORBIDDEN: Final = ("APIG.0302", "The IAM user is not authorized to access this API.")


@dataclass(slots=True)
class Table:
    """A hot-word table and the project it belongs to."""

    vocabulary_id: str
    project_id: str
    name: str
    language: str
    description: str
    words: tuple[str, ...]

    def info(self) -> dict[str, str]:
        """The table as the list shows it."""
        return {
            "vocabulary_id": self.vocabulary_id,
            "name": self.name,
            "language": self.language,
            "description": self.description,
        }


@dataclass(slots=True)
class VocabularyCall:
    """One request to the hot-word table API, as the server saw it."""

    method: str
    path: str
    auth: str | None = None
    """"token" or "aksk" once authenticated, else None."""
    status: int | None = None
    """The status answered; None when no answer was sent (a fault)."""


class Tables:
    """The account's hot-word tables, in the order they were created."""

    def __init__(self) -> None:
        """Start with none: an account has no table until one is created."""
        self._tables: dict[str, Table] = {}

    def __len__(self) -> int:
        """Tables of the account, in every project."""
        return len(self._tables)

    def __iter__(self) -> Iterator[Table]:
        """Every table of the account."""
        return iter(list(self._tables.values()))

    def get(self, project_id: str, vocabulary_id: str) -> Table | None:
        """The table with this id, if it belongs to the project."""
        table = self._tables.get(vocabulary_id)
        return table if table is not None and table.project_id == project_id else None

    def language(self, project_id: str, vocabulary_id: str) -> str | None:
        """The language of a table of the project, None if the project has no such table."""
        table = self.get(project_id, vocabulary_id)
        return None if table is None else table.language

    def named(self, name: str) -> Table | None:
        """The account's table of this name, in any project."""
        return next((table for table in self._tables.values() if table.name == name), None)

    def add(self, project_id: str, body: dict[str, Any]) -> Table:
        """Create a table from a valid body."""
        table = Table(str(uuid.uuid4()).upper(), project_id, "", "", "", ())
        self.update(table, body)
        self._tables[table.vocabulary_id] = table
        return table

    @staticmethod
    def update(table: Table, body: dict[str, Any]) -> None:
        """Replace everything of a table but its id and project."""
        table.name = body["name"]
        table.language = body["language"]
        table.description = body.get("description", "")
        table.words = tuple(body["contents"])

    def remove(self, vocabulary_id: str) -> None:
        """Delete a table."""
        del self._tables[vocabulary_id]


def _refused(refusal: Refusal) -> web.Response:
    return apig_error(400, refusal.code, refusal.message)


def _not_found(vocabulary_id: str) -> web.Response:
    return apig_error(400, "SIS.0201", f"the vocabulary {vocabulary_id} is not found")


def _json_body(request: web.Request, body: bytes) -> Any:
    """The decoded JSON body; a `Refusal` when it is not JSON."""
    if not request.content_type.startswith("application/json"):
        return Refusal("SIS.0032", "the request body must be application/json")
    try:
        return json.loads(body)
    except ValueError:
        return Refusal("SIS.0032", "the request body is not valid JSON")


class VocabularyHandlers:
    """Serve the hot-word table API on behalf of a `SisServer`."""

    def __init__(self, server: SisServer) -> None:
        """Share the server's state (tables, faults, the record of calls)."""
        self.server = server

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Authenticate, play a queued fault, then carry out the request."""
        server = self.server
        call = VocabularyCall(request.method, request.path)
        server.vocabulary_calls.append(call)
        fault = server.vocabulary_faults.pop(0) if server.vocabulary_faults else None
        body = await request.read()
        if fault is not None and fault.kind is not RestFaultKind.LOSE_ANSWER:
            return await self._play(request, fault, call)
        project_id = request.match_info["project_id"]
        auth = authenticate(server, request, project_id, body)
        if isinstance(auth, web.Response):
            response = auth
        elif server.vocabulary_forbidden:
            call.auth = auth
            response = apig_error(403, *FORBIDDEN)
        else:
            call.auth = auth
            response = self._act(request, project_id, body)
        if fault is not None:  # the request was carried out; its answer is lost
            self._drop(request)
        else:
            call.status = response.status
        return response

    async def _play(
        self, request: web.Request, fault: RestFault, call: VocabularyCall
    ) -> web.StreamResponse:
        if fault.kind is RestFaultKind.HANG:
            await self.server.closing.wait()
        elif fault.kind is RestFaultKind.DISCONNECT:
            self._drop(request)
        else:
            call.status = fault.status
        return web.json_response(fault.body, status=fault.status or 503)

    @staticmethod
    def _drop(request: web.Request) -> None:
        if request.transport is not None:
            request.transport.close()

    def _act(self, request: web.Request, project_id: str, body: bytes) -> web.Response:
        region = region_of(project_id)
        vocabulary_id = request.match_info.get("vocabulary_id")
        if vocabulary_id is None:
            if request.method == "POST":
                return self._create(project_id, region, request, body)
            return self._list(project_id, request, body)
        table = self.server.tables.get(project_id, vocabulary_id)
        if table is None:
            return _not_found(vocabulary_id)
        if request.method == "GET":
            return web.json_response({**table.info(), "contents": list(table.words)}, dumps=_dumps)
        if request.method == "DELETE":
            self.server.tables.remove(vocabulary_id)
            return web.Response(status=200)
        return self._replace(table, region, request, body)

    def _checked_body(
        self, request: web.Request, body: bytes, region: str | None, table: Table | None
    ) -> dict[str, Any] | web.Response:
        """The body of a create (`table` None) or of an update of `table`, or its refusal."""
        data = _json_body(request, body)
        if isinstance(data, Refusal):
            return _refused(data)
        if refusal := check_table(data, region, self.server.readings):
            return _refused(refusal)
        assert isinstance(data, dict)
        other = self.server.tables.named(data["name"])
        if other is not None and other is not table:
            return _refused(Refusal("SIS.0204", f"the name {data['name']} already exists"))
        return data

    def _create(
        self, project_id: str, region: str | None, request: web.Request, body: bytes
    ) -> web.Response:
        data = self._checked_body(request, body, region, None)
        if isinstance(data, web.Response):
            return data
        if len(self.server.tables) >= self.server.readings.max_tables:
            return _refused(Refusal("SIS.0208", "too many vocabularies"))
        table = self.server.tables.add(project_id, data)
        return web.json_response({"vocabulary_id": table.vocabulary_id})

    def _replace(
        self, table: Table, region: str | None, request: web.Request, body: bytes
    ) -> web.Response:
        data = self._checked_body(request, body, region, table)
        if isinstance(data, web.Response):
            return data
        Tables.update(table, data)
        return web.json_response({"vocabulary_id": table.vocabulary_id})

    def _list(self, project_id: str, request: web.Request, body: bytes) -> web.Response:
        readings = self.server.readings
        paging = page(dict(request.query), readings)
        if isinstance(paging, Refusal):
            return _refused(paging)
        size, skipped = paging
        name: str | None = None
        if body and readings.name_filter != "ignored":
            # The API reference lists an optional `name` filter in the body of this GET.
            data = _json_body(request, body)
            if isinstance(data, Refusal):
                return _refused(data)
            if not isinstance(data, dict) or set(data) - {"name"}:
                return _refused(Refusal("SIS.0031", "only 'name' may filter the list"))
            name = data.get("name")
            if name is not None and not isinstance(name, str):
                return _refused(Refusal("SIS.0032", "'name' is invalid"))
        tables = [
            table
            for table in self.server.tables
            if table.project_id == project_id and _matches(table.name, name, readings)
        ]
        result = [table.info() for table in tables[skipped : skipped + size]]
        return web.json_response({"count": len(tables), "result": result}, dumps=_dumps)


def _matches(table_name: str, name: str | None, readings: Readings) -> bool:
    """Whether the list's `name` filter lets a table through, as the reading takes the filter."""
    if name is None:
        return True
    if readings.name_filter == "contains":
        return name in table_name
    return table_name == name


def _dumps(data: Any) -> str:
    """JSON with Chinese characters as they are, as the service writes them."""
    return json.dumps(data, ensure_ascii=False)
