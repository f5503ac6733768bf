"""`chaos apply --fleet` on real SSH hosts: Debian's sshd in network namespaces
(tests/support/sshd.py), reached through pyinfra's own SSH connector."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from support import sshd
from support.wheelkit import write_wheel

MARK_ROLE = """
from pyinfra import host
from pyinfra.operations import files


def mark(state, host_, chobolo_path, skip_confirm):
    files.file(name="Mark this host", path=host.data.get("mark"), present=True)
"""


@pytest.fixture
def mark_plugin(plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "wheel",
            "fleet-mark",
            entry_points={"chaos.roles": {"mark": "fleet_mark:mark"}},
            modules={"fleet_mark/__init__.py": MARK_ROLE},
        )
    )


def _chobolo(tmp_path: Path, hosts, known_hosts: dict | None = None) -> Path:
    lines = ["fleet:", "  hosts:"]
    for i, h in enumerate(hosts):
        kh = (known_hosts or {}).get(i, h.known_hosts)
        lines.append(
            f"    web-{i + 1}: {{ssh_hostname: {h.address}, ssh_port: {h.port}, ssh_user: {h.user},"
            f" ssh_key: {h.key_path}, ssh_known_hosts_file: {kh},"
            f" mark: {h.scratch}/marked, groups: [{'even' if i % 2 else 'odd'}]}}"
        )
    path = tmp_path / "fleet.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _counts(run) -> dict[str, dict]:
    return {h["name"]: h["counts"] for h in json.loads(run.stdout)["hosts"]}


def test_three_hosts_change_once_then_nothing(chaos, mark_plugin, ssh_hosts, tmp_path):
    hosts = ssh_hosts(3)
    chobolo = _chobolo(tmp_path, hosts)
    dry = chaos.run("apply", "mark", "-f", "--dry", "-c", str(chobolo))
    assert dry.returncode == 0, dry.stderr
    assert not any((Path(h.scratch) / "marked").exists() for h in hosts)

    first = chaos.run("apply", "mark", "-f", "-y", "--json", "-c", str(chobolo))
    assert first.returncode == 0, first.stderr
    assert all((Path(h.scratch) / "marked").exists() for h in hosts)
    assert {n: c["changed"] for n, c in _counts(first).items()} == {
        "web-1": 1,
        "web-2": 1,
        "web-3": 1,
    }
    again = chaos.run("apply", "mark", "-f", "-y", "--json", "-c", str(chobolo))
    assert again.returncode == 0, again.stderr
    assert {n: c["changed"] for n, c in _counts(again).items()} == {
        "web-1": 0,
        "web-2": 0,
        "web-3": 0,
    }


def test_limit_by_group_and_glob(chaos, mark_plugin, ssh_hosts, tmp_path):
    hosts = ssh_hosts(3)
    chobolo = _chobolo(tmp_path, hosts)
    run = chaos.run(
        "apply", "mark", "-f", "-y", "-c", str(chobolo), "--limit", "@odd", "--exclude", "web-3"
    )
    assert run.returncode == 0, run.stderr
    assert [(Path(h.scratch) / "marked").exists() for h in hosts] == [True, False, False]


def test_a_down_host_and_an_unknown_key_fail_alone_with_the_fix(
    chaos, mark_plugin, ssh_hosts, tmp_path
):
    good, unknown, down = ssh_hosts(3, unreachable=2)
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    chobolo = _chobolo(tmp_path, [good, unknown, down], known_hosts={1: empty})
    run = chaos.run("apply", "mark", "-f", "-y", "--json", "-c", str(chobolo))
    assert run.returncode == 1
    assert (Path(good.scratch) / "marked").exists()
    assert not (Path(unknown.scratch) / "marked").exists()
    hosts = {h["name"]: h for h in json.loads(run.stdout)["hosts"]}
    assert hosts["web-1"]["connected"] is True
    assert hosts["web-2"]["connected"] is False and hosts["web-3"]["connected"] is False
    assert "host key is not known here" in run.stderr
    assert f"ssh-keyscan -H {unknown.address}" in run.stderr or "ssh-keyscan -H -p" in run.stderr

    # Trusting first-seen keys records the key, and then the host is worked on.
    accepted = chaos.run(
        "apply",
        "mark",
        "-f",
        "-y",
        "-c",
        str(chobolo),
        "--limit",
        "web-2",
        "--accept-new-host-keys",
    )
    assert accepted.returncode == 0, accepted.stderr
    assert (Path(unknown.scratch) / "marked").exists()
    assert unknown.address in empty.read_text()


def test_a_changed_host_key_is_refused(chaos, mark_plugin, ssh_hosts, tmp_path):
    (host,) = ssh_hosts(1)
    host.replace_host_key()
    chobolo = _chobolo(tmp_path, [host])
    run = chaos.run("apply", "mark", "-f", "-y", "-c", str(chobolo), "--accept-new-host-keys")
    assert run.returncode == 1
    assert "CHANGED" in run.stderr and "ssh-keygen -R" in run.stderr
    assert not (Path(host.scratch) / "marked").exists()


# The sudo password for SSH hosts: the SSH user's real sudo asks for it (a sudoers rule made for
# the test), and it must reach that sudo without ever being in a process's command line or
# environment, there or here.

SUDO_ROLE = """
from pyinfra import host
from pyinfra.operations import files, server


