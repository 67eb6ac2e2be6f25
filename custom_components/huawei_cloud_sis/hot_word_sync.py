"""How one sync of an entry's hot-word tables runs, and what it met.

- Its requests go one after the other: never two requests about one table at
  once.
- A table whose content hash matches the content the service last accepted is
  not sent.
- A table whose id is unknown (a lost answer, a lost store) is found by its
  name before one is made.
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
from .hot_word_store import NOT_OFFERED, OK, KeptTables, TableState
from .sis import (
    SisConfigError,
    SisError,
    SisPermissionError,
    SisVocabularyLanguageError,
    SisVocabularyLimitError,
    SisVocabularyNotFoundError,
    SisVocabularyWordError,
    TableLanguage,
    VocabularyClient,
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
        if language in kept.not_offered:
            return
        if (content is None or not content.words) and state.vocabulary_id is None:
            kept.states.pop(language)  # no table, none wanted
            self.outcome.changed |= state.result is not None
            return
        if content is not None and (
            (content.digest == state.digest and state.vocabulary_id is not None)
            or content.digest == state.refused_digest
        ):
            return
        self.outcome.changed = True
        try:
            if content is None or not content.words:
                await self._async_delete(language, state)
            else:
                await self._async_write(language, state, content)
        except SisError as err:
            self._failed(language, state, err)
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
            _LOGGER.info("The %s hot-word table of %s is up to date again", language, self._title)
        state.vocabulary_id = vocabulary_id
        state.digest = content.digest
        state.result = OK

    async def _async_delete(self, language: TableLanguage, state: TableState) -> None:
        """Delete a table that is no longer wanted (no words, or the feature turned off)."""
        assert state.vocabulary_id is not None
        await self._tables.delete(state.vocabulary_id)
        del self._kept.states[language]

    def _failed(self, language: TableLanguage, state: TableState, err: SisError) -> None:
        """Note a failed request, and whether and when to try again."""
        outcome = self.outcome
        if state.result in (None, OK, NOT_OFFERED):
            outcome.new_failures.append(f"{language}: {err}")
        else:
            _LOGGER.debug("The %s hot-word table is still not updated: %s", language, err)
        if isinstance(err, SisVocabularyLanguageError):
            # A custom endpoint's region may not offer the language: not asked again.
            self._kept.not_offered.add(language)
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
