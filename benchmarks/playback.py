"""Play the spoken corpus to Home Assistant in real time, and note when the text came.

For the benchmark of answering before the silence ends (`bench_early_answer.py`)
and the tests of it. An utterance of `tests/corpus/early_answer.py` becomes
PCM the local server recognises (`audio_of`: leading silence, the words at
their real times, trailing silence) and is fed to Home Assistant as a
satellite would: 10 ms chunks, each handed over when a microphone would have
it, through `assist_pipeline/run` (`play_pipeline`) or `POST /api/stt`
(`play_http`). Feeding stops once Home Assistant stops listening (its voice
detection ended the command, or the text came), or after `max_tail_ms` of
silence at most. `Played` holds what happened, on `time.monotonic()`: the end
of speech (the last word's end), when the text arrived and what it was.

The local server's interim results are what a streaming recogniser sends; the
utterance's revisions are declared on it for the time of a play
(`revisions_on`). `interim_timeline` runs an utterance through the server
alone, as fast as it takes it, and returns the partial text the integration
would see after each message, at its position in the audio.

Home Assistant's voice detection runs microVAD, a model of real voices, which
hears no speech in the server's codec. `speech_detector()` stands in for it:
a 10 ms chunk is speech when its RMS reaches 500 (the codec's speech is 1,000
and more; silence is 0). Everything else of Home Assistant's end-of-speech
detection is its own (`VoiceCommandSegmenter`: 0.3 s of speech to start, 0.7 s
of silence to end by default). microVAD's own delay in noticing silence is not
in the figures; they are a lower bound of what a real satellite waits.
"""

from __future__ import annotations

from array import array
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
import json
import math
import time
from typing import Any, Final
from unittest.mock import patch

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient

from custom_components.huawei_cloud_sis.sis import Transcript, parse_message
from tests.corpus.early_answer import Spoken
from tests.helpers.raw_client import get_token, rasr_url
from tests.helpers.recognise import ENTITY_ID, header
from tests.sis_server import SisServer

SAMPLE_RATE: Final = 16000
CHUNK_MS: Final = 10
CHUNK: Final = SAMPLE_RATE * 2 * CHUNK_MS // 1000
"""What the assist pipeline hands over: 10 ms of 16 kHz 16-bit audio."""
LEAD_MS: Final = 300
"""Silence before the first word."""
MAX_TAIL_MS: Final = 3000
"""Silence fed after the last word at most, when nothing ends the stream before."""
SPEECH_RMS: Final = 500.0
"""The stand-in voice detection's threshold: a chunk this loud holds speech."""
MICRO_VAD: Final = "homeassistant.components.assist_pipeline.audio_enhancer.MicroVad"


@dataclass(frozen=True, slots=True)
class Audio:
    """An utterance as PCM, and where in it the speech is."""

    pcm: bytes
    speech_start_ms: int
    end_of_speech_ms: int
    """Where the last word ends, from the start of the audio."""


def audio_of(spoken: Spoken, *, lead_ms: int = LEAD_MS, tail_ms: int = MAX_TAIL_MS) -> Audio:
    """The utterance with `lead_ms` of silence before it and `tail_ms` after it."""
    pcm = spoken.pcm(lead_ms=lead_ms, tail_ms=tail_ms, sample_rate=SAMPLE_RATE)
    return Audio(pcm, lead_ms, lead_ms + spoken.end_ms)


@dataclass(slots=True)
class Played:
    """One utterance played to Home Assistant."""

    spoken: Spoken
    started: float
    """When the first chunk was due (the start of the audio)."""
    end_of_speech: float
    """When the last word ended."""
    text: str | None = None
    text_at: float | None = None
    """When the text arrived (`stt-end`, or the answer of `POST /api/stt`)."""
    vad_end_at: float | None = None
    """When Home Assistant's voice detection ended the command (`stt-vad-end`)."""
    fed_until: float | None = None
    """When the last chunk was handed over."""
    chunks: int = 0
    events: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    error: dict[str, Any] | None = None

    @property
    def latency_ms(self) -> float | None:
        """End of speech to text, in ms (negative: the text came before the speech ended)."""
        if self.text_at is None:
            return None
        return (self.text_at - self.end_of_speech) * 1000

    @property
    def right(self) -> bool:
        """The text is the command the user finished (or one Assist treats the same)."""
        return self.text is not None and self.spoken.is_right(self.text)


