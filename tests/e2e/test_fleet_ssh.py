"""`chaos apply --fleet` on real SSH hosts: Debian's sshd in network namespaces
(tests/support/sshd.py), reached through pyinfra's own SSH connector."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support import sshd
from support.process_watch import ProcessWatch
from support.terminal import stdout_on_terminal
from support.wheelkit import write_wheel


def _install_role(plugin_env, tmp_path: Path, name: str, tag: str, function: str, source: str):
    """A plugin `fleet-NAME` whose module fleet_NAME (`source`) serves role `tag` = `function`."""
    plugin_env.install(
        write_wheel(
            tmp_path / f"{name}-wheel",
            f"fleet-{name}",
            entry_points={"chaos.roles": {tag: f"fleet_{name}:{function}"}},
            modules={f"fleet_{name}/__init__.py": source},
        )
    )


MARK_ROLE = """
from pyinfra import host
from pyinfra.operations import files


def mark(state, host_, chobolo_path, skip_confirm):
    files.file(name="Mark this host", path=host.data.get("mark"), present=True)
"""


@pytest.fixture
def mark_plugin(plugin_env, tmp_path):
    _install_role(plugin_env, tmp_path, "mark", "mark", "mark", MARK_ROLE)


def _write_fleet(path: Path, hosts, known_hosts: dict | None = None, **extra) -> Path:
    """A Ch-obolo whose fleet is `hosts` as web-1, web-2, ...: each with what pyinfra's SSH
    connector needs to reach it (its known_hosts unless `known_hosts` maps its index to
    another), and `extra` data, a value or a function of (index, host)."""
    lines = ["fleet:", "  hosts:"]
    for i, h in enumerate(hosts):
        kh = (known_hosts or {}).get(i, h.known_hosts)
        data = [f"{k}: {v(i, h) if callable(v) else v}" for k, v in extra.items()]
        lines.append(
            f"    web-{i + 1}: {{ssh_hostname: {h.address}, ssh_port: {h.port}, ssh_user: {h.user},"
            f" ssh_key: {h.key_path}, ssh_known_hosts_file: {kh}, {', '.join(data)}}}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _chobolo(tmp_path: Path, hosts, known_hosts: dict | None = None) -> Path:
    return _write_fleet(
        tmp_path / "fleet.yml",
        hosts,
        known_hosts,
        mark=lambda i, h: f"{h.scratch}/marked",
        groups=lambda i, h: f"[{'even' if i % 2 else 'odd'}]",
    )


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


# Two steps per host, each appending "<host>:<step>" to one log every host shares (the hosts
# share this machine's filesystem): the log is the order the steps ran in. Step one fails on a
# host whose `fail` file exists.
GATE_ROLE = """
from pyinfra import host
from pyinfra.operations import server


def gate(state, host_, chobolo_path, skip_confirm):
    log, fail = host.data.get("log"), host.data.get("fail")
    server.shell(name="Step one", commands=[f"echo {host.name}:1 >> {log}", f"test ! -e {fail}"])
    server.shell(name="Step two", commands=[f"echo {host.name}:2 >> {log}"])
"""


@pytest.fixture
def gate_plugin(plugin_env, tmp_path):
    _install_role(plugin_env, tmp_path, "gate", "gate", "gate", GATE_ROLE)


def _gate_fleet(tmp_path: Path, hosts, failing=()) -> tuple[Path, Path]:
    log = tmp_path / "steps.log"
    log.touch()
    log.chmod(0o666)
    for i in failing:
        (Path(hosts[i].scratch) / "fail").touch()
    path = _write_fleet(
        tmp_path / "gate.yml", hosts, log=log, fail=lambda i, h: Path(h.scratch) / "fail"
    )
    return path, log


def _steps(log: Path) -> list[str]:
    steps = log.read_text().split()
    log.write_text("")
    return steps


def test_serial_finishes_each_host_before_the_next(chaos, gate_plugin, ssh_hosts, tmp_path):
    chobolo, log = _gate_fleet(tmp_path, ssh_hosts(3))
    serial = chaos.run("apply", "gate", "-f", "-y", "--serial", "-c", str(chobolo))
    assert serial.returncode == 0, serial.stderr
    assert _steps(log) == ["web-1:1", "web-1:2", "web-2:1", "web-2:2", "web-3:1", "web-3:2"]

    # Without it every host does step one before any does step two.
    parallel = chaos.run("apply", "gate", "-f", "-y", "-c", str(chobolo))
    assert parallel.returncode == 0, parallel.stderr
    steps = _steps(log)
    assert sorted(steps[:3]) == ["web-1:1", "web-2:1", "web-3:1"]
    assert sorted(steps[3:]) == ["web-1:2", "web-2:2", "web-3:2"]


SIDE_BY_SIDE_ROLE = """
import socket
import threading
from pathlib import Path

