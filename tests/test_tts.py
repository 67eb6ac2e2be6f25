"""The text-to-speech entity through Home Assistant's entry points, against the local server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import logging
from typing import Any

from homeassistant.components.tts.const import DATA_TTS_MANAGER
from homeassistant.components.tts.entity import TTSAudioRequest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.huawei_cloud_sis.const import DOMAIN
from custom_components.huawei_cloud_sis.diagnostics import async_get_config_entry_diagnostics
from custom_components.huawei_cloud_sis.tts import wav_header
from tests.helpers.checks import wait_for
from tests.helpers.entry import public_entry, public_regions_at, reauth_flows
from tests.helpers.options import form
from tests.helpers.pipeline import create_pipeline, run_to_speech
from tests.helpers.recognise import ENTITY_ID as STT_ENTITY_ID
from tests.helpers.speak import (
    TTS_ENTITY_ID,
    entity_of,
    heard_while_written,
    nothing_left,
    pcm_of,
    read,
    speak,
    stream,
    texts,
    tts_speak,
    without_conversion,
)
from tests.sis_server import (
    Fault,
    SisServer,
    decode,
)

TTS_LOGGER = "custom_components.huawei_cloud_sis.tts"
REPLY = "好的，客厅的灯已经打开了。现在室内温度是二十五度，湿度百分之四十。需要我把空调也打开吗？"


def failure_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == TTS_LOGGER and r.levelno >= logging.WARNING]


async def test_the_entity_sits_on_the_service_device(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    tts_entry = registry.async_get(TTS_ENTITY_ID)
    stt_entry = registry.async_get(STT_ENTITY_ID)
    assert tts_entry is not None
    assert stt_entry is not None
    assert tts_entry.device_id == stt_entry.device_id
    device = dr.async_get(hass).async_get(tts_entry.device_id or "")
    assert isinstance(device, dr.DeviceEntry)
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    entity = entity_of(hass)
    assert entity is not None
    # A custom endpoint may offer every voice; Home Assistant's language is the default.
    # Taiwanese and Cantonese replies are spoken by the Mandarin voices.
    assert entity.supported_languages == ["zh-TW", "zh-CN", "zh-HK", "en-US", "ar"]
    assert entity.default_language == "en-US"
    # A call may name a voice, or a language's voice under its option key (the entity's
    # default options hold the voices in effect: see the cache tests).
    assert entity.supported_options == [
        "voice",
        "speed",
        "pitch",
        "volume",
        "voice_zh_tw",
        "voice_zh_cn",
        "voice_zh_hk",
        "voice_en_us",
        "voice_ar",
    ]


async def test_voices_are_listed_per_language(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    ws = await hass_ws_client()
    await ws.send_json_auto_id(
        {"type": "tts/engine/voices", "engine_id": TTS_ENTITY_ID, "language": "en-US"}
    )
    message = await ws.receive_json()
    assert message["success"], message
    voices = message["result"]["voices"]
    # Named as the options name them, in Home Assistant's language; premium says it costs more.
    # The default first: a voice a real-time synthesis page names.
    assert voices[0] == {
        "voice_id": "english_amy_common",
        "name": "Amy (mature female, premium: costs double)",
    }
    assert {"voice_id": "english_dh_male", "name": "Ahmed (male, premium: costs double)"} in voices
    entity = entity_of(hass)
    assert entity is not None
    zh = entity.async_get_supported_voices("zh-CN")
    assert zh is not None
    # The voices a real-time synthesis page names, not the 35 of Huawei's whole voice list.
    assert len(zh) == 8
    assert zh[0].name == "Xiaoqi 小琪 (neutral female, standard)"
    assert "chinese_huaxiaoxia_common" not in {voice.voice_id for voice in zh}
    assert entity.async_get_supported_voices("fr-FR") is None


async def test_voices_are_named_in_home_assistants_language(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    await hass.config.async_update(language="zh-Hans")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    entity = entity_of(hass)
    assert entity is not None
    zh = entity.async_get_supported_voices("zh-CN")
    assert zh is not None
    assert zh[0].name == "小琪（标准女声，普通）"
    names = {voice.voice_id: voice.name for voice in zh}
    assert names["chinese_huaxiaomei_common"] == "华小美（温柔女声，精品：费用加倍）"


async def test_a_message_comes_back_as_wav(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    wav = await speak(hass, REPLY, language="zh-CN")
    assert wav[:44] == wav_header(16000)
    rate, pcm = pcm_of(wav)
    assert rate == 16000
    assert decode(pcm) == REPLY
    # The default Mandarin voice and settings, as the service takes them.
    assert sis_server.syntheses[0].config == {
        "audio_format": "pcm",
        "sample_rate": "16000",
        "property": "chinese_xiaoqi_common",
        "speed": 0,
        "pitch": 0,
        "volume": 50,
    }
    await nothing_left(sis_server)


async def test_tts_speak_plays_the_media_source_url(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_client: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, "media_source", {})
    message = "Dinner is ready. Come to the kitchen!"
    wav = await tts_speak(hass, await hass_client(), message, "en-US", voice="english_amy_common")
    assert decode(pcm_of(wav)[1]) == message
    # Premium voices take no pitch: it is left out.
    assert sis_server.syntheses[-1].config["property"] == "english_amy_common"
    assert "pitch" not in sis_server.syntheses[-1].config


async def test_the_pipeline_tts_stage_uses_the_pipeline_voice(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "assist_pipeline", {})
    ws = await hass_ws_client()
    pipeline_id = await create_pipeline(
        ws,
        name="Huawei voice",
        tts_engine=TTS_ENTITY_ID,
        tts_language="zh-CN",
        tts_voice="chinese_xiaoyu_common",
    )
    with without_conversion():
        _, wav = await run_to_speech(ws, await hass_client(), pipeline_id, "tts", REPLY)
    _, pcm = pcm_of(wav)
    assert decode(pcm) == REPLY
    assert {s.config["property"] for s in sis_server.syntheses} == {"chinese_xiaoyu_common"}


async def test_a_streamed_reply_is_spoken_before_it_is_complete(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    sentence = "好的，客厅的灯已经打开了。"
    first, wav = await heard_while_written(
        hass, [REPLY[:20]], [REPLY[20:40], REPLY[40:]], sentence, "zh-CN"
    )
    # The first sentence is heard while the agent is still writing.
    assert decode(pcm_of(first)[1]) == sentence
    assert decode(pcm_of(wav)[1]) == REPLY
    assert sis_server.syntheses[0].text == "好的，客厅的灯已经打开了。"
    await nothing_left(sis_server)


async def test_a_long_reply_is_split_within_the_limits(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    long = "这是一段没有句号的很长的回答，" * 60 + "最后结束。"

    async def agent() -> AsyncGenerator[str]:
        for start in range(0, len(long), 7):
            yield long[start : start + 7]
            await asyncio.sleep(0)

    result = stream(hass, language="zh-CN")
    result.async_set_message_stream(texts(agent()))
    assert decode(pcm_of(await read(result))[1]) == long
    sent = [s.text or "" for s in sis_server.syntheses]
    assert "".join(sent) == long
    assert len(sent) > 1
    assert all(len(text) < 500 for text in sent)
    assert all(s.sent[-1]["resp_type"] == "END" for s in sis_server.syntheses)


async def test_cancelling_mid_reply_closes_every_connection(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    sis_server.synthesis_gate = gate = asyncio.Event()
    endless = asyncio.Event()

    async def agent() -> AsyncGenerator[str]:
        yield "第一句话。第"
        await asyncio.sleep(0)
        yield "二句话。第三"
        await endless.wait()

    result = stream(hass, language="zh-CN")
    result.async_set_message_stream(texts(agent()))
    await wait_for(lambda: len(sis_server.syntheses) == 2, "two connections")
    loading = [t for t in asyncio.all_tasks() if t.get_name().startswith("tts_load_data")]
    assert len(loading) == 1
    loading[0].cancel()
    gate.set()
    await nothing_left(sis_server)
    assert all(record.closed.is_set() for record in sis_server.syntheses)


async def test_a_reply_that_outlives_an_unload_is_spoken_to_its_end(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Saving the options reloads the entry: a reply being spoken meanwhile goes on."""
    sis_server.synthesis_gate = gate = asyncio.Event()
    result = stream(hass, language="zh-CN")
    result.async_set_message("打开客厅的灯。关闭空调。")
    reading = asyncio.ensure_future(read(result))
    await wait_for(lambda: bool(sis_server.syntheses), "the synthesis at the server")
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    gate.set()
    _, pcm = pcm_of(await reading)
    assert decode(pcm) == "打开客厅的灯。关闭空调。"
    assert "Traceback" not in caplog.text
    await nothing_left(sis_server)


