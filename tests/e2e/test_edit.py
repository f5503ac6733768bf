"""`chaos edit` / `chaos -e`: the Ch-obolo in $EDITOR, replaced only by valid YAML."""

from __future__ import annotations

import re
from pathlib import Path


def _editor(tmp_path: Path, script: str) -> dict:
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\n" + script + "\n")
    editor.chmod(0o755)
    return {"EDITOR": str(editor), "VISUAL": None}


def _chobolo(tmp_path: Path) -> Path:
    chobolo = tmp_path / "box.yml"
    chobolo.write_text("# my box\nusers: [alice]\n")
    chobolo.chmod(0o640)
    return chobolo


def test_a_valid_edit_replaces_the_file_keeping_its_mode(chaos, tmp_path):
    chobolo = _chobolo(tmp_path)
    chaos.write_config(f"chobolo_file: {chobolo}\n")
    run = chaos.run("edit", env=_editor(tmp_path, 'sed -i "s/alice/bob/" "$1"'))
    assert run.returncode == 0, run.stderr
    assert chobolo.read_text() == "# my box\nusers: [bob]\n"
    assert chobolo.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("box.yml")) == ["box.yml"]


def test_invalid_yaml_leaves_the_file_and_keeps_the_edit(chaos, tmp_path):
    chobolo = _chobolo(tmp_path)
    run = chaos.run(
        "-e", "-c", str(chobolo), env=_editor(tmp_path, 'echo "users: [unclosed" > "$1"')
    )
    assert run.returncode == 1
    assert chobolo.read_text() == "# my box\nusers: [alice]\n"
    kept = re.search(r"your edit is kept in (\S+)", run.stderr)
    assert kept, run.stderr
    assert Path(kept.group(1)).read_text() == "users: [unclosed\n"
    assert f"{chobolo}:" in run.stderr  # the YAML error names the file and its position


def test_no_change_and_failing_editor_and_nothing_configured(chaos, tmp_path):
    chobolo = _chobolo(tmp_path)
    same = chaos.run("edit", "-c", str(chobolo), env=_editor(tmp_path, "true"))
    assert same.returncode == 0 and "No changes" in same.stderr
    failing = chaos.run("edit", "-c", str(chobolo), env=_editor(tmp_path, "exit 3"))
    assert failing.returncode == 1 and "exit status 3" in failing.stderr
    assert chobolo.read_text() == "# my box\nusers: [alice]\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("box.yml")) == ["box.yml"]
    nothing = chaos.run("edit", env=_editor(tmp_path, "true"))
    assert nothing.returncode == 1 and "no Ch-obolo is configured" in nothing.stderr
