"""Watching where OpenCC reads its dictionaries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import threading
from typing import Any

from opencc import OpenCC


def recording_opencc(threads: list[threading.Thread], loops: list[bool]) -> Callable[..., Any]:
    """OpenCC's constructor (which reads the dictionaries), noting where it runs.

    Patch it over `chinese_script.OpenCC`: each construction notes its thread and whether
    an event loop runs there.
    """

    def construct(config: str) -> OpenCC:
        threads.append(threading.current_thread())
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            loops.append(False)
        else:
            loops.append(True)
        return OpenCC(config)

    return construct