from pyinfra import host
from pyinfra.operations import files

_meeting = {}


def side_by_side(state, host_, chobolo_path, skip_confirm):
    # What chaos did to this host's SSH connection, seen from inside the role.
    sock = host.connector.client.get_transport().sock
    nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    Path(host.data.get("probe")).write_text(str(nodelay))
    # Every host must be planning at once to get past this: hosts planned one after another
    # leave the first one waiting here until the timeout breaks the barrier (a role error).
    barrier = _meeting.setdefault("barrier", threading.Barrier(int(host.data.get("parties"))))
    barrier.wait(timeout=20)
    files.file(name="Mark this host", path=host.data.get("mark"), present=True)
"""


@pytest.fixture
def side_by_side_plugin(plugin_env, tmp_path):
    _install_role(plugin_env, tmp_path, "side", "side", "side_by_side", SIDE_BY_SIDE_ROLE)


def test_hosts_plan_side_by_side_on_connections_without_nagle_delays(
    chaos, side_by_side_plugin, ssh_hosts, tmp_path
):
    hosts = ssh_hosts(3)
    chobolo = _write_fleet(
        tmp_path / "side.yml",
        hosts,
        parties=len(hosts),
        probe=lambda i, h: f"{h.scratch}/probe",
        mark=lambda i, h: f"{h.scratch}/marked",
    )
    # A dry run predicts changes, reading every operation's facts while planning: the case
    # where planning host by host cost the most (38 s instead of 4 s for 30 hosts).
    for mode in ("--dry", "-y"):
        run = chaos.run("apply", "side", "-f", mode, "--json", "-c", str(chobolo))
        assert run.returncode == 0, run.stderr
        report = json.loads(run.stdout)
        assert report["errors"] == [], report["errors"]
        assert [(Path(h.scratch) / "probe").read_text() for h in hosts] == ["1", "1", "1"]
    assert all((Path(h.scratch) / "marked").exists() for h in hosts)


def test_max_fail_stops_new_work_once_too_many_hosts_failed(
    chaos, gate_plugin, ssh_hosts, tmp_path
):
    chobolo, log = _gate_fleet(tmp_path, ssh_hosts(4), failing=(0, 1))

    # No limit: the two healthy hosts finish; the run still fails.
    unlimited = chaos.run("apply", "gate", "-f", "-y", "-c", str(chobolo))
    assert unlimited.returncode == 1
    assert {"web-3:2", "web-4:2"} <= set(_steps(log))

    # One host at a time: the first failure is within the limit, the second is over it, and
    # the hosts after it are never started.
    serial = chaos.run(
        "apply", "gate", "-f", "-y", "--json", "--serial", "--max-fail", "1", "-c", str(chobolo)
    )
    assert serial.returncode == 1
    assert _steps(log) == ["web-1:1", "web-2:1"]
    assert "2 of 4 hosts failed, more than --max-fail 1 allows" in serial.stderr
    report = json.loads(serial.stdout)
    assert [e["kind"] for e in report["errors"]] == ["max_fail"]
    statuses = {h["name"]: [op["status"] for op in h["operations"]] for h in report["hosts"]}
    assert statuses["web-1"] == ["failed", "skipped"]
    assert statuses["web-3"] == ["skipped", "skipped"]
    assert statuses["web-4"] == ["skipped", "skipped"]

    # All hosts at once: step one fails on half of them, over 25%, so step two starts nowhere.
    share = chaos.run("apply", "gate", "-f", "-y", "--max-fail", "25%", "-c", str(chobolo))
    assert share.returncode == 1
    assert sorted(_steps(log)) == ["web-1:1", "web-2:1", "web-3:1", "web-4:1"]
    assert "more than --max-fail 25% allows" in share.stderr

    # 50% is not over 50%: the healthy hosts go on.
    half = chaos.run("apply", "gate", "-f", "-y", "--max-fail", "50%", "-c", str(chobolo))
    assert half.returncode == 1
    assert {"web-3:2", "web-4:2"} <= set(_steps(log))


SLOW_ROLE = """
from pyinfra import host
from pyinfra.operations import server


