"""The sudo password of an SSH host travels on the SSH channel's standard input, never in the
command line pyinfra runs there (chaos.host.pyinfra_adapter.route_ssh_sudo_password).

pyinfra's real SSH connector runs each command here, with its paramiko client replaced by a
channel that runs the command in a local `sh -c` and feeds it what pyinfra writes to the
channel's standard input: the route is checked from the command text and the bytes pyinfra
sends, the way sshd would get them. The `sudo` on PATH reads its password from standard input
the way `sudo -S` does (one line), or asks for none (NOPASSWD). The real sudo over real SSH is
tests/e2e/test_fleet_ssh.py."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from chaos.host import pyinfra_adapter as pa

# A space, quotes and a `$`: what a shell would split or expand if it met the password. Any
# character but a line break or NUL may be in it.
PASSWORD = 's3cret pass\'word "$HOME" X\\'
SECRET_PART = "s3cret"

FAKE_SUDO = """#!/bin/sh
log="$FAKE_SUDO_LOG"
printf 'sudo-argv:' >>"$log"
for a in "$@"; do printf ' %s' "$a" >>"$log"; done
echo >>"$log"
stdin_password=no
while [ $# -gt 0 ]; do
  case "$1" in
    -u|-p) shift 2 ;;
    -S) stdin_password=yes; shift ;;
    -*) shift ;;
    *) break ;;
  esac
done
if [ "$stdin_password" = yes ] && [ "$FAKE_SUDO_ASKS" = yes ]; then
  IFS= read -r password
  printf 'sudo-got=%s\\n' "$password" >>"$log"
fi
exec "$@"
"""

FAKE_SU = """#!/bin/sh
log="$FAKE_SUDO_LOG"
printf 'su-argv:' >>"$log"
for a in "$@"; do printf ' %s' "$a" >>"$log"; done
echo >>"$log"
IFS= read -r password
printf 'su-got=%s\\n' "$password" >>"$log"
while [ $# -gt 0 ] && [ "$1" != "-c" ]; do shift; done
exec sh -c "$2"
"""


class LocalChannel:
    """What paramiko's exec_command returns, run locally once pyinfra closes standard input."""

    def __init__(self, command: str, env: dict[str, str]) -> None:
        self.command, self.env = command, env
        self.written = b""
        self.result: subprocess.CompletedProcess | None = None
        self.channel = self  # pyinfra reads the exit status from stdout_buffer.channel

    def write(self, data: bytes) -> None:
        assert self.result is None, "written after close"
        self.written += data

    def close(self) -> None:
        if self.result is None:
            self.result = subprocess.run(
                ["sh", "-c", self.command],
                input=self.written,
                capture_output=True,
                env=self.env,
                timeout=30,
                check=False,
            )

    def recv_exit_status(self) -> int:
        return self.result.returncode

    def lines(self, which: str):
        return iter(getattr(self.result, which).decode().splitlines(keepends=True))


class LocalClient:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.channels: list[LocalChannel] = []

    def exec_command(self, command: str, get_pty: bool = False):
        channel = LocalChannel(command, self.env)
        channel.pty = get_pty
        self.channels.append(channel)

        class Output:
            def __init__(self, which: str) -> None:
                self.which, self.channel = which, channel

            def __iter__(self):
                return channel.lines(self.which)

        return channel, Output("stdout"), Output("stderr")


@pytest.fixture
def ssh_host(tmp_path, monkeypatch):
    """(pyinfra host on the ssh connector, its LocalClient, the fake sudo/su log), with the
    route on for the test."""
    from pyinfra.api import Config, Inventory, State

    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name, text in (("sudo", FAKE_SUDO), ("su", FAKE_SU)):
        tool = bindir / name
        tool.write_text(text)
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "sudo.log"
    log.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bindir}:{os.environ['PATH']}",
        "FAKE_SUDO_LOG": str(log),
        "FAKE_SUDO_ASKS": "yes",
    }
    inventory = Inventory((["target.example"], {}))
    state = State(inventory=inventory, config=Config())
    host = inventory.get_host("target.example")
    assert type(host.connector).__name__ == "SSHConnector"
    client = LocalClient(env)
    host.connector.client = client
    undo = pa.route_ssh_sudo_password()
    assert undo is not None, "this pyinfra's SSH connector is not what the route relies on"
    yield host, client, log, state
    undo()


