"""Every refusal of the options reaches the frontend: through Home Assistant's REST flow API.

The frontend shows a form error only under a top-level key of the form (a section, or
`base`); an error keyed by a field inside a section is dropped without a word. These tests
drive the options flow as the frontend does, over `/api/config/config_entries/options/flow`,
refuse every field a person can type into, and check where each error lands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.huawei_cloud_sis.const import DOMAIN
from custom_components.huawei_cloud_sis.sis import MAX_WORDS_PER_TABLE, Endpoints
from tests.helpers.raw_client import create_table
from tests.helpers.recognise import HttpClient
from tests.sis_server import ACCESS_KEY, PROJECTS, SECRET_KEY, Fault, SisServer

FLOWS = "/api/config/config_entries/options/flow"
TRANSLATIONS = Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
REGION = "cn-north-4"
"""A region with Mandarin and English tables and speech synthesis: every section shows."""
MANY_WORDS = "\n".join(f"{number}楼" for number in range(10, 11 + MAX_WORDS_PER_TABLE))

# Each refusal: the section and answer typed into it, and the error the form must show.
# `{zh_table}` and `{en_table}` stand for tables of the entry's project in each language.
REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    (
        "recognition",
        {"mode": "sentence-stream", "model_zh_cn": "chinese_16k_general"},
        "sentence_mode_refused",
    ),
    ("voice_detection", {"vad_head": 60001}, "out_of_range_vad_head"),
    ("voice_detection", {"vad_tail": -1}, "out_of_range_vad_tail"),
    ("voice_detection", {"max_seconds": 0}, "out_of_range_max_seconds"),
    ("hot_words", {"extra_words": "Ecobee\nBed"}, "invalid_extra_words"),
    ("hot_words", {"extra_words": MANY_WORDS}, "too_many_extra_words"),
    ("hot_words", {"vocabulary_id_zh_cn": "bad id!"}, "invalid_vocabulary_id_zh_cn"),
    ("hot_words", {"vocabulary_id_en_us": "bad id!"}, "invalid_vocabulary_id_en_us"),
    ("hot_words", {"vocabulary_id_zh_cn": "{en_table}"}, "refused_vocabulary_id_zh_cn"),
    ("hot_words", {"vocabulary_id_en_us": "{zh_table}"}, "refused_vocabulary_id_en_us"),
    ("hot_words", {"vocabulary_id_zh_cn": "not_a_table"}, "refused_vocabulary_id_zh_cn"),
    ("voice", {"speed": 501}, "out_of_range_speed"),
    ("voice", {"pitch": -501}, "out_of_range_pitch"),
    ("voice", {"volume": 101}, "out_of_range_volume"),
]
TYPED = {"text", "number"}
"""Selectors a person types into: each such field must be refused somewhere above."""


def _strings(language: str) -> dict[str, str]:
    data = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
    errors: dict[str, str] = data["options"]["error"]
    return errors


ERRORS = {language: _strings(language) for language in ("en", "zh-Hans", "zh-Hant")}


@pytest.fixture
async def api(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sis_server: SisServer
) -> AsyncIterator[HttpClient]:
    """Home Assistant's REST API with the config panel's flow views."""
    assert await async_setup_component(hass, "config", {})
    client: HttpClient = await hass_client()

    def local(region: str) -> Endpoints:
        return Endpoints.custom(sis_server.sis_url, sis_server.iam_url, region)

    with patch.object(Endpoints, "for_region", side_effect=local):
        yield client


@pytest.fixture
def public_entry(hass: HomeAssistant) -> MockConfigEntry:
    """An entry of a public region (its endpoints lead to the local server)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={
            "region": REGION,
            "auth_type": "aksk",
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "project_id": PROJECTS[REGION],
        },
        unique_id=PROJECTS[REGION],
    )
    entry.add_to_hass(hass)
    return entry


async def _post(api: HttpClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(path, json=body)
    answer: dict[str, Any] = await response.json()
    # A 400 would carry Home Assistant's raw English schema message instead of ours.
    assert response.status == 200, answer
    return answer


def _section_names(form: dict[str, Any]) -> list[str]:
    return [str(part["name"]) for part in form["data_schema"]]


def _expanded(form: dict[str, Any]) -> dict[str, bool]:
    return {str(part["name"]): bool(part["expanded"]) for part in form["data_schema"]}


def _fields(form: dict[str, Any]) -> dict[str, str]:
    """Each field of the form and the kind of selector it has."""
    return {
        str(field["name"]): next(iter(field["selector"]))
        for part in form["data_schema"]
        for field in part["schema"]
    }


async def test_every_refused_field_is_shown_above_its_section(
    hass: HomeAssistant,
    api: HttpClient,
    public_entry: MockConfigEntry,
    sis_server: SisServer,
    http: aiohttp.ClientSession,
) -> None:
    tables = {
        "{zh_table}": await create_table(http, sis_server, "console_zh", ["客厅"]),
        "{en_table}": await create_table(http, sis_server, "en", ["GARAGE"], language="english"),
    }
    form = await _post(api, FLOWS, {"handler": public_entry.entry_id})
    sections = _section_names(form)
    assert sections == ["recognition", "voice_detection", "hot_words", "fallback", "voice"]
    walked = {field for _, answer, _ in REFUSALS for field in answer}
    typed = {field for field, kind in _fields(form).items() if kind in TYPED}
    assert typed <= walked, f"never refused: {typed - walked}"
    for section, answer, error in REFUSALS:
        typed_answer = {key: tables.get(value, value) for key, value in answer.items()}
        form = await _post(
            api,
            f"{FLOWS}/{form['flow_id']}",
            {name: {} for name in sections} | {section: typed_answer},
        )
        assert form["type"] == "form", (answer, form)
        errors: dict[str, str] = form["errors"]
        # Shown: keyed by a section of the form (its text names the field), or base.
        assert set(errors) <= {*_section_names(form), "base"}, errors
        assert errors == {section: error}, answer
        assert _expanded(form)[section] is True, answer
        for language, strings in ERRORS.items():
            assert error in strings, (language, error)
            needed = set(PLACEHOLDER.findall(strings[error]))
            assert needed <= set(form["description_placeholders"]), (language, error)
    assert public_entry.options == {}


async def test_a_refusal_that_names_no_field_is_shown_at_the_top(
    hass: HomeAssistant, api: HttpClient, public_entry: MockConfigEntry, sis_server: SisServer
) -> None:
    sis_server.faults.append(Fault.start_error("SIS.0032", "'add_punc' is invalid"))
    form = await _post(api, FLOWS, {"handler": public_entry.entry_id})
    form = await _post(
        api,
        f"{FLOWS}/{form['flow_id']}",
        {name: {} for name in _section_names(form)} | {"recognition": {"add_punc": True}},
    )
    assert form["errors"] == {"base": "settings_refused"}
    placeholders = form["description_placeholders"]
    assert (placeholders["language"], placeholders["code"]) == ("zh-CN", "SIS.0032")
    assert placeholders["message"] == "'add_punc' is invalid"
    # Nothing points at a section: each keeps how it starts, but the one changed is open.
    assert _expanded(form) == {
        "recognition": True,
        "voice_detection": False,
        "hot_words": False,
        "fallback": True,
        "voice": True,
    }
