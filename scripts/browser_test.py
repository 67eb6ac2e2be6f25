"""Walk the integration's screens in headless Chromium, as a new user would.

    browser_test.py --url URL --config CONFIG_DIR --emulator URL [--shots DIR] [--readme-images]

`scripts/browser-test` runs it against the development instance of `scripts/develop` and its
local SIS emulator. In English, then with the user's language set to Simplified Chinese in the
profile, it logs in; adds Huawei Cloud SIS under Settings > Devices & services, with a wrong
password first; finds the entry and its entity; submits an extra word the hot-word tables
refuse, then changes the recognition mode in the options; reconfigures the entry to an access
key, with a wrong secret key first, and reads the integration's own success text; opens a deep
link. In English it also picks the entity in a new voice assistant.

Each screen is taken once it shows the texts it should (the help texts of its form, which load
after the form; an error) and no longer says that it is loading, and fails if it does not
within seconds. It is saved as a PNG beside its accessibility tree (a .txt file) and checked:
no raw translation key, no empty label, no "undefined", no link that runs into the text after
it, an error next to its field (or section) and visible without scrolling, nothing typed lost,
and a frontend that finishes loading. It prints how long each step took; it asserts no timing.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Coroutine, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
import io
from pathlib import Path
import re
import sys
import tempfile
import time
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp
from playwright.sync_api import Error as PlaywrightError, Locator, Page, expect, sync_playwright

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from scripts.ha_config_dir import DOMAIN  # noqa: E402 - needs the repository on the path
from scripts.ha_instance import DEVELOPER, TOKEN_FILE  # noqa: E402
from scripts.screen_checks import Strings, fragment, missing_texts, problems  # noqa: E402
from tests.sis_server import (  # noqa: E402
    ACCESS_KEY,
    DOMAIN_NAME,
    PASSWORD,
    PROJECTS,
    SECRET_KEY,
    USERNAME,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    # What a closed network needs: no sandbox for root, no GPU, and no calls home.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
README_IMAGES = REPOSITORY / "docs" / "images"
README_SHOTS = {
    "setup-region": "setup-region.png",
    "setup-wrong-password": "setup-credentials.png",
    "options": "options.png",
    "options-refused-word": "options-error.png",
    "pipeline": "pipeline.png",
}
"""Screens the README shows (English, the dialog alone) and their file names."""
LOAD_TIMEOUT_MS = 60_000
"""How long the frontend may take to show its sidebar after logging in (a shared machine)."""
STEP_TIMEOUT_MS = 30_000
SETTLE_TIMEOUT_S = 15
"""How long a screen may take to show its texts once its step is there (translations load
after the form)."""
LOADING = {"en": ("Loading",), "zh-Hans": ("加载中", "正在加载")}
"""What the frontend says while a page or a flow step is still loading."""
OPTIONS = "options.step.init"
REFUSED_WORD = "Bed"
"""An extra word no hot-word table takes: one syllable."""

CHOSEN_MODE = "continue-stream"
"""The mode the options step picks; it works with every model (sentence mode does not)."""
WRONG_SECRET = {
    "password": "config.error.invalid_password",
    "secret_key": "config.error.invalid_access_key",
}
"""The error each secret field shows when Huawei Cloud refuses it."""


class BrowserTestError(AssertionError):
    """A screen is wrong; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Instance:
    """The development Home Assistant: its address, the developer's token, the emulator."""

    url: str
    token: str
    emulator_port: int


@dataclass(frozen=True, slots=True)
class Walk:
    """One walk through the screens: its language and what it types."""

    language: str
    locale_name: str
    """How the language picker names the language (empty: the default, English)."""
    host: str
    """The emulator's host as typed: each walk's entry gets its own title."""
    project: str


WALKS = (
    Walk("en", "", "127.0.0.1", PROJECTS["cn-north-4"]),
    Walk("zh-Hans", "简体中文", "localhost", PROJECTS["cn-east-3"]),
)