def run(host, command: str, **arguments):
    from pyinfra.api import StringCommand

    ok, output = host.connector.run_shell_command(StringCommand(command), **arguments)
    return ok, output


def test_sudo_password_goes_on_standard_input_and_the_command_keeps_its_own(ssh_host):
    host, client, log, _ = ssh_host
    ok, output = run(
        host, "id -u >/dev/null; cat", _sudo=True, _sudo_password=PASSWORD, _stdin="one\ntwo"
    )
    assert ok, output.output
    [channel] = client.channels
    assert SECRET_PART not in channel.command
    # The password is the first line on the channel; the operation's own input follows it.
    assert channel.written.decode().startswith(PASSWORD + "\n")
    assert channel.written.decode().endswith("one\ntwo\n")
    # sudo got it from there, was told to read it there, and the command saw only its own.
    lines = log.read_text().splitlines()
    assert f"sudo-got={PASSWORD}" in lines
    argv = next(line for line in lines if line.startswith("sudo-argv:"))
    assert " -S " in argv and " -k " in argv and SECRET_PART not in argv, argv
    assert output.stdout_lines == ["one", "two"]


def test_without_a_password_prompt_the_line_never_reaches_the_command(ssh_host):
    # NOPASSWD, or already root: sudo reads nothing, and the line must not become the
    # command's input (`cat` would print it).
    host, client, _, _ = ssh_host
    client.env["FAKE_SUDO_ASKS"] = "no"
    ok, output = run(host, "cat", _sudo=True, _sudo_password=PASSWORD, _stdin=["only this"])
    assert ok, output.output
    assert output.stdout_lines == ["only this"]
    ok, output = run(host, "cat", _sudo=True, _sudo_password=PASSWORD)
    assert ok and output.stdout_lines == []


def test_sudo_options_and_target_user_are_kept(ssh_host):
    host, _, log, _ = ssh_host
    ok, output = run(
        host,
        'echo "$CHAOS_TEST_VAR" in "$(pwd)"',
        _sudo=True,
        _sudo_password=PASSWORD,
        _sudo_user="nobody",
        _env={"CHAOS_TEST_VAR": "kept"},
        _chdir="/",
    )
    assert ok, output.output
    assert output.stdout_lines == ["kept in /"]
    argv = next(line for line in log.read_text().splitlines() if line.startswith("sudo-argv:"))
    assert " -u nobody " in argv and " -H " in argv, argv


def test_a_password_set_late_is_taken_from_where_pyinfra_keeps_it(ssh_host):
    host, client, log, state = ssh_host
    pa.set_sudo_password(state, PASSWORD)  # also sets connector_data["prompted_sudo_password"]
    ok, output = run(host, "echo ran", _sudo=True)
    assert ok, output.output
    assert SECRET_PART not in client.channels[0].command
    assert f"sudo-got={PASSWORD}" in log.read_text().splitlines()


def test_su_password_goes_through_a_pipe_from_standard_input(ssh_host):
    host, client, log, _ = ssh_host
    ok, output = run(host, "echo ran-under-su; cat", _su_user="nobody", _su_password=PASSWORD)
    assert ok, output.output
    [channel] = client.channels
    assert SECRET_PART not in channel.command
    assert channel.written.decode() == PASSWORD + "\n"
    lines = log.read_text().splitlines()
    assert f"su-got={PASSWORD}" in lines
    # What su did not read (it asked for nothing) is read away before the command runs.
    assert output.stdout_lines == ["ran-under-su"]


def test_a_command_on_a_terminal_is_refused_rather_than_echo_the_password(ssh_host):
    host, client, log, _ = ssh_host
    ok, output = run(host, "echo never", _sudo=True, _sudo_password=PASSWORD, _get_pty=True)
    assert not ok
    [channel] = client.channels
    assert channel.written == b"" and SECRET_PART not in channel.command
    assert any("_get_pty" in line for line in output.stderr_lines), output.stderr_lines
    assert log.read_text() == ""  # sudo never ran


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (
            {"_sudo": True, "_sudo_password": PASSWORD, "_su_user": "root", "_su_password": "x"},
            "an operation cannot use both a sudo and a su password",
        ),
        (
            {"_sudo": True, "_doas": True, "_sudo_password": PASSWORD},
            "an operation cannot use doas or dzdo with a sudo password",
        ),
        (
            {"_sudo": True, "_dzdo": True, "_sudo_password": PASSWORD},
            "an operation cannot use doas or dzdo with a sudo password",
        ),
        (
            {"_sudo": True, "_sudo_password": "nul\0byte"},
            "the sudo password has a line break or a NUL byte: sudo reads one line",
        ),
        (
            {"_sudo": True, "_sudo_password": "two\nlines"},
            "the sudo password has a line break or a NUL byte: sudo reads one line",
        ),
    ],
)
def test_a_password_that_cannot_travel_on_standard_input_is_refused(ssh_host, arguments, said):
    host, client, log, _ = ssh_host
    ok, output = run(host, "echo never", **arguments)
    assert not ok
    assert all(channel.written == b"" for channel in client.channels)
    assert any(said in line for line in output.stderr_lines), output.stderr_lines
    assert log.read_text() == ""  # sudo never ran


