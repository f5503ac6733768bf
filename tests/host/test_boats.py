"""The ``boats`` request (docs/protocol.md §6.8): chaos.boats plugins add fleet hosts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

BOATS = """
from chaos.lib.boats.base import Boat


class Plain(Boat):
    # Connected, no config, no hosts: each boat below changes only what its test is about.
    name = "plain"

    def check_connection(self):
        return True

    def get_fleet_config(self):
        return {}

    def handle_boat_logic(self, fleet_config):
        return []


class Listing(Plain):
    name = "listing"

    def get_fleet_config(self):
        return self.config

    def handle_boat_logic(self, fleet_config):
        print("listing boat says hello")
        return [{h: {"ssh_user": fleet_config.get("user", "root")}} for h in fleet_config["hosts"]]


class Seer(Plain):
    # Adds one host per host it was given: proves it saw the previous boat's output.
    name = "seer"

    def get_fleet(self, chobolo):
        hosts = chobolo.fleet.hosts
        names = hosts.keys() if hasattr(hosts, "keys") else hosts
        seen = [n if isinstance(n, str) else next(iter(n)) for n in names]
        out = super().get_fleet(chobolo)
        out["fleet"]["hosts"] += [{f"seen-{n}": {"groups": ["seen"]}} for n in seen]
        return out


class Offline(Plain):
    name = "offline"

    def check_connection(self):
        return False


class Raises(Plain):
    name = "raises"

    def handle_boat_logic(self, fleet_config):
        raise RuntimeError("the cloud API said 503")


class Garbage(Plain):
    name = "garbage"

    def handle_boat_logic(self, fleet_config):
        return self.config["value"]


class Raw(Plain):
    # Returns whatever its config says as the whole Ch-obolo (bypasses the SDK's checks).
    name = "raw"

    def get_fleet(self, chobolo):
        return self.config["document"]


class Dropper(Plain):
    name = "dropper"

    def get_fleet(self, chobolo):
        return {"fleet": {"hosts": ["new-1"]}}


class Many(Plain):
    name = "many"

    def handle_boat_logic(self, fleet_config):
        return [f"h{i}" for i in range(self.config["count"])]


class Exits(Plain):
    name = "exits"

    def handle_boat_logic(self, fleet_config):
        raise SystemExit(3)


class Picky(Plain):
    name = "picky"

    def __init__(self, config):
        raise ValueError("no region given")


class Undecodable(Plain):
    name = "undecodable"

    def handle_boat_logic(self, fleet_config):
        return ["fine", "bad-\\udcff"]


class Interpolated(Plain):
    # OmegaConf values, as a boat built on the Ch-obolo's own config would return them.
    name = "interpolated"

    def get_fleet(self, chobolo):
        from omegaconf import OmegaConf

        return OmegaConf.create({"region": "eu", "fleet": {"hosts": ["${region}-1"]}})


class NotABoat:
    pass
