"""The ssh_hosts fixture (tests/support/sshd.py) gives real targets: Debian's sshd in network
namespaces, strict host key checking, password login, refused connections, and nothing left
behind. pyinfra's own SSH connector (paramiko) logs in to them too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import sshd
from support.secrets import require_tool

PYINFRA = Path(sys.executable).with_name("pyinfra")


def _leftovers(host: sshd.SshHost) -> list[str]:
    """What of `host` still exists on this machine, by the system's own tools."""
    left = []
    if (
        host.name
        in subprocess.run(
            ["ip", "netns", "list"], capture_output=True, text=True, check=False
        ).stdout
    ):
        left.append(f"namespace {host.name}")
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=False).stdout
    if host.veth_root in links:
        left.append(f"veth {host.veth_root}")
    pgrep = subprocess.run(
        ["pgrep", "-f", str(host.config_path)], capture_output=True, text=True, check=False
    )
    if pgrep.stdout.strip():
        left.append(f"sshd processes {pgrep.stdout.split()}")
    getent = subprocess.run(["getent", "passwd", host.user], capture_output=True, check=False)
    if host.user != "root" and getent.returncode == 0:
        left.append(f"user {host.user}")
    if host.state_dir.exists():
        left.append(f"directory {host.state_dir}")
    return left


def test_hosts_accept_the_key_with_strict_host_key_checking(ssh_hosts):
    hosts = ssh_hosts(3, password_host=1)
    assert len({h.address for h in hosts}) == 3
    assert len({h.name for h in hosts}) == 3
    for host in hosts:
        result = host.ssh("echo", "$SSH_CONNECTION", known_hosts=host.known_hosts, strict="yes")
        assert result.stdout.split()[2:] == [host.address, str(host.port)]
        assert host.run_in_host("hostname", "-I").stdout.split() == [host.address]
        assert host.known_hosts.read_text().startswith(f"{host.address} ssh-ed25519 ")
        assert host.fingerprint().startswith("SHA256:")
    whoami = [h.ssh("id", "-un").stdout.strip() for h in hosts]
    assert whoami == ["root", hosts[1].user, "root"]


def test_scratch_directories_are_the_hosts_own(ssh_hosts):
    hosts = ssh_hosts(2, password_host=1)
    assert hosts[0].scratch != hosts[1].scratch
    for host in hosts:
        host.ssh("sh", "-c", f"'echo {host.name} > {host.scratch}/mark'")
    for host in hosts:
        assert (host.scratch / "mark").read_text().strip() == host.name
    # The filesystem is shared: the non-root user's writes land in this machine's directory.
    assert (hosts[1].scratch / "mark").stat().st_uid != 0


def test_password_login(ssh_hosts):
    sshpass = require_tool("sshpass")
    key_host, password_host = ssh_hosts(2, password_host=1)
    assert password_host.password
    options = ["PreferredAuthentications=password", "PubkeyAuthentication=no"]

    def with_password(host: sshd.SshHost, password: str, user: str) -> subprocess.CompletedProcess:
        # sshpass -e: the password comes from the environment, not the command line.
        return subprocess.run(
            [
                sshpass,
                "-e",
                *host.ssh_command("id", "-un", batch=False, user=user, options=options),
            ],
            env={**os.environ, "SSHPASS": password},
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )

    good = with_password(password_host, password_host.password, password_host.user)
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == password_host.user
    wrong = with_password(password_host, "not-the-password", password_host.user)
    assert wrong.returncode != 0
    # The key-only host does not offer password authentication at all.
    refused = with_password(key_host, password_host.password, "root")
    assert refused.returncode != 0
    assert "Permission denied (publickey)" in refused.stderr


def test_unknown_host_key_is_refused(ssh_hosts, tmp_path):
    first, second = ssh_hosts(2)
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    result = first.ssh("true", known_hosts=empty, check=False)
    assert result.returncode == 255
    assert "Host key verification failed" in result.stderr
    assert empty.read_text() == ""  # strict: nothing learnt
    # Another host's key under this host's address is a mismatch, not a pass.
    empty.write_text(second.known_hosts.read_text().replace(second.address, first.address))
    result = first.ssh("true", known_hosts=empty, check=False)
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in result.stderr


def test_replaced_host_key_is_reported_as_changed(ssh_hosts):
    (host,) = ssh_hosts(1)
    old = host.fingerprint()
    new = host.replace_host_key()
    assert new != old
    result = host.ssh("true", check=False)
    assert result.returncode == 255
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in result.stderr
    assert new in result.stderr  # ssh names the key it was offered
    host.refresh_known_hosts()
    host.ssh("true")


def test_unreachable_host_refuses_connections(ssh_hosts):
    up, down = ssh_hosts(2, unreachable=1)
    result = down.ssh("true", check=False)
    assert result.returncode == 255
    assert "Connection refused" in result.stderr
    up.stop()
    assert "Connection refused" in up.ssh("true", check=False).stderr
    up.start()
    up.ssh("true")


