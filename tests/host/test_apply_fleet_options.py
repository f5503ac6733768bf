"""apply.prepare's fleet options on a real host: the decrypted secrets document split per role,
and restrictions deciding, before any role code runs, which roles a host skips or fails."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

ROLES = """
from pathlib import Path

from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role


class Secretive(Role):
    def __init__(self):
        super().__init__(
            name="Secretive", needs_secrets=True, necessary_secret_dict_keys=["db.password"]
        )

    def get_context(self, state, host, chobolo, secrets):
        return {"secrets": secrets}

    def delta(self, context):
        return Delta(to_add={"got": [context["secrets"]]})

    def plan(self, state, host, delta):
        pass


class Plain(Role):
    def __init__(self):
        super().__init__(name="Plain Role")

    def delta(self, context):
        return Delta(to_add={"plain": ["yes"]})

    def plan(self, state, host, delta):
        pass


def legacy(state, host, chobolo_path, skip_confirm, secrets):
    Path(host.data.get("out")).write_text(secrets)
"""

DOCUMENT = {"data": {"db": {"password": "pw", "user": "u"}}, "text": "db:\n  password: pw\n"}


def _roles(*names):
    targets = {"secret": "Secretive", "plain": "Plain", "old": "legacy"}
    return [{"tag": n, "target": f"fleetroles:{targets[n]}"} for n in names]


def test_the_secrets_document_gives_each_role_its_part(make_host, plugin_dir, tmp_path):
    plugin_dir("fleetroles", ROLES)
    host = make_host()
    out = tmp_path / "legacy-secrets"
    reply, events = host.request(
        "apply.prepare",
        {
            "roles": _roles("secret", "plain", "old"),
            "hosts": [["@local", {"out": str(out)}]],
            "secrets_document": DOCUMENT,
        },
    )
    assert reply["ok"] is True, reply
    deltas = {d["role"]: d["to_add"] for d in reply["result"]["deltas"]}
    # Only the keys it declared; a role that declared none gets nothing.
    assert deltas == {"secret": {"got": [{"db.password": "pw"}]}, "plain": {"plain": ["yes"]}}
    starts = [(e["phase"], e["host"], e["role"]) for e in events if e["event"] == "role_start"]
    assert starts == [("prepare", "@local", "secret"), ("prepare", "@local", "plain")]
    host.call("apply.plan", {})
    assert out.read_text() == DOCUMENT["text"]  # a legacy role gets the decrypted text


def test_a_role_whose_secret_is_missing_is_skipped(make_host, plugin_dir):
    plugin_dir("fleetroles", ROLES)
    host = make_host()
    document = {"data": {"db": {"user": "u"}}, "text": "db:\n  user: u\n"}
    prepare = host.call(
        "apply.prepare",
        {"roles": _roles("secret", "plain"), "hosts": ["@local"], "secrets_document": document},
    )
    assert [d["role"] for d in prepare["deltas"]] == ["plain"]
    [skipped] = prepare["skipped_roles"]
    assert (skipped["host"], skipped["role"]) == ("@local", "secret")
    assert (skipped["reason"], skipped["keys"]) == ("missing_secret_keys", ["db.password"])
    assert skipped["message"] == "its secrets (db.password) are not in the secrets file"


def test_restrictions_skip_or_fail_a_role_before_its_code_runs(make_host, plugin_dir):
    plugin_dir("fleetroles", ROLES)
    host = make_host()
    # Blacklisted by its name (the class role's name counts, not only its tag).
    reply, events = host.request(
        "apply.prepare",
        {
            "roles": _roles("secret", "plain"),
            "hosts": ["@local"],
            "secrets_document": DOCUMENT,
            "restrictions": {"black_list": {"@local": {"Plain Role": True}}},
        },
    )
    skipped = {
        "host": "@local",
        "role": "plain",
        "reason": "restricted",
        "keys": [],
        "message": "role 'plain' is blacklisted for host '@local'",
    }
    assert reply["result"]["skipped_roles"] == [skipped]
    assert [e for e in events if e["event"] == "role_skipped"] == [
        {"type": "event", "event": "role_skipped", **skipped}
    ]
    assert [d["role"] for d in reply["result"]["deltas"]] == ["secret"]
    host.call("apply.plan", {})

    # Allowed and blacklisted at once: that host's run of the role fails, naming both lists.
    host = make_host()
    both = {"@local": {"plain": True}}
    prepare = host.call(
        "apply.prepare",
        {
            "roles": _roles("plain"),
            "hosts": ["@local"],
            "restrictions": {"black_list": both, "allow_list": both},
        },
    )
    [error] = prepare["errors"]
    assert (error["kind"], error["role"], error["host"]) == (
        "restriction_conflict",
        "plain",
        "@local",
    )
    assert prepare["failed_roles"] == {"@local": ["plain"]}
    assert prepare["deltas"] == []

    host = make_host()
    reply, _ = host.request(
        "apply.prepare",
        {"roles": _roles("plain"), "hosts": ["@local"], "restrictions": {"white_list": {}}},
    )
    assert reply["error"] == {
        "kind": "bad_params",
        "message": "restrictions: unknown list 'white_list' (allow_list, black_list)",
    }


def test_max_fail_counts_hosts_that_could_not_connect(make_host, plugin_dir):
    plugin_dir("fleetroles", ROLES)
    hosts = ["@local", "a.invalid", "b.invalid"]  # two of three cannot connect (66.7%)
    cases = [
        ({"hosts": 1}, "more than --max-fail 1 allows"),
        ({"percent": 10}, "more than --max-fail 10% allows"),
        ({"percent": 12.5}, "more than --max-fail 12.5% allows"),
        ({"hosts": 2}, None),
        ({"percent": 70}, None),
    ]
    for max_fail, refused in cases:
        host = make_host()
        reply, _ = host.request(
            "apply.prepare", {"roles": _roles("plain"), "hosts": hosts, "max_fail": max_fail}
        )
        if refused is None:
            assert reply["ok"] is True, (max_fail, reply)
            assert [h["connected"] for h in reply["result"]["hosts"]] == [True, False, False]
        else:
            assert reply["ok"] is False, max_fail
            error = reply["error"]
            assert error["kind"] == "connect"
            assert error["message"] == f"2 of 3 hosts could not be connected, {refused}"
            assert [e["host"] for e in error["errors"]] == ["a.invalid", "b.invalid"]
            # Each host's own reason, as the connector gave it.
            assert all(e["message"] not in ("", "not connected") for e in error["errors"])


# A pyinfra connector (found through its entry point, as pyinfra finds every connector) for any
# number of hosts that all run on this machine: @multi/NAME.
MULTI_CONNECTOR = """
from pyinfra.connectors.local import LocalConnector


