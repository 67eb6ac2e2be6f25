"""Whether an interim text is a command Assist acts on now and cannot grow, in English and Mandarin.

The verdicts come from Home Assistant's own default agent, set up as a real
Home Assistant runs it, with a home of named entities, areas and aliases.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

from hassil.expression import ListReference
from homeassistant.components import conversation
from homeassistant.components.conversation.agent_manager import async_get_agent
from homeassistant.components.conversation.default_agent import DefaultAgent
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, entity_registry as er, floor_registry as fr
from homeassistant.setup import async_setup_component
import pytest
import yaml

from custom_components.huawei_cloud_sis import command_check
from custom_components.huawei_cloud_sis.command_check import (
    TRIGGER,
    CommandChecker,
    Growth,
    Status,
    TakesMore,
    Verdict,
)
from tests.helpers.home import add_entity

ENGLISH = "en"
MANDARIN = "zh-CN"


def climate(hass: HomeAssistant, name: str) -> str:
    """Register a thermostat named `name`."""
    return add_entity(hass, name, domain="climate")


@pytest.fixture
async def home(hass: HomeAssistant, area_registry: ar.AreaRegistry) -> HomeAssistant:
    """A home with Assist and names that begin other names, in English and Mandarin."""
    assert await async_setup_component(hass, "intent", {})
    assert await async_setup_component(hass, "conversation", {})
    kitchen = area_registry.async_create("kitchen", aliases={"cooking place", " "})
    area_registry.async_create("bedroom")
    living_room = area_registry.async_create("客厅")
    registry = er.async_get(hass)
    for name, domain in (
        ("kitchen light", "light"),
        ("kitchen light strip", "light"),
        ("fan", "fan"),
        ("porch lamp", "light"),
        ("attic light", "light"),
        ("风扇", "fan"),
        ("台灯", "light"),
        ("台灯带", "light"),
        ("卧室灯", "light"),
    ):
        add_entity(hass, name, domain=domain)
    registry.async_update_entity(add_entity(hass, "ceiling", domain="light"), area_id=kitchen.id)
    registry.async_update_entity(add_entity(hass, "吊灯", domain="light"), area_id=living_room.id)
    for domain in ("light", "switch"):  # two entities answer to "desk lamp"
        add_entity(hass, "desk lamp", domain=domain, unique_id=f"desk lamp {domain}")
    reading = add_entity(hass, "reading lamp")
    registry.async_update_entity(reading, aliases=[er.COMPUTED_NAME, "book light"])
    climate(hass, "thermostat")
    climate(hass, "空调")
    garage = add_entity(hass, "garage door", domain="cover")
    hass.states.async_set(garage, "closed", {"device_class": "garage"})
    fr.async_get(hass).async_create("upstairs", aliases={"second floor", " "})
    return hass


@pytest.fixture
def checker(home: HomeAssistant) -> Iterator[CommandChecker]:
    """A checker that follows the changes of the home's names while the test runs."""
    checker = CommandChecker(home)
    stop = checker.async_start()
    yield checker
    stop()


def default_agent(hass: HomeAssistant) -> DefaultAgent:
    """Return Home Assistant's default conversation agent."""
    agent = async_get_agent(hass, conversation.HOME_ASSISTANT_AGENT)
    assert isinstance(agent, DefaultAgent)
    return agent


async def check(checker: CommandChecker, language: str, text: str) -> Verdict:
    return await checker.async_check(language, text)


@pytest.mark.parametrize(
    ("language", "text", "intent"),
    [
        (ENGLISH, "turn on the kitchen light strip", "HassTurnOn"),
        (ENGLISH, "Turn off the fan.", "HassTurnOff"),
        (ENGLISH, "turn on the lights in the kitchen", "HassTurnOn"),
        (ENGLISH, "is the porch lamp on", "HassGetState"),
        (ENGLISH, "set the thermostat temperature to 22 degrees", "HassClimateSetTemperature"),
        (ENGLISH, "set the porch lamp brightness to 100", "HassLightSet"),
        (MANDARIN, "打开台灯带", "HassTurnOn"),
        (MANDARIN, "关闭台灯带", "HassTurnOff"),
        (MANDARIN, "打开客厅的灯", "HassTurnOn"),
        (MANDARIN, "把空调的温度调到26度", "HassClimateSetTemperature"),
    ],
)
async def test_a_plain_command_is_complete(
    checker: CommandChecker, language: str, text: str, intent: str
) -> None:
    verdict = await check(checker, language, text)

    assert verdict.status is Status.COMPLETE
    assert verdict.intent == intent
    assert verdict.acts
    assert verdict.early
    assert verdict.growth is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (ENGLISH, ""),
        (ENGLISH, "  ?"),
        (ENGLISH, "turn on"),
        (ENGLISH, "turn on the"),
        (ENGLISH, "turn on the kitchen"),  # an area, but no action for it
        (ENGLISH, "turn on the garage light"),  # no such entity
        (ENGLISH, "turn on the kitchen light and the fan"),  # hassil takes no "and"
        (MANDARIN, "打开"),
        (MANDARIN, "把空调的温度调到"),
        (MANDARIN, "打开客厅的灯和风扇"),
    ],
)
async def test_what_assist_would_not_act_on_is_no_command(
    checker: CommandChecker, language: str, text: str
) -> None:
    verdict = await check(checker, language, text)

    assert verdict == Verdict(Status.NO_COMMAND)
    assert not verdict.acts
    assert not verdict.early


