"""Packaging rules of hassfest and HACS, checked on our files and shown to catch breakage."""

from __future__ import annotations

import copy
from importlib import metadata
import json
from pathlib import Path
import shutil
from typing import Any

import pytest
import yaml

from tests.helpers.hassfest import (
    brand_problems,
    hacs_problems,
    import_problems,
    manifest_problems,
    translation_problems,
)

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "huawei_cloud_sis"
MANIFEST: dict[str, Any] = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
HACS: dict[str, Any] = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
EN: dict[str, Any] = json.loads((INTEGRATION / "translations" / "en.json").read_text("utf-8"))
RULES = {
    "bronze": [
        "action-setup", "appropriate-polling", "brands", "common-modules",
        "config-flow-test-coverage", "config-flow", "dependency-transparency", "docs-actions",
        "docs-conditions", "docs-high-level-description", "docs-installation-instructions",
        "docs-removal-instructions", "docs-triggers", "entity-event-setup", "entity-unique-id",
        "has-entity-name",
        "runtime-data", "test-before-configure", "test-before-setup", "unique-config-entry",
    ],
    "silver": [
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    ],
    "gold": [
        "devices", "diagnostics", "discovery", "discovery-update-info", "docs-data-update",
        "docs-examples", "docs-known-limitations", "docs-supported-devices",
        "docs-supported-functions", "docs-troubleshooting", "docs-use-cases", "dynamic-devices",
        "entity-category", "entity-device-class", "entity-disabled-by-default",
        "entity-translations", "exception-translations", "icon-translations",
        "reconfiguration-flow", "repair-issues", "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}  # fmt: skip


def test_manifest_is_valid() -> None:
    assert manifest_problems(MANIFEST, INTEGRATION) == []
    assert MANIFEST["integration_type"] == "service"
    assert MANIFEST["iot_class"] == "cloud_push"


def test_the_runtime_requirement_is_the_one_the_tests_install() -> None:
    """Homes get exactly the version that both test environments install and test."""
    assert MANIFEST["requirements"] == ["opencc-py==1.4.2"]
    for name in ("requirements_test.txt", "requirements_test_oldest.txt"):
        lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
        assert set(MANIFEST["requirements"]) <= {line.strip() for line in lines}, name
    for requirement in MANIFEST["requirements"]:
        package, version = requirement.split("==")
        assert metadata.version(package) == version


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: m.update(aaa=1), "keys must be domain, name, then alphabetical"),
        (lambda m: m.update(domain="other"), "domain must equal the folder name"),
        (lambda m: m.pop("version"), "version is required"),
        (lambda m: m.update(version="not a version!"), "version is not a valid version"),
        (lambda m: m.update(codeowners=[]), "codeowners must be a non-empty list of @names"),
        (lambda m: m.update(documentation="http://x.org"), "documentation must be an https URL"),
        (lambda m: m.update(iot_class="cloud"), "iot_class is not valid"),
        (lambda m: m.update(integration_type="x"), "integration_type is not valid"),
        (lambda m: m.update(quality_scale="diamond"), "quality_scale is not valid"),
        (lambda m: m.update(requirements=["a == 1"]), "requirements must not contain spaces"),
        (
            lambda m: m.update(requirements=["opencc-py"]),
            "requirements must be pinned as name==version",
        ),
        (
            lambda m: m.update(requirements=["opencc-py>=1.4"]),
            "requirements must be pinned as name==version",
        ),
        (lambda m: m.update(dependencies="http"), "dependencies must be a list of strings"),
    ],
)
def test_manifest_rule_catches(change: Any, problem: str) -> None:
    broken = copy.deepcopy(MANIFEST)
    change(broken)
    assert problem in manifest_problems(broken, INTEGRATION)


def test_manifest_needs_the_files_it_promises(tmp_path: Path) -> None:
    fake = tmp_path / "huawei_cloud_sis"
    fake.mkdir()
    problems = manifest_problems(MANIFEST, fake)
    assert "config_flow is true but config_flow.py is missing" in problems
    assert "gold and platinum need diagnostics.py" in problems


def test_hacs_json_is_valid() -> None:
    assert hacs_problems(HACS) == []
    assert HACS["homeassistant"] == "2026.5.0"


