"""The role host says hello before it imports pyinfra, so the core's own start-up work overlaps
the ~0.5 s import. Proved by holding the import: the hello must arrive while pyinfra cannot
finish importing, and the handshake (which needs pyinfra) only once it is let go."""

from __future__ import annotations

import stat
import sys
import textwrap
import time
from importlib.metadata import version
from pathlib import Path

# Loaded by `site` at interpreter start (it is first on PYTHONPATH): wraps the loader of the
# top-level pyinfra package so that executing it waits for a file. Finding the package (which
# the hello does, to read its version) is not held; importing it is.
GATE = """
import importlib.machinery
import os
import sys
import time

_GATE = os.environ["CHAOS_TEST_IMPORT_GATE"]


class _HeldLoader:
    def __init__(self, real):
        self.real = real

    def create_module(self, spec):
        return self.real.create_module(spec)

    def exec_module(self, module):
        open(_GATE + ".waiting", "w").close()
        while not os.path.exists(_GATE):
            time.sleep(0.01)
        self.real.exec_module(module)


class _HoldPyinfra:
    def find_spec(self, name, path=None, target=None):
        if name != "pyinfra":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None:
            spec.loader = _HeldLoader(spec.loader)
        return spec


sys.meta_path.insert(0, _HoldPyinfra())
"""


def held_python(tmp_path: Path) -> tuple[str, Path]:
    """An interpreter (a wrapper script) whose pyinfra import waits for the returned path."""
    site_dir = tmp_path / "gate"
    site_dir.mkdir()
    (site_dir / "sitecustomize.py").write_text(GATE)
    gate = tmp_path / "release-pyinfra"
    wrapper = tmp_path / "held-python"
    wrapper.write_text(
        textwrap.dedent(f"""\
        #!/bin/sh
        export CHAOS_TEST_IMPORT_GATE='{gate}'
        export PYTHONPATH="{site_dir}:$PYTHONPATH"
        exec '{sys.executable}' "$@"
        """)
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return str(wrapper), gate


def test_hello_arrives_while_the_pyinfra_import_is_held(start_host, tmp_path):
    python, gate = held_python(tmp_path)
    client = start_host(python=python)
    hello = client.read(timeout=30)
    assert hello is not None and hello["type"] == "hello", client.stderr()
    assert hello["pyinfra"] == version("pyinfra")  # read from its metadata, not by importing it
    # The import has started and is being held: the gate is what the hello did not wait for.
    deadline = time.monotonic() + 30
    while not Path(str(gate) + ".waiting").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Path(str(gate) + ".waiting").exists(), client.stderr()
    assert client.proc.poll() is None
    gate.touch()
    result = client.call("handshake", {"protocol": 1})
    assert result["pyinfra"] == version("pyinfra") and result["pyinfra_error"] is None
    assert client.call("shutdown") == {}
    assert client.wait() == 0


def test_without_warm_up_nothing_imports_pyinfra_until_asked(start_host, tmp_path):
    python, gate = held_python(tmp_path)
    client = start_host("--no-warm", python=python)
    client.handshake()
    # Nothing asked for pyinfra: the held import was never reached.
    assert not Path(str(gate) + ".waiting").exists()
    assert client.call("shutdown") == {}
    assert client.wait() == 0
