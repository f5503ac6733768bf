"""Fixtures for end-to-end tests: every test gets its own plugin environment and its own
chaos directories; example plugins are built into wheels once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.environments import ROOT, Chaos, PluginEnv, build_wheel
from support.secrets import TOKEN, require_tool, secrets_plain, sops_encrypt
from support.sshd_fixtures import ssh_hosts  # noqa: F401


@pytest.fixture(scope="session")
def example_wheel(tmp_path_factory):
    """example_wheel("my-chaos-plugin") -> path of a wheel built from examples/ once."""
    wheelhouse = tmp_path_factory.mktemp("wheelhouse")
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = build_wheel(ROOT / "examples" / name, wheelhouse)
        return built[name]

    return get


@pytest.fixture
def plugin_env(tmp_path) -> PluginEnv:
    return PluginEnv(tmp_path / "venv")


@pytest.fixture
def chaos(tmp_path, plugin_env) -> Chaos:
    return Chaos(tmp_path, plugin_env)


# The secrets tests (test_secrets.py, test_secret_providers.py): real age keys and sops files.


@pytest.fixture
def age_key(tmp_path) -> tuple[Path, str]:
    """(identity file, recipient)."""
    require_tool("age-keygen")
    key = tmp_path / "age-key.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    recipient = subprocess.run(
        ["age-keygen", "-y", str(key)], check=True, capture_output=True, text=True
    ).stdout.strip()
    return key, recipient


@pytest.fixture
def age_secrets(chaos, tmp_path, age_key):
    """An age-encrypted secrets file and its sops config, set in config.yml; the key in
    $CHAOS_CONFIG_DIR/keys.txt, where `chaos init secrets` puts it."""
    require_tool("sops")
    key, recipient = age_key
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    sops_config = secrets_dir / "sops-config.yml"
    sops_config.write_text(
        "creation_rules:\n"
        "  # everything named secrets*.yml\n"
        f"  - path_regex: secrets.*\\.yml$\n    age: {recipient}\n"
    )
    secrets = secrets_dir / "secrets.yml"
    secrets.write_text(secrets_plain())
    sops_encrypt(sops_config, secrets, {**os.environ, "SOPS_AGE_KEY_FILE": str(key)})
    assert TOKEN not in secrets.read_text()
    chaos.write_config(f"secrets_file: {secrets}\nsops_file: {sops_config}\n")
    shutil.copy(key, chaos.config_dir / "keys.txt")
    return secrets, sops_config


@pytest.fixture
def secrets_plugin(plugin_env, example_wheel):
    plugin_env.install(example_wheel("chaos-secrets-example"))
