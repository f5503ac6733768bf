"""A Ch-obolo's size: a large one written out in full applies, an alias bomb is refused with
the truth (how far its aliases expand it), and an alias that contains itself is named.

OmegaConf 2.4 refuses any YAML that becomes more than 10,000 nodes, aliases or not, with a
message about alias expansion: a large package list would fail in the host and in every plugin
that loads the Ch-obolo itself (the demo plugin's legacy role does).
"""

from __future__ import annotations

import json


def _big_chobolo(tmp_path, entries: int):
    root = tmp_path / "demo-root"
    chobolo = tmp_path / "big.yml"
    lines = [
        "demo_files:",
        f"  root: {root}",
        "  files:",
        "    a.txt: alpha",
        "demo_legacy:",
        f"  marker: {tmp_path / 'marker'}",
        "packages:",
    ]
    lines += [f"  - package-{i}" for i in range(entries)]
    chobolo.write_text("\n".join(lines) + "\n")
    return root, chobolo


def test_a_large_chobolo_without_aliases_applies_in_the_host_and_in_plugins(
    chaos, plugin_env, example_wheel, tmp_path
):
    plugin_env.install(example_wheel("chaos-demo-plugin"))
    root, chobolo = _big_chobolo(tmp_path, 25_000)
    report = chaos.json("apply", "demo-files", "demo-legacy", "-c", str(chobolo), "-y", "--json")
    assert report["success"] is True, report["errors"]
    assert (root / "a.txt").read_text() == "alpha"
    # The legacy role loaded the same file with OmegaConf on its own.
    assert (tmp_path / "marker").exists()


def test_an_alias_bomb_is_refused_naming_its_expansion(chaos, plugin_env, example_wheel, tmp_path):
    plugin_env.install(example_wheel("chaos-demo-plugin"))
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yml"
    bomb.write_text("\n".join(lines) + "\n")
    result = chaos.run("apply", "demo-files", "-c", str(bomb), "-y", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    message = " ".join(e["message"] for e in report["errors"])
    assert "aliases (*name) expand it to 1,234,567,909 nodes from 29 as written" in message
    assert "OMEGACONF" not in message and "configured limit" not in message


def test_an_alias_inside_its_own_anchor_is_named_with_its_position(
    chaos, plugin_env, example_wheel, tmp_path
):
    plugin_env.install(example_wheel("chaos-demo-plugin"))
    chobolo = tmp_path / "loop.yml"
    chobolo.write_text("demo_files:\n  files: &loop [a, *loop]\n")
    result = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y")
    assert result.returncode == 1
    assert "a YAML alias refers to a node that contains it" in result.stderr
    assert f"{chobolo}:2:" in result.stderr
