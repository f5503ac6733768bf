"""The example boat examples/chaos-file-boat: hosts from a file or from a command's JSON."""

from __future__ import annotations

import json
import sys

import pytest

from .conftest import EXAMPLES

sys.path.insert(0, str(EXAMPLES / "chaos-file-boat" / "src"))

from chaos_file_boat.boat import FileBoat


def hosts(config, chobolo=None):
    return FileBoat(config=config).get_fleet(chobolo or {})["fleet"]["hosts"]


def test_a_yaml_mapping_with_defaults_and_groups(tmp_path):
    found = tmp_path / "hosts.yml"
    found.write_text("web-1: {ssh_port: 2222, groups: [web]}\nweb-2:\n")
    got = hosts(
        {"path": str(found), "defaults": {"ssh_user": "deploy", "ssh_port": 22}, "groups": ["f"]},
        {"fleet": {"hosts": {"db-1": {"ssh_user": "pg"}}}},
    )
    assert got == [
        {"db-1": {"ssh_user": "pg"}},
        {"web-1": {"ssh_user": "deploy", "ssh_port": 2222, "groups": ["web", "f"]}},
        {"web-2": {"ssh_user": "deploy", "ssh_port": 22, "groups": ["f"]}},
    ]


def test_a_json_list_under_hosts(tmp_path):
    found = tmp_path / "hosts.json"
    found.write_text(json.dumps({"hosts": ["a", {"b": {"ssh_user": "ci"}}]}))
    assert hosts({"path": str(found)}) == [{"a": {}}, {"b": {"ssh_user": "ci"}}]


def test_a_command_runs_without_a_shell(tmp_path):
    # "$HOME" and ";" reach the program as they are: nothing is expanded or split.
    printer = "import json, sys; print(json.dumps({sys.argv[1]: {'arg': sys.argv[2]}}))"
    got = hosts({"command": [sys.executable, "-c", printer, "h-1", "$HOME; rm -rf /"]})
    assert got == [{"h-1": {"arg": "$HOME; rm -rf /"}}]


@pytest.mark.parametrize(
    ("config", "error", "said"),
    [
        ({}, ValueError, "exactly one of `path`"),
        ({"path": "a", "command": ["b"]}, ValueError, "exactly one of `path`"),
        ({"command": "echo hi"}, ValueError, "list of strings (argv, no shell)"),
        ({"path": "/no/such/file.yml"}, FileNotFoundError, "no hosts file at /no/such/file.yml"),
        ({"command": ["/no/such/program"]}, FileNotFoundError, "not found"),
        (
            {"command": [sys.executable, "-c", "print('not json')"]},
            ValueError,
            "did not print JSON",
        ),
        (
            {"command": [sys.executable, "-c", "import sys; sys.exit('broken')"]},
            RuntimeError,
            "exited with status 1: broken",
        ),
        ({"command": [sys.executable, "-c", "print(5)"]}, ValueError, "found int"),
    ],
)
def test_bad_configs_and_sources_say_why(config, error, said):
    with pytest.raises(error) as raised:
        hosts(config)
    assert said in str(raised.value)
