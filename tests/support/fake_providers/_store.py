"""The store and argument parsing shared by the fake password-manager CLIs.

Every fake keeps its state in ``$CHAOS_FAKE_PROVIDERS_HOME/<tool>.json`` (written atomically,
mode 0600) and appends one line per invocation to ``$CHAOS_FAKE_PROVIDERS_HOME/calls.jsonl``:
``{"tool", "argv", "stdin_bytes"}``. Stdin content is never logged, only its length, so a test
can assert that a secret went through stdin and not through argv.

Standard library only: the fakes run under whatever ``python3`` is first on PATH.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HOME_VAR = "CHAOS_FAKE_PROVIDERS_HOME"
TOOLS = ("bw", "bws", "rbw", "op", "doppler", "infisical")
# Exit status when the fakes themselves are misused (no store): distinct from every status a
# real CLI uses, so a missing fixture can never pass for a provider's answer.
EX_MISCONFIGURED = 70


def home() -> Path:
    value = os.environ.get(HOME_VAR)
    if not value:
        sys.stderr.write(
            f"fake password-manager CLI: {HOME_VAR} is not set; the fakes refuse to run "
            "without a scratch store\n"
        )
        sys.stderr.flush()
        os._exit(EX_MISCONFIGURED)
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


def now_iso() -> str:
    """An RFC 3339 timestamp with milliseconds and a Z, as the vendors' JSON shows."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


# --- the store ---------------------------------------------------------------------------


def _store_path(root: Path, tool: str) -> Path:
    if tool not in TOOLS:
        raise ValueError(f"unknown fake tool {tool!r}; known: {', '.join(TOOLS)}")
    return root / f"{tool}.json"


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One lock for the whole home: invocations may run concurrently (chaos runs providers
    in parallel for several keys), and each does read-modify-write."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def load(root: Path, tool: str) -> dict[str, Any]:
    path = _store_path(root, tool)
    if not path.exists():
        return {"state": {}, "items": []}
    data = json.loads(path.read_text(encoding="utf-8"))
    data.setdefault("state", {})
    data.setdefault("items", [])
    return data


def save(root: Path, tool: str, data: dict[str, Any]) -> None:
    """Write temp + rename in the same directory, mode 0600 from the start."""
    path = _store_path(root, tool)
    fd, tmp = tempfile.mkstemp(prefix=f".{tool}.", suffix=".tmp", dir=root)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def transaction(root: Path, tool: str) -> Iterator[dict[str, Any]]:
    """Load under the lock, yield for changes, save when the block ends without error."""
    with _locked(root):
        data = load(root, tool)
        yield data
        save(root, tool, data)


def read(root: Path, tool: str) -> dict[str, Any]:
    with _locked(root):
        return load(root, tool)


