"""A role that fails before execution contributes no operations; a role that needs secrets
never runs without them; a fact that fails is a failure. Real pyinfra on @local, changing a
scratch directory only."""

from __future__ import annotations

import pytest

# Each role stages a directory in the scratch dir (named after the role), then fails in its
# own way. The directory existing afterwards means its staged operation ran.
ROLES = """
import os
import sys

from pyinfra.api.operation import add_op
from pyinfra.operations import files

from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role

SCRATCH = os.environ["SAFETY_SCRATCH"]


def stage(state, host, name):
    add_op(state, files.directory, name=f"make {name}", path=os.path.join(SCRATCH, name), host=host)


class Good(Role):
    def __init__(self):
        super().__init__(name="good")

    def plan(self, state, host, delta):
        stage(state, host, "good")


class RaisesAfterStaging(Role):
    def __init__(self):
        super().__init__(name="raises")

    def plan(self, state, host, delta):
        stage(state, host, "raises")
        raise RuntimeError("half planned")


class ExitsAfterStaging(Role):
    def __init__(self):
        super().__init__(name="exits")

    def plan(self, state, host, delta):
        stage(state, host, "exits")
        sys.exit(4)


class FailsAfterStaging(Role):
    def __init__(self):
        super().__init__(name="fails")

    def plan(self, state, host, delta):
        stage(state, host, "fails")
        return ResultPayload(False, error=["users database locked"])


class ContextFails(Role):
    def __init__(self):
        super().__init__(name="context fails")

    def get_context(self, state, host, chobolo, secrets):
        return ResultPayload(False, error=["cannot read the inventory"])

    def plan(self, state, host, delta):
        stage(state, host, "context-fails")


class DeltaExits(Role):
    def __init__(self):
        super().__init__(name="delta exits")

    def delta(self, context):
        sys.exit(2)

    def plan(self, state, host, delta):
        stage(state, host, "delta-exits")


class NeedsSecrets(Role):
    def __init__(self):
        super().__init__(
            name="needs secrets",
            needs_secrets=True,
            necessary_secret_dict_keys=["users.root.password", "wifi"],
        )

    def get_context(self, state, host, chobolo, secrets):
        # Not even its facts are read without its secrets.
        open(os.path.join(SCRATCH, "secrets-context-ran"), "w").close()
        return {}

    def plan(self, state, host, delta):
        stage(state, host, "secrets")


class SwallowsFactFailure(Role):
    \"\"\"Reads a fact whose command fails, and carries on as if nothing happened.\"\"\"

    def __init__(self):
        super().__init__(name="fact")

    def get_context(self, state, host, chobolo, secrets):
        from pyinfra.facts.server import Command

        try:
            host.get_fact(Command, "echo no-such-thing >&2; exit 7")
        except Exception:
            pass
        return {}

    def plan(self, state, host, delta):
        stage(state, host, "fact")


class SwallowsFactFailureInPlan(Role):
    \"\"\"The same while planning, after staging an operation.\"\"\"

    def __init__(self):
        super().__init__(name="plan fact")

    def plan(self, state, host, delta):
        from pyinfra.facts.server import Command

        stage(state, host, "plan-fact")
        try:
            host.get_fact(Command, "echo no-such-thing >&2; exit 7")
        except Exception:
            pass


def legacy_exits_zero(state, host, chobolo_path, skip_confirm):
    stage(state, host, "legacy-zero")
    sys.exit(0)


def legacy_raises(state, host, chobolo_path, skip_confirm):
    stage(state, host, "legacy-raises")
    raise ValueError("legacy broke")
"""


@pytest.fixture
def scratch(tmp_path):
    path = tmp_path / "scratch"
    path.mkdir()
    return path


@pytest.fixture
def host(make_host, plugin_dir, scratch, monkeypatch):
    plugin_dir("safetyroles", ROLES)
    monkeypatch.setenv("SAFETY_SCRATCH", str(scratch))
    return make_host()


def _roles(*names):
    return [{"tag": name, "target": f"safetyroles:{target}"} for name, target in names]


GOOD = ("good", "Good")


def _run(host, roles, **params):
    prepare = host.call("apply.prepare", {"roles": roles, "skip_confirm": True, **params})
    plan = host.call("apply.plan", {})
    staged = [op["name"] for op in plan["hosts"]["@local"]]
    executed = host.call("apply.execute", {}) if staged else None
    return prepare, plan, staged, executed


@pytest.mark.parametrize(
    "failing",
    [
        ("raises", "RaisesAfterStaging"),
        ("exits", "ExitsAfterStaging"),
        ("fails", "FailsAfterStaging"),
        ("legacy-raises", "legacy_raises"),
    ],
)
def test_a_role_failing_in_plan_leaves_nothing_to_run_on_the_host(host, scratch, failing):
    tag = failing[0]
    _, plan, staged, executed = _run(host, _roles(GOOD, failing))
    assert staged == []
    assert executed is None
    assert not (scratch / "good").exists() and not (scratch / tag).exists()
    assert plan["failed_roles"] == {"@local": [tag]}
    assert plan["not_run"] == {"@local": ["good"]}
    assert [r["ok"] for r in plan["results"]] == [True, False]