class MultiConnector(LocalConnector):
    @staticmethod
    def make_names_data(name=None):
        yield f"@multi/{name}", {}, []
"""

# Two operations per host, each appending "HOST-N" to one shared file; a host whose name ends in
# "!" fails its first.
RECORDING_ROLE = """
import os

from pyinfra.api.operation import add_op
from pyinfra.operations import server

from chaos.lib.roles.role import Role


class Recording(Role):
    def __init__(self):
        super().__init__(name="Recording")

    def plan(self, state, host, delta):
        log = os.environ["CHAOS_TEST_ORDER_LOG"]
        first = f"echo {host.name}-1 >> {log}" + ("; exit 1" if host.name.endswith("!") else "")
        add_op(state, server.shell, name="first", commands=[first])
        add_op(state, server.shell, name="second", commands=[f"echo {host.name}-2 >> {log}"])
"""


def _multi_host(make_host, plugin_dir, tmp_path, monkeypatch):
    plugin_dir("multiconn", MULTI_CONNECTOR)
    plugin_dir("recording", RECORDING_ROLE)
    dist_info = Path(plugin_dir.path) / "multiconn-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: multiconn\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        "[pyinfra.connectors]\nmulti = multiconn:MultiConnector\n"
    )
    log = tmp_path / "order.log"
    monkeypatch.setenv("CHAOS_TEST_ORDER_LOG", str(log))
    return make_host(), log


def test_serial_runs_one_host_after_the_other_in_the_fleets_order(
    make_host, plugin_dir, tmp_path, monkeypatch
):
    host, log = _multi_host(make_host, plugin_dir, tmp_path, monkeypatch)
    names = ["c", "a", "d", "b"]  # not sorted: the order given is the order wanted
    roles = [{"tag": "rec", "target": "recording:Recording"}]
    host.call("apply.prepare", {"roles": roles, "hosts": [f"@multi/{n}" for n in names]})
    host.call("apply.plan", {})
    execute = host.call("apply.execute", {"serial": True})
    assert execute["success"] is True, execute
    assert log.read_text().split() == [f"@multi/{n}-{i}" for n in names for i in (1, 2)]


def test_max_fail_stops_new_work_once_too_many_hosts_failed_while_executing(
    make_host, plugin_dir, tmp_path, monkeypatch
):
    host, log = _multi_host(make_host, plugin_dir, tmp_path, monkeypatch)
    hosts = ["@multi/a", "@multi/b!", "@multi/c!", "@multi/d"]
    roles = [{"tag": "rec", "target": "recording:Recording"}]
    host.call("apply.prepare", {"roles": roles, "hosts": hosts, "max_fail": {"hosts": 1}})
    host.call("apply.plan", {})
    execute = host.call("apply.execute", {})
    assert execute["error"] == (
        "2 of 4 hosts failed, more than --max-fail 1 allows: no new work was started after that"
    )
    assert execute["max_fail_reached"] is True
    # Every host ran the first operation; none started the second.
    assert sorted(log.read_text().split()) == sorted(f"{h}-1" for h in hosts)


@pytest.mark.parametrize(
    ("max_fail", "reached"),
    [({"hosts": 2}, False), ({"percent": 50}, False), ({"percent": 49.9}, True)],
)
def test_max_fail_allows_exactly_its_limit(
    make_host, plugin_dir, tmp_path, monkeypatch, max_fail, reached
):
    """Two of four hosts fail their first operation: --max-fail 2 (or 50%) still lets the other
    two finish; one host (or a hair of a percent) less stops them before their second."""
    host, log = _multi_host(make_host, plugin_dir, tmp_path, monkeypatch)
    hosts = ["@multi/a", "@multi/b!", "@multi/c!", "@multi/d"]
    roles = [{"tag": "rec", "target": "recording:Recording"}]
    host.call("apply.prepare", {"roles": roles, "hosts": hosts, "max_fail": max_fail})
    host.call("apply.plan", {})
    execute = host.call("apply.execute", {})
    assert execute["success"] is False, execute
    assert execute.get("max_fail_reached", False) is reached, execute
    ran = sorted(log.read_text().split())
    firsts = [f"{h}-1" for h in hosts]
    if reached:
        assert ran == sorted(firsts)
    else:
        assert ran == sorted([*firsts, "@multi/a-2", "@multi/d-2"])


def test_an_execute_with_health_and_a_command_log_reports_both(
    make_host, plugin_dir, tmp_path, monkeypatch
):
    """What the logbook keeps (-l, -x, -i): each host's load and memory before and after the
    operations, and the facts and commands pyinfra ran, in order."""
    host, _ = _multi_host(make_host, plugin_dir, tmp_path, monkeypatch)
    hosts = ["@multi/b", "@multi/a"]
    roles = [{"tag": "rec", "target": "recording:Recording"}]
    host.call("apply.prepare", {"roles": roles, "hosts": hosts, "command_log": True})
    host.call("apply.plan", {})
    started = time.time()
    execute = host.call("apply.execute", {"health": True})
    assert execute["success"] is True, execute
    health = execute["health"]
    # When each snapshot was taken (seconds since the epoch): every host's first one before the
    # operations, every last one after them (the hosts of a stage are read side by side).
    pre = [s["timestamp"] for s in health if s["stage"] == "pre_operations"]
    post = [s["timestamp"] for s in health if s["stage"] == "post_operations"]
    assert started <= min(pre) and max(pre) <= min(post) and max(post) <= time.time(), health
    assert [(s["host"], s["stage"]) for s in health] == [
        (h, stage) for stage in ("pre_operations", "post_operations") for h in hosts
    ]
    for s in health:
        metrics = s["metrics"]
        assert metrics["ram_total_gb"] > 0 and 0 <= metrics["ram_percent"] <= 100, s
        assert metrics["cpu_load_1min"] >= 0 and metrics["cpu_load_5min"] >= 0, s
    entries = [(e["context"], e["command"]) for e in execute["command_log"]]
    # pyinfra's local connector says "localhost" for every host it runs.
    ran = [c for context, c in entries if context == "running_command_on_localhost"]
    for h in hosts:
        first = [i for i, c in enumerate(ran) if f"echo {h}-1 >>" in c]
        second = [i for i, c in enumerate(ran) if f"echo {h}-2 >>" in c]
        assert len(first) == len(second) == 1 and first < second, entries
    gathered = [c for context, c in entries if context == "fact_gathering"]
    stages = [c.split("chaos-health-", 1)[1].split(";", 1)[0] for c in gathered]
    assert stages == ["pre_operations"] * 2 + ["post_operations"] * 2, entries


def test_secrets_given_by_tag_win_over_the_document_and_a_legacy_role_may_take_none(
    make_host, plugin_dir, tmp_path
):
    plugin_dir("fleetroles", ROLES)
    plugin_dir(
        "plainlegacy",
        "def legacy(state, host, chobolo_path, skip_confirm):\n"
        "    open(host.data.get('out'), 'w').write('ran without secrets')\n",
    )
    host = make_host()
    out = tmp_path / "legacy-out"
    roles = [*_roles("secret"), {"tag": "plainold", "target": "plainlegacy:legacy"}]
    prepare = host.call(
        "apply.prepare",
        {
            "roles": roles,
            "hosts": [["@local", {"out": str(out)}]],
            "secrets": {"secret": {"db.password": "given by tag"}},
            "secrets_document": DOCUMENT,
        },
    )
    deltas = {d["role"]: d["to_add"] for d in prepare["deltas"]}
    assert deltas == {"secret": {"got": [{"db.password": "given by tag"}]}}
    host.call("apply.plan", {})
    assert out.read_text() == "ran without secrets"


# Fails in plan on a host whose name ends in "!".
PLAN_FAILS_ON_BANG = """
from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role


