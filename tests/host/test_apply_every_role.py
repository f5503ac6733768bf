"""One role that is skipped, fails or has nothing to do never stops the host from looking at
the roles after it: every loop of apply.prepare and apply.plan goes on to the next role, and
the report says exactly which roles ran, failed, were skipped or were not run."""

from __future__ import annotations

import pytest

ROLES = """
import os

from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role


def note(what):
    with open(os.environ["CHAOS_TEST_ORDER_LOG"], "a") as log:
        log.write(what + "\\n")


class Recorded(Role):
    label = "recorded"
    to_add = {"x": [1]}

    def __init__(self):
        super().__init__(name=f"{self.label} role")

    def get_context(self, state, host, chobolo, secrets):
        note(f"{self.label} context")
        return {}

    def delta(self, context):
        note(f"{self.label} delta")
        return Delta(to_add=self.to_add)

    def plan(self, state, host, delta):
        note(f"{self.label} plan")


class First(Recorded):
    label = "first"


class Second(Recorded):
    label = "second"


class Empty(Recorded):
    label = "empty"
    to_add = {}


class ContextRaises(Recorded):
    label = "raises"

    def get_context(self, state, host, chobolo, secrets):
        note("raises context")
        raise RuntimeError("no context here")


class ContextRefuses(Recorded):
    label = "refuses"

    def get_context(self, state, host, chobolo, secrets):
        return ResultPayload(False, message=["disk full", "try later"])


class FactFails(Recorded):
    label = "factfails"

    def get_context(self, state, host, chobolo, secrets):
        from pyinfra.facts.server import Command

        note("factfails context")
        return {"out": host.get_fact(Command, command="echo no-such-fact >&2; exit 3")}


class Mutates(Recorded):
    label = "mutates"

    def get_context(self, state, host, chobolo, secrets):
        chobolo["nested"]["value"] = "changed by mutates"
        return {}


class Reads(Recorded):
    label = "reads"

    def get_context(self, state, host, chobolo, secrets):
        note(f"reads {chobolo['nested']['value']}")
        return {}


class BadDelta(Recorded):
    label = "baddelta"

    def delta(self, context):
        return ["not", "a", "delta"]


def legacy(state, host, chobolo_path, skip_confirm):
    note("legacy plan")


def legacy_returns_failure(state, host, chobolo_path, skip_confirm):
    note("legacy-failure plan")
    # A function role's return value is ignored (the plugin contract): not a failure.
    return ResultPayload(False, error=["not a verdict"])
"""

TARGETS = {
    "first": "First",
    "second": "Second",
    "empty": "Empty",
    "raises": "ContextRaises",
    "refuses": "ContextRefuses",
    "baddelta": "BadDelta",
    "factfails": "FactFails",
    "mutates": "Mutates",
    "reads": "Reads",
    "legacy": "legacy",
    "legacy-failure": "legacy_returns_failure",
}


@pytest.fixture
def host_and_log(make_host, plugin_dir, tmp_path, monkeypatch):
    plugin_dir("everyrole", ROLES)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("CHAOS_TEST_ORDER_LOG", str(log))

    def calls() -> list[str]:
        return log.read_text().splitlines() if log.exists() else []

    return make_host(), calls


def _roles(*tags: str) -> list[dict[str, str]]:
    return [{"tag": t, "target": f"everyrole:{TARGETS[t]}"} for t in tags]


def test_a_restricted_or_conflicting_role_leaves_the_next_roles_to_their_own_fate(host_and_log):
    host, calls = host_and_log
    allowed = {"@local": {"first": True, "empty": True}}
    prepare = host.call(
        "apply.prepare",
        {
            "roles": _roles("first", "second", "empty", "legacy"),
            "hosts": ["@local"],
            "restrictions": {
                "black_list": {"@local": {"first": True, "second": True, "legacy": True}},
                "allow_list": allowed,
            },
        },
    )
    # first is in both lists (fails); the roles after it are still decided one by one.
    assert [(e["kind"], e["role"]) for e in prepare["errors"]] == [
        ("restriction_conflict", "first")
    ]
    assert [s["role"] for s in prepare["skipped_roles"]] == ["second", "legacy"]
    assert [d["role"] for d in prepare["deltas"]] == ["empty"]
    assert calls() == ["empty context", "empty delta"]


