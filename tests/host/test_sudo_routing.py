"""The sudo password of an apply session reaches sudo through the host's askpass pipe: a whole
prepare/plan/execute session, as the core drives it, with a `sudo` that asks like the real one.

The real sudo cannot be made to ask as root without a user and a sudoers rule (that is
tests/e2e/test_sudo_password.py, root only); this `sudo` is first on the host's PATH and does
what `sudo -A` does with a password: runs $SUDO_ASKPASS and reads the password from it. It
records its command line, the password variable pyinfra sets and what the helper printed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

FAKE_SUDO = """#!/bin/sh
log="$FAKE_SUDO_LOG"
printf 'argv:' >>"$log"
for a in "$@"; do printf ' %s' "$a" >>"$log"; done
echo >>"$log"
echo "askpass=$SUDO_ASKPASS" >>"$log"
echo "env-password=$PYINFRA_SUDO_PASSWORD" >>"$log"
echo "parent=$(tr '\\0' ' ' </proc/$PPID/cmdline)" >>"$log"
if [ -n "$SUDO_ASKPASS" ]; then echo "got=$("$SUDO_ASKPASS")" >>"$log"; fi
while [ $# -gt 0 ]; do
  case "$1" in
    -u) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
exec "$@"
"""

SUDO_ROLE = """
from pyinfra.api.operation import add_op
from pyinfra.operations import server

from chaos.lib.roles.role import Role


class AsRoot(Role):
    def __init__(self):
        super().__init__(name="As root")

    def plan(self, state, host, delta):
        add_op(state, server.shell, name="Under sudo", commands=["echo ran-under-sudo"], _sudo=True)
