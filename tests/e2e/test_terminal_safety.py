"""What reaches the terminal cannot rewrite the terminal (issue 8, item 4): names and texts
from plugins and from the managed machine are shown with their control characters escaped."""

from __future__ import annotations

import json

import pytest
from support.tmux import TmuxSession
from support.wheelkit import write_wheel

# Moves the cursor up one line, erases that line and returns to its start: printed raw after
# `- keep.conf`, it erases the very line that says keep.conf is about to be removed.
ERASER = "zz\x1b[1A\x1b[2K\r"


@pytest.fixture
def demo_with_hostile_file(chaos, plugin_env, example_wheel, tmp_path):
    """The demo plugin's real `demo-files` role: files on disk that the Ch-obolo does not
    want are in its delta's to_remove, one of them named with escape codes."""
    plugin_env.install(example_wheel("chaos-demo-plugin"))
    root = tmp_path / "demo-root"
    root.mkdir()
    (root / "keep.conf").write_text("important\n")
    (root / ERASER).write_text("x\n")
    chobolo = tmp_path / "ch-obolo.yml"
    chobolo.write_text(f"demo_files:\n  root: {root}\n  files:\n    a.txt: alpha\n")
    return root, chobolo


def test_a_file_named_with_escape_codes_cannot_hide_a_removal_at_the_prompt(
    chaos, demo_with_hostile_file, tmp_path
):
    root, chobolo = demo_with_hostile_file
    tmux = TmuxSession(tmp_path, chaos, ["apply", "demo-files", "-c", str(chobolo)])
    try:
        screen = tmux.wait_for("Apply the changes above? [Y/n]")
        assert "- keep.conf" in screen, screen
        assert "- zz\\x1b[1A\\x1b[2K\\r" in screen, screen
        tmux.send_keys("n", "Enter")
        assert tmux.exit_code() == 1
        assert "Sanitizer" not in tmux.screen() and "runtime error:" not in tmux.screen()
    finally:
        tmux.close()
    assert (root / "keep.conf").exists()


HOSTILE_TEXT = "\x1b]0;owned\x07\x1b[2J\x1b[H"

HOSTILE_ROLE = f"""
from pyinfra.api.operation import add_op
from pyinfra.operations import server
from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role

TEXT = {HOSTILE_TEXT!r}

class Hostile(Role):
    def __init__(self):
        super().__init__(name="hostile")

    def delta(self, context=None):
        return Delta(to_add={{"items" + TEXT: ["item" + TEXT]}}, metadata={{}})

    def plan(self, state, host, delta):
        add_op(state, server.shell, name="op" + TEXT, commands=["echo err$(printf '\\\\033[2J') >&2; exit 3"],
               host=host)

class Raises(Role):
    def __init__(self):
        super().__init__(name="raises")

    def delta(self, context=None):
        raise RuntimeError("boom" + TEXT)

    def plan(self, state, host, delta):
        pass
"""


def test_plugin_texts_in_deltas_operations_and_errors_are_escaped(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "hostile-texts",
            entry_points={
                "chaos.roles": {
                    "hostile": "hostile_texts:Hostile",
                    "raises": "hostile_texts:Raises",
                }
            },
            modules={"hostile_texts.py": HOSTILE_ROLE},
        )
    )
    # --keep-going: the other role's operation still runs, so its name and stderr are shown.
    result = chaos.run("apply", "hostile", "raises", "-y", "--keep-going")
    assert result.returncode == 1, result.stderr
    shown = result.stdout + result.stderr
    # Not one raw ESC or BEL reaches the terminal, from any of the places plugin text appears.
    assert "\x1b" not in shown and "\x07" not in shown, repr(shown)
    assert "items\\x1b]0;owned\\x07" in shown  # delta category
    assert "+ item\\x1b]0;owned" in shown  # delta item
    assert "op\\x1b]0;owned" in shown  # operation name
    assert "boom\\x1b]0;owned" in shown  # role error message
    assert "err\\x1b[2J" in shown  # the failed command's stderr tail


def test_json_report_keeps_plugin_text_exact(chaos, plugin_env, tmp_path):
    """Escaping is for the terminal only: the --json report carries the real strings."""
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "hostile-texts",
            entry_points={"chaos.roles": {"raises": "hostile_texts:Raises"}},
            modules={"hostile_texts.py": HOSTILE_ROLE},
        )
    )
    result = chaos.run("apply", "raises", "-y", "--json")
    report = json.loads(result.stdout)
    assert any("boom" + HOSTILE_TEXT in e.get("message", "") for e in report["errors"])
    assert "\x1b" not in result.stderr
