"""checkDep searches the user's PATH (the original used a fixed system PATH)."""

from __future__ import annotations

import os
import stat

from chaos.lib.utils import checkDep


def test_check_dep_finds_tools_on_the_user_path(tmp_path, monkeypatch):
    tool = tmp_path / "my-private-tool"
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert checkDep("my-private-tool") is True
    assert checkDep("sh") is False  # /bin is not searched when it is not on PATH


def test_check_dep_ignores_non_executable_files(tmp_path, monkeypatch):
    (tmp_path / "notes").write_text("not a program")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert checkDep("notes") is False


def test_check_dep_with_several_path_entries(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    tool = second / "later"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", os.pathsep.join([str(first), str(second)]))
    assert checkDep("later") is True
    assert checkDep("missing") is False
