"""The SDK's import paths exist and none of them needs pyinfra or OmegaConf."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

SDK_ROOT = Path(__file__).resolve().parents[2] / "python"

MODULES = [
    "chaos",
    "chaos.lib",
    "chaos.lib.args",
    "chaos.lib.args.dataclasses",
    "chaos.lib.roles",
    "chaos.lib.roles.role",
    "chaos.lib.boats.base",
    "chaos.lib.secret_backends.providers.base",
    "chaos.lib.limani.limani",
    "chaos.lib.utils",
]

SYMBOLS = {
    "chaos.lib.roles.role": ["Role"],
    "chaos.lib.args.dataclasses": [
        "BasePayload",
        "Delta",
        "ResultPayload",
        "ProviderExportArgs",
        "ProviderImportArgs",
        "SecretsContext",
        "ProviderConfigPayload",
        "SecretsExportPayload",
        "SecretsImportPayload",
        "DataGatherRequest",
        "DataGatherPayload",
        "ApplyPayload",
    ],
    "chaos.lib.boats.base": ["Boat"],
    "chaos.lib.secret_backends.providers.base": ["Provider"],
    "chaos.lib.limani.limani": ["Limani"],
    "chaos.lib.utils": ["checkDep"],
}


def test_required_packages_are_regular_packages():
    for name in ["chaos", "chaos.lib", "chaos.lib.args", "chaos.lib.roles"]:
        module = importlib.import_module(name)
        assert module.__file__.endswith("__init__.py"), name


def test_documented_symbols_exist():
    for module_name, names in SYMBOLS.items():
        module = importlib.import_module(module_name)
        for name in names:
            assert hasattr(module, name), f"{module_name}.{name}"


def test_importable_without_pyinfra_or_omegaconf():
    # A fresh interpreter where importing pyinfra/omegaconf fails, as in a minimal environment.
    code = textwrap.dedent(
        f"""
        import importlib, sys
        sys.path.insert(0, {str(SDK_ROOT)!r})

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("pyinfra", "omegaconf", "pulumi"):
                    raise ImportError("blocked " + name)
                return None

        sys.meta_path.insert(0, Block())
        for name in {MODULES!r}:
            importlib.import_module(name)
        from chaos.lib.boats.base import Boat

        class B(Boat):
            name = "b"
            def check_connection(self): return True
            def get_fleet_config(self): return {{}}
            def handle_boat_logic(self, c): return ["h"]

        assert B({{}}).get_fleet({{"fleet": {{"hosts": []}}}}) == {{"fleet": {{"hosts": ["h"]}}}}
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("pyinfra", "omegaconf"))
        print("OK", loaded)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "OK []"
