"""Make the repository's config/ folder ready for one start of the development Home Assistant.

Runs while Home Assistant is stopped, before every start (`scripts/develop` restarts it
through `ha_instance.py run`): it writes configuration.yaml, links the integration in, and
sets two of Home Assistant's own stored settings the way a person would in the UI:

- the HTTP server: 127.0.0.1 only, on the chosen port;
- onboarding: the location step counts as done.

It also refuses to go on when the venv lacks a requirement of what Home Assistant will set
up: with `--skip-pip` such an integration fails, and some failures leave the frontend on
"Loading..." for ever.
"""

from __future__ import annotations

from datetime import UTC, datetime
import fcntl
import importlib
from importlib import metadata
import json
from pathlib import Path
import re
from typing import Any

from packaging.requirements import Requirement

REPOSITORY = Path(__file__).resolve().parent.parent
DOMAIN = "huawei_cloud_sis"

CONFIGURATION = """\
# Written by scripts/develop on every start; changes here are overwritten.
# The HTTP server is not configured here: see scripts/ha_config_dir.py.
homeassistant:
  name: Huawei Cloud SIS development
  country: CN
  time_zone: Asia/Shanghai
  unit_system: metric
api:
auth:
config:
onboarding:
websocket_api:
diagnostics:
repairs:
system_log:
stt:
conversation:
assist_pipeline:
my:
logger:
  default: warning
  logs:
    custom_components.huawei_cloud_sis: debug
frontend:
"""


def configured_domains() -> set[str]:
    """The integrations configuration.yaml names."""
    return set(re.findall(r"^(\w+):", CONFIGURATION, re.MULTILINE))


def _write_store(config: Path, key: str, stored: dict[str, Any]) -> None:
    """Write one file of Home Assistant's .storage as its own Store would (private)."""
    write_utf8_file = importlib.import_module("homeassistant.util.file").write_utf8_file
    storage = config / ".storage"
    storage.mkdir(exist_ok=True)
    write_utf8_file(str(storage / key), json.dumps(stored, indent=2), private=True)


def _read_store(config: Path, key: str) -> dict[str, Any] | None:
    path = config / ".storage" / key
    if not path.exists():
        return None
    stored: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return stored


def listen_on_loopback(config: Path, port: int) -> None:
    """Store 127.0.0.1:`port` as Home Assistant's confirmed HTTP settings, with none pending.

    Since 2026.10 Home Assistant keeps its HTTP settings in .storage/http as a pair: the
    "stable" settings, known to work, and "pending" ones still on trial. A change made in
    the UI (or an `http:` block in configuration.yaml, migrated once) becomes pending and is
    used on the next start; unless someone confirms it within five minutes, Home Assistant
    marks it failed and restarts with the stable settings, which by default listen on every
    interface. Writing the stable settings before each start, with nothing pending, makes
    Home Assistant listen on 127.0.0.1 from its first second and for as long as it runs.
    """
    try:
        http = importlib.import_module("homeassistant.components.http.config")
    except ImportError as err:
        raise SystemExit(
            "scripts/develop needs Home Assistant 2026.10 or newer (stored HTTP settings)"
        ) from err
    stable = dict(http.HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": port}))
    stable |= {
        http.HTTP_CONFIG_CREATED_AT: datetime.now(UTC).isoformat(),
        http.HTTP_CONFIG_ERROR: None,
        http.HTTP_CONFIG_ERROR_MESSAGE: None,
    }
    _write_store(
        config,
        http.STORAGE_KEY,
        {
            "version": http.STORAGE_VERSION,
            "minor_version": http.STORAGE_MINOR_VERSION,
            "key": http.STORAGE_KEY,
            "data": {
                http.KEY_STABLE: stable,
                http.KEY_PENDING: None,
                http.KEY_YAML_MIGRATION_DONE: True,
            },
        },
    )


def skip_location_step(config: Path) -> None:
    """Count onboarding's location step as done (the location is in configuration.yaml).

    Finishing that step in the UI sets up weather, radio, text-to-speech and shopping-list
    integrations; without their requirements and without the internet they fail. The other
    steps are finished through the API by `ha_instance.py provision`.
    """
    onboarding = importlib.import_module("homeassistant.components.onboarding")
    step = onboarding.STEP_CORE_CONFIG
    stored = _read_store(config, onboarding.STORAGE_KEY) or {
        "version": onboarding.STORAGE_VERSION,
        "minor_version": 1,
        "key": onboarding.STORAGE_KEY,
        "data": {"done": []},
    }
    if step not in stored["data"]["done"]:
        stored["data"]["done"].append(step)
        _write_store(config, onboarding.STORAGE_KEY, stored)


def _manifest(domain: str) -> dict[str, Any] | None:
    components = Path(importlib.import_module("homeassistant.components").__path__[0])
    path = components / domain / "manifest.json"
    if not path.exists():
        return None
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def missing_requirements() -> list[str]:
    """Requirements of what Home Assistant will set up that the venv does not satisfy.

    That is every integration a bare Home Assistant sets up, those configuration.yaml
    names, and what they depend on (camera, for instance, is imported by ai_task).
    """
    bootstrap = importlib.import_module("homeassistant.bootstrap")
    todo = {*bootstrap.CORE_INTEGRATIONS, *bootstrap.DEFAULT_INTEGRATIONS, *configured_domains()}
    seen: set[str] = set()
    missing: set[str] = set()
    while todo:
        domain = todo.pop()
        seen.add(domain)
        manifest = _manifest(domain)
        if manifest is None:
            continue
        todo |= {*manifest.get("dependencies", []), *manifest.get("after_dependencies", [])}
        todo -= seen
        for line in manifest.get("requirements", []):
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate():
                continue
            try:
                installed = metadata.version(requirement.name)
            except metadata.PackageNotFoundError:
                missing.add(line)
                continue
            if not requirement.specifier.contains(installed, prereleases=True):
                missing.add(f"{line} (installed: {installed})")
    return sorted(missing)


def _not_running(config: Path) -> None:
    """Fail when a Home Assistant already runs on this folder (it holds its lock file)."""
    lock_name = importlib.import_module("homeassistant.runner").LOCK_FILE_NAME
    with (config / lock_name).open("a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"another Home Assistant runs with {config}; stop it first") from None
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def prepare(config: Path, port: int) -> None:
    """Make `config` ready for the next start on 127.0.0.1:`port`."""
    if missing := missing_requirements():
        raise SystemExit(
            "the venv lacks requirements of what Home Assistant sets up:\n  "
            + "\n  ".join(missing)
            + "\nPin them in requirements_develop.txt: scripts/develop installs it when it changes."
        )
    config.mkdir(exist_ok=True)
    _not_running(config)
    (config / "configuration.yaml").write_text(CONFIGURATION, encoding="utf-8")
    components = config / "custom_components"
    components.mkdir(exist_ok=True)
    link = components / DOMAIN
    if not link.is_symlink():
        link.symlink_to(REPOSITORY / "custom_components" / DOMAIN, target_is_directory=True)
    listen_on_loopback(config, port)
    skip_location_step(config)
