"""The sudo password reaches sudo through a pipe, never a command line (chaos.host.askpass)."""

from __future__ import annotations

import os
import stat
import subprocess

from chaos.host import pyinfra_adapter as pa
from chaos.host.askpass import PLACEHOLDER, PipeAskpass


def test_script_prints_the_password_each_time_it_runs():
    askpass = PipeAskpass("pa ss'word")
    try:
        for _ in range(3):  # sudo asks again after a wrong password: each run gets it
            out = subprocess.run([askpass.script], capture_output=True, timeout=10, check=True)
            assert out.stdout == b"pa ss'word\n"
        mode = stat.S_IMODE(os.stat(askpass.directory).st_mode)
        assert mode == 0o700
        assert stat.S_ISFIFO(os.stat(askpass.pipe).st_mode)
        # The script names the pipe, not the password.
        with open(askpass.script) as script:
            assert "pa ss" not in script.read()
    finally:
        askpass.close()
    assert not os.path.exists(askpass.directory)
    askpass.close()  # idempotent


def test_every_reader_gets_the_whole_password_even_when_they_overlap():
    askpass = PipeAskpass("correct horse battery staple")
    try:
        for _ in range(20):
            out = subprocess.run([askpass.script], capture_output=True, timeout=10, check=True)
            assert out.stdout == b"correct horse battery staple\n"
        readers = [subprocess.Popen([askpass.script], stdout=subprocess.PIPE) for _ in range(6)]
        outputs = [r.communicate(timeout=10)[0] for r in readers]
        assert outputs == [b"correct horse battery staple\n"] * 6
    finally:
        askpass.close()


def test_close_without_any_reader_returns_promptly():
    askpass = PipeAskpass("x")
    askpass.close()
    assert not os.path.exists(askpass.directory)


def test_local_sudo_commands_name_the_script_and_not_the_password():
    from pyinfra.api import Config, Inventory, State
    from pyinfra.api.command import StringCommand
    from pyinfra.connectors import local

    state = State(inventory=Inventory((["@local"], {})), config=Config())
    host = state.inventory.get_host("@local")
    undo = pa.route_local_sudo_password("/run/askpass-script", PLACEHOLDER)
    assert undo is not None
    try:
        command = local.make_unix_command_for_host(
            state, host, StringCommand("true"), _sudo=True, _sudo_password="hunter2"
        )
        raw = command.get_raw_value()
        assert "hunter2" not in raw
        assert "SUDO_ASKPASS=/run/askpass-script" in raw
        assert f"PYINFRA_SUDO_PASSWORD={PLACEHOLDER}" in raw
        assert "sudo -H -A -k" in raw
        # su gets the same treatment; commands without a password are pyinfra's own.
        su = local.make_unix_command_for_host(
            state, host, StringCommand("true"), _su_user="nobody", _su_password="hunter2"
        ).get_raw_value()
        assert "hunter2" not in su and "/run/askpass-script" in su
        plain = local.make_unix_command_for_host(
            state, host, StringCommand("true"), _sudo=True
        ).get_raw_value()
        assert "sudo -H -n" in plain
    finally:
        undo()
    restored = local.make_unix_command_for_host(
        state, host, StringCommand("true"), _sudo=True, _sudo_password="hunter2"
    )
    # Undone: pyinfra's own way again (which is why chaos replaces it).
    assert "hunter2" in restored.get_raw_value()


def test_close_survives_the_directory_being_removed_under_it():
    # A temporary-file cleaner may remove the directory during a long session; ending the
    # session must still work (the server thread then waits on a pipe nobody can open: it is a
    # daemon, and close() stops waiting for it after a bound).
    askpass = PipeAskpass("x")
    os.unlink(askpass.pipe)
    os.unlink(askpass.script)
    os.rmdir(askpass.directory)
    askpass.close()
    assert not os.path.exists(askpass.directory)
    # close() found no pipe to open: it closed nothing else (fd 1 is the user's terminal).
    os.fstat(1)
