"""`chaos apply --fleet` (docs/fleet.md): the inventory from the Ch-obolo, --limit/--exclude,
and what a run does with a host it cannot reach.

These use `@local` and an SSH host nobody listens for; the tests on real SSH hosts (sshd in
network namespaces) are in test_fleet_ssh.py.
"""

from __future__ import annotations

import json
import socket

import pytest


@pytest.fixture
def my_plugin(plugin_env, example_wheel):
    plugin_env.install(example_wheel("my-chaos-plugin"))


def _closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fleet_flags_need_a_fleet_and_a_fleet_needs_hosts(chaos, my_plugin, tmp_path):
    without = chaos.run("apply", "my-role", "--limit", "web-*", "-y")
    assert without.returncode == 2 and "they need --fleet" in without.stderr
    no_chobolo = chaos.run("apply", "my-role", "--fleet", "-y")
    assert no_chobolo.returncode == 2 and "--fleet needs a Ch-obolo" in no_chobolo.stderr
    target = tmp_path / "made-by-role"
    plain = tmp_path / "plain.yml"
    plain.write_text("users: [alice]\n")
    no_block = chaos.run(
        "apply", "my-role", "--fleet", "-y", "-c", str(plain), env={"MY_ROLE_DIR": str(target)}
    )
    assert no_block.returncode == 1 and "has no `fleet:` block" in no_block.stderr
    assert not target.exists(), "a missing fleet must never fall back to this machine"

    broken = tmp_path / "broken.yml"
    broken.write_text("fleet:\n  hosts:\n    web-1: [oops]\n")
    bad = chaos.run("apply", "my-role", "--fleet", "-y", "-c", str(broken))
    assert bad.returncode == 1
    assert (
        f"{broken}:3:12" in bad.stderr and "must be a mapping of connector settings" in bad.stderr
    )


def test_an_unreachable_host_fails_alone_and_is_named(chaos, my_plugin, tmp_path):
    target = tmp_path / "made-by-role"
    port = _closed_port()
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text(
        "fleet:\n  hosts:\n"
        "    '@local': {groups: [here]}\n"
        f"    down-1: {{ssh_hostname: 127.0.0.1, ssh_port: {port}, ssh_user: nobody}}\n"
    )
    run = chaos.run(
        "apply",
        "my-role",
        "--fleet",
        "-y",
        "--json",
        "-c",
        str(chobolo),
        env={"MY_ROLE_DIR": str(target)},
    )
    assert run.returncode == 1, run.stderr
    assert target.is_dir(), "the reachable host must still be worked on"
    report = json.loads(run.stdout)
    assert report["success"] is False
    hosts = {h["name"]: h for h in report["hosts"]}
    assert hosts["@local"]["connected"] is True
    assert hosts["down-1"]["connected"] is False
    assert str(port) in hosts["down-1"]["error"] or "refused" in hosts["down-1"]["error"].lower()
    assert "down-1" in run.stderr


def test_no_sudo_password_is_sent_to_hosts_on_connectors_that_would_expose_it(
    chaos, my_plugin, tmp_path
):
    # SSH hosts get the password privately (test_fleet_ssh.py); a @docker/ host would get it
    # pyinfra's way, in a command line on this machine: the run sends none, naming the host.
    password_file = tmp_path / "pw"
    password_file.write_text("hunter2-fleet\n")
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text(
        "fleet:\n  hosts:\n    '@docker/chaos-no-such-container': {}\n"
        f"    down-1: {{ssh_hostname: 127.0.0.1, ssh_port: {_closed_port()}}}\n"
    )
    run = chaos.run("apply", "my-role", "-f", "-y", "-c", str(chobolo), "-pf", str(password_file))
    assert run.returncode == 1
    assert "the sudo password is not sent: @docker/chaos-no-such-container uses a connector" in (
        run.stderr
    )
    assert "hunter2-fleet" not in run.stdout + run.stderr


def test_limit_and_exclude_choose_hosts_and_typos_are_errors(chaos, my_plugin, tmp_path):
    target = tmp_path / "made-by-role"
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text(
        "fleet:\n  hosts:\n    '@local': {groups: [here]}\n"
        f"    down-1: {{ssh_hostname: 127.0.0.1, ssh_port: {_closed_port()}}}\n"
    )
    env = {"MY_ROLE_DIR": str(target)}
    only_local = chaos.run(
        "apply", "my-role", "-f", "-y", "--json", "-c", str(chobolo), "--limit", "@here", env=env
    )
    assert only_local.returncode == 0, only_local.stderr
    assert [h["name"] for h in json.loads(only_local.stdout)["hosts"]] == ["@local"]
    excluded = chaos.run(
        "apply", "my-role", "-f", "-y", "--json", "-c", str(chobolo), "--exclude", "down-*", env=env
    )
    assert excluded.returncode == 0, excluded.stderr
    typo = chaos.run("apply", "my-role", "-f", "-y", "-c", str(chobolo), "--limit", "wbe-*")
    assert typo.returncode == 2 and "`wbe-*` matches no fleet host" in typo.stderr


def test_boats_are_refused_until_they_work(chaos, my_plugin, tmp_path):
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text("fleet:\n  hosts: ['@local']\n  boats: [{provider: cloud}]\n")
    run = chaos.run("apply", "my-role", "-f", "-y", "-c", str(chobolo))
    assert run.returncode == 1 and "fleet boats are not supported yet" in run.stderr


@pytest.mark.parametrize(
    ("lists", "where"),
    [
        ("black_list: {'@local': {my-role: true}}", "fleet"),
        ("black_list: {'@local': {}}", "fleet"),
        ("allow_list: {'@local': {other-role: true}}", "fleet"),
        ("black_list: {'@local': {my-role: true}}", "top"),  # where the original read them
    ],
)
def test_restrictions_skip_roles_and_say_so(chaos, my_plugin, tmp_path, lists, where):
    target = tmp_path / "made-by-role"
    block = f"  restrictions: {{{lists}}}\n" if where == "fleet" else ""
    top = f"restrictions: {{{lists}}}\n" if where == "top" else ""
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text(f"{top}fleet:\n  hosts: ['@local']\n{block}")
    run = chaos.run(
        "apply",
        "my-role",
        "-f",
        "-y",
        "--json",
        "-c",
        str(chobolo),
        env={"MY_ROLE_DIR": str(target)},
    )
    assert run.returncode == 0, run.stderr
    assert not target.exists()
    host = json.loads(run.stdout)["hosts"][0]
    assert [(s["role"], s["reason"]) for s in host["skipped_roles"]] == [("my-role", "restricted")]
    assert "skipped: my-role (fleet restrictions)" in run.stderr


def test_a_role_both_allowed_and_blacklisted_fails_that_host(chaos, my_plugin, tmp_path):
    target = tmp_path / "made-by-role"
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text(
        "fleet:\n  hosts: ['@local']\n  restrictions:\n"
        "    allow_list: {'@local': {my-role: true}}\n"
        "    black_list: {'@local': {my-role: true}}\n"
    )
    run = chaos.run(
        "apply",
        "my-role",
        "-f",
        "-y",
        "--json",
        "-c",
        str(chobolo),
        env={"MY_ROLE_DIR": str(target)},
    )
    assert run.returncode == 1
    assert not target.exists()
    report = json.loads(run.stdout)
    assert [e["kind"] for e in report["errors"]] == ["restriction_conflict"]
    assert "both allowlisted and blacklisted" in run.stderr
