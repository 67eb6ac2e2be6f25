"""Whether a text heard so far is a command Assist can act on now, and cannot still grow.

Speech-to-text may answer before the usual silence only when the words so far
already make the whole command. Home Assistant's own matcher decides that, never
a grammar of ours: the default conversation agent's sentence triggers, and its
strict recognition (what `async_recognize_intent(strict_intents_only=True)`
does: hassil's `recognize_best` over the agent's sentences, custom ones
included, and lists of the exposed entities' names and aliases, the areas and
the floors, made as the agent makes them). The names list holds only the names
found in the text: hassil tries every name of a list where the language ignores
spaces (Chinese), which costs about 70 ms a text in a home of 2,000 entities;
a name absent from the text cannot match, so the answer is the same (Home
Assistant 2026.5 narrowed its list the same way). A text Assist would not act
on is `NO_COMMAND`; one it would act on is checked for the ways its last words
can still grow into a longer command:

- a name: the last words begin a longer name Assist knows ("kitchen light" when
  "kitchen light strip" exists; an entity, area or floor name or alias, or a
  value of a list of the language's sentences), and the sentence with the
  longer name is one Assist takes (a few of the shortest are tried);
- a number: the number at the end, said aloud, begins a larger one of the same
  range ("twenty" of "twenty two", "二十" of "二十六", "20" said "twenty");
- free text: the command ends in a wildcard ("play ..."), which any word extends.

Any of those is `PREFIX`: wait for the usual silence. Otherwise it is
`COMPLETE`, with what the grammar would still take after it:

- `qualifiers`, text by text: slots the same intent's templates add after
  these very words ("turn on the fan" + "in the kitchen" adds `area`). When the
  text names one entity and the qualifier only places a target (area, floor),
  it cannot change what is acted on, and is not listed.
- `takes_more`, language by language, true after any command: a template that
  takes a whole command and goes on ("turn on the fan in five minutes"), the
  gazetteer's "and ..." (English, Home Assistant 2026.10 and later), the fuzzy
  matcher's reading of extra words (older releases).

`Verdict.early` is the text's part of the decision: complete, and no qualifier
can follow. The caller adds the rest: the text unchanged for a while, and the
audio since it last changed quiet (`end_of_speech.is_quiet`).

Matching costs milliseconds (hassil), so it runs in the executor; each text's
verdict is kept until the names or the sentences change.
"""

from __future__ import annotations

import asyncio
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial
from importlib import import_module
import logging
from typing import Any, Final

from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    Permutation,
    RuleReference,
    Sentence,
    Sequence,
    TextChunk,
)
from hassil.intents import (
    Intent,
    IntentData,
    Intents,
    RangeFractionType,
    RangeSlotList,
    SlotList,
    TextSlotList,
    TextSlotValue,
    WildcardSlotList,
)
from hassil.models import MatchEntity
from hassil.recognize import RecognizeResult, recognize_all, recognize_best
from hassil.util import normalize_text, remove_punctuation
from homeassistant.components import conversation
from homeassistant.components.conversation.agent_manager import async_get_agent
from homeassistant.components.conversation.const import METADATA_CUSTOM_SENTENCE
from homeassistant.components.conversation.default_agent import DefaultAgent
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import ATTR_DEVICE_CLASS
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    entity_registry as er,
    floor_registry as fr,
    intent,
)
from homeassistant.util import language as language_util
from unicode_rbnf import RbnfEngine

from .home_names import STATES_PER_SLICE, async_track_changes

_LOGGER = logging.getLogger(__name__)

CACHE_SIZE: Final = 256
"""Verdicts kept per language (an utterance brings a dozen interim texts)."""
MAX_PROBES: Final = 4
"""Longer sentences tried for a text whose end begins longer names (the shortest ones)."""
MAX_RANGE_NUMBERS: Final = 10_000
"""Ranges with more numbers are not spelled out: any number in them may grow."""
PLACE_SLOTS: Final = frozenset({"area", "floor"})
"""Slots that only place a target: they cannot change which one entity a name means."""
AGENT_LISTS: Final = ("name", "area", "floor")
"""Lists the default agent fills from the home (the rest come with the sentences)."""


