"""Which reading of Huawei's pages the emulator follows where the pages disagree or are silent.

The project's notes on Huawei's disputed points (sis-disputed-points.md) list
them; each field below is one, named by its number there (H1 to H4 for
hot-word tables, T1 and T3 for real-time synthesis), except the last, a point
the pages never mention (the script of the Cantonese model). A `SisServer` holds
one `Readings` (`server.readings`); change a field at any time and the next
request follows it:

    server.readings.dead_table_start = "ignore"
    SisServer(readings=Readings(realtime_voices="all", ssml_refuses=False))

The standalone emulator takes them as `--reading KEY=VALUE`. A value outside
a field's choices raises `ValueError`, also when it is assigned later.

Sources, by short name (as in the disputed points): API 2021 (the API pages of
the `huaweicloudDocs/sis` repository), API now (the current pages), SDK
(Huawei's Python SDK v3 and websocket SDK), Manual (the user manual on hot
words).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any, Final, Literal

type DeadTableStart = Literal["SIS.0201", "other", "ignore"]
type ListOffset = Literal["tables", "pages"]
type NameFilter = Literal["exact", "contains", "ignored"]
type RealtimeVoices = Literal["realtime_pages", "all"]
type VoiceRefusal = Literal["SIS.0411", "property"]
type CantoneseScript = Literal["simplified", "traditional"]

_TRUE: Final = ("true", "yes", "1")
_FALSE: Final = ("false", "no", "0")
_BOOLEAN: Final = (True, False)


def _choices(*values: object, counts: bool = False) -> dict[str, Any]:
    """Field metadata: the values a reading takes; `counts`: any whole number above 0 too."""
    return {"choices": values, "counts": counts}


@dataclass(slots=True)
class Readings:
    """One reading per disputed point, each default the strictest or best documented one.

    Where no reading is better documented, the emulator's earlier answer is the
    default (the field's text says so). The synthesis defaults changed: before
    the switches, every voice of the voice list was taken and no text was
    refused as SSML.
    """

    dead_table_start: DeadTableStart = field(
        default="SIS.0201", metadata=_choices("SIS.0201", "other", "ignore")
    )
    """H1. A recognition START naming a table the project does not have (deleted in the
    console, or of another project). Not documented for START: the pages say only that an
    invalid id errors. "SIS.0201": ERROR SIS.0201, the REST API's "table not found" (API
    2021, API now: the hot-word error table); "other": ERROR SIS.0032 "'vocabulary_id' is
    invalid", the generic code for a bad field; "ignore": START accepted, and the session
    recognises without hot words."""

    english_tables: bool = field(default=True, metadata=_choices(*_BOOLEAN))
    """H2. Whether `english` tables exist. True: as the Manual and the China site's current
    create page list them, on the China site only (cn-north-4, cn-east-3; the international
    site lists `chinese_mandarin` only, which holds under both readings); False: as API 2021
    and the SDK, which list `chinese_mandarin` only: an `english` table is refused with
    SIS.0205 everywhere. True is the emulator's earlier behaviour."""

    list_offset: ListOffset = field(default="tables", metadata=_choices("tables", "pages"))
    """H3. What `offset` of the table list counts. "tables": the first `offset` tables are
    skipped; "pages": `offset` is a page index ("页码偏移量", API now), so `offset * page size`
    tables are skipped. "tables" is the emulator's earlier behaviour."""

    max_page_size: int | None = field(default=None, metadata=_choices(None, 10, counts=True))
    """H3. The largest page of the table list. No maximum is documented: None takes any
    `limit` the emulator allows (1 to 100); a number (say 10) answers a larger `limit` with
    that many tables at most, silently, `count` still counting them all."""

    name_filter: NameFilter = field(
        default="exact", metadata=_choices("exact", "contains", "ignored")
    )
    """H3. The `name` filter of the table list, documented as a body field of the GET
    (API 2021 "请求Body参数", the SDK's `ShowVocabulariesParams`) "to filter table names"
    without saying how. "exact": tables of exactly that name; "contains": tables whose name
    contains it (a fuzzy search); "ignored": the body is not read, every table is listed."""

    # Mirrors the product's sis/vocabulary.py (MAX_TABLES) under the default reading.
    max_tables: int = field(default=100, metadata=_choices(100, 10, counts=True))
    """H4. Tables per account (all projects together), past which a create is SIS.0208: 100
    (API now, "每个用户限制创建100个热词表") or 10 (API 2021, the websocket SDK's sample)."""

    realtime_voices: RealtimeVoices = field(
        default="realtime_pages", metadata=_choices("realtime_pages", "all")
    )
    """T1. The China-site voices real-time synthesis takes. "realtime_pages": only those a
    real-time synthesis page names: xiaoqi, xiaoyu, xiaoyan, xiaowang (API 2021, "only the
    common voices"), huaxiaomei, huaxiaofei (SDK reference), huaxiaolong, huaxiaorui,
    huaxiaohe, -ye, -xue, -jiao, -hui, -kang, -kun, -quan, amy and alvin (API now, its
    text-length clause). "all": those and every voice of the non-streaming `/tts` list of
    the SDK (38 voices); the emulator took those 38 before, without the eight newer ones.
    ME-Riyadh's four voices are the same under both."""

    voice_refusal: VoiceRefusal = field(
        default="SIS.0411", metadata=_choices("SIS.0411", "property")
    )
    """T1. How a voice the service does not take is refused. "SIS.0411": ERROR SIS.0411 (the
    error table's code for a premium voice used against its constraints); "property": ERROR
    SIS.0032 "'property' is invalid", the generic code for a bad field."""

    ssml_refuses: bool = field(default=True, metadata=_choices(*_BOOLEAN))
    """T3. Whether a text holding `<`, `>` or `&` is refused with ERROR SIS.0419 "illegal
    SSML" (the current error table: "the text holds illegal characters"). Whether real-time
    synthesis parses SSML at all is not documented. False: such text is spoken as any other."""

    cantonese_script: CantoneseScript = field(
        default="simplified", metadata=_choices("simplified", "traditional")
    )
    """The script `cantonese_16k_common` writes Chinese in, which no page states (the
    Mandarin models, the Sichuanese and Shanghainese ones among them, write Simplified
    characters in every sample). "simplified": what was said as OpenCC's t2s writes it, as
    the Mandarin models do; "traditional": as OpenCC's s2hk writes it, Hong Kong's standard
    forms (溫 comes back as 温). Simplified is the emulator's earlier behaviour."""

    def __setattr__(self, name: str, value: object) -> None:
        """Refuse a value outside the field's choices, so that a typo cannot pass unnoticed."""
        _check(name, value)
        object.__setattr__(self, name, value)

    def set(self, assignment: str) -> None:
        """Apply one `KEY=VALUE` as typed on a command line (`max_tables=10`)."""
        key, sep, text = assignment.partition("=")
        key = key.strip()
        if not sep or key not in _FIELDS:
            raise ValueError(
                f"Not a reading: {assignment!r}; expected KEY=VALUE, KEY one of: "
                + ", ".join(_FIELDS)
            )
        setattr(self, key, _parse(key, text.strip()))

    @classmethod
    def parse(cls, assignments: Iterable[str]) -> Readings:
        """Readings from `KEY=VALUE` assignments, the defaults for the rest."""
        readings = cls()
        for assignment in assignments:
            readings.set(assignment)
        return readings

    def changed(self) -> dict[str, object]:
        """The fields that differ from the defaults."""
        default = Readings()
        return {
            name: getattr(self, name)
            for name in _FIELDS
            if getattr(self, name) != getattr(default, name)
        }

    def __str__(self) -> str:
        """Every reading as `KEY=VALUE`, in the order of the fields."""
        return " ".join(f"{name}={_format(getattr(self, name))}" for name in _FIELDS)


