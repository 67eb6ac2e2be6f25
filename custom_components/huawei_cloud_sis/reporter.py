"""What the user is told when Huawei Cloud fails: one reporter for both entities.

The library says what a failure means (`sis` errors); the reporter turns that
into what Home Assistant shows, once, in one place:

- the log line: what failed, the code and the trace id for Huawei's support;
- a repair issue for what only the account's owner can fix (account problems,
  a missing permission), removed again after the next success;
- re-authentication when the credentials were refused;
- a notice to the hot-word tables when a recognition START was refused while
  naming one of them (it may be gone).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .sis import (
    AccountProblem,
    RecognitionOutcome,
    SisAccountError,
    SisAuthError,
    SisError,
    SisPermissionError,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .hot_word_tables import HotWordTables


class Work(StrEnum):
    """What failed, as the log line names it."""

    RECOGNITION = "Speech recognition"
    SYNTHESIS = "Speech synthesis"


class Issue(StrEnum):
    """Repair issues of the service that only the account's owner can fix; values are keys."""

    REAL_NAME = "real_name_required"
    ARREARS = "account_restricted"
    FROZEN = "account_frozen"
    CONCURRENCY = "concurrency_exceeded"
    PERMISSION = "permission_denied"


ACCOUNT_ISSUES: Final[dict[AccountProblem, Issue]] = {
    AccountProblem.REAL_NAME: Issue.REAL_NAME,
    AccountProblem.ARREARS: Issue.ARREARS,
    AccountProblem.FROZEN: Issue.FROZEN,
    AccountProblem.CONCURRENCY: Issue.CONCURRENCY,
}


def describe(work: Work, err: SisError) -> str:
    """Say what failed in one line, with the code and the trace id for Huawei's support."""
    return f"{work} failed (code {err.label}, trace id {err.trace_id or 'none'}): {err.message}"


def issue_for(err: SisError) -> Issue | None:
    """Return the repair issue a failure calls for, None when retrying is enough."""
    if isinstance(err, SisAccountError):
        return ACCOUNT_ISSUES[err.problem]
    if isinstance(err, SisPermissionError):
        return Issue.PERMISSION
    return None


class Reporter:
    """Report the failures and successes of one entry's recognitions and syntheses.

    Long-lived and shared by concurrent requests: it keeps nothing of a request.
    """

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry[Any], hot_words: HotWordTables
    ) -> None:
        """Report for `entry`; tell `hot_words` about refused tables."""
        self._hass = hass
        self._entry = entry
        self._hot_words = hot_words

    @callback
    def async_recognised(self, outcome: RecognitionOutcome) -> str | None:
        """Report a finished recognition; return the log line of its failure, if any."""
        if outcome.vocabulary_refusal is not None:
            self._hot_words.async_table_refused(outcome.vocabulary_refusal)
        if outcome.failure is None:
            self.async_succeeded()
            return None
        if not outcome.service_failed:
            return describe(Work.RECOGNITION, outcome.failure)
        return self.async_failed(Work.RECOGNITION, outcome.failure)

    @callback
    def async_failed(self, work: Work, err: SisError) -> str:
        """Raise the repair issue or start the re-authentication a failure calls for.

        Returns the log line; the caller logs it once, at the level its answer
        deserves (a fallback engine may have answered instead).
        """
        if (issue := issue_for(err)) is not None:
            ir.async_create_issue(
                self._hass,
                DOMAIN,
                self._issue_id(issue),
                is_fixable=False,
                is_persistent=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key=issue.value,
                translation_placeholders={"title": self._entry.title, "code": err.label},
            )
        if isinstance(err, SisAuthError):
            self._entry.async_start_reauth(self._hass)
        return describe(work, err)

    @callback
    def async_succeeded(self) -> None:
        """Remove the repair issues: the service worked again."""
        for issue in Issue:
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id(issue))

    def _issue_id(self, issue: Issue) -> str:
        return f"{issue.value}_{self._entry.entry_id}"
