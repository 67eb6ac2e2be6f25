"""The faults the emulator plays on request (tests/sis_server/faults.py)."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from tests.helpers.raw_client import (
    PCM16,
    WAIT,
    Connect,
    Ws,
    finals,
    get_token,
    rasr_url,
    refused,
    types,
)
from tests.sis_server import (
    Fault,
    SisServer,
    synthesize,
    synthesize_sentences,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


# --- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        (
            Fault.handshake(
                status=503, body={"error_code": "APIG.0201", "error_msg": "Backend timeout."}
            ),
            503,
            "APIG.0201",
        ),
        (Fault.handshake(status=403), 403, "APIG.0302"),
        (Fault.handshake(status=404), 404, "APIG.0101"),
        (Fault.handshake(status=429), 429, "APIG.0308"),
        (Fault.handshake(status=401), 401, "APIG.0301"),
    ],
)
async def test_fault_handshake(
    http: aiohttp.ClientSession, server: SisServer, fault: Fault, status: int, code: str
) -> None:
    server.faults.append(fault)
    token = await get_token(http, server)
    url = rasr_url(server)
    got, content_type, body = await refused(http, url, {"X-Auth-Token": token})
    assert (got, content_type, body["error_code"]) == (status, "application/json", code)
    assert body["error_msg"]
    assert server.faults == []
    async with http.ws_connect(url, headers={"X-Auth-Token": token}):
        pass
    assert server.connections == 1


async def test_faults_are_consumed_one_per_connection(
    http: aiohttp.ClientSession, server: SisServer
) -> None:
    server.faults += [Fault.handshake(status=502), Fault.hang_handshake()]
    token = await get_token(http, server)
    headers = {"X-Auth-Token": token}
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await http.ws_connect(rasr_url(server), headers=headers)
    assert info.value.status == 502
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(http.ws_connect(rasr_url(server), headers=headers), 0.3)
    async with http.ws_connect(rasr_url(server), headers=headers) as ws:
        assert (await Ws(ws).start())["resp_type"] == "START"
    assert server.connections == 1


async def test_fault_no_start_response(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.no_start_response())
    client = await connect()
    await client.send({"command": "START", "config": PCM16})
    await client.quiet(0.3)
    assert server.sessions[-1].config == PCM16
    assert server.sessions[-1].sent == []


async def test_fault_start_delay(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.start_delay(0.3))
    client = await connect()
    began = time.monotonic()
    assert (await client.start())["resp_type"] == "START"
    assert time.monotonic() - began >= 0.3


async def test_fault_start_error(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.start_error(code="SIS.0303", message="engine connection failed"))
    client = await connect()
    error = await client.start()
    assert (error["resp_type"], error["error_code"], error["error_msg"]) == (
        "ERROR",
        "SIS.0303",
        "engine connection failed",
    )
    await client.quiet(0.2)


async def test_fault_error_after_start(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.error_after_start(code="SIS.0301", message="not match model"))
    client = await connect()
    start = await client.start()
    messages = await client.until("END")
    assert [start["resp_type"], *types(messages)] == ["START", "ERROR", "END"]
    assert messages[0]["error_code"] == "SIS.0301"
    assert messages[1]["reason"] == "ERROR"
    assert {m["trace_id"] for m in messages} == {start["trace_id"]}


async def test_fault_fatal_after_start(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.fatal_after_start(code="SIS.0304", message="wait voice timeout"))
    client = await connect()
    assert (await client.start())["resp_type"] == "START"
    fatal = await client.recv()
    assert (fatal["resp_type"], fatal["error_code"]) == ("FATAL_ERROR", "SIS.0304")
    assert (await client.raw()).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_fault_close_after_bytes(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.close_after_bytes(6400))
    client = await connect()
    await client.start()
    await client.ws.send_bytes(bytes(3200))
    await client.quiet(0.1)
    await client.ws.send_bytes(bytes(3200))
    message = await client.raw()
    # The transport is closed without a close frame.
    assert message.type is aiohttp.WSMsgType.CLOSED
    assert client.ws.close_code == 1006
    assert len(server.sessions[-1].audio) == 6400
    await asyncio.wait_for(server.sessions[-1].done.wait(), WAIT)


async def test_fault_no_end_response(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.no_end_response())
    client = await connect("short-stream")
    await client.start()
    await client.audio(synthesize("unanswered", lead_ms=100))
    await client.end()
    assert finals([await client.recv()]) == ["unanswered"]
    await client.quiet(0.3)
    assert not server.sessions[-1].done.is_set()


async def test_fault_end_delay(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.end_delay(0.3))
    client = await connect()
    await client.start()
    began = time.monotonic()
    await client.end()
    assert (await client.recv())["reason"] == "NORMAL"
    assert time.monotonic() - began >= 0.3


async def test_fault_malformed_json(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.malformed_json())
    client = await connect()
    assert (await client.start())["resp_type"] == "START"
    message = await client.raw()
    assert message.type is aiohttp.WSMsgType.TEXT
    assert message.data == '{"resp_type": "RESULT", '
    with pytest.raises(json.JSONDecodeError):
        json.loads(message.data)


async def test_fault_unknown_resp_type(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.unknown_resp_type())
    client = await connect()
    start = await client.start()
    assert await client.recv() == {"resp_type": "SURPRISE", "trace_id": start["trace_id"]}


async def test_fault_binary_from_server(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.binary_from_server())
    client = await connect()
    await client.start()
    assert (await client.raw()).type is aiohttp.WSMsgType.BINARY


async def test_fault_result_without_result(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.result_without_result())
    client = await connect()
    await client.start()
    await client.audio(synthesize("abc", lead_ms=100))
    bad = await client.recv()
    assert bad["resp_type"] == "RESULT"
    assert bad["segments"][0]["is_final"] is True
    assert "result" not in bad["segments"][0]
    await client.end()
    messages = await client.until("END")
    assert finals(messages) == ["abc"]


async def test_fault_interim_only(connect: Connect, server: SisServer) -> None:
    server.faults.append(Fault.interim_only())
    client = await connect("continue-stream")
    await client.start()
    await client.audio(synthesize_sentences(["one", "two"]))
    await client.end()
    messages = await client.until("END")
    results = [m for m in messages if m["resp_type"] == "RESULT"]
    assert [s["result"]["text"] for m in results for s in m["segments"]] == ["one", "two"]
    assert finals(messages) == []
    assert messages[-1]["reason"] == "NORMAL"
