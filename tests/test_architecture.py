"""The protocol client must stay independent of Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys

import pytest

SIS = Path(__file__).parent.parent / "custom_components" / "huawei_cloud_sis" / "sis"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _homeassistant_imports(path: Path) -> set[str]:
    return {name for name in _imports(path) if name.split(".")[0] == "homeassistant"}


@pytest.mark.parametrize("path", sorted(SIS.glob("*.py")), ids=lambda p: p.name)
def test_module_does_not_import_homeassistant(path: Path) -> None:
    assert _homeassistant_imports(path) == set()


def test_the_check_detects_an_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from homeassistant.core import HomeAssistant\nimport homeassistant\n")
    assert _homeassistant_imports(bad) == {"homeassistant.core", "homeassistant"}


def test_library_loads_without_homeassistant() -> None:
    """Import the package in a fresh interpreter where homeassistant cannot be imported."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'homeassistant':\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import importlib.util, pathlib\n"
        f"root = pathlib.Path({str(SIS)!r})\n"
        "spec = importlib.util.spec_from_file_location(\n"
        "    'sis', root / '__init__.py', submodule_search_locations=[str(root)])\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['sis'] = module\n"
        "spec.loader.exec_module(module)\n"
        "assert 'homeassistant' not in sys.modules\n"
        "print(len(module.__all__))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 20


# --- the Home Assistant layer uses the library through its package only ------------------

HA_LAYER = SIS.parent


def _library_module_imports(path: Path) -> set[str]:
    """Imports of the library's modules (not of its package) in one module of the HA layer."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            relative = node.level == 1 and module.startswith("sis.")
            if relative or module.startswith("custom_components.huawei_cloud_sis.sis."):
                found.add(module)
        elif isinstance(node, ast.Import):
            found.update(
                alias.name
                for alias in node.names
                if alias.name.startswith("custom_components.huawei_cloud_sis.sis.")
            )
    return found


@pytest.mark.parametrize("path", sorted(HA_LAYER.glob("*.py")), ids=lambda p: p.name)
def test_the_home_assistant_layer_imports_only_the_library_package(path: Path) -> None:
    assert _library_module_imports(path) == set()


def test_the_package_check_detects_a_module_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from .sis import SisClient\n"
        "from .sis.session import RecognitionSession\n"
        "import custom_components.huawei_cloud_sis.sis.errors\n"
    )
    assert _library_module_imports(bad) == {
        "sis.session",
        "custom_components.huawei_cloud_sis.sis.errors",
    }