async def test_entry_options_and_call_options_are_applied(
    hass: HomeAssistant, config_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            "voice_zh_cn": "chinese_xiaoyan_common",
            "speed": 100,
            "pitch": -50,
            "volume": 80,
        },
    )
    # Hua Xiaoxia is on no real-time synthesis page: only a service that takes every voice of
    # the voice list (reading T1 "all") speaks with it.
    sis_server.readings.realtime_voices = "all"
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await speak(hass, "你好。", language="zh-CN")
    await speak(hass, "你好。", language="zh-CN", speed=-200, volume=10)
    await speak(hass, "你好。", language="zh-CN", voice="chinese_huaxiaoxia_common")
    # The cn-north-4 project has no Riyadh voice: the service says so.
    with pytest.raises(HomeAssistantError, match=r"code SIS\.0411"):
        await speak(hass, "مرحبا", language="ar")
    configs = [record.config for record in sis_server.syntheses]
    base = {"audio_format": "pcm", "sample_rate": "16000"}
    assert configs[0] == base | {
        "property": "chinese_xiaoyan_common",
        "speed": 100,
        "pitch": -50,
        "volume": 80,
    }
    assert configs[1] == configs[0] | {"speed": -200, "volume": 10}
    assert configs[2] == base | {
        "property": "chinese_huaxiaoxia_common",
        "speed": 100,
        "volume": 80,
    }
    # The cn-north-4 project has no Riyadh voice: the service says so.
    assert configs[3] == base | {"property": "arabic_dh_female"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"voice": "chinese_nobody_common"}, "No voice"),
        ({"speed": 900}, "speed must be"),
        ({"volume": "loud"}, "volume must be"),
    ],
)
async def test_bad_call_options_end_in_a_clear_error(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    options: dict[str, Any],
    message: str,
) -> None:
    entity = entity_of(hass)
    assert entity is not None

    async def one() -> AsyncGenerator[str]:
        yield "你好。"

    with pytest.raises(HomeAssistantError, match=message):
        await entity.async_stream_tts_audio(TTSAudioRequest("zh-CN", options, one()))
    assert sis_server.syntheses == []