def role(state, host_, chobolo_path, skip_confirm):
    protected = host.data.get("protected")
    # Reads facts with sudo, then changes what only root may change.
    files.directory(name="Make the protected directory", path=protected + "/made", _sudo=True)
    # What a command under sudo finds on its standard input: its own, not the password.
    server.shell(
        name="Read stdin under sudo",
        commands=["cat > " + protected + "/stdin"],
        _sudo=True,
        _stdin="the operation's own input",
    )
    # Keeps a sudo process alive long enough to be seen by the samplers.
    server.shell(name="Wait under sudo", commands=["sleep 1"], _sudo=True)
"""


OWN_INPUT = "the operation's own input\n"


@pytest.fixture
def sudo_plugin(plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "sudo-wheel",
            "fleet-sudo",
            entry_points={"chaos.roles": {"sudo-dirs": "fleet_sudo:role"}},
            modules={"fleet_sudo/__init__.py": SUDO_ROLE},
        )
    )


@pytest.fixture
def sudo_host(ssh_hosts):
    """An SSH host whose user's sudo asks for the user's password; yields (host, protected
    directory, set_rule). The sudoers rule lives in this machine's /etc/sudoers.d (the host
    shares its filesystem) and is removed at the end, whatever happened."""
    assert shutil.which("sudo"), "sudo is missing: scripts/install-deps.sh installs it"
    (host,) = ssh_hosts(1, password_host=0)
    rule = Path("/etc/sudoers.d") / host.user  # no dot in the name: sudo would skip the file

    def set_rule(tags: str = "") -> None:
        rule.write_text(f"{host.user} ALL=(ALL:ALL) {tags}ALL\n")
        rule.chmod(0o440)

    set_rule()
    # Owned by root: the user can create nothing in it without sudo.
    protected = Path(host.scratch) / "root-only"
    protected.mkdir(mode=0o755)
    try:
        yield host, protected, set_rule
    finally:
        rule.unlink(missing_ok=True)


class SecretWatch:
    """Samples, while chaos runs, the target's processes (sshd.processes_of) and every process
    of this machine (/proc), looking for the secret in command lines and environments."""

    def __init__(self, host, secret: str) -> None:
        self.host, self.secret = host, secret
        self.leaks: list[str] = []
        self.remote_sudo_seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for info in sshd.processes_of(self.host):
                if info.cmdline[:1] == ["sudo"]:
                    self.remote_sudo_seen += 1
                texts = [*info.cmdline, *info.environ.keys(), *info.environ.values()]
                if any(self.secret in text for text in texts):
                    self.leaks.append(f"remote pid {info.pid}: {' '.join(info.cmdline)[:200]}")
            self._scan_local()
            self._stop.wait(0.01)

    def _scan_local(self) -> None:
        me, secret = str(os.getpid()), self.secret.encode()
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or pid == me:
                continue
            for part in ("cmdline", "environ"):
                try:
                    data = Path(f"/proc/{pid}/{part}").read_bytes()
                except OSError:
                    continue  # gone already
                if secret in data:
                    shown = data.replace(b"\0", b" ").decode(errors="replace")[:200]
                    self.leaks.append(f"local pid {pid} {part}: {shown}")


def _sudo_chobolo(tmp_path: Path, host, protected: Path) -> Path:
    path = tmp_path / "sudo-fleet.yml"
    path.write_text(
        "fleet:\n  hosts:\n"
        f"    web-1: {{ssh_hostname: {host.address}, ssh_port: {host.port}, ssh_user: {host.user},"
        f" ssh_key: {host.key_path}, ssh_known_hosts_file: {host.known_hosts},"
        f" protected: {protected}}}\n"
    )
    return path


def _password_file(tmp_path: Path, password: str) -> Path:
    path = tmp_path / "sudo-password"
    path.write_text(password + "\n")
    path.chmod(0o600)
    return path


def test_sudo_password_reaches_the_ssh_hosts_sudo_privately(
    chaos, sudo_plugin, sudo_host, tmp_path
):
    host, protected, _ = sudo_host
    chobolo = _sudo_chobolo(tmp_path, host, protected)
    pwfile = _password_file(tmp_path, host.password)
    with SecretWatch(host, host.password) as watch:
        run = chaos.run("apply", "sudo-dirs", "-f", "-y", "-c", str(chobolo), "-pf", str(pwfile))
    assert run.returncode == 0, run.stdout + run.stderr
    made = protected / "made"
    assert made.is_dir() and made.stat().st_uid == 0
    # The command under sudo read its own input and nothing else: the password was sudo's.
    assert (protected / "stdin").read_text() == OWN_INPUT
    assert "web-1: 3 changed" in run.stdout
    assert watch.remote_sudo_seen > 0, "the sampler never saw the remote sudo: it proves nothing"
    assert watch.leaks == []
    assert host.password not in run.stdout + run.stderr
    assert "not sent" not in run.stderr


def test_with_nopasswd_the_password_never_reaches_the_command(
    chaos, sudo_plugin, sudo_host, tmp_path
):
    # sudo asks for nothing: the line meant for it must not become the command's input.
    host, protected, set_rule = sudo_host
    set_rule("NOPASSWD: ")
    chobolo = _sudo_chobolo(tmp_path, host, protected)
    pwfile = _password_file(tmp_path, host.password)
    run = chaos.run("apply", "sudo-dirs", "-f", "-y", "-c", str(chobolo), "-pf", str(pwfile))
    assert run.returncode == 0, run.stdout + run.stderr
    assert (protected / "made").stat().st_uid == 0
    assert (protected / "stdin").read_text() == OWN_INPUT


def test_a_wrong_sudo_password_fails_the_host_and_names_it(chaos, sudo_plugin, sudo_host, tmp_path):
    host, protected, _ = sudo_host
    chobolo = _sudo_chobolo(tmp_path, host, protected)
    pwfile = _password_file(tmp_path, "not-the-password")
    run = chaos.run(
        "apply", "sudo-dirs", "-f", "-y", "--json", "-c", str(chobolo), "-pf", str(pwfile)
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert not (protected / "made").exists()
    # sudo's own words, under the host's name.
    assert "incorrect password attempts" in run.stderr.split("web-1", 1)[1], run.stderr
    [web] = json.loads(run.stdout)["hosts"]
    assert web["name"] == "web-1" and web["counts"]["failed"] == 1, web


def test_the_password_on_standard_input_reaches_the_ssh_hosts_sudo(
    chaos, sudo_plugin, sudo_host, tmp_path
):
    # Not a terminal: one line, read once an operation needs sudo (`secret-tool ... | chaos`).
    host, protected, _ = sudo_host
    chobolo = _sudo_chobolo(tmp_path, host, protected)
    with SecretWatch(host, host.password) as watch:
        run = chaos.run(
            "apply", "sudo-dirs", "-f", "-y", "-c", str(chobolo), input=host.password + "\n"
        )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (protected / "made").stat().st_uid == 0
    assert watch.remote_sudo_seen > 0 and watch.leaks == []