@dataclass(slots=True)
class Report:
    """Timings of the steps and where the screenshots went."""

    shots: Path
    readme_images: bool = False
    timings: list[tuple[str, float]] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    count: int = 0
    checked: int = 0
    """Screens that passed every check."""

    def next_name(self, language: str, name: str) -> Path:
        """Number the screenshots in the order they were taken."""
        self.count += 1
        return self.shots / f"{self.count:02d}-{language}-{name}"


class Screens:
    """Drives one browser page through the walk and checks every screen it shows."""

    def __init__(self, page: Page, walk: Walk, report: Report, instance: Instance) -> None:
        """Keep what the walk needs; load the texts of its language."""
        self.page = page
        self.walk = walk
        self.report = report
        self.url = instance.url
        self.emulator_port = instance.emulator_port
        self.strings = Strings.load(walk.language)
        self.keys = self.strings.keys()
        page.on("pageerror", self._script_error)
        page.set_default_timeout(STEP_TIMEOUT_MS)

    def _script_error(self, error: PlaywrightError) -> None:
        # Reported, not failed: the frontend rejects pending calls when a dialog closes or a
        # page is left ("disconnected", "Object"). A broken screen shows in the checks.
        self.report.script_errors.append(f"{self.walk.language}: {error.message[:200]}")

    # Timing, screenshots and checks ----------------------------------------------------------

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time one step (from its action to the screen it leads to)."""
        start = time.monotonic()
        yield
        elapsed = time.monotonic() - start
        self.report.timings.append((f"{self.walk.language} {name}", elapsed))

    def shoot(self, name: str, scope: Locator | None = None, texts: Iterable[str] = ()) -> Path:
        """Save the screen as PNG and its accessibility tree as text; check both.

        The screen is taken once it shows `texts` (its help texts, an error...), which
        arrive after the form itself, and no longer says that it is loading.
        """
        root = scope or self.page.locator("home-assistant")
        self.settle(root, list(texts), name)
        path = self.report.next_name(self.walk.language, name)
        self.page.screenshot(path=path.with_suffix(".png"))
        if self.report.readme_images and self.walk.language == "en" and name in README_SHOTS:
            box = (scope or self.page).locator("dialog[open]").first
            _save_small(box.screenshot(), README_IMAGES / README_SHOTS[name])
        tree = root.aria_snapshot()
        path.with_suffix(".txt").write_text(tree + "\n", encoding="utf-8")
        if found := problems(tree, self.keys):
            raise BrowserTestError(
                f"{path.with_suffix('.png').name}: " + "; ".join(dict.fromkeys(found))
            )
        self.report.checked += 1
        return path

    def settle(self, root: Locator, texts: list[str], name: str) -> None:
        """Wait until the screen shows `texts` and nothing still loading; fail if it does not."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            tree = root.aria_snapshot()
            loading = [word for word in LOADING[self.walk.language] if word in tree]
            if root.locator("step-flow-loading").count():
                loading.append("a flow step")
            missing = missing_texts(tree, texts)
            if not loading and not missing:
                return
            if time.monotonic() > deadline:
                shown = f"still loading ({', '.join(loading)})" if loading else "texts missing"
                raise BrowserTestError(
                    f"{name}: {shown}: " + "; ".join(repr(fragment(text)) for text in missing)
                )
            self.page.wait_for_timeout(100)

    def step_texts(self, step: str, fields: Iterable[str] | None = None) -> list[str]:
        """The help texts of a config flow step (of `fields`, default all of them)."""
        return self.strings.help_texts(f"config.step.{step}", fields)

    # Frontend ------------------------------------------------------------------------------

    def log_in(self) -> None:
        """Log in on the login page and wait for the frontend to finish loading."""
        page = self.page
        with self.step("log in and load the frontend"):
            _goto(page, self.url + "/")
            page.get_by_role("textbox", name="Username").fill(DEVELOPER["username"])
            page.get_by_role("textbox", name="Password").fill(DEVELOPER["password"])
            page.get_by_role("button", name="Log in").click()
            self.wait_for_frontend()
        self.shoot("logged-in")

    def wait_for_frontend(self) -> None:
        """Fail unless the frontend shows its sidebar and a panel (not "Loading...")."""
        try:
            self.page.locator("ha-sidebar").wait_for(timeout=LOAD_TIMEOUT_MS)
            self.page.locator("partial-panel-resolver > *").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        except Exception as err:
            self.page.screenshot(
                path=self.report.next_name(self.walk.language, "not-loaded").with_suffix(".png")
            )
            raise BrowserTestError("the frontend did not finish loading") from err

    def choose_language(self) -> None:
        """Set the user's language in the profile, as a person would."""
        if not self.walk.locale_name:
            return
        page = self.page
        with self.step("set the user's language"):
            _goto(page, self.url + "/profile/localization")
            page.locator("ha-pick-language-row ha-picker-field").click()
            # Still in English here: the picker's search box is found by its placeholder.
            page.get_by_placeholder("Search").fill(self.walk.locale_name)
            page.get_by_text(self.walk.locale_name, exact=True).last.click()
            expect(page.locator("ha-pick-language-row ha-picker-field")).to_contain_text(
                self.walk.locale_name
            )
        self.shoot("language")

    # The config flow ---------------------------------------------------------------------

    @property
    def dialog(self) -> Locator:
        """The config, options or reconfigure flow's dialog."""
        return self.page.locator("dialog-data-entry-flow")

    def submit(self) -> None:
        """Press the dialog's main button (Submit, Finish...)."""
        self.dialog.locator("ha-dialog-footer ha-button").last.click()

    def expect_title(self, text: str) -> None:
        """Wait for the dialog to show the step with this title."""
        expect(self.dialog.locator(".dialog-title")).to_have_text(text)

    def textbox(self, step: str, name: str) -> Locator:
        """A text field of a flow step, found by the label our translations give it."""
        label = re.escape(self.strings.field(step, name))
        return self.dialog.get_by_role("textbox", name=re.compile(rf"^{label}\*?$"))

    def pick(self, role: Literal["radio", "menuitem"], key: str) -> None:
        """Click the choice (a radio button, a menu item) our translations name with `key`."""
        self.dialog.get_by_role(role, name=self.strings(key), exact=True).click()

    def endpoints(self) -> dict[str, str]:
        """What the walk types for the emulator's endpoints and the project."""
        return {
            "sis_endpoint": f"ws://{self.walk.host}:{self.emulator_port}",
            "iam_endpoint": f"http://{self.walk.host}:{self.emulator_port}",
            "project_id": self.walk.project,
        }

    def add_integration(self) -> None:
        """Settings > Devices & services > Add integration > Huawei Cloud SIS."""
        page, s = self.page, self.strings
        with self.step("open Devices & services"):
            _goto(page, self.url + "/config/integrations/dashboard")
            page.locator("ha-config-integrations-dashboard [slot=fab]").wait_for()
        with self.step("search the integration"):
            page.locator("ha-config-integrations-dashboard [slot=fab]").click()
            search = page.locator("dialog-add-integration").get_by_role("textbox").first
            search.fill("Huawei")
            choice = page.get_by_role("listitem").filter(has_text="Huawei Cloud SIS")
            choice.first.wait_for()
        self.shoot("add-integration")
        with self.step("open the first set-up step"):
            choice.first.click()
            self.expect_title(s("config.step.user.title"))
        self.shoot("setup-region", self.dialog, self.step_texts("user"))
        region = self.dialog.locator(f'ha-picker-field[aria-label="{s.field("user", "region")}"]')
        region.click()
        self.pick("menuitem", "selector.region.options.custom")
        expect(region).to_contain_text(s("selector.region.options.custom"))
        self.pick("radio", "selector.auth_type.options.token")
        with self.step("go to the credentials step"):
            self.submit()
            self.expect_title(s("config.step.custom_endpoint.title"))
        typed = {**self.endpoints(), "domain_name": DOMAIN_NAME, "username": USERNAME}
        help_texts = self.step_texts("custom_endpoint", [*typed, "password"])
        self.shoot("setup-credentials-empty", self.dialog, help_texts)
        for name, value in typed.items():
            self.textbox("custom_endpoint", name).fill(value)
        self.wrong_then_right("custom_endpoint", "password", PASSWORD, typed, "setup")
        with self.step("finish the set-up"):
            self.submit()
            expect(self.dialog).to_be_hidden()

    def wrong_then_right(
        self,
        step: str,
        secret: str,
        right: str,
        typed: dict[str, str],
        name: str,
        *,
        done: Iterable[str] = (),
    ) -> None:
        """Submit a wrong secret, check the error, then submit the right one.

        `done` are the texts of the step that ends the flow.
        """
        s = self.strings
        error = s(WRONG_SECRET[secret])
        self.textbox(step, secret).fill("wrong-secret")
        with self.step(f"{name}: refuse a wrong {secret}"):
            self.submit()
            alert = self.dialog.locator("ha-alert").filter(has_text=error)
            expect(alert).to_be_visible()
        # Where a person looks after pressing Submit, without scrolling.
        expect(alert).to_be_in_viewport(ratio=1)
        _expect_next_to(alert, self.textbox(step, secret))
        for field_name, value in typed.items():
            expect(self.textbox(step, field_name)).to_have_value(value)
        help_texts = self.step_texts(step, [*typed, secret])
        self.shoot(f"{name}-wrong-{secret}", self.dialog, [*help_texts, error])
        self.textbox(step, secret).fill(right)
        with self.step(f"{name}: accept the right {secret}"):
            self.submit()
            self.dialog.locator("step-flow-create-entry, step-flow-abort").wait_for()
        self.shoot(f"{name}-done", self.dialog, done)

    # The entry: its entity, options and reconfiguration -----------------------------------

    def entry_row(self, title: str) -> Locator:
        """The entry's row on the integration's page."""
        return self.page.locator("ha-config-entry-row").filter(has_text=title)

    def open_integration(self, title: str) -> None:
        """The integration's page, with the entry of this walk on it."""
        with self.step("open the integration's page"):
            _goto(self.page, f"{self.url}/config/integrations/integration/{DOMAIN}")
            self.entry_row(title).wait_for()

    def check_entry_and_entity(self, title: str, entity_id: str) -> None:
        """The entry is listed with its service; the entity page shows the entity."""
        self.open_integration(title)
        expect(self.entry_row(title)).to_contain_text(title)
        self.shoot("entry")
        with self.step("open the entity"):
            _goto(self.page, f"{self.url}/config/entities?search={entity_id}")
            row = self.page.get_by_role("row").filter(has_text=title)
            row.first.wait_for()
        self.shoot("entity")

    def change_options(self, title: str) -> None:
        """Options: a refused extra word first, then the continuous mode, saved."""
        s = self.strings
        self.open_integration(title)
        with self.step("open the options"):
            self.entry_row(title).locator("ha-icon-button[slot=end]").first.click()
            self.expect_title(s(f"{OPTIONS}.title"))
        # The form as it opens, from its description down.
        self.settle(self.dialog, self.options_texts(), "options")
        self.dialog.locator("step-flow-form ha-markdown").first.scroll_into_view_if_needed()
        self.shoot("options", self.dialog, self.options_texts())
        extra_words = self.refuse_extra_word()
        extra_words.fill("")
        mode = self.dialog.get_by_role(
            "radio", name=s(f"selector.mode.options.{CHOSEN_MODE}"), exact=True
        )
        mode.click()
        with self.step("save the options"):
            self.submit()
            saved = self.dialog.locator("step-flow-create-entry")
            refused = self.dialog.locator("step-flow-form ha-alert")
            saved.or_(refused).first.wait_for()
        if refused.count():
            raise BrowserTestError(f"the options were refused: {refused.first.inner_text()}")
        self.shoot("options-saved", self.dialog)
        self.submit()
        expect(self.dialog).to_be_hidden()

    def section(self, key: str) -> Locator:
        """A section of the options form, found by the name our translations give it."""
        name = re.escape(self.strings(f"{OPTIONS}.sections.{key}.name"))
        header = self.page.locator("[slot=header]", has_text=re.compile(rf"^\s*{name}\s*$"))
        return self.dialog.locator("ha-expansion-panel").filter(has=header)

    def options_texts(self) -> list[str]:
        """The help texts the options form shows: its own, and those of its open sections.

        The recognition section starts open: its texts are waited for in every case.
        """
        s = self.strings
        texts = s.help_texts(OPTIONS, [])
        for key in _section_keys(s):
            if key == "recognition" or self.section(key).get_attribute("expanded") is not None:
                texts += s.help_texts(f"{OPTIONS}.sections.{key}")
        return texts

    def refuse_extra_word(self) -> Locator:
        """Hot words: a word of one syllable is refused, said above the section, kept open.

        Returns the extra words field, which still holds the word.
        """
        s = self.strings
        hot_words = self.section("hot_words")
        if hot_words.get_attribute("expanded") is None:
            hot_words.locator("[slot=header]").first.click()
        label = s(f"{OPTIONS}.sections.hot_words.data.extra_words")
        field = hot_words.get_by_role("textbox", name=label)
        field.fill(REFUSED_WORD)
        error = s("options.error.invalid_extra_words").replace("{words}", REFUSED_WORD)
        with self.step("refuse an extra word"):
            self.submit()
            alert = self.dialog.locator("ha-alert").filter(has_text=fragment(error))
            expect(alert).to_be_visible()
        # Where a person looks after pressing Submit, without scrolling: above the section.
        expect(alert).to_be_in_viewport(ratio=1)
        expect(alert).to_contain_text(error)
        _expect_next_to(alert, hot_words.locator("[slot=header]").first)
        expect(hot_words).to_have_attribute("expanded", "")
        expect(field).to_have_value(REFUSED_WORD)
        texts = [*self.options_texts(), error]
        self.shoot("options-refused-word", self.dialog, texts)
        return field

    def reconfigure(self, title: str) -> None:
        """Reconfigure: switch to an access key, with a wrong secret key first."""
        s = self.strings
        self.open_integration(title)
        row = self.entry_row(title)
        with self.step("open reconfigure"):
            row.locator("ha-dropdown[slot=end]").first.click()
            row.locator("ha-dropdown-item[value=reconfigure]").click()
            self.expect_title(s("config.step.reconfigure.title"))
        self.shoot("reconfigure", self.dialog, self.step_texts("reconfigure"))
        self.pick("radio", "selector.auth_type.options.aksk")
        with self.step("go to the reconfigure credentials"):
            self.submit()
            self.expect_title(s("config.step.custom_endpoint.title"))
        kept = self.endpoints()
        for name, value in kept.items():
            expect(self.textbox("custom_endpoint", name)).to_have_value(value)
        self.textbox("custom_endpoint", "access_key").fill(ACCESS_KEY)
        typed = {**kept, "access_key": ACCESS_KEY}
        # It ends with the integration's own text, in the user's language.
        success = s("config.abort.reconfigure_successful")
        self.wrong_then_right(
            "custom_endpoint", "secret_key", SECRET_KEY, typed, "reconfigure", done=[success]
        )
        expect(self.dialog.locator("step-flow-abort")).to_contain_text(success)
        self.submit()
        expect(self.dialog).to_be_hidden()

    def follow_deep_link(self) -> None:
        """A My Home Assistant link starts the set-up of the integration."""
        with self.step("follow a deep link"):
            _goto(self.page, f"{self.url}/_my_redirect/config_flow_start?domain={DOMAIN}")
            confirm = self.page.locator("dialog-box")
            confirm.locator("dialog[open]").wait_for()
        self.shoot("deep-link-confirm", confirm)
        with self.step("confirm the deep link"):
            confirm.locator("ha-button[slot=primaryAction]").click()
            self.expect_title(self.strings("config.step.user.title"))
        self.shoot("deep-link", self.dialog, self.step_texts("user"))

    def pick_in_pipeline(self, title: str) -> None:
        """Settings > Voice assistants > Add assistant: the entity as speech-to-text engine."""
        page = self.page
        with self.step("open a new voice assistant"):
            _goto(page, self.url + "/config/voice-assistants/assistants")
            # Only the English walk comes here, so the button is found by its English name.
            page.get_by_role("button", name="Add assistant").click()
            dialog = page.locator("dialog-voice-assistant-pipeline-detail")
            dialog.locator("assist-pipeline-detail-stt").wait_for()
        stt = dialog.locator("assist-pipeline-detail-stt")
        stt.locator("ha-stt-picker ha-picker-field").click()
        page.get_by_role("menuitem").filter(has_text=title).first.click()
        expect(stt).to_contain_text(title)
        stt.scroll_into_view_if_needed()
        self.shoot("pipeline", dialog)


