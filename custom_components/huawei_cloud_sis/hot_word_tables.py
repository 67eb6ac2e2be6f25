"""The hot-word tables kept for a config entry, in step with the names Assist knows.

One table per language that the entry's region offers tables in and one of its
models takes (`languages.table_languages_for_region`), unless the user named a
table of their own for that language. It holds the user's extra words and,
unless turned off, the names of the home (`home_names`), in that order of
priority, within the service's limits (`sis.build_word_list`).

How the tables follow the home:

- A change of names schedules a sync `QUIET_SECONDS` after the last change, so
  a burst of changes makes one request, and at most `MAX_DELAY_SECONDS` after
  the first, however busy the home is.
- One sync of the entry runs at a time, its requests one after the other: never
  two requests about one table at once. A change during a sync makes another
  sync afterwards.
- The names are read and turned into words on the event loop, in slices, and
  what each name became is kept for the next sync (`WordCache`), so a sync
  never holds the loop for more than a few milliseconds. (An executor job
  would hold it longer: a thread busy with Python code keeps the loop waiting
  for the GIL for milliseconds at a time.)
- A table whose content hash matches the content the service last accepted is
  not sent. The ids and hashes are kept in a `Store`, so an unchanged home
  makes no request after a restart either.
- A table's name is made from the entry id and the language: a table whose id
  was lost (a lost answer, a lost store) is found again by its name instead
  of being made twice.
- A failed request never stops recognition: it goes on with the last table the
  service accepted, or without one. One warning line per run of failures, a
  retry after `RETRY_FIRST_SECONDS` doubling up to `RETRY_MAX_SECONDS`, and a
  repair issue when only the account's owner can fix it (no permission for
  the API, too many tables).
- Removing the entry deletes its tables (`async_delete_tables`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
import hashlib
import json
import logging
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from . import home_names
from .const import CONF_EXTRA_WORDS, CONF_FAVOUR_NAMES, CONF_REGION, DOMAIN
from .home_names import HomeNames, NameKind
from .languages import LANGUAGES, table_languages_for_region
from .settings import RecognitionSettings
from .sis import (
    MAX_TABLES,
    DroppedName,
    DropReason,
    SisClient,
    SisConfigError,
    SisError,
    SisPermissionError,
    SisVocabularyLanguageError,
    SisVocabularyLimitError,
    SisVocabularyNotFoundError,
    SisVocabularyWordError,
    TableLanguage,
    VocabularyRefusal,
    build_word_list,
    name_to_words,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__name__)

QUIET_SECONDS: Final = 10.0
"""A sync waits for this long without a change: renaming a few things is one request."""
MAX_DELAY_SECONDS: Final = 60.0
"""A sync waits at most this long after the first change it is for."""
RETRY_FIRST_SECONDS: Final = 60.0
RETRY_MAX_SECONDS: Final = 3600.0
"""A failed sync is tried again after a minute, then twice as long each time, up to an hour."""
NAMES_PER_SLICE: Final = 40
"""Names turned into words before the event loop is given back (some 50 µs each)."""
STORAGE_VERSION: Final = 1
DESCRIPTION: Final = "Names in a Home Assistant home, kept up to date by Home Assistant"
"""The description of every table (part of its content hash)."""
LANGUAGE_SUFFIXES: Final[Mapping[TableLanguage, str]] = {
    TableLanguage.CHINESE_MANDARIN: "zh",
    TableLanguage.ENGLISH: "en",
}
OK: Final = "ok"
NOT_OFFERED: Final = "language_not_offered"
"""The service refused the table's language (a custom endpoint of a region without it)."""


class HotWordIssue(StrEnum):
    """Problems with the tables that only the account's owner can fix; values are issue keys."""

    FORBIDDEN = "hot_words_forbidden"
    """The IAM user may not use the hot-word table API."""
    TOO_MANY_TABLES = "hot_words_too_many_tables"
    """The account holds as many tables as it may."""


