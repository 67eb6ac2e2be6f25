"""How one sync of an entry's hot-word tables runs, and what it met.

- Its requests go one after the other: never two requests about one table at
  once.
- A table whose content hash matches the content the service last accepted is
  not sent; when it is due for a check (`TableState.check_due`), it is read
  (one GET) to see that it still exists.
- A table that is gone (deleted in the console) is made again at once, and
  recognitions go without it meanwhile. A table whose id is unknown (a lost
  answer, a lost store) is found by its name before one is made.
- A failure is noted for the table (`SyncOutcome`): whether to try again, the
  repair issue it calls for, the line to log. It never stops recognition, which
  goes on with the last table the service accepted, or without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
import logging

from homeassistant.util import dt as dt_util

from .hot_word_content import DESCRIPTION, TableContent
from .hot_word_store import NOT_OFFERED, OK, KeptTables, LanguageRefusal, TableState
from .sis import (
    SisConfigError,
    SisError,
    SisPermissionError,
    SisVocabularyLimitError,
    SisVocabularyNameTakenError,
    SisVocabularyNotFoundError,
    SisVocabularyWordError,
    TableLanguage,
    VocabularyClient,
    refuses_language,
)

_LOGGER = logging.getLogger(__name__)


class HotWordIssue(StrEnum):
    """Problems with the tables that only the account's owner can fix; values are issue keys."""

    FORBIDDEN = "hot_words_forbidden"
    """The IAM user may not use the hot-word table API."""
    TOO_MANY_TABLES = "hot_words_too_many_tables"
    """The account holds as many tables as it may."""


@dataclass(slots=True)
class SyncOutcome:
    """What one sync met: whether to retry, the repair issues, the failures to report."""

    retry: bool = False
    changed: bool = False
    """Something to keep changed (the store is written only then)."""
    issues: set[HotWordIssue] = field(default_factory=set)
    new_failures: list[str] = field(default_factory=list)
    """Tables that failed after working (or never tried): reported in one warning line."""