FAULTS: list[tuple[list[Fault], str]] = [
    ([Fault.handshake(401), Fault.handshake(401)], "HTTP 401"),
    ([Fault.handshake(403)], "HTTP 403"),
    ([Fault.handshake(404)], "HTTP 404"),
    ([Fault.hang_handshake(), Fault.hang_handshake()], "SisTimeoutError"),
    ([Fault.start_error("SIS.0402", "'sample_rate' is invalid")], "SIS.0402"),
    ([Fault.start_error("SIS.0103", "real name")], "SIS.0103"),
    ([Fault.error_after_start("SIS.0401", "failed")], "SIS.0401"),
    ([Fault.fatal_after_start("SIS.0417", "engine")], "SIS.0417"),
    ([Fault.malformed_json()], "SisProtocolError"),
    ([Fault.close_after_bytes(3200)], "SisConnectionError"),
    ([Fault.stall_after_bytes(0)], "SisTimeoutError"),
    ([Fault.stall_after_bytes(3200)], "SisTimeoutError"),
]


@pytest.mark.parametrize(("faults", "code"), FAULTS, ids=[code for _, code in FAULTS])
async def test_every_fault_ends_cleanly_with_one_line(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
    faults: list[Fault],
    code: str,
) -> None:
    sis_server.faults.extend(faults)
    result = stream(hass, language="zh-CN")
    result.async_set_message("打开客厅的灯。" * 4)
    with pytest.raises(HomeAssistantError, match="Speech synthesis failed"):
        await read(result)
    [line] = failure_lines(caplog)
    assert f"code {code}," in line.getMessage()
    assert line.exc_info is None
    trace_ids = [s.sent[0]["trace_id"] for s in sis_server.syntheses if s.sent]
    if trace_ids:
        assert f"trace id {trace_ids[0]}" in line.getMessage()
    sis_server.faults.clear()
    await nothing_left(sis_server)
    assert bool(reauth_flows(hass, loaded_entry)) == (code == "HTTP 401")
    # The next reply works.
    _, pcm = pcm_of(await speak(hass, "好的。", language="zh-CN"))
    assert decode(pcm) == "好的。"