"""

PASSWORD = "s3cret pass'word"
# What a shell-quoted copy of the password still contains (the quote gets escaped).
SECRET_PART = "s3cret"


def fake_sudo(tmp_path: Path, monkeypatch) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    sudo = bindir / "sudo"
    sudo.write_text(FAKE_SUDO)
    sudo.chmod(sudo.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "sudo.log"
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SUDO_LOG", str(log))
    return log


def run_session(make_host, plugin_dir, params: dict) -> tuple[dict, object]:
    plugin_dir("sudorole", SUDO_ROLE)
    host = make_host()
    roles = [{"tag": "as-root", "target": "sudorole:AsRoot"}]
    host.call("apply.prepare", {"roles": roles, **params})
    host.call("apply.plan", {})
    result = host.call("apply.execute", {})
    return result, host


def test_sudo_password_reaches_sudo_through_the_askpass_helper(
    make_host, plugin_dir, tmp_path, monkeypatch
):
    log = fake_sudo(tmp_path, monkeypatch)
    result, host = run_session(make_host, plugin_dir, {"sudo_password": PASSWORD})
    [op] = result["hosts"]["@local"]["ops"]
    assert op["status"] == "changed", op
    lines = log.read_text().splitlines()
    argv = next(line for line in lines if line.startswith("argv:"))
    askpass = next(line for line in lines if line.startswith("askpass="))[len("askpass=") :]
    # sudo is told to ask the helper (-A) and to forget cached credentials (-k) ...
    assert " -A " in argv and " -k " in argv, argv
    # ... and the helper, not the command line or the environment, has the password.
    assert f"got={PASSWORD}" in lines
    assert PASSWORD not in argv
    assert not any(PASSWORD in line for line in lines if line.startswith("env-password="))
    # The shell pyinfra runs the command line in shows it to every local user (ps).
    parent = next(line for line in lines if line.startswith("parent="))
    assert "sudo" in parent and SECRET_PART not in parent, parent
    assert askpass.startswith("/") and PASSWORD not in askpass
    # The helper and its pipe are gone once the session has executed.
    assert not Path(askpass).exists() and not Path(askpass).parent.exists()
    assert host.call("shutdown") == {}
    assert host.wait() == 0


@pytest.mark.parametrize("at_prepare", [None, "an older password"])
def test_a_password_sent_with_execute_is_the_one_sudo_gets(
    make_host, plugin_dir, tmp_path, monkeypatch, at_prepare
):
    """The core sends the password once it knows an operation needs it (with apply.plan or
    apply.execute); one sent again replaces the first."""
    log = fake_sudo(tmp_path, monkeypatch)
    plugin_dir("sudorole", SUDO_ROLE)
    host = make_host()
    roles = [{"tag": "as-root", "target": "sudorole:AsRoot"}]
    prepare = {"roles": roles}
    if at_prepare is not None:
        prepare["sudo_password"] = at_prepare
    host.call("apply.prepare", prepare)
    host.call("apply.plan", {})
    result = host.call("apply.execute", {"sudo_password": PASSWORD})
    [op] = result["hosts"]["@local"]["ops"]
    assert op["status"] == "changed", op
    lines = log.read_text().splitlines()
    assert [line for line in lines if line.startswith("got=")] == [f"got={PASSWORD}"]
    argv = next(line for line in lines if line.startswith("argv:"))
    assert " -A " in argv and PASSWORD not in argv, argv


def test_without_a_password_sudo_is_not_asked_to_prompt(
    make_host, plugin_dir, tmp_path, monkeypatch
):
    log = fake_sudo(tmp_path, monkeypatch)
    result, _ = run_session(make_host, plugin_dir, {})
    [op] = result["hosts"]["@local"]["ops"]
    assert op["status"] == "changed", op
    argv = next(line for line in log.read_text().splitlines() if line.startswith("argv:"))
    assert " -n " in argv and " -A " not in argv, argv  # never waits on a prompt
    assert "askpass=" in log.read_text().splitlines()


# `su` reads the password on its standard input: pyinfra pipes its askpass helper into it.
FAKE_SU = """#!/bin/sh
log="$FAKE_SUDO_LOG"
printf 'su-argv:' >>"$log"
for a in "$@"; do printf ' %s' "$a" >>"$log"; done
echo >>"$log"
echo "su-parent=$(tr '\\0' ' ' </proc/$PPID/cmdline)" >>"$log"
read -r password
echo "su-got=$password" >>"$log"
while [ $# -gt 0 ] && [ "$1" != "-c" ]; do shift; done
shift
exec sh -c "$1"
"""

SU_ROLE = """
from pyinfra.api.operation import add_op
from pyinfra.operations import server

from chaos.lib.roles.role import Role


class AsOther(Role):
    def __init__(self):
        super().__init__(name="As another user")

    def plan(self, state, host, delta):
        add_op(state, server.shell, name="Under su", commands=["echo ran-under-su"], _su_user="nobody")
"""


def test_su_password_reaches_su_through_the_askpass_helper(
    make_host, plugin_dir, tmp_path, monkeypatch
):
    log = fake_sudo(tmp_path, monkeypatch)
    su = tmp_path / "bin" / "su"
    su.write_text(FAKE_SU)
    su.chmod(su.stat().st_mode | stat.S_IXUSR)
    plugin_dir("surole", SU_ROLE)
    host = make_host()
    host.call(
        "apply.prepare",
        {"roles": [{"tag": "as-other", "target": "surole:AsOther"}], "sudo_password": PASSWORD},
    )
    host.call("apply.plan", {})
    [op] = host.call("apply.execute", {})["hosts"]["@local"]["ops"]
    assert op["status"] == "changed", op
    lines = log.read_text().splitlines()
    assert f"su-got={PASSWORD}" in lines
    argv = next(line for line in lines if line.startswith("su-argv:"))
    assert "nobody" in argv and PASSWORD not in argv
    # The shell that runs `askpass | su` shows its command line to every local user (ps).
    parent = next(line for line in lines if line.startswith("su-parent="))
    assert " su " in parent and SECRET_PART not in parent, parent
