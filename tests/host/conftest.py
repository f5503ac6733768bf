"""Fixtures for the role-host tests: start hosts, write plugin modules."""

from __future__ import annotations

import sys
import textwrap

import pytest
from hostclient import PYTHON_DIR, HostClient

# The tests that import chaos.host themselves read the tree too, like the hosts they start,
# whatever PYTHONPATH says (scripts/mutants.sh runs them with the test venv's own copy on it).
if sys.path[:1] != [str(PYTHON_DIR)]:
    sys.path.insert(0, str(PYTHON_DIR))


@pytest.fixture
def start_host(tmp_path):
    """Factory: start a host (not yet handshaken). Every host is killed at teardown."""
    clients: list[HostClient] = []

    def start(*args: str, python: str = sys.executable) -> HostClient:
        client = HostClient(tmp_path, tuple(args), python=python)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.kill()


@pytest.fixture
def plugin_dir(tmp_path):
    """A directory put on the host's sys.path by the handshake; ``write(name, source)`` adds a
    module to it."""
    path = tmp_path / "plugins"
    path.mkdir()

    def write(module: str, source: str) -> str:
        (path / f"{module}.py").write_text(textwrap.dedent(source))
        return str(path)

    write.path = str(path)  # type: ignore[attr-defined]
    return write


@pytest.fixture
def make_host(start_host, plugin_dir):
    """Factory: a started, handshaken host whose import path includes ``plugin_dir``. Write the
    plugin modules first (the import system caches directory listings)."""

    def make(*args: str) -> HostClient:
        client = start_host(*args)
        client.handshake([plugin_dir.path])
        return client

    return make
