"""The fallback engine answers when Huawei Cloud cannot, through `POST /api/stt` and pipelines.

A speech-to-text entity of the tests' own stands as the fallback; the local
server plays the faults. The fallback must get byte for byte the audio Home
Assistant sent, whether Huawei Cloud failed before any audio went out or after
the end of speech, and nothing may be left behind.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.components import stt
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.huawei_cloud_sis import fallback
from custom_components.huawei_cloud_sis.const import DOMAIN
from custom_components.huawei_cloud_sis.diagnostics import async_get_config_entry_diagnostics
from tests.helpers.checks import STT_LOGGER, nothing_left, our_tasks, wait_for
from tests.helpers.engines import RecordingEngine, add_engine
from tests.helpers.entry import async_setup_two_entries, reauth_flows
from tests.helpers.faults import SERVICE_FAULTS, fault_id
from tests.helpers.pipeline import RunFactory
from tests.helpers.recognise import ENTITY_ID, HttpClient, chunks, recognise, wav_file
from tests.sis_server import Fault, IamFault, SisServer, silence, synthesize

SPEECH = synthesize("打开客厅的灯", lead_ms=300, tail_ms=300)
FALLBACK = {"fallback_engine": "stt.fallback"}
ANSWER = {"text": "fallback heard this", "result": "success"}
SENTENCE = {"mode": "sentence-stream", "model_zh_cn": "chinese_16k_common"}


@pytest.fixture
async def engine(hass: HomeAssistant) -> RecordingEngine:
    """The fallback engine, `stt.fallback`."""
    return await add_engine(hass, RecordingEngine("fallback"))


def lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The entity's log lines of level INFO and above."""
    return [r for r in caplog.records if r.name == STT_LOGGER and r.levelno >= logging.INFO]


@pytest.mark.parametrize("options", [FALLBACK])
@pytest.mark.parametrize(("faults", "code"), SERVICE_FAULTS, ids=fault_id)
async def test_every_fault_is_answered_by_the_fallback(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    engine: RecordingEngine,
    caplog: pytest.LogCaptureFixture,
    loaded_entry: MockConfigEntry,
    faults: list[Fault],
    code: str,
) -> None:
    sis_server.faults.extend(faults)
    assert await recognise(client, chunks(SPEECH, 333)) == ANSWER
    assert bytes(engine.received) == SPEECH
    [line] = lines(caplog)
    assert line.levelno == logging.WARNING
    assert line.exc_info is None
    assert f"code {code}," in line.getMessage()
    assert line.getMessage().endswith("stt.fallback answered instead")
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    assert diagnostics["fallbacks"]["answered"] == {code: 1}
    await nothing_left(hass, sis_server)


@pytest.mark.parametrize("options", [FALLBACK])
async def test_a_silent_end_is_answered_with_the_whole_utterance(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer, engine: RecordingEngine
) -> None:
    """END never answered and no final result: the fallback gets the whole audio at once."""
    sis_server.faults.append(Fault.no_end_response())
    audio = silence(2000)
    assert await recognise(client, chunks(audio)) == ANSWER
    assert bytes(engine.received) == audio
    assert bytes(sis_server.sessions[-1].audio[: len(audio)]) == audio  # all sent first
    await nothing_left(hass, sis_server)


@pytest.mark.parametrize("options", [FALLBACK])
async def test_a_wav_file_reaches_the_fallback_as_it_was_sent(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer, engine: RecordingEngine
) -> None:
    sis_server.faults.append(Fault.handshake(status=403))
    body = wav_file(SPEECH)
    assert await recognise(client, body) == ANSWER
    assert bytes(engine.received) == body


