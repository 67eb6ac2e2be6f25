"""Where the Chinese script dictionaries are read: on an event loop or in a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
import threading
from unittest.mock import patch

from opencc import OpenCC

from custom_components.huawei_cloud_sis import chinese_script


@contextmanager
def dictionary_loads() -> Iterator[list[bool]]:
    """Note each OpenCC converter made (it reads its dictionaries): True when on a loop.

    A converter made on the event loop, or in the main thread, counts as on a loop.
    """
    loads: list[bool] = []

    def construct(config: str) -> OpenCC:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            loads.append(threading.current_thread() is threading.main_thread())
        else:
            loads.append(True)
        return OpenCC(config)

    with patch.object(chinese_script, "OpenCC", construct):
        yield loads
