"""Shell completion: the scripts load in a real bash and complete from the cached index and
manifest; completing (and explaining, once warm) starts no Python process."""

from __future__ import annotations

import shlex
import subprocess

import pytest
from support.environments import which


@pytest.fixture
def guide(plugin_env, example_wheel):
    plugin_env.install(example_wheel("my-chaos-plugin"))


def bash_complete(chaos, line: str) -> list[str]:
    """Loads `chaos completion bash` in bash and completes ``line`` as if Tab were pressed at
    its end; the program word is the binary under test."""
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    words[0] = str(chaos.binary)
    script = f"""
source <({shlex.quote(str(chaos.binary))} completion bash)
complete -p chaos >/dev/null || exit 3
COMP_WORDS=({" ".join(shlex.quote(w) for w in words)})
COMP_CWORD={len(words) - 1}
COMP_LINE={shlex.quote(line)}
COMP_POINT=${{#COMP_LINE}}
_chaos_complete
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        check=False,
        capture_output=True,
        text=True,
        env=chaos.env,
        cwd=chaos.workdir,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [w for w in result.stdout.splitlines() if w]


@pytest.mark.skipif(not which("bash"), reason="bash is not installed")
def test_bash_completes_roles_aliases_commands_options_and_topics(chaos, guide):
    assert "apply" in chaos.ok("--help").stdout, "the apply command is registered"
    assert sorted(bash_complete(chaos, "chaos apply m")) == ["mr", "my-role"]
    assert "explain" in bash_complete(chaos, "chaos ex")
    assert "__complete" not in bash_complete(chaos, "chaos _")
    assert bash_complete(chaos, "chaos explain --de") == ["--details"]
    assert bash_complete(chaos, "chaos explain -d i") == ["intermediate"]
    assert bash_complete(chaos, "chaos check tem") == ["templates"]
    assert "my-role" in bash_complete(chaos, "chaos explain m")
    assert "fleet" in bash_complete(chaos, "chaos explain f")
    assert "chaos.chobolo" in bash_complete(chaos, "chaos explain chaos.")
    assert sorted(bash_complete(chaos, "chaos init chobolo ")) == ["fleet", "my-role"]
    (chaos.workdir / "hostfile.yml").write_text("x: 1\n")
    assert bash_complete(chaos, "chaos init chobolo -o hostf") == ["hostfile.yml"]


@pytest.mark.skipif(not which("bash"), reason="bash is not installed")
def test_bash_completes_subtopics_once_the_manifest_is_cached(chaos, guide):
    # Before any explain the manifest is not cached: the topic completes, `.list` is offered.
    assert bash_complete(chaos, "chaos explain my-role.") == ["my-role.list"]
    chaos.ok("explain", "my-role")
    assert sorted(bash_complete(chaos, "chaos explain my-role.")) == [
        "my-role.list",
        "my-role.usage",
    ]


def test_user_aliases_complete_too(chaos, guide):
    chaos.write_config("aliases:\n  mine: my-role\n")
    out = chaos.ok("__complete", "--shell", "zsh", "--", "chaos", "apply", "").stdout.splitlines()
    assert "my-role\trole from my-chaos-plugin" in out
    assert "mr\talias for my-role" in out and "mine\talias for my-role" in out


def test_scripts_for_every_shell(chaos):
    for shell, marker in (
        ("bash", "complete -F"),
        ("zsh", "compdef"),
        ("fish", "complete -c chaos"),
    ):
        script = chaos.ok("completion", shell).stdout
        assert marker in script and "__complete" in script
    assert chaos.run("completion", "tcsh").returncode == 2
    assert "Install:" in chaos.ok("completion", "--help").stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_scripts_parse_in_their_shell(chaos, shell, tmp_path):
    if not which(shell):
        pytest.skip(f"{shell} is not installed")
    script = tmp_path / f"chaos.{shell}"
    script.write_text(chaos.ok("completion", shell).stdout)
    flag = "--no-execute" if shell == "fish" else "-n"
    result = subprocess.run([shell, flag, str(script)], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_no_python_process_after_first_use(chaos, plugin_env, example_wheel, tmp_path):
    """Every interpreter start goes through a wrapper that logs it: once the caches are warm,
    explain, init chobolo, check and completion start none."""
    plugin_env.install(example_wheel("my-chaos-plugin"))
    log = tmp_path / "python-starts.log"
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {plugin_env.python} "$@"\n')
    wrapper.chmod(0o755)
    chaos.env["CHAOS_PYTHON"] = str(wrapper)

    chaos.ok("explain", "my-role")
    assert log.read_text()  # the first use does start Python (import path, manifest)
    log.write_text("")
    chaos.ok("explain", "my-role")
    chaos.ok("explain", "my-role.usage", "-j")
    chaos.ok("init", "chobolo", "-t")
    chaos.ok("check", "roles")
    chaos.ok("__complete", "--", "chaos", "apply", "m")
    chaos.ok("__complete", "--", "chaos", "explain", "my-role.")
    assert log.read_text() == ""


def on_path(chaos, tmp_path) -> dict:
    """The environment with the binary under test on PATH as `chaos`, as the scripts expect."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    link = bin_dir / "chaos"
    if not link.exists():
        link.symlink_to(chaos.binary)
    return {**chaos.env, "PATH": f"{bin_dir}:{chaos.env['PATH']}"}


@pytest.mark.skipif(not which("fish"), reason="fish is not installed")
def test_fish_completes_with_descriptions(chaos, guide, tmp_path):
    script = tmp_path / "chaos.fish"
    script.write_text(chaos.ok("completion", "fish").stdout)
    probe = f'source {script}; complete --do-complete="chaos apply m"; complete --do-complete="chaos explain my-role."'
    chaos.ok("explain", "my-role")  # cache the manifest so sub-topics are known
    result = subprocess.run(
        ["fish", "-c", probe],
        check=False,
        capture_output=True,
        text=True,
        env=on_path(chaos, tmp_path),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "my-role\trole from my-chaos-plugin" in lines and "mr\talias for my-role" in lines
    assert "my-role.usage" in lines


@pytest.mark.skipif(not which("zsh"), reason="zsh is not installed")
def test_zsh_function_offers_values_with_descriptions(chaos, guide, tmp_path):
    script = tmp_path / "chaos.zsh"
    script.write_text(chaos.ok("completion", "zsh").stdout)
    # compsys needs a terminal; stand-ins for its functions print what _chaos hands them.
    probe = (
        'compdef() { :; }; _describe() { print -l -- "${(@P)${@[-1]}}"; }; _files() { print FILES; }; '
        f"source {script}; words=(chaos apply m); CURRENT=3; _chaos; "
        "words=(chaos init chobolo -o x); CURRENT=5; _chaos"
    )
    result = subprocess.run(
        ["zsh", "-f", "-c", probe],
        check=False,
        capture_output=True,
        text=True,
        env=on_path(chaos, tmp_path),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "my-role:role from my-chaos-plugin" in lines and "mr:alias for my-role" in lines
    assert lines[-1] == "FILES"
