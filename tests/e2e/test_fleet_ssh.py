"""`chaos apply --fleet` on real SSH hosts: Debian's sshd in network namespaces
(tests/support/sshd.py), reached through pyinfra's own SSH connector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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