def table_name(entry_id: str, language: TableLanguage) -> str:
    """Return the name of an entry's table of `language`.

    Names are unique per account, across projects and Home Assistant
    installations, so the name comes from the entry id (random, never
    reused), hashed to a fixed length: at most 32 letters, digits and `_`.
    """
    digest = hashlib.sha256(entry_id.encode()).hexdigest()[:12]
    return f"homeassistant_{digest}_{LANGUAGE_SUFFIXES[language]}"


@dataclass(frozen=True, slots=True)
class TableContent:
    """What a table should hold, and its hash."""

    name: str
    language: TableLanguage
    words: tuple[str, ...]
    dropped: tuple[DroppedName, ...]
    """The names left out, and why (the last ones when the table is full)."""
    kinds: Mapping[str, NameKind] = field(repr=False)
    """Where each name comes from."""
    digest: str


type WordsOf = Callable[[str], tuple[str, ...] | DropReason]
"""What one name becomes in a table (see `sis.name_to_words`)."""


def build_content(
    names: HomeNames, language: TableLanguage, name: str, words_of: WordsOf | None = None
) -> TableContent:
    """Turn names into a table's content (`words_of` as for `sis.build_word_list`)."""
    word_list = build_word_list(names.names, language, words_of=words_of)
    body = [name, language.value, DESCRIPTION, word_list.words]
    digest = hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()
    return TableContent(name, language, word_list.words, word_list.dropped, names.kinds, digest)


class WordCache:
    """What each name became in each table language, kept from one sync to the next.

    Turning names into words is the costly part of a sync, some 50 µs a name:
    it is done once for each name, in slices of `NAMES_PER_SLICE` names, and
    only for names the previous sync did not have.
    """

    def __init__(self) -> None:
        """Start knowing no name."""
        self._known: dict[TableLanguage, dict[str, tuple[str, ...] | DropReason]] = {}

    async def async_words_of(self, names: Iterable[str], language: TableLanguage) -> WordsOf:
        """Make what the new names become; forget names that are gone; return the lookup."""
        known = self._known.get(language, {})
        current: dict[str, tuple[str, ...] | DropReason] = {}
        made = 0
        for name in names:
            words = known.get(name)
            if words is None:
                if made and not made % NAMES_PER_SLICE:
                    await asyncio.sleep(0)
                words = name_to_words(name, language)
                made += 1
            current[name] = words
        self._known[language] = current
        return current.__getitem__


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

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) else None

        synced = text("synced_at")
        return cls(
            vocabulary_id=text("vocabulary_id"),
            digest=text("digest"),
            synced_at=dt_util.parse_datetime(synced) if synced else None,
            result=text("result"),
        )


@dataclass(slots=True)
class _Outcome:
    """What one sync met: whether to retry, the repair issues, the failures to report."""

    retry: bool = False
    changed: bool = False
    """Something to keep changed (the store is written only then)."""
    issues: set[HotWordIssue] = field(default_factory=set)
    new_failures: list[str] = field(default_factory=list)
    """Tables that failed after working (or never tried): reported in one warning line."""


def _failure_code(err: SisError) -> str:
    if err.code:
        return err.code
    return f"HTTP {err.status}" if err.status else type(err).__name__


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.hot_words.{entry_id}")


