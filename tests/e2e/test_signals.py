"""Signals at any moment (issue 8, item 14): Ctrl-C at a prompt acts at once with echo
restored; SIGINT, SIGTERM or SIGHUP while facts are gathered or operations run stop the role
host and every process it started, record the run as interrupted and exit 128 + N; a chaos
killed outright leaves no role host finishing the run unattended; a FIFO planted in place of
a cache or state file is refused, never blocked on.

Every test marks its run with an environment variable and checks, by reading every
process's environment in /proc, that no process of the run survives."""

from __future__ import annotations

import json
import os
import secrets
import select
import signal
import subprocess
import termios
import time
from pathlib import Path

import pytest
from support import logbook
from support.demo import install_demo
from support.environments import Chaos
from support.wheelkit import write_wheel
from test_sudo_password import as_user, protected_dir, shared_dir, sudo_user, user_chaos  # noqa: F401

MARKER = "CHAOS_SIGNAL_TEST_RUN"


def run_marker(chaos: Chaos) -> str:
    token = secrets.token_hex(8)
    chaos.env[MARKER] = token
    return token


def processes_of_the_run(token: str) -> list[str]:
    """Every live process whose environment carries this run's marker."""
    needle = f"{MARKER}={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(f"{entry}: {cmdline}")
    return found


def assert_nothing_survives(token: str, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while processes_of_the_run(token) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_of_the_run(token) == []


def wait_for_process(token: str, fragment: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(fragment in p for p in processes_of_the_run(token)):
            return
        time.sleep(0.1)
    raise AssertionError(f"no process running {fragment!r}: {processes_of_the_run(token)}")


def last_record(chaos: Chaos, state_home: Path | None = None) -> dict:
    """The newest run in the logbook, read with SQLite (not through `chaos log`)."""
    run = logbook.last_run(state_home or chaos.workdir / "state")
    return {**run, "interrupted": run["status"] == "interrupted"}


class TerminalRun:
    """chaos on a pseudo-terminal that is its controlling terminal (so Ctrl-C typed there is
    the kernel's SIGINT to its foreground process group, as at a shell)."""

    def __init__(self, command: list[str], env: dict, cwd: Path):
        self.main, self.secondary = os.openpty()
        # setsid -c: a new session whose controlling terminal is stdin, the pseudo-terminal.
        self.proc = subprocess.Popen(
            ["setsid", "-c", *command],
            stdin=self.secondary,
            stdout=self.secondary,
            stderr=self.secondary,
            env=env,
            cwd=cwd,
        )
        self.shown = b""

    def wait_for(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.shown and time.monotonic() < deadline:
            ready, _, _ = select.select([self.main], [], [], 0.2)
            if ready:
                try:
                    self.shown += os.read(self.main, 65536)
                except OSError:
                    break
        assert text.encode() in self.shown, self.text()

    def type(self, data: bytes) -> None:
        os.write(self.main, data)

    def exit_code(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.main], [], [], 0.2)
            if ready:
                try:
                    self.shown += os.read(self.main, 65536)
                except OSError:
                    pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"chaos did not stop within {timeout} s:\n{self.text()}")
        return self.proc.returncode

    def echo_is_on(self) -> bool:
        return bool(termios.tcgetattr(self.secondary)[3] & termios.ECHO)

    def text(self) -> str:
        return self.shown.decode(errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.main)
        os.close(self.secondary)


@pytest.fixture
def demo(chaos, plugin_env, example_wheel, tmp_path):
    return install_demo(plugin_env, example_wheel, tmp_path, {"a.txt": "alpha"})


def test_ctrl_c_at_the_confirmation_prompt_stops_at_once(chaos, demo):
    root, chobolo = demo
    token = run_marker(chaos)
    run = TerminalRun(
        [str(chaos.binary), "apply", "demo-files", "-c", str(chobolo)], chaos.env, chaos.workdir
    )
    try:
        run.wait_for("Apply the changes above? [Y/n]")
        run.type(b"\x03")
        assert run.exit_code() == 130, run.text()
        assert "Interrupted" in run.text()
        assert "Sanitizer" not in run.text()
        assert run.echo_is_on()
    finally:
        run.close()
    assert not root.exists()
    record = last_record(chaos)
    assert record["interrupted"] is True and record["exit_code"] == 130
    assert_nothing_survives(token)


def test_ctrl_c_at_the_sudo_password_prompt_stops_at_once_with_echo_restored(sudo_user, shared_dir):  # noqa: F811
    uid, _ = sudo_user
    chaos = user_chaos(uid, shared_dir)
    token = run_marker(chaos)
    target = protected_dir(shared_dir) / "never"
    run = TerminalRun(
        [*as_user(uid), str(chaos.binary), "apply", "sudo-dirs", "-y"],
        {**chaos.env, "SUDO_TEST_DIR": str(target)},
        chaos.workdir,
    )
    try:
        run.wait_for("password for the target hosts:")
        assert not run.echo_is_on()  # the prompt turned it off
        run.type(b"\x03")
        assert run.exit_code() == 130, run.text()
        assert run.echo_is_on()
    finally:
        run.close()
    assert not target.exists()
    assert last_record(chaos)["interrupted"] is True
    assert_nothing_survives(token)


# A command that ignores SIGINT, SIGTERM and SIGHUP (ignored dispositions survive exec), so
# only chaos's own clean-up can stop it.
STUBBORN = "trap '' INT TERM HUP; sleep 300; echo finished"

STUBBORN_ROLES = f"""
import os
from pyinfra.api.operation import add_op
from pyinfra.facts.server import Command
from pyinfra.operations import files, server
from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role

class SlowFacts(Role):
    def __init__(self):
        super().__init__(name="slow-facts")

    def get_context(self, state, host, chobolo=None, secrets=None):
        return {{"out": host.get_fact(Command, command={STUBBORN!r})}}

    def delta(self, context=None):
        return Delta(to_add={{"x": ["y"]}})

    def plan(self, state, host, delta):
        add_op(state, files.directory, name="never", path=os.environ["AFTER_DIR"], host=host)

class SlowOps(Role):
    def __init__(self):
        super().__init__(name="slow-ops")

    def delta(self, context=None):
        return Delta(to_add={{"x": ["y"]}})

    def plan(self, state, host, delta):
        add_op(state, files.directory, name="first", path=os.environ["BEFORE_DIR"], host=host)
        add_op(state, server.shell, name="stubborn", commands=[{STUBBORN!r}], host=host)
        add_op(state, files.directory, name="after", path=os.environ["AFTER_DIR"], host=host)
"""


@pytest.fixture
def stubborn(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "stubborn-roles",
            entry_points={
                "chaos.roles": {
                    "slow-facts": "stubborn_roles:SlowFacts",
                    "slow-ops": "stubborn_roles:SlowOps",
                }
            },
            modules={"stubborn_roles.py": STUBBORN_ROLES},
        )
    )
    before, after = tmp_path / "before", tmp_path / "after"
    chaos.env.update({"BEFORE_DIR": str(before), "AFTER_DIR": str(after)})
    return before, after