def test_sudo_login_and_environment_flags_are_kept(ssh_host):
    host, _, log, _ = ssh_host
    ok, output = run(
        host,
        "echo ran",
        _sudo=True,
        _sudo_password=PASSWORD,
        _use_sudo_login=True,
        _preserve_sudo_env=True,
    )
    assert ok, output.output
    argv = next(line for line in log.read_text().splitlines() if line.startswith("sudo-argv:"))
    assert " -i " in argv and " -E " in argv, argv


def test_commands_without_sudo_or_a_password_are_pyinfras_own(ssh_host):
    host, client, _, _ = ssh_host
    ok, output = run(host, "cat", _stdin="as is")
    assert ok and output.stdout_lines == ["as is"]
    ok, output = run(host, "echo fine", _sudo=True)
    assert ok and output.stdout_lines == ["fine"]
    assert client.channels[1].command.startswith("sudo -H -n ")


def test_undo_restores_the_connector():
    from pyinfra.connectors import ssh

    before = (ssh.make_unix_command_for_host, ssh.SSHConnector.run_shell_command)
    undo = pa.route_ssh_sudo_password()
    assert (ssh.make_unix_command_for_host, ssh.SSHConnector.run_shell_command) != before
    undo()
    assert (ssh.make_unix_command_for_host, ssh.SSHConnector.run_shell_command) == before


def _prepare_with_password(make_host, plugin_dir, hosts):
    """The reply to an apply.prepare of a role that does nothing, on ``hosts``, with PASSWORD."""
    plugin_dir("noop", "def role(state, host, chobolo_path, skip_confirm):\n    pass\n")
    reply, _ = make_host().request(
        "apply.prepare",
        {
            "roles": [{"tag": "noop", "target": "noop:role"}],
            "hosts": hosts,
            "sudo_password": PASSWORD,
        },
    )
    return reply


# A host is a name, or a name with its data (a fleet's host): the name is what is checked.
@pytest.mark.parametrize(
    "container", ["@docker/some-container", ["@docker/some-container", {"ssh_user": "x"}]]
)
def test_a_password_is_refused_for_hosts_without_a_private_route(make_host, plugin_dir, container):
    reply = _prepare_with_password(make_host, plugin_dir, [container])
    assert not reply["ok"]
    assert reply["error"]["kind"] == "bad_params"
    assert "@docker/some-container" in reply["error"]["message"]
    assert SECRET_PART not in str(reply)


def test_a_password_is_taken_for_ssh_hosts_which_have_the_private_route(make_host, plugin_dir):
    hosts = ["@local", ["unreachable.invalid", {"ssh_user": "deploy"}]]
    reply = _prepare_with_password(make_host, plugin_dir, hosts)
    # Not refused: the run went on to connect (and only the unreachable host failed).
    assert reply["ok"] is True, reply
    assert [h["connected"] for h in reply["result"]["hosts"]] == [True, False]
    assert SECRET_PART not in str(reply)


def test_the_fake_sudo_is_what_the_route_is_checked_against(tmp_path):
    # Guards the test itself: the fake sudo must consume exactly one line, like sudo -S.
    script = Path(tmp_path / "sudo")
    script.write_text(FAKE_SUDO)
    script.chmod(0o755)
    ran = subprocess.run(
        [str(script), "-S", "-p", "", "cat"],
        input=b"pw\nrest\n",
        capture_output=True,
        env={**os.environ, "FAKE_SUDO_LOG": str(tmp_path / "log"), "FAKE_SUDO_ASKS": "yes"},
        check=True,
    )
    assert ran.stdout == b"rest\n"