class Status(StrEnum):
    """What Assist would do with the text as it stands."""

    UNAVAILABLE = "unavailable"
    """The matcher cannot be asked (no default agent, no sentences for the language)."""
    NO_COMMAND = "no_command"
    """Assist would not act on the text."""
    PREFIX = "prefix"
    """Assist would act on it, but its last words may still grow (see `Growth`)."""
    COMPLETE = "complete"
    """Assist would act on it and its last words cannot grow."""


class Growth(StrEnum):
    """How the last words of a text Assist would act on may still grow."""

    NAME = "name"
    NUMBER = "number"
    FREE_TEXT = "free_text"


class TakesMore(StrEnum):
    """Ways Assist reads words after any complete command of a language."""

    WRAPPER = "wrapper"
    """A template takes the whole command and goes on ("... in five minutes")."""
    COORDINATION = "coordination"
    """The gazetteer acts on "... and the fan" as well."""
    FUZZY = "fuzzy"
    """The fuzzy matcher reads a command with extra words as some command."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one text."""

    status: Status
    intent: str | None = None
    """The intent matched (`TRIGGER` for a sentence trigger)."""
    growth: Growth | None = None
    detail: str = ""
    """For a prefix: the longer name or number it may grow into."""
    qualifiers: frozenset[str] = frozenset()
    """Slots the same command may still take after the text."""
    takes_more: frozenset[TakesMore] = frozenset()

    @property
    def acts(self) -> bool:
        """Whether Assist would act on the text as it stands."""
        return self.status in (Status.PREFIX, Status.COMPLETE)

    @property
    def early(self) -> bool:
        """Whether the text may be answered before the silence (if stable and quiet)."""
        return self.status is Status.COMPLETE and not self.qualifiers


TRIGGER: Final = "trigger"
"""The intent of a verdict on a sentence trigger of an automation."""
UNAVAILABLE: Final = Verdict(Status.UNAVAILABLE)
NO_COMMAND: Final = Verdict(Status.NO_COMMAND)


def normalize(text: str) -> str:
    """Return text as hassil compares it: casefolded, no punctuation, single spaces."""
    return " ".join(remove_punctuation(normalize_text(text)).casefold().split())


def _pieces(text: str, *, spaced: bool) -> list[str]:
    """Split normalized text into the units a name or number grows by: words or characters."""
    return text.split() if spaced else list(text.replace(" ", ""))


def _join(pieces: Iterable[str], *, spaced: bool) -> str:
    return " ".join(pieces) if spaced else "".join(pieces)


@dataclass(slots=True)
class GrowthIndex:
    """Proper beginnings of longer names, each with a few of the shortest names it begins."""

    spaced: bool
    beginnings: dict[str, list[str]] = field(default_factory=dict)

    def add(self, names: Iterable[str], meaning: str | None = None) -> None:
        """Index the beginnings of each name (word by word, or character by character).

        A `meaning` stands for the names in what is kept (a number for its spellings).
        """
        for name in names:
            pieces = _pieces(normalize(name), spaced=self.spaced)
            whole = meaning or _join(pieces, spaced=self.spaced)
            for end in range(1, len(pieces)):
                longer = self.beginnings.setdefault(_join(pieces[:end], spaced=self.spaced), [])
                if whole not in longer:
                    longer.append(whole)
                    longer.sort(key=len)
                    del longer[MAX_PROBES:]

    def longer(self, text: str) -> list[str]:
        """Return `text` with its end grown into longer names, shortest growth first."""
        pieces = _pieces(normalize(text), spaced=self.spaced)
        grown: list[str] = []
        for start in range(len(pieces)):
            head = _join(pieces[:start], spaced=self.spaced)
            names = self.beginnings.get(_join(pieces[start:], spaced=self.spaced), ())
            grown.extend(
                _join((head, name), spaced=self.spaced) if head else name for name in names
            )
        return grown[:MAX_PROBES]


# --- Walking hassil's sentence templates ---------------------------------------------------


def _resolve(expression: Expression, rules: Mapping[str, Sentence]) -> Expression:
    """Return the expression an expansion rule stands for (nothing for an unknown rule)."""
    while isinstance(expression, RuleReference):
        rule = rules.get(expression.rule_name)
        expression = TextChunk() if rule is None else rule.expression
    return expression


def _nullable(expression: Expression, rules: Mapping[str, Sentence]) -> bool:
    """Whether the expression can match no words at all."""
    expression = _resolve(expression, rules)
    if isinstance(expression, TextChunk):
        return not expression.text.strip()
    if isinstance(expression, Alternative):
        return any(_nullable(item, rules) for item in expression.items)
    if isinstance(expression, Group):
        return all(_nullable(item, rules) for item in expression.items)
    return False  # a list reference


