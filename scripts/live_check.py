"""Ask a real Huawei Cloud SIS account, once, about each point Huawei's pages dispute.

Run it as `scripts/live-check` (see there and the README's "Live check"). The
credentials come from the environment variables listed in `ENVIRONMENT` and are
never printed.

It prints a short Markdown report of what the service answered (codes,
messages, trace ids), each answer named as the reading of
`tests/sis_server/readings.py` it shows. Bounded: one overall time limit, no
audio (two recognitions of nothing), a few characters of synthesis, and one
temporary hot-word table that is always deleted. It uses the integration's
client library through its package only.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import secrets
import sys
from typing import Final

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The client library, through its package only (it needs the repository on the path).
from custom_components.huawei_cloud_sis.sis import (
    SYNTHESIS_REGIONS,
    VOICES,
    AkSkAuth,
    AudioFormat,
    Auth,
    Endpoints,
    RecognitionConfig,
    RecognitionMode,
    SisClient,
    SisError,
    SynthesisConfig,
    TableLanguage,
    TokenAuth,
    VocabularyClient,
    Voice,
)

OVERALL_SECONDS: Final = 60.0
"""The whole check, cleanup excluded."""
CLEANUP_SECONDS: Final = 15.0
"""Deleting the temporary table after the check, whatever happened."""
TABLE_PREFIX: Final = "live_check"
TEXTS: Final = {"zh-CN": "你好", "en-US": "hi", "ar": "سل"}
"""Two characters to synthesise, by the voice's language."""
SSML_TEXT: Final = "a<b"
REALTIME_PAGE_VOICES: Final = frozenset(
    {
        *(f"chinese_{name}_common" for name in ("xiaoqi", "xiaoyu", "xiaoyan", "xiaowang")),
        *(
            f"chinese_huaxiao{name}_common"
            for name in ("mei", "fei", "long", "rui", "he", "ye", "xue", "jiao", "hui", "kang")
        ),
        "chinese_huaxiaokun_common",
        "chinese_huaxiaoquan_common",
        "english_amy_common",
        "english_alvin_common",
    }
)
"""The China-site voices a real-time synthesis page names (disputed point T1)."""
OFF_PAGE_SAMPLE: Final = (
    "chinese_xiaowen_common",
    "chinese_huaxiaoxia_common",
    "chinese_huanvxia_literature",
    "chinese_huaxiaoru_common",
    "english_cameal_common",
)
"""Voices of the voice list that no real-time page names: one of each kind (standard, premium,
16 kHz only, mixed Chinese and English, English)."""
ENVIRONMENT: Final = """environment (never printed):
  HUAWEI_SIS_REGION        the region, e.g. cn-north-4 (required)
  HUAWEI_SIS_PROJECT_ID    the project id (optional: looked up in IAM)
  HUAWEI_SIS_DOMAIN, HUAWEI_SIS_USERNAME, HUAWEI_SIS_PASSWORD   an IAM user, or
  HUAWEI_SIS_AK, HUAWEI_SIS_SK                                  an access key
  HUAWEI_SIS_SIS_URL, HUAWEI_SIS_IAM_URL   other endpoints (the local emulator, say)"""
CREDENTIALS: Final = (
    ("HUAWEI_SIS_DOMAIN", "HUAWEI_SIS_USERNAME", "HUAWEI_SIS_PASSWORD"),
    ("HUAWEI_SIS_AK", "HUAWEI_SIS_SK"),
)


