"""A plugin that failed to load because something it imports was missing is read again once
that is installed, without `chaos -u` (issue 8, item 10)."""

from __future__ import annotations

import json

from support.wheelkit import write_wheel

ROLE = """
import os

import helper_dep

with open(os.environ["IMPORT_LOG"], "a") as log:
    log.write("needy\\n")


def run(state, host, chobolo_path, skip_confirm):
    helper_dep.work()
"""


def install_role_plugin(plugin_env, directory, name, source):
    module = name.replace("-", "_") + "_role"
    plugin_env.install(
        write_wheel(
            directory,
            f"{name}-plugin",
            entry_points={"chaos.roles": {name: f"{module}:run"}},
            modules={f"{module}.py": source},
        )
    )


def problems(chaos):
    result = chaos.run("check", "plugins", "--json")
    return result.returncode, json.loads(result.stdout)["problems"]


def test_installing_a_missing_dependency_later_clears_the_import_error(chaos, plugin_env, tmp_path):
    log = tmp_path / "imports.log"
    chaos.env["IMPORT_LOG"] = str(log)
    install_role_plugin(plugin_env, tmp_path / "w", "needy", ROLE)
    code, found = problems(chaos)
    assert code == 1
    assert any("No module named 'helper_dep'" in p["message"] for p in found), found
    # Cached: the failure is not re-read while nothing in the environment changed.
    code, found = problems(chaos)
    assert code == 1 and any("helper_dep" in p["message"] for p in found)

    plugin_env.install(
        write_wheel(
            tmp_path / "w2",
            "helper-dep",
            modules={"helper_dep.py": "def work():\n    return None\n"},
        )
    )
    code, found = problems(chaos)
    assert not any("helper_dep" in p["message"] for p in found), found
    assert code == 0, found
    assert log.read_text().split() == ["needy"]  # imported for real, this time successfully

    # Now current and cached: a further command reads nothing again.
    code, found = problems(chaos)
    assert code == 0
    assert log.read_text().split() == ["needy"]


def test_a_plugin_that_loaded_is_not_read_again_when_the_environment_changes(
    chaos, plugin_env, tmp_path
):
    log = tmp_path / "imports.log"
    chaos.env["IMPORT_LOG"] = str(log)
    fine = ROLE.replace("import helper_dep\n", "").replace("helper_dep.work()", "pass")
    install_role_plugin(plugin_env, tmp_path / "w", "fine", fine.replace("needy", "fine"))
    assert problems(chaos)[0] == 0
    assert log.read_text().split() == ["fine"]
    plugin_env.install(write_wheel(tmp_path / "w2", "unrelated", modules={"unrelated.py": ""}))
    assert problems(chaos)[0] == 0
    assert log.read_text().split() == ["fine"]
