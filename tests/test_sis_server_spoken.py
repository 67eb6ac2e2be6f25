"""Spoken speech in the emulator: words with real durations, heard as a streaming recogniser
hears them (tests/sis_server/speech.py and recognizer.py), over real sockets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.raw_client import Connect, finals, types
from tests.sis_server import (
    RecordedSession,
    SisServer,
    decode,
    silence,
    synthesize,
    synthesize_spoken,
)
from tests.sis_server.speech import SPACE, SUSTAIN

pytestmark = pytest.mark.usefixtures("socket_enabled")

SENTENCE_MODEL = "chinese_16k_common"
"""A model that takes every mode."""
FRAME = 320
"""10 ms of 16 kHz audio, as the assist pipeline hands it over."""
WORDS = [
    ("turn", 300, 560),
    ("on", 560, 700),
    ("the", 700, 800),
    ("kitchen", 800, 1150),
    ("light", 1150, 1450),
    # a pause of 450 ms
    ("and", 1900, 2050),
    ("the", 2050, 2150),
    ("fan", 2150, 2500),
]
MANDARIN = [("把", 200, 400), ("空调", 400, 800), ("调到", 800, 1200), ("二十", 1200, 1600)]
MANDARIN += [("六度", 2000, 2400)]  # after a pause of 400 ms


async def _session(
    connect: Connect, server: SisServer, mode: str, pcm: bytes, **config: Any
) -> tuple[list[dict[str, Any]], RecordedSession]:
    """Send `pcm` in 10 ms frames, then END; the messages up to END, and what the server noted."""
    client = await connect(mode)
    assert (await client.start(property=SENTENCE_MODEL, **config))["resp_type"] == "START"
    await client.audio(pcm, frame=FRAME)
    await client.end()
    return await client.until("END"), server.sessions[-1]


def _interims(session: RecordedSession) -> list[tuple[int, str]]:
    """(audio ms received when sent, text) of every interim result of a session."""
    return [
        (after // 32, segment["result"]["text"])
        for message, after in zip(session.sent, session.sent_after, strict=True)
        if message["resp_type"] == "RESULT"
        for segment in message["segments"]
        if not segment["is_final"]
    ]


# --- the codec ----------------------------------------------------------------------------------


def test_spoken_words_last_their_durations() -> None:
    pcm = synthesize_spoken(WORDS, tail_ms=500)
    assert len(pcm) == 2 * 16 * (2500 + 500)
    assert decode(pcm) == "turn on the kitchen light and the fan"
    # "kitchen" fills 800-1150 ms: a space (it touches "the"), the word going on, then its
    # seven bytes at its end.
    samples = memoryview(pcm).cast("h")
    assert set(samples[16 * 800 : 16 * 810]) == {SPACE}
    assert set(samples[16 * 810 : 16 * (1150 - 70)]) == {SUSTAIN}
    assert SUSTAIN not in set(samples[16 * (1150 - 70) : 16 * 1150])
    # Words that touch are separated by a space; the pause is silence.
    assert set(samples[16 * 1450 : 16 * 1900]) == {0}
    assert decode(synthesize_spoken([("a", 0, 100), ("b", 300, 400)])) == "a b"


def test_mandarin_is_written_without_spaces_across_a_pause() -> None:
    assert decode(synthesize_spoken(MANDARIN)) == "把空调调到二十六度"
    assert decode(synthesize("打开") + silence(300) + synthesize("客厅")) == "打开客厅"
    assert decode(synthesize("打开") + silence(300) + synthesize("TV")) == "打开 TV"


def test_speech_made_by_synthesize_decodes_as_before() -> None:
    assert decode(synthesize("turn on the light")) == "turn on the light"
    assert decode(synthesize("one", lead_ms=50) + silence(300) + synthesize("two")) == "one two"
    # A silence inside a character makes no text, as before.
    assert decode(synthesize("打")[:480] + silence(100) + synthesize("打")[480:]) is None
    # A word that only goes on says nothing yet.
    assert decode(synthesize_spoken([("a", 0, 200)])[:3000]) is None


@pytest.mark.parametrize(
    "words",
    [
        [("kitchen", 0, 60)],  # seven bytes need 70 ms
        [("on", 0, 200), ("off", 100, 300)],  # overlapping
        [("", 0, 100)],
    ],
)
def test_words_that_cannot_be_said(words: list[tuple[str, int, int]]) -> None:
    with pytest.raises(ValueError, match=r"cannot be said|overlaps"):
        synthesize_spoken(words)


# --- interim results: after each word, with the lag ----------------------------------------------


@pytest.mark.parametrize("mode", ["short-stream", "continue-stream", "sentence-stream"])
async def test_words_are_heard_after_they_end_with_the_lag(
    connect: Connect, server: SisServer, mode: str
) -> None:
    messages, session = await _session(
        connect, server, mode, synthesize_spoken(WORDS, tail_ms=1000), interim_results="yes"
    )
    heard = _interims(session)
    # One interim result per word, sent with the first frame 250 ms past the word's end.
    assert heard == [
        (end + 250 + 10, " ".join(text for text, _, _ in WORDS[: index + 1]))
        for index, (_, _, end) in enumerate(WORDS)
    ]
    assert finals(messages) == ["turn on the kitchen light and the fan"]
    segments = [
        segment for message in session.sent if message["resp_type"] == "RESULT"
        for segment in message["segments"]
    ]  # fmt: skip
    # An interim result covers the words heard: from the first word's start to the last's end.
    assert (segments[3]["start_time"], segments[3]["end_time"]) == (300, 1150)
    assert {segment["result"]["score"] for segment in segments[:-1]} == {0.0}


async def test_the_lag_is_the_servers_to_choose(connect: Connect, server: SisServer) -> None:
    server.interim_lag_ms = 0
    _, session = await _session(
        connect, server, "short-stream", synthesize_spoken(MANDARIN, tail_ms=300),
        interim_results="yes",
    )  # fmt: skip
    assert _interims(session) == [
        (410, "把"), (810, "把空调"), (1210, "把空调调到"), (1610, "把空调调到二十"),
        (2410, "把空调调到二十六度"),
    ]  # fmt: skip


@pytest.mark.parametrize("mode", ["short-stream", "continue-stream", "sentence-stream"])
async def test_no_interim_results_unless_asked(
    connect: Connect, server: SisServer, mode: str
) -> None:
    for asked in ({}, {"interim_results": "no"}):
        messages, session = await _session(
            connect, server, mode, synthesize_spoken(WORDS, tail_ms=1000), **asked
        )
        assert _interims(session) == []
        assert finals(messages) == ["turn on the kitchen light and the fan"]


async def test_interim_results_come_in_big_frames_too(connect: Connect, server: SisServer) -> None:
    client = await connect("short-stream")
    await client.start(interim_results="yes")
    # Two frames of 2 s and 0.8 s: the words over 250 ms before each frame's end are heard.
    await client.audio(synthesize_spoken(MANDARIN, tail_ms=400), frame=32000 * 2)
    await client.end()
    messages = await client.until("END")
    interims = [m["segments"][0]["result"]["text"] for m in messages[:-2]]
    assert interims == ["把空调调到二十", "把空调调到二十六度"]
    assert finals(messages) == ["把空调调到二十六度"]


# --- revisions ---------------------------------------------------------------------------------


async def test_a_revision_is_shown_first_then_corrected(
    connect: Connect, server: SisServer
) -> None:
    server.revise("turn on the kitchen light", "turn on the kitchen lights", 200)
    server.revise("turn on the kitchen", "turn on the kitten", 1000)  # cut short by "light"
    messages, session = await _session(
        connect, server, "continue-stream", synthesize_spoken(WORDS, tail_ms=1000),
        interim_results="yes",
    )  # fmt: skip
    assert _interims(session)[3:7] == [
        (1410, "turn on the kitten"),
        (1710, "turn on the kitchen lights"),
        (1910, "turn on the kitchen light"),
        (2310, "turn on the kitchen light and"),
    ]
    # The final result says what was said.
    assert finals(messages) == ["turn on the kitchen light and the fan"]


def test_a_revision_needs_both_texts_and_a_duration(server: SisServer) -> None:
    for heard, shown, for_ms in (("", "a", 100), ("a", "", 100), ("a", "b", 0)):
        with pytest.raises(ValueError, match="revision"):
            server.revise(heard, shown, for_ms)


async def test_revisions_follow_the_script_and_the_mishearings(
    connect: Connect, server: SisServer
) -> None:
    server.mishear("kitchen", "kitten")
    server.revise("turn on the kitten light", "turn on the kitten lights", 100)
    _, session = await _session(
        connect, server, "short-stream", synthesize_spoken(WORDS[:5], tail_ms=600),
        interim_results="yes",
    )  # fmt: skip
    assert [text for _, text in _interims(session)][-2:] == [
        "turn on the kitten lights",
        "turn on the kitten light",
    ]


# --- each mode's sentences and events, as for any speech --------------------------------------


async def test_sentence_mode_ends_the_sentence_after_vad_tail(
    connect: Connect, server: SisServer
) -> None:
    client = await connect("sentence-stream")
    await client.start(property=SENTENCE_MODEL, vad_tail=400, interim_results="yes")
    # The 450 ms pause is longer than vad_tail: the sentence ends before "and the fan".
    await client.audio(synthesize_spoken(WORDS, tail_ms=800), frame=FRAME)
    messages = [await client.recv() for _ in range(8)]
    assert types(messages) == ["VOICE_START", *["RESULT"] * 5, "VOICE_END", "RESULT"]
    assert (messages[0]["timestamp"], messages[-2]["timestamp"]) == (300, 1450)
    assert finals(messages) == ["turn on the kitchen light"]
    assert server.sessions[-1].sent_after[-1] == 32 * (1450 + 400)
    await client.quiet(0.2)
    await client.end()
    assert types(await client.until("END")) == ["END"]


async def test_continuous_mode_cuts_at_pauses_longer_than_vad_tail(
    connect: Connect, server: SisServer
) -> None:
    messages, session = await _session(
        connect, server, "continue-stream", synthesize_spoken(WORDS, tail_ms=500), vad_tail=400
    )
    assert finals(messages) == ["turn on the kitchen light", "and the fan"]
    final_after = [
        after // 32
        for message, after in zip(session.sent, session.sent_after, strict=True)
        if message["resp_type"] == "RESULT"
    ]
    assert final_after == [1450 + 400, 2500 + 400]


async def test_short_stream_sends_its_sentences_at_end(connect: Connect, server: SisServer) -> None:
    # Short-stream ignores vad_tail; its own 500 ms gap splits a pause of 500 ms.
    spoken = [*MANDARIN[:4], ("六度", 2100, 2500)]
    messages, _ = await _session(
        connect, server, "short-stream", synthesize_spoken(spoken, tail_ms=300), vad_tail=3000
    )
    assert types(messages) == ["RESULT", "RESULT", "END"]
    assert finals(messages) == ["把空调调到二十", "六度"]
