"""Fixtures for end-to-end tests: every test gets its own plugin environment and its own
chaos directories; example plugins are built into wheels once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.environments import ROOT, Chaos, PluginEnv, build_wheel


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
