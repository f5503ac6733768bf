"""The example plugin's demo roles, set up the way most end-to-end tests use them."""

from __future__ import annotations

from pathlib import Path


def install_demo(
    plugin_env, example_wheel, tmp_path: Path, files: dict[str, str], legacy: bool = False
) -> tuple[Path, Path]:
    """Installs chaos-demo-plugin and writes a Ch-obolo for its demo-files role: ``root`` is
    tmp_path/demo-root, ``files`` maps each file's name to its text as written in the YAML (so
    quote what needs it); with ``legacy``, demo-legacy's marker file too. Returns the root and
    the Ch-obolo's path."""
    plugin_env.install(example_wheel("chaos-demo-plugin"))
    root = tmp_path / "demo-root"
    chobolo = tmp_path / "ch-obolo.yml"
    text = f"demo_files:\n  root: {root}\n  files:\n"
    text += "".join(f"    {name}: {value}\n" for name, value in files.items())
    if legacy:
        text += f"demo_legacy:\n  marker: {tmp_path / 'marker'}\n"
    chobolo.write_text(text)
    return root, chobolo
