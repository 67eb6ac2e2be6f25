"""The emulated engine (tests/sis_server/recognizer.py): what each mode sends for what it hears."""

from __future__ import annotations

import random
import time
from typing import Any

import aiohttp
import pytest

from tests.helpers.raw_client import (
    Connect,
    Ws,
    finals,
    get_token,
    rasr_url,
    types,
)
from tests.sis_server import (
    SisServer,
    silence,
    synthesize,
    synthesize_sentences,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")

SENTENCE_MODEL = "chinese_16k_common"
"""chinese_16k_general takes no sentence mode (Huawei's 2021 pages)."""


# --- recognition, per mode --------------------------------------------------------------------


async def test_short_stream(connect: Connect) -> None:
    client = await connect("short-stream")
    # VAD settings have no effect in short-stream: a 3 s vad_tail still splits at 800 ms.
    await client.start(vad_tail=3000, max_seconds=1)
    await client.audio(synthesize_sentences(["turn on", "the light"], gap_ms=800, lead_ms=200))
    await client.quiet(0.3)
    await client.end()
    messages = await client.until("END")
    assert types(messages) == ["RESULT", "RESULT", "END"]
    first, second = (m["segments"] for m in messages[:2])
    assert first == [
        {
            "start_time": 200,
            "end_time": 270,
            "is_final": True,
            "result": {"text": "turn on", "score": 0.9},
        }
    ]
    assert second[0]["start_time"] == 270 + 800
    assert second[0]["result"]["text"] == "the light"
    assert messages[-1] == {
        "resp_type": "END",
        "trace_id": messages[0]["trace_id"],
        "reason": "NORMAL",
    }


async def test_short_stream_keeps_short_pauses(connect: Connect) -> None:
    client = await connect("short-stream")
    await client.start()
    await client.audio(synthesize_sentences(["switch off", "the fan"], gap_ms=400))
    await client.end()
    assert finals(await client.until("END")) == ["switch off the fan"]


async def test_continue_stream(connect: Connect) -> None:
    client = await connect("continue-stream")
    await client.start(vad_tail=300)
    await client.audio(synthesize("good morning", lead_ms=100, tail_ms=400))
    first = await client.recv()
    # The first sentence is final before the client ends the session.
    assert first["resp_type"] == "RESULT"
    assert first["segments"][0]["result"]["text"] == "good morning"
    assert first["segments"][0]["start_time"] == 100
    await client.audio(synthesize("and goodbye", tail_ms=100))
    await client.quiet(0.2)
    await client.end()
    messages = await client.until("END")
    assert finals(messages) == ["and goodbye"]
    assert types(messages) == ["RESULT", "END"]
    assert messages[0]["segments"][0]["start_time"] == 100 + 120 + 400


async def test_continue_stream_two_sentences_in_one_frame(connect: Connect) -> None:
    client = await connect("continue-stream")
    await client.start()
    pcm = synthesize_sentences(["one", "two"], gap_ms=600, lead_ms=0, tail_ms=600)
    await client.audio(pcm, frame=len(pcm))
    result = await client.recv()
    assert [s["result"]["text"] for s in result["segments"]] == ["one", "two"]
    assert all(s["is_final"] for s in result["segments"])
    await client.end()
    assert types(await client.until("END")) == ["END"]


async def test_continue_stream_max_seconds_cuts_a_sentence(connect: Connect) -> None:
    client = await connect("continue-stream")
    await client.start(max_seconds=1)
    text = "a" * 100 + "b" * 50
    await client.audio(synthesize(text))
    result = await client.recv()
    assert result["segments"][0]["result"]["text"] == "a" * 100
    assert result["segments"][0]["end_time"] == 1000
    await client.end()
    messages = await client.until("END")
    assert finals(messages) == ["b" * 50]


async def test_sentence_stream(connect: Connect) -> None:
    client = await connect("sentence-stream")
    await client.start(property=SENTENCE_MODEL, vad_tail=400)
    await client.audio(synthesize_sentences(["open the door", "and ignore this"], lead_ms=300))
    messages = [await client.recv() for _ in range(3)]
    assert types(messages) == ["VOICE_START", "VOICE_END", "RESULT"]
    assert messages[0]["timestamp"] == 300
    assert list(messages[0]) == ["resp_type", "trace_id", "event", "timestamp"]
    assert messages[1]["timestamp"] == 300 + 130
    assert finals(messages) == ["open the door"]
    # Later audio is ignored; the session waits for END.
    await client.audio(synthesize("still ignored", lead_ms=100, tail_ms=600))
    await client.quiet(0.2)
    await client.end()
    assert types(await client.until("END")) == ["END"]


async def test_sentence_stream_exceeded_silence(connect: Connect, server: SisServer) -> None:
    client = await connect("sentence-stream")
    await client.start(property=SENTENCE_MODEL, vad_head=300)
    await client.audio(silence(400) + synthesize("too late", tail_ms=600))
    event = await client.recv()
    assert (event["event"], event["timestamp"]) == ("EXCEEDED_SILENCE", 300)
    await client.quiet(0.2)
    await client.end()
    assert types(await client.until("END")) == ["END"]
    assert len(server.sessions[-1].audio) == len(silence(400) + synthesize("too late", tail_ms=600))


async def test_sentence_stream_vad_head_zero_waits_for_speech(connect: Connect) -> None:
    client = await connect("sentence-stream")
    await client.start(property=SENTENCE_MODEL, vad_head=0)
    # 61 s of silence exceeds every vad_head but 0, which means no limit.
    await client.audio(silence(59_000) + synthesize("at last", tail_ms=600), frame=32000)
    messages = [await client.recv() for _ in range(3)]
    assert types(messages) == ["VOICE_START", "VOICE_END", "RESULT"]
    assert finals(messages) == ["at last"]


async def test_sentence_stream_end_before_voice_end(connect: Connect) -> None:
    client = await connect("sentence-stream")
    await client.start(property=SENTENCE_MODEL)
    await client.audio(synthesize("half a sen", lead_ms=100))
    assert (await client.recv())["event"] == "VOICE_START"
    await client.end()
    messages = await client.until("END")
    assert types(messages) == ["RESULT", "END"]
    assert finals(messages) == ["half a sen"]
    assert messages[-1]["reason"] == "NORMAL"


@pytest.mark.parametrize("mode", ["short-stream", "continue-stream", "sentence-stream"])
async def test_interim_results(connect: Connect, mode: str) -> None:
    client = await connect(mode)
    await client.start(property=SENTENCE_MODEL, interim_results="yes")
    text = "the quick brown fox jumps over"
    # 100 ms frames: each adds ten characters of speech.
    await client.audio(synthesize(text), frame=3200)
    await client.end()
    messages = await client.until("END")
    interims = [
        m["segments"][0]["result"]
        for m in messages
        if m["resp_type"] == "RESULT" and not m["segments"][0]["is_final"]
    ]
    assert [i["text"] for i in interims] == [text[:10], text[:20], text]
    assert {i["score"] for i in interims} == {0.0}
    assert finals(messages) == [text]


async def recognise_on(
    http: aiohttp.ClientSession, server: SisServer, mode: str, audio: bytes, **config: Any
) -> list[dict[str, Any]]:
    """Run one session on a server of its own; return the messages up to END."""
    await server.start()
    try:
        token = await get_token(http, server)
        async with http.ws_connect(rasr_url(server, mode), headers={"X-Auth-Token": token}) as ws:
            client = Ws(ws)
            await client.start(**config)
            await client.audio(audio)
            await client.end()
            return await client.until("END")
    finally:
        await server.close()


async def test_transcriber_hears_speech_that_is_not_test_code(
    http: aiohttp.ClientSession,
) -> None:
    heard: list[tuple[bytes, int]] = []

    def transcriber(pcm: bytes, rate: int) -> str:
        heard.append((pcm, rate))
        return "go forward ten meters"

    server = SisServer(fallback_text="unused", transcriber=transcriber)
    rng = random.Random(11)
    noise = b"".join(rng.randrange(1, 30000).to_bytes(2, "little") for _ in range(8000))
    audio = noise + silence(800) + synthesize("and back") + silence(800)
    messages = await recognise_on(http, server, "continue-stream", audio, interim_results="yes")
    segments = [s for m in messages if m["resp_type"] == "RESULT" for s in m["segments"]]
    assert [s["result"]["text"] for s in segments if s["is_final"]] == [
        "go forward ten meters",
        "and back",
    ]
    # Interim results of the real speech stay empty: it is transcribed once, at its end.
    first = {s["result"]["text"] for s in segments if not s["is_final"] and s["start_time"] == 0}
    assert first in (set(), {""})
    # Only the sentence of real speech went to the transcriber, once, as the PCM it was.
    assert heard == [(noise, 16000)]


async def test_word_info_and_fallback_text(http: aiohttp.ClientSession) -> None:
    server = SisServer(fallback_text="what a lovely day")
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(16000))
    messages = await recognise_on(http, server, "short-stream", noise, need_word_info="yes")
    (segment,) = messages[0]["segments"]
    assert segment["result"]["text"] == "what a lovely day"
    assert segment["end_time"] == 500
    assert segment["result"]["word_info"] == [
        {"start_time": 0, "end_time": 125, "word": "what"},
        {"start_time": 125, "end_time": 250, "word": "a"},
        {"start_time": 250, "end_time": 375, "word": "lovely"},
        {"start_time": 375, "end_time": 500, "word": "day"},
    ]


async def test_ulaw_audio_has_no_speech(connect: Connect) -> None:
    client = await connect("continue-stream")
    await client.start(audio_format="ulaw16k8bit", interim_results="yes")
    await client.audio(bytes(range(1, 256)) * 40)
    await client.end()
    assert types(await client.until("END")) == ["END"]


async def test_end_cancel(connect: Connect, server: SisServer) -> None:
    client = await connect("short-stream")
    await client.start()
    await client.audio(synthesize("never mind", lead_ms=100))
    await client.end(cancel=True)
    messages = await client.until("END")
    assert types(messages) == ["END"]
    assert messages[0]["reason"] == "CANCEL"
    assert server.sessions[-1].end == {"command": "END", "cancel": True}


async def test_processing_delay(connect: Connect, server: SisServer) -> None:
    server.processing_delay = 0.3
    client = await connect("short-stream")
    await client.start()
    await client.audio(synthesize("slow", lead_ms=100))
    began = time.monotonic()
    await client.end()
    messages = await client.until("END")
    assert time.monotonic() - began >= 0.3
    assert finals(messages) == ["slow"]
