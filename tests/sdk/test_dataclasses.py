"""Payload contract: fresh defaults, equality, repr, dict round trips, generics."""

from __future__ import annotations

import pickle

import pytest
from chaos.lib.args.dataclasses import (
    ApplyPayload,
    BasePayload,
    DataGatherPayload,
    DataGatherRequest,
    Delta,
    ProviderConfigPayload,
    ProviderExportArgs,
    ProviderImportArgs,
    ResultPayload,
    SecretsContext,
    SecretsExportPayload,
    SecretsImportPayload,
)

ALL_PAYLOADS = [
    Delta,
    ResultPayload,
    DataGatherPayload,
    DataGatherRequest,
    ProviderConfigPayload,
    ProviderExportArgs,
    ProviderImportArgs,
    SecretsContext,
    SecretsExportPayload,
    SecretsImportPayload,
    ApplyPayload,
]


# ---- Delta ----


def test_delta_defaults_are_empty_dicts():
    d = Delta()
    assert d.to_add == {} and d.to_remove == {} and d.metadata == {}
    assert type(d.to_add) is dict


def test_delta_defaults_are_fresh_per_instance():
    a, b = Delta(), Delta()
    a.to_add["x"] = [1]
    a.metadata["m"] = 1
    assert b.to_add == {} and b.metadata == {}
    assert a.to_add is not b.to_add and a.to_remove is not b.to_remove


def test_delta_keeps_given_values():
    d = Delta(to_add={"pkgs": ["vim"]}, to_remove={"pkgs": ["nano"]}, metadata={"k": 1})
    assert d.to_add == {"pkgs": ["vim"]}
    assert d.to_remove == {"pkgs": ["nano"]}
    assert d.metadata == {"k": 1}


def test_delta_rejects_non_mapping():
    with pytest.raises(TypeError, match="to_add"):
        Delta(to_add=["vim"])


@pytest.mark.parametrize(
    ("delta", "empty"),
    [
        (Delta(), True),
        (Delta(to_add={"files": []}, to_remove={"files": []}), True),
        (Delta(to_add={"files": [], "dirs": None}), True),
        (Delta(to_add={"files": ["a"]}), False),
        (Delta(to_remove={"files": ["a"]}), False),
        (Delta(to_add={"force_run": "this"}), False),
        (Delta(metadata={"root": "/x"}), True),
    ],
)
def test_delta_is_empty(delta, empty):
    assert delta.is_empty() is empty


def test_delta_equality_and_slots():
    assert Delta(to_add={"a": [1]}) == Delta(to_add={"a": [1]})
    assert Delta(to_add={"a": [1]}) != Delta(to_add={"a": [2]})
    assert Delta(metadata={"a": 1}) != Delta()
    with pytest.raises(AttributeError):
        Delta().to_addd = {}  # a typo must not silently create a field


def test_delta_repr_lists_fields_in_constructor_order():
    d = Delta(to_add={"a": [1]})
    assert repr(d) == "Delta(to_add={'a': [1]}, to_remove={}, metadata={})"


def test_delta_round_trip():
    d = Delta(to_add={"a": [1, 2]}, to_remove={"b": ["x"]}, metadata={"root": "/tmp"})
    as_dict = d.to_dict()
    assert as_dict == {
        "to_add": {"a": [1, 2]},
        "to_remove": {"b": ["x"]},
        "metadata": {"root": "/tmp"},
    }
    assert Delta.from_dict(as_dict) == d


def test_delta_usable_as_default_argument():
    def plan(delta=Delta()):  # noqa: B008 - exactly how plugins use it
        return delta

    assert plan() == Delta()


# ---- ResultPayload ----


def test_result_defaults_and_fresh_lists():
    a, b = ResultPayload(True), ResultPayload(True)
    assert a.message == [] and a.error == [] and a.data is None
    a.message.append("hi")
    assert b.message == []


def test_result_positional_arguments_follow_original_order():
    r = ResultPayload(False, ["m"], {"k": 1}, ["e"])
    assert (r.success, r.message, r.data, r.error) == (False, ["m"], {"k": 1}, ["e"])


def test_result_wraps_a_lone_string():
    r = ResultPayload(False, message="one", error="boom")
    assert r.message == ["one"]
    assert r.error == ["boom"]


def test_result_rejects_non_list_messages():
    with pytest.raises(TypeError, match="error"):
        ResultPayload(False, error=3)


def test_result_equality_and_repr():
    assert ResultPayload(True, data=1) == ResultPayload(True, data=1)
    assert ResultPayload(True, data=1) != ResultPayload(True, data=2)
    assert ResultPayload(True) != ResultPayload(False)
    assert repr(ResultPayload(True, ["ok"], 5)) == (
        "ResultPayload(success=True, message=['ok'], data=5, error=[])"
    )


def test_result_generic_subscription():
    alias = ResultPayload[int]
    r = alias(True, data=3)
    assert isinstance(r, ResultPayload)
    assert r == ResultPayload(True, data=3)
    assert ResultPayload[dict[str, int]].__origin__ is ResultPayload


def test_result_to_dict_converts_nested_payloads():
    r = ResultPayload(True, data={"delta": Delta(to_add={"a": [1]}), "list": [Delta()]})
    assert r.to_dict() == {
        "success": True,
        "message": [],
        "data": {
            "delta": {"to_add": {"a": [1]}, "to_remove": {}, "metadata": {}},
            "list": [{"to_add": {}, "to_remove": {}, "metadata": {}}],
        },
        "error": [],
    }


