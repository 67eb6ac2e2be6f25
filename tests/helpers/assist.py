"""Assist from speech to action: a pipeline run from stage stt to stage intent."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from tests.helpers.pipeline import start_pipeline_run
from tests.sis_server import synthesize


async def set_up_assist(hass: HomeAssistant) -> None:
    """Home Assistant's conversation (its default agent) and the assist pipeline."""
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "assist_pipeline", {})


def light_in_area(hass: HomeAssistant, light: str, area: str) -> str:
    """A light named `light` in the area `area`, off and exposed to Assist; its entity id."""
    area_id = ar.async_get(hass).async_create(area).id
    registry = er.async_get(hass)
    entry = registry.async_get_or_create(
        "light", "test", light, original_name=light, suggested_object_id="assist_light"
    )
    registry.async_update_entity(entry.entity_id, area_id=area_id)
    hass.states.async_set(entry.entity_id, "off", {"friendly_name": light})
    return entry.entity_id


async def say(hass_ws_client: WebSocketGenerator, pipeline_id: str, spoken: str) -> dict[str, Any]:
    """Speak `spoken` into a run from stt to intent; return the text heard and the answer.

    The answer is `intent_output.response` of the `intent-end` event; the text is
    `stt_output.text` of `stt-end`.
    """
    run = await start_pipeline_run(hass_ws_client, pipeline_id, "intent", no_vad=True)
    await run.until("stt-start")
    await run.send(synthesize(spoken))
    await run.end()
    stt_end = await run.until("stt-end")
    intent_end = await run.until("intent-end")
    await run.until("run-end")
    await run.ws.close()
    return {
        "text": stt_end["data"]["stt_output"]["text"],
        "response": intent_end["data"]["intent_output"]["response"],
    }
