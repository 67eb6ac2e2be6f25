"""Measure the protocol client against the local SIS server on loopback.

Prints, over many sessions:
- time from handing over the last audio chunk (and END) to the END response;
- delay from handing a chunk to the session to the server receiving the frame it completed;
- CPU time the client spends per second of audio.

The server runs in its own thread and event loop, so the client's CPU time is the
main thread's alone. Run: `.venv/bin/python -m benchmarks.bench_client [--sessions N]`.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
import threading
import time

import aiohttp

from custom_components.huawei_cloud_sis.sis import (
    AkSkAuth,
    AudioFormat,
    Endpoints,
    RecognitionConfig,
    RecognitionMode,
    SisClient,
    Transcript,
)
from tests.sis_server import ACCESS_KEY, PROJECTS, SECRET_KEY, SisServer, synthesize

CHUNK = 320  # what the assist pipeline hands over: 10 ms of 16 kHz 16-bit audio
CONFIG = RecognitionConfig(audio_format=AudioFormat.PCM16K16BIT, model="english_16k_general")


@dataclass
class Figures:
    """Raw measurements, in seconds."""

    end_latency: list[float] = field(default_factory=list)
    chunk_delay: list[float] = field(default_factory=list)
    audio_seconds: float = 0.0
    errors: int = 0


class ServerThread:
    """The emulator on its own event loop in a background thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = SisServer()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> SisServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self.server

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


async def one_session(
    client: SisClient, server: SisServer, text: str, figures: Figures, *, realtime: bool
) -> None:
    """Stream one utterance in 10 ms chunks and record the figures."""
    audio = synthesize(text, lead_ms=200, tail_ms=300)
    handed: list[float] = []
    transcript = Transcript()
    async with client.session(RecognitionMode.SHORT_STREAM, CONFIG) as session:
        began = time.monotonic()
        for index, start in enumerate(range(0, len(audio), CHUNK)):
            if realtime:
                await asyncio.sleep(max(0.0, began + index * 0.01 - time.monotonic()))
            await session.send_audio(audio[start : start + CHUNK])
            handed.append(time.monotonic())
        await session.end()
        ended = time.monotonic()
        async for message in session:
            transcript.add(message)
        figures.end_latency.append(time.monotonic() - ended)
    trace_id = session.stats.trace_id
    recorded = next(s for s in server.sessions if s.sent and s.sent[0]["trace_id"] == trace_id)
    if transcript.text != text:
        figures.errors += 1
    frame = client.frame_ms * 32  # bytes per frame for 16 kHz 16-bit
    received = list(recorded.frame_times)
    for number, arrival in enumerate(received[:-1]):
        last_chunk = ((number + 1) * frame - 1) // CHUNK
        if last_chunk < len(handed):
            figures.chunk_delay.append(arrival - handed[last_chunk])
    figures.audio_seconds += len(audio) / 32000


async def run(sessions: int, concurrency: int, *, realtime: bool) -> None:
    """Run the sessions and print the table."""
    figures = Figures()
    with ServerThread() as server:
        async with aiohttp.ClientSession() as http:
            endpoints = Endpoints.custom(server.sis_url, server.iam_url, "cn-north-4")
            auth = AkSkAuth(
                http,
                endpoints.iam_url,
                access_key=ACCESS_KEY,
                secret_key=SECRET_KEY,
                project_id=PROJECTS["cn-north-4"],
            )
            client = SisClient(http, auth, endpoints)
            queue: asyncio.Queue[int] = asyncio.Queue()
            for number in range(sessions):
                queue.put_nowait(number)

            async def worker() -> None:
                while not queue.empty():
                    number = queue.get_nowait()
                    await one_session(
                        client, server, f"command number {number}", figures, realtime=realtime
                    )

            cpu = time.thread_time()
            wall = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            cpu = time.thread_time() - cpu
            wall = time.monotonic() - wall
    ms = 1000
    print(f"sessions: {sessions} ({concurrency} at a time, realtime={realtime}), wall {wall:.1f} s")
    print(f"audio: {figures.audio_seconds:.1f} s, wrong transcripts: {figures.errors}")
    print("| figure | p50 | p99 |")
    print("| --- | --- | --- |")
    print(
        f"| last chunk to END response (ms) | {percentile(figures.end_latency, 50) * ms:.2f} "
        f"| {percentile(figures.end_latency, 99) * ms:.2f} |"
    )
    print(
        f"| chunk to server (ms) | {percentile(figures.chunk_delay, 50) * ms:.2f} "
        f"| {percentile(figures.chunk_delay, 99) * ms:.2f} |"
    )
    print(f"| client CPU per audio second (ms) | {cpu / figures.audio_seconds * ms:.2f} | |")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--fast", action="store_true", help="send audio faster than real time")
    args = parser.parse_args()
    asyncio.run(run(args.sessions, args.concurrency, realtime=not args.fast))


if __name__ == "__main__":
    main()
