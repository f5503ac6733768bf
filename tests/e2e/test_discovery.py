"""Plugin discovery and `chaos check`, against real virtual environments and real pip."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support.environments import Chaos, PluginEnv
from support.terminal import stdout_on_terminal
from support.wheelkit import write_wheel

GROUPS = {
    "roles": "chaos.roles",
    "aliases": "chaos.aliases",
    "explanations": "chaos.explain",
    "templates": "chaos.keys",
    "providers": "chaos.providers",
    "boats": "chaos.boats",
    "limanis": "chaos.limanis",
    "isles": "chaos.isles",
}


def test_example_plugin_appears_and_disappears_on_the_next_command(
    chaos, plugin_env, example_wheel
):
    assert chaos.json("check", "roles", "--json") == []
    plugin_env.install(example_wheel("my-chaos-plugin"))

    roles = chaos.ok("check", "roles", "--json")
    # Exactly what the original printed (json.dumps(sorted(names), indent=2)).
    assert roles.stdout == '[\n  "my-role"\n]\n'
    assert chaos.ok("check", "aliases", "--json").stdout == '{\n  "mr": "my-role"\n}\n'
    assert chaos.json("check", "explanations", "-j") == ["my-role"]
    assert chaos.json("check", "templates", "-j") == ["my-role"]
    # The built-in providers first, then the plugin's.
    builtin = ["bw", "bws", "rbw", "op", "dp", "in"]
    assert chaos.json("check", "providers", "-j") == [*builtin, "myprovider"]

    plugin_env.uninstall("my-chaos-plugin")
    assert chaos.json("check", "roles", "--json") == []
    assert chaos.json("check", "aliases", "--json") == {}
    assert chaos.json("check", "providers", "-j") == builtin


def test_every_group_is_discovered(chaos, plugin_env, tmp_path):
    eps = {group: {f"{check}-entry": "everything.mod:obj"} for check, group in GROUPS.items()}
    eps["chaos.aliases"] = {"aliases-entry": "roles-entry"}
    # Real targets: `check plugins` imports roles, explanations and templates to lint them.
    eps["chaos.roles"]["roles-entry"] = "everything.mod:role"
    eps["chaos.explain"]["explanations-entry"] = "everything.mod:Explain"
    eps["chaos.keys"]["templates-entry"] = "everything.mod:KEYS"
    module = (
        "def role(state, host, chobolo_path, skip_confirm):\n    pass\n"
        "class Explain:\n    def explain_everything(self, complexity):\n        return {}\n"
        "KEYS = []\nobj = object()\n"
    )
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "everything",
            entry_points=eps,
            modules={"everything/__init__.py": "", "everything/mod.py": module},
        )
    )
    builtin = {"providers": ["bw", "bws", "rbw", "op", "dp", "in"]}
    for check in GROUPS:
        assert chaos.json("check", check, "--json") == (
            [*builtin.get(check, []), f"{check}-entry"]
            if check != "aliases"
            else {"aliases-entry": "roles-entry"}
        )
    report = chaos.json("check", "plugins", "--json")
    assert [d["name"] for d in report["distributions"]] == ["everything"]
    assert set(report["distributions"][0]["registers"]) == set(GROUPS)
    assert report["problems"] == []


def index_problem_kinds(problems: list[dict]) -> list[str]:
    """The kinds of problems found in metadata alone; these tests' targets are not importable."""
    return [p["kind"] for p in problems if not p["kind"].endswith("-broken")]


IMPORTLIB_SCRIPT = r"""
import json, sys
from importlib.metadata import entry_points
sys.path[0:0] = json.loads(sys.argv[1])
out = []
for group in sys.argv[2:]:
    for ep in entry_points(group=group):
        out.append({"group": group, "name": ep.name, "value": ep.value, "distribution": ep.dist.name})
print(json.dumps(out))
"""