class HotWordTables:
    """Keep the entry's hot-word tables in step with the home; tell recognitions their ids."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], client: SisClient) -> None:
        """Read the entry's options; nothing runs before `async_start`."""
        self._hass = hass
        self._entry = entry
        self._tables = client.vocabularies
        self._store = _store(hass, entry.entry_id)
        self.favour_names = bool(
            entry.options.get(CONF_FAVOUR_NAMES, home_names.DEFAULT_FAVOUR_NAMES)
        )
        self.extra_words = home_names.parse_extra_words(entry.options.get(CONF_EXTRA_WORDS))
        own = RecognitionSettings.from_options(entry.options).vocabulary_ids or {}
        own_languages = {LANGUAGES[tag].table_language for tag in own}
        self.languages = tuple(
            language
            for language in table_languages_for_region(entry.data[CONF_REGION])
            if language not in own_languages
        )
        """Languages of the tables kept (a user's own table replaces the one of its language)."""
        self._words = WordCache()
        self._states: dict[TableLanguage, TableState] = {}
        self._ids: dict[TableLanguage, str] = {}
        self._not_offered: set[TableLanguage] = set()
        self._timer: CALLBACK_TYPE | None = None
        self._first_change: float | None = None
        self._not_before = 0.0
        self._failures = 0
        self._syncing = False
        self._again = False

    @property
    def table_ids(self) -> Mapping[TableLanguage, str]:
        """The id of each language's table, as the service last accepted it (read-only)."""
        return MappingProxyType(self._ids)

    async def async_load(self) -> None:
        """Read what the store kept of the tables."""
        data = await self._store.async_load() or {}
        tables = data.get("tables")
        for language in TableLanguage:
            state = TableState.from_stored((tables or {}).get(language.value))
            if state.vocabulary_id is not None or state.result is not None:
                self._states[language] = state
        self._ids = {
            language: state.vocabulary_id
            for language, state in self._states.items()
            if state.vocabulary_id is not None
        }

    @callback
    def async_start(self) -> None:
        """Follow the home from now until the entry unloads; sync once Home Assistant runs."""
        entry = self._entry
        if self.favour_names and self.languages:
            entry.async_on_unload(home_names.async_track_changes(self._hass, self.async_changed))
        entry.async_on_unload(self._cancel_timer)
        entry.async_on_unload(async_at_started(self._hass, self._async_started))

    @callback
    def _async_started(self, hass: HomeAssistant) -> None:
        self._schedule(0.0)

    @callback
    def async_changed(self) -> None:
        """Note a change of names: sync after a quiet moment (see the module)."""
        now = self._hass.loop.time()
        if self._first_change is None:
            self._first_change = now
        due = min(now + QUIET_SECONDS, self._first_change + MAX_DELAY_SECONDS)
        self._schedule(due - now)

    @callback
    def async_table_refused(self, refusal: VocabularyRefusal) -> None:
        """Learn from a refused START: a table of ours that may be gone is made again at once.

        The recognition went on without the table. When the table was one of
        ours, the ids are forgotten, so the next recognitions go without a
        table, and a sync finds the tables by their names and makes the
        missing one again. (A user's own table that is refused is theirs to fix.)
        """
        if refusal.vocabulary_id not in self._ids.values():
            _LOGGER.warning(
                "Huawei Cloud refused the hot-word table %s of %s (%s); "
                "recognition goes on without it",
                refusal.vocabulary_id,
                self._entry.title,
                refusal.code,
            )
            return
        _LOGGER.warning("A hot-word table of %s is gone; it is made again", self._entry.title)
        for state in self._states.values():
            state.vocabulary_id = None
        self._ids.clear()
        self._schedule(0.0)

    @callback
    def _schedule(self, delay: float) -> None:
        """Run a sync after `delay` seconds, or later when a retry is due later."""
        self._cancel_timer()
        delay = max(delay, self._not_before - self._hass.loop.time(), 0.0)
        self._timer = async_call_later(
            self._hass, delay, HassJob(self._async_due, cancel_on_shutdown=True)
        )

    @callback
    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _async_due(self, _now: datetime) -> None:
        self._timer = None
        if self._syncing:
            self._again = True
            return
        self._syncing = True
        self._again = False
        self._first_change = None
        self._entry.async_create_background_task(
            self._hass, self._async_sync(), f"{DOMAIN} hot-word tables"
        )

    async def _async_sync(self) -> None:
        """Bring every table in line with the home; then plan the next run."""
        outcome = _Outcome()
        try:
            names = await home_names.async_collect(
                self._hass, self.extra_words, home=self.favour_names
            )
            contents: dict[TableLanguage, TableContent] = {}
            for language in self.languages:
                if language not in self._not_offered:
                    words_of = await self._words.async_words_of(names.names, language)
                    name = table_name(self._entry.entry_id, language)
                    contents[language] = build_content(names, language, name, words_of)
                    await asyncio.sleep(0)  # a table's words take a millisecond or so
            gone = sorted(set(self._states) - set(self.languages))  # no longer kept: deleted
            for language in (*self.languages, *gone):
                await self._async_sync_table(language, contents.get(language), outcome)
            if outcome.changed:
                await self._store.async_save(
                    {"tables": {lang.value: s.stored() for lang, s in self._states.items()}}
                )
        finally:
            self._syncing = False
        self._update_issues(outcome.issues)
        if outcome.new_failures:
            _LOGGER.warning(
                "Cannot update the hot-word tables of %s (%s); recognition goes on with the "
                "tables as they were, or without them, and the update is tried again later",
                self._entry.title,
                "; ".join(outcome.new_failures),
            )
        if outcome.retry:  # a change made meanwhile is synced then, too
            self._failures += 1
            wait = min(RETRY_FIRST_SECONDS * 2 ** (self._failures - 1), RETRY_MAX_SECONDS)
            self._not_before = self._hass.loop.time() + wait
            self._schedule(wait)
        else:
            self._failures = 0
            self._not_before = 0.0
            if self._again:  # names changed during the sync
                self._schedule(0.0)

    async def _async_sync_table(
        self, language: TableLanguage, content: TableContent | None, outcome: _Outcome
    ) -> None:
        """Sync one table: nothing when the service holds its content already."""
        state = self._states.setdefault(language, TableState())
        state.content = content
        if language in self._not_offered:
            return
        if (content is None or not content.words) and state.vocabulary_id is None:
            self._states.pop(language)  # no table, none wanted
            outcome.changed |= state.result is not None
            return
        if content is not None and (
            (content.digest == state.digest and state.vocabulary_id is not None)
            or content.digest == state.refused_digest
        ):
            return
        outcome.changed = True
        try:
            if content is None or not content.words:
                await self._async_delete(language, state)
            else:
                await self._async_write(language, state, content)
        except SisError as err:
            self._failed(language, state, err, outcome)
        finally:
            state.synced_at = dt_util.utcnow()

    async def _async_write(
        self, language: TableLanguage, state: TableState, content: TableContent
    ) -> None:
        """Replace the table, or find it by its name, or create it."""
        tables = self._tables
        table = (content.name, language, content.words)
        vocabulary_id = state.vocabulary_id
        if vocabulary_id is not None:
            try:
                await tables.replace(vocabulary_id, *table, description=DESCRIPTION)
            except SisVocabularyNotFoundError:
                _LOGGER.debug("The hot-word table %s is gone; looking for it by name", content.name)
                vocabulary_id = None
        if vocabulary_id is None:
            found = await tables.find(content.name)
            if found is None:
                # Refused as a name taken (SIS.0204) only when a table of this name is in
                # another project of the account, where it cannot be replaced from here.
                vocabulary_id = await tables.create(*table, description=DESCRIPTION)
            else:
                vocabulary_id = found.vocabulary_id
                await tables.replace(vocabulary_id, *table, description=DESCRIPTION)
        if state.result not in (None, OK):
            _LOGGER.info(
                "The %s hot-word table of %s is up to date again", language, self._entry.title
            )
        state.vocabulary_id = vocabulary_id
        state.digest = content.digest
        state.result = OK
        self._ids[language] = vocabulary_id

    async def _async_delete(self, language: TableLanguage, state: TableState) -> None:
        """Delete a table that is no longer wanted (no words, or the feature turned off)."""
        assert state.vocabulary_id is not None
        await self._tables.delete(state.vocabulary_id)
        self._ids.pop(language, None)
        del self._states[language]

    def _failed(
        self, language: TableLanguage, state: TableState, err: SisError, outcome: _Outcome
    ) -> None:
        """Note a failed request, and whether and when to try again."""
        if state.result in (None, OK, NOT_OFFERED):
            outcome.new_failures.append(f"{language}: {err}")
        else:
            _LOGGER.debug("The %s hot-word table is still not updated: %s", language, err)
        if isinstance(err, SisVocabularyLanguageError):
            # A custom endpoint's region may not offer the language: not asked again.
            self._not_offered.add(language)
            state.result = NOT_OFFERED
            return
        state.result = _failure_code(err)
        if isinstance(err, SisVocabularyWordError | SisConfigError):
            # The same words would be refused again: wait for the names to change.
            state.refused_digest = state.content.digest if state.content else None
            return
        outcome.retry = True
        if isinstance(err, SisPermissionError):
            outcome.issues.add(HotWordIssue.FORBIDDEN)
        elif isinstance(err, SisVocabularyLimitError):
            outcome.issues.add(HotWordIssue.TOO_MANY_TABLES)

    def _update_issues(self, issues: set[HotWordIssue]) -> None:
        """Raise the repair issues of this sync, remove those it no longer met."""
        for issue in HotWordIssue:
            issue_id = f"{issue.value}_{self._entry.entry_id}"
            if issue in issues:
                ir.async_create_issue(
                    self._hass,
                    DOMAIN,
                    issue_id,
                    is_fixable=False,
                    severity=ir.IssueSeverity.WARNING,
                    translation_key=issue.value,
                    translation_placeholders={
                        "title": self._entry.title,
                        "limit": str(MAX_TABLES),
                    },
                )
            else:
                ir.async_delete_issue(self._hass, DOMAIN, issue_id)

    def diagnostics(self) -> dict[str, Any]:
        """Per language: the table, its words, the names left out, the last sync."""
        return {
            "favour_names": self.favour_names,
            "extra_words": len(self.extra_words),
            "languages": list(self.languages),
            "tables": {
                language.value: _table_diagnostics(state)
                for language, state in self._states.items()
            },
        }


