"""``demo-files``: keep the files of one directory equal to what the Ch-obolo lists.

Ch-obolo::

    demo_files:
      root: /srv/demo            # absolute path of the managed directory
      files:                     # file name -> exact content
        hello.txt: "hello\\n"

Files under ``root`` (top level only) that are not listed are removed; listed files whose
content differs (compared by SHA-1) are rewritten. When the disk already matches, the delta is
empty and nothing is planned.
"""

from __future__ import annotations

import hashlib
import io
import posixpath

from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role
from pyinfra.api.operation import add_op
from pyinfra.facts.files import Directory, FindFiles, Sha1File
from pyinfra.operations import files


def _read_config(chobolo: dict | None) -> tuple[str, dict[str, str]]:
    """Validate the ``demo_files`` block; errors name the offending key."""
    block = (chobolo or {}).get("demo_files")
    if not isinstance(block, dict):
        raise TypeError("demo_files: missing from the Ch-obolo (expected a mapping)")
    root = block.get("root")
    if not isinstance(root, str) or not posixpath.isabs(root) or root.rstrip("/") == "":
        raise ValueError(f"demo_files.root: must be an absolute directory path, got {root!r}")
    wanted = block.get("files") or {}
    if not isinstance(wanted, dict):
        raise TypeError("demo_files.files: must map file names to contents")
    for name, content in wanted.items():
        if not isinstance(name, str) or not name or "/" in name or name in (".", ".."):
            raise ValueError(f"demo_files.files: {name!r} is not a plain file name")
        if not isinstance(content, str):
            raise TypeError(f"demo_files.files.{name}: content must be a string")
    return root.rstrip("/"), dict(wanted)


def _sha1(text: str) -> str:
    """SHA-1 of the text as UTF-8: what pyinfra's Sha1File fact reports for the file."""
    return hashlib.sha1(text.encode()).hexdigest()


class DemoFilesRole(Role):
    """Lifecycle role: facts in ``get_context``, comparison in ``delta``, operations in ``plan``."""

    def __init__(self) -> None:
        super().__init__(name="demo-files", necessary_chobolo_keys=["demo_files"])

    def get_context(self, state, host, chobolo=None, secrets=None):
        root, wanted = _read_config(chobolo)
        root_exists = bool(host.get_fact(Directory, path=root))
        on_disk: dict[str, str | None] = {}
        if root_exists:
            for path in host.get_fact(FindFiles, path=root, maxdepth=1):
                name = posixpath.basename(path)
                # Only hash files we might keep: the others are removed whatever they hold.
                on_disk[name] = host.get_fact(Sha1File, path=path) if name in wanted else None
        return {"root": root, "root_exists": root_exists, "wanted": wanted, "on_disk": on_disk}

    def delta(self, context=None):
        context = context or {}
        wanted: dict[str, str] = context.get("wanted", {})
        on_disk: dict[str, str | None] = context.get("on_disk", {})
        to_write = sorted(
            name
            for name, content in wanted.items()
            if name not in on_disk or on_disk[name] != _sha1(content)
        )
        to_delete = sorted(name for name in on_disk if name not in wanted)
        # Only non-empty categories: an empty list would still count as a change for hosts
        # that test the dicts for truthiness.
        to_add = {"files": to_write} if to_write else {}
        to_remove = {"files": to_delete} if to_delete else {}
        return Delta(
            to_add=to_add,
            to_remove=to_remove,
            metadata={
                "root": context.get("root"),
                "contents": {name: wanted[name] for name in to_write},
            },
        )

    def plan(self, state, host, delta=Delta()):  # noqa: B008 - the documented signature
        root = delta.metadata["root"]
        contents: dict[str, str] = delta.metadata.get("contents", {})
        written, removed = [], []
        if contents:
            add_op(
                state,
                files.directory,
                name=f"demo-files: directory {root}",
                path=root,
                present=True,
                host=host,
            )
        for name in delta.to_add.get("files", []):
            path = posixpath.join(root, name)
            add_op(
                state,
                files.put,
                name=f"demo-files: write {path}",
                src=io.StringIO(contents[name]),
                dest=path,
                host=host,
            )
            written.append(path)
        for name in delta.to_remove.get("files", []):
            path = posixpath.join(root, name)
            add_op(
                state,
                files.file,
                name=f"demo-files: remove {path}",
                path=path,
                present=False,
                host=host,
            )
            removed.append(path)
        return ResultPayload(
            True,
            message=[f"{len(written)} to write, {len(removed)} to remove under {root}"],
            data={"written": written, "removed": removed},
        )
