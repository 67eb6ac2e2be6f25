"""Replies of Taiwanese (zh-TW) and Cantonese (zh-HK) pipelines, spoken by the Mandarin voices.

Home Assistant writes both in Traditional characters; the Mandarin voices are made for
Simplified ones. Through Home Assistant's entry points (the engine lists, `tts.speak`, the
pipeline's tts stage, the TTS stream a streaming agent feeds) against the local server,
which records the text each synthesis was sent.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.huawei_cloud_sis.chinese_script import Conversion, loaded_converter
from tests.helpers.assist import light_in_area, set_up_assist
from tests.helpers.opencc import dictionary_loads, our_error_line, unreadable_dictionaries
from tests.helpers.options import form
from tests.helpers.pipeline import create_pipeline, run_to_speech
from tests.helpers.speak import (
    TTS_ENTITY_ID,
    entity_of,
    heard_while_written,
    nothing_left,
    pcm_of,
    speak,
    tts_speak,
    without_conversion,
)
from tests.sis_server import SisServer, decode

XIAOQI = "chinese_xiaoqi_common"
XIAOYAN = "chinese_xiaoyan_common"
TAIWAN = "客廳的燈已經開著了，效果很顯著。要幫你關上嗎，還是開著？"
TAIWAN_SENT = "客厅的灯已经开着了，效果很显著。要帮你关上吗，还是开着？"
HONG_KONG = "睡房嘅枱燈已經閂咗。仲有冇其他嘢？"
HONG_KONG_SENT = "睡房嘅台灯已经闩咗。仲有冇其他嘢？"


def sent(server: SisServer) -> list[str]:
    """The text of every synthesis the service was asked for."""
    return [record.text or "" for record in server.syntheses]


async def engine_languages(
    hass_ws_client: WebSocketGenerator, language: str, country: str | None
) -> list[str]:
    """The entity's languages as Home Assistant ranks them for a pipeline's language."""
    ws = await hass_ws_client()
    await ws.send_json_auto_id(
        {"type": "tts/engine/list", "language": language}
        | ({"country": country} if country else {})
    )
    message = await ws.receive_json()
    assert message["success"], message
    [ours] = [p for p in message["result"]["providers"] if p["engine_id"] == TTS_ENTITY_ID]
    languages: list[str] = ours["supported_languages"]
    return languages


@pytest.mark.parametrize(
    ("language", "country", "first"),
    [
        ("zh-TW", None, "zh-TW"),
        ("zh-HK", None, "zh-HK"),
        ("zh-CN", "TW", "zh-CN"),
        # Home Assistant's own Chinese languages, as a default pipeline is made from them.
        ("zh-Hant", "TW", "zh-TW"),
        ("zh-Hant", None, "zh-HK"),
        ("zh-Hans", None, "zh-CN"),
        # A region no tag names: every Chinese tag ranks the same; zh-TW, whose conversion
        # leaves Simplified text as it is.
        ("zh-SG", "SG", "zh-TW"),
    ],
)
async def test_chinese_pipelines_choose_their_own_reply_language(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    language: str,
    country: str | None,
    first: str,
) -> None:
    languages = await engine_languages(hass_ws_client, language, country)
    assert languages[0] == first
    assert set(languages) == {"zh-CN", "zh-TW", "zh-HK"}


@pytest.mark.parametrize("options", [{"voice_zh_cn": XIAOYAN}])
async def test_their_voices_are_the_mandarin_ones(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    ws = await hass_ws_client()
    voices = {}
    for language in ("zh-CN", "zh-TW", "zh-HK"):
        await ws.send_json_auto_id(
            {"type": "tts/engine/voices", "engine_id": TTS_ENTITY_ID, "language": language}
        )
        message = await ws.receive_json()
        assert message["success"], message
        voices[language] = message["result"]["voices"]
    assert voices["zh-TW"] == voices["zh-HK"] == voices["zh-CN"]
    assert voices["zh-TW"][0]["voice_id"] == XIAOQI
    # The voice the options chose for Mandarin speaks them, under each language's own key
    # (Home Assistant's cache key).
    defaults = entity_of(hass).default_options or {}
    assert defaults["voice_zh_tw"] == defaults["voice_zh_hk"] == XIAOYAN


@pytest.mark.parametrize(
    ("language", "message", "simplified"),
    [("zh-TW", TAIWAN, TAIWAN_SENT), ("zh-HK", HONG_KONG, HONG_KONG_SENT)],
)
@pytest.mark.parametrize("options", [{"voice_zh_cn": XIAOYAN}])
async def test_tts_speak_sends_the_mandarin_voice_simplified_text(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_client: ClientSessionGenerator,
    language: str,
    message: str,
    simplified: str,
) -> None:
    assert await async_setup_component(hass, "media_source", {})
    client = await hass_client()
    with dictionary_loads() as loads:
        wav = await tts_speak(hass, client, message, language)
    assert decode(pcm_of(wav)[1]) == simplified
    # The whole message in one synthesis, as for Mandarin, in the options' Mandarin voice.
    assert sent(sis_server) == [simplified]
    assert sis_server.syntheses[0].config["property"] == XIAOYAN
    # The dictionaries were read for it, in a worker thread.
    assert loads
    assert not any(loads)
    # Cached under its own key: the same message again is not sent again.
    await tts_speak(hass, client, message, language)
    assert len(sis_server.syntheses) == 1


async def test_mandarin_replies_are_sent_as_written_and_load_nothing(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    with dictionary_loads() as loads:
        await speak(hass, "好的，客厅的灯已经打开了。", language="zh-CN")
        await speak(hass, "客廳的燈。", language="zh-CN")  # a zh-CN reply is not converted
    assert sent(sis_server) == ["好的，客厅的灯已经打开了。", "客廳的燈。"]
    assert loads == []
    assert loaded_converter(hass, Conversion.SIMPLIFIED) is None


async def test_a_streamed_taiwanese_reply_is_converted_as_it_is_written(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    # Pieces as an agent writes them, cut inside words (顯|著: 显著, not 显着). Text is
    # handed on up to its last break: "要幫" waits for the comma after it.
    written = ["客廳的燈已經開", "著了，效果很顯", "著。要幫", "你關上嗎，"]
    first_sentence = "客厅的灯已经开着了，效果很显著。"
    first, wav = await heard_while_written(hass, written, ["還是開著？"], first_sentence, "zh-TW")
    # The first sentence is heard, converted, while the agent is still writing.
    assert decode(pcm_of(first)[1]) == first_sentence
    assert decode(pcm_of(wav)[1]) == TAIWAN_SENT
    assert "".join(sent(sis_server)) == TAIWAN_SENT
    await nothing_left(sis_server)


async def test_the_intent_and_reply_stages_of_a_taiwanese_pipeline(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    """Home Assistant's own zh-TW answer, in Traditional characters, reaches the voice in
    Simplified ones."""
    await set_up_assist(hass)
    light = light_in_area(hass, "吊燈", "客廳")
    turned_on = async_mock_service(hass, "light", "turn_on")
    ws = await hass_ws_client()
    pipeline_id = await create_pipeline(
        ws,
        "zh-TW",
        stt_engine=None,
        stt_language=None,
        tts_engine=TTS_ENTITY_ID,
        tts_language="zh-TW",
    )
    with without_conversion():
        events, wav = await run_to_speech(
            ws, await hass_client(), pipeline_id, "intent", "打開客廳的吊燈"
        )
    response = events["intent-end"]["data"]["intent_output"]["response"]
    assert response["response_type"] == "action_done", response
    assert [call.data["entity_id"] for call in turned_on] == [[light]]
    answer = response["speech"]["plain"]["speech"]
    assert answer == events["tts-start"]["data"]["tts_input"]
    convert = loaded_converter(hass, Conversion.SIMPLIFIED)
    assert convert is not None
    assert convert(answer) != answer  # the answer is written in Traditional characters
    assert "".join(sent(sis_server)) == convert(answer)
    assert decode(pcm_of(wav)[1]) == convert(answer)


@pytest.mark.parametrize(
    ("language", "country", "default"),
    [
        ("zh-Hant", "TW", "zh-TW"),
        ("zh-Hant", None, "zh-HK"),
        ("zh-Hans", "CN", "zh-CN"),
        # No voice speaks Home Assistant's language: the first language of the voices.
        ("fr", "FR", "zh-CN"),
    ],
)
async def test_home_assistants_language_chooses_the_default(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sis_server: SisServer,
    language: str,
    country: str | None,
    default: str,
) -> None:
    await hass.config.async_update(language=language, country=country)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert entity_of(hass).default_language == default
    # A reply without a language is in Home Assistant's: a Traditional one is converted.
    await speak(hass, "客廳的燈已經開著了。")
    expected = "客廳的燈已經開著了。" if default == "zh-CN" else "客厅的灯已经开着了。"
    assert sent(sis_server) == [expected]


async def test_simplified_text_in_a_taiwanese_reply_is_sent_as_written(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    """What makes zh-TW a safe first choice for a region no tag names (zh-SG)."""
    reply = "新加坡今天三十度，著名的乾隆皇帝。"
    await speak(hass, reply, language="zh-TW")
    assert sent(sis_server) == [reply]


async def test_unreadable_dictionaries_end_the_reply_with_a_clear_error(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        unreadable_dictionaries(),
        pytest.raises(HomeAssistantError, match="cannot be read"),
    ):
        await speak(hass, TAIWAN, language="zh-TW")
    # A broken installation: one line of ours says why (Home Assistant adds one of its own);
    # nothing was sent, nothing is cached.
    assert "the reply is not spoken" in our_error_line(caplog.records).getMessage()
    assert sis_server.syntheses == []
    # Read again for the next reply.
    await speak(hass, TAIWAN, language="zh-TW")
    assert sent(sis_server) == [TAIWAN_SENT]


async def test_a_new_mandarin_voice_speaks_taiwanese_replies_not_their_cached_audio(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_client: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, "media_source", {})
    client = await hass_client()
    await tts_speak(hass, client, TAIWAN, "zh-TW")
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"voice_zh_cn": XIAOYAN})
    )
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    await tts_speak(hass, client, TAIWAN, "zh-TW")
    # Spoken again (the options tried the voice with one word first), in the new voice.
    assert [(r.text, r.config["property"]) for r in sis_server.syntheses] == [
        (TAIWAN_SENT, XIAOQI),
        ("好", XIAOYAN),
        (TAIWAN_SENT, XIAOYAN),
    ]