def test_result_round_trip_and_unknown_keys_ignored():
    r = ResultPayload(False, ["m"], [1, 2], ["e"])
    d = r.to_dict()
    d["added_by_a_newer_version"] = True
    assert ResultPayload.from_dict(d) == r


def test_from_dict_missing_required_field():
    with pytest.raises(TypeError):
        ResultPayload.from_dict({"message": ["m"]})


def test_from_dict_rejects_non_mapping():
    with pytest.raises(TypeError, match="mapping"):
        Delta.from_dict([("to_add", {})])


# ---- equality across classes ----


def test_equality_requires_same_class():
    assert ProviderExportArgs(provider="x") != ProviderImportArgs(provider="x")
    assert Delta() != {"to_add": {}, "to_remove": {}, "metadata": {}}


def test_payloads_are_not_hashable():
    with pytest.raises(TypeError):
        hash(Delta())


# ---- the other payloads ----


def test_every_payload_round_trips_from_defaults():
    samples = {
        ResultPayload: ResultPayload(True),
        DataGatherPayload: DataGatherPayload("n", "p"),
        DataGatherRequest: DataGatherRequest("req"),
    }
    for cls in ALL_PAYLOADS:
        obj = samples.get(cls) or cls()
        rebuilt = cls.from_dict(obj.to_dict())
        assert rebuilt == obj, cls.__name__
        assert rebuilt is not obj


def test_every_payload_repr_names_all_fields():
    for cls in ALL_PAYLOADS:
        fields = cls._fields
        assert fields, cls.__name__
        obj = (
            cls(True)
            if cls is ResultPayload
            else cls("n", "p")
            if cls is DataGatherPayload
            else cls("n")
            if cls is DataGatherRequest
            else cls()
        )
        text = repr(obj)
        assert text.startswith(f"{cls.__name__}(")
        for field in fields:
            assert f"{field}=" in text


def test_nested_payloads_rebuilt_by_from_dict():
    ctx = SecretsContext(
        team="acme.ops",
        provider_config=ProviderConfigPayload("bw.age", {"from_bw": ["item", "age"]}),
    )
    payload = SecretsExportPayload(
        context=ctx,
        provider="bw",
        key_type="age",
        item_name="laptop",
        fingerprints=["AB" * 20],
        provider_args=ProviderExportArgs("bw", {"collection": "c1"}),
    )
    rebuilt = SecretsExportPayload.from_dict(payload.to_dict())
    assert isinstance(rebuilt.context, SecretsContext)
    assert isinstance(rebuilt.context.provider_config, ProviderConfigPayload)
    assert isinstance(rebuilt.provider_args, ProviderExportArgs)
    assert rebuilt == payload


def test_data_gather_request_rebuilds_field_list():
    req = DataGatherRequest(
        "apply",
        [
            DataGatherPayload("password", "Sudo password:", "secret", required=True),
            DataGatherPayload("engine", "Engine?", "choice", choices=["age", "gpg"], default="age"),
        ],
    )
    rebuilt = DataGatherRequest.from_dict(req.to_dict())
    assert [type(f) for f in rebuilt.fields] == [DataGatherPayload, DataGatherPayload]
    assert rebuilt == req


def test_data_gather_payload_validates_input_type():
    with pytest.raises(ValueError, match="input_type"):
        DataGatherPayload("x", "X?", input_type="float")


def test_secrets_context_default_provider_config_is_fresh():
    a, b = SecretsContext(), SecretsContext()
    a.provider_config.ephemeral_provider_args["from_bw"] = ("i", "age")
    assert b.provider_config.ephemeral_provider_args == {}


def test_apply_payload_defaults():
    a, b = ApplyPayload(), ApplyPayload()
    assert a.target_hosts == ["@local"]
    assert a.tags == []
    assert a.global_config == {}
    a.target_hosts.append("web1")
    a.tags.append("x")
    assert b.target_hosts == ["@local"] and b.tags == []


def test_apply_payload_repr_redacts_secrets_but_to_dict_keeps_them():
    p = ApplyPayload(tags=["users"], password="hunter2", decrypted_secrets={"k": "v"})
    text = repr(p)
    assert "hunter2" not in text and "'k': 'v'" not in text
    assert "password='***'" in text
    assert "confirmed_password=None" in text  # unset secrets are shown as None
    assert p.to_dict()["password"] == "hunter2"
    assert ApplyPayload.from_dict(p.to_dict()) == p


def test_subclass_without_slots_is_rejected():
    with pytest.raises(TypeError, match="__slots__"):

        class Loose(BasePayload):
            def __init__(self, a=1):
                self.a = a


def test_subclass_fields_follow_constructor_and_inherit():
    class Base(BasePayload):
        __slots__ = ("b", "a")  # noqa: RUF023 - unsorted on purpose: order must not matter

        def __init__(self, a=1, b=2):
            self.a, self.b = a, b

    class Child(Base):
        __slots__ = ("c",)

        def __init__(self, a=1, b=2, c=3):
            super().__init__(a, b)
            self.c = c

    assert Base._fields == ("a", "b")
    assert Child._fields == ("a", "b", "c")
    assert repr(Child()) == "Child(a=1, b=2, c=3)"
    assert Child.from_dict({"c": 9, "zzz": 0}) == Child(c=9)


def test_payloads_pickle():
    # The role host may ship payloads between processes; slots classes need explicit support.
    d = Delta(to_add={"a": [1]})
    assert pickle.loads(pickle.dumps(d)) == d
    r = ResultPayload(True, data={"x": 1})
    assert pickle.loads(pickle.dumps(r)) == r
