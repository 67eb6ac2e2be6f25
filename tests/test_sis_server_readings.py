"""Each reading of a disputed point, as the local server answers it to a raw client.

Every switch of `Readings` is tried with each of its values, over real sockets,
with requests built by hand (never by the client library).
"""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys
from typing import Any

import aiohttp
import pytest

from tests.helpers.raw_client import (
    REGION,
    Connect,
    OpenRtts,
    create_table,
    finals,
    table_request,
)
from tests.sis_server import (
    PROJECTS,
    Readings,
    SisServer,
    __main__ as emulator,
    decode,
    sphinx,
    synthesize,
)
from tests.sis_server.readings import describe
from tests.sis_server.synthesis_rules import REALTIME_PAGE_VOICES

pytestmark = pytest.mark.usefixtures("socket_enabled")

ROOT = Path(__file__).parent.parent
WAIT = 2.0


async def _json(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await ws.receive(timeout=WAIT)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    data: dict[str, Any] = json.loads(message.data)
    return data


async def _quiet(ws: aiohttp.ClientWebSocketResponse, seconds: float = 0.2) -> None:
    """Nothing more arrives for `seconds`."""
    with pytest.raises(TimeoutError):
        await ws.receive(timeout=seconds)


# --- the switches themselves --------------------------------------------------------------------


def test_defaults_are_the_strict_or_earlier_readings() -> None:
    readings = Readings()
    assert str(readings) == (
        "dead_table_start=SIS.0201 english_tables=true list_offset=tables max_page_size=none "
        "name_filter=exact max_tables=100 realtime_voices=realtime_pages voice_refusal=SIS.0411 "
        "ssml_refuses=true cantonese_script=simplified"
    )
    assert readings.changed() == {}
    assert SisServer().readings == readings


def test_readings_from_a_command_line() -> None:
    readings = Readings.parse(
        ["dead_table_start=ignore", "english_tables=false", "max_page_size=10", "max_tables=3"]
    )
    assert readings.changed() == {
        "dead_table_start": "ignore",
        "english_tables": False,
        "max_page_size": 10,
        "max_tables": 3,
    }
    readings.set("max_page_size=none")
    readings.set(" ssml_refuses = no ")
    assert readings.max_page_size is None
    assert readings.ssml_refuses is False


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("dead_table_start=SIS.201", "dead_table_start cannot be 'SIS.201'"),
        ("english_tables=maybe", "takes true | false"),
        ("max_tables=0", "cannot be 0"),
        ("max_tables=ten", "any number above 0"),
        ("max_page_size=-1", "cannot be '-1'"),
        ("realtime_voices=some", "realtime_pages | all"),
        ("loud=yes", "Not a reading"),
        ("max_tables", "expected KEY=VALUE"),
    ],
)
def test_a_wrong_reading_is_refused(assignment: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Readings().set(assignment)


def test_a_wrong_value_is_refused_when_assigned_too() -> None:
    readings = Readings()
    with pytest.raises(ValueError, match="english_tables cannot be 1"):
        readings.english_tables = 1  # type: ignore[assignment]
    with pytest.raises(ValueError, match="max_tables cannot be True"):
        readings.max_tables = True
    with pytest.raises(ValueError, match="list_offset"):
        Readings(list_offset="rows")  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        readings.loud = True


def test_the_emulator_takes_readings(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[Any, ...]] = []

    async def fake_serve(*args: Any) -> None:
        served.append(args)

    monkeypatch.setattr(emulator, "serve", fake_serve)
    monkeypatch.setattr(sphinx, "available", lambda: False)
    argv = ["sis-emulator", "--reading", "max_tables=10", "--reading", "name_filter=contains"]
    monkeypatch.setattr(sys, "argv", [*argv, "--reading", "cantonese_script=traditional"])
    emulator.main()
    assert served[0][-1] == Readings(
        max_tables=10, name_filter="contains", cantonese_script="traditional"
    )
    monkeypatch.setattr(sys, "argv", ["sis-emulator", "--reading", "max_tables=none"])
    with pytest.raises(SystemExit):
        emulator.main()
    assert len(served) == 1


def test_the_emulator_help_lists_every_reading() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.sis_server", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    for key, values, default in describe():
        assert f"{key}={default}  ({values})" in result.stdout


# --- H1: a recognition START naming a table that is gone ---------------------------------------


async def _recognise(ws: Any, text: str) -> list[str]:
    await ws.audio(synthesize(text, tail_ms=600))
    await ws.end()
    return finals(await ws.until("END"))


@pytest.mark.parametrize("reading", ["SIS.0201", "other", "ignore"])
async def test_h1_start_naming_a_deleted_table(
    http: aiohttp.ClientSession, server: SisServer, connect: Connect, reading: Any
) -> None:
    server.readings.dead_table_start = reading
    server.mishear("植物间", "职务间")
    table = await create_table(http, server, "console_zh", ["植物间"])
    ws = await connect("short-stream")
    assert (await ws.start(vocabulary_id=table))["resp_type"] == "START"
    assert await _recognise(ws, "打开植物间的灯") == ["打开植物间的灯"]  # the table helps
    status, _ = await table_request(http, server, "DELETE", f"/{table}")
    assert status == 200

    answer = await ws.start(vocabulary_id=table)
    if reading == "ignore":
        assert answer["resp_type"] == "START"
        assert await _recognise(ws, "打开植物间的灯") == ["打开职务间的灯"]  # no hot words
        return
    assert answer["resp_type"] == "ERROR"
    if reading == "SIS.0201":
        assert (answer["error_code"], answer["error_msg"]) == (
            "SIS.0201",
            f"the vocabulary {table} is not found",
        )
    else:
        assert (answer["error_code"], answer["error_msg"]) == (
            "SIS.0032",
            "'vocabulary_id' is invalid",
        )
    await ws.quiet()  # no session was active: no END follows the ERROR
    assert server.sessions[-1].sent == [answer]
    assert (await ws.start())["resp_type"] == "START"  # the connection goes on


@pytest.mark.parametrize("reading", ["other", "ignore"])
async def test_h1_other_refusals_of_a_table_stay(
    http: aiohttp.ClientSession, server: SisServer, connect: Connect, reading: Any
) -> None:
    server.readings.dead_table_start = reading
    english = await create_table(http, server, "console_en", ["GARAGE"], language="english")
    answer = await (await connect("short-stream")).start(vocabulary_id=english)
    assert (answer["resp_type"], answer["error_code"]) == ("ERROR", "SIS.0205")


# --- H2: english tables ------------------------------------------------------------------------

ENGLISH = {"name": "console_en", "language": "english", "contents": ["GARAGE"]}


@pytest.mark.parametrize("reading", [True, False])
@pytest.mark.parametrize("region", list(PROJECTS))
async def test_h2_english_tables(
    http: aiohttp.ClientSession, server: SisServer, reading: bool, region: str
) -> None:
    server.readings.english_tables = reading
    taken = reading and region in ("cn-north-4", "cn-east-3")
    status, data = await table_request(http, server, "POST", "", ENGLISH, region=region)
    if taken:
        assert status == 200, data
    else:
        assert (status, data["error_code"]) == (400, "SIS.0205")
        assert data["error_msg"] == "the language 'english' is not supported"
    mandarin = await create_table(http, server, "console_zh", ["客厅"], region=region)
    renamed = ENGLISH | {"name": "console_zh"}
    status, data = await table_request(http, server, "PUT", f"/{mandarin}", renamed, region=region)
    assert (status, (data or {}).get("error_code")) == ((200, None) if taken else (400, "SIS.0205"))


# --- H3: paging and the name filter of the list ------------------------------------------------


async def _list(
    http: aiohttp.ClientSession, server: SisServer, query: dict[str, str], body: Any = None
) -> tuple[int, list[str]]:
    """The count and the names of one page of the table list."""
    status, data = await table_request(http, server, "GET", "", body, query=query)
    assert status == 200, data
    assert set(data) == {"count", "result"}
    return data["count"], [table["name"] for table in data["result"]]


NAMES = [f"t{n:02}" for n in range(25)]


@pytest.mark.parametrize(
    ("offset_counts", "max_page_size", "query", "first", "last"),
    [
        ("tables", None, {"limit": "5", "offset": "1"}, 1, 6),
        ("pages", None, {"limit": "5", "offset": "1"}, 5, 10),
        ("tables", 10, {"limit": "5", "offset": "1"}, 1, 6),
        ("pages", 10, {"limit": "5", "offset": "1"}, 5, 10),
        ("tables", None, {"offset": "2"}, 2, 12),
        ("pages", None, {"offset": "2"}, 20, 25),
        ("tables", None, {"limit": "100"}, 0, 25),
        ("pages", None, {"limit": "100"}, 0, 25),
        ("tables", 10, {"limit": "100"}, 0, 10),
        ("pages", 10, {"limit": "100"}, 0, 10),
        ("tables", 10, {"limit": "20", "offset": "1"}, 1, 11),
        ("pages", 10, {"limit": "20", "offset": "1"}, 10, 20),
        ("pages", None, {"limit": "20", "offset": "1"}, 20, 25),
        ("tables", None, {"limit": "1", "offset": "25"}, 25, 25),
        ("pages", 10, {"limit": "100", "offset": "3"}, 25, 25),
    ],
)
async def test_h3_paging(
    http: aiohttp.ClientSession,
    server: SisServer,
    offset_counts: Any,
    max_page_size: int | None,
    query: dict[str, str],
    first: int,
    last: int,
) -> None:
    server.readings.list_offset = offset_counts
    server.readings.max_page_size = max_page_size
    for name in NAMES:
        server.tables.add(PROJECTS[REGION], {"name": name, "language": "x", "contents": []})
    assert await _list(http, server, query) == (len(NAMES), NAMES[first:last])


@pytest.mark.parametrize("reading", ["tables", "pages"])
async def test_h3_bad_paging_is_refused_under_either_reading(
    http: aiohttp.ClientSession, server: SisServer, reading: Any
) -> None:
    server.readings.list_offset = reading
    server.readings.max_page_size = 10
    for query in ({"limit": "101"}, {"limit": "0"}, {"offset": "-1"}):
        status, data = await table_request(http, server, "GET", query=query)
        assert (status, data["error_code"]) == (400, "SIS.0032")


@pytest.mark.parametrize(
    ("reading", "found"),
    [
        ("exact", ["home"]),
        ("contains", ["home", "home_en", "my_home"]),
        ("ignored", ["home", "home_en", "my_home", "other"]),
    ],
)
async def test_h3_name_filter(
    http: aiohttp.ClientSession, server: SisServer, reading: Any, found: list[str]
) -> None:
    server.readings.name_filter = reading
    for name in ("home", "home_en", "my_home", "other"):
        await create_table(http, server, name, ["客厅"])
    assert await _list(http, server, {}, {"name": "home"}) == (len(found), found)
    assert await _list(http, server, {}, {"name": "nothing"}) == (
        (4, found) if reading == "ignored" else (0, [])
    )
    status, data = await table_request(http, server, "GET", "", {"name": 5})
    if reading == "ignored":  # the body is not read at all
        assert status == 200
    else:
        assert (status, data["error_code"]) == (400, "SIS.0032")


# --- H4: tables per account --------------------------------------------------------------------


@pytest.mark.parametrize("reading", [10, 100, 2])
async def test_h4_tables_per_account(
    http: aiohttp.ClientSession, server: SisServer, reading: int
) -> None:
    server.readings.max_tables = reading
    for n in range(reading):
        region = "cn-east-3" if n % 2 else REGION  # the limit counts every project
        await create_table(http, server, f"t{n}", ["客厅"], region=region)
    body = {"name": "one_more", "language": "chinese_mandarin", "contents": ["客厅"]}
    status, data = await table_request(http, server, "POST", "", body)
    assert (status, data) == (400, {"error_code": "SIS.0208", "error_msg": "too many vocabularies"})
    assert len(server.tables) == reading


# --- T1: which voices real-time synthesis takes -------------------------------------------------


async def _synthesise(
    ws: aiohttp.ClientWebSocketResponse, text: str, **config: Any
) -> dict[str, Any] | str | None:
    """START one text; return the ERROR, or the text the audio decodes to."""
    await ws.send_json({"command": "START", "text": text, "config": config})
    answer = await _json(ws)
    if answer["resp_type"] != "START":
        return answer
    audio = bytearray()
    while (message := await ws.receive(timeout=WAIT)).type is aiohttp.WSMsgType.BINARY:
        audio += message.data
    assert json.loads(message.data)["resp_type"] == "END"
    return decode(bytes(audio), int(config.get("sample_rate", "8000")))


VOICES = [
    "chinese_xiaoqi_common",
    "chinese_xiaowang_common",
    "chinese_huaxiaomei_common",
    "chinese_huaxiaohe_common",
    "english_alvin_common",
    "chinese_xiaowen_common",
    "chinese_huaxiaoxia_common",
    "english_cameal_common",
]


@pytest.mark.parametrize("refusal", ["SIS.0411", "property"])
@pytest.mark.parametrize("reading", ["realtime_pages", "all"])
@pytest.mark.parametrize("voice", VOICES)
async def test_t1_voices(
    server: SisServer, open_rtts: OpenRtts, reading: Any, refusal: Any, voice: str
) -> None:
    server.readings.realtime_voices = reading
    server.readings.voice_refusal = refusal
    ws = await open_rtts()
    outcome = await _synthesise(ws, "你好", property=voice)
    if reading == "all" or voice in REALTIME_PAGE_VOICES:
        assert outcome == "你好"
        return
    assert isinstance(outcome, dict)
    code = "SIS.0411" if refusal == "SIS.0411" else "SIS.0032"
    assert (outcome["resp_type"], outcome["error_code"], outcome["error_msg"]) == (
        "ERROR",
        code,
        "'property' is invalid",
    )
    await _quiet(ws)  # no END: nothing was being synthesised
    assert await _synthesise(ws, "好", property="chinese_xiaoqi_common") == "好"


@pytest.mark.parametrize("refusal", ["SIS.0411", "property"])
@pytest.mark.parametrize("reading", ["realtime_pages", "all"])
async def test_t1_unknown_voices_and_riyadh(
    server: SisServer, open_rtts: OpenRtts, reading: Any, refusal: Any
) -> None:
    server.readings.realtime_voices = reading
    server.readings.voice_refusal = refusal
    code = "SIS.0411" if refusal == "SIS.0411" else "SIS.0032"
    for region, voice in (
        ("cn-north-4", "chinese_nobody_common"),
        ("cn-north-4", "arabic_dh_male"),
        ("me-east-1", "chinese_xiaoqi_common"),
    ):
        outcome = await _synthesise(await open_rtts(region), "你好", property=voice)
        assert isinstance(outcome, dict)
        assert (outcome["error_code"], outcome["error_msg"]) == (code, "'property' is invalid")
    riyadh = await open_rtts("me-east-1")
    assert await _synthesise(riyadh, "hello", property="english_dh_female") == "hello"


@pytest.mark.parametrize("reading", ["realtime_pages", "all"])
async def test_t1_premium_voices_still_refuse_a_pitch(
    server: SisServer, open_rtts: OpenRtts, reading: Any
) -> None:
    server.readings.realtime_voices = reading
    for voice in ("chinese_huaxiaolong_common", "chinese_huaxiaohe_common"):
        outcome = await _synthesise(await open_rtts(), "你好", property=voice, pitch=0)
        assert isinstance(outcome, dict)
        assert outcome["error_code"] == "SIS.0411"


# --- T3: characters SSML gives a meaning to -----------------------------------------------------


@pytest.mark.parametrize("reading", [True, False])
@pytest.mark.parametrize("text", ["a<b", "a>b", "Tom & Jerry", "<speak>hi</speak>", "a b"])
async def test_t3_ssml_characters(
    server: SisServer, open_rtts: OpenRtts, reading: bool, text: str
) -> None:
    server.readings.ssml_refuses = reading
    ws = await open_rtts()
    outcome = await _synthesise(ws, text, property="chinese_xiaoqi_common")
    if not reading or text == "a b":
        assert outcome == text
        return
    assert isinstance(outcome, dict)
    assert (outcome["resp_type"], outcome["error_code"], outcome["error_msg"]) == (
        "ERROR",
        "SIS.0419",
        "illegal SSML: the text holds illegal characters",
    )
    await _quiet(ws)
    assert server.syntheses[-1].sent == [outcome]
