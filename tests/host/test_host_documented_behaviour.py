"""Behaviour docs/protocol.md promises that no other test exercised: the bad-command-line exit
code, the `role_init` and `bad_delta` error kinds, `_ignore_errors` and `_retries`."""

from __future__ import annotations

ROLES = """
from pathlib import Path

from pyinfra.api.operation import add_op
from pyinfra.operations import server

from chaos.lib.roles.role import Role


class NeedsArguments(Role):
    def __init__(self, required):
        super().__init__(name="Needs arguments")

    def plan(self, state, host, delta):
        pass


class ReturnsADict(Role):
    def __init__(self):
        super().__init__(name="Returns a dict")

    def delta(self, context):
        return {"to_add": ["x"]}

    def plan(self, state, host, delta):
        pass


class IgnoredFailure(Role):
    def __init__(self):
        super().__init__(name="Ignored failure")

    def plan(self, state, host, delta):
        add_op(state, server.shell, name="Fails, ignored", commands=["exit 4"], _ignore_errors=True)
        add_op(state, server.shell, name="Runs after it", commands=["sleep 0.2"])
        add_op(state, server.shell, name="Fails again", commands=["exit 5"], _ignore_errors=True)


class Flaky(Role):
    '''Fails on its first attempt, succeeds on the second.'''

    def __init__(self):
        super().__init__(name="Flaky")

    def plan(self, state, host, delta):
        counter = Path(COUNTER)
        add_op(
            state,
            server.shell,
            name="Second time lucky",
            commands=[f"echo x >> {counter}; test $(wc -l < {counter}) -ge 2"],
            _retries=2,
            _retry_delay=0,
        )
"""


def test_bad_command_line_exits_2(start_host):
    client = start_host("--no-such-option")
    assert client.wait() == 2
    assert "--no-such-option" in client.stderr()


def test_request_fd_that_is_not_open_exits_2(start_host):
    # The last --request-fd wins over the client's own.
    client = start_host("--request-fd", "250")
    assert client.wait() == 2
    assert "--request-fd 250" in client.stderr()


def test_role_class_that_cannot_be_instantiated_is_role_init(make_host, plugin_dir, tmp_path):
    plugin_dir("docroles", f"COUNTER = {str(tmp_path / 'n')!r}\n" + ROLES)
    host = make_host()
    reply, _ = host.request(
        "apply.prepare", {"roles": [{"tag": "needs", "target": "docroles:NeedsArguments"}]}
    )
    assert reply["ok"] is False, reply
    errors = reply["error"].get("errors", [reply["error"]])
    assert [e["kind"] for e in errors] == ["role_init"]
    assert errors[0]["role"] == "needs" and "required" in errors[0]["message"]


def test_delta_that_is_not_a_delta_is_bad_delta(make_host, plugin_dir, tmp_path):
    plugin_dir("docroles", f"COUNTER = {str(tmp_path / 'n')!r}\n" + ROLES)
    host = make_host()
    prepare = host.call(
        "apply.prepare", {"roles": [{"tag": "dict", "target": "docroles:ReturnsADict"}]}
    )
    assert [e["kind"] for e in prepare["errors"]] == ["bad_delta"]
    assert prepare["errors"][0]["role"] == "dict"
    assert prepare["deltas"] == []


def test_ignored_failure_is_counted_apart_and_the_run_succeeds(make_host, plugin_dir, tmp_path):
    plugin_dir("docroles", f"COUNTER = {str(tmp_path / 'n')!r}\n" + ROLES)
    host = make_host()
    host.call("apply.prepare", {"roles": [{"tag": "ign", "target": "docroles:IgnoredFailure"}]})
    host.call("apply.plan", {})
    result = host.call("apply.execute", {})
    local = result["hosts"]["@local"]
    first, second, third = local["ops"]
    assert (first["status"], first["ignored"], first["exit_code"]) == ("failed", True, 4)
    assert second["status"] == "changed"
    assert (third["status"], third["ignored"], third["exit_code"]) == ("failed", True, 5)
    assert (local["failed"], local["ignored"], local["changed"]) == (0, 2, 1)
    # Each operation's own duration: from its start to its end, in seconds.
    assert 0.2 <= second["duration_s"] < 60
    assert result["success"] is True


def test_retries_run_the_operation_again_and_are_reported(make_host, plugin_dir, tmp_path):
    counter = tmp_path / "n"
    plugin_dir("docroles", f"COUNTER = {str(counter)!r}\n" + ROLES)
    host = make_host()
    host.call("apply.prepare", {"roles": [{"tag": "flaky", "target": "docroles:Flaky"}]})
    host.call("apply.plan", {})
    result = host.call("apply.execute", {})
    [op] = result["hosts"]["@local"]["ops"]
    assert op["status"] == "changed", op
    assert op["retries"] == 1
    assert counter.read_text() == "x\nx\n"
    assert result["success"] is True
