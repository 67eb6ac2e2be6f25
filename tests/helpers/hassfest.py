"""What hassfest and the HACS action check, for the tests (they cannot run on our machines).

Each function returns a list of problems; an empty list means the rule holds.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from pathlib import Path
import re
import struct
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.const import Platform

IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
    "virtual",
}
QUALITY_SCALES = {"bronze", "silver", "gold", "platinum", "internal", "legacy", "custom"}
HACS_KEYS = {
    "name",
    "content_in_root",
    "country",
    "filename",
    "hacs",
    "hide_default_branch",
    "homeassistant",
    "persistent_directory",
    "render_readme",
    "zip_release",
}
# Components an integration may import without listing them (hassfest's list) and entity
# platforms; anything else must be in `dependencies`/`after_dependencies` or be a
# platform file of the integration itself.
ALLOWED_COMPONENTS = {
    *(platform.value for platform in Platform),
    "alert",
    "automation",
    "conversation",
    "default_config",
    "device_automation",
    "frontend",
    "group",
    "homeassistant",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "media_source",
    "onboarding",
    "panel_custom",
    "persistent_notification",
    "person",
    "script",
    "shopping_list",
    "sun",
    "system_health",
    "system_log",
    "timer",
    "webhook",
    "websocket_api",
    "zone",
}
URL = re.compile(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$")
HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def _is_version(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    version = AwesomeVersion(value)
    return version.strategy in {
        AwesomeVersionStrategy.CALVER,
        AwesomeVersionStrategy.SEMVER,
        AwesomeVersionStrategy.SIMPLEVER,
        AwesomeVersionStrategy.BUILDVER,
        AwesomeVersionStrategy.PEP440,
    }


def manifest_problems(manifest: Mapping[str, Any], integration: Path) -> list[str]:
    """Check a custom integration's manifest like hassfest and HACS do."""
    problems: list[str] = []
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problems.append("keys must be domain, name, then alphabetical")
    if manifest.get("domain") != integration.name:
        problems.append("domain must equal the folder name")
    for key in ("name", "version", "iot_class", "documentation", "issue_tracker"):
        if not manifest.get(key):
            problems.append(f"{key} is required")
    codeowners = manifest.get("codeowners")
    if (
        not isinstance(codeowners, list)
        or not codeowners
        or not all(isinstance(c, str) and c.startswith("@") for c in codeowners)
    ):
        problems.append("codeowners must be a non-empty list of @names")
    if "version" in manifest and not _is_version(manifest["version"]):
        problems.append("version is not a valid version")
    for key in ("documentation", "issue_tracker"):
        if key in manifest and not URL.match(str(manifest[key])):
            problems.append(f"{key} must be an https URL")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append("iot_class is not valid")
    if manifest.get("integration_type", "hub") not in INTEGRATION_TYPES:
        problems.append("integration_type is not valid")
    if "quality_scale" in manifest and manifest["quality_scale"] not in QUALITY_SCALES:
        problems.append("quality_scale is not valid")
    if manifest.get("config_flow") and not (integration / "config_flow.py").is_file():
        problems.append("config_flow is true but config_flow.py is missing")
    if (
        manifest.get("quality_scale") in {"gold", "platinum"}
        and not (integration / "diagnostics.py").is_file()
    ):
        problems.append("gold and platinum need diagnostics.py")
    for key in ("requirements", "dependencies", "after_dependencies"):
        value = manifest.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{key} must be a list of strings")
    requirements = manifest.get("requirements", [])
    if isinstance(requirements, list):
        problems.extend(_requirement_problems([str(line) for line in requirements]))
    return problems


PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[0-9][A-Za-z0-9.+!-]*$")


def _requirement_problems(requirements: list[str]) -> list[str]:
    """hassfest refuses a requirement with a space; ours are also pinned to one version.

    Home Assistant installs a custom integration's requirements into its own environment
    with pip; an exact pin means every home runs the version the tests ran.
    """
    problems: list[str] = []
    if any(" " in requirement for requirement in requirements):
        problems.append("requirements must not contain spaces")
    if any(not PINNED.match(requirement) for requirement in requirements if " " not in requirement):
        problems.append("requirements must be pinned as name==version")
    return problems


def hacs_problems(hacs: Mapping[str, Any]) -> list[str]:
    """Check hacs.json like the HACS action does (extra keys are refused)."""
    problems = [f"unknown key {key}" for key in sorted(set(hacs) - HACS_KEYS)]
    if not isinstance(hacs.get("name"), str) or not hacs.get("name"):
        problems.append("name is required")
    if "homeassistant" in hacs and not _is_version(hacs["homeassistant"]):
        problems.append("homeassistant must be a version")
    for key in ("render_readme", "zip_release", "content_in_root", "hide_default_branch"):
        if key in hacs and not isinstance(hacs[key], bool):
            problems.append(f"{key} must be true or false")
    return problems


def _strings(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for key, inner in value.items() for item in _strings(inner, f"{path}.{key}")]
    return [(path, repr(value))]


