"""One broken package elsewhere in the plugin environment does not stop `chaos apply`
(issue 8, item 13): pyinfra's scan for connectors reads every entry_points.txt."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "content",
    [
        b"[pyinfra.connectors]\nthis line has no equals sign\n",
        b"[console_scripts]\nx = caf\xff:main\n",
    ],
)
def test_broken_entry_points_file_of_another_package_does_not_break_apply(
    chaos, plugin_env, example_wheel, tmp_path, content
):
    plugin_env.install(example_wheel("my-chaos-plugin"))
    chaos.env["MY_ROLE_DIR"] = str(tmp_path / "made-by-my-role")
    # A damaged installation of some other package (pip itself refuses to write one).
    broken = plugin_env.site_packages / "damaged_pkg-1.0.dist-info"
    broken.mkdir()
    (broken / "METADATA").write_text("Metadata-Version: 2.1\nName: damaged-pkg\nVersion: 1.0\n")
    (broken / "entry_points.txt").write_bytes(content)
    result = chaos.run("apply", "my-role", "-y")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "made-by-my-role").is_dir()
    assert str(broken / "entry_points.txt") in result.stderr
