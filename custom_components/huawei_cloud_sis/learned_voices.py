"""What real-time synthesis told an entry about voices and SSML, remembered across restarts.

Which voices real-time synthesis takes, and whether it refuses `<`, `>` and
`&` as SSML, only the live service can tell (disputed points T1 and T3). The
library speaks a reply on when it meets such a refusal and says so in its
outcome (`sis.SynthesisOutcome`); this module remembers the answer for the
entry's region, in a `Store`, so that:

- a refused voice is no longer offered, and a reply asked in it is spoken at
  once in the language's default voice, without asking the service again;
- a repair issue names the refused voice while the entry's options, or a
  reply's call, still ask for it;
- once `<`, `>` and `&` were refused, text goes without them from the start;
- diagnostics show what was learned.

Answers are kept per region (a custom endpoint by its address): another
region's service may answer otherwise. Nothing here is per request.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import CONF_REGION, CONF_SIS_ENDPOINT, DOMAIN, REGION_CUSTOM
from .sis import SisError, SisVoiceRefusedError, SynthesisOutcome

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .voice_settings import VoiceChoice, VoiceSettings

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION: Final = 1
ISSUE_PREFIX: Final = "voice_refused"
"""Repair issues `voice_refused_<entry id>_<voice>`; the translation key is the prefix."""


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.learned_voices.{entry_id}")


def region_key(data: Any) -> str:
    """Return what the answers of an entry's service are kept under: its region or address."""
    region: str = data[CONF_REGION]
    return f"{REGION_CUSTOM} {data[CONF_SIS_ENDPOINT]}" if region == REGION_CUSTOM else region


def _answer(err: SisError) -> dict[str, Any]:
    return {
        "code": err.code,
        "message": err.message,
        "trace_id": err.trace_id,
        "at": dt_util.utcnow().isoformat(),
    }


class LearnedVoices:
    """The voices the service refused for an entry's region, and whether it refuses SSML."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Keep the answers of `entry`'s service (load them with `async_load`)."""
        self._hass = hass
        self._entry = entry
        self._store = _store(hass, entry.entry_id)
        self._key = region_key(entry.data)
        self._regions: dict[str, dict[str, Any]] = {}
        self._unsaved = False

    async def async_load(self) -> None:
        """Read what was learned before."""
        data = await self._store.async_load() or {}
        regions = data.get("regions")
        self._regions = regions if isinstance(regions, dict) else {}

    @property
    def _here(self) -> dict[str, Any]:
        return self._regions.setdefault(self._key, {"refused_voices": {}, "markup_refused": None})

    @property
    def refused(self) -> frozenset[str]:
        """The voices the service refused in this region."""
        return frozenset(self._regions.get(self._key, {}).get("refused_voices", {}))

    @property
    def markup_refused(self) -> bool:
        """Whether the service refused `<`, `>` or `&` as SSML in this region."""
        return bool(self._regions.get(self._key, {}).get("markup_refused"))

    @callback
    def async_setup(self, settings: VoiceSettings) -> None:
        """Raise the repair issue of each refused voice the options choose; drop the others."""
        refused = self.refused
        chosen = {
            voice: language for language, voice in settings.voices.items() if voice in refused
        }
        for voice in refused:
            if voice in chosen:
                self._raise(voice, settings.voice(chosen[voice], refused) or "")
            else:
                ir.async_delete_issue(self._hass, DOMAIN, self._issue_id(voice))

    @callback
    def async_asked(self, choice: VoiceChoice) -> None:
        """Keep the repair issue up while replies ask for a refused voice (and get another)."""
        if choice.replaced:
            self._raise(choice.asked, choice.config.voice)

    @callback
    def async_learned(self, outcome: SynthesisOutcome) -> None:
        """Remember what a reply met: a voice refused (spoken in `outcome.voice`), SSML refused.

        A fallback voice refused too (the reply failed) is remembered as well.
        """
        if (refusal := outcome.refused_voice) is not None:
            self.async_voice_refused(refusal, outcome.voice)
        if isinstance(outcome.failure, SisVoiceRefusedError):
            self.async_voice_refused(outcome.failure)
        if outcome.markup_refused and not self.markup_refused:
            _LOGGER.warning(
                "Huawei Cloud refused <, > or & in a reply as SSML; "
                "replies are sent without them from now on"
            )
            self._here["markup_refused"] = {"at": dt_util.utcnow().isoformat()}
            self._save()

    @callback
    def async_voice_refused(self, err: SisVoiceRefusedError, spoken: str | None = None) -> None:
        """Remember that the service refused a voice; with `spoken`, a reply was spoken so.

        A reply that was spoken in another voice raises the repair issue; a
        voice only tried (in the options) is just no longer offered.
        """
        voice = err.voice
        if voice not in self.refused:
            self._here["refused_voices"][voice] = _answer(err)
            self._save()
            _LOGGER.warning(
                "Huawei Cloud refused the voice %s (code %s, trace id %s): %s. It is no "
                "longer offered%s",
                voice,
                err.label,
                err.trace_id or "none",
                err.message,
                f"; replies asked in it are spoken in {spoken}" if spoken else "",
            )
        if spoken is not None:
            self._raise(voice, spoken)

    async def async_flush(self) -> None:
        """Write what is not written yet (the entry unloads: it is read again at setup)."""
        if self._unsaved:
            await self._store.async_save(self._data())
            self._unsaved = False

    def diagnostics(self) -> dict[str, Any]:
        """Return what the service answered, here and in the regions the entry was in before."""
        return {"region": self._key, "regions": self._regions}

    def _save(self) -> None:
        self._unsaved = True
        self._store.async_delay_save(self._data, 0)

    def _data(self) -> dict[str, Any]:
        self._unsaved = False
        return {"regions": self._regions}

    def _raise(self, voice: str, spoken: str) -> None:
        answer: dict[str, Any] = self._here["refused_voices"].get(voice, {})
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self._issue_id(voice),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_PREFIX,
            translation_placeholders={
                "title": self._entry.title,
                "voice": voice,
                "spoken": spoken,
                "code": str(answer.get("code") or "none"),
            },
        )

    def _issue_id(self, voice: str) -> str:
        return f"{ISSUE_PREFIX}_{self._entry.entry_id}_{voice}"


async def async_remove_learned(hass: HomeAssistant, entry_id: str) -> None:
    """Forget what an entry learned (the entry is removed)."""
    await _store(hass, entry_id).async_remove()


def learned_voices(entry: ConfigEntry[Any]) -> LearnedVoices | None:
    """Return what a loaded entry learned; None while it is not loaded."""
    if entry.state is not ConfigEntryState.LOADED:
        return None
    learned: LearnedVoices = entry.runtime_data.voices
    return learned


def refused_voices(entry: ConfigEntry[Any]) -> frozenset[str]:
    """Return the voices the service refused for a loaded entry (none known otherwise)."""
    learned = learned_voices(entry)
    return frozenset() if learned is None else learned.refused