def importlib_view(env: PluginEnv, prepend: list[str]) -> list[dict]:
    result = subprocess.run(
        [str(env.python), "-c", IMPORTLIB_SCRIPT, json.dumps(prepend), *GROUPS.values()],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_same_results_and_precedence_as_importlib(chaos, plugin_env, tmp_path):
    wheels = tmp_path / "wheels"
    dev = tmp_path / "dev"
    # Several plugins, one name registered by two of them, and one distribution installed twice
    # (a newer copy in CHAOS_PLUGIN_DIR hides the one in the virtual environment).
    for i in range(5):
        plugin_env.install(
            write_wheel(
                wheels,
                f"plugin-{i}",
                entry_points={"chaos.roles": {f"role-{i}": f"p{i}.roles:run"}},
            )
        )
    plugin_env.install(
        write_wheel(wheels, "clash-a", entry_points={"chaos.roles": {"shared": "a.roles:run"}})
    )
    plugin_env.install(
        write_wheel(wheels, "clash-b", entry_points={"chaos.roles": {"shared": "b.roles:run"}})
    )
    plugin_env.install(
        write_wheel(wheels, "twice", "1.0", entry_points={"chaos.roles": {"old-role": "t.old:run"}})
    )
    newer = write_wheel(
        tmp_path / "newer", "twice", "2.0", entry_points={"chaos.roles": {"new-role": "t.new:run"}}
    )
    plugin_env.pip(
        "install", "--no-deps", "--no-index", "--target", str(chaos.plugin_dir), str(newer)
    )
    dev_wheel = write_wheel(
        dev, "in-development", entry_points={"chaos.aliases": {"dev": "role-1"}}
    )

    result = chaos.run("check", "plugins", "--json", env={"CHAOS_DEV_PATH": str(dev)})
    assert result.returncode == 1  # the clash on `shared` is a problem
    report = json.loads(result.stdout)
    assert index_problem_kinds(report["problems"]) == ["duplicate"]
    expected = importlib_view(plugin_env, [str(dev_wheel), str(chaos.plugin_dir)])
    # importlib lists group by group; within a group the order must be the same.
    ours = [r for group in GROUPS.values() for r in report["registrations"] if r["group"] == group]
    assert ours == expected
    assert "new-role" in chaos.json("check", "roles", "-j")
    assert "old-role" not in chaos.json("check", "roles", "-j")
    shadowed = [d for d in report["distributions"] if d.get("shadowed_by")]
    assert [d["version"] for d in shadowed] == ["1.0"]


def test_wheels_in_dev_path_are_read_inside_the_zip(chaos, tmp_path):
    dev = tmp_path / "dev"
    wheel = write_wheel(
        dev, "dev-plugin", entry_points={"chaos.roles": {"dev-role": "dev_plugin:run"}}
    )
    assert chaos.json("check", "roles", "-j", env={"CHAOS_DEV_PATH": str(dev)}) == ["dev-role"]
    wheel.unlink()
    assert chaos.json("check", "roles", "-j", env={"CHAOS_DEV_PATH": str(dev)}) == []


def test_plugin_dir_with_target_installs_and_raw_wheels(chaos, plugin_env, tmp_path):
    installed = write_wheel(
        tmp_path / "w", "targeted", entry_points={"chaos.roles": {"targeted": "t:run"}}
    )
    plugin_env.pip(
        "install", "--no-deps", "--no-index", "--target", str(chaos.plugin_dir), str(installed)
    )
    assert chaos.json("check", "roles", "-j") == ["targeted"]
    # A wheel file dropped into the directory as distribution packages do.
    write_wheel(chaos.plugin_dir, "dropped", entry_points={"chaos.roles": {"dropped": "d:run"}})
    assert chaos.json("check", "roles", "-j") == ["dropped", "targeted"]


def test_name_registered_twice_is_reported_with_both_owners(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "w", "first-plugin", entry_points={"chaos.roles": {"users": "first:run"}}
        )
    )
    plugin_env.install(
        write_wheel(
            tmp_path / "w", "second-plugin", entry_points={"chaos.roles": {"users": "second:run"}}
        )
    )
    roles = chaos.ok("check", "roles", "--json")
    assert json.loads(roles.stdout) == ["users"]
    assert "first-plugin" in roles.stderr and "second-plugin" in roles.stderr
    report = chaos.run("check", "plugins", "--json")
    assert report.returncode == 1
    problems = json.loads(report.stdout)["problems"]
    assert index_problem_kinds(problems) == ["duplicate"]
    assert "first-plugin" in problems[0]["message"] and "second-plugin" in problems[0]["message"]


def test_broken_entry_points_file_is_reported_and_others_still_listed(chaos, plugin_env, tmp_path):
    # pip refuses to install such a file, so break an installed one, as a bad edit or a
    # half-written upgrade would.
    plugin_env.install(
        write_wheel(tmp_path / "w", "broken-plugin", entry_points={"chaos.roles": {"b": "b:run"}})
    )
    plugin_env.install(
        write_wheel(tmp_path / "w", "good-plugin", entry_points={"chaos.roles": {"good": "g:run"}})
    )
    assert chaos.json("check", "roles", "--json") == ["b", "good"]
    broken_file = (
        next(plugin_env.site_packages.glob("broken_plugin-*.dist-info")) / "entry_points.txt"
    )
    broken_file.write_text("[chaos.roles]\nthis has no equals sign\n")
    result = chaos.ok("check", "roles", "--json")
    assert json.loads(result.stdout) == ["good"]
    assert f"{broken_file}:2" in result.stderr
    report = chaos.run("check", "plugins")
    assert report.returncode == 1
    assert "this has no equals sign" in report.stdout and "good-plugin" in report.stdout


