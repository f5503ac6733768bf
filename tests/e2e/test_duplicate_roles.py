"""Two installed plugins registering the same role name: `check plugins` reports the clash with
both owners, and `apply` refuses to guess which one the user meant (running either could do
the wrong thing to the machine as root)."""

from __future__ import annotations

import json

import pytest
from support.wheelkit import write_wheel

ROLE = """
from pathlib import Path

def run(state, host, chobolo_path, skip_confirm):
    Path({marker!r}).write_text({owner!r})
"""


@pytest.fixture
def clash(chaos, plugin_env, tmp_path):
    """`users` registered by first-plugin and by second-plugin; each would write its name into
    the returned marker file when run."""
    marker = tmp_path / "ran"
    for owner in ("first", "second"):
        plugin_env.install(
            write_wheel(
                tmp_path / "w",
                f"{owner}-plugin",
                entry_points={"chaos.roles": {"users": f"{owner}_roles:run"}},
                modules={f"{owner}_roles.py": ROLE.format(marker=str(marker), owner=owner)},
            )
        )
    return marker


def test_check_plugins_reports_the_duplicate_role_with_both_owners(chaos, clash):
    result = chaos.run("check", "plugins", "--json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    duplicates = [p for p in problems if p["kind"] == "duplicate"]
    assert len(duplicates) == 1, problems
    message = duplicates[0]["message"]
    assert "users" in message and "first-plugin" in message and "second-plugin" in message
    text = chaos.run("check", "plugins")
    assert text.returncode == 1
    assert "first-plugin" in text.stdout and "second-plugin" in text.stdout


def test_apply_refuses_a_role_two_plugins_register_naming_both(chaos, clash):
    result = chaos.run("apply", "users", "-y")
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "users" in result.stderr
    assert "first-plugin" in result.stderr and "second-plugin" in result.stderr
    assert not clash.exists(), f"a role ran anyway: {clash.read_text()}"
    report = json.loads(chaos.run("apply", "users", "-y", "--json").stdout)
    assert report["success"] is False and report["exit_code"] in (1, 2)
    assert not clash.exists()
