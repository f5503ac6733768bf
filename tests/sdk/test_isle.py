"""Isle: needs pulumi; with it, registers a Pulumi component and builds its resources."""

from __future__ import annotations

import importlib
import sys
import types

import pytest

MODULE = "chaos.lib.isles.isle"


@pytest.fixture
def fresh_isle_module(monkeypatch):
    """Import chaos.lib.isles.isle anew against whatever ``pulumi`` the test installed."""
    monkeypatch.delitem(sys.modules, MODULE, raising=False)

    def load():
        return importlib.import_module(MODULE)

    yield load
    sys.modules.pop(MODULE, None)


def test_isles_is_a_namespace_package():
    from chaos.lib import isles

    assert getattr(isles, "__file__", None) is None
    assert isles.__spec__.origin in (None, "namespace")


def test_import_without_pulumi_raises_a_clear_error(fresh_isle_module, monkeypatch):
    monkeypatch.setitem(sys.modules, "pulumi", None)  # makes `import pulumi` fail
    with pytest.raises(ImportError, match="needs the `pulumi` package") as info:
        fresh_isle_module()
    assert info.value.name == "pulumi"


def _fake_pulumi():
    """Just enough of pulumi's ComponentResource to observe what Isle does with it."""
    pulumi = types.ModuleType("pulumi")

    class ResourceOptions:
        def __init__(self, parent=None):
            self.parent = parent

    class ComponentResource:
        def __init__(self, t, name, props=None, opts=None):
            self.calls = [("init", t, name, props, opts)]

        def register_outputs(self, outputs):
            self.calls.append(("outputs", outputs))

    pulumi.ResourceOptions = ResourceOptions
    pulumi.ComponentResource = ComponentResource
    return pulumi


def test_isle_with_pulumi(fresh_isle_module, monkeypatch):
    pulumi = _fake_pulumi()
    monkeypatch.setitem(sys.modules, "pulumi", pulumi)
    module = fresh_isle_module()

    class Chmox(module.Isle):
        isle_name = "chaosmox"
        secrets_needed = ("proxmoxve:apiToken",)

        def build_resources(self, config):
            self.calls.append(("build", config))

    opts = pulumi.ResourceOptions()
    vm = Chmox("vm1", {"cores": 2}, opts)
    assert vm.calls == [
        ("init", "pelago:isle:Chmox", "vm1", None, opts),
        ("build", {"cores": 2}),
        ("outputs", {"isle_name": "vm1"}),
    ]
    assert Chmox("vm2").calls[1] == ("build", {})
    assert issubclass(module.Isle, pulumi.ComponentResource)
    assert module.Isle.secrets_needed == ()

    class NoBuild(module.Isle):
        pass

    with pytest.raises(TypeError, match="build_resources"):
        NoBuild("x")