def _list_refs(expression: Expression, rules: Mapping[str, Sentence]) -> Iterator[ListReference]:
    expression = _resolve(expression, rules)
    if isinstance(expression, ListReference):
        yield expression
    elif isinstance(expression, Group):
        for item in expression.items:
            yield from _list_refs(item, rules)


def _slots(expression: Expression, rules: Mapping[str, Sentence]) -> set[str]:
    """Return the slot names the expression's list references fill."""
    return {ref.slot_name for ref in _list_refs(expression, rules) if not ref.is_capture}


def _cuts(
    expression: Expression, rules: Mapping[str, Sentence]
) -> Iterator[tuple[Expression, Expression]]:
    """Yield (head, rest): the template split between two of its parts, rest not empty.

    A text the head matches whole is the beginning of a longer sentence of the
    template, whatever words the rest matches. Words and list values are not
    split here (the growth index and the number check do that).
    """
    expression = _resolve(expression, rules)
    if isinstance(expression, Alternative):
        for item in expression.items:
            yield from _cuts(item, rules)
    elif isinstance(expression, Permutation):
        for item, others in expression.iterate_permutations():
            yield from _cuts(Sequence(items=[item, others]), rules)
    elif isinstance(expression, Sequence):
        items = expression.items
        for index, item in enumerate(items):
            after = items[index + 1 :]
            for head, rest in _cuts(item, rules):
                yield Sequence(items=[*items[:index], head]), Sequence(items=[rest, *after])
            rest = Sequence(items=list(after))
            if after and not _nullable(rest, rules):
                yield Sequence(items=items[: index + 1]), rest


@dataclass(frozen=True, slots=True)
class _Continuations:
    """Heads of an intent's templates after which the rest adds slots, by sentence."""

    intents: Intents
    adds: Mapping[int, frozenset[str]]
    """Slots the rest adds, by `id` of the head's sentence."""


def _continuations(intents: Intents, intent_name: str, slots: frozenset[str]) -> _Continuations:
    """Build the heads of `intent_name` that hold every slot in `slots` and are followed by more.

    Only heads that could read the text the same way (they have its slots) and
    rests that add a slot it does not have are kept: the rest of a template
    that only adds words ("degrees", "的灯") does not change the command.
    """
    intent = intents.intents[intent_name]
    adds: dict[int, frozenset[str]] = {}
    blocks: list[IntentData] = []
    for data in intent.data:
        rules = {**intents.expansion_rules, **data.expansion_rules}
        heads: dict[str, tuple[Sentence, set[str]]] = {}
        for sentence in data.sentences:
            for head, rest in _cuts(sentence.expression, rules):
                new = _slots(rest, rules) - slots
                if not new or not slots <= _slots(head, rules):
                    continue
                key = repr(head)
                if key not in heads:
                    heads[key] = (Sentence(expression=head, text=sentence.text), set())
                heads[key][1].update(new)
        block = replace(data)
        # `sentences` is a cached property parsed from the texts; give the heads instead.
        block.__dict__["sentences"] = [head for head, _ in heads.values()]
        blocks.append(block)
        adds.update({id(head): frozenset(new) for head, new in heads.values()})
    return _Continuations(
        replace(intents, intents={intent_name: Intent(name=intent_name, data=blocks)}), adds
    )


def _wrappers(intents: Intents) -> bool:
    """Whether a template starts with a wildcard and goes on: it takes any command first."""
    for each in intents.intents.values():
        for data in each.data:
            rules = {**intents.expansion_rules, **data.expansion_rules}
            for sentence in data.sentences:
                expression = sentence.expression
                if not isinstance(expression, Sequence):
                    continue
                items = [
                    item
                    for item in expression.items
                    if not (isinstance(item, TextChunk) and not item.text.strip())
                ]
                if (
                    len(items) > 1
                    and isinstance(items[0], ListReference)
                    and isinstance(intents.slot_lists.get(items[0].list_name), WildcardSlotList)
                    and not _nullable(Sequence(items=items[1:]), rules)
                ):
                    return True
    return False


# --- Numbers --------------------------------------------------------------------------------


