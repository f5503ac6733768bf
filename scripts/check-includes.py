#!/usr/bin/env python3
"""Fail on an `#include "folder/..."` in src/ that goes against the layering.

The rule (docs/architecture.md, "Which folder may include which"): folders are ranked; a file
may include from its own folder and from folders of a lower rank, never from a higher rank
(upward) nor from another folder of the same rank (sideways: the command folders are peers and
must not lean on each other). A folder missing from the table is an error too, so a new folder
gets its place written down before it is used.

Usage: check-includes.py [ROOT]   (ROOT defaults to the repository; scans ROOT/src)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Rank per folder of src/; keep in step with the table in docs/architecture.md.
LAYERS: dict[str, int] = {
    "util": 0,
    "term": 1,
    "config": 2,
    "plugins": 3,
    "host": 4,
    "records": 4,  # beside host/: neither needs the other
    "sops": 4,  # the secrets engine: apply and the secrets commands both use it
    "fleet": 5,  # the fleet's hosts from the Ch-obolo; beside providers/, neither needs the other
    "providers": 5,  # password managers holding sops keys; plugin ones are reached through a callback
    "runview": 5,  # a run's hosts, deltas and operations as text: apply shows them live, log afterwards
    "context": 6,
    # One folder per command's logic: peers, none includes another.
    "apply": 7,
    "check": 7,
    "completion": 7,
    "doctor": 7,
    "edit": 7,
    "explain": 7,
    "init": 7,
    "log": 7,
    "secrets": 7,
    "set": 7,
    "cli": 8,
    "": 9,  # files directly in src/ (main.cc)
}
LAYER_NAMES = {
    0: "util",
    1: "term",
    2: "config",
    3: "plugins",
    4: "host, records, sops",
    5: "fleet, providers, runview",
    6: "context",
    7: "commands",
    8: "cli",
    9: "main",
}
RULE = "util <- term <- config <- plugins <- host, records, sops <- fleet, providers, runview <- context <- commands (peers) <- cli <- main.cc"
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
SOURCE_SUFFIXES = (".cc", ".h")


def folder_of(rel: Path) -> str:
    """The src/ folder a file (relative to src/) belongs to; "" for files directly in src/."""
    return rel.parts[0] if len(rel.parts) > 1 else ""


def check_include(src_folder: str, target: str) -> str | None:
    """Why including `target` from `src_folder` breaks the rule, or None when it is allowed."""
    if "/" not in target:
        return None  # a same-folder or third-party header; not a folder include
    dst_folder = target.split("/", 1)[0]
    if dst_folder not in LAYERS:
        return f'"{dst_folder}/" is not a folder in the rule table (add it to docs/architecture.md and this script)'
    if dst_folder == src_folder:
        return None
    src_rank, dst_rank = LAYERS[src_folder], LAYERS[dst_folder]
    if dst_rank > src_rank:
        # A folder of its own rank is named as itself (host, records), commands as "commands".
        src_name = src_folder if src_rank < 7 and src_folder else LAYER_NAMES[src_rank]
        dst_name = dst_folder if dst_rank < 7 else LAYER_NAMES[dst_rank]
        return f"upward: {src_name} may not include {dst_name}"
    if dst_rank == src_rank:
        return f'sideways: "{src_folder or "src"}/" and "{dst_folder}/" are peers and may not include each other'
    return None


def violations(root: Path):
    src = root / "src"
    for path in sorted(src.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        rel = path.relative_to(src)
        src_folder = folder_of(rel)
        if src_folder not in LAYERS:
            yield path.relative_to(root), 1, f'"{src_folder}/" is not a folder in the rule table'
            continue
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").split("\n"), 1
        ):
            m = INCLUDE.match(line)
            why = m and check_include(src_folder, m.group(1))
            if why:
                yield path.relative_to(root), number, f'#include "{m.group(1)}": {why}'


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    found = list(violations(root))
    for rel, line, why in found:
        print(f"{rel}:{line}: {why}")
    if found:
        print(
            f"{len(found)} include(s) against the rule {RULE} (docs/architecture.md)",
            file=sys.stderr,
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