def _goto(page: Page, url: str) -> None:
    """Open `url`, once more if the frontend's own navigation aborted the first try.

    After a flow that reloads the entry, the frontend may still be navigating (its
    dialog closing, the integration page refreshing) when the walk moves on.
    """
    try:
        page.goto(url)
    except PlaywrightError as err:
        if "ERR_ABORTED" not in str(err):
            raise
        page.wait_for_load_state()
        page.goto(url)


def _expect_next_to(error: Locator, field: Locator) -> None:
    """The error is shown right above or below its field (not at the top of the form)."""
    error_box, field_box = error.bounding_box(), field.bounding_box()
    if error_box is None or field_box is None:
        raise BrowserTestError("the error or its field is not laid out")
    gap = min(
        abs(field_box["y"] - (error_box["y"] + error_box["height"])),
        abs(error_box["y"] - (field_box["y"] + field_box["height"])),
    )
    if gap > 80:
        raise BrowserTestError(f"the error is {gap:.0f} px away from its field")


def _section_keys(strings: Strings) -> list[str]:
    """The keys of the options form's sections, in the order of the translations."""
    prefix = f"{OPTIONS}.sections."
    return [
        key.removeprefix(prefix).removesuffix(".name")
        for key in strings.flat
        if key.startswith(prefix) and key.endswith(".name") and key.count(".") == 5
    ]


