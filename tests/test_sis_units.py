"""Pure units of the protocol client: config, messages, framing, signing, endpoints, text."""

from __future__ import annotations

from datetime import UTC, datetime
import json
from typing import Any

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
import pytest
from yarl import URL

from custom_components.huawei_cloud_sis.sis import (
    AudioFormat,
    AudioFramer,
    Endpoints,
    EndResponse,
    ErrorResponse,
    Event,
    EventResponse,
    RecognitionConfig,
    RecognitionMode,
    ResultResponse,
    SisConfigError,
    SisProtocolError,
    SisServerError,
    StartResponse,
    Transcript,
    WordInfo,
    is_loopback_host,
    join_texts,
    parse_message,
)
from custom_components.huawei_cloud_sis.sis.errors import SisAuthError
from custom_components.huawei_cloud_sis.sis.signer import sign

AK = "HPUAEXAMPLEACCESSKEY"
SK = "exampleSecretKey0123456789abcdefghijklmn"


# --- START config ------------------------------------------------------------------------


def test_config_serialises_switches_as_strings_and_omits_unset_fields() -> None:
    config = RecognitionConfig(
        audio_format=AudioFormat.PCM16K16BIT,
        model="chinese_16k_general",
        interim_results=True,
        vad_tail=600,
    )
    assert config.to_json() == {
        "audio_format": "pcm16k16bit",
        "property": "chinese_16k_general",
        "add_punc": "no",
        "interim_results": "yes",
        "need_word_info": "no",
        "vad_tail": 600,
    }


def test_config_with_every_field() -> None:
    config = RecognitionConfig(
        audio_format=AudioFormat.PCM8K16BIT,
        model="chinese_8k_general",
        add_punc=True,
        digit_norm=False,
        need_word_info=True,
        vad_head=0,
        vad_tail=3000,
        max_seconds=60,
        vocabulary_id="2f1d7c9e-0000-4b6a-9a57-3c1e5c0f1234",
    )
    data = config.to_json()
    assert data["digit_norm"] == "no"
    assert data["add_punc"] == "yes"
    assert data["need_word_info"] == "yes"
    assert (data["vad_head"], data["vad_tail"], data["max_seconds"]) == (0, 3000, 60)
    assert data["vocabulary_id"] == "2f1d7c9e-0000-4b6a-9a57-3c1e5c0f1234"


