"""The emulated real-time synthesis API, driven by a raw client: strict about what it takes."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.helpers.raw_client import OpenRtts, get_token, refused
from tests.sis_server import PROJECTS, SisServer, decode
from tests.sis_server.readings import Readings
from tests.sis_server.synthesis_rules import Accepted, Refusal, check_start


async def _json(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await ws.receive(timeout=2)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    data: dict[str, Any] = json.loads(message.data)
    return data


async def test_start_audio_end(open_rtts: OpenRtts, server: SisServer) -> None:
    ws = await open_rtts()
    config = {"audio_format": "pcm", "sample_rate": "16000", "property": "chinese_xiaoyu_common"}
    await ws.send_json({"command": "START", "text": "欢迎使用。", "config": config})
    start = await _json(ws)
    assert start["resp_type"] == "START"
    audio = bytearray()
    while (message := await ws.receive(timeout=2)).type is aiohttp.WSMsgType.BINARY:
        assert len(message.data) <= 3200
        audio += message.data
    end = json.loads(message.data)
    assert end == {"resp_type": "END", "trace_id": start["trace_id"], "reason": "NORMAL"}
    assert decode(bytes(audio)) == "欢迎使用。"
    # One text per connection.
    await ws.send_json({"command": "START", "text": "再来一次。"})
    assert (await _json(ws))["error_code"] == "SIS.0418"
    assert server.syntheses[-1].text == "欢迎使用。"


async def test_defaults_without_config_and_an_error_keeps_the_connection(
    open_rtts: OpenRtts,
) -> None:
    ws = await open_rtts()
    await ws.send_json({"command": "START", "text": "好", "config": {"volume": 101}})
    assert (await _json(ws))["error_code"] == "SIS.0415"
    await ws.send_bytes(b"\x00\x00")
    assert (await _json(ws))["error_code"] == "SIS.0032"
    await ws.send_str("not json")
    assert (await _json(ws))["error_code"] == "SIS.0032"
    await ws.send_json({"command": "START", "text": "好"})
    assert (await _json(ws))["resp_type"] == "START"
    message = await ws.receive(timeout=2)
    # The default is 8 kHz: one byte of text is 80 samples.
    assert message.type is aiohttp.WSMsgType.BINARY
    assert len(message.data) == 3 * 80 * 2


async def test_no_text_in_time_is_fatal(open_rtts: OpenRtts, server: SisServer) -> None:
    server.idle_timeout = 0.2
    ws = await open_rtts()
    fatal = await _json(ws)
    assert (fatal["resp_type"], fatal["error_code"]) == ("FATAL_ERROR", "SIS.0416")
    assert (await ws.receive(timeout=2)).type in (
        aiohttp.WSMsgType.CLOSE,
        aiohttp.WSMsgType.CLOSED,
    )


async def test_singapore_has_no_synthesis_api(
    http: aiohttp.ClientSession, server: SisServer
) -> None:
    token = await get_token(http, server, "ap-southeast-3")
    url = f"{server.sis_url}/v1/{PROJECTS['ap-southeast-3']}/rtts"
    status, _, body = await refused(http, url, {"X-Auth-Token": token})
    assert (status, body["error_code"]) == (404, "APIG.0101")
    status, _, body = await refused(http, f"{server.sis_url}/v1/{PROJECTS['cn-north-4']}/rtts")
    assert (status, body["error_code"]) == (401, "APIG.0301")


async def test_alaw_is_sent_as_one_byte_a_sample(open_rtts: OpenRtts) -> None:
    ws = await open_rtts("cn-east-3")
    config = {"audio_format": "alaw", "sample_rate": "8000"}
    await ws.send_json({"command": "START", "text": "a", "config": config})
    await _json(ws)
    message = await ws.receive(timeout=2)
    assert message.data == b"\xd5" * 80


def _start(text: str = "好", **config: Any) -> dict[str, Any]:
    return {"command": "START", "text": text, "config": config}


@pytest.mark.parametrize(
    ("command", "region", "code"),
    [
        ({"command": "END"}, "cn-north-4", "SIS.0032"),
        ([], "cn-north-4", "SIS.0032"),
        ({"command": "START"}, "cn-north-4", "SIS.0012"),
        ({"command": "START", "text": 5}, "cn-north-4", "SIS.0032"),
        ({"command": "START", "text": "a", "config": []}, "cn-north-4", "SIS.0032"),
        (_start(emotion="happy"), "cn-north-4", "SIS.0031"),
        (_start(property="chinese_nobody_common"), "cn-north-4", "SIS.0411"),
        (_start(property="arabic_dh_male"), "cn-north-4", "SIS.0411"),
        (_start(property="chinese_xiaoqi_common"), "me-east-1", "SIS.0411"),
        (_start(), "me-east-1", "SIS.0012"),
        (_start(property="arabic_dh_male", speed=0), "me-east-1", "SIS.0031"),
        (_start(property="arabic_dh_male", audio_format="alaw"), "me-east-1", "SIS.0410"),
        (_start(audio_format="mp3"), "cn-north-4", "SIS.0410"),
        (
            _start(property="chinese_huaxiaomei_common", audio_format="ulaw"),
            "cn-east-3",
            "SIS.0410",
        ),
        (_start(sample_rate=16000), "cn-north-4", "SIS.0402"),
        (_start(sample_rate="24000"), "cn-north-4", "SIS.0402"),
        (
            _start(property="chinese_huanvxia_literature", sample_rate="8000"),
            "cn-north-4",
            "SIS.0402",
        ),
        (_start(speed=-501), "cn-north-4", "SIS.0415"),
        (_start(pitch=True), "cn-north-4", "SIS.0415"),
        (_start(property="chinese_huaxiaoxia_common", pitch=0), "cn-north-4", "SIS.0411"),
        (_start(subtitle="word_level"), "cn-north-4", "SIS.0031"),
        (_start(property="english_dh_male", subtitle="frame"), "me-east-1", "SIS.0031"),
        (_start("好" * 500), "cn-north-4", "SIS.0415"),
        (_start("😀" * 250), "cn-north-4", "SIS.0415"),
        (_start("a" * 10001, property="english_amy_common"), "cn-north-4", "SIS.0415"),
    ],
)
def test_refusals(command: Any, region: str, code: str) -> None:
    # Every voice of the voice list, so that the rules of each voice are checked.
    outcome = check_start(command, region, Readings(realtime_voices="all"))
    assert isinstance(outcome, Refusal)
    assert outcome.code == code


@pytest.mark.parametrize(
    ("command", "region"),
    [
        (_start("好" * 499), "cn-north-4"),
        (_start("a" * 10000, property="english_amy_common"), "cn-east-3"),
        (_start("a" * 10000, property="arabic_dh_female", subtitle="word_level"), "me-east-1"),
        (_start(property="chinese_huaxiaomei_common", subtitle="phoneme_level"), "cn-north-4"),
        (_start(property="chinese_huaxiaoxia_common", speed=100, volume=0), "cn-north-4"),
    ],
)
def test_accepted(command: Any, region: str) -> None:
    assert isinstance(check_start(command, region, Readings(realtime_voices="all")), Accepted)