def _table_diagnostics(state: TableState) -> dict[str, Any]:
    content = state.content
    return {
        "name": content.name if content else None,
        "vocabulary_id": state.vocabulary_id,
        "words": len(content.words) if content else None,
        "dropped_count": len(content.dropped) if content else None,
        "dropped": [
            {"name": item.name, "kind": content.kinds[item.name], "reason": item.reason}
            for item in content.dropped
        ]
        if content
        else None,
        "last_sync": state.synced_at.isoformat() if state.synced_at else None,
        "result": state.result,
    }


async def async_delete_tables(
    hass: HomeAssistant, entry: ConfigEntry[Any], make_client: Callable[[], SisClient]
) -> None:
    """Delete the tables of a removed entry, and what is kept of them.

    The tables are those the store knows, and any table of the project with
    one of the entry's table names (made before the store could keep its id).
    A failure is one warning naming the tables to delete by hand, unless no
    table was known; the entry is removed anyway.
    """
    store = _store(hass, entry.entry_id)
    data = await store.async_load() or {}
    names = {table_name(entry.entry_id, language) for language in TableLanguage}
    known = {
        state.vocabulary_id
        for stored in (data.get("tables") or {}).values()
        if (state := TableState.from_stored(stored)).vocabulary_id is not None
    }
    try:
        tables = make_client().vocabularies
        found = {table.vocabulary_id for table in await tables.list_all() if table.name in names}
        for vocabulary_id in sorted(known | found):
            await tables.delete(vocabulary_id)
    except SisError as err:
        log = _LOGGER.warning if known else _LOGGER.debug
        log(
            "The hot-word tables of %s could not be deleted (%s); delete the tables named %s "
            "in the Huawei Cloud console",
            entry.title,
            err,
            " and ".join(sorted(names)),
        )
    await store.async_remove()
    for issue in HotWordIssue:
        ir.async_delete_issue(hass, DOMAIN, f"{issue.value}_{entry.entry_id}")