@pytest.mark.parametrize("options", [FALLBACK])
async def test_auth_and_account_problems_are_reported_even_when_the_fallback_answers(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    engine: RecordingEngine,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    sis_server.revoke_credentials()
    assert await recognise(client, SPEECH) == ANSWER
    await hass.async_block_till_done()
    assert len(reauth_flows(hass, loaded_entry)) == 1
    sis_server.restore_credentials()
    sis_server.faults += [Fault.start_error("SIS.0103", "real name authentication missing")] * 2
    assert await recognise(client, SPEECH) == ANSWER
    issue = issue_registry.async_get_issue(DOMAIN, f"real_name_required_{loaded_entry.entry_id}")
    assert issue is not None


@pytest.mark.parametrize("options", [FALLBACK])
async def test_iam_down_when_the_token_must_be_refreshed(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer, engine: RecordingEngine
) -> None:
    sis_server.expire_tokens()
    sis_server.revoke_tokens()
    sis_server.iam_fault = IamFault(status=503)
    assert await recognise(client, SPEECH) == ANSWER
    assert bytes(engine.received) == SPEECH


# No fallback --------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [FALLBACK])
async def test_no_fallback_on_success_or_on_silence(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    engine: RecordingEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await recognise(client, SPEECH) == {"text": "打开客厅的灯", "result": "success"}
    assert await recognise(client, silence(1000)) == {"text": "", "result": "success"}
    assert engine.calls == []
    assert lines(caplog) == []
    await nothing_left(hass, sis_server)


@pytest.mark.parametrize("options", [FALLBACK | {"fallback_on_empty": True}])
async def test_silence_falls_back_when_asked(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    engine: RecordingEngine,
    caplog: pytest.LogCaptureFixture,
    loaded_entry: MockConfigEntry,
) -> None:
    assert await recognise(client, silence(1000)) == ANSWER
    assert bytes(engine.received) == silence(1000)
    [line] = lines(caplog)
    assert line.levelno == logging.INFO
    assert "heard no text; stt.fallback answered instead" in line.getMessage()
    # The fallback hearing nothing either: the empty text stands.
    engine.text = ""
    assert await recognise(client, silence(1000)) == {"text": "", "result": "success"}
    engine.error = RuntimeError("broken")
    assert await recognise(client, silence(1000)) == {"text": "", "result": "success"}
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    assert diagnostics["fallbacks"] == {
        "answered": {"no_text": 2},
        "failed": {"no_text": 1},
    }


@pytest.mark.parametrize("options", [FALLBACK])
async def test_bad_audio_does_not_fall_back(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    engine: RecordingEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A WAV header that disagrees with the request would be as wrong for any engine."""
    bad = wav_file(SPEECH, sample_rate=8000)
    assert await recognise(client, bad) == {"text": None, "result": "error"}
    assert engine.calls == []
    [line] = lines(caplog)
    assert "code AudioInputError," in line.getMessage()


@pytest.mark.parametrize("options", [FALLBACK])
async def test_no_fallback_when_the_pipeline_stops_listening(
    hass: HomeAssistant, start_run: RunFactory, sis_server: SisServer, engine: RecordingEngine
) -> None:
    sis_server.faults.append(Fault.no_end_response())
    run = await start_run(no_vad=True)
    await run.until("stt-start")
    await run.send(SPEECH[:6400])
    await wait_for(lambda: bool(sis_server.sessions and sis_server.sessions[-1].audio), "audio")
    await run.ws.send_json_auto_id({"type": "unsubscribe_events", "subscription": run.run_id})
    await wait_for(lambda: our_tasks() == [], "no task of the run left")
    assert engine.calls == []
    await wait_for(lambda: sis_server.open_connections == 0, "every socket closed")


# The fallback cannot answer -----------------------------------------------------------------


@pytest.mark.parametrize("options", [FALLBACK])
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"result": stt.SpeechResultState.ERROR}, "stt.fallback answered with an error"),
        ({"error": RuntimeError("boom")}, "stt.fallback failed: RuntimeError: boom"),
        ({"hang": True}, "stt.fallback did not answer within"),
        ({"languages": ("en-US",)}, "stt.fallback does not take zh-CN audio at 16000 Hz"),
    ],
    ids=["error result", "exception", "no answer", "other language"],
)
async def test_the_fallback_failing_is_an_error(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    engine: RecordingEngine,
    caplog: pytest.LogCaptureFixture,
    change: dict[str, Any],
    reason: str,
) -> None:
    for name, value in change.items():
        setattr(engine, name, list(value) if name == "languages" else value)
    sis_server.faults.append(Fault.handshake(status=403))
    with patch.object(fallback, "COPY_SECONDS", 60):
        short = fallback_timeout(0.5)
        with short:
            assert await recognise(client, SPEECH) == {"text": None, "result": "error"}
    [line] = lines(caplog)
    assert line.levelno == logging.ERROR
    assert line.exc_info is None
    message = line.getMessage()
    assert "code HTTP 403," in message
    assert f"the fallback could not answer: {reason}" in message
    await nothing_left(hass, sis_server)


def fallback_timeout(seconds: float) -> Any:
    """Bound every fallback to `seconds` (the session's own bound is much longer)."""
    original = fallback.async_fall_back

    async def bounded(*args: Any, **kwargs: Any) -> stt.SpeechResult:
        return await original(*args, **(kwargs | {"timeout": seconds}))

    return patch("custom_components.huawei_cloud_sis.fallback.async_fall_back", bounded)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"fallback_engine": "stt.nothing_here"}, "stt.nothing_here does not exist"),
        ({"fallback_engine": ENTITY_ID}, f"{ENTITY_ID} is already trying this recognition"),
    ],
    ids=["missing", "itself"],
)
async def test_an_unusable_fallback_leaves_the_error(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    caplog: pytest.LogCaptureFixture,
    reason: str,
) -> None:
    sis_server.faults.append(Fault.handshake(status=403))
    assert await recognise(client, SPEECH) == {"text": None, "result": "error"}
    [line] = lines(caplog)
    assert line.getMessage().endswith(f"the fallback could not answer: {reason}")
    await nothing_left(hass, sis_server)


