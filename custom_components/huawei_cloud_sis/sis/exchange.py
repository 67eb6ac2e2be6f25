"""The life every real-time exchange shares: one task of its own, started once, closed always."""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from typing import Self


class Exchange(ABC):
    """Runs `_run` in a task of its own from the first `start` on.

    Use it as an async context manager (or call `close` in any case): closing
    finishes it at any stage and leaves no task and no socket behind.
    """

    _task: asyncio.Task[None] | None = None

    @abstractmethod
    def _task_name(self) -> str:
        """Name the task after what it exchanges (never a secret or the user's words)."""

    @abstractmethod
    async def _run(self) -> None:
        """Do the whole exchange with the service."""

    @abstractmethod
    async def close(self) -> None:
        """Finish the exchange at any stage."""

    async def __aenter__(self) -> Self:
        """Start."""
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close, cancelling what is not finished."""
        await self.close()

    @property
    def done(self) -> bool:
        """True once nothing runs any more (the END answer, a failure or close)."""
        return self._task is not None and self._task.done()

    def start(self) -> None:
        """Connect and send START in the background (does nothing the second time)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self._task_name())
