"""``file``: fleet hosts from a YAML/JSON file, or from the JSON a command prints.

Config (the ``config:`` block of its ``fleet.boats`` entry), exactly one of ``path``/``command``:

- ``path``: a YAML or JSON file (``~`` expanded; relative to the directory chaos runs in);
- ``command``: an argv list run without a shell, whose standard output is JSON;
- ``timeout``: seconds the command may take (default 30);
- ``defaults``: connector data every host gets unless it sets its own (``ssh_user``, ``ssh_key``,
  ``ssh_port``, ...);
- ``groups``: groups every host joins (for ``--limit @group``), besides its own.

The file or output holds hosts the way ``fleet.hosts`` does: a mapping ``name: {data}``, a list
of ``name`` / ``{name: {data}}`` entries, or either under a top-level ``hosts:`` key.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from chaos.lib.boats.base import Boat

# A command that prints more than this is not printing an inventory.
MAX_OUTPUT_BYTES = 16 * 1024 * 1024
DEFAULT_TIMEOUT_S = 30


class FileBoat(Boat):
    name = "file"

    def _source(self) -> tuple[str, Any]:
        path, command = self.config.get("path"), self.config.get("command")
        if (path is None) == (command is None):
            raise ValueError(
                "give exactly one of `path` (a YAML/JSON file) or `command` (an argv list)"
            )
        if path is not None:
            if not isinstance(path, str) or not path:
                raise ValueError("`path` must be a file name")
            return "path", Path(os.path.expanduser(path))
        if (
            not isinstance(command, list)
            or not command
            or not all(isinstance(a, str) for a in command)
        ):
            # A list, never a string: nothing is handed to a shell to split or expand.
            raise ValueError("`command` must be a non-empty list of strings (argv, no shell)")
        return "command", command

    def check_connection(self) -> bool:
        kind, source = self._source()
        if kind == "path" and not source.is_file():
            raise FileNotFoundError(f"no hosts file at {source}")
        if kind == "command" and shutil.which(source[0]) is None:
            raise FileNotFoundError(f"command {source[0]!r} not found")
        return True

    def get_fleet_config(self) -> dict[str, Any]:
        kind, source = self._source()
        defaults = self.config.get("defaults") or {}
        groups = self.config.get("groups") or []
        if not isinstance(defaults, dict):
            raise TypeError("`defaults` must be a mapping of connector data")
        if isinstance(groups, str):
            groups = [groups]
        if not isinstance(groups, list):
            raise TypeError("`groups` must be a list of group names")
        timeout = self.config.get("timeout", DEFAULT_TIMEOUT_S)
        return {
            "kind": kind,
            "source": source,
            "defaults": defaults,
            "groups": groups,
            "timeout": timeout,
        }

    def handle_boat_logic(self, fleet_config: dict[str, Any]) -> list[Any]:
        if fleet_config["kind"] == "path":
            found = _read_file(fleet_config["source"])
        else:
            found = _run(fleet_config["source"], fleet_config["timeout"])
        return [_with_defaults(entry, fleet_config) for entry in _entries(found)]


def _read_file(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    import yaml  # PyYAML, installed with OmegaConf; JSON is YAML too

    return yaml.safe_load(text)


def _run(argv: list[str], timeout: Any) -> Any:
    done = subprocess.run(
        argv,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=float(timeout),
        check=False,
    )
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(
            f"{argv[0]} exited with status {done.returncode}"
            + (": " + " / ".join(said) if said else "")
        )
    if len(done.stdout) > MAX_OUTPUT_BYTES:
        raise ValueError(f"{argv[0]} printed more than {MAX_OUTPUT_BYTES} bytes")
    try:
        return json.loads(done.stdout)
    except ValueError as e:
        raise ValueError(f"{argv[0]} did not print JSON: {e}") from None


def _entries(found: Any) -> list[Any]:
    """The shapes fleet.hosts takes, as a list of ``name`` / ``{name: data}`` entries."""
    if isinstance(found, dict) and set(found) == {"hosts"}:
        found = found["hosts"]
    if found is None:
        return []
    if isinstance(found, dict):
        return [{name: data} for name, data in found.items()]
    if isinstance(found, list):
        return found
    raise ValueError(f"expected hosts as a list or a mapping, found {type(found).__name__}")


def _with_defaults(entry: Any, fleet_config: dict[str, Any]) -> Any:
    if isinstance(entry, str):
        name, data = entry, {}
    elif isinstance(entry, dict) and len(entry) == 1:
        name, data = next(iter(entry.items()))
        data = {} if data is None else data
    else:
        return entry  # chaos reports the malformed entry, naming this boat
    if not isinstance(data, dict):
        return entry
    merged = {**fleet_config["defaults"], **data}
    groups = fleet_config["groups"]
    if groups:
        own = merged.get("groups") or []
        own = [own] if isinstance(own, str) else list(own)
        merged["groups"] = own + [g for g in groups if g not in own]
    return {name: merged}