class UsageError(Exception):
    """The environment does not say how to reach the account."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the account is and how to sign in; `repr` shows no secret."""

    region: str
    project_id: str | None = None
    sis_url: str | None = None
    iam_url: str | None = None
    domain: str | None = field(default=None, repr=False)
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read the HUAWEI_SIS_* variables; `UsageError` names what is missing."""
        values = {
            name: env.get(name, "").strip() or None for group in CREDENTIALS for name in group
        }
        region = env.get("HUAWEI_SIS_REGION", "").strip()
        if not region:
            raise UsageError("Set HUAWEI_SIS_REGION (for example cn-north-4).")
        if not any(all(values[name] for name in group) for group in CREDENTIALS):
            raise UsageError(
                "Set HUAWEI_SIS_DOMAIN, HUAWEI_SIS_USERNAME and HUAWEI_SIS_PASSWORD, "
                "or HUAWEI_SIS_AK and HUAWEI_SIS_SK."
            )
        sis_url = env.get("HUAWEI_SIS_SIS_URL", "").strip() or None
        iam_url = env.get("HUAWEI_SIS_IAM_URL", "").strip() or None
        if (sis_url is None) != (iam_url is None):
            raise UsageError("Set both HUAWEI_SIS_SIS_URL and HUAWEI_SIS_IAM_URL, or neither.")
        return cls(
            region=region,
            project_id=env.get("HUAWEI_SIS_PROJECT_ID", "").strip() or None,
            sis_url=sis_url,
            iam_url=iam_url,
            domain=values["HUAWEI_SIS_DOMAIN"],
            username=values["HUAWEI_SIS_USERNAME"],
            password=values["HUAWEI_SIS_PASSWORD"],
            access_key=values["HUAWEI_SIS_AK"],
            secret_key=values["HUAWEI_SIS_SK"],
        )

    def endpoints(self) -> Endpoints:
        """Huawei Cloud's endpoints of the region, or the ones given."""
        if self.sis_url is not None and self.iam_url is not None:
            return Endpoints.custom(self.sis_url, self.iam_url, self.region)
        return Endpoints.for_region(self.region)

    def auth(self, http: aiohttp.ClientSession, endpoints: Endpoints) -> Auth:
        """The IAM user's token, or else the access key's signature."""
        if self.domain and self.username and self.password:
            return TokenAuth(
                http,
                endpoints.iam_url,
                domain_name=self.domain,
                username=self.username,
                password=self.password,
                project_id=self.project_id,
                region=self.region,
            )
        assert self.access_key is not None
        assert self.secret_key is not None
        return AkSkAuth(
            http,
            endpoints.iam_url,
            access_key=self.access_key,
            secret_key=self.secret_key,
            project_id=self.project_id,
            region=self.region,
        )


def _answer(err: SisError) -> str:
    """An error as the report shows it: code, HTTP status, message, trace id."""
    parts = [f"ERROR {err.code}" if err.code else "error"]
    if err.status is not None:
        parts.append(f"HTTP {err.status}")
    parts.append(json.dumps(err.message, ensure_ascii=False))
    if err.trace_id:
        parts.append(f"(trace id {err.trace_id})")
    return " ".join(parts)


_ORDER: Final = {
    point: index
    for index, point in enumerate(("H1", "H1-H3", "H2", "H3", "H4", "T1", "T1, T3", "T3", "END"))
}


@dataclass(slots=True)
class Report:
    """Rows of the report, added as the check goes."""

    header: str
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, point: str, asked: str, answered: str, reading: str = "") -> None:
        """One question to the service and its answer; `reading` as `KEY=VALUE`, if it shows."""
        self.rows.append((point, asked, answered, reading))

    def markdown(self) -> str:
        """The report, ready to paste into an issue: the points in their order, then notes."""
        lines = [self.header, "", "| # | Asked | Answered | Reading |", "| --- | --- | --- | --- |"]
        for point, asked, answered, reading in sorted(self.rows, key=lambda row: _ORDER[row[0]]):
            shown = f"`{reading}`" if "=" in reading else reading
            cells = [
                cell.replace("|", "\\|").replace("\n", " ")
                for cell in (point, asked, answered, shown)
            ]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join([*lines, "", *self.notes])


async def _nothing() -> AsyncIterator[bytes]:
    """No audio at all."""
    for _ in ():
        yield b""


def _voices(region: str) -> dict[str, Voice]:
    """Every documented voice of a region, in the library's order (its default first)."""
    return {voice.voice_id: voice for voice in VOICES.values() if region in voice.regions}


def _listed(answer: tuple[int, list[str]], ours: str | None) -> str:
    count, ids = answer
    return f"count {count}, {'ours among them' if ours in ids else 'not ours'}"