_FIELDS: Final = {item.name: item for item in fields(Readings)}


def _format(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shown(name: str) -> str:
    """The values a reading takes, as `--help` and errors show them."""
    metadata = _FIELDS[name].metadata
    shown = [_format(choice) for choice in metadata["choices"]]
    return " | ".join([*shown, "any number above 0"] if metadata["counts"] else shown)


def _parse(key: str, text: str) -> object:
    """The value of a field from its text on a command line."""
    choices = _FIELDS[key].metadata["choices"]
    lowered = text.lower()
    if True in choices and lowered in _TRUE:
        return True
    if False in choices and lowered in _FALSE:
        return False
    if None in choices and lowered == "none":
        return None
    if text.isdigit() and _FIELDS[key].metadata["counts"]:
        return int(text)
    return text


def _check(name: str, value: object) -> None:
    if name not in _FIELDS:
        raise AttributeError(f"Readings has no field {name!r}")
    metadata = _FIELDS[name].metadata
    if any(value == choice and type(value) is type(choice) for choice in metadata["choices"]):
        return
    if metadata["counts"] and isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return
    raise ValueError(f"Reading {name} cannot be {value!r}; it takes {_shown(name)}")


def describe() -> list[tuple[str, str, str]]:
    """(key, the values it takes, its default) of every reading, for `--help`."""
    default = Readings()
    return [(name, _shown(name), _format(getattr(default, name))) for name in _FIELDS]