@pytest.mark.parametrize(
    ("language", "text", "longer"),
    [
        (ENGLISH, "turn on the kitchen light", "turn on the kitchen light strip"),
        (ENGLISH, "Turn on the kitchen light!", "turn on the kitchen light strip"),
        (MANDARIN, "打开台灯", "打开台灯带"),
    ],
)
async def test_a_name_that_begins_a_longer_name_waits(
    checker: CommandChecker, language: str, text: str, longer: str
) -> None:
    verdict = await check(checker, language, text)

    assert verdict.status is Status.PREFIX
    assert verdict.growth is Growth.NAME
    assert verdict.detail == longer
    assert verdict.acts
    assert not verdict.early


async def test_a_longer_name_counts_only_where_the_grammar_takes_it(
    checker: CommandChecker,
) -> None:
    # "kitchen" begins the entity "kitchen light", but an area stands at the end here,
    # and "... in the kitchen light" is no sentence Assist takes.
    assert (await check(checker, ENGLISH, "turn on the lights in the kitchen")).early


@pytest.mark.parametrize(
    ("language", "text", "larger"),
    [
        (ENGLISH, "set the thermostat temperature to twenty", "21"),
        (ENGLISH, "set the thermostat temperature to 20", "21"),
        (ENGLISH, "set the thermostat temperature to twenty two", "22.5"),
        (ENGLISH, "set the porch lamp brightness to sixty", "61"),
        (MANDARIN, "把空调的温度调到二十", "21"),
        (MANDARIN, "把空调的温度调到20", "21"),
    ],
)
async def test_a_number_said_slowly_waits_for_the_rest(
    checker: CommandChecker, language: str, text: str, larger: str
) -> None:
    verdict = await check(checker, language, text)

    assert verdict.status is Status.PREFIX
    assert verdict.growth is Growth.NUMBER
    assert verdict.detail == larger
    assert not verdict.early


async def test_a_number_that_cannot_grow_in_its_range_is_complete(
    checker: CommandChecker,
) -> None:
    # 100 is the top of brightness: "one hundred" begins no larger number of the range.
    assert (await check(checker, ENGLISH, "set the porch lamp brightness to 100")).early
    # "five" begins no larger number ("fifty" is another word).
    assert (await check(checker, ENGLISH, "set the porch lamp brightness to 5")).early
    # A unit after the number closes it.
    assert (await check(checker, MANDARIN, "把空调的温度调到二十度")).early


async def test_a_range_too_large_to_spell_out_may_always_grow(checker: CommandChecker) -> None:
    with patch.object(command_check, "MAX_RANGE_NUMBERS", 10):
        verdict = await check(checker, ENGLISH, "set the porch lamp brightness to 100")

    assert verdict.status is Status.PREFIX
    assert verdict.growth is Growth.NUMBER
    assert verdict.detail == "> 100"


@pytest.mark.parametrize(
    ("language", "command", "question"),
    [
        (MANDARIN, "打开台灯带", "打开台灯带了吗"),  # "turn on the strip" / "is it on?"
        (ENGLISH, "what is the temperature of the thermostat", "what is the temperature of the"),
    ],
)
async def test_a_question_that_begins_like_a_command(
    checker: CommandChecker, language: str, command: str, question: str
) -> None:
    # The beginning is a complete command and the whole question none: the text alone
    # cannot tell them apart, only the audio still going on after the beginning can.
    assert (await check(checker, language, command)).early
    assert not (await check(checker, language, question)).acts
    assert not (await check(checker, ENGLISH, "what is the temperature")).acts


async def test_a_qualifier_after_a_name_several_entities_answer_to_waits(
    checker: CommandChecker,
) -> None:
    shared = await check(checker, ENGLISH, "turn on the desk lamp")
    unique = await check(checker, ENGLISH, "turn on the porch lamp")

    assert shared.status is Status.COMPLETE
    assert shared.qualifiers >= {"area", "floor"}
    assert not shared.early
    # One entity answers to "porch lamp": "... in the kitchen" cannot pick another one.
    assert unique.qualifiers == frozenset()
    assert unique.early


