"""The script the emulated models write Chinese text in.

Huawei's Mandarin models, the Sichuanese and Shanghainese ones among them, write Simplified
characters: speech made from Traditional text is recognised in Simplified characters
(OpenCC's t2s), as the real service writes what it hears. Which script the Cantonese model
writes is not documented, so the reading `cantonese_script` (`Readings`) chooses:
"simplified" (t2s) or "traditional" (OpenCC's s2hk, Hong Kong's standard forms, so 溫 comes
back as 温). Models of other languages write no Chinese and their text is left alone.

OpenCC's dictionaries are read in a worker thread the first time a session needs them, and
kept for the life of the process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import cache
import threading
from typing import Final

from opencc import OpenCC

from .config_rules import MODELS, UNDOCUMENTED_SCRIPT
from .readings import CantoneseScript

SIMPLIFIED: Final = "simplified"
TRADITIONAL: Final = "traditional"
_OPENCC: Final = {SIMPLIFIED: "t2s", TRADITIONAL: "s2hk"}
"""Script → the OpenCC conversion that writes any Chinese text in it."""

type Rewrite = Callable[[str], str]


def script_of(model: str, cantonese_script: CantoneseScript) -> str | None:
    """The script `model` writes in, None for a model that writes no Chinese.

    `cantonese_script` is the reading of the same name (`Readings` checks its value).
    """
    script = MODELS[model].script
    return cantonese_script if script == UNDOCUMENTED_SCRIPT else script


_LOADING: Final = threading.Lock()


@cache
def _converter(config: str) -> Rewrite:
    return OpenCC(config).convert


def _loaded(config: str) -> Rewrite:
    """The converter of an OpenCC conversion, read once however many sessions start at once."""
    with _LOADING:
        return _converter(config)


async def writer(model: str, cantonese_script: CantoneseScript) -> Rewrite | None:
    """What writes a text the way `model` does, None when it is left as heard."""
    script = script_of(model, cantonese_script)
    if script is None:
        return None
    return await asyncio.to_thread(_loaded, _OPENCC[script])


def then(first: Rewrite | None, second: Rewrite | None) -> Rewrite | None:
    """One rewrite after the other; None when there is none."""
    if first is None or second is None:
        return first or second
    return lambda text: second(first(text))
