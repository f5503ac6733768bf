"""Behaviour README.md and docs/ promise that no other test exercised: where the Ch-obolo and
the interpreter come from, the default directories, a broken Ch-obolo stopping the run before
any plugin code, a role host that exits, colour on a terminal, Ctrl-C typed on a terminal, and
a plugin's explain topic replacing a built-in one."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import time

import pytest
from support.demo import install_demo
from support.terminal import stdout_on_terminal
from support.wheelkit import write_wheel

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def demo(chaos, plugin_env, example_wheel, tmp_path):
    return install_demo(plugin_env, example_wheel, tmp_path, {"a.txt": "alpha"})


def test_chobolo_file_from_config_is_used_without_c(chaos, demo):
    root, chobolo = demo
    chaos.write_config(f"chobolo_file: {chobolo}\n")
    report = chaos.json("apply", "demo-files", "--json")
    assert report["chobolo"] == str(chobolo)
    assert (root / "a.txt").read_text() == "alpha"
    # -c wins over the config.
    other = chobolo.with_name("other.yml")
    other.write_text(f"demo_files:\n  root: {root}-other\n  files:\n    b.txt: beta\n")
    report = chaos.json("apply", "demo-files", "-c", str(other), "--json")
    assert report["chobolo"] == str(other)
    assert (root.with_name("demo-root-other") / "b.txt").read_text() == "beta"


def test_chaos_python_wins_over_config_python(chaos, demo, tmp_path):
    chaos.write_config(f"python: {tmp_path / 'no-such-python'}\n")
    assert chaos.json("check", "roles", "-j")[0] == "demo-fail"  # CHAOS_PYTHON is set
    result = chaos.run("check", "roles", env={"CHAOS_PYTHON": None})
    assert result.returncode != 0 and "no-such-python" in result.stderr


def test_default_directories_without_any_environment_variable(chaos, plugin_env, tmp_path):
    home = chaos.home
    unset = {k: None for k in ("CHAOS_CONFIG_DIR", "CHAOS_CACHE_DIR", "CHAOS_PLUGIN_DIR")}
    unset["XDG_STATE_HOME"] = None
    # The plugin directory: ~/.local/share/chaos/plugins, wheels dropped there are found.
    write_wheel(
        home / ".local" / "share" / "chaos" / "plugins",
        "home-plugin",
        entry_points={"chaos.roles": {"home-role": "home_plugin:run"}},
    )
    assert chaos.json("check", "roles", "-j", env=unset) == ["home-role"]
    # The config: ~/.config/chaos/config.yml.
    (home / ".config" / "chaos").mkdir(parents=True)
    (home / ".config" / "chaos" / "config.yml").write_text("aliases:\n  hr: home-role\n")
    assert chaos.json("check", "aliases", "-j", env=unset)["hr"] == "home-role"
    # The cache (~/.cache/chaos) is written, the run history lives in ~/.local/state/chaos.
    assert (home / ".cache" / "chaos").is_dir()
    log = chaos.ok("log", env=unset).stdout
    assert str(home / ".local" / "state" / "chaos" / "logbook" / "chrima.db") in log
    assert not chaos.cache_dir.exists() and not chaos.config_dir.exists()


def test_broken_chobolo_stops_the_run_before_any_plugin_code(chaos, plugin_env, tmp_path):
    ran = tmp_path / "plugin-code-ran"
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "tattler",
            entry_points={"chaos.roles": {"tattle": "tattler:role"}},
            modules={
                "tattler.py": f"open({str(ran)!r}, 'w').close()\n"
                "def role(state, host, chobolo_path, skip_confirm):\n    pass\n"
            },
        )
    )
    broken = tmp_path / "broken.yml"
    broken.write_text("users: [unclosed\n")
    result = chaos.run("apply", "tattle", "-c", str(broken))
    assert result.returncode == 1
    assert "not valid YAML" in result.stderr and str(broken) in result.stderr
    assert not ran.exists()  # the plugin module was never imported
    chaos.ok("apply", "tattle")
    assert ran.exists()  # and the check above could see it


EXITER = """
import os
import sys


def role(state, host, chobolo_path, skip_confirm):
    print("leaving now", file=sys.stderr, flush=True)
    os._exit(7)
"""


def test_role_host_that_exits_is_reported_with_its_exit_status(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "exiter",
            entry_points={"chaos.roles": {"exiter": "exiter_role:role"}},
            modules={"exiter_role.py": EXITER},
        )
    )
    result = chaos.run("apply", "exiter", "--json")
    assert result.returncode == 1
    assert "role host" in result.stderr and "died" in result.stderr
    assert re.search(r"exit (status|code) 7", result.stderr), result.stderr
    assert "leaving now" in result.stderr
    report = json.loads(result.stdout)
    assert report["success"] is False and report["exit_code"] == 1


def test_colour_on_a_terminal_and_none_with_no_color(chaos, plugin_env, example_wheel):
    plugin_env.install(example_wheel("my-chaos-plugin"))
    coloured = stdout_on_terminal(chaos, "check", "plugins", env={"NO_COLOR": None})
    assert "\x1b[" in coloured
    plain = stdout_on_terminal(chaos, "check", "plugins")  # NO_COLOR=1
    assert "\x1b[" not in plain
    assert ANSI.sub("", coloured) == plain
    # Not a terminal: no colour even without NO_COLOR.
    assert "\x1b[" not in chaos.ok("check", "plugins", env={"NO_COLOR": None}).stdout


SLEEPER = """
from pathlib import Path

from pyinfra.operations import server


def role(state, host, chobolo_path, skip_confirm):
    server.shell(name="Mark", commands=[f"touch {MARKER}"])
    server.shell(name="Long", commands=["sleep 60"])
"""


def test_ctrl_c_typed_on_the_terminal_interrupts_the_run(chaos, plugin_env, tmp_path):
    marker = tmp_path / "started"
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "sleepy",
            entry_points={"chaos.roles": {"sleepy": "sleepy_role:role"}},
            modules={"sleepy_role.py": f"MARKER = {str(marker)!r}\n" + SLEEPER},
        )
    )
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(chaos.workdir)
        os.execve(str(chaos.binary), [str(chaos.binary), "apply", "sleepy", "-y"], chaos.env)
    shown = b""
    deadline = time.monotonic() + 90
    typed = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        if not typed and marker.exists():
            time.sleep(0.5)
            os.write(fd, b"\x03")  # the terminal turns it into SIGINT for the foreground group
            typed = True
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = shown.decode(errors="replace")
    assert typed, text
    assert os.waitstatus_to_exitcode(status) == 130, text
    assert "Interrupted" in text and "Traceback" not in text
    assert "Mark" in text  # what completed is still reported


def test_plugin_topic_replaces_a_builtin_one(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "own-apply",
            entry_points={"chaos.explain": {"apply": "own_apply:Explain"}},
            modules={
                "own_apply.py": "class Explain:\n"
                "    def explain_apply(self, complexity):\n"
                "        return {'concept': 'Our apply', 'what': 'the plugin wrote this'}\n"
            },
        )
    )
    data = chaos.json("explain", "apply", "-j")
    assert data["concept"] == "Our apply"
    text = chaos.ok("explain", "apply").stdout
    assert "the plugin wrote this" in text
    assert "chaos apply" not in text.split("\n", 1)[0]