def slow(state, host_, chobolo_path, skip_confirm):
    scratch = host.data.get("scratch")
    server.shell(name="Start", commands=[f"touch {scratch}/started"])
    server.shell(name="Wait", commands=["sleep 300"])
    server.shell(name="Finish", commands=[f"touch {scratch}/finished"])
"""


def _remote_sleeps(hosts) -> dict[str, int]:
    return {
        h.address: sum("sleep 300" in " ".join(p.cmdline) for p in sshd.processes_of(h))
        for h in hosts
    }


def test_ctrl_c_mid_fleet_stops_every_host_and_reports_what_completed(
    chaos, plugin_env, ssh_hosts, tmp_path
):
    _install_role(plugin_env, tmp_path, "slow", "slow", "slow", SLOW_ROLE)
    hosts = ssh_hosts(3)
    chobolo = _write_fleet(tmp_path / "slow.yml", hosts, scratch=lambda i, h: h.scratch)
    proc = subprocess.Popen(
        [str(chaos.binary), "apply", "slow", "-f", "-y", "--json", "-c", str(chobolo)],
        env=chaos.env,
        cwd=chaos.workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not all(_remote_sleeps(hosts).values()) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        assert all(_remote_sleeps(hosts).values()), _remote_sleeps(hosts)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "Sanitizer" not in err
    report = json.loads(out)
    assert report["interrupted"] is True and report["exit_code"] == 130
    statuses = {h["name"]: [op["status"] for op in h["operations"]] for h in report["hosts"]}
    assert statuses == {
        name: ["changed", "interrupted", "skipped"] for name in ("web-1", "web-2", "web-3")
    }
    # The remote commands were stopped too, not left running after their session ended.
    deadline = time.monotonic() + 15
    while any(_remote_sleeps(hosts).values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_remote_sleeps(hosts).values()), _remote_sleeps(hosts)
    assert all((Path(h.scratch) / "started").exists() for h in hosts)
    assert not any((Path(h.scratch) / "finished").exists() for h in hosts)


def test_progress_is_a_line_per_host_on_a_terminal_and_named_lines_otherwise(
    chaos, gate_plugin, ssh_hosts, tmp_path
):
    chobolo, _ = _gate_fleet(tmp_path, ssh_hosts(3), failing=(1,))
    # Off a terminal: every operation on its own line, with its host.
    plain = chaos.run("apply", "gate", "-f", "-y", "-c", str(chobolo))
    assert plain.returncode == 1
    for name in ("web-1", "web-3"):
        assert re.search(rf"^{name}:  ~ changed +Step one", plain.stdout, re.MULTILINE), (
            plain.stdout
        )
        assert re.search(rf"^{name}:  ~ changed +Step two", plain.stdout, re.MULTILINE), (
            plain.stdout
        )
    assert re.search(r"^web-2:  ✗ failed +Step one", plain.stdout, re.MULTILINE), plain.stdout
    assert "\x1b[" not in plain.stdout

    # On a terminal: a block of one line per host, drawn over itself as operations finish;
    # the failure in full above it; then what changed on each host.
    shown = stdout_on_terminal(
        chaos, "apply", "gate", "-f", "-y", "-c", str(chobolo), env={"COLUMNS": "100"}, check=False
    )
    assert "\x1b[3A" in shown, shown  # the cursor goes back over the three host lines
    final = shown[shown.rindex("\x1b[3A") :]
    assert re.search(r"web-1  ✓ 2/2 +2 changed", final), final
    assert re.search(r"web-2  ✗ 1/2 +failed", final), final
    assert re.search(r"web-3  ✓ 2/2 +2 changed", final), final
    assert re.search(r"web-2:  ✗ failed +Step one", shown)
    assert re.search(r"web-3:  ~ changed +Step two", final), final


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
    _install_role(plugin_env, tmp_path, "sudo", "sudo-dirs", "role", SUDO_ROLE)


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


class SecretWatch(ProcessWatch):
    """ProcessWatch of this machine, and of the target's processes (sshd.processes_of) too."""

    def __init__(self, host, secret: str) -> None:
        super().__init__(secret)
        self.host, self.secret_text = host, secret
        self.remote_sudo_seen = 0

    def sample(self) -> None:
        for info in sshd.processes_of(self.host):
            if info.cmdline[:1] == ["sudo"]:
                self.remote_sudo_seen += 1
            texts = [*info.cmdline, *info.environ.keys(), *info.environ.values()]
            if any(self.secret_text in text for text in texts):
                self.leaks.append(f"remote pid {info.pid}: {' '.join(info.cmdline)[:200]}")
        super().sample()


