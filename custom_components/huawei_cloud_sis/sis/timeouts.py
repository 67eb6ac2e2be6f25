"""How long the client waits for the service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeouts:
    """Upper bounds, in seconds, of every wait; the defaults suit voice commands."""

    connect: float = 5.0
    """Opening the WebSocket (TCP, TLS and the upgrade), per attempt."""
    start: float = 5.0
    """From sending START to its response."""
    end: float = 10.0
    """From sending END to the END response."""
    session: float = 90.0
    """A whole session, from connecting to the END response."""
    close: float = 2.0
    """Cancelling and closing a session."""
    iam: float = 10.0
    """Each IAM request (token, project lookup)."""


DEFAULT_TIMEOUTS = Timeouts()