def _rbnf(language: str) -> RbnfEngine | None:
    """Return the number speller of a language (as given, with "_", then the language alone)."""
    tags = [language, language.replace("-", "_"), language.replace("_", "-").split("-")[0]]
    for tag in dict.fromkeys(tags):
        try:
            return RbnfEngine.for_language(tag)
        except ValueError, FileNotFoundError, KeyError:
            continue
    return None


def _spoken(engine: RbnfEngine, number: float, *, spaced: bool) -> set[str]:
    forms = engine.format_number(number).text_by_ruleset.values()
    return {
        _join(_pieces(normalize(form.replace("-", " ")), spaced=spaced), spaced=spaced)
        for form in forms
    }


@dataclass(slots=True)
class _Language:
    """What is known of one language's sentences, kept while they stay the same."""

    intents: Intents
    spaced: bool
    list_names: GrowthIndex
    takes_more: frozenset[TakesMore]
    continuations: dict[tuple[str, frozenset[str]], _Continuations] = field(default_factory=dict)
    number_beginnings: dict[tuple[Any, ...], GrowthIndex | None] = field(default_factory=dict)
    verdicts: OrderedDict[str, Verdict] = field(default_factory=OrderedDict)


class CommandChecker:
    """Tell whether interim texts are complete commands, for any number of sessions.

    It keeps no state of a session: only what the home's names and the
    language's sentences give, rebuilt when they change.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        """Prepare the checker; `async_start` follows the changes of the home's names."""
        self.hass = hass
        self._languages: dict[str, tuple[object, _Language]] = {}
        self._home: _Home | None = None
        self._names_version = 0
        self._unsubscribe: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the changes that can change the names; return the function that stops it."""

        @callback
        def changed() -> None:
            self._home = None
            self._names_version += 1
            for _, known in self._languages.values():
                known.verdicts.clear()

        self._unsubscribe = async_track_changes(self.hass, changed)
        return self._unsubscribe

    async def async_prepare(self, language: str) -> bool:
        """Load what checking `language` needs; return whether the matcher can be asked.

        The language's sentences, what the check reads from them, and the home's
        names: a recognition starts this when it starts, so that its first check
        does not wait for them.
        """
        if (found := await self._async_intents(language)) is None:
            return False
        agent, intents = found
        await self._async_language(agent, language, intents)
        await self._async_home()
        return True

    async def async_check(self, language: str, text: str) -> Verdict:
        """Return the verdict for `text` in the pipeline language `language`."""
        if (found := await self._async_intents(language)) is None:
            return UNAVAILABLE
        if not normalize(text):
            return NO_COMMAND
        agent, intents = found
        known = await self._async_language(agent, language, intents)
        if (cached := known.verdicts.get(text)) is not None:
            known.verdicts.move_to_end(text)
            return cached
        version = self._names_version
        verdict = await self._async_judge(agent, language, text, known)
        if version == self._names_version:
            known.verdicts[text] = verdict
            if len(known.verdicts) > CACHE_SIZE:
                known.verdicts.popitem(last=False)
        return verdict

    async def _async_intents(self, language: str) -> tuple[DefaultAgent, Intents] | None:
        """Return the default agent and the language's sentences; None: the matcher is absent."""
        agent = _default_agent(self.hass)
        if agent is None:
            return None
        lang_intents = await agent.async_get_or_load_intents(language)
        if lang_intents is None:
            return None
        return agent, lang_intents.intents

    async def _async_language(
        self, agent: DefaultAgent, language: str, intents: Intents
    ) -> _Language:
        held = self._languages.get(language)
        if held is not None and held[0] is intents:
            return held[1]
        known = await self.hass.async_add_executor_job(_new_language, intents, language)
        if _coordinates(language):
            known.takes_more |= {TakesMore.COORDINATION}
        if getattr(agent, "fuzzy_matching", False):  # pragma: no cover - before 2026.10
            known.takes_more |= {TakesMore.FUZZY}
        self._languages[language] = (intents, known)
        return known

    async def _async_home(self) -> _Home:
        """Return the home's lists as the default agent makes them, read again after a change."""
        while self._home is None:
            version = self._names_version
            home = await _async_read_home(self.hass)
            if version == self._names_version:
                self._home = home
        return self._home

    async def _async_judge(
        self, agent: DefaultAgent, language: str, text: str, known: _Language
    ) -> Verdict:
        user_input = conversation.ConversationInput(
            text=text,
            context=Context(),
            conversation_id=None,
            device_id=None,
            satellite_id=None,
            language=language,
            agent_id=conversation.HOME_ASSISTANT_AGENT,
        )
        trigger = await agent.async_recognize_sentence_trigger(user_input)
        results = list(trigger.matched_triggers.values()) if trigger is not None else []
        home = await self._async_home()
        return await self.hass.async_add_executor_job(
            partial(_judge, known, language, text, results, home)
        )