def start(chaos: Chaos, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(chaos.binary), *args],
        env=chaos.env,
        cwd=chaos.workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_execution_stops_every_process_and_records_the_run(chaos, stubborn, signum):
    before, after = stubborn
    token = run_marker(chaos)
    proc = start(chaos, "apply", "slow-ops", "-y", "--json")
    wait_for_process(token, "sleep 300")
    assert before.is_dir()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert "Sanitizer" not in err
    report = json.loads(out)
    assert report["interrupted"] is True and report["exit_code"] == 128 + signum
    statuses = {op["name"]: op["status"] for op in report["hosts"][0]["operations"]}
    assert statuses["first"] == "changed"
    record = last_record(chaos)
    assert record["interrupted"] is True and record["exit_code"] == 128 + signum
    assert_nothing_survives(token)
    assert not after.exists()


def test_sighup_while_facts_are_gathered_stops_every_process_and_records_the_run(chaos, stubborn):
    _, after = stubborn
    token = run_marker(chaos)
    proc = start(chaos, "apply", "slow-facts", "-y")
    wait_for_process(token, "sleep 300")
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGHUP, err
    record = last_record(chaos)
    assert record["interrupted"] is True and record["exit_code"] == 128 + signal.SIGHUP
    assert_nothing_survives(token)
    assert not after.exists()


def test_chaos_killed_outright_leaves_no_role_host_finishing_the_run(chaos, stubborn):
    _, after = stubborn
    token = run_marker(chaos)
    proc = start(chaos, "apply", "slow-ops", "-y")
    wait_for_process(token, "sleep 300")
    # SIGKILL: chaos cannot record the run's end; the logbook has it in progress until the
    # next chaos finds its process gone.
    assert logbook.last_run(chaos.workdir / "state")["status"] == "in_progress"
    proc.kill()
    proc.communicate(timeout=30)
    assert_nothing_survives(token)
    assert not after.exists()
    runs = chaos.json("log", "--json")
    assert runs[0]["status"] == "interrupted" and runs[0]["tags"] == ["slow-ops"]
    assert logbook.last_run(chaos.workdir / "state")["status"] == "interrupted"
    assert "interrupted" in chaos.ok("log").stdout


def test_a_fifo_in_place_of_a_cache_file_is_refused_not_blocked_on(chaos, demo):
    chaos.cache_dir.mkdir(parents=True, exist_ok=True)
    os.mkfifo(chaos.cache_dir / "python-env.json")
    result = chaos.run("check", "roles", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "demo-files" in result.stdout


def test_a_fifo_in_place_of_the_logbook_is_refused_not_blocked_on(chaos, demo):
    _, chobolo = demo
    database = logbook.logbook_path(chaos.workdir / "state")
    database.parent.mkdir(parents=True, mode=0o700)
    os.mkfifo(database)
    result = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "not a regular file" in result.stderr and "not recorded" in result.stderr
    log = chaos.run("log", timeout=60)
    assert log.returncode == 1 and "not a regular file" in log.stderr


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.03, 0.08, 0.15, 0.3, 0.6])
def test_sigterm_during_start_up_and_discovery_leaves_nothing_behind(chaos, stubborn, delay):
    """Early on chaos parses arguments, reads the configuration, discovers plugins and starts
    the role host, whose Python is still importing: a signal at any of those moments ends the
    run (128 + N, recorded as interrupted once apply has begun) and nothing it started lives
    on. The role's operation sleeps for minutes, so on a fast machine a late signal still finds
    the run going (a quick role once finished inside 0.6 s and exited 0)."""
    _, after = stubborn
    token = run_marker(chaos)
    proc = start(chaos, "apply", "slow-ops", "-y")
    time.sleep(delay)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert "Sanitizer" not in err
    # Before apply takes charge of signals, the default action ends chaos (nothing was started
    # that needs stopping or recording); after, apply stops its host and exits 128 + N.
    assert proc.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM), (proc.returncode, err)
    if proc.returncode == 128 + signal.SIGTERM:
        record = last_record(chaos)
        assert record["interrupted"] is True and record["exit_code"] == 128 + signal.SIGTERM
    assert_nothing_survives(token)
    assert not after.exists()
