"""What is known of an entry's hot-word tables, and what of it is kept across restarts.

For each table: its id, the hash of the content the service last accepted,
and the last sync. The ids and hashes are kept in a `Store`, so an unchanged
home sends no table again after a restart. Whether a table still exists is
not kept: it may have been deleted in the console meanwhile, so each table
is checked once after a restart (`TableState.check_due`). What the service
answered about a table language that the pages disagree about is kept too
(`LanguageRefusal`): it is asked once per entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .hot_word_content import TableContent
from .sis import TableLanguage

STORAGE_VERSION: Final = 1
OK: Final = "ok"
NOT_OFFERED: Final = "language_not_offered"
"""The service refused tables of the language (`LanguageRefusal`)."""


def storage_key(entry_id: str) -> str:
    """Return the key of the entry's store."""
    return f"{DOMAIN}.hot_words.{entry_id}"


@dataclass(slots=True)
class TableState:
    """What is known of one table: what the service holds, and the last sync."""

    vocabulary_id: str | None = None
    digest: str | None = None
    """The hash of the content the service last accepted."""
    synced_at: datetime | None = None
    """When the last request about the table ended."""
    result: str | None = None
    """`OK`, `NOT_OFFERED`, or the code of the last failure."""
    refused_digest: str | None = None
    """Content the service refused for its words: not sent again (not kept over restarts)."""
    content: TableContent | None = field(default=None, repr=False)
    """The content the last sync built."""
    checked_at: datetime | None = None
    """When the service last showed that the table exists (an answer about it)."""
    check_due: bool = False
    """The next sync asks the service (one GET) whether the table still exists: after a
    restart, once a day, and after a recognition START naming it was refused."""
    withheld: bool = False
    """A START naming the table was refused: recognitions go without it until it is checked."""
    refusals_ignored: bool = False
    """A check after a refusal found the table there: further refusals ask nothing until
    the daily check."""

    def confirmed(self) -> None:
        """Note that the service just showed the table exists: it is used (again)."""
        self.refusals_ignored |= self.withheld
        self.check_due = self.withheld = False
        self.checked_at = dt_util.utcnow()

    def gone(self) -> None:
        """Note that the service has no table of this id: recognitions go without it."""
        self.vocabulary_id = None
        self.check_due = self.withheld = self.refusals_ignored = False

    def stored(self) -> dict[str, Any]:
        """Return what the store keeps."""
        return {
            "vocabulary_id": self.vocabulary_id,
            "digest": self.digest,
            "synced_at": self.synced_at.isoformat() if self.synced_at else None,
            "result": self.result,
        }

    @classmethod
    def from_stored(cls, data: Any) -> TableState:
        """Read what the store kept; anything unreadable counts as unknown."""
        if not isinstance(data, dict):
            return cls()
        synced = _text(data, "synced_at")
        vocabulary_id = _text(data, "vocabulary_id")
        return cls(
            vocabulary_id=vocabulary_id,
            digest=_text(data, "digest"),
            synced_at=dt_util.parse_datetime(synced) if synced else None,
            result=_text(data, "result"),
            check_due=vocabulary_id is not None,
        )


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _section(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class LanguageRefusal:
    """The service refused a new table of a language: none is asked for again for the entry."""

    since: datetime
    code: str
    """The code of the refusal (or its HTTP status or kind, when it had none)."""

    def stored(self) -> dict[str, str]:
        """Return what the store keeps."""
        return {"since": self.since.isoformat(), "code": self.code}

    @classmethod
    def from_stored(cls, data: Any) -> LanguageRefusal | None:
        """Read what the store kept; None when it is unreadable."""
        text = _text(data, "since") if isinstance(data, dict) else None
        since = dt_util.parse_datetime(text) if text else None
        code = _text(data, "code") if isinstance(data, dict) else None
        return cls(since, code) if since is not None and code is not None else None


@dataclass(slots=True)
class KeptTables:
    """Everything known of an entry's tables, by language."""

    states: dict[TableLanguage, TableState] = field(default_factory=dict)
    refused: dict[TableLanguage, LanguageRefusal] = field(default_factory=dict)
    """Languages the service refused new tables of: not asked again (kept across restarts)."""

    def ids(self) -> dict[TableLanguage, str]:
        """Return the id of each language's table that recognitions use."""
        return {
            language: state.vocabulary_id
            for language, state in self.states.items()
            if state.vocabulary_id is not None and not state.withheld
        }

    def state_of(self, vocabulary_id: str) -> TableState | None:
        """Return the state of the table with this id, None if it is none of ours."""
        return next(
            (state for state in self.states.values() if state.vocabulary_id == vocabulary_id),
            None,
        )

    def check_all(self) -> None:
        """Have every table checked at the next sync (the daily check)."""
        for state in self.states.values():
            state.check_due = state.vocabulary_id is not None
            state.refusals_ignored = False

    def stored(self) -> dict[str, Any]:
        """Return what the store keeps."""
        return {
            "tables": {language.value: s.stored() for language, s in self.states.items()},
            "refused_languages": {
                language.value: refusal.stored() for language, refusal in self.refused.items()
            },
        }

    @classmethod
    def from_stored(cls, data: Any) -> KeptTables:
        """Read what the store kept; anything unreadable counts as unknown."""
        tables, refused = _section(data, "tables"), _section(data, "refused_languages")
        kept = cls()
        for language in TableLanguage:
            state = TableState.from_stored(tables.get(language.value))
            if state.vocabulary_id is not None or state.result is not None:
                kept.states[language] = state
            if refusal := LanguageRefusal.from_stored(refused.get(language.value)):
                kept.refused[language] = refusal
        return kept


class HotWordStore:
    """The entry's `Store` of what is known of its tables."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the store of `entry_id`."""
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, storage_key(entry_id))

    async def async_load(self) -> KeptTables:
        """Return what the store kept (nothing known when it is empty)."""
        return KeptTables.from_stored(await self._store.async_load())

    async def async_save(self, kept: KeptTables) -> None:
        """Keep what is known now."""
        await self._store.async_save(kept.stored())

    async def async_remove(self) -> None:
        """Forget everything (the entry is removed)."""
        await self._store.async_remove()
