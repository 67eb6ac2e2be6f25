"""Chinese text in the script a home reads: Simplified and Traditional characters.

Huawei's Mandarin models write Simplified characters, while Home Assistant's Taiwanese
(zh-TW) and Cantonese (zh-HK) sentences, and many homes' names, are written in
Traditional ones; Huawei's Mandarin voices are made for Simplified text. A text Assist
cannot match is a failed command, so the text is converted with OpenCC (the `opencc-py`
package, which imports as `opencc`).

Callers ask for a `Conversion` by what it is for. Its OpenCC dictionaries are read from
disk in the executor the first time it is asked for, once per Home Assistant instance
however many callers ask at the same time, and the converter is then shared by every entry
and request: it holds no state of its own. Converting a command takes a fraction of a
millisecond and is done on the event loop; loading is never done there.

A reply that arrives in pieces (a conversation agent writes it a few characters at a time)
is converted to Simplified as it comes (`async_converted_pieces`), cut only where no
word of that conversion can span the cut: exactly as the whole reply would be.

Each choice below was measured on the sentences, responses and list values of Home
Assistant's zh-TW, zh-HK and zh-CN intents (`home_assistant_intents`), counting the
sentences that no longer match their intent after the conversion;
`benchmarks/bench_chinese_script.py --choices` prints those counts.

The Cantonese conversion adds to OpenCC's dictionaries a few written-Cantonese phrases of
its own (`opencc_config/CantonesePhrases.txt`), through an OpenCC config beside them:
OpenCC reads them as it reads its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable, Callable
from enum import StrEnum
import logging
from pathlib import Path
import threading
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey
from opencc import OpenCC

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

type Converter = Callable[[str], str]
"""Converts one text; safe to share between callers and threads."""


class Conversion(StrEnum):
    """What a text is converted for."""

    TAIWAN = "taiwan"
    """A Mandarin model's text (Simplified) to Traditional characters with Taiwan's words."""
    HONG_KONG = "hong_kong"
    """A Cantonese model's text, in either script, to Traditional characters for Hong Kong."""
    TRADITIONAL = "traditional"
    """A Mandarin model's text, in either script, to Traditional characters, keeping its
    words."""
    SIMPLIFIED = "simplified"
    """Traditional text (Taiwan or Hong Kong) to Simplified characters, keeping its words."""


HELD_CHARS: Final = 100
"""Most characters held back from a reply that is still being written (see below)."""

_LOADED: Final[HassKey[dict[Conversion, asyncio.Future[Converter]]]] = HassKey(
    f"{DOMAIN}_chinese_script"
)
_LOADING: Final = threading.Lock()
"""Conversions share dictionaries (OpenCC keeps each one once): read them one at a time."""


def _taiwan() -> Converter:
    # OpenCC's s2twp: Taiwan's standard characters and Taiwan's usual words (軟體, 滑鼠),
    # digits and Latin letters untouched. Spoken Taiwanese commands that Huawei's model
    # writes in Simplified come back as Home Assistant's zh-TW sentences write them,
    # except where those write 台 (s2twp writes 臺) or "打開" in a question about a
    # state (s2twp writes 開啟, which commands accept but state lists do not).
    return OpenCC("s2twp").convert


CANTONESE_CONFIG: Final = Path(__file__).parent / "opencc_config" / "s2tw_cantonese.json"
"""OpenCC's s2tw with the written-Cantonese phrases of `CantonesePhrases.txt` beside it."""


def _kept_if_traditional(to_traditional: Converter) -> Converter:
    """Leave text that holds a Traditional character as it is; convert the rest.

    t2s changes a text exactly when it holds a Traditional character (Simplified text,
    Home Assistant's zh-CN sentences all among it, comes through t2s unchanged), so a
    model that writes Traditional characters in any regional form keeps its own.
    """
    to_simplified = OpenCC("t2s").convert

    def convert(text: str) -> str:
        if to_simplified(text) != text:
            return text
        return to_traditional(text)

    return convert


def _hong_kong() -> Converter:
    # Which script Huawei's Cantonese model writes is not documented: Traditional text is
    # kept. Simplified text gets OpenCC's s2tw and not s2hk: Hong Kong's typed text, Home
    # Assistant's zh-HK sentences among it, writes 溫, 戶, 啟 and 為 as Taiwan's standard
    # does, where s2hk writes the reference forms 温, 户, 啓; s2tw lost fewer sentences.
    # The Cantonese copula 係 is written 系 in Simplified, and OpenCC's tables keep 系 (a
    # system, a department): with s2tw alone 1,722 of the 9,087 zh-HK sentences were lost
    # (都係, 燈係開, 係唔係). The 20 phrases of CANTONESE_CONFIG bring every one of them
    # back (1,845 lost in all before, 123 after: 着, 台 and 捲 written as Taiwan writes
    # them), and none of the 318 strings with 系, 係 or 繫 of Home Assistant's own
    # Traditional translations, written in Simplified, comes out otherwise than with s2tw.
    return _kept_if_traditional(OpenCC(str(CANTONESE_CONFIG)).convert)


def _traditional() -> Converter:
    # Characters only, Taiwan's standard forms (s2tw, as for Hong Kong): a home that asks
    # for Traditional characters with Mandarin keeps the words it said (not s2twp's 軟體).
    return _kept_if_traditional(OpenCC("s2tw").convert)


