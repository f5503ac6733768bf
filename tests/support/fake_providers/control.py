"""Test-side control of the fake password-manager CLIs.

bin_dir = install(home)              # put first on PATH, and set CHAOS_FAKE_PROVIDERS_HOME=home
set_state(home, "bw", status="locked")
item_id = seed_item(home, "bw", name="chaos-sops", notes="AGE-SECRET-KEY-...")
items(home, "bw"); calls(home)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import _store

HERE = Path(__file__).resolve().parent

TOOLS = _store.TOOLS
HOME_VAR = _store.HOME_VAR


def install(home: Path) -> Path:
    """Create the store directory and return the directory holding the fakes, to go first on
    PATH. The fakes find the store through CHAOS_FAKE_PROVIDERS_HOME, which the caller sets
    in the environment of what it runs (see ``env``)."""
    Path(home).mkdir(parents=True, exist_ok=True)
    for tool in TOOLS:
        path = HERE / tool
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"fake {tool} at {path} is not executable")
    return HERE


def env(home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment with the fakes first on PATH and the store set."""
    result = dict(os.environ if base is None else base)
    result["PATH"] = f"{install(home)}{os.pathsep}{result.get('PATH', '')}"
    result[HOME_VAR] = str(home)
    return result


def set_state(home: Path, tool: str, **state: Any) -> None:
    """Merge ``state`` into a tool's state, e.g. ``set_state(h, "bw", status="locked")``,
    ``set_state(h, "rbw", locked=True)``, ``set_state(h, "op", signed_in=False)``,
    ``set_state(h, "doppler", logged_in=True)``."""
    with _store.transaction(Path(home), tool) as data:
        data["state"].update(state)


def seed_item(home: Path, tool: str, **fields: Any) -> str:
    """Create an item directly in the store and return its id.

    bw: name, notes, type, login, organizationId, collectionIds ...
    rbw: name, password, notes, user, folder
    bws: key, value, note, projectId
    op: title, vault, category, password, notesPlain, fields, tags
    doppler: project, config, name, value, note (returns the name)
    infisical: name, value, env, path, projectId, type
    """
    return _store.seed(Path(home), tool, fields)


def items(home: Path, tool: str) -> list[dict[str, Any]]:
    return _store.read(Path(home), tool)["items"]


def state(home: Path, tool: str) -> dict[str, Any]:
    return _store.read(Path(home), tool)["state"]


def calls(home: Path) -> list[dict[str, Any]]:
    path = Path(home) / "calls.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def seed_project(home: Path, name: str = "chaos") -> str:
    """bws only: create a Secrets Manager project and return its id."""
    with _store.transaction(Path(home), "bws") as data:
        return _store.bws_project(data, None, name)["id"]


def seed_vault(home: Path, name: str) -> str:
    """op only: create a 1Password vault (``Private`` exists by default) and return its id."""
    with _store.transaction(Path(home), "op") as data:
        return _store.op_vault(data, name, create=True)["id"]