@pytest.mark.parametrize(
    "failing", [("raises", "RaisesAfterStaging"), ("fails", "FailsAfterStaging")]
)
def test_keep_going_runs_the_others_but_never_the_failed_role(host, scratch, failing):
    tag = failing[0]
    _, plan, staged, executed = _run(host, _roles(failing, GOOD), keep_going=True)
    assert staged == ["make good"]
    assert executed["success"] is True
    assert (scratch / "good").is_dir()
    assert not (scratch / tag).exists()
    assert plan["failed_roles"] == {"@local": [tag]}
    assert plan.get("not_run", {}) == {}


@pytest.mark.parametrize(
    ("failing", "kind"),
    [
        (("context-fails", "ContextFails"), "context_failed"),
        (("delta-exits", "DeltaExits"), "role_error"),
    ],
)
def test_a_role_failing_before_plan_stops_the_host(host, scratch, failing, kind):
    prepare, plan, staged, _ = _run(host, _roles(GOOD, failing))
    [error] = prepare["errors"]
    assert error["kind"] == kind and error["role"] == failing[0]
    assert prepare["failed_roles"] == {"@local": [failing[0]]}
    assert staged == []
    assert plan["not_run"] == {"@local": ["good"]}
    assert not (scratch / "good").exists()


def test_sys_exit_zero_ends_a_legacy_role_successfully(host, scratch):
    _, plan, staged, executed = _run(host, _roles(("legacy-zero", "legacy_exits_zero"), GOOD))
    assert plan["errors"] == []
    assert staged == ["make legacy-zero", "make good"]
    assert executed["success"] is True
    assert (scratch / "legacy-zero").is_dir() and (scratch / "good").is_dir()


def test_a_role_needing_secrets_is_skipped_naming_its_keys(host, scratch):
    prepare, plan, staged, _ = _run(host, _roles(("secrets", "NeedsSecrets"), GOOD))
    assert plan["skipped_roles"] == prepare["skipped_roles"]
    [skipped] = prepare["skipped_roles"]
    assert skipped["role"] == "secrets" and skipped["reason"] == "needs_secrets"
    assert skipped["keys"] == ["users.root.password", "wifi"]
    assert "users.root.password, wifi" in skipped["message"]
    assert prepare["errors"] == []
    assert staged == ["make good"]
    assert not (scratch / "secrets-context-ran").exists()
    assert not (scratch / "secrets").exists()
    assert (scratch / "good").is_dir()


def test_a_fact_that_fails_fails_its_role_even_when_the_role_swallows_it(host, scratch):
    prepare, plan, staged, _ = _run(host, _roles(("fact", "SwallowsFactFailure"), GOOD))
    [error] = prepare["errors"]
    assert error["kind"] == "fact_failed" and error["role"] == "fact"
    assert "could not load fact" in error["message"]
    assert prepare["failed_roles"] == {"@local": ["fact"]}
    assert staged == []
    assert plan["not_run"] == {"@local": ["good"]}


def test_a_fact_that_fails_while_planning_fails_the_role_and_drops_what_it_staged(host, scratch):
    roles = _roles(("planfact", "SwallowsFactFailureInPlan"), GOOD)
    _, plan, staged, _ = _run(host, roles, keep_going=True)
    [error] = plan["errors"]
    assert error["kind"] == "fact_failed" and error["role"] == "planfact", error
    assert plan["failed_roles"] == {"@local": ["planfact"]}
    results = [(r["role"], r["ok"], r.get("dropped")) for r in plan["results"]]
    assert results == [("planfact", False, 1), ("good", True, None)]
    assert staged == ["make good"]  # the failed role's operation is gone


def test_sudo_operations_are_marked_in_the_plan(make_host, plugin_dir):
    plugin_dir(
        "sudorole",
        """
        from pyinfra.operations import server

        def role(state, host, chobolo_path, skip_confirm):
            server.shell(name="as root", commands=["true"], _sudo=True)
            server.shell(name="as me", commands=["true"])
            server.shell(name="as nobody", commands=["true"], _su_user="nobody")
        """,
    )
    host = make_host()
    host.call("apply.prepare", {"roles": [{"tag": "s", "target": "sudorole:role"}], "dry": True})
    plan = host.call("apply.plan", {})
    assert [(op["name"], op["sudo"]) for op in plan["hosts"]["@local"]] == [
        ("as root", True),
        ("as me", False),
        ("as nobody", True),  # su asks for a password too
    ]
