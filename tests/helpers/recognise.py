"""Recognising through Home Assistant's HTTP API (`POST /api/stt/<entity>`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import io
import json
from typing import Any
import wave

from aiohttp import web
from aiohttp.test_utils import TestClient
from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
import pytest

from tests.sis_server import SisServer

ENTITY_ID = "stt.huawei_cloud_sis_speech_to_text"
type HttpClient = TestClient[web.Request, web.Application]
CHUNK = 320
"""What the assist pipeline hands over: 10 ms of 16 kHz 16-bit audio."""
PHRASES = [
    "打开客厅的灯",
    "关闭空调",
    "播放音乐",
    "明天天气怎么样",
    "调高音量",
    "关掉卧室的灯",
    "打开窗帘",
    "现在几点",
    "设置七点的闹钟",
    "停止播放",
    "打开电视",
    "关闭风扇",
    "温度调到二十六度",
    "打开厨房的灯",
    "关上车库门",
    "开始扫地",
    "讲个笑话",
    "关闭所有的灯",
    "打开热水器",
    "晚安",
]
"""Twenty different commands, for recognitions running at the same time."""

# Before 2026.10 Home Assistant iterates the body of POST /api/stt by lines: a streamed
# body reaches the entity only at newline bytes, and a line over 128 KiB is refused.
needs_chunked_http_body = pytest.mark.skipif(
    AwesomeVersion(ha_version) < AwesomeVersion("2026.10.0"),
    reason="Home Assistant before 2026.10 hands the HTTP body to the entity line by line",
)


def header(language: str = "zh-CN", sample_rate: int = 16000) -> dict[str, str]:
    """The X-Speech-Content header of `POST /api/stt/<entity>`."""
    return {
        "X-Speech-Content": (
            f"format=wav; codec=pcm; sample_rate={sample_rate}; bit_rate=16; channel=1; "
            f"language={language}"
        )
    }


def wav_file(pcm: bytes, sample_rate: int = 16000) -> bytes:
    """A complete WAV file around `pcm`."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm)
    return buffer.getvalue()


async def chunks(audio: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    """Stream `audio` in pieces, yielding to the loop in between."""
    for start in range(0, len(audio), size):
        yield audio[start : start + size]
        await asyncio.sleep(0)


async def recognise(
    client: HttpClient, body: bytes | AsyncIterator[bytes], **kwargs: Any
) -> dict[str, Any]:
    """Post audio to the entity and return the JSON answer (header fields as keywords)."""
    response = await client.post(f"/api/stt/{ENTITY_ID}", data=body, headers=header(**kwargs))
    assert response.status == 200, await response.text()
    result: dict[str, Any] = await response.json()
    return result


def received(server: SisServer, index: int = -1) -> bytes:
    """The audio one session of the server received."""
    return bytes(server.sessions[index].audio)


def assert_audio_arrived(server: SisServer, pcm: bytes, index: int = -1) -> None:
    """The server got `pcm` byte for byte; only silence pads the last frame."""
    audio = received(server, index)
    assert audio[: len(pcm)] == pcm
    assert audio[len(pcm) :].strip(b"\0") == b""


def start_trace_id(session: Any) -> str | None:
    """The trace id of the START response a server session sent, if it sent one."""
    for message in session.sent:
        data = json.loads(message) if isinstance(message, str | bytes) else message
        if data.get("resp_type") == "START":
            trace_id: str | None = data.get("trace_id")
            return trace_id
    return None
