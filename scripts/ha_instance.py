"""Prepare, provision and query the development Home Assistant that `scripts/develop` runs.

    ha_instance.py run CONFIG_DIR [--port PORT]
        Run Home Assistant on 127.0.0.1:PORT with CONFIG_DIR (the repository's
        config/, which git ignores) until it stops, and start it again whenever
        it restarts itself (the UI's restart, or new HTTP settings). Before each
        start the folder is prepared by ha_config_dir.py.
    ha_instance.py provision CONFIG_DIR --url URL [--emulator URL]
        Finish onboarding with a local developer account, keep a long-lived token
        in CONFIG_DIR/.develop-token, and (with --emulator) add an entry pointed
        at the emulator through the config flow, as the UI would.
    ha_instance.py recognise CONFIG_DIR --url URL WAV_FILE
        POST the WAV file to /api/stt/<entity> and print the answer; exit 1 unless
        it is a success with text.
    ha_instance.py entity CONFIG_DIR --url URL
        Print the entity id of the integration's speech-to-text entity.
    ha_instance.py sample-wav FILE [TEXT]
        Write a WAV file the emulator recognises as TEXT.

Once Home Assistant runs, everything goes through its HTTP and websocket APIs.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import io
import json
from pathlib import Path
import signal
import subprocess
import sys
from typing import Any
import wave

import aiohttp

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from scripts.ha_config_dir import DOMAIN, prepare  # noqa: E402 - needs the repository on the path
from tests.sis_server import (  # noqa: E402
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    USERNAME,
    synthesize,
)

DEVELOPER = {"name": "Developer", "username": "dev", "password": "dev-password"}
"""The local account of the development instance (it listens on 127.0.0.1 only)."""
TOKEN_FILE = ".develop-token"  # noqa: S105 - a file name
TIMEOUT = aiohttp.ClientTimeout(total=60)
EMULATOR_TITLES = {"Huawei Cloud SIS (127.0.0.1)", "Huawei Cloud SIS (localhost)"}
"""Entries of a custom endpoint on this machine: the emulator's."""


def run(config: Path, port: int) -> int:
    """Run Home Assistant until it stops for good; return its exit code.

    Home Assistant restarts by exiting with a code of its own: the UI's restart button,
    new HTTP settings and the automatic revert of unconfirmed ones all do. Each time, the
    folder is prepared again (so the server keeps listening on 127.0.0.1 only) and Home
    Assistant started anew. SIGTERM and SIGINT stop it and end this loop.
    """
    restart_code: int = importlib.import_module("homeassistant.const").RESTART_EXIT_CODE
    stopping = False
    process: subprocess.Popen[bytes] | None = None

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if process is not None:
            process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        prepare(config, port)
        # Home Assistant logs to CONFIG/home-assistant.log; its console copy is not needed.
        process = subprocess.Popen(  # noqa: S603 - this venv's own interpreter
            [sys.executable, "-m", "homeassistant", "--config", str(config), "--skip-pip"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        code = process.wait()
        if code != restart_code or stopping:
            return 0 if stopping else code
        print("develop: Home Assistant restarts", flush=True)
    return 0


async def _json(response: aiohttp.ClientResponse) -> Any:
    if response.status >= 400:
        raise SystemExit(f"{response.method} {response.url.path}: HTTP {response.status}")
    return await response.json()


async def _onboard(http: aiohttp.ClientSession, url: str) -> str:
    """Create the developer account and return a long-lived token."""
    client_id = f"{url}/"
    async with http.post(
        f"{url}/api/onboarding/users", json={"client_id": client_id, "language": "en", **DEVELOPER}
    ) as response:
        auth_code = (await _json(response))["auth_code"]
    async with http.post(
        f"{url}/auth/token",
        data={"grant_type": "authorization_code", "code": auth_code, "client_id": client_id},
    ) as response:
        access = (await _json(response))["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    # The location step is done already (ha_config_dir.skip_location_step).
    for step, body in (
        ("analytics", {}),
        ("integration", {"client_id": client_id, "redirect_uri": f"{url}/?auth_callback=1"}),
    ):
        async with http.post(f"{url}/api/onboarding/{step}", json=body, headers=headers) as done:
            await _json(done)
    token: str = await _command(
        http,
        url,
        access,
        {
            "type": "auth/long_lived_access_token",
            "client_name": "scripts/develop",
            "lifespan": 3650,
        },
    )
    return token


async def _command(
    http: aiohttp.ClientSession, url: str, token: str, command: dict[str, Any]
) -> Any:
    """Send one websocket command and return its result."""
    async with http.ws_connect(f"{url}/api/websocket") as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        if (await ws.receive_json())["type"] != "auth_ok":
            raise SystemExit("the websocket refused the token")
        await ws.send_json({"id": 1, **command})
        answer = await ws.receive_json()
    if not answer.get("success"):
        raise SystemExit(f"{command['type']} failed: {answer.get('error')}")
    return answer["result"]


async def _entity_id(http: aiohttp.ClientSession, url: str, token: str) -> str:
    """The speech-to-text entity of the integration, once it exists (at most 30 s)."""
    for _ in range(60):
        entities = await _command(http, url, token, {"type": "config/entity_registry/list"})
        for entity in entities:
            if entity["platform"] == DOMAIN and entity["entity_id"].startswith("stt."):
                entity_id: str = entity["entity_id"]
                return entity_id
        await asyncio.sleep(0.5)
    raise SystemExit("the integration has no speech-to-text entity; see the log")


async def _onboarded(http: aiohttp.ClientSession, url: str) -> bool:
    """Whether Home Assistant already has its first user."""
    async with http.get(f"{url}/api/onboarding") as response:
        if response.status == 404:
            return True  # onboarding is complete: its views are gone
        steps = await _json(response)
    return any(step["step"] == "user" and step["done"] for step in steps)


async def _wait_until_running(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str]
) -> None:
    """Wait (at most a minute) until Home Assistant has set up its integrations."""
    for _ in range(120):
        async with http.get(f"{url}/api/config", headers=headers) as response:
            if (await _json(response))["state"] == "RUNNING":
                return
        await asyncio.sleep(0.5)
    raise SystemExit("Home Assistant did not finish starting within a minute; see its log")


async def _add_emulator_entry(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str], emulator: str
) -> str:
    """Run the config flow with the emulator's endpoints and fixed credentials."""
    api = f"{url}/api/config/config_entries"
    async with http.get(f"{api}/entry", params={"domain": DOMAIN}, headers=headers) as response:
        entries = await _json(response)
    if loaded := [entry for entry in entries if entry["state"] == "loaded"]:
        return f"kept the existing entry {loaded[0]['title']!r}"
    for entry in entries:
        if entry["title"] in EMULATOR_TITLES:
            # Set up for an emulator on another port: it cannot connect any more.
            async with http.delete(f"{api}/entry/{entry['entry_id']}", headers=headers) as done:
                await _json(done)
    host = emulator.split("://", 1)[1]
    steps: list[dict[str, Any]] = [
        {"region": "custom", "auth_type": "token"},
        {
            "sis_endpoint": f"ws://{host}",
            "iam_endpoint": f"http://{host}",
            "project_id": PROJECTS["cn-north-4"],
            "domain_name": DOMAIN_NAME,
            "username": USERNAME,
            "password": PASSWORD,
        },
    ]
    async with http.post(f"{api}/flow", json={"handler": DOMAIN}, headers=headers) as response:
        result = await _json(response)
    for step in steps:
        async with http.post(
            f"{api}/flow/{result['flow_id']}", json=step, headers=headers
        ) as response:
            result = await _json(response)
        if result.get("errors"):
            raise SystemExit(f"the config flow refused the emulator: {result['errors']}")
    if result.get("type") != "create_entry":
        raise SystemExit(f"the config flow did not finish: {result}")
    return f"added the entry {result['title']!r} for the emulator at {host}"


async def provision(url: str, token: str | None, emulator: str | None) -> str:
    """Onboard when Home Assistant is new, add the emulator's entry if asked; return the token."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        if not await _onboarded(http, url):
            token = await _onboard(http, url)
        if token is None:
            raise SystemExit(
                "config/ was onboarded without scripts/develop; remove it to start over"
            )
        headers = {"Authorization": f"Bearer {token}"}
        await _wait_until_running(http, url, headers)
        if emulator is not None:
            print(f"develop: {await _add_emulator_entry(http, url, headers, emulator)}")
            print(f"develop: speech-to-text entity {await _entity_id(http, url, token)}")
    return token


async def recognise(url: str, token: str, audio: bytes) -> int:
    """POST a WAV file to the entity; 0 when the answer is a success with text."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        entity_id = await _entity_id(http, url, token)
    with wave.open(io.BytesIO(audio)) as reader:
        rate = reader.getframerate()
    headers = {
        "Authorization": f"Bearer {token}",
        "X-Speech-Content": (
            f"format=wav; codec=pcm; sample_rate={rate}; bit_rate=16; channel=1; language=en-US"
        ),
    }
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as http,
        http.post(f"{url}/api/stt/{entity_id}", data=audio, headers=headers) as response,
    ):
        answer = await response.json() if response.status == 200 else None
    print(f"POST /api/stt/{entity_id}:")
    print(json.dumps(answer, ensure_ascii=False) if answer else f"HTTP {response.status}")
    return 0 if answer and answer.get("result") == "success" and answer.get("text") else 1