# Home Assistant's API: a clean start and what the screens should have done -----------------


def _api[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run an API call beside Playwright, whose event loop owns this thread."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


async def _ws(url: str, token: str, *commands: dict[str, Any]) -> list[Any]:
    """Send websocket commands; return their results."""
    results: list[Any] = []
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http,
        http.ws_connect(f"{url}/api/websocket") as ws,
    ):
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": token})
        if (await ws.receive_json())["type"] != "auth_ok":
            raise SystemExit("the websocket refused the token")
        for number, command in enumerate(commands, start=1):
            await ws.send_json({"id": number, **command})
            answer = await ws.receive_json()
            if not answer.get("success"):
                raise BrowserTestError(f"{command['type']} failed: {answer.get('error')}")
            results.append(answer["result"])
    return results


async def _start_clean(url: str, token: str) -> None:
    """Remove the integration's entries and the user's language from earlier runs."""
    entries, _ = await _ws(
        url,
        token,
        {"type": "config_entries/get", "domain": DOMAIN},
        {"type": "frontend/set_user_data", "key": "language", "value": None},
    )
    api = f"{url}/api/config/config_entries/entry"
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        for entry in entries:
            async with http.delete(f"{api}/{entry['entry_id']}", headers=headers) as response:
                if response.status != 200:
                    raise BrowserTestError(f"cannot remove {entry['title']!r}: {response.status}")


