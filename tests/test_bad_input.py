"""Odd and wrong audio sent to `POST /api/stt/<entity>`: a clear answer, nothing lost or left."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest

from tests.helpers.checks import failure_lines, our_tasks, wait_for
from tests.helpers.recognise import ENTITY_ID, HttpClient, chunks, recognise, wav_file
from tests.sis_server import SisServer, decode, synthesize


async def assert_nothing_left(hass: HomeAssistant, server: SisServer) -> None:
    await hass.async_block_till_done()
    await wait_for(lambda: server.open_connections == 0, "every socket closed")
    await wait_for(lambda: our_tasks() == [], "every task of the integration ended")


async def test_empty_body_is_an_empty_success(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer
) -> None:
    assert await recognise(client, b"") == {"text": "", "result": "success"}
    assert bytes(sis_server.sessions[-1].audio) == b""
    assert sis_server.sessions[-1].end == {"command": "END", "cancel": False}
    await assert_nothing_left(hass, sis_server)


async def test_wav_header_without_audio_is_an_empty_success(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer
) -> None:
    header_only = wav_file(b"")
    assert len(header_only) == 44
    assert await recognise(client, header_only) == {"text": "", "result": "success"}
    # The header itself never reaches the service as audio.
    assert bytes(sis_server.sessions[-1].audio) == b""
    await assert_nothing_left(hass, sis_server)


async def test_truncated_wav_header_is_an_error(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await recognise(client, wav_file(b"")[:30]) == {"text": None, "result": "error"}
    [line] = failure_lines(caplog)
    assert "ended inside its WAV header" in line.getMessage()
    # The session may have started: its connection is closed, and no byte went out as audio.
    await assert_nothing_left(hass, sis_server)
    assert len(sis_server.sessions) <= 1
    for session in sis_server.sessions:
        assert bytes(session.audio) == b""
        assert session.end in (None, {"command": "END", "cancel": True})


@pytest.mark.parametrize("extra", [b"\0", b"\0\0\0"], ids=["1", "3"])
async def test_odd_byte_count_keeps_every_whole_sample(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer, extra: bytes
) -> None:
    pcm = synthesize("打开客厅的灯", tail_ms=300)
    # 4095-byte pieces: every other chunk boundary falls inside a sample; a shift by
    # one byte would garble every sample after it.
    answer = await recognise(client, chunks(pcm + extra, 4095))
    assert answer == {"text": "打开客厅的灯", "result": "success"}
    audio = bytes(sis_server.sessions[-1].audio)
    whole = len(pcm + extra) // 2 * 2
    assert audio[:whole] == (pcm + extra)[:whole]
    assert audio[whole:].strip(b"\0") == b""
    assert decode(audio) == "打开客厅的灯"
    await assert_nothing_left(hass, sis_server)


@pytest.mark.parametrize(
    "speech_content",
    [
        "format=wav; codec=pcm; sample_rate=44100; bit_rate=16; channel=1; language=zh-CN",
        "format=wav; codec=pcm; sample_rate=16000; bit_rate=16; channel=2; language=zh-CN",
        "format=wav; codec=pcm; sample_rate=16000; bit_rate=32; channel=1; language=zh-CN",
        "format=ogg; codec=opus; sample_rate=16000; bit_rate=16; channel=1; language=zh-CN",
        "format=wav; codec=pcm; sample_rate=16000; bit_rate=16; channel=1; language=fr-FR",
    ],
    ids=["44.1 kHz", "stereo", "32-bit", "opus", "unlisted language"],
)
async def test_unsupported_audio_is_refused_by_home_assistant(
    client: HttpClient, sis_server: SisServer, speech_content: str
) -> None:
    response = await client.post(
        f"/api/stt/{ENTITY_ID}",
        data=synthesize("打开客厅的灯"),
        headers={"X-Speech-Content": speech_content},
    )
    assert response.status == 415
    assert sis_server.handshakes == 0


async def test_malformed_metadata_is_a_bad_request(
    client: HttpClient, sis_server: SisServer
) -> None:
    response = await client.post(
        f"/api/stt/{ENTITY_ID}",
        data=synthesize("打开客厅的灯"),
        headers={"X-Speech-Content": "format=wav; codec=pcm; sample_rate=12345"},
    )
    assert response.status == 400
    assert sis_server.handshakes == 0
