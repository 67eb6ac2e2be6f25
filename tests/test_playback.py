"""The playback harness of the spoken corpus (benchmarks/playback.py), which the benchmark of
answering early and its tests use: real-time audio into Home Assistant, and what came back."""

from __future__ import annotations

import importlib

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from benchmarks.early_answer_figures import earliest
from benchmarks.playback import (
    CHUNK,
    LEAD_MS,
    MICRO_VAD,
    Heard,
    SpeechDetector,
    audio_of,
    interim_timeline,
    play_http,
    play_pipeline,
    revisions_on,
    speech_detector,
)
from tests.corpus.early_answer import CORPUS, ENGLISH, Kind, Spoken, say
from tests.corpus.home import async_setup_home
from tests.helpers.pipeline import create_pipeline
from tests.helpers.recognise import HttpClient
from tests.sis_server import SisServer, silence, synthesize


def _spoken(name: str) -> Spoken:
    return next(spoken for spoken in CORPUS if spoken.name == name)


def test_an_utterance_becomes_audio_with_silence_around_it() -> None:
    spoken = _spoken("en-plain-02")
    audio = audio_of(spoken, lead_ms=200, tail_ms=500)
    assert (audio.speech_start_ms, audio.end_of_speech_ms) == (200, 200 + spoken.end_ms)
    assert len(audio.pcm) == CHUNK * (200 + spoken.end_ms + 500) // 10
    assert audio.pcm[: CHUNK * 20] == silence(200)


def test_the_stand_in_voice_detection_hears_the_codecs_speech() -> None:
    detector = SpeechDetector()
    assert detector.Process10ms(silence(10)) == 0.0
    assert detector.Process10ms(synthesize("a")) == 1.0
    assert detector.Process10ms((40).to_bytes(2, "little", signed=True) * 160) == 0.0
    assert detector.Process10ms(b"") == 0.0
    module, _, name = MICRO_VAD.rpartition(".")
    with speech_detector():
        assert getattr(importlib.import_module(module), name) is SpeechDetector
    assert getattr(importlib.import_module(module), name) is not SpeechDetector


def test_revisions_are_declared_for_the_time_of_a_play(server: SisServer) -> None:
    server.revise("a", "b", 100)
    with revisions_on(server, _spoken("en-plain-08")):
        assert server.revisions == {"turn off the fan": ("turn on the fan", 200)}
    assert server.revisions == {"a": ("b", 100)}


async def test_a_command_through_a_pipeline_in_real_time(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    await async_setup_home(hass)
    assert await async_setup_component(hass, "assist_pipeline", {})
    ws = await hass_ws_client()
    pipeline_id = await create_pipeline(ws, ENGLISH, "en-US")
    spoken = _spoken("en-plain-02")
    with speech_detector():
        played = await play_pipeline(ws, pipeline_id, spoken)
    assert (played.text, played.right, played.error) == (spoken.command, True, None)
    # Home Assistant's voice detection ended the command after the speech, then the text came;
    # feeding stopped there, long before the 3 s of silence ran out.
    assert played.vad_end_at is not None
    assert played.text_at is not None
    assert played.end_of_speech < played.vad_end_at <= played.text_at
    assert played.latency_ms is not None
    assert played.latency_ms > 0
    assert LEAD_MS + spoken.end_ms < played.chunks * 10 < LEAD_MS + spoken.end_ms + 3000
    assert len(sis_server.sessions[-1].audio) <= played.chunks * CHUNK
    assert [event["type"] for _, event in played.events][-1] == "run-end"


async def test_without_voice_detection_the_audio_runs_out(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sis_server: SisServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    # microVAD hears no speech in the codec: the command never starts, the stream ends
    # when the audio does, and the text is still the command.
    assert await async_setup_component(hass, "assist_pipeline", {})
    ws = await hass_ws_client()
    pipeline_id = await create_pipeline(ws, "zh-CN", "zh-CN")
    spoken = say("what time", Kind.PLAIN, "zh-CN", "现在几点")
    played = await play_pipeline(ws, pipeline_id, spoken, max_tail_ms=300)
    assert (played.text, played.vad_end_at) == ("现在几点", None)
    assert played.chunks * 10 == LEAD_MS + spoken.end_ms + 300


async def test_a_command_through_http_in_real_time(
    client: HttpClient, sis_server: SisServer
) -> None:
    spoken = _spoken("zh-CN-plain-01")
    played = await play_http(client, spoken, tail_ms=200)
    assert (played.text, played.right, played.error) == ("打开客厅的灯", True, None)
    # Nothing detects the end of speech: the body is sent to its end.
    assert played.chunks * 10 == LEAD_MS + spoken.end_ms + 200
    assert played.latency_ms is not None
    assert played.latency_ms >= 200


@pytest.mark.parametrize("mode", ["short-stream", "sentence-stream"])
async def test_the_interim_texts_of_an_utterance_and_when_they_come(
    sis_server: SisServer, mode: str
) -> None:
    spoken = _spoken("en-plain-08")  # "turn off the fan", first heard as "turn on the fan"
    async with aiohttp.ClientSession() as http:
        config = {"property": "english_16k_general"}
        timeline = await interim_timeline(http, sis_server, spoken, mode, config)
    ends = [word.end_ms for word in spoken.words]
    revised_at = ends[-1] + 260
    assert timeline == [
        Heard(ends[0] + 260, "turn", final=False),
        Heard(ends[1] + 260, "turn off", final=False),
        Heard(ends[2] + 260, "turn off the", final=False),
        Heard(revised_at, "turn on the fan", final=False),
        Heard(revised_at + 200, "turn off the fan", final=False),
    ]
    assert sis_server.revisions == {}


def test_the_earliest_answer_waits_for_a_stable_quiet_text() -> None:
    spoken = say("x", Kind.WORDS_AFTER, ENGLISH, "turn off the fan (400) please")
    fan, please = spoken.words[3].end_ms + 250, spoken.words[4].end_ms + 250
    timeline = [
        Heard(fan, "turn off the fan", final=False),
        Heard(please, spoken.command, final=False),
    ]
    early = [True, True]
    first = earliest(spoken, timeline, early, 0)
    assert (first.at_ms, first.false) == (fan, True)
    assert first.after_speech_ms == fan - spoken.end_ms
    # Within 200 ms "please" is being said: the text is not quiet; the whole one is.
    later = earliest(spoken, timeline, early, 200)
    assert (later.heard, later.at_ms, later.false) == (timeline[1], please + 200, False)
    assert earliest(spoken, timeline, [False, False], 0).after_speech_ms is None
    # A short word said while the text was on its way: only looking back hears it.
    quick = say("y", Kind.WORDS_AFTER, ENGLISH, "turn off the fan (100) a")
    fan, a = quick.words[3].end_ms + 250, quick.words[4].end_ms + 250
    assert quick.words[4].end_ms < fan
    timeline = [Heard(fan, "turn off the fan", final=False), Heard(a, quick.command, final=False)]
    assert earliest(quick, timeline, early, 100).heard == timeline[0]
    assert earliest(quick, timeline, early, 100, quiet_ms=300).heard == timeline[1]