class SyncRun:
    """One sync: bring each table in line with what it should hold."""

    def __init__(self, tables: VocabularyClient, kept: KeptTables, title: str) -> None:
        """Use the table client, update `kept`; `title` names the entry in the log."""
        self._tables = tables
        self._kept = kept
        self._title = title
        self.outcome = SyncOutcome()

    async def async_run(
        self,
        languages: tuple[TableLanguage, ...],
        contents: dict[TableLanguage, TableContent],
    ) -> SyncOutcome:
        """Sync the tables of `languages`; delete the tables of languages no longer kept."""
        gone = sorted(set(self._kept.states) - set(languages))
        for language in (*languages, *gone):
            await self._async_table(language, contents.get(language))
        return self.outcome

    async def _async_table(self, language: TableLanguage, content: TableContent | None) -> None:
        """Sync one table: nothing when the service holds its content already."""
        kept = self._kept
        state = kept.states.setdefault(language, TableState())
        state.content = content
        if language in kept.refused:
            return
        if (content is None or not content.words) and state.vocabulary_id is None:
            kept.states.pop(language)  # no table, none wanted
            self.outcome.changed |= state.result is not None
            return
        if content is not None and content.digest in (state.digest, state.refused_digest):
            if state.vocabulary_id is not None:  # nothing to send, or nothing it would take
                if state.check_due:
                    await self._async_check(language, state, content)
                return
            if content.digest == state.refused_digest:
                return  # no table, and the same words would be refused again
        await self._async_send(language, state, content)

    async def _async_send(
        self,
        language: TableLanguage,
        state: TableState,
        content: TableContent | None,
        *,
        gone: bool = False,
    ) -> None:
        """Send what the table should hold, or delete it when it should hold nothing."""
        self.outcome.changed = True
        try:
            if content is None or not content.words:
                await self._async_delete(language, state)
            else:
                await self._async_write(language, state, content, gone=gone)
        except SisError as err:
            self._failed(language, state, err)
        finally:
            state.synced_at = dt_util.utcnow()

    async def _async_check(
        self, language: TableLanguage, state: TableState, content: TableContent
    ) -> None:
        """Read the table to see that it still exists; make it again when it is gone."""
        assert state.vocabulary_id is not None
        try:
            await self._tables.get(state.vocabulary_id)
        except SisVocabularyNotFoundError:
            await self._async_send(language, state, content, gone=True)
        except SisError as err:
            self._failed(language, state, err)
        else:
            state.confirmed()

    async def _async_write(
        self, language: TableLanguage, state: TableState, content: TableContent, *, gone: bool
    ) -> None:
        """Replace the table; make it again when it is gone; look for it when its id is unknown."""
        table = (content.name, language, content.words)
        vocabulary_id = None if gone else state.vocabulary_id
        if vocabulary_id is not None:
            try:
                await self._tables.replace(vocabulary_id, *table, description=DESCRIPTION)
            except SisVocabularyNotFoundError:
                gone, vocabulary_id = True, None
        if gone:
            _LOGGER.info(
                "The %s hot-word table of %s is gone; it is made again", language, self._title
            )
            state.gone()
        if vocabulary_id is None:
            vocabulary_id = await self._async_create(table, look_first=not gone)
        if state.result not in (None, OK):
            _LOGGER.info("The %s hot-word table of %s is up to date again", language, self._title)
        state.vocabulary_id = vocabulary_id
        state.digest = content.digest
        state.result = OK
        state.confirmed()

    async def _async_create(
        self, table: tuple[str, TableLanguage, tuple[str, ...]], *, look_first: bool
    ) -> str:
        """Make the table, or take over the project's table of its name.

        `look_first`: its id is unknown, so the table may well exist (a lost
        answer, a lost store); otherwise it was just found gone. The name is
        taken (SIS.0204) by a table of another project only when no table of
        this project has it; that one cannot be replaced from here.
        """
        tables = self._tables
        if look_first and (found := await tables.find(table[0])) is not None:
            await tables.replace(found.vocabulary_id, *table, description=DESCRIPTION)
            return found.vocabulary_id
        try:
            return await tables.create(*table, description=DESCRIPTION)
        except SisVocabularyNameTakenError:
            if look_first or (found := await tables.find(table[0])) is None:
                raise
        await tables.replace(found.vocabulary_id, *table, description=DESCRIPTION)
        return found.vocabulary_id

    async def _async_delete(self, language: TableLanguage, state: TableState) -> None:
        """Delete a table that is no longer wanted (no words, or the feature turned off)."""
        assert state.vocabulary_id is not None
        await self._tables.delete(state.vocabulary_id)
        del self._kept.states[language]

    def _failed(self, language: TableLanguage, state: TableState, err: SisError) -> None:
        """Note a failed request, and whether and when to try again."""
        outcome = self.outcome
        outcome.changed = True
        if state.result in (None, OK, NOT_OFFERED):
            outcome.new_failures.append(f"{language}: {err}")
        else:
            _LOGGER.debug("The %s hot-word table is still not updated: %s", language, err)
        if state.vocabulary_id is None and refuses_language(err, language):
            # A region without the language (a custom endpoint may be any), or a service
            # that follows the pages without English tables: not asked again.
            self._kept.refused[language] = LanguageRefusal(dt_util.utcnow(), err.label)
            state.result = NOT_OFFERED
            return
        state.result = err.label
        if isinstance(err, SisVocabularyWordError | SisConfigError):
            # The same words would be refused again: wait for the names to change.
            state.refused_digest = state.content.digest if state.content else None
            return
        outcome.retry = True
        if isinstance(err, SisPermissionError):
            outcome.issues.add(HotWordIssue.FORBIDDEN)
        elif isinstance(err, SisVocabularyLimitError):
            outcome.issues.add(HotWordIssue.TOO_MANY_TABLES)