def _default_agent(hass: HomeAssistant) -> DefaultAgent | None:
    """Return the default conversation agent, if the conversation integration runs it."""
    if conversation.DOMAIN not in hass.config.components:
        return None
    agent = async_get_agent(hass, conversation.HOME_ASSISTANT_AGENT)
    return agent if isinstance(agent, DefaultAgent) else None


def _coordinates(language: str) -> bool:
    """Whether the default agent's gazetteer (2026.10 and later) reads "... and ..." here."""
    try:
        gazetteer = import_module("homeassistant.components.conversation.gazetteer")
    except ImportError:  # pragma: no cover - releases before the gazetteer (2026.10)
        return False
    gazetteer_language: str = getattr(gazetteer, "LANGUAGE", "")
    return language_util.Dialect.parse(language).language == gazetteer_language


def _new_language(intents: Intents, language: str) -> _Language:
    """Read what a language's sentences give (in the executor: it walks every template)."""
    spaced = not intents.settings.ignore_whitespace
    list_names = GrowthIndex(spaced)
    for slot_list in _text_lists(intents):
        list_names.add(_values(slot_list))
    return _Language(
        intents=intents,
        spaced=spaced,
        list_names=list_names,
        takes_more=frozenset({TakesMore.WRAPPER}) if _wrappers(intents) else frozenset(),
    )


def _text_lists(intents: Intents) -> Iterator[TextSlotList]:
    lists: list[Mapping[str, SlotList]] = [intents.slot_lists]
    lists.extend(data.slot_lists for intent in intents.intents.values() for data in intent.data)
    for named in lists:
        for slot_list in named.values():
            if isinstance(slot_list, TextSlotList):
                yield slot_list


def _values(slot_list: TextSlotList) -> Iterator[str]:
    for value in slot_list.values:
        if isinstance(value.text_in, TextChunk):
            yield value.text_in.text


type NameTuple = tuple[str, str, dict[str, Any]]
"""(name as matched, name as given, context): a value of the default agent's `name` list."""


@dataclass(slots=True)
class _Home:
    """The home's lists as the default agent makes them, and what is derived from them."""

    names: tuple[NameTuple, ...]
    areas: TextSlotList
    floors: TextSlotList
    counts: Counter[str] = field(default_factory=Counter)
    """How many times an entity answers to each name (casefolded)."""
    keys: tuple[str, ...] = ()
    """Each name squeezed (see `_squeeze`), to find the names a text holds."""
    growth: dict[bool, GrowthIndex] = field(default_factory=dict)

    def index(self, *, spaced: bool) -> GrowthIndex:
        """Return the beginnings of the longer names (built on first use, in the executor)."""
        if (index := self.growth.get(spaced)) is None:
            index = GrowthIndex(spaced)
            index.add(name for name, _, _ in self.names)
            index.add(_values(self.areas))
            index.add(_values(self.floors))
            self.growth[spaced] = index
        return index

    def lists(self, text: str) -> dict[str, SlotList]:
        """Return the agent's lists with only the entity names found in `text`.

        A name absent from the text cannot match it, so the result is the same as
        with every name (Home Assistant 2026.5 narrowed the list the same way);
        matching against a few names instead of thousands is what makes it quick.
        """
        squeezed = _squeeze(text)
        names = [
            TextSlotValue.from_tuple(name, allow_template=False)
            for name, key in zip(self.names, self.keys, strict=True)
            if key in squeezed
        ]
        return {
            "name": TextSlotList(name="name", values=names),
            "area": self.areas,
            "floor": self.floors,
        }


def _squeeze(text: str) -> str:
    """Return text casefolded without punctuation, spaces, dashes or underscores."""
    return "".join(remove_punctuation(normalize_text(text)).casefold().split()).translate(_SQUEEZE)


_SQUEEZE: Final = str.maketrans("", "", "-_")


