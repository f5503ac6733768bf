"""`chaos explain`: plugin topics through the manifest, built-in topics, errors and output modes."""

from __future__ import annotations

import re

import pytest
import yaml
from support.environments import Chaos
from support.terminal import stdout_on_terminal
from support.wheelkit import write_wheel


@pytest.fixture
def guide(plugin_env, example_wheel):
    plugin_env.install(example_wheel("my-chaos-plugin"))


@pytest.fixture
def demo(plugin_env, example_wheel):
    plugin_env.install(example_wheel("chaos-demo-plugin"))


def explain_plugin(directory, name, source, topic=None, cls="Explain"):
    """A wheel registering one chaos.explain class from ``source``."""
    module = name.replace("-", "_")
    return write_wheel(
        directory,
        name,
        entry_points={"chaos.explain": {topic or name: f"{module}.explain:{cls}"}},
        modules={f"{module}/__init__.py": "", f"{module}/explain.py": source},
    )


def test_topic_shows_concept_what_why_and_how(chaos, guide):
    out = chaos.ok("explain", "my-role").stdout
    assert "My Custom Role" in out
    assert "This role ensures a specific directory exists." in out
    assert "To demonstrate how to create a Ch-aOS plugin." in out
    # `how` is shown at the default detail level (the original hid it there).
    assert "It uses the `files.directory` operation from pyinfra." in out
    assert "from plugin my-chaos-plugin" in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_list_shows_order_and_honours_json(chaos, guide):
    assert "usage" in chaos.ok("explain", "my-role.list").stdout
    assert chaos.json("explain", "my-role.list", "-n", "-j") == ["usage"]
    assert chaos.json("explain", "my-role.list", "--json") == ["usage"]
    assert yaml.safe_load(chaos.ok("explain", "my-role.list", "-n").stdout) == ["usage"]


def test_subtopic_as_json_and_yaml(chaos, guide):
    expected = {
        "concept": "Usage Example",
        "examples": [{"yaml": "# Run the role\nchaos apply my-role"}],
    }
    assert chaos.json("explain", "my-role.usage", "-n", "-j") == expected
    assert yaml.safe_load(chaos.ok("explain", "my-role.usage", "-n").stdout) == expected


def test_unknown_subtopic_fails_naming_topic_and_listing_subtopics(chaos, guide):
    result = chaos.run("explain", "my-role.nope")
    assert result.returncode == 1
    assert "topic `my-role` has no sub-topic `nope`" in result.stderr
    assert "available sub-topics of `my-role`: usage" in result.stderr
    assert "my_chaos_plugin.explain:MyRoleExplain" in result.stderr


def test_explain_alone_lists_every_topic(chaos, guide):
    out = chaos.ok("explain").stdout
    assert "apply, boats, chaos, explain, fleet, plugins, records, secrets" in out
    assert "from plugins  my-role" in out
    assert chaos.json("explain", "-j") == {
        "builtin": ["apply", "boats", "chaos", "explain", "fleet", "plugins", "records", "secrets"],
        "plugins": ["my-role"],
    }


def test_unknown_topic_lists_topics(chaos, guide):
    result = chaos.run("explain", "nothing-here")
    assert result.returncode == 1
    assert "no explanation for topic `nothing-here`" in result.stderr
    assert "apply" in result.stderr and "my-role" in result.stderr


def test_more_than_one_dot_is_an_error(chaos, guide):
    result = chaos.run("explain", "my-role.usage.extra")
    assert result.returncode == 1
    assert "more than one dot" in result.stderr
    assert result.stdout == ""


def test_several_topics_each_answered_even_when_one_fails(chaos, guide):
    result = chaos.run("explain", "my-role", "missing.topic", "chaos.chobolo")
    assert result.returncode == 1
    assert "My Custom Role" in result.stdout and "The Ch-obolo" in result.stdout
    assert "missing" in result.stderr
    data = chaos.json("explain", "my-role.list", "my-role.usage", "-j")
    assert data["my-role.list"] == ["usage"]
    assert data["my-role.usage"]["concept"] == "Usage Example"


def test_hyphen_in_subtopic_maps_to_underscore(chaos, demo):
    out = chaos.ok("explain", "demo-files.layout-rules").stdout
    assert "Layout rules" in out
    assert chaos.json("explain", "demo-files.layout_rules", "-j")["concept"] == "Layout rules"
    assert chaos.json("explain", "demo-files.list", "-j") == ["layout-rules", "removal"]


def test_details_choose_the_keys_shown(chaos, demo):
    basic = chaos.ok("explain", "demo-files").stdout
    assert "How it works" in basic and "Security" in basic
    assert "Technical details" not in basic and "Related files" not in basic
    assert "More with -d advanced" in basic
    intermediate = chaos.ok("explain", "demo-files", "-d", "intermediate").stdout
    assert "Declarative files" in intermediate  # concept is kept (the original hid it here)
    assert "Equivalent commands" in intermediate and "install -D -m 644" in intermediate
    advanced = chaos.ok("explain", "demo-files", "-d", "advanced").stdout
    assert "Technical details" in advanced and "<demo_files.root>/*" in advanced
    # -n is the raw dict, not filtered by -d.
    assert "technical" in chaos.json("explain", "demo-files", "-j", "-d", "basic")