async def _entry_and_entity(url: str, token: str, title: str) -> tuple[dict[str, Any], str]:
    """The walk's entry and its speech-to-text entity, as Home Assistant stored them."""
    entries, entities = await _ws(
        url,
        token,
        {"type": "config_entries/get", "domain": DOMAIN},
        {"type": "config/entity_registry/list"},
    )
    entry = next((e for e in entries if e["title"] == title), None)
    if entry is None:
        raise BrowserTestError(f"no entry {title!r} after the set-up")
    for entity in entities:
        if entity["config_entry_id"] == entry["entry_id"] and entity["entity_id"].startswith(
            "stt."
        ):
            return entry, str(entity["entity_id"])
    raise BrowserTestError(f"the entry {title!r} has no speech-to-text entity")


async def _options(url: str, token: str, entry_id: str) -> dict[str, Any]:
    """The entry's options, from its diagnostics (the entry list leaves them out)."""
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http,
        http.get(
            f"{url}/api/diagnostics/config_entry/{entry_id}",
            headers={"Authorization": f"Bearer {token}"},
        ) as response,
    ):
        if response.status != 200:
            raise BrowserTestError(f"no diagnostics for the entry: HTTP {response.status}")
        diagnostics = await response.json()
    return dict(diagnostics["data"]["entry"]["options"])


