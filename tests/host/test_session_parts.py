"""The pure parts of an apply session, read directly: request parameters (params), what a
role's delta() returned (deltas), the per-operation records (operations) and the secrets each
role receives (secrets). Exact kinds and messages: the core shows them to users as they are."""

from __future__ import annotations

import pytest
from chaos.host.deltas import delta_parts, is_empty
from chaos.host.errors import HostError
from chaos.host.loading import CLASS, LoadedRole
from chaos.host.operations import OpTable
from chaos.host.params import get_param, hosts_param, max_fail_param, roles_param
from chaos.host.secrets import document_param, lookup, role_secrets


def _refused(call, *args) -> str:
    with pytest.raises(HostError) as caught:
        call(*args)
    assert caught.value.kind == "bad_params"
    return caught.value.message


def test_get_param_defaults_types_and_messages():
    assert get_param({}, "n", (int,), 7) == 7
    assert get_param({"n": None}, "n", (int,), 7) == 7
    assert get_param({"n": 0}, "n", (int,), 7) == 0
    assert get_param({"b": False}, "b", (bool,), True) is False
    assert _refused(get_param, {"n": "3"}, "n", (int,), 0) == "'n' must be int, got str"
    # bool is an int subclass; a count must still refuse it
    assert _refused(get_param, {"n": True}, "n", (int,), 0) == "'n' must be int, got bool"
    assert (
        _refused(get_param, {"p": 1.5}, "p", (str, int), None) == "'p' must be str/int, got float"
    )


def test_roles_param_accepts_specs_and_names_each_fault():
    good = [
        {"tag": "a", "target": "m:A"},
        {"tag": "b", "target": "m.n:B", "plugin": "p"},
        {"tag": "c", "target": "module_only"},
    ]
    assert roles_param({"roles": good}) == [
        ("a", "m:A", None),
        ("b", "m.n:B", "p"),
        ("c", "module_only", None),
    ]
    assert roles_param({}) == []
    cases = [
        (["x"], "roles[0] must be an object"),
        ([{"tag": "", "target": "m:A"}], "roles[0].tag must be a non-empty string"),
        ([{"tag": 3, "target": "m:A"}], "roles[0].tag must be a non-empty string"),
        ([{"target": "m:A"}], "roles[0].tag must be a non-empty string"),
        (
            [{"tag": "a", "target": "m:A"}, {"tag": "b", "target": "m:"}],
            "roles[1].target must be 'module:attr'",
        ),
        ([{"tag": "a", "target": ":A"}], "roles[0].target must be 'module:attr'"),
        ([{"tag": "a", "target": 7}], "roles[0].target must be 'module:attr'"),
        ([{"tag": "a", "target": "m:A", "plugin": 5}], "roles[0].plugin must be a string"),
        (
            [{"tag": "a", "target": "m:A"}, {"tag": "a", "target": "m:B"}],
            "role 'a' is listed twice",
        ),
    ]
    for roles, message in cases:
        assert _refused(roles_param, {"roles": roles}) == message


def test_hosts_param_names_and_data():
    assert hosts_param({}) == ["@local"]
    assert hosts_param({"hosts": ["a", ["b", {"k": 1}]]}) == ["a", ("b", {"k": 1})]
    for bad in ([""], [["b"]], [["", {}]], [["", {"k": 1}]], [["b", []]], [3], [["b", {}, 1]]):
        assert _refused(hosts_param, {"hosts": bad}) == "hosts[0] must be a name or [name, {data}]"
    assert _refused(hosts_param, {"hosts": []}) == "'hosts' is empty"


def test_max_fail_param_is_a_count_or_a_share_below_all():
    assert max_fail_param({}) is None
    assert max_fail_param({"max_fail": {"hosts": 0}}) == ("hosts", 0.0)
    assert max_fail_param({"max_fail": {"percent": 12.5}}) == ("percent", 12.5)
    assert max_fail_param({"max_fail": {"percent": 0}}) == ("percent", 0.0)  # any failure stops
    message = "'max_fail' must be {hosts: N >= 0} or {percent: 0 <= P < 100}"
    for bad in (
        {"hosts": -1},
        {"hosts": 1.5},
        {"hosts": True},
        {"percent": 100},
        {"percent": -1},
        {"percent": "5"},
        {"hosts": 1, "percent": 5},
        {},
    ):
        assert _refused(max_fail_param, {"max_fail": bad}) == message