def test_complexity_is_passed_to_the_method(chaos, plugin_env, tmp_path):
    source = (
        "class Explain:\n"
        "    def explain_levels(self, complexity):\n"
        "        return {'concept': 'Levels', 'what': 'written for ' + complexity}\n"
    )
    plugin_env.install(explain_plugin(tmp_path / "w", "levels", source))
    assert "written for basic" in chaos.ok("explain", "levels").stdout
    assert "written for advanced" in chaos.ok("explain", "levels", "-c", "advanced").stdout
    assert (
        chaos.json("explain", "levels", "-c", "intermediate", "-j")["what"]
        == "written for intermediate"
    )


def test_broken_explain_class_is_reported_and_others_still_work(chaos, plugin_env, tmp_path, guide):
    source = "class Explain:\n    def __init__(self):\n        raise ValueError('explain class cannot start')\n"
    plugin_env.install(explain_plugin(tmp_path / "w", "broken-plugin", source, topic="broken"))
    result = chaos.run("explain", "broken", "my-role")
    assert result.returncode == 1
    assert "ValueError: explain class cannot start" in result.stderr
    assert "broken_plugin.explain:Explain" in result.stderr
    assert "broken-plugin" in result.stderr
    assert "broken_plugin/explain.py:3" in result.stderr  # where it raised
    assert "My Custom Role" in result.stdout


def test_method_failing_at_one_complexity(chaos, plugin_env, tmp_path):
    source = (
        "class Explain:\n"
        "    def explain_partial(self, complexity):\n"
        "        if complexity == 'advanced':\n"
        "            raise RuntimeError('no advanced text yet')\n"
        "        return {'what': 'fine at ' + complexity}\n"
    )
    plugin_env.install(explain_plugin(tmp_path / "w", "partial", source))
    assert "fine at basic" in chaos.ok("explain", "partial").stdout
    result = chaos.run("explain", "partial", "-c", "advanced")
    assert result.returncode == 1
    assert 'explain_partial("advanced") failed: RuntimeError: no advanced text yet' in result.stderr


def test_import_error_names_the_entry_point(chaos, plugin_env, tmp_path):
    wheel = write_wheel(
        tmp_path / "w",
        "ghost",
        entry_points={"chaos.explain": {"ghost": "ghost_missing.explain:Explain"}},
    )
    plugin_env.install(wheel)
    result = chaos.run("explain", "ghost")
    assert result.returncode == 1
    assert (
        "ModuleNotFoundError" in result.stderr and "ghost_missing.explain:Explain" in result.stderr
    )


BUILTINS = ["chaos", "apply", "explain", "plugins", "secrets", "fleet", "boats", "records"]


@pytest.mark.parametrize("topic", BUILTINS)
def test_builtin_topics_and_every_subtopic_resolve(chaos, topic):
    assert chaos.ok("explain", topic).stdout.startswith(topic)
    subtopics = chaos.json("explain", f"{topic}.list", "-j")
    assert subtopics, topic
    for level in ("basic", "intermediate", "advanced"):
        data = chaos.json("explain", *[f"{topic}.{s}" for s in subtopics], "-j", "-c", level)
        assert all(d.get("concept") and d.get("what") for d in data.values()), data
    advanced = chaos.ok("explain", topic, "-d", "advanced", "-c", "advanced").stdout
    assert "Technical details" in advanced


def test_builtin_topics_need_no_plugin_environment(tmp_path):
    chaos = Chaos(tmp_path, None)
    chaos.env["CHAOS_PYTHON"] = str(tmp_path / "no-such-python")
    out = chaos.ok("explain", "plugins.pyproject").stdout
    assert "hatchling" in out
    result = chaos.run("explain", "my-role")
    assert result.returncode == 1 and "no-such-python" in result.stderr


def test_terminal_output_is_coloured_and_long_output_goes_through_the_pager(chaos, guide, tmp_path):
    paged = tmp_path / "paged.txt"
    env = {"NO_COLOR": None, "LINES": "10", "COLUMNS": "80", "PAGER": f"cat > {paged}"}
    stdout_on_terminal(chaos, "explain", "plugins", "-d", "advanced", env=env)
    text = paged.read_text()
    assert "\x1b[" in text and "Plugins" in text
    # Prose is wrapped to the terminal's width.
    widths = [len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in text.splitlines()]
    assert max(widths) <= 80, max(widths)
    paged.unlink()
    stdout_on_terminal(chaos, "explain", "plugins", "-d", "advanced", env={**env, "COLUMNS": "50"})
    narrow = paged.read_text()
    narrow_widths = [len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in narrow.splitlines()]
    assert max(narrow_widths) <= 50 and len(narrow_widths) > len(widths)

    paged.unlink()
    short = stdout_on_terminal(chaos, "explain", "my-role.list", env=env)
    assert not paged.exists()  # fits on the screen: no pager
    assert "usage" in short

    plain = stdout_on_terminal(
        chaos, "explain", "my-role", env={**env, "NO_COLOR": "1", "PAGER": ""}
    )
    assert "\x1b[" not in plain and "My Custom Role" in plain


def test_help_teaches(chaos):
    out = chaos.ok("explain", "--help").stdout
    assert "Examples:" in out and "chaos explain my-role.list" in out
    assert "apply, boats, chaos, explain, fleet, plugins, records, secrets" in out
