"""What the browser test checks on every screen, on the text of its accessibility tree.

Kept apart from the browser so that tests/test_screen_checks.py can show, without a browser,
that each check finds what it looks for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import json
from pathlib import Path
import re
from typing import Any
from urllib.parse import urlsplit

TRANSLATIONS = Path(__file__).resolve().parent.parent / "custom_components"
TRANSLATIONS /= "huawei_cloud_sis/translations"

UNDEFINED = re.compile(r"\bundefined\b|\bNaN\b")
RAW_KEY = re.compile(r"\b(component|ui|state_badge|config_entry)\.[a-z_]+\.[\w.]+")
PLACEHOLDER = re.compile(r"\{\w+\}")
FIELD = re.compile(
    r'^\s*- (textbox|radio|checkbox|switch|spinbutton|combobox|slider)( "(?P<name>[^"]*)")?'
)
VISIBLE_LABEL = re.compile(r"^\s*- (/placeholder|paragraph|text): \S")
"""What labels a field without a name: the text beside a switch, a search box's placeholder."""
LINK = re.compile(r'^\s*- link(?: "(?P<name>[^"]*)")?:?\s*$')
URL = re.compile(r"^\s*- /url: (?P<url>.+)$")
HOST = re.compile(r"[A-Za-z0-9.-]+(:\d+)?")
NOT_KEYS = {"config", "options", "step", "data", "title", "description", "error"}


@dataclass(frozen=True, slots=True)
class Strings:
    """The integration's texts in one language, read from its translation file."""

    language: str
    flat: dict[str, str]

    @classmethod
    def load(cls, language: str) -> Strings:
        """Read translations/<language>.json."""
        data = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))

        def flatten(value: Any, path: str) -> dict[str, str]:
            if isinstance(value, dict):
                flat: dict[str, str] = {}
                for key, inner in value.items():
                    flat |= flatten(inner, f"{path}.{key}" if path else key)
                return flat
            return {path: str(value)}

        return cls(language, flatten(data, ""))

    def __call__(self, key: str) -> str:
        """The text of one key, e.g. `config.step.user.title`."""
        return self.flat[key]

    def field(self, step: str, name: str) -> str:
        """The label of a field of a config flow step."""
        return self.flat[f"config.step.{step}.data.{name}"]

    def help_texts(self, prefix: str, fields: Iterable[str] | None = None) -> list[str]:
        """The texts a form shows once its translations have loaded.

        `prefix` is a step (`config.step.user`) or a section of one; its description
        (if it has one) and the help of `fields` (default: every field it describes).
        """
        texts = [self.flat[key] for key in (f"{prefix}.description",) if key in self.flat]
        described = f"{prefix}.data_description."
        if fields is None:
            fields = [key.removeprefix(described) for key in self.flat if key.startswith(described)]
        return texts + [self.flat[described + field] for field in fields]

    def keys(self) -> set[str]:
        """Every word the integration uses as a key: shown alone, it is an untranslated one.

        The words of the translation file's paths, and the field names and choices of the
        code, which a file that lacks them would not name.
        """
        words: set[str] = set()
        for path in self.flat:
            words.update(path.split("."))
        return (words - NOT_KEYS) | _keys_in_code()


def _keys_in_code() -> set[str]:
    # Imported here: the browser test puts the repository on the path first.
    from custom_components.huawei_cloud_sis import const  # noqa: PLC0415
    from custom_components.huawei_cloud_sis.languages import LANGUAGES  # noqa: PLC0415
    from custom_components.huawei_cloud_sis.sis import RecognitionMode  # noqa: PLC0415

    words = {
        value
        for name, value in vars(const).items()
        if name.startswith(("CONF_", "AUTH_TYPE_", "REGION_")) and isinstance(value, str)
    }
    words |= {mode.value for mode in RecognitionMode}
    for language in LANGUAGES.values():
        words |= {*language.models, language.option_key}
    return words


UNSURE = re.compile(r"[a-z]+://\S*|\{\w+\}|[\"\\*_`\[\]<>#|]")
"""What may read differently in an accessibility tree than in the translation: addresses
(made into links), placeholders, and what Markdown or the tree's quoting may change."""
FRAGMENT = 24
"""Characters of a text looked for: enough to tell texts apart."""


def fragment(text: str) -> str:
    """The part of a text to look for in a screen's tree: its longest plain stretch."""
    pieces = [piece.strip() for piece in UNSURE.split(text)]
    return max(pieces, key=len)[:FRAGMENT].strip()


def missing_texts(tree: str, texts: Iterable[str]) -> list[str]:
    """The texts a screen should show that its tree does not (yet) hold."""
    return [text for text in texts if fragment(text) not in tree]


def problems(tree: str, keys: set[str]) -> list[str]:
    """What is wrong with the texts of one screen, given as Playwright's ARIA snapshot."""
    found: list[str] = []
    lines = tree.splitlines()
    for number, line in enumerate(lines):
        text = line.strip()
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if match := UNDEFINED.search(text):
            found.append(f"{match.group()!r} shown: {text}")
        if match := RAW_KEY.search(text):
            found.append(f"raw translation key {match.group()!r}")
        if PLACEHOLDER.search(text) and not URL.match(line):
            found.append(f"placeholder left in: {text}")
        field = FIELD.match(line)
        unnamed = field is not None and not (field.group("name") or "").strip()
        if unnamed and not VISIBLE_LABEL.match(following):
            found.append(f"a field without a label: {text}")
        names = [*re.findall(r'"([^"]*)"', text), text.split(": ", 1)[-1]]
        found += [f"untranslated key shown: {n!r}" for n in names if n.rstrip("*") in keys]
        if link := LINK.match(line):
            found += _link_problems(link.group("name") or "", URL.match(following))
    return found


def _link_problems(name: str, target: re.Match[str] | None) -> list[str]:
    """A link leads to a plain address, and its text does not run on into the sentence."""
    if target is None:
        return [f"link {name!r} has no address"]
    url = target.group("url").strip().strip('"')
    parts = urlsplit(url)
    found = []
    if not url.isascii() or (parts.scheme and not HOST.fullmatch(parts.netloc)):
        found.append(f"broken link {url!r}")
    if "://" in name and name.strip() != url:
        found.append(f"link text {name!r} is not its address {url!r}")
    return found
