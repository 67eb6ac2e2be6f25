"""The local server and the product agree on every documented limit they both encode.

They share no code on purpose (a misreading in one must not hide in the other),
so each keeps its own copy of Huawei's documented facts; the emulator's rule
tables name the product module they mirror. These tests compare the two and
say which side to look at when they disagree. Only documented limits are
compared, through the product's public package wherever it exports them.
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

import aiohttp
import pytest

from custom_components.huawei_cloud_sis import sis
from custom_components.huawei_cloud_sis.languages import (
    LANGUAGES,
    MANDARIN_MODELS,
    MODELS as PRODUCT_MODELS,
)
from tests.sis_server import DOMAIN_NAME, PASSWORD, PROJECTS, USERNAME, Readings, SisServer
from tests.sis_server.config_rules import (
    AUDIO_FORMATS,
    CHINA_SITE,
    INTERNATIONAL,
    KNOWN_FIELDS,
    MODELS,
    RANGES,
    check_config,
    frame_limits,
    sample_width,
)
from tests.sis_server.hot_word_rules import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_WORD_BYTES,
    MAX_WORDS,
    check_table,
    languages,
    page,
    word_refusal,
)
from tests.sis_server.rasr import AUDIO_LIMIT_SECONDS
from tests.sis_server.synthesis_rules import (
    CHINA,
    LONG_LIMIT,
    MIDDLE_EAST,
    NEWER_PREMIUM,
    PREMIUM,
    RANGES as SYNTHESIS_RANGES,
    SAMPLE_RATES,
    SHORT_LIMIT,
    STANDARD,
    VIRTUAL_HUMANS,
    Accepted,
    characters,
    check_start,
)

ROOT = Path(__file__).parent.parent
EMULATOR = ROOT / "tests" / "sis_server"
PRODUCT = ROOT / "custom_components" / "huawei_cloud_sis"
DIALECT_CHOICES = [model for model in MANDARIN_MODELS if not model.startswith("chinese_")]
"""Sichuanese and Shanghainese, model choices of Mandarin."""
ALL_VOICES = Readings(realtime_voices="all")
"""The reading under which the emulator takes every voice of the voice list, as the product
lists them."""


def _disagree(what: str, emulator: object, product: object) -> str:
    return f"{what}: the emulator says {emulator!r}, the product {product!r}; fix the wrong one"


# --- the comments that name the product's modules ----------------------------------------------

_NAMED = re.compile(r"[Mm]irrors? the product's ((?:sis/)?[a-z_]+\.py)")


def test_every_rule_table_names_a_product_module_that_exists() -> None:
    named: dict[str, set[str]] = {}
    for path in sorted(EMULATOR.glob("*.py")):
        for module in _NAMED.findall(path.read_text(encoding="utf-8")):
            named.setdefault(module, set()).add(path.name)
    assert {"config_rules.py", "hot_word_rules.py", "synthesis_rules.py", "rasr.py"} <= {
        name for names in named.values() for name in names
    }
    for module, where in named.items():
        assert (PRODUCT / module).is_file(), (
            f"{', '.join(sorted(where))} says it mirrors the product's {module}, which does not "
            "exist (moved or renamed?): name the module that now holds those facts"
        )


# --- recognition --------------------------------------------------------------------------------


def test_regions() -> None:
    assert set(sis.REGIONS) == {*CHINA_SITE, *INTERNATIONAL} == set(PROJECTS), _disagree(
        "regions with real-time recognition", sorted({*CHINA_SITE, *INTERNATIONAL}), sis.REGIONS
    )


@pytest.mark.parametrize("audio_format", list(sis.AudioFormat))
def test_audio_formats(audio_format: sis.AudioFormat) -> None:
    name = audio_format.value
    assert name in AUDIO_FORMATS, _disagree("audio formats", sorted(AUDIO_FORMATS), name)
    emulator = (AUDIO_FORMATS[name], sample_width(name), frame_limits(name))
    product = (
        audio_format.sample_rate,
        audio_format.sample_width,
        (audio_format.min_frame, audio_format.max_frame),
    )
    assert emulator == product, _disagree(f"{name}: rate, width, frame sizes", emulator, product)
    assert len(AUDIO_FORMATS) == len(sis.AudioFormat), _disagree(
        "audio formats", sorted(AUDIO_FORMATS), [f.value for f in sis.AudioFormat]
    )


@pytest.mark.parametrize(
    ("field", "allowed"),
    [
        ("vad_head", sis.VAD_HEAD_MS),
        ("vad_tail", sis.VAD_TAIL_MS),
        ("max_seconds", sis.MAX_SECONDS),
    ],
)
def test_recognition_ranges(field: str, allowed: sis.IntRange) -> None:
    product = (allowed.low, allowed.high)
    assert RANGES[field] == product, _disagree(f"the range of {field}", RANGES[field], product)


def _product_takes(**fields: Any) -> bool:
    try:
        sis.RecognitionConfig(
            audio_format=sis.AudioFormat.PCM16K16BIT, model="chinese_16k_general", **fields
        )
    except sis.SisConfigError:
        return False
    return True


@pytest.mark.parametrize("field", list(RANGES))
def test_recognition_range_edges_are_taken_alike(field: str) -> None:
    low, high = RANGES[field]
    for value in (low - 1, low, high, high + 1, True):
        config = {"audio_format": "pcm16k16bit", "property": "chinese_16k_general", field: value}
        emulator = check_config(config, "cn-north-4", "continue-stream") is None
        product = _product_takes(**{field: value})
        assert emulator == product, _disagree(
            f"whether {field}={value!r} is taken", emulator, product
        )


def test_every_field_the_product_sends_is_one_the_service_takes() -> None:
    config = sis.RecognitionConfig(
        audio_format=sis.AudioFormat.PCM16K16BIT,
        model="chinese_16k_general",
        add_punc=True,
        interim_results=True,
        digit_norm=True,
        need_word_info=True,
        vad_head=10000,
        vad_tail=500,
        max_seconds=30,
        vocabulary_id="CFD08A32-6176-4ad7-92F9-11ED015C8109",
    ).to_json()
    assert set(config) <= KNOWN_FIELDS, _disagree("START fields", sorted(KNOWN_FIELDS), config)
    assert check_config(config, "cn-north-4", "continue-stream") is None


def test_audio_limits() -> None:
    product = {mode.value: mode.max_audio_seconds for mode in sis.RecognitionMode}
    assert product == AUDIO_LIMIT_SECONDS, _disagree(
        "the longest audio per mode", AUDIO_LIMIT_SECONDS, product
    )


@pytest.mark.parametrize("model", list(PRODUCT_MODELS))
def test_what_each_model_takes(model: str) -> None:
    product = PRODUCT_MODELS[model]
    for name in (model, product.telephone):
        if name is None:
            continue
        assert name in MODELS, _disagree("known models", sorted(MODELS), name)
        # The product may send less than the service takes (it leaves digit_norm out for
        # Arabic, whose options the pages leave partly open), never more.
        assert MODELS[name].digit_norm or not product.digit_norm, _disagree(
            f"whether {name} takes digit_norm", MODELS[name].digit_norm, product.digit_norm
        )
        assert MODELS[name].min_sentence_seconds == product.min_max_seconds, _disagree(
            f"the smallest max_seconds {name} honours",
            MODELS[name].min_sentence_seconds,
            product.min_max_seconds,
        )
    emulator = "sentence-stream" in MODELS[model].modes
    assert emulator == product.sentence_mode, _disagree(
        f"whether {model} takes sentence mode", emulator, product.sentence_mode
    )


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_the_regions_of_each_language(tag: str) -> None:
    language = LANGUAGES[tag]
    assert set(language.models) <= set(PRODUCT_MODELS), f"{tag}: a model missing from MODELS"
    default = PRODUCT_MODELS[language.default_model]
    for model in filter(None, (default.name, default.telephone)):
        regions = [name for name, region in sis.REGIONS.items() if language.offered_in(region)]
        missing = set(regions) - set(MODELS[model].regions)
        assert not missing, _disagree(
            f"{tag}: regions of its default model {model}", MODELS[model].regions, regions
        )


@pytest.mark.parametrize("model", list(MODELS))
def test_each_model_is_offered_where_the_emulator_offers_it(model: str) -> None:
    product = {name for name, region in sis.REGIONS.items() if model in region.models}
    assert product == set(MODELS[model].regions), _disagree(
        f"the regions of {model}", MODELS[model].regions, product
    )


@pytest.mark.parametrize("model", list(MODELS))
def test_table_language_of_each_model(model: str) -> None:
    product = sis.table_language_for_model(model)
    emulator = MODELS[model].table_language
    assert product == emulator, _disagree(f"the table language of {model}", emulator, product)


# --- hot words ----------------------------------------------------------------------------------


def test_hot_word_limits() -> None:
    emulator = (MAX_WORDS, MAX_WORD_BYTES, Readings().max_tables)
    product = (sis.MAX_WORDS_PER_TABLE, sis.MAX_WORD_BYTES, sis.MAX_TABLES)
    assert emulator == product, _disagree(
        "words per table, bytes per word, tables per account (default reading)", emulator, product
    )


@pytest.mark.parametrize("region", [*sis.REGIONS, None])
def test_table_languages_of_each_region(region: str | None) -> None:
    emulator = set(languages(region))
    product = {language.value for language in sis.region(region).table_languages}
    if region is None:  # the product allows both for a custom endpoint, the emulator's hosts
        emulator = set(languages("cn-north-4"))
    assert emulator == product, _disagree(f"table languages of {region}", emulator, product)


WORDS = [
    "客厅",
    "GARAGE",
    "ECOBEE恒温器",
    "garage",
    "Garage",
    "LIVING ROOM",
    "ROOM2",
    "2楼",
    "客厅,灯",
    "ÉCOLE",
    "",
    "A" * 32,
    "A" * 33,
    "客" * 10,
    "客" * 11,
    "客" * 10 + "AB",
    "客" * 10 + "A",
]


@pytest.mark.parametrize("language", list(sis.TableLanguage))
@pytest.mark.parametrize("word", WORDS)
def test_word_rules(word: str, language: sis.TableLanguage) -> None:
    emulator = word_refusal(word, language.value) is None
    product = sis.word_problem(word, language) is None
    assert emulator == product, _disagree(f"whether {word!r} may be a word", emulator, product)


def _table_client(http: aiohttp.ClientSession, server: SisServer) -> sis.VocabularyClient:
    auth = sis.TokenAuth(
        http,
        server.iam_url,
        domain_name=DOMAIN_NAME,
        username=USERNAME,
        password=PASSWORD,
        region="cn-north-4",
    )
    return sis.VocabularyClient(http, auth, sis.Endpoints.custom(server.sis_url, server.iam_url))


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    "fields",
    [
        {"name": "n" * 32},
        {"name": "n" * 33},
        {"name": "a-b_c#9"},
        {"name": "a.b"},
        {"description": "描" * 85},
        {"description": "描" * 86},
        {"contents": ["GARAGE"] * MAX_WORDS},
        {"contents": ["GARAGE"] * (MAX_WORDS + 1)},
    ],
    ids=lambda fields: next(iter(fields)),
)
async def test_table_fields(
    http: aiohttp.ClientSession, server: SisServer, fields: dict[str, Any]
) -> None:
    body = {"name": "home", "language": "chinese_mandarin", "contents": ["客厅"]} | fields
    emulator = check_table(body, "cn-north-4") is None
    client = _table_client(http, server)
    try:  # refused before it is sent, or sent and taken by the local server
        await client.create(
            body["name"],
            body["language"],
            body["contents"],
            description=body.get("description", ""),
        )
    except sis.SisConfigError:
        product = False
    else:
        product = True
    assert emulator == product, _disagree(
        f"whether a table with {fields} is taken", emulator, product
    )


@pytest.mark.usefixtures("socket_enabled")
async def test_table_list_pages(http: aiohttp.ClientSession, server: SisServer) -> None:
    client = _table_client(http, server)
    assert isinstance(page({"limit": str(MAX_LIMIT)}), tuple)
    await client.list_page(limit=MAX_LIMIT)  # the largest page the product asks for is taken
    assert not isinstance(page({"limit": str(MAX_LIMIT + 1)}), tuple)
    with pytest.raises(sis.SisConfigError):  # and it asks for none larger
        await client.list_page(limit=MAX_LIMIT + 1)
    assert page({}) == (DEFAULT_LIMIT, 0)
    assert len((await client.list_page()).tables) <= DEFAULT_LIMIT


# --- synthesis ----------------------------------------------------------------------------------


def test_synthesis_regions() -> None:
    emulator = {*CHINA, *MIDDLE_EAST}
    assert set(sis.SYNTHESIS_REGIONS) == emulator, _disagree(
        "regions with real-time synthesis", sorted(emulator), sis.SYNTHESIS_REGIONS
    )


def test_the_voice_lists() -> None:
    product = set(sis.VOICES)
    documented = STANDARD | PREMIUM | NEWER_PREMIUM | VIRTUAL_HUMANS
    assert product <= documented, _disagree(
        "voices no page documents", [], sorted(product - documented)
    )
    # The voice list of Huawei's SDK and the Riyadh page: both sides know every one of them.
    sdk = STANDARD | PREMIUM | VIRTUAL_HUMANS
    assert sdk <= product, _disagree("the SDK's voices", [], sorted(sdk - product))


@pytest.mark.parametrize("field", ["speed", "pitch", "volume"])
def test_synthesis_ranges(field: str) -> None:
    allowed = {"speed": sis.SPEED, "pitch": sis.PITCH, "volume": sis.VOLUME}[field]
    product = (allowed.low, allowed.high)
    assert SYNTHESIS_RANGES[field] == product, _disagree(
        f"the range of {field}", SYNTHESIS_RANGES[field], product
    )


def _start(text: str, config: dict[str, Any]) -> dict[str, Any]:
    return {"command": "START", "text": text, "config": config}


@pytest.mark.parametrize("voice", list(sis.VOICES.values()), ids=lambda voice: voice.voice_id)
def test_each_voice(voice: sis.Voice) -> None:
    emulator_regions = MIDDLE_EAST if voice.voice_id in VIRTUAL_HUMANS else CHINA
    assert set(voice.regions) == set(emulator_regions), _disagree(
        f"regions of {voice.voice_id}", emulator_regions, voice.regions
    )
    region = voice.regions[0]
    for rate in SAMPLE_RATES.values():
        config = sis.SynthesisConfig(voice=voice.voice_id, sample_rate=16000).to_json()
        config["sample_rate"] = str(rate)
        emulator = isinstance(check_start(_start("好", config), region, ALL_VOICES), Accepted)
        product = rate in voice.sample_rates
        assert emulator == product, _disagree(
            f"whether {voice.voice_id} speaks at {rate} Hz", emulator, product
        )
    for field, takes in (("speed", voice.speed), ("pitch", voice.pitch), ("volume", voice.volume)):
        config = sis.SynthesisConfig(voice=voice.voice_id).to_json() | {field: 0}
        emulator = isinstance(check_start(_start("好", config), region, ALL_VOICES), Accepted)
        assert emulator == takes, _disagree(
            f"whether {voice.voice_id} takes {field}", emulator, takes
        )
    config = sis.SynthesisConfig(voice=voice.voice_id).to_json()
    for length in (SHORT_LIMIT, SHORT_LIMIT + 1, LONG_LIMIT, LONG_LIMIT + 1):
        emulator = isinstance(
            check_start(_start("a" * length, config), region, ALL_VOICES), Accepted
        )
        product = length <= voice.max_text
        assert emulator == product, _disagree(
            f"whether {voice.voice_id} takes {length} characters", emulator, product
        )


@pytest.mark.parametrize("text", ["a", "好", "😀", "é", "e\u0301", "\U00020000", "a😀好"])
def test_characters_are_counted_alike(text: str) -> None:
    assert characters(text) == sis.text_length(text), _disagree(
        f"the length of {text!r}", characters(text), sis.text_length(text)
    )
