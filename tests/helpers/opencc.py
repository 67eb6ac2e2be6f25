"""Watching where OpenCC reads its dictionaries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
import logging
import threading
from typing import Any
from unittest.mock import patch

from opencc import OpenCC

from custom_components.huawei_cloud_sis import chinese_script


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


@contextmanager
def dictionary_loads() -> Iterator[list[bool]]:
    """Note every OpenCC converter made while inside: a list, True for each made on a loop.

    Filled when the block ends. A converter made in the main thread counts as made on
    the loop (Home Assistant's loop runs there), one made where an event loop runs too.
    """
    threads: list[threading.Thread] = []
    loops: list[bool] = []
    loads: list[bool] = []
    try:
        with patch.object(chinese_script, "OpenCC", recording_opencc(threads, loops)):
            yield loads
    finally:
        loads.extend(
            loop or thread is threading.main_thread()
            for thread, loop in zip(threads, loops, strict=True)
        )


MISSING_DICTIONARY = "TSPhrases.txt"
"""The dictionary `unreadable_dictionaries` says it cannot find."""


@contextmanager
def unreadable_dictionaries() -> Iterator[None]:
    """Make every load of a conversion fail as a broken installation would."""

    def unreadable(conversion: chinese_script.Conversion) -> chinese_script.Converter:
        raise FileNotFoundError(MISSING_DICTIONARY)

    with patch.object(chinese_script, "load_converter", unreadable):
        yield


def our_error_line(records: list[logging.LogRecord]) -> logging.LogRecord:
    """The one error line of the integration among `records`; it carries no traceback."""
    [line] = [
        record
        for record in records
        if record.name.startswith("custom_components.") and record.levelno >= logging.ERROR
    ]
    assert line.exc_info is None
    assert MISSING_DICTIONARY in line.getMessage()
    return line
