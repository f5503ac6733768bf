"""Shared setup: the in-tree SDK (``python/``) first on sys.path, and a fake ``sops``.

The SDK goes first so the tests exercise this checkout, not an installed copy.
"""

from __future__ import annotations

import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SDK_ROOT = REPO / "python"

if str(SDK_ROOT) not in sys.path:
    sys.path.insert(0, str(SDK_ROOT))


@pytest.fixture
def fake_sops(tmp_path, monkeypatch):
    """A stand-in for sops (not installed here) that reports what it was given as JSON."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "sops"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import json, os, sys
            key_file = os.environ.get("SOPS_AGE_KEY_FILE")
            keys = None
            if key_file:
                with open(key_file) as f:
                    keys = f.read()
            if os.environ.get("FAKE_SOPS_FAIL"):
                sys.stderr.write("Failed to get the data key required to decrypt\\n")
                sys.exit(128)
            json.dump({{"argv": sys.argv[1:], "key_file": key_file, "keys": keys,
                        "env_values": list(os.environ.values())}}, sys.stdout)
            """
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.delenv("SOPS_AGE_KEY_FILE", raising=False)
    return script
