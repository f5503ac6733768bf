"""`chaos init chobolo` (templates from the manifest) and `chaos init plugin` (a working
skeleton, installed with pip and applied)."""

from __future__ import annotations

import pytest
import yaml
from support.environments import Chaos, build_wheel
from support.wheelkit import write_wheel


@pytest.fixture
def guide(plugin_env, example_wheel):
    plugin_env.install(example_wheel("my-chaos-plugin"))


def keys_plugin(directory, name, source, entry="keys"):
    module = name.replace("-", "_")
    return write_wheel(
        directory,
        name,
        entry_points={"chaos.keys": {entry: f"{module}.keys:KEYS"}},
        modules={f"{module}/__init__.py": "", f"{module}/keys.py": source},
    )


def test_template_has_plugin_keys_under_a_comment_and_the_fleet_block(chaos, guide):
    text = chaos.ok("init", "chobolo", "-t").stdout
    assert "# Keys for my-role, from plugin my-chaos-plugin 0.1.0\nmy_role_dirs:\n" in text
    assert "  # How many hosts pyinfra works on at once" in text  # the documented fleet block
    data = yaml.safe_load(text)
    assert data["my_role_dirs"] == ["/tmp/dir1", "/tmp/dir2"]
    assert data["fleet"]["parallelism"] == 0
    assert set(data["fleet"]) == {"parallelism", "hosts", "boats", "restrictions"}
    # --json is the same data, without comments.
    assert chaos.json("init", "chobolo", "--json") == data


def test_writes_ch_obolo_and_never_overwrites_without_force(chaos, guide, tmp_path):
    work = tmp_path / "here"
    work.mkdir()
    first = chaos.ok("init", "chobolo", cwd=work)
    target = work / "ch-obolo.yml"
    assert "Wrote ch-obolo.yml" in first.stdout
    assert "my_role_dirs" in yaml.safe_load(target.read_text())

    target.write_text("mine: true\n")
    again = chaos.run("init", "chobolo", cwd=work)
    assert again.returncode == 1
    assert "ch-obolo.yml already exists" in again.stderr and "--force" in again.stderr
    assert target.read_text() == "mine: true\n"

    chaos.ok("init", "chobolo", "--force", cwd=work)
    assert "my_role_dirs" in target.read_text()

    elsewhere = tmp_path / "nested" / "dir" / "host.yml"
    elsewhere.parent.mkdir(parents=True)  # a missing directory is an error (test_security.py)
    chaos.ok("init", "chobolo", "my-role", "-o", str(elsewhere))
    assert yaml.safe_load(elsewhere.read_text()) == {"my_role_dirs": ["/tmp/dir1", "/tmp/dir2"]}


def test_targets_select_templates_in_order(chaos, guide):
    only_fleet = yaml.safe_load(chaos.ok("init", "chobolo", "fleet", "-t").stdout)
    assert list(only_fleet) == ["fleet"]
    both = chaos.ok("init", "chobolo", "fleet", "my-role", "-t").stdout
    assert both.index("fleet:") < both.index("my_role_dirs:")
    unknown = chaos.run("init", "chobolo", "my-role", "nope", "-t")
    assert unknown.returncode == 2
    assert "no key template named `nope`" in unknown.stderr
    assert "my-role, fleet" in unknown.stderr


def test_fleet_template_needs_no_python(tmp_path):
    chaos = Chaos(tmp_path, None)
    chaos.env["CHAOS_PYTHON"] = "/bin/false"
    data = yaml.safe_load(chaos.ok("init", "chobolo", "fleet", "-t").stdout)
    assert data["fleet"]["hosts"] == {"@local": {}}