class SpeechDetector:
    """Stands in for microVAD: the probability of speech of a 10 ms chunk is 1 or 0."""

    def Process10ms(self, audio: bytes) -> float:  # noqa: N802 - microVAD's name
        """1.0 when the chunk's RMS reaches `SPEECH_RMS`, else 0.0."""
        samples = array("h", audio[: len(audio) - len(audio) % 2])
        if not samples:
            return 0.0
        rms = math.sqrt(sum(sample * sample for sample in samples) / len(samples))
        return 1.0 if rms >= SPEECH_RMS else 0.0


@contextmanager
def speech_detector() -> Iterator[None]:
    """Home Assistant's voice detection hears the codec's speech while the block runs."""
    with patch(MICRO_VAD, SpeechDetector):
        yield


@contextmanager
def revisions_on(server: SisServer, spoken: Spoken) -> Iterator[None]:
    """The server revises interim texts as the utterance says, while the block runs."""
    saved = dict(server.revisions)
    server.revisions.clear()
    for revision in spoken.revisions:
        server.revise(revision.heard, revision.shown, revision.for_ms)
    try:
        yield
    finally:
        server.revisions.clear()
        server.revisions.update(saved)


async def _feed(
    send: Callable[[bytes], Awaitable[None]],
    audio: Audio,
    started: float,
    stop: asyncio.Event,
    played: Played,
) -> bool:
    """Hand over 10 ms chunks in real time until `stop` is set; True if the audio ran out.

    Chunk i is due when a microphone has it: `CHUNK_MS` * (i + 1) after `started`.
    """
    pcm = audio.pcm
    for index, offset in enumerate(range(0, len(pcm), CHUNK)):
        due = started + (index + 1) * CHUNK_MS / 1000
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        if stop.is_set():
            return False
        await send(pcm[offset : offset + CHUNK])
        played.chunks += 1
        played.fed_until = time.monotonic()
    return True


async def play_pipeline(
    ws: Any,
    pipeline_id: str,
    spoken: Spoken,
    *,
    end_stage: str = "stt",
    lead_ms: int = LEAD_MS,
    max_tail_ms: int = MAX_TAIL_MS,
    timeout: float = 30.0,
) -> Played:
    """Say `spoken` to a pipeline run (`assist_pipeline/run` from stage stt) in real time.

    Home Assistant's voice detection is on (unless the entity does its own, as in
    sentence mode). Feeding stops at `stt-vad-end` or `stt-end`, or ends the
    stream after `max_tail_ms` of silence; the run is read to its end.
    """
    audio = audio_of(spoken, lead_ms=lead_ms, tail_ms=max_tail_ms)
    await ws.send_json_auto_id(
        {
            "type": "assist_pipeline/run",
            "start_stage": "stt",
            "end_stage": end_stage,
            "pipeline": pipeline_id,
            "input": {"sample_rate": SAMPLE_RATE},
        }
    )
    message = await ws.receive_json()
    assert message["success"], message
    run_id = message["id"]
    handler: int | None = None
    stop = asyncio.Event()
    feeder: asyncio.Task[None] | None = None
    played = Played(spoken, 0.0, 0.0)

    async def send(chunk: bytes) -> None:
        assert handler is not None
        await ws.send_bytes(bytes([handler]) + chunk)

    async def feed() -> None:
        if await _feed(send, audio, played.started, stop, played):
            await send(b"")  # the audio ran out: an empty chunk ends the stream

    try:
        async with asyncio.timeout(timeout):
            while True:
                message = await ws.receive_json()
                arrived = time.monotonic()
                assert message["id"] == run_id, message
                event: dict[str, Any] = message["event"]
                played.events.append((arrived, event))
                kind, data = event["type"], event.get("data") or {}
                if kind == "run-start":
                    handler = data["runner_data"]["stt_binary_handler_id"]
                elif kind == "stt-start":
                    played.started = time.monotonic()
                    played.end_of_speech = played.started + audio.end_of_speech_ms / 1000
                    feeder = asyncio.create_task(feed(), name="playback feed pipeline")
                elif kind == "stt-vad-end":
                    played.vad_end_at = arrived
                    stop.set()
                elif kind == "stt-end":
                    played.text, played.text_at = data["stt_output"]["text"], arrived
                    stop.set()
                elif kind == "error":
                    played.error = data
                    stop.set()
                elif kind == "run-end":
                    break
    finally:
        stop.set()
        if feeder is not None:
            await feeder
    return played