async def test_only_punctuation_gives_an_empty_wav(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    wav = await speak(hass, "……！", language="zh-CN")
    assert wav == wav_header(16000)
    assert sis_server.syntheses == []


async def test_no_entity_where_the_region_has_no_synthesis(
    hass: HomeAssistant, sis_server: SisServer
) -> None:
    entry = public_entry(hass, "ap-southeast-3")
    with public_regions_at(sis_server):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(STT_ENTITY_ID) is not None
    assert er.async_get(hass).async_get_entity_id("tts", DOMAIN, entry.entry_id) is None


# --- voices the service refuses (T1), SSML it refuses (T3) ---------------------------------------

XIAOXIA = "chinese_huaxiaoxia_common"
"""A voice of Huawei's voice list that no real-time synthesis page names."""
XIAOQI = "chinese_xiaoqi_common"
"""The Mandarin default: named by every real-time page."""
VOICE_REFUSALS = ["SIS.0411", "property"]
"""How the local server refuses a voice: ERROR SIS.0411, or SIS.0032 "'property' is invalid"."""


def refused_issue(hass: HomeAssistant, entry: MockConfigEntry, voice: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"voice_refused_{entry.entry_id}_{voice}")


def refused_starts(server: SisServer) -> list[str]:
    """The voices of the syntheses the service refused."""
    return [
        str(record.config.get("property"))
        for record in server.syntheses
        if record.sent and record.sent[0]["resp_type"] == "ERROR"
    ]


def spoken_voices(server: SisServer) -> list[str]:
    """The voices of the syntheses that were spoken to their end."""
    return [str(r.config.get("property")) for r in server.syntheses if r.ended_at is not None]


def defaults(hass: HomeAssistant) -> dict[str, Any]:
    """The entity's default options: the voices and settings in effect."""
    return dict(entity_of(hass).default_options or {})


def offered(hass: HomeAssistant, language: str = "zh-CN") -> set[str]:
    voices = entity_of(hass).async_get_supported_voices(language) or []
    return {voice.voice_id for voice in voices}


@pytest.mark.parametrize("voice_refusal", VOICE_REFUSALS)
async def test_a_refused_voice_still_speaks_the_reply_and_is_remembered(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    voice_refusal: str,
) -> None:
    sis_server.readings.voice_refusal = voice_refusal  # type: ignore[assignment]
    hass.config_entries.async_update_entry(config_entry, options={"voice_zh_cn": XIAOXIA})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    # Chosen before, it is still listed: only the service can tell whether it takes it.
    assert XIAOXIA in offered(hass)
    assert defaults(hass)["voice_zh_cn"] == XIAOXIA

    wav = await speak(hass, REPLY, language="zh-CN")
    # The reply plays, whole, in the language's default voice.
    assert decode(pcm_of(wav)[1]) == REPLY
    assert refused_starts(sis_server) == [XIAOXIA]
    assert set(spoken_voices(sis_server)) == {XIAOQI}
    issue = refused_issue(hass, config_entry, XIAOXIA)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["voice"] == XIAOXIA
    assert issue.translation_placeholders["spoken"] == XIAOQI
    code = "SIS.0411" if voice_refusal == "SIS.0411" else "SIS.0032"
    assert issue.translation_placeholders["code"] == code
    [line] = [r for r in caplog.records if "refused the voice" in r.getMessage()]
    assert line.levelno == logging.WARNING
    assert f"spoken in {XIAOQI}" in line.getMessage()
    assert failure_lines(caplog) == []
    # No longer offered; replies and Home Assistant's cache key go with the default voice.
    assert XIAOXIA not in offered(hass)
    assert defaults(hass)["voice_zh_cn"] == XIAOQI
    await speak(hass, "再说一遍。", language="zh-CN")
    assert refused_starts(sis_server) == [XIAOXIA]  # not asked again
    assert spoken_voices(sis_server)[-1] == XIAOQI

    # Kept across a restart of the entry: the service is not asked again.
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[f"{DOMAIN}.learned_voices.{config_entry.entry_id}"]["data"]
    [region] = stored["regions"].values()
    assert region["refused_voices"][XIAOXIA]["code"] == code
    assert refused_issue(hass, config_entry, XIAOXIA) is not None
    assert XIAOXIA not in offered(hass)
    await speak(hass, "好的。", language="zh-CN")
    assert refused_starts(sis_server) == [XIAOXIA]
    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)
    assert (
        XIAOXIA
        in diagnostics["learned_voices"]["regions"][diagnostics["learned_voices"]["region"]][
            "refused_voices"
        ]
    )
    await nothing_left(sis_server)


