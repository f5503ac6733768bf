"""Resolving entry points and telling role kinds apart (chaos.host.loading), read directly: the
metadata the core shows and routes by (kind, name, secrets) for each shape a plugin may take."""

from __future__ import annotations

import textwrap

import pytest
from chaos.host import loading
from chaos.host.loading import CLASS, LEGACY, LoadedRole

PLUGIN = """
from chaos.lib.roles.role import Role


class Outer:
    class Inner:
        value = "deep"


class SdkRole(Role):
    def __init__(self):
        super().__init__(name="Disk Layout", needs_secrets=True)

    def plan(self, state, host, delta):
        return None


class DuckRole:
    name = None
    needs_secrets = "yes"
    necessary_secret_dict_keys = "users.passwords"
    necessary_chobolo_keys = ("users", 7)

    def plan(self, state, host, delta):
        return None


class NotIterableKeys(DuckRole):
    name = 42
    needs_secrets = 0
    necessary_secret_dict_keys = 5
    necessary_chobolo_keys = None


class Bare:
    def plan(self, state, host, delta):
        return None


class PlanIsNotCallable:
    plan = "not a method"


class BrokenInit(Role):
    def __init__(self):
        raise RuntimeError("needs a config file")

    def plan(self, state, host, delta):
        return None


def four(state, host, chobolo_path, skip_confirm):
    pass


def five(state, host, chobolo_path, skip_confirm, secrets):
    pass


def star(*args):
    pass


def positional_only(state, host, chobolo_path, skip_confirm, secrets, /):
    pass


def keyword_secrets(state, host, chobolo_path, skip_confirm, *, secrets=None):
    pass


NUMBER = 3
"""


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    (tmp_path / "loadplug.py").write_text(textwrap.dedent(PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "loadplug"


def test_targets_follow_dotted_attributes_and_ignore_spaces(plugin):
    assert loading.load_target("loadplug:Outer.Inner.value") == "deep"
    assert loading.load_target(" loadplug : Outer . Inner..value ") == "deep"
    module = loading.load_target("loadplug")
    assert module.__name__ == "loadplug"
    assert loading.load_target("loadplug:") is module


def test_role_kinds(plugin):
    kinds = {
        name: loading.role_kind(loading.load_target(f"loadplug:{name}"))
        for name in ("SdkRole", "DuckRole", "PlanIsNotCallable", "five", "NUMBER")
    }
    assert kinds == {
        "SdkRole": CLASS,
        "DuckRole": CLASS,  # another copy of the SDK: duck typing on plan()
        "PlanIsNotCallable": LEGACY,  # a class is callable: a legacy role taking no arguments
        "five": LEGACY,
        "NUMBER": None,
    }


def test_a_legacy_role_gets_the_secrets_text_only_when_it_can_take_it(plugin):
    accepts = {
        name: loading.legacy_accepts_secrets(loading.load_target(f"loadplug:{name}"))
        for name in ("four", "five", "star", "positional_only", "keyword_secrets")
    }
    assert accepts == {
        "four": False,
        "five": True,
        "star": True,
        "positional_only": True,
        "keyword_secrets": False,  # keyword-only: the host passes the secrets positionally
    }
    assert loading.legacy_accepts_secrets(max) is False  # no signature to read
    assert loading.legacy_accepts_secrets(3) is False


def test_class_roles_describe_themselves_with_plain_values(plugin):
    sdk = loading.load_role("disk", "loadplug:SdkRole", "chaos-disk")
    assert isinstance(sdk, LoadedRole)
    assert sdk.describe() == {
        "tag": "disk",
        "entry_point": "loadplug:SdkRole",
        "plugin": "chaos-disk",
        "kind": CLASS,
        "name": "Disk Layout",
        "needs_secrets": True,
        "necessary_secret_dict_keys": [],
        "necessary_chobolo_keys": [],
    }
    duck = loading.load_role("duck", "loadplug:DuckRole", None)
    # No name: the tag stands in; one key as a string is a list of one.
    assert duck.describe() == {
        "tag": "duck",
        "entry_point": "loadplug:DuckRole",
        "kind": CLASS,
        "name": "duck",
        "needs_secrets": True,
        "necessary_secret_dict_keys": ["users.passwords"],
        "necessary_chobolo_keys": ["users", "7"],
    }
    # A role built against another SDK may declare nothing at all: no secrets, no keys.
    bare = loading.load_role("bare", "loadplug:Bare", None)
    assert (bare.kind, bare.name, bare.needs_secrets) == (CLASS, "bare", False)
    assert (bare.necessary_secret_dict_keys, bare.necessary_chobolo_keys) == ([], [])
    odd = loading.load_role("odd", "loadplug:NotIterableKeys", None)
    assert (odd.name, odd.needs_secrets) == ("42", False)
    assert (odd.necessary_secret_dict_keys, odd.necessary_chobolo_keys) == (["5"], [])


def test_legacy_roles_say_whether_they_take_secrets(plugin):
    five = loading.load_role("old", "loadplug:five", None)
    assert five.describe() == {
        "tag": "old",
        "entry_point": "loadplug:five",
        "kind": LEGACY,
        "name": None,
        "needs_secrets": None,
        "necessary_secret_dict_keys": [],
        "necessary_chobolo_keys": [],
        "accepts_secrets": True,
    }
    assert loading.load_role("old", "loadplug:four", "p").describe()["accepts_secrets"] is False


def test_role_failures_are_error_values_naming_the_role(plugin):
    missing = loading.load_role("gone", "loadplug:Nowhere", None)
    assert missing["kind"] == "plugin_import"
    assert (missing["role"], missing["entry_point"]) == ("gone", "loadplug:Nowhere")
    assert "plugin" not in missing

    number = loading.load_role("num", "loadplug:NUMBER", "chaos-num")
    assert number == {
        "kind": "bad_role",
        "message": "entry point 'loadplug:NUMBER' names a int, not a Role class or a role function",
        "role": "num",
        "entry_point": "loadplug:NUMBER",
        "plugin": "chaos-num",
    }
    assert "plugin" not in loading.load_role("num", "loadplug:NUMBER", None)

    broken = loading.load_role("b", "loadplug:BrokenInit", "chaos-b")
    assert broken["kind"] == "role_init"
    assert broken["message"] == "RuntimeError: needs a config file"
    assert (broken["role"], broken["plugin"]) == ("b", "chaos-b")
