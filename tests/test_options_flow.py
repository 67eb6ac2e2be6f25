"""The options flow: sections, values the service checks before they are saved."""

from __future__ import annotations

from unittest.mock import patch

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.huawei_cloud_sis.const import DOMAIN
from custom_components.huawei_cloud_sis.sis import MAX_WORDS_PER_TABLE, Endpoints
from tests.helpers.entry import PROJECT_ID
from tests.helpers.options import collapsed, form, suggested
from tests.helpers.raw_client import create_table
from tests.helpers.recognise import HttpClient, recognise
from tests.sis_server import ACCESS_KEY, SECRET_KEY, Fault, SisServer

OPTIONS = {
    "mode": "continue-stream",
    "add_punc": True,
    "digit_norm": False,
    "vad_head": 3000,
    "vad_tail": 300,
    "max_seconds": 20,
    "model_zh_cn": "chinese_16k_common",
}


async def test_options_change_the_start_config(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    client: HttpClient,
    http: aiohttp.ClientSession,
) -> None:
    table = await create_table(http, sis_server, "console_zh", ["卧室"])
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["step_id"] == "init"
    assert suggested(result) == {}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(OPTIONS | {"vocabulary_id_zh_cn": "bad id!"})
    )
    assert result["errors"] == {"hot_words": "invalid_vocabulary_id_zh_cn"}
    assert sis_server.sessions == []  # nothing was tried with a bad value
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(OPTIONS | {"vocabulary_id_zh_cn": f" {table} "})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["vocabulary_id_zh_cn"] == table
    # The service tried the new settings once (a custom endpoint: Mandarin) before they were saved.
    [probe] = sis_server.sessions
    assert (probe.mode, probe.end, bytes(probe.audio)) == (
        "continue-stream",
        {"command": "END", "cancel": True},
        b"",
    )
    await hass.async_block_till_done()
    assert (await recognise(client, b"\0" * 3200))["result"] == "success"
    config = sis_server.sessions[-1].config
    assert config == probe.config | {"interim_results": "no"}
    assert sis_server.sessions[-1].mode == "continue-stream"
    assert config["property"] == "chinese_16k_common"
    assert (config["add_punc"], config["digit_norm"]) == ("yes", "no")
    assert (config["vad_head"], config["vad_tail"], config["max_seconds"]) == (3000, 300, 20)
    assert config["vocabulary_id"] == table


async def test_options_the_service_refuses_are_not_saved(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    sentence = OPTIONS | {"mode": "sentence-stream", "vocabulary_id_zh_cn": "  "}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(sentence | {"model_zh_cn": "chinese_16k_general"})
    )
    assert result["type"] is FlowResultType.FORM
    # Said in the form's words at the field to change; the service's own words trail.
    assert result["errors"] == {"recognition": "sentence_mode_refused"}
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert (placeholders["language"], placeholders["code"]) == ("zh-CN", "SIS.0031")
    assert "sentence-stream" in placeholders["message"]
    assert collapsed(result)["recognition"] is False
    assert suggested(result)["model_zh_cn"] == "chinese_16k_general"
    assert loaded_entry.options == {}
    result = await hass.config_entries.options.async_configure(result["flow_id"], form(sentence))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["mode"] == "sentence-stream"
    assert "vocabulary_id_zh_cn" not in loaded_entry.options


@pytest.mark.parametrize("options", [OPTIONS])
async def test_unchanged_settings_are_not_tried_again(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    # The stored options are shown in their sections, in this order; the silence settings
    # and the hot words start collapsed.
    assert suggested(result) == OPTIONS
    assert list(collapsed(result).items()) == [
        ("recognition", False),
        ("voice_detection", True),
        ("hot_words", True),
        ("fallback", False),
        ("voice", False),
    ]
    result = await hass.config_entries.options.async_configure(result["flow_id"], form(OPTIONS))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert sis_server.sessions == []


async def test_answering_early_is_saved_without_asking_the_service(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    assert loaded_entry.runtime_data.checker is None
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"early_answer": True})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["early_answer"] is True
    # Huawei Cloud is asked nothing new: the interim results it is then asked for need no try.
    assert sis_server.sessions == []
    await hass.async_block_till_done()
    assert loaded_entry.runtime_data.checker is not None


@pytest.mark.parametrize(
    ("prepare", "error"),
    [
        # A refused token is replaced once; refused again, the credentials are wrong.
        ([Fault.handshake(status=401), Fault.handshake(status=401)], "invalid_auth"),
        ([Fault.handshake(status=404)], "invalid_project"),
        ([Fault.handshake(status=403)], "permission_denied"),
        ([Fault.hang_handshake(), Fault.hang_handshake()], "cannot_connect"),
        ([Fault.handshake(status=503), Fault.handshake(status=503)], "service_error"),
        ([Fault.start_error("SIS.0103", "real name")], "real_name_required"),
        ([Fault.start_error("SIS.0023", "RESTRICTED")], "account_restricted"),
        # A refusal the probe cannot tie to a field names the language, at the top.
        ([Fault.start_error("SIS.0032", "'vad_tail' is invalid")], "settings_refused"),
    ],
)
async def test_options_when_the_service_cannot_try_them(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    prepare: list[Fault],
    error: str,
) -> None:
    sis_server.faults.extend(prepare)
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], form(OPTIONS))
    assert result["errors"] == {"base": error}
    assert loaded_entry.options == {}