"""


@pytest.fixture
def host(make_host, plugin_dir):
    plugin_dir("fake_boats", BOATS)
    return make_host()


def boat(provider: str, config: dict | None = None, cls: str | None = None) -> dict:
    name = cls or provider.capitalize()
    spec = {"provider": provider, "target": f"fake_boats:{name}", "plugin": "fake-boats"}
    if config is not None:
        spec["config"] = config
    return spec


def failure(host, params: dict) -> dict:
    reply, _ = host.request("boats", params)
    assert reply["ok"] is False, reply
    return reply["error"]


def test_boats_is_announced(host):
    assert "boats" in host.hello["capabilities"]


def test_boats_run_in_order_each_seeing_the_previous(host, tmp_path):
    chobolo = tmp_path / "box.yml"
    chobolo.write_text("fleet:\n  hosts:\n    static-1: {ssh_user: me}\nusers: [alice]\n")
    result = host.call(
        "boats",
        {
            "chobolo_path": str(chobolo),
            "boats": [
                boat("listing", {"hosts": ["b-1", "b-2"], "user": "deploy"}),
                boat("seer"),
            ],
        },
    )
    names = [h["name"] for h in result["hosts"]]
    # The seer saw the Ch-obolo's host and the listing boat's two.
    assert names == ["b-1", "b-2", "seen-static-1", "seen-b-1", "seen-b-2"]
    assert result["hosts"][0] == {
        "name": "b-1",
        "data": {"ssh_user": "deploy"},
        "groups": [],
        "boat": "listing",
        "boat_index": 0,
    }
    assert result["hosts"][2]["groups"] == ["seen"]
    assert "groups" not in result["hosts"][2]["data"]
    assert [(b["provider"], b["plugin"], b["added"]) for b in result["boats"]] == [
        ("listing", "fake-boats", 2),
        ("seer", "fake-boats", 3),
    ]
    # What the boat printed went to the host's stdout (the user's terminal), not the pipe.
    assert "listing boat says hello" in host.stdout()


def test_order_matters(host, tmp_path):
    chobolo = tmp_path / "box.yml"
    chobolo.write_text("fleet: {hosts: [s]}\n")
    result = host.call(
        "boats",
        {
            "chobolo_path": str(chobolo),
            "boats": [boat("seer"), boat("listing", {"hosts": ["b-1"]})],
        },
    )
    assert [h["name"] for h in result["hosts"]] == ["seen-s", "b-1"]


def test_the_same_boat_twice_with_two_configs(host):
    result = host.call(
        "boats",
        {
            "boats": [
                boat("listing", {"hosts": ["eu-1"]}),
                boat("listing", {"hosts": ["us-1"]}),
            ]
        },
    )
    assert [h["name"] for h in result["hosts"]] == ["eu-1", "us-1"]
    assert [b["added"] for b in result["boats"]] == [1, 1]


def test_unknown_provider_lists_the_installed_ones(host):
    error = failure(host, {"boats": [{"provider": "nope"}]})
    assert error["kind"] == "boat"
    assert "no installed plugin provides boat 'nope'" in error["message"]
    assert "installed boats:" in error["message"]
    assert error["boat"] == "nope"


def test_a_boat_given_by_name_only_is_found_with_its_plugin(make_host, plugin_dir):
    """The core normally resolves each boat's entry point; when it sends only the name, the
    host finds it among the installed chaos.boats entry points, and the distribution that
    provides it is the plugin named in the result and in errors."""
    plugin_dir("fake_boats", BOATS)
    dist_info = Path(plugin_dir.path) / "fleet_boats_dist-2.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fleet-boats-dist\nVersion: 2.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[chaos.boats]\nlisting = fake_boats:Listing\nraises = fake_boats:Raises\n"
    )
    host = make_host()
    result = host.call("boats", {"boats": [{"provider": "listing", "config": {"hosts": ["n-1"]}}]})
    assert [(b["provider"], b["plugin"], b["added"]) for b in result["boats"]] == [
        ("listing", "fleet-boats-dist", 1)
    ]
    error = failure(host, {"boats": [{"provider": "raises"}]})
    assert (error["plugin"], error["entry_point"]) == ("fleet-boats-dist", "fake_boats:Raises")
    error = failure(host, {"boats": [{"provider": "nope"}]})
    installed = error["message"].split("(installed boats: ", 1)[1].rstrip(")").split(", ")
    assert {"listing", "raises"} <= set(installed) and installed == sorted(installed)


def test_an_exception_names_boat_plugin_and_cause(host):
    error = failure(host, {"boats": [boat("raises")]})
    assert error["kind"] == "boat"
    assert "boat 'raises' (plugin fake-boats)" in error["message"]
    assert "RuntimeError: the cloud API said 503" in error["message"]
    assert error["plugin"] == "fake-boats" and error["entry_point"] == "fake_boats:Raises"
    assert "the cloud API said 503" in error["traceback"]
    # The host keeps serving.
    assert host.call("boats", {"boats": [boat("listing", {"hosts": ["x"]})]})["hosts"]


def test_no_connection_and_sys_exit_are_errors(host):
    offline = failure(host, {"boats": [boat("offline")]})
    assert "failed to establish a connection" in offline["message"]
    assert "boat 'offline'" in offline["message"]
    exits = failure(host, {"boats": [boat("exits")]})
    assert "sys.exit(3)" in exits["message"]


def test_an_import_failure_and_a_class_that_is_no_boat(host):
    missing = failure(
        host, {"boats": [{"provider": "gone", "target": "no_such_module:X", "plugin": "p"}]}
    )
    assert "boat 'gone' (plugin p): cannot import no_such_module:X" in missing["message"]
    assert "ModuleNotFoundError" in missing["message"]
    wrong = failure(host, {"boats": [boat("wrong", cls="NotABoat")]})
    assert "is not a boat class" in wrong["message"]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("just text", "returned str from handle_boat_logic"),
        (42, "returned int"),
        ([["a", "b"]], "host #1 is a list"),
        ([{"a": 1, "b": 2}], "host #1 is a dict, not a name"),
        ([""], "host #1 has no name"),
        ([7], "host #1 is a int"),
        (["has space"], "has a space or control character"),
        (["bad\nname"], "has a space or control character"),
        (["bad\x7fname"], "has a space or control character"),
        (["-oProxyCommand=x"], "starts with '-'"),
        (["@"], "names no connector"),
        (["@/x"], "names no connector"),
        (["x" * 2000], "longer than 1024 bytes"),
        ([{"h": ["not", "a", "mapping"]}], "not a mapping of connector settings"),
        ([{"h": {"groups": [1]}}], "must be a list of names"),
        ([{"h": {"blob": "x" * 70000}}], "larger than 64 KiB"),
        (["dup", "dup"], "added host 'dup', which the fleet already has (from boat 'garbage'"),
    ],
)
def test_garbage_from_a_boat_is_an_error_naming_it(host, value, said):
    error = failure(host, {"boats": [boat("garbage", {"value": value})]})
    assert error["kind"] == "boat", error
    assert said in error["message"], error["message"]
    assert "garbage" in error["message"]


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ("text", "get_fleet() returned a str, not the Ch-obolo"),
        ({"fleet": [1]}, "`fleet` is a list, not a mapping"),
        ({"fleet": {"hosts": 5}}, "`fleet.hosts` is a int"),
        ({"fleet": {"hosts": []}}, "dropped host 's' it was given"),
        ({"fleet": {"hosts": [{"s": {"ssh_user": "evil"}}]}}, "changed host 's'"),
    ],
)
def test_a_boat_result_that_is_not_a_chobolo_or_changes_hosts(host, tmp_path, document, said):
    chobolo = tmp_path / "box.yml"
    chobolo.write_text("fleet: {hosts: [s]}\n")
    error = failure(
        host, {"chobolo_path": str(chobolo), "boats": [boat("raw", {"document": document})]}
    )
    assert said in error["message"], error["message"]


def test_a_boat_adding_a_chobolo_host_is_a_duplicate_naming_both(host, tmp_path):
    chobolo = tmp_path / "box.yml"
    chobolo.write_text("fleet: {hosts: [s]}\n")
    error = failure(
        host, {"chobolo_path": str(chobolo), "boats": [boat("listing", {"hosts": ["s"]})]}
    )
    assert "added host 's', which the fleet already has (from the Ch-obolo)" in error["message"]
    first = boat("listing", {"hosts": ["b"]})
    second = boat("listing", {"hosts": ["b"]})
    error = failure(host, {"boats": [first, second]})
    assert "from boat 'listing' (plugin fake-boats)" in error["message"]


def test_huge_output_is_refused(host):
    error = failure(host, {"boats": [boat("many", {"count": 20000})]})
    assert "20,000 hosts, more than chaos takes (10,000)" in error["message"]
    assert len(json.dumps(error)) < 10_000


def test_dropping_the_only_given_hosts_is_refused_even_when_adding(host, tmp_path):
    chobolo = tmp_path / "box.yml"
    chobolo.write_text("fleet: {hosts: [s, t]}\n")
    error = failure(host, {"chobolo_path": str(chobolo), "boats": [boat("dropper")]})
    assert "dropped hosts 's', 't'" in error["message"]


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({}, "'boats' must be a non-empty list"),
        ({"boats": []}, "'boats' must be a non-empty list"),
        ({"boats": ["x"]}, "boats[0] must be an object"),
        ({"boats": [{"provider": ""}]}, "boats[0].provider"),
        ({"boats": [{"provider": "x", "target": "::"}]}, "boats[0].target"),
        ({"boats": [{"provider": "x", "plugin": 3}]}, "boats[0].plugin must be a string"),
        ({"boats": [{"provider": "x"}], "chobolo_path": 3}, "'chobolo_path'"),
    ],
)
def test_bad_params(host, params, said):
    error = failure(host, params)
    assert error["kind"] == "bad_params" and said in error["message"]


def test_a_boat_that_refuses_its_config_or_names_a_host_badly(host):
    error = failure(host, {"boats": [boat("picky")]})
    assert error["message"] == (
        "boat 'picky' (plugin fake-boats): could not be created with its config: "
        "ValueError: no region given"
    )
    error = failure(host, {"boats": [boat("undecodable")]})
    assert error["message"] == (
        "boat 'undecodable' (plugin fake-boats): host #2's name is not valid UTF-8"
    )


def test_omegaconf_values_from_a_boat_are_resolved(host):
    result = host.call("boats", {"boats": [boat("interpolated")]})
    assert [h["name"] for h in result["hosts"]] == ["eu-1"]


def test_the_size_limits_are_inclusive(host):
    """Exactly 64 KiB of JSON data for a host is accepted (a byte more is not), exactly 10,000
    hosts, and a host name of exactly 1024 bytes."""
    blob = "x" * (64 * 1024 - len(json.dumps({"blob": ""})))
    result = host.call("boats", {"boats": [boat("garbage", {"value": [{"h": {"blob": blob}}]})]})
    assert len(json.dumps(result["hosts"][0]["data"])) == 64 * 1024
    more = [{"h": {"blob": blob + "x"}}]
    error = failure(host, {"boats": [boat("garbage", {"value": more})]})
    assert "the data of host 'h' is larger than 64 KiB" in error["message"]
    result = host.call("boats", {"boats": [boat("many", {"count": 10_000})]})
    assert len(result["hosts"]) == 10_000
    result = host.call("boats", {"boats": [boat("garbage", {"value": ["n" * 1024]})]})
    assert [h["name"] for h in result["hosts"]] == ["n" * 1024]


def test_one_group_may_be_given_as_a_string_and_a_connector_host_is_a_name(host):
    value = [{"web-1": {"groups": "web"}}, "@local"]
    result = host.call("boats", {"boats": [boat("garbage", {"value": value})]})
    assert [(h["name"], h["groups"]) for h in result["hosts"]] == [
        ("web-1", ["web"]),
        ("@local", []),
    ]


def test_a_config_that_is_not_a_mapping(host):
    error = failure(host, {"boats": [{**boat("listing"), "config": [1, 2]}]})
    assert error["kind"] == "boat" and "must be a mapping" in error["message"]


def test_an_unreadable_chobolo_is_a_chobolo_error(host, tmp_path):
    chobolo = tmp_path / "box.yml"
    chobolo.write_text("fleet: [unclosed\n")
    error = failure(host, {"chobolo_path": str(chobolo), "boats": [boat("listing")]})
    assert error["kind"] == "chobolo" and error["file"] == str(chobolo)
