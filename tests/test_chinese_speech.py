"""Every Chinese-speaking home: Taiwan, Hong Kong, Sichuanese and Shanghainese.

Through Home Assistant's own entry points: `assist_pipeline/run` from stage stt
to stage intent with the default conversation agent, `POST /api/stt/<entity>`
and the options flow, against the local server, whose Mandarin models write
Simplified characters and whose Cantonese model writes the script its reading
`cantonese_script` says.
"""

from __future__ import annotations

import threading
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.components import stt
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.huawei_cloud_sis import chinese_script, stt as sis_stt
from custom_components.huawei_cloud_sis.chinese_script import Conversion, loaded_converter
from custom_components.huawei_cloud_sis.const import DOMAIN
from custom_components.huawei_cloud_sis.sis import Endpoints
from tests.helpers.assist import light_in_area, say, set_up_assist
from tests.helpers.entry import PROJECT_ID
from tests.helpers.opencc import recording_opencc
from tests.helpers.options import choices, fields, form
from tests.helpers.pipeline import new_pipeline, with_progress
from tests.helpers.raw_client import create_table
from tests.helpers.recognise import HttpClient, recognise
from tests.sis_server import ACCESS_KEY, PROJECTS, SECRET_KEY, SisServer, synthesize

MANDARIN_CHOICES = ["chinese_16k_general", "chinese_16k_common"]
DIALECT_CHOICES = ["sichuan_16k_common", "shanghai_16k_common"]


# Assist matches what was said ---------------------------------------------------------------