@pytest.mark.parametrize(
    "changes",
    [
        {"vad_head": -1},
        {"vad_head": 60001},
        {"vad_tail": 3001},
        {"vad_tail": True},
        {"max_seconds": 0},
        {"max_seconds": 61},
        {"max_seconds": 1.5},
        {"model": "chinese_8k_general"},
        {"model": "Chinese 16k"},
        {"vocabulary_id": ""},
        {"vocabulary_id": "has space"},
        {"audio_format": "pcm16k16bit"},
    ],
)
def test_config_rejects_values_the_service_rejects(changes: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {
        "audio_format": AudioFormat.PCM16K16BIT,
        "model": "english_16k_general",
    }
    kwargs.update(changes)
    with pytest.raises(SisConfigError):
        RecognitionConfig(**kwargs)


def test_audio_format_properties() -> None:
    assert AudioFormat.PCM16K16BIT.bytes_per_second == 32000
    assert AudioFormat.ULAW8K8BIT.bytes_per_second == 8000
    assert (AudioFormat.PCM8K16BIT.min_frame, AudioFormat.PCM8K16BIT.max_frame) == (160, 32768)
    assert (AudioFormat.ALAW16K8BIT.min_frame, AudioFormat.ALAW16K8BIT.max_frame) == (320, 65536)
    assert AudioFormat.ULAW16K8BIT.silence == b"\xff"
    assert AudioFormat.ALAW8K8BIT.silence == b"\xd5"


# --- framing -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(AudioFormat))
@pytest.mark.parametrize("chunk", [1, 7, 320, 4096, 100_000])
def test_framer_keeps_every_byte_and_respects_limits(fmt: AudioFormat, chunk: int) -> None:
    framer = AudioFramer(fmt, frame_ms=100)
    audio = bytes(i % 251 for i in range(fmt.bytes_per_second * 2 + 77))
    frames: list[bytes] = []
    for start in range(0, len(audio), chunk):
        frames += framer.push(audio[start : start + chunk])
    last = framer.flush()
    assert last is not None
    frames.append(last)
    assert all(fmt.min_frame <= len(f) <= fmt.max_frame for f in frames)
    assert all(len(f) == framer.frame_size for f in frames[:-1])
    joined = b"".join(frames)
    assert joined[: len(audio)] == audio
    padding = joined[len(audio) :]
    assert len(joined) % fmt.sample_width == 0
    # Only whole samples of silence are added, after the audio.
    if fmt.sample_width == 2 and len(audio) % 2:
        padding = padding[1:]
    assert padding == fmt.silence * (len(padding) // len(fmt.silence))
    assert framer.flush() is None


@pytest.mark.parametrize(("frame_ms", "size"), [(1, 320), (40, 1280), (100, 3200), (5000, 65536)])
def test_framer_clamps_frame_size(frame_ms: int, size: int) -> None:
    assert AudioFramer(AudioFormat.PCM16K16BIT, frame_ms).frame_size == size


def test_framer_rejects_a_bad_duration() -> None:
    with pytest.raises(ValueError, match="positive"):
        AudioFramer(AudioFormat.PCM16K16BIT, 0)


def test_framer_pending_and_empty_flush() -> None:
    framer = AudioFramer(AudioFormat.PCM16K16BIT, 100)
    assert framer.flush() is None
    assert framer.push(b"\x01\x02" * 10) == []
    assert framer.pending == 20


# --- messages ----------------------------------------------------------------------------


def test_parse_every_message_type() -> None:
    assert parse_message('{"resp_type":"START","trace_id":"t1"}') == StartResponse("t1")
    event = parse_message(
        '{"resp_type":"EVENT","trace_id":"t","event":"VOICE_END","timestamp":1500}'
    )
    assert event == EventResponse("t", Event.VOICE_END, 1500)
    unknown_event = parse_message('{"resp_type":"EVENT","event":"SOMETHING_NEW"}')
    assert isinstance(unknown_event, EventResponse)
    assert unknown_event.event == "SOMETHING_NEW"
    assert unknown_event.timestamp is None
    result = parse_message(
        json.dumps(
            {
                "resp_type": "RESULT",
                "trace_id": "b08a",
                "segments": [
                    {
                        "start_time": 0,
                        "end_time": 3159,
                        "is_final": True,
                        "result": {
                            "text": "hello everybody",
                            "score": 0.9178787469863892,
                            "word_info": [{"start_time": 920, "end_time": 1200, "word": "▁HE"}],
                        },
                    },
                    {"start_time": 3200, "end_time": 3300, "is_final": False},
                ],
            }
        )
    )
    assert isinstance(result, ResultResponse)
    first, second = result.segments
    assert (first.text, first.is_final, first.end_time) == ("hello everybody", True, 3159)
    assert first.score == pytest.approx(0.9178787469863892)
    assert first.words[0].word == "▁HE"
    assert (second.text, second.is_final, second.score) == (None, False, None)
    error = parse_message(
        '{"resp_type":"ERROR","trace_id":"x","error_code":"SIS.0301","error_msg":"m"}'
    )
    assert error == ErrorResponse("x", "SIS.0301", "m", fatal=False)
    fatal = parse_message('{"resp_type":"FATAL_ERROR","error_code":"SIS.0304","error_msg":"w"}')
    assert fatal == ErrorResponse(None, "SIS.0304", "w", fatal=True)
    assert parse_message('{"resp_type":"END","trace_id":"e","reason":"CANCEL"}') == EndResponse(
        "e", "CANCEL"
    )


def test_word_info_fields_are_each_optional() -> None:
    words = [{"start_time": 0, "end_time": 80}, {"word": "▁ON"}, {}]
    result = parse_message(
        json.dumps(
            {
                "resp_type": "RESULT",
                "segments": [{"is_final": True, "result": {"text": "on", "word_info": words}}],
            }
        )
    )
    assert isinstance(result, ResultResponse)
    assert result.segments[0].words == (
        WordInfo(start_time=0, end_time=80, word=None),
        WordInfo(start_time=None, end_time=None, word="▁ON"),
        WordInfo(start_time=None, end_time=None, word=None),
    )


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        '{"resp_type":"SOMETHING"}',
        '{"trace_id":"no type"}',
        '{"resp_type":"RESULT"}',
        '{"resp_type":"RESULT","segments":[{"start_time":0}]}',
        '{"resp_type":"RESULT","segments":[{"is_final":true,"start_time":"0"}]}',
        '{"resp_type":"RESULT","segments":[{"is_final":true,"result":"text"}]}',
        '{"resp_type":"RESULT","segments":[{"is_final":true,"result":{"word_info":{}}}]}',
        '{"resp_type":"RESULT","segments":[{"is_final":true,"result":{"text":5}}]}',
        '{"resp_type":"RESULT","segments":[{"is_final":true,"result":{"word_info":[{"word":1}]}}]}',
        '{"resp_type":"EVENT"}',
        '{"resp_type":"START","trace_id":7}',
    ],
)
def test_parse_rejects_malformed_messages(text: str) -> None:
    with pytest.raises(SisProtocolError):
        parse_message(text)


