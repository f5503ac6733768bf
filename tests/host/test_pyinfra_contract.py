"""What the role host relies on from pyinfra, asserted name by name.

Every pyinfra call the role host makes sits in ``chaos/host/pyinfra_adapter.py``; these tests
pin the names, signatures and behaviours it uses, many of them private. scripts/test.sh runs
them (with the rest of tests/host) against the newest pyinfra in the test environment and again
against the lowest version pyproject.toml allows, so an upgrade or a too-low bound shows here
first, naming what moved. docs/architecture.md lists the same names with the reason for each.
"""

from __future__ import annotations

import importlib
import inspect
from importlib.metadata import version

import pytest
from chaos.host.pyinfra_adapter import WARM_MODULES

# The modules the host warms up after its hello, and the connectors' helper module.
MODULES = [*WARM_MODULES, "pyinfra.connectors.util"]


def test_the_installed_pyinfra_is_within_the_declared_range():
    major, minor = (int(part) for part in version("pyinfra").split(".")[:2])
    assert (major, minor) >= (3, 8) and major < 4, version("pyinfra")


@pytest.mark.parametrize("name", MODULES)
def test_every_module_the_adapter_imports_exists(name):
    importlib.import_module(name)


def test_public_api_names():
    from pyinfra.api import Config, Inventory, State
    from pyinfra.api.connect import connect_all, disconnect_all
    from pyinfra.api.exceptions import PyinfraError
    from pyinfra.api.operation import add_op
    from pyinfra.api.operations import run_ops
    from pyinfra.version import __version__

    assert issubclass(PyinfraError, Exception) and __version__ == version("pyinfra")
    assert {"state", "op_func"} <= set(inspect.signature(add_op).parameters)
    assert "state" in inspect.signature(run_ops).parameters
    assert "serial" in inspect.signature(run_ops).parameters
    assert "no_wait" in inspect.signature(run_ops).parameters
    assert list(inspect.signature(connect_all).parameters)[:1] == ["state"]
    assert list(inspect.signature(disconnect_all).parameters)[:1] == ["state"]
    config = Config()
    # The adapter routes the sudo and su passwords through these two settings.
    assert hasattr(config, "SUDO_PASSWORD") and hasattr(config, "SU_PASSWORD")
    inventory = Inventory((["@local"], {}))
    state = State(inventory, config)
    for attribute in (
        "ops",
        "active_hosts",
        "op_meta",
        "inventory",
        "config",
        "failed_hosts",
        "pool",
    ):
        assert hasattr(state, attribute), attribute
    for method in ("set_stage", "add_callback_handler"):
        assert callable(getattr(state, method)), method
    assert hasattr(state, "current_stage")
    assert hasattr(state, "print_noop_info") and hasattr(state, "print_fact_info")


def test_state_stages_the_adapter_moves_through():
    from pyinfra.api.state import StateStage

    for stage in ("Setup", "Connect", "Prepare", "Execute", "Disconnect"):
        assert hasattr(StateStage, stage), stage
    assert StateStage.Prepare < StateStage.Execute < StateStage.Disconnect


def test_callback_hooks_the_adapter_overrides():
    from pyinfra.api.state import BaseStateCallback

    hooks = {
        "host_connect": ["state", "host"],
        "host_connect_error": ["state", "host", "error"],
        "operation_host_start": ["state", "host", "op_hash"],
        "operation_host_success": ["state", "host", "op_hash"],
        "operation_host_error": ["state", "host", "op_hash"],
    }
    for name, leading in hooks.items():
        parameters = [
            p for p in inspect.signature(getattr(BaseStateCallback, name)).parameters if p != "self"
        ]
        assert parameters[: len(leading)] == leading, (name, parameters)


def test_context_objects():
    from pyinfra.context import ctx_host, ctx_state

    for method in ("set", "reset", "get"):
        assert callable(getattr(ctx_state, method)), method
    assert callable(ctx_host.use) and callable(ctx_host.get)