async def _async_read_home(hass: HomeAssistant) -> _Home:
    """Read the lists as the default agent makes them (on the loop, in slices)."""
    areas: list[tuple[str, str]] = []
    for area in ar.async_get(hass).async_list_areas():
        areas.extend(_place_names(area.name, area.aliases, alias_value=None))
    floors: list[tuple[str, str]] = []
    for floor in fr.async_get(hass).async_list_floors():
        floors.extend(_place_names(floor.name, floor.aliases, alias_value=floor.name))
    names: list[NameTuple] = []
    states = hass.states.async_all()
    registry = er.async_get(hass)
    for start in range(0, len(states), STATES_PER_SLICE):
        if start:
            await asyncio.sleep(0)
        for state in states[start : start + STATES_PER_SLICE]:
            if not async_should_expose(hass, conversation.DOMAIN, state.entity_id):
                continue
            context: dict[str, Any] = {"domain": state.domain}
            if ATTR_DEVICE_CLASS in state.attributes:
                context[ATTR_DEVICE_CLASS] = state.attributes[ATTR_DEVICE_CLASS]
            entry = registry.async_get(state.entity_id)
            names.extend(
                (matched, name, context)
                for name in intent.async_get_entity_aliases(hass, entry, state=state)
                if (matched := remove_punctuation(name).strip())
            )
    home = _Home(
        tuple(names),
        TextSlotList.from_tuples(areas, allow_template=False),
        TextSlotList.from_tuples(floors, allow_template=False),
    )
    await hass.async_add_executor_job(_derive, home)
    return home


def _place_names(
    name: str, aliases: Iterable[str], *, alias_value: str | None
) -> Iterator[tuple[str, str]]:
    """Yield an area's or floor's (name as matched, value) as the default agent lists them."""
    yield remove_punctuation(name).strip(), name
    for alias in aliases:
        if alias := alias.strip():
            yield remove_punctuation(alias).strip(), alias_value or alias


def _derive(home: _Home) -> None:
    home.counts.update(" ".join(value.casefold().split()) for _, value, _ in home.names)
    home.keys = tuple(_squeeze(name) for name, _, _ in home.names)


def _recognize(known: _Language, language: str, text: str, home: _Home) -> RecognizeResult | None:
    """Recognise as the default agent does with `strict_intents_only` (exposed names only)."""
    return recognize_best(
        text,
        known.intents,
        slot_lists=home.lists(text),
        language=language,
        best_metadata_key=METADATA_CUSTOM_SENTENCE,
        best_slot_name="name",
    )


def _judge(
    known: _Language,
    language: str,
    text: str,
    triggers: list[RecognizeResult],
    home: _Home,
) -> Verdict:
    """Decide on a text (in the executor); `triggers` are the sentence triggers it matched."""
    takes_more = known.takes_more
    spaced = known.spaced
    end = _join(_pieces(normalize(text), spaced=spaced), spaced=spaced)
    if triggers:
        if (free := _free_text(triggers, end, spaced=spaced)) is not None:
            return Verdict(Status.PREFIX, TRIGGER, Growth.FREE_TEXT, free, takes_more=takes_more)
        return Verdict(Status.COMPLETE, TRIGGER, takes_more=takes_more)
    if (result := _recognize(known, language, text, home)) is None:
        return NO_COMMAND
    intent = result.intent.name
    if (free := _free_text([result], end, spaced=spaced)) is not None:
        return Verdict(Status.PREFIX, intent, Growth.FREE_TEXT, free, takes_more=takes_more)
    if (number := _growing_number(known, language, result, end)) is not None:
        return Verdict(Status.PREFIX, intent, Growth.NUMBER, number, takes_more=takes_more)
    # The end of the text begins longer names: would Assist take the longer sentence?
    for longer in home.index(spaced=spaced).longer(text) + known.list_names.longer(text):
        if _recognize(known, language, longer, home) is not None:
            return Verdict(Status.PREFIX, intent, Growth.NAME, longer, takes_more=takes_more)
    qualifiers = _qualifiers(known, result, text, language)
    named = result.entities.get("name")
    if named is not None and home.counts[" ".join(str(named.value).casefold().split())] == 1:
        qualifiers -= PLACE_SLOTS
    return Verdict(Status.COMPLETE, intent, qualifiers=qualifiers, takes_more=takes_more)


def _free_text(results: list[RecognizeResult], end: str, *, spaced: bool) -> str | None:
    """Return the text of a wildcard that ends the text (any word extends it)."""
    for result in results:
        for entity in result.entities_list:
            if entity.is_wildcard and _ends_with(end, entity.text, spaced=spaced):
                return str(entity.text)
    return None


