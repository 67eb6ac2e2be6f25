"""The emulated models' script (tests/sis_server/script.py), and the Sichuanese and
Shanghainese models with their documented limits."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.helpers.raw_client import Connect, create_table, finals
from tests.sis_server import Readings, SisServer, synthesize
from tests.sis_server.script import script_of

pytestmark = pytest.mark.usefixtures("socket_enabled")

MANDARIN_MODELS = [
    ("chinese_16k_general", "pcm16k16bit"),
    ("chinese_16k_common", "pcm16k16bit"),
    ("chinese_8k_general", "pcm8k16bit"),
    ("chinese_8k_common", "pcm8k16bit"),
    ("sichuan_16k_common", "pcm16k16bit"),
    ("shanghai_16k_common", "pcm16k16bit"),
]


async def _heard(
    connect: Connect, text: str, mode: str = "continue-stream", **config: Any
) -> list[dict[str, Any]]:
    """Speak `text` in one session; the messages up to END."""
    client = await connect(mode)
    rate = 8000 if config.get("audio_format") == "pcm8k16bit" else 16000
    assert (await client.start(**config))["resp_type"] == "START"
    await client.audio(synthesize(text, sample_rate=rate, lead_ms=100, tail_ms=100))
    await client.end()
    return await client.until("END")


@pytest.mark.parametrize(("model", "audio_format"), MANDARIN_MODELS)
async def test_mandarin_models_write_simplified_characters(
    connect: Connect, model: str, audio_format: str
) -> None:
    config = {"property": model, "audio_format": audio_format}
    assert finals(await _heard(connect, "打開客廳的燈", **config)) == ["打开客厅的灯"]
    assert finals(await _heard(connect, "打开卧室的空调", **config)) == ["打开卧室的空调"]


async def test_interim_results_are_in_the_model_script_too(connect: Connect) -> None:
    messages = await _heard(connect, "打開客廳的燈", interim_results="yes")
    interims = [
        segment["result"]["text"]
        for message in messages
        if message["resp_type"] == "RESULT"
        for segment in message["segments"]
        if not segment["is_final"]
    ]
    assert interims
    assert all(text in "打开客厅的灯" for text in interims)
    assert finals(messages) == ["打开客厅的灯"]


async def test_cantonese_model_writes_simplified_characters_by_default(
    connect: Connect, server: SisServer
) -> None:
    assert server.readings.cantonese_script == "simplified"
    cantonese = {"property": "cantonese_16k_common"}
    assert finals(await _heard(connect, "打開客廳嘅燈", **cantonese)) == ["打开客厅嘅灯"]


async def test_cantonese_model_can_write_traditional_characters(
    connect: Connect, server: SisServer
) -> None:
    server.readings.cantonese_script = "traditional"
    cantonese = {"property": "cantonese_16k_common"}
    assert finals(await _heard(connect, "打开客厅嘅灯", **cantonese)) == ["打開客廳嘅燈"]
    # Hong Kong's standard forms: 溫 is written 温.
    assert finals(await _heard(connect, "將溫度調到25度", **cantonese)) == ["將温度調到25度"]
    # The Mandarin models are not affected.
    assert finals(await _heard(connect, "打開客廳的燈")) == ["打开客厅的灯"]


async def test_models_of_other_languages_write_what_they_hear(connect: Connect) -> None:
    english = {"property": "english_16k_general"}
    assert finals(await _heard(connect, "open the 車庫 door", **english)) == ["open the 車庫 door"]


async def test_a_misheard_word_is_swapped_after_the_model_writes_it(
    connect: Connect, server: SisServer
) -> None:
    server.mishear("客厅", "课题")
    assert finals(await _heard(connect, "打開客廳的燈")) == ["打开课题的灯"]


def test_only_the_cantonese_model_follows_the_reading() -> None:
    assert script_of("cantonese_16k_common", "traditional") == "traditional"
    assert script_of("sichuan_16k_common", "traditional") == "simplified"
    assert script_of("arabic_16k_general", "simplified") is None
    with pytest.raises(ValueError, match="cantonese_script cannot be 'latin'"):
        Readings().set("cantonese_script=latin")


# --- Sichuanese and Shanghainese: cn-north-4 only, and what each takes ----------------------


@pytest.mark.parametrize(
    ("model", "config", "code", "message"),
    [
        ("sichuan_16k_common", {"digit_norm": "no"}, "SIS.0031", "'digit_norm' is not supported"),
        ("sichuan_16k_common", {"vocabulary_id": "mandarin"}, "SIS.0031", "'vocabulary_id'"),
        ("sichuan_16k_common", {"audio_format": "pcm8k16bit"}, "SIS.0301", "not match model"),
        ("shanghai_16k_common", {"audio_format": "pcm8k16bit"}, "SIS.0301", "not match model"),
        ("shanghai_16k_common", {"max_seconds": 0}, "SIS.0032", "'max_seconds' is invalid"),
    ],
)
async def test_dialect_models_refuse_what_the_documentation_refuses(
    connect: Connect, model: str, config: dict[str, Any], code: str, message: str
) -> None:
    client = await connect()
    error = await client.start(property=model, **config)
    assert (error["resp_type"], error["error_code"]) == ("ERROR", code)
    assert message in error["error_msg"]


@pytest.mark.parametrize("model", ["sichuan_16k_common", "shanghai_16k_common"])
@pytest.mark.parametrize("region", ["cn-east-3", "ap-southeast-3", "me-east-1"])
async def test_dialect_models_are_offered_in_beijing_only(
    connect: Connect, model: str, region: str
) -> None:
    client = await connect("continue-stream", region)
    error = await client.start(property=model)
    assert (error["resp_type"], error["error_msg"]) == ("ERROR", "'property' is invalid")


async def test_shanghainese_takes_digits_and_a_mandarin_table(
    http: aiohttp.ClientSession, connect: Connect, server: SisServer
) -> None:
    table = await create_table(http, server, "mandarin", ["客厅"])
    config = {"property": "shanghai_16k_common", "digit_norm": "yes", "vocabulary_id": table}
    assert finals(await _heard(connect, "打開客廳", **config)) == ["打开客厅"]


@pytest.mark.parametrize(
    ("model", "segments"),
    [
        ("chinese_16k_common", ["a" * 100, "a" * 50]),
        ("sichuan_16k_common", ["a" * 150]),
        ("shanghai_16k_common", ["a" * 150]),
        ("cantonese_16k_common", ["a" * 150]),
    ],
)
async def test_dialect_models_cut_a_sentence_at_ten_seconds_at_the_earliest(
    connect: Connect, model: str, segments: list[str]
) -> None:
    """The dialect models treat a `max_seconds` under 10 as 10: 1.5 s is not cut at 1 s."""
    assert finals(await _heard(connect, "a" * 150, property=model, max_seconds=1)) == segments
