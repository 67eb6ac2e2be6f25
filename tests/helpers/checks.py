"""Waiting for conditions, and what a recognition may leave behind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

STT_LOGGER = "custom_components.huawei_cloud_sis.stt"


async def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Let the loop run until `condition` holds (bounded by a count, not a clock)."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    pytest.fail(f"never happened: {what}")


def failure_lines(
    caplog: pytest.LogCaptureFixture, logger: str = STT_LOGGER
) -> list[logging.LogRecord]:
    """The warning and error lines of one of the integration's loggers."""
    return [
        record
        for record in caplog.records
        if record.name == logger and record.levelno >= logging.WARNING
    ]


def our_tasks() -> list[asyncio.Task[Any]]:
    """Tasks of this integration or of its client library that are still running."""
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done()
        and (task.get_name().startswith("huawei_cloud_sis") or task.get_name().startswith("sis "))
    ]


async def nothing_left(hass: HomeAssistant, server: Any) -> None:
    """No socket and no task of the integration is left (`server`: the local `SisServer`)."""
    await hass.async_block_till_done()
    await wait_for(lambda: server.open_connections == 0, "every socket closed")
    await wait_for(lambda: our_tasks() == [], "every task of the integration ended")