def _ends_with(end: str, words: str, *, spaced: bool) -> bool:
    tail = _join(_pieces(normalize(words), spaced=spaced), spaced=spaced)
    return bool(tail) and end.endswith(tail)


def _range_of(
    result: RecognizeResult, entity: MatchEntity, known: _Language
) -> RangeSlotList | None:
    """Return the range list a number was read from, if it ends the text."""
    value = entity.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    sentence = result.intent_sentence.expression if result.intent_sentence else TextChunk()
    rules = {**known.intents.expansion_rules, **result.intent_data.expansion_rules}
    lists = {**known.intents.slot_lists, **result.intent_data.slot_lists}
    reference = next(
        (ref for ref in _list_refs(sentence, rules) if ref.slot_name == entity.name), None
    )
    found = lists.get(reference.list_name) if reference is not None else None
    inline = getattr(reference, "get_inline_range", None)  # hassil 3.6 and later
    if found is None and inline is not None and (bounds := inline()) is not None:
        start, stop, step = bounds
        found = RangeSlotList(name=reference.list_name, start=start, stop=stop, step=step)  # type: ignore[union-attr]
    return found if isinstance(found, RangeSlotList) else None


def _growing_number(
    known: _Language, language: str, result: RecognizeResult, end: str
) -> str | None:
    """Return a larger number of the range that the number ending the text begins, said aloud."""
    for entity in result.entities_list:
        if not _ends_with(end, entity.text, spaced=known.spaced):
            continue
        if (numbers := _range_of(result, entity, known)) is None:
            continue
        engine = _rbnf(numbers.words_language or language)
        beginnings = _number_beginnings(known, engine, numbers)
        if engine is None or beginnings is None:  # no speller, or too many numbers
            return f"> {entity.text}"
        said = entity.value / numbers.multiplier if numbers.multiplier else entity.value
        forms = _spoken(engine, said, spaced=known.spaced)
        forms.add(_join(_pieces(normalize(entity.text), spaced=known.spaced), spaced=known.spaced))
        for form in forms:
            if longer := beginnings.beginnings.get(form):
                return longer[0]
    return None


def _number_beginnings(
    known: _Language, engine: RbnfEngine | None, numbers: RangeSlotList
) -> GrowthIndex | None:
    """Return the beginnings of the spelled numbers of a range (None if it cannot be had)."""
    key = (numbers.start, numbers.stop, numbers.step, numbers.fraction_type, numbers.words_language)
    if key not in known.number_beginnings:
        count = ((numbers.stop - numbers.start) // numbers.step + 1) * (
            1 + len(RangeFractionType.get_fractions(numbers.fraction_type))
        )
        index: GrowthIndex | None = None
        if engine is not None and count <= MAX_RANGE_NUMBERS:
            index = GrowthIndex(known.spaced)
            for number in numbers.get_numbers():
                index.add(_spoken(engine, number, spaced=known.spaced), meaning=f"{number:g}")
        known.number_beginnings[key] = index
    return known.number_beginnings[key]


def _qualifiers(
    known: _Language, result: RecognizeResult, text: str, language: str
) -> frozenset[str]:
    """Return the slots the intent's templates still add after these words, read the same way."""
    slots = frozenset(entity.name for entity in result.entities_list if entity.text)
    key = (result.intent.name, slots)
    if (continuations := known.continuations.get(key)) is None:
        continuations = _continuations(known.intents, result.intent.name, slots)
        known.continuations[key] = continuations
    # The home's lists hold only the values the text was read with: the heads must read
    # it the same way, and matching against one value instead of thousands is quick.
    lists: dict[str, SlotList] = {name: TextSlotList(name=name, values=[]) for name in AGENT_LISTS}
    for entity in result.entities_list:
        if entity.name in AGENT_LISTS and entity.text:
            lists[entity.name] = TextSlotList(
                name=entity.name,
                values=[
                    TextSlotValue(text_in=TextChunk(normalize(entity.text)), value_out=entity.value)
                ],
            )
    adds: set[str] = set()
    for head in recognize_all(
        text,
        continuations.intents,
        slot_lists=lists,
        intent_context=result.context,
        language=language,
    ):
        adds |= continuations.adds.get(id(head.intent_sentence), frozenset())
    return frozenset(adds)
