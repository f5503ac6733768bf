"""`chaos set chobolo|secrets|sops PATH` writes $CHAOS_CONFIG_DIR/config.yml, keeping the rest."""

from __future__ import annotations

import yaml


def test_set_writes_the_config_dir_chaos_was_told_and_keeps_comments(chaos, tmp_path):
    chobolo = tmp_path / "desk.yml"
    chobolo.write_text("a: 1\n")
    secrets = tmp_path / "secrets.yml"
    secrets.write_text("x: 1\n")
    config = chaos.write_config(
        "# mine\npython: /usr/bin/python3  # the env\naliases:\n  d: demo\n"
    )

    out = chaos.ok("set", "ch", str(chobolo))
    assert str(chobolo) in out.stdout and str(config) in out.stdout
    chaos.ok("set", "sec", "secrets.yml", cwd=tmp_path)  # relative: stored absolute

    text = config.read_text()
    assert text.startswith("# mine\npython: /usr/bin/python3  # the env\naliases:\n  d: demo\n")
    assert yaml.safe_load(text) == {
        "python": "/usr/bin/python3",
        "aliases": {"d": "demo"},
        "chobolo_file": str(chobolo),
        "secrets_file": str(secrets),
    }
    chaos.ok("set", "chobolo", str(secrets))
    assert yaml.safe_load(config.read_text())["chobolo_file"] == str(secrets)
    assert config.read_text().count("chobolo_file") == 1


def test_set_refuses_a_missing_file_and_an_unknown_setting(chaos, tmp_path):
    missing = chaos.run("set", "sops", str(tmp_path / "nope.yml"))
    assert missing.returncode == 1 and "nope.yml" in missing.stderr
    assert not (chaos.config_dir / "config.yml").exists()
    unknown = chaos.run("set", "colour", str(tmp_path))
    assert (
        unknown.returncode == 2
        and "chobolo (c, ch), secrets (sec, se) or sops (sop)" in unknown.stderr
    )
