"""`scripts/live-check` against the local server under each reading: its report names it.

The live check is for people with a real account; here it runs against the
local server so that it keeps working, and its report must name the reading
the server was switched to, for every switch and value it can tell apart.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import sys
from typing import Any

import pytest

from scripts.live_check import Settings, UsageError, check, main
from tests.sis_server import (
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    SECRET_KEY,
    USERNAME,
    Fault,
    SisServer,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")

ROOT = Path(__file__).parent.parent
REGION = "cn-north-4"
OTHER_TABLES = 12
"""Tables the account already holds: more than a page of 10, so that paging shows."""


def _env(server: SisServer, *, aksk: bool = False, region: str = REGION) -> dict[str, str]:
    env = {
        "HUAWEI_SIS_REGION": region,
        "HUAWEI_SIS_SIS_URL": server.sis_url,
        "HUAWEI_SIS_IAM_URL": server.iam_url,
    }
    if aksk:
        return env | {"HUAWEI_SIS_AK": ACCESS_KEY, "HUAWEI_SIS_SK": SECRET_KEY}
    return env | {
        "HUAWEI_SIS_DOMAIN": DOMAIN_NAME,
        "HUAWEI_SIS_USERNAME": USERNAME,
        "HUAWEI_SIS_PASSWORD": PASSWORD,
    }


def _fill(server: SisServer, region: str = REGION) -> None:
    """Give the account the tables a home already has."""
    for number in range(OTHER_TABLES):
        body = {"name": f"home_{number}", "language": "chinese_mandarin", "contents": ["客厅"]}
        server.tables.add(PROJECTS[region], body)


async def _report(server: SisServer, **kwargs: Any) -> str:
    _fill(server)
    report, complete = await check(Settings.from_env(_env(server)), **kwargs)
    assert complete, report
    assert len(server.tables) == OTHER_TABLES, "the temporary table was not deleted"
    return report


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({"dead_table_start": "SIS.0201"}, "`dead_table_start=SIS.0201`"),
        ({"dead_table_start": "other"}, "`dead_table_start=other`"),
        ({"dead_table_start": "ignore"}, "`dead_table_start=ignore`"),
        ({"english_tables": True}, "`english_tables=true`"),
        ({"english_tables": False}, "`english_tables=false`"),
        ({"list_offset": "tables"}, "`list_offset=tables`"),
        ({"list_offset": "pages"}, "`list_offset=pages`"),
        ({"max_page_size": None}, "`max_page_size=none`"),
        ({"max_page_size": 10}, "`max_page_size=10`"),
        ({"name_filter": "exact"}, "`name_filter=exact`"),
        ({"name_filter": "contains"}, "`name_filter=contains`"),
        ({"name_filter": "ignored"}, "`name_filter=ignored`"),
        ({"realtime_voices": "all"}, "`realtime_voices=all`"),
        (
            {"realtime_voices": "realtime_pages", "voice_refusal": "SIS.0411"},
            "`realtime_voices=realtime_pages, voice_refusal=SIS.0411`",
        ),
        (
            {"realtime_voices": "realtime_pages", "voice_refusal": "property"},
            "`realtime_voices=realtime_pages, voice_refusal=property`",
        ),
        ({"ssml_refuses": True}, "`ssml_refuses=true`"),
        ({"ssml_refuses": False}, "`ssml_refuses=false`"),
    ],
    ids=lambda value: (
        "-".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else ""
    ),
)
async def test_the_report_names_the_reading(
    server: SisServer, changes: dict[str, Any], shown: str
) -> None:
    for key, value in changes.items():
        setattr(server.readings, key, value)
    report = await _report(server)
    assert shown in report, report


async def test_a_report_under_the_default_readings(server: SisServer) -> None:
    report = await _report(server)
    for shown in (
        "dead_table_start=SIS.0201",
        "english_tables=true",
        "list_offset=tables",
        "max_page_size=none",
        "name_filter=exact",
        "realtime_voices=realtime_pages, voice_refusal=SIS.0411",
        "ssml_refuses=true",
    ):
        assert f"`{shown}`" in report
    lines = report.splitlines()
    assert lines[0].startswith("### SIS live check, ")
    points = [line.split(" | ")[0] for line in lines if line.startswith("| ") and "---" not in line]
    assert points[1:] == sorted(points[1:], key=["| H1", "| H2", "| H3", "| H4", "| T1", "| T3",
                                                 "| END"].index)  # fmt: skip
    assert '| END | START, then END with no audio | END, text "" (trace id ' in report
    assert "not tried: it takes more than one table" in report
    assert report.count("characters with `") == 6  # the real-time voice and a sample of 5
    assert "Temporary table `live_check_" in report
    assert report.rstrip().endswith(": deleted.")


async def test_every_voice_on_no_real_time_page(server: SisServer) -> None:
    report = await _report(server, all_voices=True)
    assert "28 refused" in report  # the 38 of the voice list, but for the 10 on a page
    assert len(server.syntheses) == 1 + 28 + 1  # and the real-time voice, and the SSML text


@pytest.mark.parametrize("aksk", [False, True])
async def test_no_secret_is_printed(server: SisServer, aksk: bool) -> None:
    _fill(server)
    settings = Settings.from_env(_env(server, aksk=aksk))
    report, complete = await check(settings)
    assert complete
    assert server.sessions[-1].auth == ("aksk" if aksk else "token")
    secrets = [
        PASSWORD,
        SECRET_KEY,
        USERNAME,
        DOMAIN_NAME,
        PROJECTS[REGION],
        *server.accounts.issued,
    ]
    for secret in secrets:
        assert secret not in report
        assert secret not in repr(settings) or secret in (USERNAME, DOMAIN_NAME)
    assert PASSWORD not in repr(settings)
    assert SECRET_KEY not in repr(settings)


async def test_the_time_limit_stops_it_and_the_table_is_deleted(server: SisServer) -> None:
    _fill(server)
    server.faults.append(Fault.hang_handshake())  # the first synthesis never connects
    report, complete = await check(Settings.from_env(_env(server)), seconds=1.0)
    assert not complete
    assert "Stopped after 1 s while synthesising with chinese_xiaoqi_common." in report
    assert len(server.tables) == OTHER_TABLES
    assert ": deleted." in report


async def test_without_the_table_api_the_rest_is_still_asked(server: SisServer) -> None:
    server.vocabulary_forbidden = True
    report, complete = await check(Settings.from_env(_env(server)))
    assert complete
    assert (
        '| H1-H3 | create one temporary table | ERROR APIG.0302 HTTP 403 "SIS does not allow'
        in report
    )
    assert "`ssml_refuses=true`" in report
    assert ": none made." in report


async def test_a_refused_sign_in_stops_it(server: SisServer) -> None:
    env = _env(server) | {"HUAWEI_SIS_PASSWORD": "Wr0ng-pa55word"}
    report, complete = await check(Settings.from_env(env))
    assert not complete
    assert "Stopped while signing in: " in report
    assert "Wr0ng-pa55word" not in report
    assert len(server.tables) == 0


async def test_a_region_without_synthesis_or_english(server: SisServer) -> None:
    _fill(server, "ap-southeast-3")
    region = "ap-southeast-3"
    report, complete = await check(Settings.from_env(_env(server, region=region)))
    assert complete
    assert "| T1, T3 | synthesis | not tried: none in ap-southeast-3 |" in report
    assert "`english_tables" not in report
    assert "undetermined: not on the China site" in report
    assert "`dead_table_start=SIS.0201`" in report


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "Set HUAWEI_SIS_REGION"),
        ({"HUAWEI_SIS_REGION": "cn-north-4", "HUAWEI_SIS_AK": "x"}, "HUAWEI_SIS_AK and"),
        (
            {
                "HUAWEI_SIS_REGION": "cn-north-4",
                "HUAWEI_SIS_AK": "x",
                "HUAWEI_SIS_SK": "y",
                "HUAWEI_SIS_SIS_URL": "ws://127.0.0.1:1",
            },
            "both HUAWEI_SIS_SIS_URL and HUAWEI_SIS_IAM_URL",
        ),
    ],
)
def test_what_the_environment_lacks_is_named(
    env: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UsageError, match=message):
        Settings.from_env(env)
    assert main([], env) == 2
    assert message in capsys.readouterr().err


def test_huawei_clouds_endpoints_by_default() -> None:
    env = {"HUAWEI_SIS_REGION": "me-east-1", "HUAWEI_SIS_AK": "x", "HUAWEI_SIS_SK": "y"}
    endpoints = Settings.from_env(env).endpoints()
    assert endpoints.sis_url == "wss://sis-ext.me-east-1.myhuaweicloud.com"


async def test_the_command_prints_the_report(server: SisServer) -> None:
    """The script as CI and people run it: a process of its own, through its wrapper."""
    _fill(server)
    env = os.environ | _env(server) | {"VENV": sys.prefix}
    process = await asyncio.create_subprocess_exec(
        str(ROOT / "scripts" / "live-check"),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 50)
    assert process.returncode == 0, stderr.decode()
    assert "`dead_table_start=SIS.0201`" in stdout.decode()
    assert len(server.tables) == OTHER_TABLES