async def test_tts_speak_in_a_refused_voice_plays(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_client: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, "media_source", {})
    wav = await tts_speak(hass, await hass_client(), REPLY, "zh-CN", voice=XIAOXIA)
    assert decode(pcm_of(wav)[1]) == REPLY
    assert refused_starts(sis_server) == [XIAOXIA]
    assert refused_issue(hass, loaded_entry, XIAOXIA) is not None


async def test_a_call_that_names_a_refused_voice_keeps_its_issue_up(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    # A voice assistant (or a call) names the voice; the entry's options do not.
    await speak(hass, "你好。", language="zh-CN", voice=XIAOXIA)
    assert refused_issue(hass, loaded_entry, XIAOXIA) is not None
    # After a restart the options do not ask for it: no issue until a reply asks again.
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert refused_issue(hass, loaded_entry, XIAOXIA) is None
    wav = await speak(hass, "再见。", language="zh-CN", voice=XIAOXIA)
    assert decode(pcm_of(wav)[1]) == "再见。"
    assert refused_starts(sis_server) == [XIAOXIA]  # spoken at once in the default voice
    assert spoken_voices(sis_server)[-1] == XIAOQI
    assert refused_issue(hass, loaded_entry, XIAOXIA) is not None


async def test_a_voice_the_service_takes_is_not_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    sis_server.readings.realtime_voices = "all"
    wav = await speak(hass, "你好。", language="zh-CN", voice=XIAOXIA)
    assert decode(pcm_of(wav)[1]) == "你好。"
    assert spoken_voices(sis_server) == [XIAOXIA]
    assert refused_issue(hass, loaded_entry, XIAOXIA) is None
    assert loaded_entry.runtime_data.voices.refused == frozenset()


async def test_a_refused_default_voice_falls_back_to_the_next_one(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    sis_server.faults.append(Fault.start_error("SIS.0411", "'property' is invalid"))
    wav = await speak(hass, "你好。", language="zh-CN")
    assert decode(pcm_of(wav)[1]) == "你好。"
    assert spoken_voices(sis_server) == ["chinese_xiaoyu_common"]
    # The next default leads the list now.
    assert entity_of(hass).async_get_supported_voices("zh-CN")[0].voice_id == (  # type: ignore[index]
        "chinese_xiaoyu_common"
    )
    assert defaults(hass)["voice_zh_cn"] == "chinese_xiaoyu_common"


MARKED = "客厅温度<25度 & 湿度>40。好的。"


async def test_text_refused_as_ssml_still_plays(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wav = await speak(hass, MARKED, language="zh-CN")
    assert decode(pcm_of(wav)[1]) == "客厅温度 25度   湿度 40。好的。"
    assert sis_server.syntheses[0].sent[0].get("error_code") == "SIS.0419"
    assert failure_lines(caplog) == []
    assert loaded_entry.runtime_data.voices.markup_refused
    # Learned: the next reply goes without those characters at once.
    await speak(hass, "甲<乙。", language="zh-CN")
    assert sis_server.syntheses[-1].text == "甲 乙。"
    assert len(sis_server.syntheses) == 3


async def test_ssml_characters_go_as_they_are_where_the_service_takes_them(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    sis_server.readings.ssml_refuses = False
    wav = await speak(hass, MARKED, language="zh-CN")
    assert decode(pcm_of(wav)[1]) == MARKED
    assert [r.text for r in sis_server.syntheses] == [MARKED]
    assert not loaded_entry.runtime_data.voices.markup_refused


async def test_a_reply_left_early_still_remembers_the_refusal(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    sis_server.synthesis_gate = asyncio.Event()
    result = stream(hass, language="zh-CN", voice=XIAOXIA)
    result.async_set_message(REPLY)
    audio = result.async_stream_result()
    await anext(audio)
    await audio.aclose()
    loading = [t for t in asyncio.all_tasks() if t.get_name().startswith("tts_load_data")]
    for task in loading:
        task.cancel()
    sis_server.synthesis_gate.set()
    await nothing_left(sis_server)
    assert loaded_entry.runtime_data.voices.refused == {XIAOXIA}


# --- Home Assistant's cache follows the options -------------------------------------------------

CACHED = "晚饭做好了，请到厨房来。"


async def _speak_cached(hass: HomeAssistant, client: Any) -> bytes:
    return await tts_speak(hass, client, CACHED, "zh-CN")


async def _choose_voice(hass: HomeAssistant, entry: MockConfigEntry, voice: str) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"voice_zh_cn": voice})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the entry reloads


@pytest.mark.parametrize("cache", ["memory", "disk"])
async def test_tts_speak_after_a_voice_change_reaches_the_service_with_the_new_voice(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_client: ClientSessionGenerator,
    cache: str,
) -> None:
    assert await async_setup_component(hass, "media_source", {})
    client = await hass_client()
    manager = hass.data[DATA_TTS_MANAGER]

    def cached_only_on_disk() -> None:
        if cache == "disk":
            manager.mem_cache.clear()

    await _speak_cached(hass, client)
    assert spoken_voices(sis_server) == [XIAOQI]
    # The same message again comes from the cache: the service is not asked.
    cached_only_on_disk()
    assert decode(pcm_of(await _speak_cached(hass, client))[1]) == CACHED
    assert len(sis_server.syntheses) == 1

    await _choose_voice(hass, loaded_entry, "chinese_xiaoyu_common")
    cached_only_on_disk()
    assert decode(pcm_of(await _speak_cached(hass, client))[1]) == CACHED
    # The options tried the voice with one word, then the message was spoken in it.
    assert [r.text for r in sis_server.syntheses][1:] == ["好", CACHED]
    assert spoken_voices(sis_server)[1:] == ["chinese_xiaoyu_common"] * 2

    # Back to the first voice: its audio is still cached under its own key.
    await _choose_voice(hass, loaded_entry, XIAOQI)
    cached_only_on_disk()
    await _speak_cached(hass, client)
    assert [r.text for r in sis_server.syntheses][3:] == ["好"]
