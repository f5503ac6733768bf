"""The example plugins: declared entry points resolve, and their logic (no pyinfra run) holds.

Running the roles against a machine is the end-to-end tests' job; here the demo role gets a fake
host that answers facts from a dict.
"""

from __future__ import annotations

import importlib
import json
import stat

import pytest
from chaos.lib.args.dataclasses import (
    Delta,
    ProviderConfigPayload,
    SecretsContext,
    SecretsExportPayload,
)
from chaos.lib.roles.role import Role

from .conftest import EXAMPLES

tomllib = pytest.importorskip("tomllib")  # Python 3.11+
pytest.importorskip("pyinfra")
pytest.importorskip("omegaconf")

GUIDE_ENTRY_POINTS = {
    "chaos.roles": {"my-role": "my_chaos_plugin.roles:my_role_function"},
    "chaos.explain": {"my-role": "my_chaos_plugin.explain:MyRoleExplain"},
    "chaos.aliases": {"mr": "my-role"},
    "chaos.keys": {"my-role": "my_chaos_plugin.roles:my_role_keys"},
    "chaos.providers": {"myprovider": "my_chaos_plugin.providers:MyProviderClass"},
}

DEMO_ENTRY_POINTS = {
    "chaos.roles": {
        "demo-files": "chaos_demo_plugin.files_role:DemoFilesRole",
        "demo-legacy": "chaos_demo_plugin.legacy:demo_legacy",
        "demo-fail": "chaos_demo_plugin.failures:DemoFailRole",
        "demo-raise": "chaos_demo_plugin.failures:DemoRaiseRole",
    },
    "chaos.aliases": {"demo": "demo-files demo-legacy", "df": "demo-files"},
    "chaos.explain": {"demo-files": "chaos_demo_plugin.explain:DemoFilesExplain"},
    "chaos.keys": {"demo-files": "chaos_demo_plugin.keys:demo_files_keys"},
}

EXPLAIN_KEYS = {
    "concept",
    "what",
    "why",
    "how",
    "technical",
    "security",
    "validation",
    "commands",
    "files",
    "learn_more",
    "examples",
    "equivalent",
}


@pytest.fixture(autouse=True)
def example_sources(monkeypatch):
    for name in ("my-chaos-plugin", "chaos-demo-plugin"):
        monkeypatch.syspath_prepend(str(EXAMPLES / name / "src"))