def test_unreadable_cache_is_rebuilt(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(tmp_path / "w", "cached", entry_points={"chaos.roles": {"cached": "c:run"}})
    )
    assert chaos.json("check", "roles", "-j") == ["cached"]
    cache = chaos.cache_dir / "plugin-index.cache"
    cache.write_bytes(b"\x00\xff garbage")
    result = chaos.ok("check", "roles", "-j")
    assert json.loads(result.stdout) == ["cached"]
    assert "could not be read" in result.stderr
    assert chaos.ok("check", "roles", "-j").stderr == ""  # rewritten, quiet again
    # A cache path that cannot be read or replaced at all still never stops the command.
    cache.unlink()
    cache.mkdir()
    result = chaos.ok("check", "roles", "-j")
    assert json.loads(result.stdout) == ["cached"]
    assert "could not save" in result.stderr or "could not be read" in result.stderr


def test_global_flags_work_before_the_subcommand(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(tmp_path / "w", "p", entry_points={"chaos.roles": {"r": "p:run"}})
    )
    assert chaos.json("-u", "check", "roles", "--json") == ["r"]
    rebuilt = chaos.ok("-u")
    assert "Plugin index rebuilt" in rebuilt.stdout


def test_config_aliases_override_plugin_aliases_and_problems_are_flagged(
    chaos, plugin_env, example_wheel
):
    plugin_env.install(example_wheel("my-chaos-plugin"))
    chaos.write_config(
        "aliases:\n  mr: [my-role]\n  both: mr my-role\n  loop: again\n  again: loop\n  ghost: nobody\n"
    )
    result = chaos.ok("check", "aliases", "--json")
    assert json.loads(result.stdout) == {
        "mr": ["my-role"],
        "both": "mr my-role",
        "loop": "again",
        "again": "loop",
        "ghost": "nobody",
    }
    assert "overrides" in result.stderr
    report = chaos.run("check", "plugins", "--json")
    assert report.returncode == 1
    problems = json.loads(report.stdout)["problems"]
    kinds = sorted(p["kind"] for p in problems)
    assert kinds == ["alias-cycle", "alias-cycle", "alias-override", "alias-target"]
    assert any("loop -> again -> loop" in p["message"] for p in problems)
    assert any("nobody" in p["message"] for p in problems)


def test_bad_target_string_is_flagged(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "w", "sloppy", entry_points={"chaos.roles": {"bad": "no colon here"}}
        )
    )
    report = chaos.run("check", "plugins", "--json")
    assert report.returncode == 1
    assert [p["kind"] for p in json.loads(report.stdout)["problems"]] == ["bad-target"]


def test_plugin_code_that_fails_to_load_is_a_problem(chaos, plugin_env, tmp_path, example_wheel):
    plugin_env.install(example_wheel("my-chaos-plugin"))
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "half-broken",
            entry_points={
                "chaos.explain": {"shaky": "half_broken.explain:Explain"},
                "chaos.keys": {"shaky": "half_broken.keys:KEYS"},
                "chaos.roles": {"shaky": "half_broken.gone:role"},
            },
            modules={
                "half_broken/__init__.py": "",
                "half_broken/explain.py": "class Explain:\n    def __init__(self):\n"
                "        raise ValueError('cannot start')\n",
                "half_broken/keys.py": "KEYS = {'not': 'a list'}\n",
            },
        )
    )
    report = chaos.run("check", "plugins", "--json")
    assert report.returncode == 1
    problems = json.loads(report.stdout)["problems"]
    assert sorted(p["kind"] for p in problems) == ["explain-broken", "keys-broken", "role-broken"]
    by_kind = {p["kind"]: p for p in problems}
    assert "ValueError: cannot start" in by_kind["explain-broken"]["message"]
    assert "half_broken/explain.py:3" in by_kind["explain-broken"]["where"]
    assert "half_broken.gone:role" in by_kind["role-broken"]["where"]
    assert "ModuleNotFoundError" in by_kind["role-broken"]["message"]
    # The working plugin is listed as usual; the text form says the same as the JSON.
    names = [d["name"] for d in json.loads(report.stdout)["distributions"]]
    assert "my-chaos-plugin" in names and "half-broken" in names
    # Only the broken plugin's entries are problems: the working one's role is still usable.
    assert all("half_broken" in p["where"] or "shaky" in p["message"] for p in problems)
    assert chaos.json("check", "roles", "-j") == ["my-role", "shaky"]
    text = chaos.run("check", "plugins")
    assert text.returncode == 1
    assert "3 problems:" in text.stdout and "my-chaos-plugin" in text.stdout
    assert "explanation topic `shaky` cannot be loaded" in text.stdout