async def entity(url: str, token: str) -> None:
    """Print the speech-to-text entity's id."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        print(await _entity_id(http, url, token))


def sample_wav(path: Path, text: str) -> None:
    """Write a 16 kHz WAV file that the emulator recognises as `text`."""
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16000)
        writer.writeframes(synthesize(text, lead_ms=300, tail_ms=500))


def main() -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run")
    run_cmd.add_argument("config", type=Path)
    run_cmd.add_argument("--port", type=int, default=8123)
    provision_cmd = commands.add_parser("provision")
    provision_cmd.add_argument("config", type=Path)
    provision_cmd.add_argument("--url", required=True)
    provision_cmd.add_argument("--emulator")
    recognise_cmd = commands.add_parser("recognise")
    recognise_cmd.add_argument("config", type=Path)
    recognise_cmd.add_argument("--url", required=True)
    recognise_cmd.add_argument("wav", type=Path)
    entity_cmd = commands.add_parser("entity")
    entity_cmd.add_argument("config", type=Path)
    entity_cmd.add_argument("--url", required=True)
    sample_cmd = commands.add_parser("sample-wav")
    sample_cmd.add_argument("path", type=Path)
    sample_cmd.add_argument("text", nargs="?", default="turn on the kitchen light")
    args = parser.parse_args()
    if args.command == "sample-wav":
        sample_wav(args.path, args.text)
        return 0
    if args.command == "run":
        return run(args.config, args.port)
    token_file: Path = args.config / TOKEN_FILE
    token = token_file.read_text(encoding="ascii").strip() if token_file.exists() else None
    if args.command == "provision":
        token_file.write_text(asyncio.run(provision(args.url, token, args.emulator)), "ascii")
        token_file.chmod(0o600)
        return 0
    if token is None:
        raise SystemExit(f"no {token_file}; run scripts/develop first")
    if args.command == "recognise":
        return asyncio.run(recognise(args.url, token, args.wav.read_bytes()))
    asyncio.run(entity(args.url, token))
    return 0


if __name__ == "__main__":
    sys.exit(main())
