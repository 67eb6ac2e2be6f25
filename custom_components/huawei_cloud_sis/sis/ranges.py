"""The inclusive ranges of the integer settings the service takes, and the one check of them."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SisConfigError


@dataclass(frozen=True, slots=True)
class IntRange:
    """The inclusive range of an integer field of a START config."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        """Whether `value` is an integer (not a bool) within the range."""
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return self.low <= value <= self.high

    def check(self, name: str, value: object) -> int:
        """Return `value` as an integer within the range; raise `SisConfigError` otherwise.

        A float with no fraction (what a number field of a form gives) counts
        as the integer it equals.
        """
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if value not in self:
            raise SisConfigError(
                f"{name} must be an integer from {self.low} to {self.high}, not {value!r}"
            )
        assert isinstance(value, int)
        return value