def test_a_skipped_role_does_not_stop_the_roles_after_it(host_and_log):
    host, calls = host_and_log
    prepare = host.call(
        "apply.prepare",
        {
            "roles": _roles("first", "second", "legacy", "empty"),
            "restrictions": {"black_list": {"@local": {"first role": True, "legacy": True}}},
        },
    )
    assert [s["role"] for s in prepare["skipped_roles"]] == ["first", "legacy"]
    assert [d["role"] for d in prepare["deltas"]] == ["second", "empty"]
    plan = host.call("apply.plan", {})
    # A skipped function role is not called; an empty delta is not planned; second is.
    assert calls() == [
        "second context",
        "second delta",
        "empty context",
        "empty delta",
        "second plan",
    ]
    assert plan["errors"] == [] and plan["not_run"] == {}


def test_failing_phases_of_one_role_leave_the_next_roles_their_delta(host_and_log):
    host, calls = host_and_log
    prepare = host.call(
        "apply.prepare", {"roles": _roles("raises", "refuses", "baddelta", "first")}
    )
    errors = [(e["kind"], e["role"], e.get("phase")) for e in prepare["errors"]]
    assert errors == [
        ("role_error", "raises", "context"),
        ("context_failed", "refuses", "context"),
        ("bad_delta", "baddelta", "delta"),
    ]
    # Every message and reason of a failed result, in order.
    assert prepare["errors"][1]["message"] == "disk full; try later"
    assert [d["role"] for d in prepare["deltas"]] == ["first"]
    # A role whose context failed never gets to compute a delta.
    assert "raises delta" not in calls()
    assert calls()[-2:] == ["first context", "first delta"]


def test_without_keep_going_the_roles_not_run_are_those_that_had_work(host_and_log):
    host, calls = host_and_log
    host.call("apply.prepare", {"roles": _roles("raises", "empty", "second", "legacy")})
    plan = host.call("apply.plan", {})
    # empty had nothing to do: it is not a role "not run"; a function role always has work.
    assert plan["not_run"] == {"@local": ["second", "legacy"]}
    assert not [c for c in calls() if c.endswith(" plan")]
    # Nothing runs; without --max-fail a failed role is not a host that failed while executing.
    execute = host.call("apply.execute", {})
    assert (execute["error"], execute["hosts"]["@local"]["ops"]) == (None, [])


def test_with_keep_going_a_failed_role_is_never_planned_and_the_others_are(host_and_log):
    host, calls = host_and_log
    host.call(
        "apply.prepare",
        {"roles": _roles("raises", "empty", "second", "legacy"), "keep_going": True},
    )
    plan = host.call("apply.plan", {})
    assert [c for c in calls() if c.endswith(" plan")] == ["second plan", "legacy plan"]
    assert plan["not_run"] == {}


def test_what_a_function_role_returns_is_ignored(host_and_log):
    host, calls = host_and_log
    host.call("apply.prepare", {"roles": _roles("legacy-failure", "legacy")})
    plan = host.call("apply.plan", {})
    assert plan["errors"] == []
    assert calls() == ["legacy-failure plan", "legacy plan"]
    entry = next(e for e in plan["results"] if e["role"] == "legacy-failure")
    assert entry["ok"] is True and "result" not in entry


def test_a_fact_that_fails_in_get_context_fails_that_role_only(host_and_log):
    host, calls = host_and_log
    prepare = host.call("apply.prepare", {"roles": _roles("factfails", "first")})
    [error] = prepare["errors"]
    assert (error["kind"], error["role"], error["phase"]) == ("fact_failed", "factfails", "context")
    assert [d["role"] for d in prepare["deltas"]] == ["first"]
    assert calls() == ["factfails context", "first context", "first delta"]


def test_each_role_gets_its_own_copy_of_the_chobolo(host_and_log, tmp_path):
    host, calls = host_and_log
    chobolo = tmp_path / "chobolo.yml"
    chobolo.write_text("nested:\n  value: as written\n")
    host.call(
        "apply.prepare",
        {"roles": _roles("mutates", "reads"), "chobolo_path": str(chobolo)},
    )
    assert calls() == ["mutates delta", "reads as written", "reads delta"]
