"""Reading the logbook (chrima.db) in tests straight from SQLite, not through `chaos log`: what
the store holds is checked independently of the command that shows it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path


def logbook_dir(state_home: Path) -> Path:
    return state_home / "chaos" / "logbook"


def logbook_path(state_home: Path) -> Path:
    return logbook_dir(state_home) / "chrima.db"


def runs(state_home: Path) -> list[dict]:
    """Every run, oldest first, with its JSON columns parsed."""
    db = sqlite3.connect(f"file:{logbook_path(state_home)}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute("SELECT * FROM runs ORDER BY id").fetchall()
    finally:
        db.close()
    out = []
    for row in rows:
        run = dict(row)
        for key in ("summary_json", "hailer_json", "required_secrets", "tags_json", "hosts_json"):
            if run.get(key) is not None:
                run[key.removesuffix("_json")] = json.loads(run[key])
        out.append(run)
    return out


def last_run(state_home: Path) -> dict:
    every = runs(state_home)
    assert every, "the logbook holds no run"
    return every[-1]


def everything(state_home: Path) -> str:
    """All the logbook holds, as SQL text, plus the raw bytes of its files (the database, its
    write-ahead log): a secret must appear in neither."""
    db = sqlite3.connect(f"file:{logbook_path(state_home)}?mode=ro", uri=True)
    try:
        text = "\n".join(db.iterdump())
    finally:
        db.close()
    raw = b"".join(p.read_bytes() for p in sorted(logbook_dir(state_home).iterdir()) if p.is_file())
    return text + "\n" + raw.decode("utf-8", "replace")