def _sudo_chobolo(tmp_path: Path, host, protected: Path) -> Path:
    return _write_fleet(tmp_path / "sudo-fleet.yml", [host], protected=protected)


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


def test_a_boat_adds_two_ssh_hosts_and_the_role_changes_both(
    chaos, mark_plugin, plugin_env, example_wheel, ssh_hosts, tmp_path
):
    plugin_env.install(example_wheel("chaos-file-boat"))
    hosts = ssh_hosts(2)
    # What an inventory service would hand over: the hosts, their addresses and keys.
    found = tmp_path / "found.json"
    found.write_text(
        json.dumps(
            {
                f"boat-{i + 1}": {
                    "ssh_hostname": h.address,
                    "ssh_port": h.port,
                    "ssh_user": h.user,
                    "ssh_key": str(h.key_path),
                    "ssh_known_hosts_file": str(h.known_hosts),
                    "mark": f"{h.scratch}/marked",
                }
                for i, h in enumerate(hosts)
            }
        )
    )
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text(
        f"fleet:\n  boats:\n    - provider: file\n      config: {{path: {found}, groups: [found]}}\n"
    )
    run = chaos.run("apply", "mark", "-f", "-y", "--json", "-c", str(chobolo), "--limit", "@found")
    assert run.returncode == 0, run.stderr
    assert "Fleet: 2 of 2 hosts (2 from boats)" in run.stderr
    assert all((Path(h.scratch) / "marked").exists() for h in hosts)
    assert {n: c["changed"] for n, c in _counts(run).items()} == {"boat-1": 1, "boat-2": 1}


def test_a_fleet_split_across_role_hosts_reports_as_one_run(
    chaos, gate_plugin, ssh_hosts, tmp_path
):
    chobolo, log = _gate_fleet(tmp_path, ssh_hosts(4), failing=(3,))
    split = chaos.run(
        "apply", "gate", "-f", "-y", "--json", "--role-hosts", "2", "-c", str(chobolo)
    )
    assert split.returncode == 1
    assert "Role hosts: 2, one per 2 hosts" in split.stderr
    steps = sorted(_steps(log))
    assert steps == ["web-1:1", "web-1:2", "web-2:1", "web-2:2", "web-3:1", "web-3:2", "web-4:1"]
    report = json.loads(split.stdout)
    assert [h["name"] for h in report["hosts"]] == ["web-1", "web-2", "web-3", "web-4"]
    statuses = {h["name"]: [op["status"] for op in h["operations"]] for h in report["hosts"]}
    assert statuses["web-1"] == statuses["web-3"] == ["changed", "changed"]
    assert statuses["web-4"] == ["failed", "skipped"]
    assert report["counts"]["changed"] == 6

    # --serial spans the whole fleet: no split.
    serial = chaos.run(
        "apply", "gate", "-f", "-y", "--serial", "--role-hosts", "2", "-c", str(chobolo)
    )
    assert "Role hosts" not in serial.stderr
    assert _steps(log)[:2] == ["web-1:1", "web-1:2"]


def test_a_split_part_whose_hosts_are_all_down_leaves_the_others_working(
    chaos, gate_plugin, ssh_hosts, tmp_path
):
    hosts = ssh_hosts(4, unreachable=2)
    hosts[3].stop()
    chobolo, log = _gate_fleet(tmp_path, hosts)
    run = chaos.run("apply", "gate", "-f", "-y", "--json", "--role-hosts", "2", "-c", str(chobolo))
    assert run.returncode == 1
    assert "Role hosts: 2" in run.stderr
    assert sorted(_steps(log)) == ["web-1:1", "web-1:2", "web-2:1", "web-2:2"]
    report = json.loads(run.stdout)
    connected = {h["name"]: h["connected"] for h in report["hosts"]}
    assert connected == {"web-1": True, "web-2": True, "web-3": False, "web-4": False}
    assert "cannot connect to web-3" in run.stderr and "cannot connect to web-4" in run.stderr