async def test_a_taiwanese_command_is_recognised_with_mandarin_and_matched(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    await set_up_assist(hass)
    light = light_in_area(hass, "吊燈", "客廳")
    calls = async_mock_service(hass, "light", "turn_on")
    pipeline_id = await new_pipeline(hass_ws_client, "zh-TW")
    heard = await say(hass_ws_client, pipeline_id, "打開客廳的燈")
    config = sis_server.sessions[-1].config
    assert (config["property"], config["digit_norm"]) == ("chinese_16k_general", "yes")
    # The model wrote 打开客厅的灯; Taiwan writes 開啟, which zh-TW's sentences take.
    assert heard["text"] == "開啟客廳的燈"
    assert heard["response"]["response_type"] == "action_done", heard
    assert [call.data["entity_id"] for call in calls] == [[light]]


@pytest.mark.parametrize("script", ["simplified", "traditional"])
async def test_a_cantonese_command_is_matched_whichever_script_the_model_writes(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_ws_client: WebSocketGenerator,
    script: Any,
) -> None:
    sis_server.readings.cantonese_script = script
    await set_up_assist(hass)
    light = light_in_area(hass, "吊燈", "客廳")
    calls = async_mock_service(hass, "light", "turn_on")
    pipeline_id = await new_pipeline(hass_ws_client, "zh-HK")
    heard = await say(hass_ws_client, pipeline_id, "打開客廳嘅燈")
    assert sis_server.sessions[-1].config["property"] == "cantonese_16k_common"
    assert heard["text"] == "打開客廳嘅燈"
    assert heard["response"]["response_type"] == "action_done", heard
    assert [call.data["entity_id"] for call in calls] == [[light]]
    # The Cantonese copula: 係, which Simplified characters write 系.
    heard = await say(hass_ws_client, pipeline_id, "吊燈係唔係開咗")
    assert heard["text"] == "吊燈係唔係開咗"
    assert heard["response"]["response_type"] == "query_answer", heard


async def test_without_the_conversion_assist_would_not_match(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The same zh-TW pipeline with the text left as the model writes it: no match."""
    await set_up_assist(hass)
    light_in_area(hass, "吊燈", "客廳")
    calls = async_mock_service(hass, "light", "turn_on")
    pipeline_id = await new_pipeline(hass_ws_client, "zh-TW")
    with patch.object(sis_stt, "async_written", lambda hass, conversion, text: _as_is(text)):
        heard = await say(hass_ws_client, pipeline_id, "打開客廳的燈")
    assert heard["text"] == "打开客厅的灯"
    assert heard["response"]["response_type"] == "error"
    assert calls == []


async def _as_is(text: str) -> str:
    return text


# The script option ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "cantonese_script", "language", "spoken", "written"),
    [
        ({}, "simplified", "zh-TW", "打開客廳的燈", "開啟客廳的燈"),
        ({"script_zh_tw": "simplified"}, "simplified", "zh-TW", "打開客廳的燈", "打开客厅的灯"),
        ({}, "simplified", "zh-CN", "打開軟件和鼠標", "打开软件和鼠标"),
        # Characters only, the words said are kept (not Taiwan's 軟體 and 滑鼠).
        (
            {"script_zh_cn": "traditional"},
            "simplified",
            "zh-CN",
            "打开软件和鼠标",
            "打開軟件和鼠標",
        ),
        ({}, "simplified", "zh-HK", "打開客廳嘅燈", "打開客廳嘅燈"),
        ({}, "traditional", "zh-HK", "打開客廳嘅燈", "打開客廳嘅燈"),
        ({"script_zh_hk": "simplified"}, "traditional", "zh-HK", "打開客廳嘅燈", "打开客厅嘅灯"),
        ({"script_zh_hk": "simplified"}, "simplified", "zh-HK", "打開客廳嘅燈", "打开客厅嘅灯"),
        # English is left alone whatever the Chinese languages choose.
        ({"script_zh_cn": "traditional"}, "simplified", "en-US", "turn on", "turn on"),
    ],
)
async def test_the_text_is_written_in_the_script_the_options_choose(
    client: HttpClient,
    sis_server: SisServer,
    cantonese_script: Any,
    language: str,
    spoken: str,
    written: str,
) -> None:
    sis_server.readings.cantonese_script = cantonese_script
    answer = await recognise(client, synthesize(spoken), language=language)
    assert answer == {"text": written, "result": "success"}


@pytest.mark.skipif(
    sis_stt.PARTIAL_SPEECH_RESULT is not None,
    reason="Home Assistant has PartialSpeechResult: the real class is used",
)
async def test_partial_texts_are_written_in_the_same_script(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    items = await with_progress(hass, synthesize("打開客廳的燈"), "zh-TW")
    *partials, result = items
    assert result == stt.SpeechResult("開啟客廳的燈", stt.SpeechResultState.SUCCESS)
    texts = [item.text for item in partials]
    assert texts
    assert "開啟客廳的燈" in texts
    # No partial text holds a Simplified character of the model's 打开客厅的灯.
    assert not any(character in text for text in texts for character in "开厅灯")


# Off the event loop, only when needed -----------------------------------------------------------


async def test_the_dictionaries_are_read_off_the_event_loop_at_the_first_request(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer
) -> None:
    threads: list[threading.Thread] = []
    loops: list[bool] = []
    with patch.object(chinese_script, "OpenCC", recording_opencc(threads, loops)):
        # Mandarin written as the model writes it: nothing to read.
        assert (await recognise(client, synthesize("打开客厅的灯")))["text"] == "打开客厅的灯"
        assert threads == []
        assert not any(loaded_converter(hass, conversion) for conversion in Conversion)
        answer = await recognise(client, synthesize("打開客廳的燈"), language="zh-TW")
        assert answer["text"] == "開啟客廳的燈"
        read = len(threads)
        answer = await recognise(client, synthesize("關閉客廳的燈"), language="zh-TW")
        assert answer["text"] == "關閉客廳的燈"
    assert read
    assert len(threads) == read  # read once, then shared
    assert threading.main_thread() not in threads
    assert not any(loops)
    assert loaded_converter(hass, Conversion.TAIWAN) is not None
    assert loaded_converter(hass, Conversion.HONG_KONG) is None


# Sichuanese and Shanghainese --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "digit_norm", "takes_table"),
    [("sichuan_16k_common", None, False), ("shanghai_16k_common", "yes", True)],
)
async def test_the_dialect_models_get_only_what_they_take(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sis_server: SisServer,
    http: aiohttp.ClientSession,
    hass_client: ClientSessionGenerator,
    model: str,
    digit_norm: str | None,
    takes_table: bool,
) -> None:
    table = await create_table(http, sis_server, "mine", ["客厅"])
    options = {
        "mode": "continue-stream",
        "max_seconds": 5,
        "model_zh_cn": model,
        "vocabulary_id_zh_cn": table,
    }
    hass.config_entries.async_update_entry(config_entry, options=options)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    client: HttpClient = await hass_client()
    for language, written in (("zh-CN", "打开客厅的灯"), ("zh-TW", "開啟客廳的燈")):
        answer = await recognise(client, synthesize("打開客廳的燈"), language=language)
        assert answer == {"text": written, "result": "success"}
        config = sis_server.sessions[-1].config
        assert config["property"] == model
        assert config.get("digit_norm") == digit_norm
        assert config.get("vocabulary_id") == (table if takes_table else None)
        # The dialect models treat less than 10 s as 10 s: 10 is sent.
        assert config["max_seconds"] == 10


# The options -------------------------------------------------------------------------------------


def _entry(hass: HomeAssistant, region: str, project_id: str = PROJECT_ID) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={
            "region": region,
            "auth_type": "aksk",
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "project_id": project_id,
        },
        unique_id=project_id,
    )
    entry.add_to_hass(hass)
    return entry


@pytest.mark.parametrize(
    ("region", "models", "scripts"),
    [
        (
            "cn-north-4",
            MANDARIN_CHOICES + DIALECT_CHOICES,
            ["script_zh_tw", "script_zh_cn", "script_zh_hk"],
        ),
        ("cn-east-3", MANDARIN_CHOICES, ["script_zh_tw", "script_zh_cn"]),
        # The international site lists only the general Mandarin model: no choice to make.
        ("ap-southeast-3", [], ["script_zh_tw", "script_zh_cn"]),
        ("me-east-1", [], ["script_zh_tw", "script_zh_cn"]),
        (
            "custom",
            MANDARIN_CHOICES + DIALECT_CHOICES,
            ["script_zh_tw", "script_zh_cn", "script_zh_hk"],
        ),
    ],
)
async def test_the_options_offer_a_model_only_where_the_region_does(
    hass: HomeAssistant, region: str, models: list[str], scripts: list[str]
) -> None:
    entry = _entry(hass, region)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    # One Mandarin model choice, for zh-CN and zh-TW alike; a script choice per language.
    assert fields(result, "recognition") == [
        "mode",
        "add_punc",
        "digit_norm",
        "early_answer",
        *(["model_zh_cn"] if models else []),
        *scripts,
    ]
    if models:
        assert choices(result, "model_zh_cn") == models
    for key in scripts:
        assert choices(result, key) == ["simplified", "traditional"]


async def test_the_script_defaults_are_traditional_for_taiwan_and_hong_kong(
    hass: HomeAssistant,
) -> None:
    result = await hass.config_entries.options.async_init(_entry(hass, "custom").entry_id)
    schema = result["data_schema"]
    assert schema is not None
    recognition = schema.schema["recognition"].schema.schema
    defaults = {str(key): key.default() for key in recognition if str(key).startswith("script_")}
    assert defaults == {
        "script_zh_tw": "traditional",
        "script_zh_cn": "simplified",
        "script_zh_hk": "traditional",
    }


async def test_a_dialect_model_the_region_lacks_cannot_be_chosen(hass: HomeAssistant) -> None:
    entry = _entry(hass, "cn-east-3", PROJECTS["cn-east-3"])
    result = await hass.config_entries.options.async_init(entry.entry_id)
    with pytest.raises(Exception, match="model_zh_cn"):
        await hass.config_entries.options.async_configure(
            result["flow_id"], form({"model_zh_cn": "sichuan_16k_common"})
        )


async def test_a_dialect_model_is_tried_by_the_service_before_it_is_saved(
    hass: HomeAssistant, sis_server: SisServer
) -> None:
    def local(region: str) -> Endpoints:
        return Endpoints.custom(sis_server.sis_url, sis_server.iam_url, region)

    entry = _entry(hass, "cn-north-4")
    with patch.object(Endpoints, "for_region", side_effect=local):
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            form({"model_zh_cn": "sichuan_16k_common", "mode": "sentence-stream"}),
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # zh-TW and zh-CN ask the same of the service: tried once.
    assert [session.config["property"] for session in sis_server.sessions] == [
        "sichuan_16k_common",
        "english_16k_general",
        "cantonese_16k_common",
    ]
    sichuanese = sis_server.sessions[0].config
    assert "digit_norm" not in sichuanese
    assert sichuanese["max_seconds"] == 30
    assert entry.options["model_zh_cn"] == "sichuan_16k_common"


async def test_a_dialect_model_the_service_refuses_is_not_saved(
    hass: HomeAssistant, sis_server: SisServer
) -> None:
    """A custom endpoint may be any region: here one whose project is in Shanghai."""
    entry = _entry(hass, "custom", PROJECTS["cn-east-3"])
    hass.config_entries.async_update_entry(
        entry,
        data=entry.data | {"sis_endpoint": sis_server.sis_url, "iam_endpoint": sis_server.iam_url},
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"model_zh_cn": "shanghai_16k_common"})
    )
    assert result["errors"] == {"base": "settings_refused"}
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert (placeholders["language"], placeholders["code"]) == ("zh-CN", "SIS.0032")
    assert entry.options == {}


@pytest.mark.parametrize("options", [{"mode": "continue-stream"}])
async def test_a_script_is_saved_without_asking_the_service(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"mode": "continue-stream", "script_zh_tw": "simplified"})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["script_zh_tw"] == "simplified"
    assert sis_server.sessions == []