def test_plain_output_when_not_a_terminal(chaos, plugin_env, example_wheel):
    plugin_env.install(example_wheel("my-chaos-plugin"))
    assert chaos.ok("check", "roles").stdout == "my-role\n"
    assert chaos.ok("check", "aliases").stdout == "mr\tmy-role\n"
    assert chaos.ok("check", "boats").stdout == "No boats found.\n"


def test_pretty_list_in_columns_on_a_terminal(chaos, plugin_env, tmp_path):
    roles = {f"role-{i:02d}": f"m:r{i}" for i in range(9)}
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "many",
            entry_points={"chaos.roles": roles, "chaos.aliases": {"r0": "role-00"}},
        )
    )
    out = stdout_on_terminal(chaos, "check", "roles", env={"COLUMNS": "60"})
    # 60 columns fit five names of 7 characters with 3 spaces between; filled column by column.
    assert out.splitlines() == [
        "Available roles (9)",
        "  role-00   role-02   role-04   role-06   role-08",
        "  role-01   role-03   role-05   role-07",
    ]
    aliases = stdout_on_terminal(chaos, "check", "aliases", env={"COLUMNS": "60"})
    assert "Alias" in aliases and "Maps to" in aliases and "role-00" in aliases


def test_doctor_without_pyinfra_says_what_to_install(tmp_path):
    bare = PluginEnv(tmp_path / "bare", with_base=False)
    chaos = Chaos(tmp_path, bare)
    result = chaos.run("doctor")
    assert result.returncode == 1
    assert "pyinfra is missing" in result.stdout
    assert f"{bare.python} -m pip install 'pyinfra>=3.8,<4'" in result.stdout
    assert "omegaconf is missing" in result.stdout
    report = json.loads(chaos.run("doctor", "--json").stdout)
    assert report["ok"] is False
    pyinfra = next(r for r in report["requirements"] if r["name"] == "pyinfra")
    assert pyinfra["found"] is False and "pip install" in pyinfra["fix"]


def test_doctor_reports_a_working_environment(chaos, plugin_env):
    result = chaos.ok("doctor")
    assert f"interpreter   {plugin_env.python}" in result.stdout
    assert "chosen from   CHAOS_PYTHON" in result.stdout
    assert "✓ pyinfra 3." in result.stdout
    report = chaos.json("doctor", "--json")
    assert report["python"]["interpreter"] == str(plugin_env.python)
    assert str(plugin_env.site_packages) in report["python"]["import_path"]


def test_interpreter_from_config_and_bad_interpreter(chaos, plugin_env):
    env = {"CHAOS_PYTHON": None}
    chaos.write_config(f"python: {plugin_env.python}\n")
    report = chaos.json("doctor", "--json", env=env)
    assert report["python"]["interpreter"] == str(plugin_env.python)
    assert report["python"]["source"].startswith("`python` in ")
    bad = chaos.run("check", "roles", env={"CHAOS_PYTHON": "/nonexistent/python"})
    assert bad.returncode == 1
    assert "CHAOS_PYTHON names `/nonexistent/python`" in bad.stderr
    broken_config = chaos.write_config("python: [not, a, string]\naliases: 3\n")
    result = chaos.run("check", "roles", env=env)
    assert result.returncode == 1
    assert f"{broken_config}:1:9" in result.stderr


@pytest.mark.skipif(
    not os.environ.get("CHAOS_INSTALLED_BINARY"),
    reason="needs the pip-installed binary (scripts/test.sh)",
)
def test_pip_installed_binary_uses_its_own_virtual_environment(tmp_path, example_wheel):
    binary = os.environ["CHAOS_INSTALLED_BINARY"]
    chaos = Chaos(tmp_path, None, binary=__import__("pathlib").Path(binary))
    report = chaos.json("doctor", "--json")
    assert report["python"]["source"] == "the virtual environment chaos is installed in"
    assert report["python"]["interpreter"] == str(
        __import__("pathlib").Path(binary).parent / "python"
    )
    assert sys.prefix in report["python"]["prefix"] or report["python"]["virtualenv"]


def test_plugins_in_directories_added_by_pth_files(chaos, plugin_env, tmp_path):
    extra = tmp_path / "extra-site"
    wheel = write_wheel(
        tmp_path / "w", "via-pth", entry_points={"chaos.roles": {"via-pth": "via_pth:run"}}
    )
    plugin_env.pip("install", "--no-deps", "--no-index", "--target", str(extra), str(wheel))
    assert chaos.json("check", "roles", "-j") == []
    (plugin_env.site_packages / "extra.pth").write_text(f"{extra}\n")
    assert chaos.json("check", "roles", "-j") == ["via-pth"]