# The walks ---------------------------------------------------------------------------------


def run_walk(browser_type: Any, walk: Walk, report: Report, instance: Instance) -> None:
    """One walk in a fresh browser profile."""
    with tempfile.TemporaryDirectory(prefix="browser-test-") as profile:
        context = browser_type.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=VIEWPORT,
            locale="en-US",
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            screens = Screens(page, walk, report, instance)
            url, token = instance.url, instance.token
            title = f"Huawei Cloud SIS ({walk.host})"
            screens.log_in()
            screens.choose_language()
            screens.add_integration()
            entry, entity_id = _api(_entry_and_entity(url, token, title))
            screens.check_entry_and_entity(title, entity_id)
            screens.change_options(title)
            mode = _api(_options(url, token, entry["entry_id"])).get("mode")
            if mode != CHOSEN_MODE:
                raise BrowserTestError(f"the options were not saved (mode {mode!r})")
            screens.reconfigure(title)
            after = _api(_entry_and_entity(url, token, title))
            if after[1] != entity_id:
                raise BrowserTestError("reconfiguring replaced the entity")
            if walk.language == "en":
                screens.pick_in_pipeline(title)
            screens.follow_deep_link()
        except BrowserTestError:
            raise
        except (PlaywrightError, AssertionError) as err:
            # A screen did not show what the walk waited for: keep it for the developer.
            failed = report.next_name(walk.language, "failed").with_suffix(".png")
            page.screenshot(path=failed)
            raise BrowserTestError(f"{failed.name}: {str(err).splitlines()[0]}") from err
        finally:
            context.close()