def test_keys_object_that_is_not_a_list(chaos, plugin_env, tmp_path, guide):
    plugin_env.install(
        keys_plugin(tmp_path / "w", "dict-keys", "KEYS = {'users': []}\n", entry="bad-keys")
    )
    result = chaos.run("init", "chobolo", "-t")
    assert result.returncode == 0  # the others are still written
    assert (
        "key template `bad-keys` cannot be used: 'dict_keys.keys:KEYS' is a dict, not a list"
        in result.stderr
    )
    assert "dict-keys" in result.stderr
    assert "my_role_dirs" in result.stdout and "users" not in yaml.safe_load(result.stdout)
    named = chaos.run("init", "chobolo", "bad-keys", "-t")
    assert named.returncode == 1 and named.stdout == ""


def test_item_that_is_not_a_mapping_is_skipped_with_a_warning(chaos, plugin_env, tmp_path):
    plugin_env.install(
        keys_plugin(tmp_path / "w", "mixed", "KEYS = [{'a': 1}, 'oops', {'b': [1, 2]}]\n")
    )
    result = chaos.run("init", "chobolo", "keys", "-t")
    assert result.returncode == 0
    assert (
        "item 2 of template `keys`" in result.stderr
        and "is a string, not a mapping" in result.stderr
    )
    assert yaml.safe_load(result.stdout) == {"a": 1, "b": [1, 2]}


def test_conflicting_root_keys_are_reported_and_deep_merged(chaos, plugin_env, tmp_path):
    first = "KEYS = [{'users': {'alice': {'shell': '/bin/bash'}}, 'only_first': 1}]\n"
    second = "KEYS = [{'users': {'bob': {'shell': '/bin/zsh'}, 'alice': {'uid': 1000}}}]\n"
    plugin_env.install(keys_plugin(tmp_path / "w", "users-a", first, entry="users-a"))
    plugin_env.install(keys_plugin(tmp_path / "w", "users-b", second, entry="users-b"))
    result = chaos.run("init", "chobolo", "users-a", "users-b", "-t")
    assert result.returncode == 0
    warning = [line for line in result.stderr.splitlines() if "root key `users`" in line]
    assert len(warning) == 1
    assert (
        "`users-a` (plugin users-a 1.0.0" in warning[0]
        and "`users-b` (plugin users-b 1.0.0" in warning[0]
    )
    data = yaml.safe_load(result.stdout)
    assert data["users"] == {
        "alice": {"shell": "/bin/bash", "uid": 1000},
        "bob": {"shell": "/bin/zsh"},
    }
    assert "# `users` is also set by users-b (merged)" in result.stdout


def test_tricky_values_survive_the_yaml_round_trip(chaos, plugin_env, tmp_path):
    source = (
        "KEYS = [{'s': ['yes', 'no', 'null', '1.0', '012', '2024-01-01', '12:30', '', ' pad', 'a: b',\n"
        "              '#x', '- x', 'multi\\nline\\n', 'keep\\n\\n', 'no-newline\\nend', '\\u00e9t\\u00e9'],\n"
        "          'n': [0, -1, 1.5, True, False, None], 'empty': {}, 'list': [], 'odd key: x': 1}]\n"
    )
    plugin_env.install(keys_plugin(tmp_path / "w", "tricky", source))
    text = chaos.ok("init", "chobolo", "keys", "-t").stdout
    assert yaml.safe_load(text) == chaos.json("init", "chobolo", "keys", "--json")
    assert yaml.safe_load(text)["s"][0] == "yes"