def test_processes_of_sees_the_session(ssh_hosts):
    first, second = ssh_hosts(2)
    marker = f"CHAOS_MARK_{first.token}"
    session = subprocess.Popen(
        first.ssh_command(f"{marker}=1", "exec", "sleep", "7.25"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        seen = []
        while time.monotonic() < deadline and not seen:
            seen = [p for p in sshd.processes_of(first) if p.cmdline == ["sleep", "7.25"]]
            time.sleep(0.05)
        assert seen, [p.cmdline for p in sshd.processes_of(first)]
        assert seen[0].environ.get(marker) == "1"
        assert seen[0].environ.get("SSH_CONNECTION", "").split()[2] == first.address
        assert first.process is not None
        assert first.process.pid not in {p.pid for p in sshd.processes_of(first)}
        assert not [p for p in sshd.processes_of(second) if p.cmdline[:1] == ["sleep"]]
    finally:
        session.kill()
        session.wait()


def test_teardown_leaves_nothing(tmp_path):
    problem = sshd.requirements_problem()
    if problem:
        pytest.skip(problem)
    failure = pytest.raises(RuntimeError, match="test failed")
    with failure, sshd.ssh_hosts(3, password_host=1, unreachable=2) as hosts:
        # A session still running, and a process it left behind, at teardown.
        hosts[1].ssh("sh", "-c", "'nohup sleep 60 >/dev/null 2>&1 &'")
        hung = subprocess.Popen(
            hosts[0].ssh_command("sleep", "60"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
            p.cmdline == ["sleep", "60"] for p in sshd.processes_of(hosts[0])
        ):
            time.sleep(0.05)
        sessions = {p.pid for h in hosts for p in sshd.processes_of(h)}
        assert any(p.cmdline == ["sleep", "60"] for p in sshd.processes_of(hosts[1]))
        assert any(p.cmdline == ["sleep", "60"] for p in sshd.processes_of(hosts[0]))
        assert all(_leftovers(h) for h in hosts)
        raise RuntimeError("test failed")
    hung.wait(timeout=10)
    for host in hosts:
        assert _leftovers(host) == []
    assert not [pid for pid in sessions if Path(f"/proc/{pid}").exists()]


KILLED_RUN = """
import json, os, signal, sys
from support import sshd
hosts = sshd.start_hosts(2, password_host=1)
hosts[1].ssh("sh", "-c", f"'nohup sleep {sys.argv[1]} >/dev/null 2>&1 &'")
print(json.dumps([[h.name, h.user, h.veth_root, str(h.state_dir)] for h in hosts]), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no finalizer, no atexit
"""


def test_what_a_killed_run_left_is_reaped_by_the_next(ssh_hosts):
    ssh_hosts(0)  # the fixture's requirements check
    tests_dir = Path(sshd.__file__).resolve().parents[1]
    sleep = f"61.{os.getpid()}"  # this run's own, whatever runs beside it
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, sleep],
        cwd=tests_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr
    left = json.loads(killed.stdout)
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    assert all(name in netns.stdout for name, *_ in left)
    assert subprocess.run(["pgrep", "-f", f"sleep {sleep}"], check=False).returncode == 0
    sshd.reap_stale()  # a run beside this one may have reaped them first: check the machine
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    for name, user, veth, state_dir in left:
        assert name not in netns.stdout
        assert not Path(f"/sys/class/net/{veth}").exists()
        assert not Path(state_dir).exists()
        getent = subprocess.run(["getent", "passwd", user], capture_output=True, check=False)
        assert user == "root" or getent.returncode == 2
    assert subprocess.run(["pgrep", "-f", f"sleep {sleep}"], check=False).returncode == 1


def test_pyinfra_connects_with_strict_host_key_checking(ssh_hosts, tmp_path):
    first, second = ssh_hosts(2, password_host=1)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),  # no ~/.ssh of the user running the tests
        "LANG": "C.UTF-8",
    }

    def pyinfra(host: sshd.SshHost, known_hosts: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                str(PYINFRA), "-y",
                "--ssh-user", host.user,
                "--ssh-key", str(host.key_path),
                "--ssh-port", str(host.port),
                "--data", f"ssh_known_hosts_file={known_hosts}",
                "--data", "ssh_strict_host_key_checking=yes",
                host.address, "exec", "--", "echo", f"hi-from-{host.token}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd=tmp_path,
            check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip

    for host in (first, second):
        result = pyinfra(host, host.known_hosts)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"hi-from-{host.token}" in result.stdout + result.stderr
    unknown = tmp_path / "empty_known_hosts"
    unknown.write_text("")
    refused = pyinfra(first, unknown)
    assert refused.returncode != 0
    assert f"hi-from-{first.token}" not in refused.stdout
    assert "No host key for" in refused.stdout + refused.stderr