def _simplified() -> Converter:
    # Character for character, no change of words (tw2sp would turn 計程車 into 出租车):
    # the text keeps what the home wrote. tw2s turns Taiwan's 著 of "開著" into 着, which
    # t2s and hk2s leave as 著 (read zhù); hk2s then turns Hong Kong's 枱 into 台. Home
    # Assistant's zh-HK sentences use both 著 and 着, so one chain serves both places,
    # and Simplified text comes through unchanged.
    from_taiwan = OpenCC("tw2s").convert
    from_hong_kong = OpenCC("hk2s").convert
    return lambda text: from_hong_kong(from_taiwan(text))


_BUILDERS: Final[dict[Conversion, Callable[[], Converter]]] = {
    Conversion.TAIWAN: _taiwan,
    Conversion.HONG_KONG: _hong_kong,
    Conversion.TRADITIONAL: _traditional,
    Conversion.SIMPLIFIED: _simplified,
}


def load_converter(conversion: Conversion) -> Converter:
    """Read a conversion's dictionaries and return its converter (blocking: reads files)."""
    with _LOADING:
        return _BUILDERS[conversion]()


@callback
def _loading(hass: HomeAssistant, conversion: Conversion) -> asyncio.Future[Converter]:
    """Return the load of `conversion`, starting it in the executor unless under way or done.

    A load that failed is started again.
    """
    futures = hass.data.setdefault(_LOADED, {})
    future = futures.get(conversion)
    if future is None or _failed(future):
        future = hass.async_add_executor_job(load_converter, conversion)
        # Noted as seen, so that a failure no caller waited for is not logged as unhandled.
        future.add_done_callback(_failed)
        futures[conversion] = future
    return future


@callback
def async_load(hass: HomeAssistant, conversion: Conversion) -> None:
    """Start loading the dictionaries of `conversion` in the executor, without waiting.

    For a caller that needs the converter a little later (a recognition at its start);
    `async_converter` then waits for the same load.
    """
    _loading(hass, conversion)


async def async_converter(hass: HomeAssistant, conversion: Conversion) -> Converter:
    """Return the converter of `conversion`, loading its dictionaries in the executor once.

    Callers that ask while it loads wait for the same load; a caller that is cancelled
    does not cancel it for the others. A load that failed raises its error to those that
    waited for it, and the next call loads again.
    """
    return await asyncio.shield(_loading(hass, conversion))


async def async_readable_converter(
    hass: HomeAssistant, conversion: Conversion, otherwise: str
) -> Converter | None:
    """Return the converter of `conversion` (see `async_converter`), or None without one.

    When the dictionaries cannot be read (a broken installation), one line is logged,
    ending with what the caller does `otherwise`, and None is returned: the caller goes
    on with its text as it is written.
    """
    try:
        return await async_converter(hass, conversion)
    except (OSError, ValueError) as err:
        _LOGGER.error(  # noqa: TRY400 - the reason is in the line; a traceback adds nothing
            "Cannot read OpenCC's dictionaries for the %s conversion (%s); %s",
            conversion.value,
            err,
            otherwise,
        )
        return None


async def async_written(hass: HomeAssistant, conversion: Conversion | None, text: str) -> str:
    """Return `text` converted by `conversion` (None: as it is), loading it first if need be.

    When the dictionaries cannot be read (a broken installation), the text is returned as
    it is and one line is logged: the recognition still has its answer.
    """
    if conversion is None or not text:
        return text
    convert = await async_readable_converter(
        hass, conversion, "the text is left in the script the model wrote it in"
    )
    return text if convert is None else convert(text)


def _failed(future: asyncio.Future[Converter]) -> bool:
    """Whether a load is over without a converter."""
    return future.done() and (future.cancelled() or future.exception() is not None)


@callback
def loaded_converter(hass: HomeAssistant, conversion: Conversion) -> Converter | None:
    """Return the converter of `conversion` if it is loaded already, else None."""
    future = hass.data.get(_LOADED, {}).get(conversion)
    if future is None or not future.done() or _failed(future):
        return None
    return future.result()


def _after_last_break(text: str) -> int:
    """Return the length of the start of `text` that ends with a break (0: no break in it).

    A break is any character that is not a letter: punctuation, a space, a digit, a
    symbol. OpenCC converts by the words of its dictionaries, and every word of the
    Simplified conversion's (tw2s, hk2s) is made of letters, so none spans a break: text
    cut after one converts exactly as the whole does. (Some words of s2tw and s2twp hold
    a "·" or a "-".)
    """
    for index in range(len(text), 0, -1):
        if not text[index - 1].isalpha():
            return index
    return 0


async def async_converted_pieces(
    pieces: AsyncIterable[str], convert: Converter
) -> AsyncGenerator[str]:
    """Convert a text that arrives in pieces to Simplified, handing each part on when safe.

    `convert` is the converter of `Conversion.SIMPLIFIED`.

    The text up to the last break that has arrived is converted and handed on; what
    follows waits for the next break, or the end. Joined, the parts are the conversion of
    the whole text, except in a run of more than `HELD_CHARS` letters without a break,
    which is handed on rather than held any longer (a word across that cut is converted
    in two parts).
    """
    held = ""
    async for piece in pieces:
        # `held` has no break: the last break, if any, is in the new piece.
        cut = _after_last_break(piece)
        cut = len(held) + cut if cut else 0
        held += piece
        if not cut and len(held) > HELD_CHARS:
            cut = len(held)
        if cut:
            yield convert(held[:cut])
            held = held[cut:]
    if held:
        yield convert(held)
