"""When the hot-word tables of an entry are synced.

- A change of names asks for a sync `QUIET_SECONDS` after the last change, so a
  burst of changes makes one request, and at most `MAX_DELAY_SECONDS` after the
  first, however busy the home is.
- One sync of the entry runs at a time. A sync that falls due while one runs
  follows it.
- A failed sync is tried again after `RETRY_FIRST_SECONDS`, twice as long each
  time up to `RETRY_MAX_SECONDS`; a change meanwhile does not hurry it.
- Every `CHECK_INTERVAL` the tables are checked: a table deleted in the console
  is found even when the service goes on accepting recognitions that name it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later, async_track_time_interval

QUIET_SECONDS: Final = 10.0
"""A sync waits for this long without a change: renaming a few things is one request."""
MAX_DELAY_SECONDS: Final = 60.0
"""A sync waits at most this long after the first change it is for."""
RETRY_FIRST_SECONDS: Final = 60.0
RETRY_MAX_SECONDS: Final = 3600.0
"""A failed sync is tried again after a minute, then twice as long each time, up to an hour."""
CHECK_INTERVAL: Final = timedelta(days=1)
"""How often each table is read to see that it still exists (and once after a restart)."""


class SyncSchedule:
    """Start the syncs of one entry's tables when they are due, one at a time."""

    def __init__(self, hass: HomeAssistant, start: Callable[[], None]) -> None:
        """Call `start` (on the event loop) when a sync is due; it calls `ended` afterwards."""
        self._hass = hass
        self._start = start
        self._timer: CALLBACK_TYPE | None = None
        self._first_change: float | None = None
        self._not_before = 0.0
        self._failures = 0
        self._running = False
        self._again = False
        self._stopped = False

    @callback
    def changed(self) -> None:
        """Note a change of names: sync after a quiet moment."""
        now = self._hass.loop.time()
        if self._first_change is None:
            self._first_change = now
        due = min(now + QUIET_SECONDS, self._first_change + MAX_DELAY_SECONDS)
        self._schedule(due - now)

    @callback
    def track_daily(self, check: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `check` every `CHECK_INTERVAL`, then sync; return what stops it."""

        @callback
        def daily(_now: datetime) -> None:
            check()
            self.now()

        return async_track_time_interval(
            self._hass, daily, CHECK_INTERVAL, name="hot-word table check", cancel_on_shutdown=True
        )

    @callback
    def now(self) -> None:
        """Sync as soon as possible (not before a retry that is due later)."""
        self._schedule(0.0)

    @callback
    def ended(self, *, retry: bool | None) -> None:
        """Note the end of a sync; plan a retry when it failed, or the sync due meanwhile.

        `retry` None: the sync did not run to its end (cancelled with the entry):
        nothing follows it.
        """
        self._running = False
        if retry is None:
            return
        if retry:  # a change made meanwhile is synced then, too
            self._failures += 1
            wait = min(RETRY_FIRST_SECONDS * 2 ** (self._failures - 1), RETRY_MAX_SECONDS)
            self._not_before = self._hass.loop.time() + wait
            self._schedule(wait)
            return
        self._failures = 0
        self._not_before = 0.0
        if self._again:  # due during the sync
            self._schedule(0.0)

    @callback
    def stop(self) -> None:
        """Start nothing more (the entry unloads), whoever asks."""
        self._stopped = True
        self._cancel()

    @callback
    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _schedule(self, delay: float) -> None:
        """Start a sync after `delay` seconds, or later when a retry is due later."""
        self._cancel()
        if self._stopped:
            return
        delay = max(delay, self._not_before - self._hass.loop.time(), 0.0)
        self._timer = async_call_later(
            self._hass, delay, HassJob(self._due, cancel_on_shutdown=True)
        )

    @callback
    def _due(self, _now: datetime) -> None:
        self._timer = None
        if self._running:
            self._again = True
            return
        self._running = True
        self._again = False
        self._first_change = None
        self._start()