async def play_http(
    client: TestClient[web.Request, web.Application],
    spoken: Spoken,
    *,
    lead_ms: int = LEAD_MS,
    tail_ms: int = 700,
) -> Played:
    """Post `spoken` to `POST /api/stt/<entity>` in real time; the body ends after `tail_ms`.

    Nothing detects the end of speech here: the stream ends with the body, unless
    the entity answers first (then the rest of the body is not sent).
    """
    audio = audio_of(spoken, lead_ms=lead_ms, tail_ms=tail_ms)
    stop = asyncio.Event()
    played = Played(spoken, 0.0, 0.0)
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def body() -> AsyncIterator[bytes]:
        while (chunk := await queue.get()) is not None:
            yield chunk

    async def feed() -> None:
        try:
            await _feed(queue.put, audio, played.started, stop, played)
        finally:
            queue.put_nowait(None)

    played.started = time.monotonic()
    played.end_of_speech = played.started + audio.end_of_speech_ms / 1000
    feeder = asyncio.create_task(feed(), name="playback feed http")
    try:
        response = await client.post(
            f"/api/stt/{ENTITY_ID}", data=body(), headers=header(spoken.stt_language)
        )
        answer = await response.json()
        played.text_at = time.monotonic()
        played.text = answer.get("text")
        if answer.get("result") != "success":
            played.error = answer
    finally:
        stop.set()
        await feeder
    return played


@dataclass(frozen=True, slots=True)
class Heard:
    """The partial text the integration has after one message of the server."""

    at_ms: int
    """Position in the audio when the message was sent, from the start of speech."""
    text: str
    final: bool
    """The message held a final result."""


async def interim_timeline(
    http: aiohttp.ClientSession,
    server: SisServer,
    spoken: Spoken,
    mode: str,
    config: dict[str, Any],
    *,
    frame_ms: int = CHUNK_MS,
) -> list[Heard]:
    """Recognise `spoken` with interim results on the local server, as fast as it goes.

    The audio goes in frames of `frame_ms`, as the entity sends it.
    `config` is the START config's model part (`property`, VAD settings). The
    partial text after each RESULT (what `Transcript.partial_text` makes of the
    messages so far, as the integration would see it) is returned when it
    changed, with the audio position the server had reached when it sent it.
    """
    audio = audio_of(spoken, lead_ms=LEAD_MS, tail_ms=1500)
    token = await get_token(http, server)
    async with http.ws_connect(rasr_url(server, mode), headers={"X-Auth-Token": token}) as ws:
        start = {"audio_format": "pcm16k16bit", "interim_results": "yes", **config}
        with revisions_on(server, spoken):
            await ws.send_json({"command": "START", "config": start})
            assert json.loads(await ws.receive_str())["resp_type"] == "START"
            frame = CHUNK * frame_ms // CHUNK_MS
            for offset in range(0, len(audio.pcm), frame):
                await ws.send_bytes(audio.pcm[offset : offset + frame])
            await ws.send_json({"command": "END"})
            while json.loads(await ws.receive_str(timeout=5))["resp_type"] != "END":
                pass
    session = server.sessions[-1]
    transcript = Transcript()
    heard: list[Heard] = []
    for message, after in zip(session.sent, session.sent_after, strict=True):
        if message["resp_type"] not in ("RESULT", "EVENT"):
            continue
        transcript.add(parse_message(json.dumps(message)))
        text = transcript.partial_text
        if message["resp_type"] == "RESULT" and (not heard or heard[-1].text != text):
            final = any(segment["is_final"] for segment in message["segments"])
            at_ms = after * CHUNK_MS // CHUNK - audio.speech_start_ms
            heard.append(Heard(at_ms, text, final))
    return heard
