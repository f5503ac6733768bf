"""The plugin manifest cache: read once per plugin version, re-read when a plugin changes (only
that plugin), never stale."""

from __future__ import annotations

import json

from support.wheelkit import write_wheel

EXPLAIN = """
import os

with open(os.environ["IMPORT_LOG"], "a") as log:
    log.write("{name}\\n")


class Explain:
    def explain_{method}(self, complexity):
        return {{"concept": "{name}", "what": "{text}"}}
"""


def plugin(directory, name, version="1.0.0", text="first text"):
    module = name.replace("-", "_")
    source = EXPLAIN.format(name=name, method=module, text=text)
    return write_wheel(
        directory / version,
        name,
        version,
        entry_points={
            "chaos.explain": {name: f"{module}.explain:Explain"},
            "chaos.keys": {name: f"{module}.explain:KEYS"},
        },
        modules={
            f"{module}/__init__.py": "",
            f"{module}/explain.py": source + f"\nKEYS = [{{'{module}': 1}}]\n",
        },
    )


def imports(log):
    lines = log.read_text().split() if log.exists() else []
    log.write_text("")
    return sorted(lines)


def setup(chaos, tmp_path):
    log = tmp_path / "imports.log"
    chaos.env["IMPORT_LOG"] = str(log)
    return log


def test_upgrade_is_seen_and_only_the_changed_plugin_is_read_again(chaos, plugin_env, tmp_path):
    log = setup(chaos, tmp_path)
    plugin_env.install(plugin(tmp_path / "w", "alpha"), plugin(tmp_path / "w", "beta"))
    assert chaos.json("explain", "alpha", "-j")["what"] == "first text"
    assert imports(log) == ["alpha", "beta"]  # one role-host run reads every plugin
    chaos.ok("explain", "beta")
    assert imports(log) == []  # cached

    plugin_env.install(plugin(tmp_path / "w", "alpha", "2.0.0", text="second text"))
    assert chaos.json("explain", "alpha", "-j")["what"] == "second text"
    assert imports(log) == ["alpha"]
    assert chaos.json("init", "chobolo", "beta", "--json") == {"beta": 1}
    assert imports(log) == []


def test_reinstalling_the_same_version_is_seen(chaos, plugin_env, tmp_path):
    log = setup(chaos, tmp_path)
    plugin_env.install(plugin(tmp_path / "a", "same"))
    assert chaos.json("explain", "same", "-j")["what"] == "first text"
    changed = plugin(tmp_path / "b", "same", text="edited without a version bump")
    plugin_env.pip("install", "--no-deps", "--no-index", "--force-reinstall", str(changed))
    assert chaos.json("explain", "same", "-j")["what"] == "edited without a version bump"
    assert imports(log) == ["same", "same"]


def test_update_flag_rereads_everything(chaos, plugin_env, tmp_path):
    log = setup(chaos, tmp_path)
    plugin_env.install(plugin(tmp_path / "w", "alpha"), plugin(tmp_path / "w", "beta"))
    chaos.ok("explain", "alpha")
    imports(log)
    chaos.ok("-u", "explain", "alpha")
    assert imports(log) == ["alpha", "beta"]


def test_removed_plugin_disappears_and_its_part_is_dropped(chaos, plugin_env, tmp_path):
    setup(chaos, tmp_path)
    plugin_env.install(plugin(tmp_path / "w", "alpha"), plugin(tmp_path / "w", "beta"))
    chaos.ok("explain", "alpha")
    parts = chaos.cache_dir / "manifest" / "parts"
    # Each plugin's part is two files: its entries and its explanation bodies.
    assert len(list(parts.glob("*.bodies.json"))) == 2
    assert len(list(parts.glob("*.json"))) == 4
    plugin_env.uninstall("beta")
    result = chaos.run("explain", "beta")
    assert result.returncode == 1 and "no explanation for topic `beta`" in result.stderr
    chaos.ok("explain", "alpha")
    assert len(list(parts.glob("*.bodies.json"))) == 1
    assert len(list(parts.glob("*.json"))) == 2
    summary = json.loads((chaos.cache_dir / "manifest" / "summary.json").read_text())
    assert [t["name"] for t in summary["explain"]] == ["alpha"]


def test_damaged_cache_is_rebuilt(chaos, plugin_env, tmp_path):
    log = setup(chaos, tmp_path)
    plugin_env.install(plugin(tmp_path / "w", "alpha"))
    chaos.ok("explain", "alpha")
    imports(log)
    (chaos.cache_dir / "manifest" / "summary.json").write_text("{not json")
    for part in (chaos.cache_dir / "manifest" / "parts").glob("*.json"):
        part.write_text("[]")
    assert chaos.json("explain", "alpha", "-j")["what"] == "first text"
    assert imports(log) == ["alpha"]


def test_role_host_failure_spares_cached_plugins_and_builtins(chaos, plugin_env, tmp_path):
    log = setup(chaos, tmp_path)
    plugin_env.install(plugin(tmp_path / "w", "alpha"))
    chaos.ok("explain", "alpha")
    plugin_env.install(plugin(tmp_path / "w", "beta"))
    # A plugin environment where the chaos SDK cannot be imported: the host cannot start.
    sitecustomize = plugin_env.site_packages / "sitecustomize.py"
    sitecustomize.write_text("import sys\nsys.modules['chaos'] = None\n")
    result = chaos.run("explain", "beta", "alpha", "apply")
    assert result.returncode == 1
    assert "cannot show topic `beta`" in result.stderr and "role host" in result.stderr
    assert "first text" in result.stdout  # alpha, from the cache
    assert "Applying roles" in result.stdout  # built in
    sitecustomize.unlink()
    imports(log)
    assert chaos.json("explain", "beta", "-j")["what"] == "first text"
    assert imports(log) == ["beta"]  # the failed read was not cached
