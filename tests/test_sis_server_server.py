"""Running the emulator (tests/sis_server/server.py): recording, closing, running on its own."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import random
import re
import signal
import sys
from typing import Any

import aiohttp
import pytest

from tests.helpers.raw_client import (
    PROJECT,
    WAIT,
    Connect,
    Ws,
    finals,
    get_token,
    rasr_url,
    token_body,
)
from tests.sis_server import (
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    SECRET_KEY,
    USERNAME,
    SisServer,
    synthesize_sentences,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


# --- recording --------------------------------------------------------------------------------


async def test_recording(connect: Connect, server: SisServer) -> None:
    client = await connect("continue-stream")
    await client.start(interim_results="yes", vad_tail=200)
    pcm = synthesize_sentences(["record me", "byte for byte"], gap_ms=300)
    pcm += bytes(random.Random(3).getrandbits(8) for _ in range(1001))
    sizes = [320, 4000, 6400, 1001, 3333]
    received: list[dict[str, Any]] = []
    offset = 0
    for size in sizes * 20:
        if offset >= len(pcm):
            break
        chunk = pcm[offset : offset + size]
        if len(chunk) < 320:
            chunk += bytes(320 - len(chunk))
        await client.ws.send_bytes(chunk)
        offset += size
    await client.end()
    received += await client.until("END")
    recorded = server.sessions[-1]
    await asyncio.wait_for(recorded.done.wait(), WAIT)
    assert bytes(recorded.audio[: len(pcm)]) == pcm
    assert sum(recorded.frame_sizes) == len(recorded.audio)
    assert recorded.frame_sizes[:5] == sizes
    assert recorded.frame_times == sorted(recorded.frame_times)
    assert len(recorded.frame_times) == len(recorded.frame_sizes)
    assert recorded.end == {"command": "END"}
    assert recorded.sent[0]["resp_type"] == "START"
    assert recorded.sent[1:] == received
    assert finals(received)[:2] == ["record me", "byte for byte"]


async def test_close_closes_open_websockets(http: aiohttp.ClientSession) -> None:
    server = SisServer()
    await server.start()
    token = await get_token(http, server)
    ws = await http.ws_connect(rasr_url(server), headers={"X-Auth-Token": token})
    await Ws(ws).start()
    assert server.open_connections == 1
    await asyncio.wait_for(server.close(), WAIT)
    message = await asyncio.wait_for(ws.receive(), WAIT)
    assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert server.open_connections == 0
    assert server.sessions[-1].done.is_set()
    await ws.close()


# --- running it on its own --------------------------------------------------------------------


async def test_standalone_server(http: aiohttp.ClientSession) -> None:
    root = Path(__file__).parent.parent
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.sis_server",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--phrase",
        "hello from the command line",
        "--no-sphinx",
        cwd=root,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    try:
        lines: list[str] = []
        while not any("hello from the command line" in line for line in lines):
            line = await asyncio.wait_for(process.stdout.readline(), 10)
            assert line, "the server exited early"
            lines.append(line.decode())
        output = "".join(lines)
        match = re.search(r"ws://127\.0\.0\.1:(\d+)", output)
        assert match is not None
        port = int(match.group(1))
        assert f"http://127.0.0.1:{port}" in output
        for value in (DOMAIN_NAME, USERNAME, PASSWORD, ACCESS_KEY, SECRET_KEY, PROJECT):
            assert value in output
        async with http.post(
            f"http://127.0.0.1:{port}/v3/auth/tokens", json=token_body()
        ) as response:
            assert response.status == 201
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 10)
    assert code == 0