@pytest.mark.parametrize("options", [FALLBACK])
async def test_an_unavailable_fallback_leaves_the_error(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    engine: RecordingEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine._attr_available = False
    sis_server.faults.append(Fault.handshake(status=403))
    assert await recognise(client, SPEECH) == {"text": None, "result": "error"}
    assert "stt.fallback is unavailable" in lines(caplog)[0].getMessage()
    assert engine.calls == []


@pytest.mark.parametrize("options", [FALLBACK])
async def test_audio_longer_than_the_copy_leaves_the_error(
    hass: HomeAssistant,
    client: HttpClient,
    sis_server: SisServer,
    engine: RecordingEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sis_server.faults.append(Fault.no_end_response())
    with patch.object(fallback, "COPY_SECONDS", 1):
        assert await recognise(client, chunks(silence(3000))) == {"text": None, "result": "error"}
    assert "the audio is longer than the 1 s kept for it" in lines(caplog)[0].getMessage()
    assert engine.calls == []
    await nothing_left(hass, sis_server)


async def test_a_chain_that_comes_back_stops(
    hass: HomeAssistant,
    sis_server: SisServer,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A falls back to B (another entry, say another region), B back to A: it stops there."""
    await async_setup_two_entries(
        hass,
        sis_server,
        {"fallback_engine": f"{ENTITY_ID}_2"},
        {"fallback_engine": ENTITY_ID},
    )
    sis_server.faults += [Fault.handshake(status=403), Fault.handshake(status=403)]
    client = await hass_client()
    assert await recognise(client, SPEECH) == {"text": None, "result": "error"}
    messages = [line.getMessage() for line in lines(caplog)]
    assert len(messages) == 2
    assert messages[0].endswith(
        f"the fallback could not answer: {ENTITY_ID} is already trying this recognition"
    )
    assert messages[1].endswith(
        f"the fallback could not answer: {ENTITY_ID}_2 answered with an error"
    )
    assert sis_server.handshakes == 2
    await nothing_left(hass, sis_server)


# Through the pipeline -----------------------------------------------------------------------


@pytest.mark.parametrize("options", [FALLBACK])
@pytest.mark.parametrize(
    "fault", [Fault.handshake(status=403), Fault.no_end_response()], ids=["early", "late"]
)
async def test_pipeline_audio_reaches_the_fallback_byte_for_byte(
    hass: HomeAssistant,
    start_run: RunFactory,
    sis_server: SisServer,
    engine: RecordingEngine,
    fault: Fault,
) -> None:
    sis_server.faults.append(fault)
    audio = silence(1500) if fault.kind.value == "no_end_response" else SPEECH
    run = await start_run(no_vad=True)
    await run.until("stt-start")
    await run.send(audio)
    await run.end()
    assert await run.text() == "fallback heard this"
    assert bytes(engine.received) == audio
    await nothing_left(hass, sis_server)


@pytest.mark.parametrize("options", [FALLBACK | SENTENCE])
async def test_sentence_mode_ends_the_stream_for_a_fallback_that_needs_it(
    hass: HomeAssistant, start_run: RunFactory, sis_server: SisServer, engine: RecordingEngine
) -> None:
    """Nobody else ends the stream in sentence mode: the entity ends it at the end of speech."""
    sis_server.faults.append(Fault.handshake(status=403))
    speech = synthesize("打开客厅的灯" * 4, lead_ms=200)  # 0.9 s of speech
    run = await start_run()
    await run.until("stt-start")
    await run.send(speech + silence(1000))
    # The satellite goes on streaming silence; only the end of speech ends the command.
    sending = asyncio.ensure_future(run.send(silence(20_000)))
    try:
        assert await run.text() == "fallback heard this"
    finally:
        sending.cancel()
    received = bytes(engine.received)
    assert received.startswith(speech)
    assert len(received) < len(speech) + 32000 * 2  # cut within a second of silence
    await nothing_left(hass, sis_server)


@pytest.mark.parametrize("options", [FALLBACK | SENTENCE])
async def test_sentence_mode_leaves_the_stream_to_a_fallback_that_ends_it_itself(
    hass: HomeAssistant, client: HttpClient, sis_server: SisServer
) -> None:
    engine = await add_engine(hass, RecordingEngine("fallback", requires_external_vad=False))
    sis_server.faults.append(Fault.handshake(status=403))
    audio = SPEECH + silence(3000)
    assert await recognise(client, audio) == ANSWER
    assert bytes(engine.received) == audio