# --- transcript --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (["打开", "客厅的灯"], "打开客厅的灯"),
        (["turn on", "the light"], "turn on the light"),
        (["打开灯", "please"], "打开灯 please"),
        (["打开灯。", "好的"], "打开灯。好的"),
        ([" hello ", "", "world"], "hello world"),
        ([], ""),
    ],
)
def test_join_texts(parts: list[str], expected: str) -> None:
    assert join_texts(parts) == expected


def _result(*segments: tuple[str | None, bool]) -> ResultResponse:
    return parse_result(segments)


def parse_result(segments: tuple[tuple[str | None, bool], ...]) -> ResultResponse:
    message = parse_message(
        json.dumps(
            {
                "resp_type": "RESULT",
                "segments": [
                    {"start_time": 0, "end_time": 1, "is_final": final}
                    | ({"result": {"text": text, "score": 0.9}} if text is not None else {})
                    for text, final in segments
                ],
            }
        )
    )
    assert isinstance(message, ResultResponse)
    return message


def test_transcript_keeps_finals_and_follows_interim() -> None:
    transcript = Transcript()
    transcript.add(StartResponse("t"))
    transcript.add(_result(("turn", False)))
    assert (transcript.text, transcript.partial_text) == ("", "turn")
    transcript.add(_result(("turn on", True), ("the", False)))
    assert (transcript.text, transcript.partial_text) == ("turn on", "turn on the")
    transcript.add(_result((None, True)))
    transcript.add(_result(("the light", True)))
    assert transcript.text == "turn on the light"
    assert transcript.finals == ["turn on", "", "the light"]
    assert not transcript.sentence_complete


def test_transcript_sentence_end_needs_the_final_result() -> None:
    transcript = Transcript()
    transcript.add(EventResponse("t", Event.VOICE_START, 10))
    transcript.add(EventResponse("t", Event.VOICE_END, 900))
    assert not transcript.sentence_complete
    transcript.add(_result(("开灯", True)))
    assert transcript.sentence_complete
    assert transcript.text == "开灯"


def test_transcript_final_before_voice_end_also_completes() -> None:
    transcript = Transcript()
    transcript.add(_result(("lights off", True)))
    assert not transcript.sentence_complete
    transcript.add(EventResponse("t", Event.VOICE_END, 900))
    assert transcript.sentence_complete


def test_transcript_silence_completes_with_nothing() -> None:
    transcript = Transcript()
    transcript.add(EventResponse("t", Event.EXCEEDED_SILENCE, 10000))
    assert transcript.sentence_complete
    assert transcript.text == ""


@pytest.mark.parametrize("fatal", [False, True])
def test_error_messages_stand_for_server_errors(fatal: bool) -> None:
    error = ErrorResponse("trace-9", "SIS.0301", "'audio_format' is not match model", fatal).error()
    assert isinstance(error, SisServerError)
    assert (error.code, error.trace_id, error.fatal) == ("SIS.0301", "trace-9", fatal)
    assert "SIS.0301" in str(error)
    assert "trace-9" in str(error)
    assert ErrorResponse(None, "SIS.0100", "", fatal).error().message


def test_error_text_without_details() -> None:
    assert str(SisAuthError("refused")) == "refused"
    assert str(SisAuthError("refused", status=401)) == "refused (HTTP 401)"


# --- endpoints ---------------------------------------------------------------------------