def test_init_plugin_installs_checks_and_applies(chaos, plugin_env, tmp_path):
    work = tmp_path / "dev"
    work.mkdir()
    created = chaos.ok("init", "plugin", "chaos-web-dirs", cwd=work)
    assert "Created plugin chaos-web-dirs" in created.stdout
    root = work / "chaos-web-dirs"
    for path in (
        "pyproject.toml",
        "README.md",
        "src/chaos_web_dirs/roles.py",
        "src/chaos_web_dirs/explain.py",
    ):
        assert (root / path).is_file(), path
    pyproject = (root / "pyproject.toml").read_text()
    assert 'build-backend = "hatchling.build"' in pyproject
    for group in (
        "chaos.roles",
        "chaos.explain",
        "chaos.aliases",
        "chaos.keys",
        "chaos.providers",
        "chaos.boats",
    ):
        assert group in pyproject

    # Built with pip the way a user would (hatchling from the index), then installed.
    plugin_env.install(build_wheel(root, tmp_path / "wheels"))
    check = chaos.run("check", "plugins")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "roles: web-dirs" in check.stdout and "wd → web-dirs" in check.stdout
    assert "web-dirs" in chaos.ok("explain", "web-dirs").stdout
    assert chaos.json("explain", "web-dirs.list", "-j") == ["usage", "keys"]
    template = yaml.safe_load(chaos.ok("init", "chobolo", "web-dirs", "-t").stdout)
    assert template == {"web_dirs_dirs": ["/tmp/web-dirs-demo"]}

    targets = [tmp_path / "made" / "one", tmp_path / "made" / "two" / "deep"]
    chobolo = tmp_path / "ch-obolo.yml"
    chobolo.write_text("web_dirs_dirs:\n" + "".join(f"  - {t}\n" for t in targets))
    first = chaos.ok("apply", "web-dirs", "-c", str(chobolo), "-y")
    assert all(t.is_dir() for t in targets)
    assert "@local: 2 changed" in first.stdout
    second = chaos.ok("apply", "wd", "-c", str(chobolo), "-y")
    assert "@local: 0 changed" in second.stdout


def test_init_plugin_refuses_bad_names_and_non_empty_directories(chaos, tmp_path):
    # After `--`, a leading dash is a name, so the validator (not the option parser) answers.
    bad = chaos.run("init", "plugin", "--", "-no-good", cwd=tmp_path)
    assert bad.returncode == 2, bad.stderr
    assert "`-no-good` is not a valid Python distribution name" in bad.stderr
    assert "starting and ending with a letter or digit" in bad.stderr
    assert not (tmp_path / "-no-good").exists()
    digit = chaos.run("init", "plugin", "1st", cwd=tmp_path)
    assert (
        digit.returncode == 2 and "package name `1st`, which Python cannot import" in digit.stderr
    )
    keyword = chaos.run("init", "plugin", "class", cwd=tmp_path)
    assert keyword.returncode == 2 and "Python cannot import" in keyword.stderr
    shadow = chaos.run("init", "plugin", "chaos", cwd=tmp_path)
    assert shadow.returncode == 2 and "shadow" in shadow.stderr
    dotted = chaos.run("init", "plugin", "ok-name", "--role", "a.b", cwd=tmp_path)
    assert dotted.returncode == 2 and "no dots" in dotted.stderr

    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("x")
    taken = chaos.run("init", "plugin", "taken", cwd=tmp_path)
    assert taken.returncode == 1 and "not empty" in taken.stderr
    chaos.ok("init", "plugin", "taken", "--force", cwd=tmp_path)
    assert (tmp_path / "taken" / "keep.txt").read_text() == "x"
    assert (tmp_path / "taken" / "pyproject.toml").is_file()


def test_help_teaches(chaos):
    for args in (["init", "--help"], ["init", "chobolo", "--help"], ["init", "plugin", "--help"]):
        assert "Examples:" in chaos.ok(*args).stdout


def test_keys_keep_the_order_their_plugin_wrote_them_in(chaos, plugin_env, tmp_path):
    keys = "order_keys = [{'zeta': {'second': 2, 'first': 1}, 'alpha': 1}]\n"
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "ordered-keys",
            entry_points={"chaos.keys": {"ordered": "ordered_keys:order_keys"}},
            modules={"ordered_keys.py": keys},
        )
    )
    for _ in range(2):  # read through the role host, then from the cached manifest
        text = chaos.ok("init", "chobolo", "-t", "ordered").stdout
        body = [line for line in text.splitlines() if line and not line.startswith("#")]
        assert body == ["zeta:", "  second: 2", "  first: 1", "alpha: 1"]