def _save_small(png: bytes, path: Path) -> None:
    """Save a screenshot with a small palette: a few dozen kilobytes instead of hundreds."""
    from PIL import Image  # noqa: PLC0415 - Home Assistant brings Pillow; only needed here

    path.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(io.BytesIO(png)) as image:
        small = image.convert("RGB").quantize(colors=64, dither=Image.Dither.NONE)
        small.save(path, optimize=True)
    print(f"browser-test: wrote {path.relative_to(REPOSITORY)} ({path.stat().st_size // 1024} KB)")


def main() -> int:
    """Run both walks and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--readme-images", action="store_true")
    args = parser.parse_args()
    instance = Instance(
        url=args.url.rstrip("/"),
        token=(args.config / TOKEN_FILE).read_text(encoding="ascii").strip(),
        emulator_port=urlsplit(args.emulator).port or 80,
    )
    shots: Path = args.shots or args.config / "browser-test"
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*"):
        old.unlink()
    report = Report(shots, readme_images=args.readme_images)
    start = time.monotonic()
    asyncio.run(_start_clean(instance.url, instance.token))
    try:
        with sync_playwright() as playwright:
            for walk in WALKS:
                run_walk(playwright.chromium, walk, report, instance)
    except BrowserTestError as err:
        print(f"browser-test: FAILED: {err}", file=sys.stderr)
        print(f"browser-test: screenshots in {shots}", file=sys.stderr)
        print(f"browser-test: {report.checked} passed, 1 failed")
        return 1
    finally:
        for name, seconds in report.timings:
            print(f"browser-test: {seconds:6.2f} s  {name}")
    for error in dict.fromkeys(report.script_errors):
        print(f"browser-test: the frontend reported a script error ({error})")
    print(f"browser-test: {time.monotonic() - start:6.2f} s  whole test")
    print(f"browser-test: screens and their accessibility trees in {shots}")
    print(f"browser-test: {report.checked} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