def test_the_local_connector_builds_commands_through_a_name_the_adapter_can_swap():
    # The sudo password route replaces local.make_unix_command_for_host for one run; the
    # connector must look the name up at call time (module attribute), and the util function
    # it wraps must take the arguments the adapter passes by keyword.
    from pyinfra.connectors import local, util

    assert callable(local.make_unix_command_for_host)
    source = inspect.getsource(local)
    assert "make_unix_command_for_host(" in source
    parameters = inspect.signature(util.make_unix_command).parameters
    for name in ("command", "_sudo", "_sudo_user", "_su_user", "_sudo_password"):
        assert name in parameters, name


def test_the_ssh_connector_builds_commands_and_writes_stdin_where_the_adapter_can_hook():
    # The SSH route (route_ssh_sudo_password) replaces ssh.make_unix_command_for_host, looked
    # up at call time, and wraps SSHConnector.run_shell_command, which must pop `_stdin`, build
    # the command, then write `_stdin` with util.write_stdin (which calls readlines()).
    from pyinfra.connectors import ssh, util

    assert callable(ssh.make_unix_command_for_host)
    source = inspect.getsource(ssh.SSHConnector.run_shell_command)
    assert '_stdin = arguments.pop("_stdin"' in source
    built = source.index("make_unix_command_for_host(")
    assert built < source.index("write_stdin(_stdin"), "the command must be built first"
    assert "stdin.readlines()" in inspect.getsource(util.write_stdin)
    parameters = inspect.signature(util.make_unix_command).parameters
    for name in ("_use_sudo_login", "_preserve_sudo_env", "_su_password", "_doas", "_dzdo"):
        assert name in parameters, name


def test_connectors_are_discovered_through_entry_points_the_adapter_can_filter():
    from pyinfra.api import connectors

    assert callable(connectors.get_all_connectors)
    assert hasattr(connectors, "entry_points"), "the adapter swaps this reference for one run"
    assert "local" in connectors.get_all_connectors()


def test_operation_meta_and_host_fields_read_after_a_run():
    from pyinfra.api.operation import OperationMeta

    # The names are read from a finished run's OperationMeta and per-host results.
    for attribute in ("did_succeed", "did_change", "is_complete", "stdout_lines", "stderr_lines",
                      "retry_attempts"):  # fmt: skip
        assert hasattr(OperationMeta, attribute), attribute
    from pyinfra.api.host import Host

    source = inspect.getsource(Host)
    for attribute in ("op_hash_order", "askpass"):
        assert attribute in source, attribute


def test_staging_asks_the_inventory_for_its_active_hosts():
    # only_host narrows inventory.get_active_hosts() per greenlet so hosts can plan at once;
    # it only works while staging asks that method (and not state.active_hosts directly).
    from pyinfra.api.deploy import add_deploy
    from pyinfra.api.facts import get_facts
    from pyinfra.api.operation import add_op

    for fn in (add_op, add_deploy, get_facts):
        assert "state.inventory.get_active_hosts()" in inspect.getsource(fn), fn.__qualname__


def test_nagle_is_turned_off_only_on_a_tcp_connection():
    import socket
    from types import SimpleNamespace

    from chaos.host.pyinfra_adapter import send_without_delay

    def ssh_host(sock):
        transport = SimpleNamespace(sock=sock)
        return SimpleNamespace(
            connector=SimpleNamespace(client=SimpleNamespace(get_transport=lambda: transport))
        )

    assert send_without_delay(SimpleNamespace(connector=object())) is False  # @local, @docker
    assert send_without_delay(ssh_host(None)) is False  # not connected
    assert send_without_delay(ssh_host(object())) is False  # a jump host's channel, a proxy command
    left, right = socket.socketpair()
    with left, right:
        assert send_without_delay(ssh_host(left)) is False
    server = socket.create_server(("127.0.0.1", 0))
    with server, socket.create_connection(server.getsockname()) as client:
        assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        assert send_without_delay(ssh_host(client)) is True
        assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
