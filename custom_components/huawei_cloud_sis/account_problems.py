"""Problems with the Huawei Cloud account that only its owner can fix, as repair issues."""

from __future__ import annotations

from enum import StrEnum

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .sis import SisError

ARREARS_CODES = frozenset({"SIS.0022", "SIS.0023", "SIS.0024"})
"""Purchase and limit errors: the account cannot use the paid service now."""


class AccountProblem(StrEnum):
    """A problem that Home Assistant cannot solve by retrying; values are issue keys."""

    REAL_NAME = "real_name_required"
    """SIS.0103: the China site needs real-name authentication."""
    ARREARS = "account_restricted"
    """The account is in arrears or its package does not cover this region."""
    CONCURRENCY = "concurrency_exceeded"
    """SIS.0312: more recognitions at once than the account's quota allows."""


def classify(err: SisError) -> AccountProblem | None:
    """Return the account problem behind an error, if it is one."""
    if err.code == "SIS.0103":
        return AccountProblem.REAL_NAME
    if err.code == "SIS.0312":
        return AccountProblem.CONCURRENCY
    if err.code in ARREARS_CODES or "RESTRICTED" in err.message.upper():
        return AccountProblem.ARREARS
    return None


def _issue_id(entry_id: str, problem: AccountProblem) -> str:
    return f"{problem.value}_{entry_id}"


def async_report(hass: HomeAssistant, entry_id: str, title: str, err: SisError) -> bool:
    """Raise a repair issue when `err` is an account problem; return True if it was one."""
    problem = classify(err)
    if problem is None:
        return False
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(entry_id, problem),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=problem.value,
        translation_placeholders={"title": title, "code": err.code or ""},
    )
    return True


def async_clear(hass: HomeAssistant, entry_id: str) -> None:
    """Remove the entry's repair issues after the service worked again."""
    for problem in AccountProblem:
        ir.async_delete_issue(hass, DOMAIN, _issue_id(entry_id, problem))
