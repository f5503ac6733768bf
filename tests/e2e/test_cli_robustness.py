"""Input from the command line, the environment and config.yml never aborts chaos, and a
mistake on the command line is named with what was probably meant (issue 8, items 11 and 16)."""

from __future__ import annotations

import json

import pytest
from support.wheelkit import write_wheel

# subprocess encodes str arguments and environment values with os.fsencode, so a lone
# surrogate reaches chaos as the raw byte: "\udcff" is b"\xff", which is not UTF-8.
BAD = "caf\udcff"


def assert_no_crash(result):
    # 134 is SIGABRT (an uncaught exception), 139 SIGSEGV; a negative code is a signal.
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["apply", BAD],
        ["apply", "-c", BAD, "x"],
        ["explain", BAD],
        ["check", BAD],
        ["init", "chobolo", "-o", BAD],
        [BAD],
        ["log", "-n", BAD],
    ],
)
def test_invalid_utf8_argument_is_a_usage_error_naming_it(chaos, args):
    result = chaos.run(*args)
    assert_no_crash(result)
    assert result.returncode == 2, result.stderr
    assert "not valid UTF-8" in result.stderr
    assert "caf\\xff" in result.stderr


@pytest.mark.parametrize(
    "variable", ["HOME", "XDG_STATE_HOME", "CHAOS_CACHE_DIR", "CHAOS_CONFIG_DIR"]
)
def test_invalid_utf8_directory_in_the_environment_is_named(chaos, plugin_env, tmp_path, variable):
    plugin_env.install(
        write_wheel(tmp_path / "w", "p", entry_points={"chaos.roles": {"r": "p:run"}})
    )
    result = chaos.run("check", "roles", env={variable: str(tmp_path / BAD)})
    assert_no_crash(result)
    assert result.returncode == 1, result.stderr
    assert "not valid UTF-8" in result.stderr
    assert "caf\\xff" in result.stderr
    assert variable in result.stderr


def test_invalid_utf8_current_directory_is_named_when_a_path_depends_on_it(
    chaos, plugin_env, tmp_path
):
    odd = tmp_path / BAD
    odd.mkdir()
    result = chaos.run("check", "roles", env={"CHAOS_CACHE_DIR": "relative-cache"}, cwd=odd)
    assert_no_crash(result)
    assert result.returncode == 1, result.stderr
    assert "CHAOS_CACHE_DIR" in result.stderr
    assert "caf\\xff" in result.stderr


@pytest.mark.parametrize(
    "text, line",
    [
        ("aliases:\n  ? [a, b]\n  : my-role\n", 2),  # a list as an alias name
        ("aliases:\n  ? {x: 1}\n  : my-role\n", 2),  # a mapping as an alias name
        ("aliases: [1, 2]\n", 1),
        ("python: {}\n", 1),
        ("chobolo_file: [a]\n", 1),
        ("aliases:\n  mr: [[nested]]\n", 2),
    ],
)
def test_wrongly_typed_config_field_is_an_error_at_its_position(chaos, plugin_env, text, line):
    path = chaos.write_config(text)
    result = chaos.run("check", "aliases")
    assert_no_crash(result)
    assert result.returncode == 1, result.stderr
    assert f"{path}:{line}:" in result.stderr


@pytest.mark.parametrize(
    "raw",
    [
        b"chobolo_file: /tmp/caf\xff.yml\n",
        b"aliases:\n  caf\xff: my-role\n",
        b"aliases:\n  mr: caf\xff\n",
    ],
)
def test_invalid_utf8_in_config_is_an_error_naming_the_file(chaos, plugin_env, raw):
    path = chaos.write_config("")
    path.write_bytes(raw)
    result = chaos.run("check", "aliases")
    assert_no_crash(result)
    assert result.returncode == 1, result.stderr
    assert str(path) in result.stderr
    assert "UTF-8" in result.stderr


def test_unknown_command_is_named_with_a_suggestion(chaos):
    result = chaos.run("aply", "motd")
    assert result.returncode == 2
    assert "unknown command `aply`, did you mean `apply`?" in result.stderr
    assert "not expected" not in result.stderr


def test_unknown_subcommand_is_named_with_a_suggestion(chaos):
    result = chaos.run("init", "chobol")
    assert result.returncode == 2
    assert "unknown subcommand `chobol` of `chaos init`, did you mean `chobolo`?" in result.stderr


def test_unknown_option_of_a_subcommand_is_named_with_a_suggestion(chaos):
    result = chaos.run("apply", "--dyr", "motd")
    assert result.returncode == 2
    assert "unknown option `--dyr` for `chaos apply`, did you mean `--dry`?" in result.stderr
    result = chaos.run("log", "--jsno")
    assert result.returncode == 2
    assert "unknown option `--jsno` for `chaos log`, did you mean `--json`?" in result.stderr


def test_unexpected_argument_names_the_command(chaos):
    result = chaos.run("doctor", "extra")
    assert result.returncode == 2
    assert "unexpected argument `extra` for `chaos doctor`" in result.stderr
    # log has subcommands (show, export): a stray word is a subcommand that does not exist.
    result = chaos.run("log", "-n", "3", "shwo")
    assert result.returncode == 2
    assert "unknown subcommand `shwo` of `chaos log`, did you mean `show`?" in result.stderr


