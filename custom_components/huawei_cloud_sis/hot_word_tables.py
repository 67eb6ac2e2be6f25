"""The hot-word tables kept for a config entry, in step with the names Assist knows.

`HotWordTables` is what the entry keeps: it follows the home, runs the syncs
and tells recognitions the ids of the tables. Each concern has a module:

- `hot_word_settings`: what the options ask (names, extra words, own tables);
- `hot_word_content`: what each table should hold, and its name;
- `hot_word_schedule`: when a sync runs (quiet period, retries, the daily check);
- `hot_word_sync`: how a sync runs, request by request, and what it met;
- `hot_word_store`: what is known of the tables, and kept across restarts.

Huawei does not say what a recognition naming a table deleted in the console
gets (H1 of the project's notes): a refusal, of any code, or nothing at all.
So the tables are read after a restart and once a day, and at once after a
refused START that named one (`async_table_refused`); a table that is gone is
made again, and recognitions go without it meanwhile.

A failed request never stops recognition: it goes on with the last table the
service accepted, or without one. One warning line per run of failures, and a
repair issue when only the account's owner can fix it (no permission for the
API, too many tables). Removing the entry deletes its tables
(`async_delete_tables`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import logging
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.start import async_at_started

from . import home_names
from .const import CONF_REGION, DOMAIN
from .hot_word_content import WordCache, async_contents, table_name
from .hot_word_schedule import SyncSchedule
from .hot_word_settings import HotWordSettings
from .hot_word_store import HotWordStore, KeptTables, TableState
from .hot_word_sync import HotWordIssue, SyncOutcome, SyncRun
from .sis import SisClient, SisError, TableLanguage, VocabularyRefusal

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__name__)


class HotWordTables:
    """Keep the entry's hot-word tables in step with the home; tell recognitions their ids."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], client: SisClient) -> None:
        """Read the entry's options; nothing runs before `async_start`."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._store = HotWordStore(hass, entry.entry_id)
        self.settings = HotWordSettings.from_options(entry.options)
        self.languages = self.settings.languages(entry.data[CONF_REGION])
        """Languages of the tables kept (a user's own table replaces the one of its language)."""
        self._kept = KeptTables()
        self._words = WordCache()
        self._schedule = SyncSchedule(hass, self._async_start_sync)

    @property
    def table_ids(self) -> Mapping[TableLanguage, str]:
        """The id of each language's table that recognitions name (read-only).

        As the service last accepted it; none while a table is withheld after a
        refused START, until a check shows it is there.
        """
        return MappingProxyType(self._kept.ids())

    async def async_load(self) -> None:
        """Read what the store kept of the tables."""
        self._kept = await self._store.async_load()

    @callback
    def async_start(self) -> None:
        """Follow the home from now until the entry unloads; sync once Home Assistant runs."""
        entry = self._entry
        if self.settings.favour_names and self.languages:
            entry.async_on_unload(
                home_names.async_track_changes(self._hass, self._schedule.changed)
            )
        entry.async_on_unload(self._schedule.stop)
        entry.async_on_unload(self._schedule.track_daily(self._kept.check_all))
        entry.async_on_unload(async_at_started(self._hass, self._async_started))

    @callback
    def _async_started(self, hass: HomeAssistant) -> None:
        self._schedule.now()

    @callback
    def async_table_refused(self, refusal: VocabularyRefusal) -> None:
        """Learn from a refused START that named a table: check it at once if it is ours.

        The recognition went on without the table. One of ours is withheld from
        recognitions until a sync has read it (one GET): made again when it is
        gone, used again when it is there. Once a check found it there, further
        refusals ask nothing until the daily check. A user's own table that is
        refused is theirs to fix.
        """
        state = self._kept.state_of(refusal.vocabulary_id)
        if state is None:
            _LOGGER.warning(
                "Huawei Cloud refused the hot-word table %s of %s (%s); "
                "recognition goes on without it",
                refusal.vocabulary_id,
                self._entry.title,
                refusal.code,
            )
            return
        if state.withheld or state.refusals_ignored:
            return
        _LOGGER.debug("A START naming a hot-word table was refused (%s); checking it", refusal.code)
        state.withheld = state.check_due = True
        self._schedule.now()

    @callback
    def _async_start_sync(self) -> None:
        self._entry.async_create_background_task(
            self._hass, self._async_sync(), f"{DOMAIN} hot-word tables"
        )

    async def _async_sync(self) -> None:
        """Bring every table in line with the home; then plan the next run."""
        retry: bool | None = None
        try:
            outcome = await self._async_sync_tables()
            self._report(outcome)
            retry = outcome.retry
        finally:
            self._schedule.ended(retry=retry)

    async def _async_sync_tables(self) -> SyncOutcome:
        """Build what each table should hold, sync them, keep what changed."""
        asked = [lang for lang in self.languages if lang not in self._kept.refused]
        contents = await async_contents(
            self._hass, self.settings, asked, self._words, self._entry.entry_id
        )
        run = SyncRun(self._client.vocabularies, self._kept, self._entry.title)
        outcome = await run.async_run(self.languages, contents)
        if outcome.changed:
            await self._store.async_save(self._kept)
        return outcome

    def _report(self, outcome: SyncOutcome) -> None:
        """Raise or remove the repair issues; log the new failures in one line."""
        _update_issues(self._hass, self._entry, outcome.issues)
        if outcome.new_failures:
            _LOGGER.warning(
                "Cannot update the hot-word tables of %s (%s); recognition goes on with the "
                "tables as they were, or without them, and the update is tried again later",
                self._entry.title,
                "; ".join(outcome.new_failures),
            )

    def diagnostics(self) -> dict[str, Any]:
        """Per language: the table, its words, the names left out, the last sync and check.

        And the table languages the service refused for the entry: since when, and the code.
        """
        return {
            "favour_names": self.settings.favour_names,
            "extra_words": len(self.settings.extra_words),
            "languages": list(self.languages),
            "tables": {
                language.value: _table_diagnostics(state)
                for language, state in self._kept.states.items()
            },
            "refused_languages": {
                language.value: refusal.stored() for language, refusal in self._kept.refused.items()
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
        "last_check": state.checked_at.isoformat() if state.checked_at else None,
        "result": state.result,
    }


def _update_issues(hass: HomeAssistant, entry: ConfigEntry[Any], issues: set[HotWordIssue]) -> None:
    """Raise the repair issues in `issues`, remove the others."""
    for issue in HotWordIssue:
        issue_id = f"{issue.value}_{entry.entry_id}"
        if issue in issues:
            ir.async_create_issue(
                hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=issue.value,
                translation_placeholders={"title": entry.title},
            )
        else:
            ir.async_delete_issue(hass, DOMAIN, issue_id)


async def async_delete_tables(
    hass: HomeAssistant, entry: ConfigEntry[Any], make_client: Callable[[], SisClient]
) -> None:
    """Delete the tables of a removed entry, and what is kept of them.

    The tables are those the store knows, and for a language without one, the
    table of the project with the entry's table name, if any (made before the
    store could keep its id). A failure is one warning naming the tables to
    delete by hand, unless no table was known; the entry is removed anyway.
    """
    store = HotWordStore(hass, entry.entry_id)
    known = (await store.async_load()).ids()
    names = {language: table_name(entry.entry_id, language) for language in TableLanguage}
    try:
        tables = make_client().vocabularies
        for language, name in names.items():
            if language not in known and (found := await tables.find(name)) is not None:
                known[language] = found.vocabulary_id
        for vocabulary_id in known.values():
            await tables.delete(vocabulary_id)
    except SisError as err:
        log = _LOGGER.warning if known else _LOGGER.debug
        log(
            "The hot-word tables of %s could not be deleted (%s); delete the tables named %s "
            "in the Huawei Cloud console",
            entry.title,
            err,
            " and ".join(names.values()),
        )
    await store.async_remove()
    _update_issues(hass, entry, set())