class Picky(Role):
    def __init__(self):
        super().__init__(name="Picky")

    def delta(self, context):
        return Delta(to_add={"picky": [1]})

    def plan(self, state, host, delta):
        if host.name.endswith("!"):
            raise RuntimeError("not on this host")
"""


def test_max_fail_counts_a_host_whose_role_failed_before_executing(
    make_host, plugin_dir, tmp_path, monkeypatch
):
    host, log = _multi_host(make_host, plugin_dir, tmp_path, monkeypatch)
    plugin_dir("picky", PLAN_FAILS_ON_BANG)
    hosts = ["@multi/a", "@multi/b!", "@multi/c"]
    roles = [
        {"tag": "picky", "target": "picky:Picky"},
        {"tag": "rec", "target": "recording:Recording"},
    ]
    host.call("apply.prepare", {"roles": roles, "hosts": hosts, "max_fail": {"hosts": 0}})
    plan = host.call("apply.plan", {})
    assert plan["failed_roles"] == {"@multi/b!": ["picky"]}, plan
    execute = host.call("apply.execute", {})
    assert execute["max_fail_reached"] is True, execute
    assert execute["error"].startswith("1 of 3 hosts failed, more than --max-fail 0 allows")
    assert not log.exists()  # nothing was started


def test_a_host_that_could_not_connect_is_left_out_of_the_execution(make_host, plugin_dir):
    plugin_dir("fleetroles", ROLES)
    host = make_host()
    hosts = ["@local", "a.invalid"]
    reply, _ = host.request(
        "apply.prepare", {"roles": _roles("plain"), "hosts": hosts, "max_fail": {"hosts": 1}}
    )
    assert [h["connected"] for h in reply["result"]["hosts"]] == [True, False], reply
    host.call("apply.plan", {})
    execute = host.call("apply.execute", {})
    assert list(execute["hosts"]) == ["@local"], execute


# Reads a fact (which waits on a command, so the other hosts plan meanwhile), then stages an
# operation without host=, as a plugin written for one machine does.
FACT_THEN_STAGE_ROLE = """
from pyinfra.api.operation import add_op
from pyinfra.facts.server import Command
from pyinfra.operations import server


def fact_then_stage(state, host, chobolo_path, skip_confirm):
    host.get_fact(Command, command="sleep 0.2; echo ready")
    add_op(state, server.shell, name=f"only on {host.name}", commands=["true"])
"""


def test_hosts_planning_side_by_side_each_stage_only_on_themselves(
    make_host, plugin_dir, tmp_path, monkeypatch
):
    plugin_dir("factstage", FACT_THEN_STAGE_ROLE)
    host, _ = _multi_host(make_host, plugin_dir, tmp_path, monkeypatch)
    names = [f"@multi/{n}" for n in ("a", "b", "c")]
    roles = [{"tag": "fs", "target": "factstage:fact_then_stage"}]
    host.call("apply.prepare", {"roles": roles, "hosts": names, "skip_confirm": True})
    plan = host.call("apply.plan", {})
    assert {h: [op["name"] for op in ops] for h, ops in plan["hosts"].items()} == {
        n: [f"only on {n}"] for n in names
    }