async def test_what_follows_any_command_is_reported_per_language(
    checker: CommandChecker,
) -> None:
    english = await check(checker, ENGLISH, "turn on the porch lamp")
    mandarin = await check(checker, MANDARIN, "打开台灯带")

    # "... in five minutes" (a timer that runs the command) follows any command.
    assert TakesMore.WRAPPER in english.takes_more
    assert TakesMore.WRAPPER in mandarin.takes_more
    # The gazetteer acts on "... and the fan" in English only.
    gazetteer = hasattr(conversation, "gazetteer")
    assert (TakesMore.COORDINATION in english.takes_more) is gazetteer
    assert TakesMore.COORDINATION not in mandarin.takes_more
    # Before the gazetteer, the fuzzy matcher read extra words.
    fuzzy = getattr(default_agent(checker.hass), "fuzzy_matching", False)
    assert (TakesMore.FUZZY in english.takes_more) is fuzzy


async def test_an_alias_is_a_name(checker: CommandChecker) -> None:
    assert (await check(checker, ENGLISH, "turn on the book light")).early


async def test_floors_and_device_classes_are_read_as_the_agent_reads_them(
    checker: CommandChecker,
) -> None:
    with patch.object(command_check, "STATES_PER_SLICE", 3):  # a big home is read in slices
        upstairs = await check(checker, ENGLISH, "turn on the lights upstairs")
    second_floor = await check(checker, ENGLISH, "turn on the lights on the second floor")
    garage = await check(checker, ENGLISH, "open the garage door")

    assert upstairs.early
    assert second_floor.early
    assert garage.status is Status.COMPLETE


async def test_commands_followed_by_words(checker: CommandChecker) -> None:
    # Words the strict grammar takes after the command are part of it...
    assert (await check(checker, ENGLISH, "turn on the porch lamp in the kitchen")).acts
    # ...words it cannot take make no command of the whole.
    assert not (await check(checker, ENGLISH, "turn on the porch lamp and the fan")).acts
    assert not (await check(checker, MANDARIN, "打开风扇和台灯带")).acts


async def test_an_unknown_language_is_unavailable(checker: CommandChecker) -> None:
    assert await check(checker, "xx", "turn on the fan") == Verdict(Status.UNAVAILABLE)


async def test_without_the_default_agent_it_is_unavailable(hass: HomeAssistant) -> None:
    checker = CommandChecker(hass)

    verdict = await checker.async_check(ENGLISH, "turn on the fan")

    assert verdict == Verdict(Status.UNAVAILABLE)
    assert not verdict.early


async def test_preparing_a_language_loads_what_its_first_check_needs(
    checker: CommandChecker,
) -> None:
    assert await checker.async_prepare(MANDARIN)
    # The sentences and the home's names are read: the first check reads neither again.
    with (
        patch.object(command_check, "_new_language") as sentences,
        patch.object(command_check, "_async_read_home") as names,
    ):
        assert (await check(checker, MANDARIN, "打开台灯带")).early
    sentences.assert_not_called()
    names.assert_not_called()


async def test_preparing_without_the_matcher_says_so(hass: HomeAssistant) -> None:
    checker = CommandChecker(hass)
    assert not await checker.async_prepare(ENGLISH)
    assert await async_setup_component(hass, "conversation", {})
    assert not await checker.async_prepare("xx")


async def test_a_verdict_is_kept_until_the_names_change(
    home: HomeAssistant, checker: CommandChecker
) -> None:
    assert (await check(checker, ENGLISH, "turn on the porch lamp")).early
    with patch.object(command_check, "_recognize") as spy:
        assert (await check(checker, ENGLISH, "turn on the porch lamp")).early
    spy.assert_not_called()

    add_entity(home, "porch lamp post")
    await home.async_block_till_done()

    verdict = await check(checker, ENGLISH, "turn on the porch lamp")
    assert verdict.growth is Growth.NAME
    assert verdict.detail == "turn on the porch lamp post"


async def test_a_change_during_a_check_is_not_kept(
    home: HomeAssistant, checker: CommandChecker
) -> None:
    real = command_check._async_read_home

    async def collect_and_change(*args: Any, **kwargs: Any) -> Any:
        names = await real(*args, **kwargs)
        if not changed:
            changed.append(True)
            add_entity(home, "porch lamp post")
        return names

    changed: list[bool] = []
    with patch.object(command_check, "_async_read_home", collect_and_change):
        first = await check(checker, ENGLISH, "turn on the porch lamp")
        second = await check(checker, ENGLISH, "turn on the porch lamp")

    # The names read before the change are not used: the first verdict already knows.
    assert first.growth is Growth.NAME
    assert second == first