def test_region_endpoints() -> None:
    endpoints = Endpoints.for_region("cn-north-4")
    assert endpoints.sis_url == "wss://sis-ext.cn-north-4.myhuaweicloud.com"
    assert endpoints.iam_url == "https://iam.cn-north-4.myhuaweicloud.com"
    assert (
        endpoints.rasr_url("p1", RecognitionMode.SENTENCE_STREAM)
        == "wss://sis-ext.cn-north-4.myhuaweicloud.com/v1/p1/rasr/sentence-stream"
    )
    for region in ("cn-east-3", "ap-southeast-3", "me-east-1"):
        assert Endpoints.for_region(region).region == region
    with pytest.raises(SisConfigError):
        Endpoints.for_region("ap-southeast-1")


@pytest.mark.parametrize(
    ("sis", "iam"),
    [
        ("ws://127.0.0.1:8790/", "http://127.0.0.1:8790"),
        ("ws://localhost:1", "http://[::1]:2"),
        ("wss://sis.example.com", "https://iam.example.com/"),
    ],
)
def test_custom_endpoints_accepted(sis: str, iam: str) -> None:
    endpoints = Endpoints.custom(sis, iam)
    assert not endpoints.sis_url.endswith("/")
    assert not endpoints.iam_url.endswith("/")


@pytest.mark.parametrize(
    ("sis", "iam"),
    [
        ("ws://sis.example.com", "https://iam.example.com"),
        ("wss://sis.example.com", "http://10.0.0.1"),
        ("https://sis.example.com", "https://iam.example.com"),
        ("wss://", "https://iam.example.com"),
        ("wss://h:99999", "https://iam.example.com"),
        ("wss://user:pw@h", "https://iam.example.com"),
        ("wss://h?x=1", "https://iam.example.com"),
    ],
)
def test_custom_endpoints_refused(sis: str, iam: str) -> None:
    with pytest.raises(SisConfigError):
        Endpoints.custom(sis, iam)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("localhost", True), ("127.0.0.9", True), ("::1", True), ("[::1]", True), ("10.0.0.1", False)],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


# --- SDK-HMAC-SHA256 against Huawei's own signer -------------------------------------------


def _huawei_signature(method: str, url: str, headers: dict[str, str]) -> str:
    class Credentials:
        ak = AK
        sk = SK

    parsed = URL(url)
    request = SdkRequest(
        method=method,
        schema=parsed.scheme,
        host=parsed.host_port_subcomponent,
        resource_path=parsed.raw_path,
        query_params=list(parsed.query.items()),
        header_params=dict(headers),
        body="",
    )
    signed = Signer(Credentials()).sign(request)
    return str(signed.header_params["Authorization"])


@pytest.mark.parametrize(
    "url",
    [
        "wss://sis-ext.cn-north-4.myhuaweicloud.com/v1/0a1b2c3d/rasr/continue-stream",
        "ws://127.0.0.1:8790/v1/0a1b2c3d/rasr/sentence-stream",
        "https://iam.cn-north-4.myhuaweicloud.com/v3/projects?name=cn-north-4",
        "https://iam.example.com/v3/a%20b/x~y?b=2&a=1&c=%E4%B8%AD",
    ],
)
def test_signature_matches_huaweis_signer(url: str) -> None:
    moment = datetime(2026, 11, 22, 9, 30, 5, tzinfo=UTC)
    ours = sign(method="GET", url=url, access_key=AK, secret_key=SK, now=moment)
    assert ours["X-Sdk-Date"] == "20261122T093005Z"
    assert "Host" not in ours
    http = url.replace("wss://", "https://").replace("ws://", "http://")
    theirs = _huawei_signature("GET", http, {"X-Sdk-Date": ours["X-Sdk-Date"]})
    assert ours["Authorization"] == theirs
    assert ours["Authorization"].startswith(
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-sdk-date, Signature="
    )


def test_signature_covers_extra_headers_and_changes_with_the_key() -> None:
    url = "wss://sis-ext.cn-east-3.myhuaweicloud.com/v1/p/rasr/short-stream"
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    extra = {"Content-Type": "application/json"}
    ours = sign(method="GET", url=url, access_key=AK, secret_key=SK, headers=extra, now=moment)
    theirs = _huawei_signature(
        "GET", url.replace("wss", "https"), {"X-Sdk-Date": ours["X-Sdk-Date"], **extra}
    )
    assert ours["Authorization"] == theirs
    assert "content-type;host;x-sdk-date" in ours["Authorization"]
    other = sign(method="GET", url=url, access_key=AK, secret_key=SK + "x", now=moment)
    assert other["Authorization"] != ours["Authorization"]
    assert SK not in json.dumps(ours)
