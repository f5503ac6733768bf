"""Boat base class: name guard, config handling, get_fleet."""

from __future__ import annotations

from abc import abstractmethod

import pytest
from chaos.lib.boats.base import Boat


class ListBoat(Boat):
    name = "list-boat"

    def __init__(self, config=None, *, connected=True, found=None):
        super().__init__(config)
        self.connected = connected
        self.found = found if found is not None else []
        self.seen_fleet_config = None

    def check_connection(self):
        return self.connected

    def get_fleet_config(self):
        return {"count": self.config.get("count", 1)}

    def handle_boat_logic(self, fleet_config):
        self.seen_fleet_config = fleet_config
        return self.found


def test_concrete_subclass_without_name_is_rejected():
    with pytest.raises(TypeError, match="NoName.*name"):

        class NoName(Boat):
            def check_connection(self):
                return True

            def get_fleet_config(self):
                return {}

            def handle_boat_logic(self, fleet_config):
                return []


def test_empty_or_non_string_name_is_rejected():
    with pytest.raises(TypeError, match="non-empty string"):

        class Blank(ListBoat):
            name = "  "

    with pytest.raises(TypeError, match="non-empty string"):

        class AsProperty(ListBoat):
            @property
            def name(self):
                return "x"


def test_abstract_intermediate_class_may_omit_name():
    class CloudBoat(Boat):
        @abstractmethod
        def region(self): ...

    class Aws(CloudBoat):
        name = "aws"

        def region(self):
            return "eu"

        def check_connection(self):
            return True

        def get_fleet_config(self):
            return {}

        def handle_boat_logic(self, fleet_config):
            return []

    assert Aws.name == "aws"  # readable on the class, as the host needs
    with pytest.raises(TypeError):
        CloudBoat({})


def test_config_is_kept_as_plain_dict():
    from types import MappingProxyType

    boat = ListBoat(MappingProxyType({"count": 2, "nested": MappingProxyType({"a": [1]})}))
    assert boat.config == {"count": 2, "nested": {"a": [1]}}
    assert type(boat.config["nested"]) is dict
    assert ListBoat().config == {}
    with pytest.raises(TypeError, match="mapping"):
        ListBoat(["count", 2])


def test_config_from_omegaconf():
    omegaconf = pytest.importorskip("omegaconf")
    cfg = omegaconf.OmegaConf.create({"count": 3, "ip": "${base}.1", "base": "10.0.0"})
    boat = ListBoat(cfg)
    assert boat.config == {"count": 3, "ip": "10.0.0.1", "base": "10.0.0"}
    assert type(boat.config) is dict


def test_get_fleet_appends_to_list_hosts_and_copies():
    chobolo = {"fleet": {"hosts": ["web1", {"db1": {"ssh_user": "admin"}}]}, "users": ["ana"]}
    new = [{"mock-1": {"ip": "10.0.0.10"}}, "mock-2"]
    boat = ListBoat({"count": 2}, found=new)
    result = boat.get_fleet(chobolo)
    assert result["fleet"]["hosts"] == [
        "web1",
        {"db1": {"ssh_user": "admin"}},
        {"mock-1": {"ip": "10.0.0.10"}},
        "mock-2",
    ]
    assert result["users"] == ["ana"]
    assert boat.seen_fleet_config == {"count": 2}
    # the input is untouched and the result shares nothing with it or the boat's data
    assert chobolo["fleet"]["hosts"] == ["web1", {"db1": {"ssh_user": "admin"}}]
    result["fleet"]["hosts"][1]["db1"]["ssh_user"] = "changed"
    result["fleet"]["hosts"][2]["mock-1"]["ip"] = "changed"
    assert chobolo["fleet"]["hosts"][1]["db1"]["ssh_user"] == "admin"
    assert new[0]["mock-1"]["ip"] == "10.0.0.10"


def test_get_fleet_normalises_mapping_hosts():
    chobolo = {"fleet": {"hosts": {"web1": {"ssh_port": 22}, "web2": None}}}
    result = ListBoat(found=["mock-1"]).get_fleet(chobolo)
    assert result["fleet"]["hosts"] == [{"web1": {"ssh_port": 22}}, {"web2": None}, "mock-1"]
    assert isinstance(chobolo["fleet"]["hosts"], dict)


def test_get_fleet_wraps_a_dict_result():
    result = ListBoat(found={"solo": {"ip": "1.2.3.4"}}).get_fleet({"fleet": {"hosts": []}})
    assert result["fleet"]["hosts"] == [{"solo": {"ip": "1.2.3.4"}}]


def test_get_fleet_without_fleet_section():
    result = ListBoat(found=["a"]).get_fleet({"other": 1})
    assert result == {"other": 1, "fleet": {"hosts": ["a"]}}
    result = ListBoat(found=["a"]).get_fleet({"fleet": {"parallelism": 4}})
    assert result == {"fleet": {"parallelism": 4, "hosts": ["a"]}}


@pytest.mark.parametrize("bad", ["web1", ("a", "b"), 3, None])
def test_get_fleet_rejects_other_result_types(bad):
    boat = ListBoat()
    boat.found = bad
    with pytest.raises(ValueError, match="list-boat"):
        boat.get_fleet({"fleet": {"hosts": []}})


def test_get_fleet_rejects_bad_hosts_shape():
    with pytest.raises(ValueError, match="fleet.hosts"):
        ListBoat(found=[]).get_fleet({"fleet": {"hosts": "web1"}})


def test_get_fleet_not_connected():
    boat = ListBoat(connected=False, found=["a"])
    with pytest.raises(ConnectionError, match="list-boat"):
        boat.get_fleet({"fleet": {"hosts": []}})
    assert boat.seen_fleet_config is None  # no discovery without a connection


def test_get_fleet_accepts_omegaconf_chobolo():
    omegaconf = pytest.importorskip("omegaconf")
    chobolo = omegaconf.OmegaConf.create({"fleet": {"hosts": ["web1"]}, "x": "${fleet.hosts[0]}"})
    result = ListBoat(found=["b"]).get_fleet(chobolo)
    assert result == {"fleet": {"hosts": ["web1", "b"]}, "x": "web1"}
    assert type(result) is dict