async def test_old_verdicts_are_dropped(checker: CommandChecker) -> None:
    with patch.object(command_check, "CACHE_SIZE", 1):
        await check(checker, ENGLISH, "turn on the porch lamp")
        await check(checker, ENGLISH, "turn off the porch lamp")
        with patch.object(command_check, "_recognize", wraps=command_check._recognize) as spy:
            assert (await check(checker, ENGLISH, "turn on the porch lamp")).early
    spy.assert_called()


type SentenceWriter = Callable[[str, dict[str, Any]], Awaitable[None]]


@pytest.fixture
def write_sentences(home: HomeAssistant, tmp_path: Path) -> Iterator[SentenceWriter]:
    """Write custom sentences in the test's own folder; the default agent reads them again."""
    config_path = home.config.path

    def path(*parts: str) -> str:
        if parts and parts[0] == "custom_sentences":
            return str(tmp_path.joinpath(*parts))
        return config_path(*parts)

    async def write(language: str, sentences: dict[str, Any]) -> None:
        def write_file() -> None:
            folder = tmp_path / "custom_sentences" / language
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "test.yaml").write_text(yaml.safe_dump({"language": language, **sentences}))

        await home.async_add_executor_job(write_file)
        await default_agent(home).async_reload(language)

    with patch.object(home.config, "path", path):
        yield write


async def test_new_sentences_are_read_again(
    checker: CommandChecker, write_sentences: SentenceWriter
) -> None:
    assert not (await check(checker, ENGLISH, "ignite the porch lamp")).acts

    await write_sentences(
        ENGLISH,
        {
            "intents": {
                "HassTurnOn": {"data": [{"sentences": ["ignite [the] {name}"]}]},
                "HassBroadcast": {"data": [{"sentences": ["shout {message}"]}]},
            },
            "lists": {"message": {"wildcard": True}},
        },
    )

    assert (await check(checker, ENGLISH, "ignite the porch lamp")).early
    # Free text at the end of a sentence takes any further word.
    shout = await check(checker, ENGLISH, "shout dinner is")
    assert shout.status is Status.PREFIX
    assert shout.growth is Growth.FREE_TEXT
    assert shout.detail == "dinner is"


@pytest.mark.skipif(
    not hasattr(ListReference, "get_inline_range"), reason="hassil reads inline ranges from 3.6"
)
async def test_an_inline_range_of_custom_sentences(
    checker: CommandChecker, write_sentences: SentenceWriter
) -> None:
    await write_sentences(
        ENGLISH,
        {
            "intents": {
                "HassLightSet": {"data": [{"sentences": ["dim {name} to {1..30:brightness}"]}]}
            }
        },
    )

    assert (await check(checker, ENGLISH, "dim porch lamp to twenty")).detail == "21"
    assert (await check(checker, ENGLISH, "dim porch lamp to four")).early


async def test_a_language_without_a_number_speller_waits_after_any_number(
    checker: CommandChecker, write_sentences: SentenceWriter
) -> None:
    # Home Assistant has sentences in Bengali, but no speller of Bengali numbers (and no
    # template that takes a whole command).
    await write_sentences(
        "bn",
        {
            "intents": {
                "HassLightSet": {
                    "data": [
                        {
                            "sentences": [
                                "argia {name} {brightness}",
                                "argia {name} {level:brightness}",
                            ]
                        }
                    ]
                }
            },
            "lists": {
                "brightness": {"range": {"from": 0, "to": 100}},
                "level": {"values": [{"in": "max", "out": 100}]},
            },
        },
    )

    verdict = await check(checker, "bn", "argia porch lamp 5")

    assert verdict.status is Status.PREFIX
    assert verdict.detail == "> 5"
    assert TakesMore.WRAPPER not in verdict.takes_more
    # A number from a list of words is a name, not a number that grows.
    assert (await check(checker, "bn", "argia porch lamp max")).early


async def test_a_sentence_trigger_is_a_command(
    home: HomeAssistant, checker: CommandChecker
) -> None:
    assert await async_setup_component(
        home,
        "automation",
        {
            "automation": [
                {
                    "triggers": {"trigger": "conversation", "command": ["good night"]},
                    "actions": [],
                },
                {
                    "triggers": {"trigger": "conversation", "command": ["play {album} now"]},
                    "actions": [],
                },
                {
                    "triggers": {"trigger": "conversation", "command": ["play {album}"]},
                    "actions": [],
                },
            ]
        },
    )
    await home.async_block_till_done()

    night = await check(checker, ENGLISH, "good night")
    album = await check(checker, ENGLISH, "play blue train")

    assert night.status is Status.COMPLETE
    assert night.intent == TRIGGER
    assert night.early
    # A wildcard at the end takes any further word.
    assert album.status is Status.PREFIX
    assert album.growth is Growth.FREE_TEXT
    assert album.intent == TRIGGER