def _entry_points(plugin):
    with open(EXAMPLES / plugin / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["entry-points"]


def _load(reference):
    module, _, attr = reference.partition(":")
    return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize(
    ("plugin", "expected"),
    [("my-chaos-plugin", GUIDE_ENTRY_POINTS), ("chaos-demo-plugin", DEMO_ENTRY_POINTS)],
)
def test_entry_points_are_declared_and_resolve(plugin, expected):
    declared = _entry_points(plugin)
    assert declared == expected
    for group, entries in declared.items():
        for name, value in entries.items():
            if group == "chaos.aliases":
                roles = set(declared["chaos.roles"])
                assert set(value.split()) <= roles, f"alias {name} -> {value}"
                continue
            obj = _load(value)
            if group == "chaos.keys":
                assert isinstance(obj, list) and all(isinstance(d, dict) for d in obj)
            if group == "chaos.explain":
                assert callable(getattr(obj(), "explain_" + name.replace("-", "_")))


def test_role_kinds():
    assert callable(_load(GUIDE_ENTRY_POINTS["chaos.roles"]["my-role"]))
    roles = {n: _load(v) for n, v in DEMO_ENTRY_POINTS["chaos.roles"].items()}
    assert not isinstance(roles["demo-legacy"], type)  # legacy function contract
    for tag in ("demo-files", "demo-fail", "demo-raise"):
        role = roles[tag]()
        assert isinstance(role, Role)
        assert role.name == tag


@pytest.mark.parametrize(
    ("cls_ref", "topic"),
    [
        ("my_chaos_plugin.explain:MyRoleExplain", "my-role"),
        ("chaos_demo_plugin.explain:DemoFilesExplain", "demo-files"),
    ],
)
def test_explanations(cls_ref, topic):
    explainer = _load(cls_ref)()
    topics = [topic, *explainer._order]
    for sub in topics:
        result = getattr(explainer, "explain_" + sub.replace("-", "_"))("advanced")
        assert isinstance(result, dict) and result
        assert set(result) <= EXPLAIN_KEYS, sub


def test_demo_explain_has_hyphenated_subtopic_and_security():
    explainer = _load("chaos_demo_plugin.explain:DemoFilesExplain")()
    assert "layout-rules" in explainer._order
    assert "security" in explainer.explain_demo_files("basic")


# ---- demo-files logic with a fake host ----


class FakeHost:
    """Answers get_fact from a fake file system: {path: content}; directories are implied."""

    name = "fake"

    def __init__(self, tree):
        self.tree = tree
        self.calls = []

    def get_fact(self, fact, **kwargs):
        import hashlib
        import posixpath

        self.calls.append((fact.__name__, kwargs))
        path = kwargs["path"]
        if fact.__name__ == "Directory":
            return {"mode": 755} if any(p.startswith(path + "/") for p in self.tree) else False
        if fact.__name__ == "FindFiles":
            return [p for p in self.tree if posixpath.dirname(p) == path]
        if fact.__name__ == "Sha1File":
            content = self.tree.get(path)
            return None if content is None else hashlib.sha1(content.encode()).hexdigest()
        raise AssertionError(f"unexpected fact {fact}")


def _demo(root, files):
    return {"demo_files": {"root": root, "files": files}}


def test_demo_files_delta_when_disk_differs():
    from chaos_demo_plugin.files_role import DemoFilesRole

    role = DemoFilesRole()
    host = FakeHost({"/d/same.txt": "same", "/d/changed.txt": "old", "/d/stale.txt": "x"})
    ctx = role.get_context(
        None, host, _demo("/d/", {"same.txt": "same", "changed.txt": "new", "new.txt": "n"})
    )
    delta = role.delta(ctx)
    assert delta.to_add == {"files": ["changed.txt", "new.txt"]}
    assert delta.to_remove == {"files": ["stale.txt"]}
    assert delta.metadata == {"root": "/d", "contents": {"changed.txt": "new", "new.txt": "n"}}
    # the stale file is never hashed: it is removed whatever it holds
    assert ("Sha1File", {"path": "/d/stale.txt"}) not in host.calls
    assert ("FindFiles", {"path": "/d", "maxdepth": 1}) in host.calls


def test_demo_files_delta_empty_when_disk_matches():
    from chaos_demo_plugin.files_role import DemoFilesRole

    role = DemoFilesRole()
    host = FakeHost({"/d/a": "1", "/d/b": "2"})
    delta = role.delta(role.get_context(None, host, _demo("/d", {"a": "1", "b": "2"})))
    assert delta.to_add == {} and delta.to_remove == {}
    assert delta.is_empty()


def test_demo_files_missing_root_skips_listing():
    from chaos_demo_plugin.files_role import DemoFilesRole

    role = DemoFilesRole()
    host = FakeHost({})
    delta = role.delta(role.get_context(None, host, _demo("/nowhere", {"a": "1"})))
    assert delta.to_add == {"files": ["a"]}
    assert [c[0] for c in host.calls] == ["Directory"]


@pytest.mark.parametrize(
    ("chobolo", "error", "match"),
    [
        ({}, TypeError, "demo_files: missing"),
        (_demo("relative/dir", {}), ValueError, "demo_files.root"),
        (_demo("/", {}), ValueError, "demo_files.root"),
        (_demo("/d", {"../escape": "x"}), ValueError, "plain file name"),
        (_demo("/d", {"a": 3}), TypeError, r"demo_files\.files\.a"),
        ({"demo_files": {"root": "/d", "files": ["a"]}}, TypeError, "must map"),
    ],
)
def test_demo_files_rejects_bad_chobolo(chobolo, error, match):
    from chaos_demo_plugin.files_role import DemoFilesRole

    with pytest.raises(error, match=match):
        DemoFilesRole().get_context(None, FakeHost({}), chobolo)


def test_demo_raise_fails_in_delta_and_demo_fail_keeps_default_delta():
    from chaos_demo_plugin.failures import DemoFailRole, DemoRaiseRole

    with pytest.raises(RuntimeError, match="demo delta failure"):
        DemoRaiseRole().delta({})
    assert DemoFailRole().delta({}) == Delta(to_add={"force_run": "this"})


# ---- myprovider ----


def _export(tmp_path, store, item="laptop", no_import=False):
    key_file = tmp_path / "keys.txt"
    key_file.write_text("# public key: age1abc\nAGE-SECRET-KEY-1EXAMPLE\n")
    from my_chaos_plugin.providers import MyProviderClass

    payload = SecretsExportPayload(
        provider="myp", key_type="age", item_name=item, key_file=str(key_file), no_import=no_import
    )
    config = {"secret_providers": {"myp": {"store_dir": str(store)}}}
    return MyProviderClass(payload, config).export_secrets(payload)


def test_my_provider_export_then_read(tmp_path):
    from my_chaos_plugin.providers import MyProviderClass

    store = tmp_path / "store"
    result = _export(tmp_path, store)
    assert result.success, result.error
    item = store / "laptop"
    assert stat.S_IMODE(item.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.stat().st_mode) == 0o700

    ctx = SecretsContext(
        provider_config=ProviderConfigPayload("myp.age", {"from_myp": ["laptop", "age"]})
    )
    provider = MyProviderClass(ctx, {"secret_providers": {"myp": {"store_dir": str(store)}}})
    assert provider.name == "MyProviderClass"
    assert provider.get_ephemeral_key_args() == ("laptop", "age")
    assert provider.check_status()[0] is True
    assert provider.readKeys("laptop") == "# public key: age1abc\nAGE-SECRET-KEY-1EXAMPLE\n"
    with pytest.raises(ValueError, match="Invalid item id"):
        provider.readKeys("../laptop")


def test_my_provider_refuses_to_overwrite_and_marks_no_import(tmp_path):
    store = tmp_path / "store"
    assert _export(tmp_path, store, item="k", no_import=True).success
    again = _export(tmp_path, store, item="k")
    assert not again.success and "already exists" in again.error[0]
    assert (store / "k").read_text().startswith("# NO-IMPORT\n")


def test_my_provider_status_and_cli(tmp_path):
    import argparse

    from my_chaos_plugin.providers import MyProviderClass

    missing = MyProviderClass(
        SecretsContext(), {"secret_providers": {"myp": {"store_dir": str(tmp_path / "no")}}}
    )
    ok, message = missing.check_status()
    assert not ok and "does not exist" in message
    assert MyProviderClass.get_cli_name() == ("from_myp", "myp")
    parser = argparse.ArgumentParser()
    MyProviderClass.register_flags(parser)
    assert parser.parse_args(["--from-myp", "laptop", "age"]).from_myp == ["laptop", "age"]
    sub = argparse.ArgumentParser().add_subparsers()
    export = MyProviderClass.register_export_subcommands(sub)
    assert export.parse_args(["--myp-store", "/s"]).myp_store == "/s"


def test_my_provider_decrypts_through_the_base_class(tmp_path, fake_sops):
    from my_chaos_plugin.providers import MyProviderClass

    store = tmp_path / "store"
    assert _export(tmp_path, store).success
    ctx = SecretsContext(
        provider_config=ProviderConfigPayload("myp.age", {"from_myp": ["laptop", "age"]})
    )
    provider = MyProviderClass(ctx, {"secret_providers": {"myp": {"store_dir": str(store)}}})
    out = json.loads(provider.decrypt("secrets.yml", "sops.yaml"))
    assert out["keys"] == "# public key: age1abc\nAGE-SECRET-KEY-1EXAMPLE\n"
    assert out["key_file"].startswith("/dev/fd/")


def test_my_role_dir_is_configurable(monkeypatch):
    # The role reads MY_ROLE_DIR at call time; capture the operation call instead of running it.
    from my_chaos_plugin import roles

    calls = []
    monkeypatch.setattr(roles.files, "directory", lambda **kw: calls.append(kw))
    monkeypatch.setenv("MY_ROLE_DIR", "/scratch/x")
    roles.my_role_function("state", "host", "chobolo.yml", True)
    monkeypatch.delenv("MY_ROLE_DIR")
    roles.my_role_function("state", "host", "chobolo.yml", False)
    assert [c["path"] for c in calls] == ["/scratch/x", "/tmp/my-role-dir"]
    assert calls[0]["present"] is True and calls[0]["mode"] == "755"