class _Obj:
    def __init__(self, **parts):
        self.__dict__.update(parts)


def test_delta_parts_reads_objects_and_mappings_and_refuses_the_rest():
    assert delta_parts({"to_add": {"a": [1]}}) == ({"a": [1]}, {}, {})
    assert delta_parts(_Obj(to_add=None, to_remove={"r": 1}, metadata={"m": 2})) == (
        {},
        {"r": 1},
        {"m": 2},
    )
    assert delta_parts({"metadata": {}}) is None  # neither to_add nor to_remove
    # present but null is not absent: an empty delta, not a malformed one
    assert delta_parts({"to_add": None, "to_remove": None}) == ({}, {}, {})
    assert delta_parts({"to_add": ["not", "a", "mapping"]}) is None
    assert delta_parts(42) is None


def test_is_empty_follows_the_sdk_and_assumes_changes_when_truthiness_fails():
    assert is_empty({}, {}) is True
    assert is_empty({"a": []}, {"b": {}}) is True
    assert is_empty({"a": [1]}, {}) is False
    assert is_empty({}, {"b": "x"}) is False

    class Broken:
        def __bool__(self):
            raise RuntimeError("no")

    assert is_empty({"a": Broken()}, {}) is False


def test_op_table_keeps_one_record_per_host_and_hash():
    ops = OpTable()
    assert ops.find("h", "1") is None
    first = ops("h", "1")
    first.role = "r"
    assert ops("h", "1") is first and ops.find("h", "1") is first
    assert ops.find("h", "2") is None and ops.find("g", "1") is None
    second = ops("g", "1")
    assert [r for r in ops] == [first, second]
    assert (second.host, second.op_hash, second.role, second.started, second.done) == (
        "g",
        "1",
        None,
        None,
        None,
    )
    assert second.notes.names == [] and second.notes.messages == []


def _role(kind=CLASS, needs=True, keys=(), accepts=None) -> LoadedRole:
    return LoadedRole("t", "m:T", None, kind, object(), None, needs, list(keys), [], accepts)


def test_each_role_receives_what_it_asked_for_or_names_what_is_missing():
    data = {"app": {"token": "x", "db": {"user": "u"}}, "top": 1}
    assert lookup(data, "app.db.user") == "u"
    assert role_secrets(_role(keys=["app.db", "top"]), data, "text") == (
        {"app.db": {"user": "u"}, "top": 1},
        [],
    )
    assert role_secrets(_role(keys=["."]), data, "text") == (data, [])
    # "." merges the whole file and the names after it are still looked up
    assert role_secrets(_role(keys=[".", "app.nope"]), data, "t") == (data, ["app.nope"])
    # a key that is present with a null value is present, not missing
    assert role_secrets(_role(keys=["empty"]), {"empty": None}, "t") == ({"empty": None}, [])
    assert role_secrets(_role(keys=["app.nope", "top", "top.deeper"]), data, "t") == (
        {"top": 1},
        ["app.nope", "top.deeper"],
    )
    assert role_secrets(_role(needs=False, keys=["top"]), data, "t") == ({}, [])
    assert role_secrets(_role(kind="legacy", needs=None, accepts=True), data, "the text") == (
        "the text",
        [],
    )


def test_secrets_document_param_is_checked():
    assert document_param(None) is None
    assert document_param({"data": {"a": 1}, "text": "a: 1\n"}) == ({"a": 1}, "a: 1\n")
    for bad in ("text", {"data": [], "text": ""}, {"data": {}}, {"data": {}, "text": 3}):
        assert (
            _refused(document_param, bad)
            == "'secrets_document' must be {data: object, text: string}"
        )
