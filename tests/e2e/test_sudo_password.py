"""The sudo password of a user without root: real sudo, a real unprivileged user, a real
sudoers rule that asks for the password. chaos reads it from standard input (not a terminal)
and it must reach sudo without ever being in a process's command line or environment."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from support.environments import Chaos, PluginEnv
from support.process_watch import ProcessWatch
from support.terminal import converse_on_terminal
from support.wheelkit import write_wheel

# One user per test process, so that two test runs on one machine do not share a password.
# No dot: sudo ignores sudoers.d files whose name has one.
USER = f"chaos-sudo-{os.getpid()}"

ROLE = """
import os
from pyinfra.operations import files, server


def role(state, host, chobolo_path, skip_confirm):
    files.directory(name="Make the protected directory", path=os.environ["SUDO_TEST_DIR"], _sudo=True)
    # Keeps a sudo process alive long enough to be seen by the sampler.
    server.shell(name="Wait under sudo", commands=["sleep 1"], _sudo=True)


def plain(state, host, chobolo_path, skip_confirm):
    server.shell(name="No sudo here", commands=["true"])
"""


@pytest.fixture
def sudo_user():
    """A user whose sudo asks for a password; yields (uid, password)."""
    assert os.geteuid() == 0, "creates a user and a sudoers rule: run as root (CI does)"
    for tool in ("sudo", "setpriv", "useradd", "chpasswd"):
        assert shutil.which(tool), f"{tool} is missing: scripts/install-deps.sh installs it"
    if subprocess.run(["id", "-u", USER], check=False, capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", USER], check=True)
    password = "pw-" + secrets.token_urlsafe(18)
    subprocess.run(["chpasswd"], input=f"{USER}:{password}\n", text=True, check=True)
    rule = Path("/etc/sudoers.d") / USER
    rule.write_text(f"{USER} ALL=(ALL:ALL) ALL\n")
    rule.chmod(0o440)
    uid = int(subprocess.run(["id", "-u", USER], check=True, capture_output=True, text=True).stdout)
    yield uid, password
    rule.unlink(missing_ok=True)
    subprocess.run(["userdel", USER], check=False)


@pytest.fixture
def shared_dir():
    """A directory the unprivileged user can read (pytest's own tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="chaos-sudo-e2e-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def user_chaos(uid: int, shared_dir: Path) -> Chaos:
    """chaos with the sudo role installed, its directories owned by the unprivileged user."""
    # The test's own interpreter may live where the user cannot go (pyenv under /root); the
    # system one must be of the same minor version, since the environment borrows this one's
    # site-packages (pyinfra, gevent) through a .pth file.
    system_python = "/usr/bin/python3"
    version = subprocess.run(
        [system_python, "-c", "import sys; print(sys.version_info[:2])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert version == str(sys.version_info[:2]), (
        f"{system_python} is Python {version}, the tests run on {sys.version_info[:2]}"
    )
    env = PluginEnv(shared_dir / "venv", interpreter=system_python)
    env.install(
        write_wheel(
            shared_dir / "wheels",
            "sudo-plugin",
            entry_points={
                "chaos.roles": {"sudo-dirs": "sudo_plugin:role", "no-sudo": "sudo_plugin:plain"}
            },
            modules={"sudo_plugin/__init__.py": ROLE},
        )
    )
    run_dir = shared_dir / "run"
    run_dir.mkdir()
    chaos = Chaos(run_dir, env)
    subprocess.run(["chown", "-R", f"{uid}:{uid}", str(run_dir)], check=True)
    return chaos


def as_user(uid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--init-groups"]


def sudo_run(uid: int, shared_dir: Path, target: Path, password: str):
    """`chaos apply sudo-dirs -y` as the unprivileged user, ``password`` on standard input
    (not a terminal, so that is where chaos reads it), the role creating ``target``."""
    chaos = user_chaos(uid, shared_dir)
    return subprocess.run(
        [*as_user(uid), str(chaos.binary), "apply", "sudo-dirs", "-y"],
        check=False,
        input=password + "\n",
        capture_output=True,
        text=True,
        env={**chaos.env, "SUDO_TEST_DIR": str(target)},
        cwd=chaos.workdir,
        timeout=180,
    )


def protected_dir(shared_dir: Path) -> Path:
    """Owned by root, mode 0755: the user cannot create anything in it without sudo."""
    path = shared_dir / "root-only"
    path.mkdir(mode=0o755)
    return path


def test_sudo_password_never_appears_in_a_command_line_or_an_environment(sudo_user, shared_dir):
    uid, password = sudo_user
    target = protected_dir(shared_dir) / "made-with-sudo"
    with ProcessWatch(password) as watch:
        result = sudo_run(uid, shared_dir, target, password)
    assert result.returncode == 0, result.stdout + result.stderr
    assert target.is_dir() and target.stat().st_uid == 0
    assert "@local: 2 changed, 0 unchanged, 0 failed" in result.stdout
    assert watch.sudo_seen > 0, "the sampler never saw sudo running: it proves nothing"
    assert watch.leaks == []
    assert password not in result.stdout + result.stderr
    # The pipe and its script are gone with the run.
    temp = Path(tempfile.gettempdir())
    assert [p for p in temp.glob("chaos-askpass-*") if p.stat().st_uid == uid] == []


def test_a_wrong_sudo_password_fails_the_operation_and_says_so(sudo_user, shared_dir):
    uid, _ = sudo_user
    target = protected_dir(shared_dir) / "never"
    result = sudo_run(uid, shared_dir, target, "not-the-password")
    assert result.returncode == 1, result.stdout + result.stderr
    assert not target.exists()
    assert "✗ failed" in result.stdout and "Make the protected directory" in result.stdout
    assert "sudo: 3 incorrect password attempts" in result.stdout


def test_on_a_terminal_the_password_is_asked_without_echo(sudo_user, shared_dir):
    uid, password = sudo_user
    target = protected_dir(shared_dir) / "asked-on-the-terminal"
    chaos = user_chaos(uid, shared_dir)
    code, shown = converse_on_terminal(
        chaos,
        ["apply", "sudo-dirs", "-y"],
        [("password for the target hosts:", password)],
        prefix=as_user(uid),
        env={"SUDO_TEST_DIR": str(target)},
    )
    assert code == 0, shown
    assert target.is_dir() and target.stat().st_uid == 0
    assert password not in shown  # typed with echo off


def test_password_file_reaches_sudo_as_a_non_root_user(sudo_user, shared_dir):
    uid, password = sudo_user
    target = protected_dir(shared_dir) / "made-from-the-file"
    chaos = user_chaos(uid, shared_dir)
    password_file = chaos.workdir / "sudo-password"
    password_file.write_text(password + "\n")
    os.chown(password_file, uid, uid)
    password_file.chmod(0o600)
    with ProcessWatch(password) as watch:
        result = subprocess.run(
            [
                *as_user(uid),
                str(chaos.binary),
                "apply",
                "sudo-dirs",
                "-y",
                "-pf",
                str(password_file),
            ],
            check=False,
            stdin=subprocess.DEVNULL,  # nothing on standard input: the file is the only source
            capture_output=True,
            text=True,
            env={**chaos.env, "SUDO_TEST_DIR": str(target)},
            cwd=chaos.workdir,
            timeout=180,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert target.is_dir() and target.stat().st_uid == 0
    assert watch.leaks == []
    assert password not in result.stdout + result.stderr