@pytest.mark.parametrize(
    ("hacs", "problem"),
    [
        ({"name": "x", "domains": ["stt"]}, "unknown key domains"),
        ({"render_readme": True}, "name is required"),
        ({"name": "x", "homeassistant": "soon"}, "homeassistant must be a version"),
        ({"name": "x", "render_readme": "yes"}, "render_readme must be true or false"),
    ],
)
def test_hacs_rule_catches(hacs: dict[str, Any], problem: str) -> None:
    assert problem in hacs_problems(hacs)


def test_oldest_release_matches_the_test_requirements() -> None:
    """hacs.json names the release that requirements_test_oldest.txt tests."""
    text = (ROOT / "requirements_test_oldest.txt").read_text(encoding="utf-8")
    assert f"homeassistant {HACS['homeassistant']}" in text


def test_translations_are_valid() -> None:
    assert translation_problems(EN) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda s: s.update(extra={}), "extra is not allowed at the top level"),
        (
            lambda s: s["config"]["step"]["user"].update(help="x"),
            "config.step.user.help is not allowed",
        ),
        (
            lambda s: s["config"]["step"]["user"]["data_description"].pop("region"),
            "config.step.user.data_description lacks region",
        ),
        (
            lambda s: s["config"]["error"].update(bad="<b>bold</b>"),
            "strings.config.error.bad contains HTML",
        ),
        (
            lambda s: s["config"]["abort"].update(ref="[%key:common::config_flow::abort::x%]"),
            "strings.config.abort.ref uses a [%key:] reference, which custom integrations lack",
        ),
        (lambda s: s["config"]["error"].update(empty=" "), "strings.config.error.empty is empty"),
        (
            lambda s: s["exceptions"].update(bad={"text": "x"}),
            "exceptions.bad needs exactly a message",
        ),
        (lambda s: s["issues"].update(bad={"description": "x"}), "issues.bad needs a title"),
        (lambda s: s["selector"].update(bad={}), "selector.bad needs options"),
        (lambda s: s["entity"]["stt"].update(bad={}), "entity.stt.bad needs a name"),
        (lambda s: s["options"].update(bad={}), "options.bad is not allowed"),
    ],
)
def test_translation_rule_catches(change: Any, problem: str) -> None:
    broken = copy.deepcopy(EN)
    change(broken)
    assert problem in translation_problems(broken)


def test_brand_images() -> None:
    assert brand_problems(INTEGRATION / "brand") == []


def test_brand_rule_catches(tmp_path: Path) -> None:
    brand = tmp_path / "brand"
    shutil.copytree(INTEGRATION / "brand", brand)
    (brand / "logo@2x.png").unlink()
    shutil.copy(brand / "icon@2x.png", brand / "icon.png")
    (brand / "logo.png").write_bytes(b"not an image")
    assert brand_problems(brand) == [
        "icon.png has the wrong size (512, 512)",
        "logo.png is not a PNG",
        "logo@2x.png is missing",
    ]


def test_component_imports_are_allowed() -> None:
    assert import_problems(INTEGRATION, MANIFEST) == []


def test_import_rule_catches(tmp_path: Path) -> None:
    fake = tmp_path / "huawei_cloud_sis"
    fake.mkdir()
    (fake / "stt.py").write_text(
        "from homeassistant.components.stt import SpeechResult\n"
        "from homeassistant.components import assist_pipeline\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from homeassistant.components.cloud import x\n"
    )
    (fake / "diagnostics.py").write_text("import homeassistant.components.diagnostics\n")
    assert import_problems(fake, MANIFEST) == [
        "stt.py uses assist_pipeline without listing it in dependencies"
    ]
    assert import_problems(fake, {**MANIFEST, "dependencies": ["assist_pipeline"]}) == []


def test_quality_scale_lists_every_rule_honestly() -> None:
    data = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text(encoding="utf-8"))
    rules = data["rules"]
    expected = {rule for tier in RULES.values() for rule in tier}
    assert len(expected) == 54
    assert set(rules) == expected
    for rule, value in rules.items():
        if isinstance(value, dict):
            assert value["status"] in {"done", "todo", "exempt"}, rule
            if value["status"] == "exempt":
                assert value.get("comment"), rule
        else:
            assert value in {"done", "todo"}, rule
    todo = [rule for rule, value in rules.items() if value == "todo"]
    # The manifest claims the tier only when every rule up to it is done or exempt.
    claimed = MANIFEST["quality_scale"]
    tiers = list(RULES)
    for tier in tiers[: tiers.index(claimed) + 1]:
        assert not set(todo) & set(RULES[tier]), tier
