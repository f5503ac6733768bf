"""Role base class: constructor attributes, lifecycle defaults, abstract plan."""

from __future__ import annotations

import inspect

import pytest
from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role


class PlanOnly(Role):
    """A role in the style of Ch-aronte 0.2.0: only plan, defaults for the rest."""

    def __init__(self):
        super().__init__(name="plan-only")
        self.planned = []

    def plan(self, state, host, delta=Delta()):  # noqa: B008 - the documented signature
        self.planned.append((state, host, delta))
        return ResultPayload(True, message=["planned"])


class Full(Role):
    def __init__(self):
        super().__init__(
            name="full",
            needs_secrets=True,
            necessary_chobolo_keys=["users"],
            necessary_secret_dict_keys=["users.passwords"],
        )

    def get_context(self, state, host, chobolo=None, secrets=None):
        return {"wanted": set(chobolo["users"]), "have": {"root"}}

    def delta(self, context=None):
        return Delta(to_add={"users": sorted(context["wanted"] - context["have"])})

    def plan(self, state, host, delta=Delta()):  # noqa: B008
        return ResultPayload(True, data=delta.to_add["users"])


def test_constructor_defaults():
    role = PlanOnly()
    assert role.name == "plan-only"
    assert role.needs_secrets is False
    assert role.necessary_chobolo_keys == []
    assert role.necessary_secret_dict_keys == []


def test_default_lists_are_not_shared():
    a, b = PlanOnly(), PlanOnly()
    a.necessary_chobolo_keys.append("x")
    a.necessary_secret_dict_keys.append("y")
    assert b.necessary_chobolo_keys == [] and b.necessary_secret_dict_keys == []


def test_given_lists_are_copied():
    keys = ["a"]

    class R(Role):
        def plan(self, state, host, delta=Delta()):  # noqa: B008
            return ResultPayload(True)

    role = R(name="r", necessary_chobolo_keys=keys)
    keys.append("b")
    assert role.necessary_chobolo_keys == ["a"]


def test_keywords_are_stored():
    role = Full()
    assert role.needs_secrets is True
    assert role.necessary_chobolo_keys == ["users"]
    assert role.necessary_secret_dict_keys == ["users.passwords"]


def test_default_get_context_is_empty_dict_and_fresh():
    role = PlanOnly()
    ctx = role.get_context("state", "host", {"a": 1}, {"s": 2})
    assert ctx == {}
    ctx["x"] = 1
    assert role.get_context("state", "host") == {}


def test_default_delta_forces_a_run():
    delta = PlanOnly().delta({})
    assert delta == Delta(to_add={"force_run": "this"})
    assert not delta.is_empty()
    assert PlanOnly().delta() == delta  # context is optional


def test_lifecycle_with_defaults():
    role = PlanOnly()
    ctx = role.get_context("S", "H", {}, {})
    delta = role.delta(ctx)
    result = role.plan("S", "H", delta)
    assert result == ResultPayload(True, message=["planned"])
    assert role.planned == [("S", "H", Delta(to_add={"force_run": "this"}))]


def test_lifecycle_with_overrides_positional_call():
    role = Full()
    ctx = role.get_context("S", "H", {"users": ["root", "ana"]}, {})
    delta = role.delta(ctx)
    assert delta.to_add == {"users": ["ana"]}
    assert role.plan("S", "H", delta).data == ["ana"]


def test_plan_is_abstract():
    class NoPlan(Role):
        def __init__(self):
            super().__init__(name="no-plan")

    with pytest.raises(TypeError, match="plan"):
        NoPlan()
    with pytest.raises(TypeError):
        Role(name="base")  # the base itself cannot be instantiated


def test_name_must_be_a_non_empty_string():
    class R(Role):
        def plan(self, state, host, delta=Delta()):  # noqa: B008
            return ResultPayload(True)

    with pytest.raises(TypeError, match="name"):
        R(name="")
    with pytest.raises(TypeError, match="name"):
        R(name=None)


def test_repr_names_class_and_attributes():
    text = repr(Full())
    assert text == (
        "Full(name='full', needs_secrets=True, necessary_chobolo_keys=['users'], "
        "necessary_secret_dict_keys=['users.passwords'])"
    )


def test_documented_signatures():
    # The host calls these positionally; parameter names are part of the documented API.
    assert list(inspect.signature(Role.get_context).parameters) == [
        "self",
        "state",
        "host",
        "chobolo",
        "secrets",
    ]
    assert list(inspect.signature(Role.delta).parameters) == ["self", "context"]
    plan = inspect.signature(Role.plan).parameters
    assert list(plan) == ["self", "state", "host", "delta"]
    assert plan["delta"].default == Delta()
    init = inspect.signature(Role.__init__).parameters
    assert init["needs_secrets"].default is False
    assert init["necessary_chobolo_keys"].default is None
