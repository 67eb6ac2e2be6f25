"""Run the emulator on its own: `scripts/sis-emulator` or `python -m tests.sis_server`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import ssl

from . import sphinx
from .accounts import ACCESS_KEY, DOMAIN_NAME, PASSWORD, PROJECTS, SECRET_KEY, USERNAME
from .readings import Readings, describe
from .recognizer import Transcriber
from .server import DEFAULT_FALLBACK, SisServer


async def serve(
    host: str,
    port: int,
    phrase: str,
    ssl_context: ssl.SSLContext | None = None,
    transcriber: Transcriber | None = None,
    readings: Readings | None = None,
) -> None:
    """Start the server, print how to reach it, and run until interrupted."""
    server = SisServer(
        host=host,
        port=port,
        fallback_text=phrase,
        ssl_context=ssl_context,
        transcriber=transcriber,
        readings=readings,
    )
    await server.start()
    print(f"SIS endpoint: {server.sis_url}", flush=True)
    print(f"IAM endpoint: {server.iam_url}")
    print(f"Hot-word tables: {server.rest_url}/v1/<project id>/asr/vocabularies")
    print(f"Speech synthesis: {server.sis_url}/v1/<project id>/rtts")
    print(f"Account name: {DOMAIN_NAME}  IAM user: {USERNAME}  password: {PASSWORD}")
    print(f"Access key: {ACCESS_KEY}  secret key: {SECRET_KEY}")
    for region, project_id in PROJECTS.items():
        print(f"Project {region}: {project_id}")
    if transcriber is None:
        print(f"Audio that is not test speech is recognised as: {phrase!r}")
    else:
        print("Audio that is not test speech is recognised as English with pocketsphinx")
    print(f"Readings of Huawei's disputed points: {server.readings}")
    print("Press Ctrl-C to stop (or send SIGTERM).", flush=True)
    # SIGTERM too: a shell starts a background job with Ctrl-C ignored, and process
    # managers stop a server with SIGTERM; either way the sockets are closed cleanly.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        await server.close()


def _readings_help() -> str:
    lines = [
        "readings (--reading KEY=VALUE, repeatable): how the emulator answers where Huawei's",
        "pages disagree or are silent (tests/sis_server/readings.py); KEY=default (its values):",
    ]
    lines += [f"  {key}={default}  ({values})" for key, values, default in describe()]
    return "\n".join(lines)


def main() -> None:
    """Parse the flags and serve."""
    parser = argparse.ArgumentParser(
        description="Local Huawei Cloud SIS emulator",
        epilog=_readings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--phrase", default=DEFAULT_FALLBACK)
    parser.add_argument("--certfile", help="PEM certificate: serve wss:// and https://")
    parser.add_argument("--keyfile", help="PEM private key of the certificate")
    parser.add_argument(
        "--no-sphinx",
        action="store_true",
        help="answer --phrase even when pocketsphinx is installed",
    )
    parser.add_argument(
        "--reading",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="answer one disputed point by another reading (listed below); repeatable",
    )
    args = parser.parse_args()
    try:
        readings = Readings.parse(args.reading)
    except ValueError as err:
        parser.error(str(err))
    context = None
    if args.certfile:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.certfile, args.keyfile)
    elif args.keyfile:
        parser.error("--keyfile needs --certfile")
    with contextlib.suppress(KeyboardInterrupt):
        transcriber = None if args.no_sphinx or not sphinx.available() else sphinx.transcribe
        asyncio.run(serve(args.host, args.port, args.phrase, context, transcriber, readings))


if __name__ == "__main__":
    main()
