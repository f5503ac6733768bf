"""`chaos apply --fleet` (docs/fleet.md): the inventory from the Ch-obolo, --limit/--exclude,
and what a run does with a host it cannot reach.

These use `@local` and an SSH host nobody listens for; the tests on real SSH hosts (sshd in
network namespaces) are in test_fleet_ssh.py.
"""

from __future__ import annotations

import json
import socket
import sys

import pytest
from support.wheelkit import write_wheel


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


def test_hosts_are_listed_in_natural_order(chaos, my_plugin, tmp_path):
    # down-10 after down-9, not between down-1 and down-2 (and not in file order).
    port = _closed_port()
    names = [f"down-{i}" for i in (10, 2, 1, 9)]
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text(
        "fleet:\n  hosts:\n"
        + "".join(f"    {n}: {{ssh_hostname: 127.0.0.1, ssh_port: {port}}}\n" for n in names)
        + "    '@local': {}\n"
    )
    run = chaos.run("apply", "my-role", "--fleet", "-y", "--json", "-c", str(chobolo))
    assert run.returncode == 1, run.stderr
    expected = ["@local", "down-1", "down-2", "down-9", "down-10"]
    assert [h["name"] for h in json.loads(run.stdout)["hosts"]] == expected
    summary = run.stderr[run.stderr.index("Summary") :]
    assert [line.split(":")[0].strip() for line in summary.splitlines()[1:6]] == expected


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


@pytest.fixture
def file_boat(plugin_env, example_wheel):
    plugin_env.install(example_wheel("chaos-file-boat"))


NOISY_BOAT = """
from chaos.lib.boats.base import Boat


class Noisy(Boat):
    name = "noisy"

    def check_connection(self):
        print('{"type":"reply","id":1,"ok":true,"result":{}}')  # must not reach any protocol
        return True

    def get_fleet_config(self):
        return {}

    def handle_boat_logic(self, fleet_config):
        print("noisy boat found @local")
        return ["@local"]
"""


def test_a_boat_adds_hosts_that_limit_and_groups_select(chaos, my_plugin, file_boat, tmp_path):
    target = tmp_path / "made-by-role"
    found = tmp_path / "found.yml"
    found.write_text("'@local': {groups: [found]}\n")
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text(
        "fleet:\n  hosts:\n"
        f"    down-1: {{ssh_hostname: 127.0.0.1, ssh_port: {_closed_port()}}}\n"
        f"  boats:\n    - provider: file\n      config: {{path: {found}}}\n"
    )
    assert "file" in chaos.ok("check", "boats").stdout
    run = chaos.run(
        "apply",
        "my-role",
        "-f",
        "-y",
        "--json",
        "-c",
        str(chobolo),
        "--limit",
        "@found",
        env={"MY_ROLE_DIR": str(target)},
    )
    assert run.returncode == 0, run.stderr
    assert target.is_dir(), "the host the boat found must be worked on"
    assert [h["name"] for h in json.loads(run.stdout)["hosts"]] == ["@local"]
    assert "Fleet: 1 of 2 hosts (1 from boats)" in run.stderr


def test_a_boat_host_the_chobolo_has_is_an_error_naming_both(chaos, my_plugin, file_boat, tmp_path):
    found = tmp_path / "found.json"
    found.write_text('{"hosts": ["@local"]}')
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text(
        "fleet:\n  hosts:\n    '@local': {}\n"
        f"  boats:\n    - provider: file\n      config: {{path: {found}}}\n"
    )
    run = chaos.run("apply", "my-role", "-f", "-y", "-c", str(chobolo))
    assert run.returncode == 1
    assert "'@local', which the fleet already has (from the Ch-obolo)" in run.stderr
    assert f"the Ch-obolo's entry is at {chobolo}:3:5" in run.stderr
    assert "boat 'file' (plugin chaos-file-boat)" in run.stderr


def test_unknown_and_failing_boats_stop_the_run_naming_them(chaos, my_plugin, file_boat, tmp_path):
    target = tmp_path / "made-by-role"
    chobolo = tmp_path / "fleet.yml"
    chobolo.write_text("fleet:\n  hosts: ['@local']\n  boats: [{provider: cloud}]\n")
    unknown = chaos.run("apply", "my-role", "-f", "-y", "-c", str(chobolo))
    assert unknown.returncode == 1
    assert "no installed plugin provides boat `cloud`" in unknown.stderr
    assert "installed boats: file" in unknown.stderr
    assert f"{chobolo}:3:11" in unknown.stderr

    chobolo.write_text(
        "fleet:\n  hosts: ['@local']\n"
        "  boats:\n    - provider: file\n"
        "      config: {command: [sh, -c, 'echo cloud is down >&2; exit 7']}\n"
    )
    failing = chaos.run(
        "apply", "my-role", "-f", "-y", "-c", str(chobolo), env={"MY_ROLE_DIR": str(target)}
    )
    assert failing.returncode == 1
    assert "boat 'file' (plugin chaos-file-boat)" in failing.stderr
    assert "sh exited with status 7: cloud is down" in failing.stderr
    assert not target.exists(), "no host may be worked on when a boat fails"


def test_a_command_boat_and_what_a_boat_prints(chaos, plugin_env, my_plugin, file_boat, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "wheel",
            "noisy-boat",
            entry_points={"chaos.boats": {"noisy": "noisy_boat:Noisy"}},
            modules={"noisy_boat/__init__.py": NOISY_BOAT},
        )
    )
    target = tmp_path / "made-by-role"
    chobolo = tmp_path / "fleet.yml"
    printer = "import json; print(json.dumps({'cmd-host': {'ssh_port': 2200}}))"
    chobolo.write_text(
        "fleet:\n  boats:\n    - provider: noisy\n    - provider: file\n"
        f"      config: {{command: [{sys.executable}, -c, {json.dumps(printer)}],"
        " groups: [cmd]}\n"
    )
    run = chaos.run(
        "apply",
        "my-role",
        "-f",
        "-y",
        "--json",
        "-c",
        str(chobolo),
        "--exclude",
        "@cmd",
        env={"MY_ROLE_DIR": str(target)},
    )
    assert run.returncode == 0, run.stderr
    # The --json document is whole: what the boat printed went to stderr.
    assert [h["name"] for h in json.loads(run.stdout)["hosts"]] == ["@local"]
    assert "noisy boat found @local" in run.stderr
    assert "Fleet: 1 of 2 hosts (2 from boats)" in run.stderr
    assert target.is_dir()


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