class LiveCheck:
    """One run: what it asked, what it learned, and the temporary table to delete."""

    def __init__(self, settings: Settings, http: aiohttp.ClientSession, report: Report) -> None:
        """Build the clients; nothing is sent yet."""
        self.settings = settings
        self.http = http
        self.report = report
        endpoints = settings.endpoints()
        self.auth = settings.auth(http, endpoints)
        self.endpoints = endpoints
        self.client = SisClient(http, self.auth, endpoints)
        self.tables = VocabularyClient(http, self.auth, endpoints)
        self.table_name = f"{TABLE_PREFIX}_{secrets.token_hex(4)}"
        self.table_id: str | None = None
        """The temporary table while it exists."""
        self.table_made = False
        self.step = "signing in"

    async def run(self, all_voices: bool) -> None:
        """Every check, in an order that keeps the temporary table's life short."""
        await self.auth.verify()
        self.step = "creating the temporary table"
        try:
            self.table_id = await self.tables.create(
                self.table_name, TableLanguage.CHINESE_MANDARIN, ["华为云"]
            )
            self.table_made = True
        except SisError as err:
            self.report.add("H1-H3", "create one temporary table", _answer(err))
        else:
            await self.paging()
            await self.name_filter()
            await self.english()
        self.report.add("H4", "tables per account", "not tried: it takes more than one table")
        if self.settings.region in SYNTHESIS_REGIONS:
            await self.voices(all_voices)
            await self.ssml()
        else:
            self.report.add("T1, T3", "synthesis", f"not tried: none in {self.settings.region}")
        await self.end_without_audio()
        if self.table_id is not None:
            dead = self.table_id
            await self.delete_table()
            await self.dead_table(dead)

    async def paging(self) -> None:
        """H3: what `offset` counts, and how large a page may be."""
        self.step = "listing tables"
        try:
            full = await self.tables.list_page(limit=100)
            ids = [table.vocabulary_id for table in full.tables]
            position = {vocabulary_id: index + 1 for index, vocabulary_id in enumerate(ids)}

            async def shown(limit: int, offset: int) -> str:
                page = await self.tables.list_page(limit=limit, offset=offset)
                found = [f"#{position.get(t.vocabulary_id, '?')}" for t in page.tables]
                return ", ".join(found) or "none"

            answers = [f"offset {offset}: {await shown(1, offset)}" for offset in (0, 1)]
            two = await self.tables.list_page(limit=2, offset=1)
        except SisError as err:
            self.report.add("H3", "list tables", _answer(err))
            return
        count = full.count if full.count is not None else len(ids)
        self.report.add(
            "H3", "list with limit 1 (tables numbered as in one page of 100)", "; ".join(answers)
        )
        got = [table.vocabulary_id for table in two.tables]
        if count < 3 or (len(ids) < 4 and len(ids) < count):
            offset = f"undetermined: it takes 3 tables, the account holds {count}"
        elif got == ids[1:3]:
            offset = "list_offset=tables"
        elif got == ids[2:4]:
            offset = "list_offset=pages"
        else:
            offset = "undetermined: matches neither reading"
        numbered = ", ".join(f"#{position.get(t, '?')}" for t in got) or "none"
        self.report.add("H3", f"list with limit 2, offset 1 (count {count})", numbered, offset)
        if len(ids) < min(count, 100):
            size = f"max_page_size={len(ids)}"
        elif count > 10:
            size = "max_page_size=none"
        else:
            size = f"undetermined: a page of 10 holds all {count}"
        self.report.add("H3", "list with limit 100", f"{len(ids)} listed, count {count}", size)

    async def _named(self, name: str) -> tuple[int, list[str]]:
        """The table list filtered by `name`, as the library sends the filter."""
        page = await self.tables.list_page(limit=100, name=name)
        tables = [table.vocabulary_id for table in page.tables]
        return (len(tables) if page.count is None else page.count), tables

    async def name_filter(self) -> None:
        """H3: how the documented `name` filter of the list matches."""
        self.step = "listing tables by name"
        try:
            total = (await self.tables.list_page(limit=1)).count
            whole = await self._named(self.table_name)
            prefix = await self._named(TABLE_PREFIX)
        except (SisError, aiohttp.ClientError, ValueError) as err:
            answer = _answer(err) if isinstance(err, SisError) else f"error {err!r}"
            self.report.add("H3", "list with a `name`", answer)
            return
        ours = self.table_id
        if total is not None and total > 1 and whole[0] == total:
            reading = "name_filter=ignored"
        elif ours in prefix[1]:
            reading = "name_filter=contains" if total != 1 else "contains or ignored"
        elif whole[1] == [ours] and not prefix[1]:
            reading = "name_filter=exact"
        else:
            reading = "undetermined"
        self.report.add(
            "H3",
            f"list with `name` = the table's name, then `{TABLE_PREFIX}` (count {total})",
            f"{_listed(whole, ours)}; {_listed(prefix, ours)}",
            reading,
        )

    async def english(self) -> None:
        """H2: whether an `english` table is taken (the temporary table, replaced)."""
        self.step = "replacing the table by an English one"
        assert self.table_id is not None
        asked = "replace the temporary table by an `english` one"
        try:
            await self.tables.replace(
                self.table_id, self.table_name, TableLanguage.ENGLISH, ["GARAGE"]
            )
        except SisError as err:
            international = self.settings.region not in ("cn-north-4", "cn-east-3")
            reading = "undetermined: not on the China site" if international else ""
            self.report.add("H2", asked, _answer(err), reading or "english_tables=false")
            return
        self.report.add("H2", asked, "accepted", "english_tables=true")

    async def voices(self, all_voices: bool) -> None:
        """T1: which voices real-time synthesis takes, and how it refuses the others."""
        offered = _voices(self.settings.region)
        off_page = [
            voice
            for voice in (offered if all_voices else OFF_PAGE_SAMPLE)
            if voice in offered and voice not in REALTIME_PAGE_VOICES
        ]
        control = next(iter(offered))
        spoke: list[str] = []
        refused: dict[str, SisError] = {}
        for voice in [control, *off_page]:
            self.step = f"synthesising with {voice}"
            text = TEXTS.get(offered[voice].language, "hi")
            answer = await self.synthesise(voice, text)
            if isinstance(answer, SisError):
                refused[voice] = answer
                self.report.add("T1", f"{len(text)} characters with `{voice}`", _answer(answer))
            else:
                spoke.append(voice)
                self.report.add("T1", f"{len(text)} characters with `{voice}`", answer)
        answered, reading = self._voice_reading(off_page, spoke, refused)
        self.report.add("T1", "voices on no real-time page", answered, reading)
        if control in refused:
            self.report.notes.append(
                f"`{control}` is on every real-time page, yet it was refused: the other answers "
                "may not be about voices."
            )

    @staticmethod
    def _voice_reading(
        off_page: list[str], spoke: list[str], refused: dict[str, SisError]
    ) -> tuple[str, str]:
        if not off_page:
            return "none to try in this region", ""
        said = f"{len([v for v in off_page if v in spoke])} spoke, {len(refused)} refused"
        if all(voice in spoke for voice in off_page):
            return said, "realtime_voices=all"
        if not all(voice in refused for voice in off_page):
            return said, "mixed: see the rows above"
        codes = {err.code for err in refused.values()}
        if codes == {"SIS.0411"}:
            return said, "realtime_voices=realtime_pages, voice_refusal=SIS.0411"
        if all("property" in err.message for err in refused.values()):
            return said, "realtime_voices=realtime_pages, voice_refusal=property"
        return said, "realtime_voices=realtime_pages, refused with " + ", ".join(
            sorted(str(code) for code in codes)
        )

    async def synthesise(self, voice: str, text: str) -> str | SisError:
        """One synthesis: how much audio came and its trace id, or the error."""
        synthesis = self.client.synthesize(text, SynthesisConfig(voice=voice, sample_rate=16000))
        try:
            async with synthesis:
                audio = 0
                async for chunk in synthesis:
                    audio += len(chunk)
        except SisError as err:
            return err
        return f"spoke: {audio} bytes of audio (trace id {synthesis.stats.trace_id})"

    async def ssml(self) -> None:
        """T3: whether `<`, `>` and `&` are refused as illegal SSML."""
        voice = next(iter(_voices(self.settings.region)))
        self.step = "synthesising text with <"
        answer = await self.synthesise(voice, SSML_TEXT)
        asked = f"`{SSML_TEXT}` with `{voice}`"
        if isinstance(answer, SisError):
            reading = "ssml_refuses=true" if answer.code == "SIS.0419" else "other refusal"
            self.report.add("T3", asked, _answer(answer), reading)
        else:
            self.report.add("T3", asked, answer, "ssml_refuses=false")

    async def recognise_nothing(self, vocabulary_id: str | None = None) -> str | SisError:
        """START, then END with no audio at all: the text and trace id, or the error."""
        config = RecognitionConfig(
            audio_format=AudioFormat.PCM16K16BIT,
            model="chinese_16k_general",
            vocabulary_id=vocabulary_id,
        )
        recognition = self.client.recognize(RecognitionMode.SHORT_STREAM, config, _nothing())
        try:
            async for _ in recognition:
                pass
        finally:
            await recognition.close()
        outcome = recognition.outcome
        if outcome.vocabulary_refusal is not None:
            # The client went on without the table; the refusal is the service's answer.
            return outcome.vocabulary_refusal.error
        if outcome.failure is not None:
            return outcome.failure
        text = json.dumps(outcome.text, ensure_ascii=False)
        return f"END, text {text} (trace id {outcome.trace_id})"

    async def end_without_audio(self) -> None:
        """The protocol's open question: END with no audio at all."""
        self.step = "recognising nothing"
        answer = await self.recognise_nothing()
        shown = _answer(answer) if isinstance(answer, SisError) else answer
        self.report.add("END", "START, then END with no audio", shown)

    async def dead_table(self, vocabulary_id: str) -> None:
        """H1: a START naming the table just deleted."""
        self.step = "recognising with the deleted table"
        answer = await self.recognise_nothing(vocabulary_id)
        asked = "START naming the table deleted just before, then END with no audio"
        if isinstance(answer, SisError):
            reading = "dead_table_start=" + ("SIS.0201" if answer.code == "SIS.0201" else "other")
            self.report.add("H1", asked, _answer(answer), reading)
        else:
            self.report.add("H1", asked, answer, "dead_table_start=ignore")

    async def delete_table(self) -> None:
        """Delete the temporary table (gone already counts as deleted)."""
        if self.table_id is None:
            return
        self.step = "deleting the temporary table"
        await self.tables.delete(self.table_id)
        self.table_id = None