@pytest.mark.parametrize("command", [["apply"], ["init", "chobolo"], ["log"]])
def test_help_command_is_the_command_help(chaos, command):
    direct = chaos.run(*command, "--help")
    via_help = chaos.run("help", *command)
    assert via_help.returncode == direct.returncode == 0
    assert via_help.stdout == direct.stdout
    assert "Usage" in via_help.stdout or "usage" in via_help.stdout.lower()


def test_help_alone_is_the_main_help(chaos):
    result = chaos.run("help")
    assert result.returncode == 0
    assert "apply" in result.stdout and "explain" in result.stdout


def test_help_for_an_unknown_command_suggests_one(chaos):
    result = chaos.run("help", "aply")
    assert result.returncode == 2
    assert "did you mean `apply`?" in result.stderr


def test_unknown_role_names_the_environment_searched_and_suggests_doctor(chaos, plugin_env):
    result = chaos.run("apply", "no-such-role")
    assert result.returncode == 2
    assert "unknown role `no-such-role`" in result.stderr
    assert str(plugin_env.python) in result.stderr
    assert "chaos doctor" in result.stderr


def test_plugin_alias_pointing_at_a_missing_role_names_alias_and_plugin(
    chaos, plugin_env, tmp_path
):
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "alias-only-plugin",
            entry_points={"chaos.aliases": {"ghosty": "vanished-role"}},
        )
    )
    result = chaos.run("apply", "ghosty")
    assert result.returncode == 2
    assert "alias `ghosty` points at `vanished-role`" in result.stderr
    assert "alias-only-plugin" in result.stderr


def test_config_alias_pointing_at_a_missing_role_names_the_config_file(chaos, plugin_env):
    path = chaos.write_config("aliases:\n  ghosty: vanished-role\n")
    result = chaos.run("apply", "ghosty")
    assert result.returncode == 2
    assert "alias `ghosty` points at `vanished-role`" in result.stderr
    assert str(path) in result.stderr


def test_two_plugins_providing_one_role_make_apply_refuse_naming_both(chaos, plugin_env, tmp_path):
    module = (
        "def run(state, host, chobolo_path, skip_confirm):\n    open({path!r}, 'w').write('ran')\n"
    )
    for name, mod in (("first-plugin", "first_mod"), ("second-plugin", "second_mod")):
        marker = tmp_path / f"{mod}.ran"
        plugin_env.install(
            write_wheel(
                tmp_path / "w",
                name,
                entry_points={"chaos.roles": {"shared-role": f"{mod}:run"}},
                modules={f"{mod}.py": module.format(path=str(marker))},
            )
        )
    result = chaos.run("apply", "shared-role", "-y")
    assert result.returncode != 0
    assert "role `shared-role` is provided by more than one plugin" in result.stderr
    assert "first-plugin" in result.stderr and "second-plugin" in result.stderr
    assert not (tmp_path / "first_mod.ran").exists()
    assert not (tmp_path / "second_mod.ran").exists()


def write_alias_chain(chaos, depth):
    lines = ["aliases:"]
    lines += [f"  a{i}: a{i + 1}" for i in range(depth)]
    lines.append(f"  a{depth}: end-of-chain")
    chaos.write_config("\n".join(lines) + "\n")


def test_deep_alias_chain_expands_without_overflowing_the_stack(chaos, plugin_env):
    depth = 60_000
    write_alias_chain(chaos, depth)
    result = chaos.run("apply", "a0", timeout=120)
    assert_no_crash(result)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"alias `a{depth}` points at `end-of-chain`" in result.stderr


def test_check_plugins_finds_the_broken_end_of_a_deep_alias_chain(chaos, plugin_env):
    depth = 60_000
    write_alias_chain(chaos, depth)
    result = chaos.run("check", "plugins", "--json", timeout=120)
    assert_no_crash(result)
    assert result.returncode == 1, result.stderr[-2000:]
    problems = json.loads(result.stdout)["problems"]
    assert [p["message"] for p in problems if p["kind"] == "alias-target"] == [
        f"alias `a{depth}` points at `end-of-chain`, which no installed plugin provides as a role"
    ]


def test_many_aliases_expand_and_a_long_cycle_is_still_found(chaos, plugin_env):
    count = 100_000
    lines = ["aliases:"]
    lines += [f"  c{i}: c{(i + 1) % count}" for i in range(count)]
    chaos.write_config("\n".join(lines) + "\n")
    result = chaos.run("apply", "c0", timeout=120)
    assert_no_crash(result)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "alias cycle: c0 -> c1 -> c2" in result.stderr
    assert f"c{count - 1} -> c0" in result.stderr


def test_diamond_shaped_aliases_are_not_a_cycle(chaos, plugin_env):
    chaos.write_config("aliases:\n  b: [a, mr]\n  a: mr\n  mr: [nothing-here]\n")
    result = chaos.run("apply", "b")
    assert "cycle" not in result.stderr
    assert "alias `mr` points at `nothing-here`" in result.stderr
