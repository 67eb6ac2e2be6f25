"""The SIS emulator in a process of its own, for figures of Home Assistant's process alone.

In a thread of the same process the emulator's Python work would compete for the
interpreter lock with the event loop, and its cost would blur what is measured.
It runs here in a child process; after each round the benchmark asks it for what
it recorded. `time.monotonic()` is the system's monotonic clock on Linux, so the
child's times and the parent's can be compared.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import multiprocessing
from multiprocessing.connection import Connection
from typing import Self

from tests.sis_server import RecordedSession, SisServer, decode


@dataclass(frozen=True, slots=True)
class Recorded:
    """What the emulator noted of one session."""

    text: str
    """What the session's audio says."""
    frame_times: tuple[float, ...]
    final_sent_at: float | None
    """When the first final result was sent."""
    end_received_at: float | None
    answered_at: float | None
    """When the last message (the END answer) was sent."""


def _recorded(session: RecordedSession) -> Recorded:
    finals = [
        when
        for message, when in zip(session.sent, session.sent_times, strict=True)
        if message["resp_type"] == "RESULT" and message["segments"][0]["is_final"]
    ]
    return Recorded(
        text=decode(bytes(session.audio)) or "",
        frame_times=tuple(session.frame_times),
        final_sent_at=finals[0] if finals else None,
        end_received_at=session.end_received_at,
        answered_at=session.sent_times[-1] if session.sent_times else None,
    )


def _serve(conn: Connection) -> None:
    async def serve() -> None:
        server = SisServer()
        await server.start()
        conn.send(server.port)
        loop = asyncio.get_running_loop()
        while (request := await loop.run_in_executor(None, conn.recv)) != "stop":
            assert request == "records"
            conn.send([_recorded(session) for session in server.sessions])
            server.sessions.clear()
        await server.close()

    asyncio.run(serve())


class EmulatorProcess:
    """Run the emulator in a child process while the `with` block lasts."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self.port = 0

    def __enter__(self) -> Self:
        self._process.start()
        if not self._conn.poll(30):
            raise RuntimeError("The emulator process did not start")
        self.port = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(10)

    @property
    def sis_url(self) -> str:
        """Base URL of the recognition service."""
        return f"ws://127.0.0.1:{self.port}"

    @property
    def iam_url(self) -> str:
        """Base URL of IAM."""
        return f"http://127.0.0.1:{self.port}"

    def records(self) -> list[Recorded]:
        """What the emulator recorded since the last call (then forgotten)."""
        self._conn.send("records")
        records: list[Recorded] = self._conn.recv()
        return records