async def check(
    settings: Settings, *, all_voices: bool = False, seconds: float = OVERALL_SECONDS
) -> tuple[str, bool]:
    """Run the whole check; return the report and whether every step ran."""
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    where = "custom endpoints" if settings.sis_url else "Huawei Cloud's endpoints"
    signed_in = "an IAM user's token" if settings.password else "an access key"
    report = Report(
        f"### SIS live check, {started}\n\nRegion `{settings.region}`, {where}, signed in with "
        f"{signed_in}; voices tried: {'all off the real-time pages' if all_voices else 'a sample'}."
    )
    complete = False
    async with aiohttp.ClientSession() as http:
        run = LiveCheck(settings, http, report)
        try:
            async with asyncio.timeout(seconds):
                await run.run(all_voices)
            complete = True
        except TimeoutError:
            report.notes.append(f"Stopped after {seconds:.0f} s while {run.step}.")
        except SisError as err:
            report.notes.append(f"Stopped while {run.step}: {_answer(err)}")
        finally:
            await _cleanup(run, report)
    return report.markdown(), complete


async def _cleanup(run: LiveCheck, report: Report) -> None:
    """Delete the temporary table if it is still there, within its own time limit."""
    name = run.table_name
    if run.table_id is None:
        report.notes.append(
            f"Temporary table `{name}`: {'deleted' if run.table_made else 'none made'}."
        )
        return
    try:
        async with asyncio.timeout(CLEANUP_SECONDS):
            await run.delete_table()
    except (TimeoutError, SisError) as err:
        detail = _answer(err) if isinstance(err, SisError) else "no answer in time"
        report.notes.append(
            f"Temporary table `{name}` NOT deleted ({detail}): delete it in the console."
        )
    else:
        report.notes.append(f"Temporary table `{name}`: deleted.")


def main(argv: list[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    """Parse the flags, read the environment, run, print the report; the exit status."""
    parser = argparse.ArgumentParser(
        description="Ask a real Huawei Cloud SIS account about each point Huawei's pages dispute.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--all-voices",
        action="store_true",
        help="try every voice of the region that no real-time page names, not a sample of 5",
    )
    parser.add_argument(
        "--timeout", type=float, default=OVERALL_SECONDS, help="seconds for the whole check"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(env)
    except UsageError as err:
        print(f"live-check: {err}", file=sys.stderr)
        return 2
    markdown, complete = asyncio.run(
        check(settings, all_voices=args.all_voices, seconds=args.timeout)
    )
    print(markdown)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