async def test_options_of_an_entry_that_is_not_loaded(
    hass: HomeAssistant, config_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    """Options of an entry that failed to set up are tried with a client made for the purpose."""
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], form(OPTIONS))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert sis_server.sessions[-1].mode == "continue-stream"
    hass.config_entries.async_update_entry(config_entry, data={**config_entry.data, "region": "?"})
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    # A region this release does not know offers no language, so no model to choose either.
    unknown_region = {key: value for key, value in OPTIONS.items() if key != "model_zh_cn"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(unknown_region | {"mode": "short-stream"}, voice=False)
    )
    assert result["errors"] == {"base": "invalid_endpoint"}


async def test_options_of_a_public_region_are_tried_for_each_language(
    hass: HomeAssistant, sis_server: SisServer
) -> None:
    def local(region: str) -> Endpoints:
        return Endpoints.custom(sis_server.sis_url, sis_server.iam_url, region)

    entry = MockConfigEntry(
        domain=DOMAIN,
        data={
            "region": "cn-north-4",
            "auth_type": "aksk",
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "project_id": PROJECT_ID,
        },
        unique_id=PROJECT_ID,
    )
    entry.add_to_hass(hass)
    with patch.object(Endpoints, "for_region", side_effect=local):
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], form(OPTIONS | {"add_punc": False})
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [s.config["property"] for s in sis_server.sessions] == [
        "chinese_16k_common",
        "english_16k_general",
        "cantonese_16k_common",
    ]
    assert "vocabulary_id" not in sis_server.sessions[-1].config


async def test_extra_words_that_give_no_hot_word_are_named(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"extra_words": "Ecobee\n거실\n\n客厅\n!!!\nBed"})
    )
    assert result["errors"] == {"hot_words": "invalid_extra_words"}
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["words"] == "거실, !!!, Bed"
    many = "\n".join(f"{number}楼" for number in range(10, 10 + MAX_WORDS_PER_TABLE + 1))
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"extra_words": many})
    )
    assert result["errors"] == {"hot_words": "too_many_extra_words"}
    assert result["description_placeholders"] == {
        **placeholders,
        "words": "",
        "limit": str(MAX_WORDS_PER_TABLE),
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        form({"extra_words": " Ecobee \n\n客厅\nEcobee", "favour_names": False}),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["extra_words"] == "Ecobee\n客厅"
    assert loaded_entry.options["favour_names"] is False


async def test_an_own_table_is_tried_before_it_is_saved(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    http: aiohttp.ClientSession,
) -> None:
    english = await create_table(http, sis_server, "my_english", ["GARAGE"], language="english")
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    # An English table for Mandarin is refused by the service: not saved.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"vocabulary_id_zh_cn": english})
    )
    assert result["errors"] == {"hot_words": "refused_vocabulary_id_zh_cn"}
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["code"] == "SIS.0205"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({"vocabulary_id_en_us": " bad id "})
    )
    assert result["errors"] == {"hot_words": "invalid_vocabulary_id_en_us"}
    assert loaded_entry.options == {}


async def test_an_error_opens_its_section_and_keeps_what_was_typed(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    typed = OPTIONS | {"extra_words": " Ecobee \nBed", "vad_head": 60001, "volume": -5}
    result = await hass.config_entries.options.async_configure(result["flow_id"], form(typed))
    # One error per section, above it; the text names the field.
    assert result["errors"] == {
        "hot_words": "invalid_extra_words",
        "voice_detection": "out_of_range_vad_head",
        "voice": "out_of_range_volume",
    }
    assert sis_server.sessions == []  # nothing is tried before the form itself is right
    assert typed.items() <= suggested(result).items()
    assert collapsed(result) == {
        "recognition": False,
        "voice_detection": False,
        "hot_words": False,
        "fallback": False,
        "voice": False,
    }
    assert loaded_entry.options == {}


@pytest.mark.parametrize("options", [OPTIONS])
async def test_a_section_the_user_changed_stays_open(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    """A folded section that was opened to change something does not fold shut on an error."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    typed = OPTIONS | {"vad_tail": 400, "speed": 501}
    result = await hass.config_entries.options.async_configure(result["flow_id"], form(typed))
    assert result["errors"] == {"voice": "out_of_range_speed"}
    assert collapsed(result)["voice_detection"] is False  # changed: it was open
    assert collapsed(result)["hot_words"] is True  # left alone: folded, as it starts
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(typed | {"speed": 500})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (loaded_entry.options["vad_tail"], loaded_entry.options["speed"]) == (400, 500)