STEP_KEYS = {
    "title",
    "description",
    "data",
    "data_description",
    "sections",
    "menu_options",
    "submit",
}
TOP_KEYS = {
    "title",
    "config",
    "config_subentries",
    "options",
    "selector",
    "entity",
    "entity_component",
    "device",
    "device_automation",
    "exceptions",
    "issues",
    "services",
    "system_health",
    "conversation",
    "application_credentials",
}


def _flow_problems(flow: Any, name: str) -> list[str]:
    problems: list[str] = []
    if not isinstance(flow, dict):
        return [f"{name} must be an object"]
    for key in flow:
        if key not in {"step", "error", "abort", "progress", "flow_title", "entry_type"}:
            problems.append(f"{name}.{key} is not allowed")
    for step_id, step in flow.get("step", {}).items():
        if not isinstance(step, dict):
            problems.append(f"{name}.step.{step_id} must be an object")
            continue
        for key in step:
            if key not in STEP_KEYS:
                problems.append(f"{name}.step.{step_id}.{key} is not allowed")
        missing = set(step.get("data", {})) - set(step.get("data_description", {}))
        problems.extend(
            f"{name}.step.{step_id}.data_description lacks {field}" for field in sorted(missing)
        )
    for group in ("error", "abort"):
        for key, text in flow.get(group, {}).items():
            if not isinstance(text, str):
                problems.append(f"{name}.{group}.{key} must be a string")
    return problems


def translation_problems(strings: Mapping[str, Any]) -> list[str]:
    """Check translations/en.json against the shape hassfest accepts for custom integrations."""
    problems = [f"{key} is not allowed at the top level" for key in strings if key not in TOP_KEYS]
    for flow in ("config", "options"):
        if flow in strings:
            problems += _flow_problems(strings[flow], flow)
    for selector, body in strings.get("selector", {}).items():
        if not isinstance(body, dict) or not isinstance(body.get("options"), dict):
            problems.append(f"selector.{selector} needs options")
    for platform, entities in strings.get("entity", {}).items():
        for key, body in entities.items():
            if not isinstance(body, dict) or not isinstance(body.get("name"), str):
                problems.append(f"entity.{platform}.{key} needs a name")
    for key, body in strings.get("exceptions", {}).items():
        if not isinstance(body, dict) or set(body) != {"message"}:
            problems.append(f"exceptions.{key} needs exactly a message")
    for key, body in strings.get("issues", {}).items():
        if not isinstance(body, dict) or "title" not in body:
            problems.append(f"issues.{key} needs a title")
        elif "description" not in body and "fix_flow" not in body:
            problems.append(f"issues.{key} needs a description or a fix flow")
    for path, text in _strings(dict(strings), "strings"):
        if HTML.search(text):
            problems.append(f"{path} contains HTML")
        if "[%key:" in text:
            problems.append(f"{path} uses a [%key:] reference, which custom integrations lack")
        if not text.strip():
            problems.append(f"{path} is empty")
    return problems


def _png_size(path: Path) -> tuple[int, int] | None:
    data = path.read_bytes()[:24]
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def brand_problems(brand: Path) -> list[str]:
    """Check the brand images: square icons of 256 and 512, logos of 128-256 and 256-512 high."""
    rules: dict[str, Callable[[int, int], bool]] = {
        "icon.png": lambda w, h: w == h == 256,
        "icon@2x.png": lambda w, h: w == h == 512,
        "logo.png": lambda w, h: 128 <= min(w, h) <= 256,
        "logo@2x.png": lambda w, h: 256 <= min(w, h) <= 512,
    }
    problems: list[str] = []
    for name, fits in rules.items():
        path = brand / name
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        size = _png_size(path)
        if size is None:
            problems.append(f"{name} is not a PNG")
        elif not fits(*size):
            problems.append(f"{name} has the wrong size {size}")
    return problems


def _component_imports(path: Path) -> set[str]:
    """Components a file imports, outside `if TYPE_CHECKING:` blocks."""
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                return
            self.generic_visit(node)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            module = node.module or ""
            if module.startswith("homeassistant.components."):
                found.add(module.split(".")[2])
            elif module == "homeassistant.components":
                found.update(alias.name for alias in node.names)

        def visit_Import(self, node: ast.Import) -> None:
            for alias in node.names:
                if alias.name.startswith("homeassistant.components."):
                    found.add(alias.name.split(".")[2])

    visitor: ast.NodeVisitor = Visitor()
    visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def import_problems(integration: Path, manifest: Mapping[str, Any]) -> list[str]:
    """Every `homeassistant.components.X` import must be allowed for this manifest."""
    allowed = (
        ALLOWED_COMPONENTS
        | set(manifest.get("dependencies", []))
        | set(manifest.get("after_dependencies", []))
        | {manifest.get("domain", "")}
    )
    problems: list[str] = []
    for path in sorted(integration.rglob("*.py")):
        for domain in sorted(_component_imports(path)):
            platform_file = (integration / f"{domain}.py").is_file()
            if domain not in allowed and not platform_file:
                problems.append(f"{path.name} uses {domain} without listing it in dependencies")
    return problems