def append_call(root: Path, tool: str, argv: list[str], stdin_bytes: int) -> None:
    line = json.dumps({"tool": tool, "argv": argv, "stdin_bytes": stdin_bytes}) + "\n"
    with _locked(root):
        fd = os.open(root / "calls.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


# --- one invocation ----------------------------------------------------------------------


class Invocation:
    """What a fake's handler gets: the store root, argv, and stdin read at most once."""

    def __init__(self, tool: str, argv: list[str]):
        self.tool = tool
        self.argv = argv
        self.root = home()
        self._stdin: bytes | None = None

    @property
    def stdin_bytes(self) -> int:
        return 0 if self._stdin is None else len(self._stdin)

    def stdin(self) -> bytes:
        if self._stdin is None:
            self._stdin = sys.stdin.buffer.read() if sys.stdin is not None else b""
        return self._stdin

    def stdin_text(self) -> str:
        return self.stdin().decode("utf-8")

    def stdin_is_tty(self) -> bool:
        return sys.stdin is not None and sys.stdin.isatty()

    def state(self) -> dict[str, Any]:
        return read(self.root, self.tool)["state"]

    def data(self) -> dict[str, Any]:
        return read(self.root, self.tool)

    def transaction(self):
        return transaction(self.root, self.tool)


class Exit(Exception):
    """Raised by a handler to finish with a status; messages are already written."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def out(text: str) -> None:
    sys.stdout.write(text)


def err(text: str) -> None:
    sys.stderr.write(text)


def fail(message: str, status: int = 1) -> Exit:
    """Write ``message`` (a newline added) to stderr; ``raise fail(...)`` ends the run."""
    err(message if message.endswith("\n") else message + "\n")
    return Exit(status)


def run(tool: str, handler: Callable[[Invocation], int | None]) -> None:
    """Entry point of every fake: run the handler, log the call, exit with its status.

    The call is logged after the handler so the stdin length is known; it is logged even
    when the handler fails, since tests assert on failed calls as well.
    """
    argv = sys.argv[1:]
    inv = Invocation(tool, argv)
    status = 0
    try:
        result = handler(inv)
        status = 0 if result is None else int(result)
    except Exit as done:
        status = done.status
    finally:
        append_call(inv.root, tool, argv, inv.stdin_bytes)
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(status)


# --- argument parsing --------------------------------------------------------------------


class UsageError(Exception):
    """Bad command line; each fake formats it the way its real CLI's parser does."""

    def __init__(self, kind: str, option: str, detail: str = ""):
        super().__init__(f"{kind}: {option} {detail}".strip())
        self.kind = kind  # "unknown" | "missing-value" | "unexpected-value"
        self.option = option
        self.detail = detail


class Option:
    """One option: all its spellings, whether it takes a value, whether it may repeat."""

    def __init__(self, dest: str, *names: str, value: bool = True, multiple: bool = False):
        self.dest = dest
        self.names = names
        self.value = value
        self.multiple = multiple


def parse(
    argv: list[str], options: list[Option], *, short_bundles: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """Parse ``argv`` against ``options``; flags may come anywhere between positionals.

    Accepts ``--name value``, ``--name=value``, ``-n value`` and ``-nvalue``; ``--`` ends the
    options; a lone ``-`` is a positional (stdin). Booleans become True, repeated options with
    ``multiple`` become lists. Anything unknown raises UsageError so that a wrong flag built by
    chaos fails loudly instead of being ignored.
    """
    by_name = {name: opt for opt in options for name in opt.names}
    values: dict[str, Any] = {}
    positionals: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            positionals.extend(argv[i:])
            break
        if arg == "-" or not arg.startswith("-"):
            positionals.append(arg)
            continue
        if arg.startswith("--"):
            name, eq, inline = arg.partition("=")
            attached = inline if eq else None
        else:
            name, attached = arg[:2], (arg[2:] or None)
            if attached is not None and name in by_name and not by_name[name].value:
                if not short_bundles:
                    raise UsageError("unknown", arg)
                # -abc: a bundle of boolean short flags.
                argv = argv[:i] + [f"-{c}" for c in attached] + argv[i:]
                attached = None
        opt = by_name.get(name)
        if opt is None:
            raise UsageError("unknown", name)
        if opt.value:
            if attached is None:
                if i >= len(argv):
                    raise UsageError("missing-value", name)
                attached = argv[i]
                i += 1
            value: Any = attached
        else:
            if attached is not None:
                raise UsageError("unexpected-value", name, attached)
            value = True
        if opt.multiple:
            values.setdefault(opt.dest, []).append(value)
        else:
            values[opt.dest] = value
    return values, positionals


def dumps(obj: Any, pretty: bool = False) -> str:
    if pretty:
        return json.dumps(obj, indent=2, ensure_ascii=False)
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# --- items, shaped per tool (shared by the fakes and by control.seed_item) ----------------


def _op_id() -> str:
    """1Password ids: 26 lowercase base-32 characters."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    raw = uuid.uuid4().int
    return "".join(alphabet[(raw >> (5 * i)) & 31] for i in range(26))


def bw_item(fields: dict[str, Any], organization_id: str | None = None) -> dict[str, Any]:
    """An item as ``bw get item`` prints it, from a (partial) item template."""
    stamp = now_iso()
    item_type = int(fields.get("type", 2 if fields.get("login") is None else 1))
    item: dict[str, Any] = {
        "passwordHistory": fields.get("passwordHistory"),
        "revisionDate": stamp,
        "creationDate": stamp,
        "deletedDate": None,
        "object": "item",
        "id": fields.get("id") or new_id(),
        "organizationId": fields.get("organizationId") or organization_id,
        "folderId": fields.get("folderId"),
        "type": item_type,
        "reprompt": int(fields.get("reprompt") or 0),
        "name": fields.get("name"),
        "notes": fields.get("notes"),
        "favorite": bool(fields.get("favorite", False)),
        "fields": fields.get("fields") or [],
        "collectionIds": fields.get("collectionIds") or [],
    }
    if item_type == 1:
        login = dict(fields.get("login") or {})
        item["login"] = {
            "uris": login.get("uris") or [],
            "username": login.get("username"),
            "password": login.get("password"),
            "totp": login.get("totp"),
            "passwordRevisionDate": None,
        }
    elif item_type == 2:
        item["secureNote"] = fields.get("secureNote") or {"type": 0}
    return item


def rbw_item(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": fields.get("id") or new_id(),
        "name": fields["name"],
        "user": fields.get("user"),
        "folder": fields.get("folder"),
        "password": fields.get("password"),
        "notes": fields.get("notes"),
        "uris": list(fields.get("uris") or []),
        "fields": list(fields.get("fields") or []),
    }


def bws_org(data: dict[str, Any]) -> str:
    return data["state"].setdefault("organizationId", new_id())


def bws_project(data: dict[str, Any], project_id: str | None = None, name: str = "") -> dict:
    projects = data.setdefault("projects", [])
    for project in projects:
        if project["id"] == project_id:
            return project
    stamp = now_iso()
    project = {
        "object": "project",
        "id": project_id or new_id(),
        "organizationId": bws_org(data),
        "name": name or "chaos",
        "creationDate": stamp,
        "revisionDate": stamp,
    }
    projects.append(project)
    return project


def bws_secret(data: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    project_id = fields.get("projectId")
    if project_id is None:
        project_id = bws_project(data, None)["id"] if not data.get("projects") else None
        project_id = project_id or data["projects"][0]["id"]
    else:
        bws_project(data, project_id)
    stamp = now_iso()
    return {
        "object": "secret",
        "id": fields.get("id") or new_id(),
        "organizationId": bws_org(data),
        "projectId": project_id,
        "key": fields["key"],
        "value": fields.get("value", ""),
        "note": fields.get("note", ""),
        "creationDate": stamp,
        "revisionDate": stamp,
    }


def op_vault(data: dict[str, Any], name_or_id: str, create: bool = False) -> dict | None:
    vaults = data.setdefault("vaults", [])
    for vault in vaults:
        if name_or_id in (vault["id"], vault["name"]):
            return vault
    if not create:
        return None
    vault = {"id": _op_id(), "name": name_or_id}
    vaults.append(vault)
    return vault


def op_item(data: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """An item as ``op item get --format json`` prints it.

    Seeding shortcuts: ``password=`` and ``notesPlain=`` / ``notes=`` become the built-in
    fields; ``fields=[...]`` are taken as they are (id, type, purpose, label, value).
    """
    vault = op_vault(data, fields.get("vault") or "Private", create=True)
    category = fields.get("category") or "PASSWORD"
    given = [dict(f) for f in fields.get("fields") or []]
    if "password" in fields:
        given.append(
            {
                "id": "password",
                "type": "CONCEALED",
                "purpose": "PASSWORD",
                "label": "password",
                "value": fields["password"],
            }
        )
    notes = fields.get("notesPlain", fields.get("notes"))
    if notes is not None:
        given.append(
            {
                "id": "notesPlain",
                "type": "STRING",
                "purpose": "NOTES",
                "label": "notesPlain",
                "value": notes,
            }
        )
    stamp = now_iso()
    item = {
        "id": fields.get("id") or _op_id(),
        "title": fields["title"],
        "version": 1,
        "vault": {"id": vault["id"], "name": vault["name"]},
        "category": category,
        "last_edited_by": "FAKEUSER0000000000000000000",
        "created_at": stamp,
        "updated_at": stamp,
        "tags": list(fields.get("tags") or []),
        "sections": list(fields.get("sections") or []),
        "fields": [],
    }
    for field in given:
        field.setdefault("id", field.get("label") or _op_id())
        field.setdefault("type", "STRING")
        field.setdefault("label", field["id"])
        field.setdefault("value", "")
        field["reference"] = op_reference(item, field)
        item["fields"].append(field)
    return item


def op_reference(item: dict[str, Any], field: dict[str, Any]) -> str:
    section = field.get("section", {}).get("id") if field.get("section") else None
    middle = f"{section}/" if section else ""
    return f"op://{item['vault']['name']}/{item['title']}/{middle}{field['label']}"


def doppler_secret(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "project": fields["project"],
        "config": fields.get("config", "dev"),
        "name": fields["name"],
        "value": fields.get("value", ""),
        "note": fields.get("note", ""),
        "visibility": fields.get("visibility", "masked"),
    }


def infisical_secret(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": fields.get("id") or new_id(),
        "projectId": fields.get("projectId"),
        "env": fields.get("env", "dev"),
        "path": fields.get("path", "/"),
        "name": fields["name"],
        "value": fields.get("value", ""),
        "type": fields.get("type", "shared"),
    }


def seed(root: Path, tool: str, fields: dict[str, Any]) -> str:
    """Create an item directly in a tool's store; returns its id (or name where the tool
    has no ids)."""
    with transaction(root, tool) as data:
        if tool == "bw":
            item = bw_item(fields)
        elif tool == "rbw":
            item = rbw_item(fields)
        elif tool == "bws":
            item = bws_secret(data, fields)
        elif tool == "op":
            item = op_item(data, fields)
        elif tool == "doppler":
            item = doppler_secret(fields)
        else:
            item = infisical_secret(fields)
        data["items"].append(item)
    return item.get("id") or item["name"]
