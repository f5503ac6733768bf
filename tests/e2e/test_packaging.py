"""A build a distribution can package: a plain CMake build without tests installs the binary,
the SDK, shell completions and a man page generated from the binary itself, holds no path of the
build machine, and carries the version that the wheel and the Python package carry."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/opt/chaos-pkg-test"


def sdk_version() -> str:
    text = (ROOT / "python" / "chaos" / "__init__.py").read_text()
    found = re.findall(r'^__version__ = "([0-9.]+)"$', text, re.MULTILINE)
    assert len(found) == 1, "python/chaos/__init__.py holds the version once"
    return found[0]


def run(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, check=False, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (argv, result.stdout[-3000:], result.stderr[-3000:])
    return result


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> tuple[Path, Path]:
    """The three commands of the issue, in a fresh build directory outside the checkout."""
    assert shutil.which("cmake"), "cmake is missing: scripts/install-deps.sh installs it"
    work = tmp_path_factory.mktemp("pkg")
    build, stage = work / "b", work / "stage"
    env = dict(os.environ)
    launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
    run(
        "cmake", "-S", str(ROOT), "-B", str(build), "-G", "Ninja", "-DBUILD_TESTING=OFF",
        f"-DCMAKE_INSTALL_PREFIX={PREFIX}", *launcher, env=env,
    )  # fmt: skip
    run("cmake", "--build", str(build), "-j2", env=env)
    run("cmake", "--install", str(build), env={**env, "DESTDIR": str(stage)})
    return build, stage / PREFIX.lstrip("/")


def test_install_puts_binary_sdk_completions_and_man_page_in_place(staged):
    build, prefix = staged
    binary = prefix / "bin" / "chaos"
    assert os.access(binary, os.X_OK)
    assert (prefix / "share/chaos/python/chaos/host/__main__.py").is_file()
    assert (prefix / "share/chaos/python/chaos/lib/roles/role.py").is_file()
    assert not list((prefix / "share/chaos/python").rglob("__pycache__"))
    assert (prefix / "share/chaos/plugins").is_dir()
    assert not (build / "chaos_unit_tests").exists(), "BUILD_TESTING=OFF builds no tests"

    completions = {
        "bash": prefix / "share/bash-completion/completions/chaos",
        "zsh": prefix / "share/zsh/vendor-completions/_chaos",
        "fish": prefix / "share/fish/vendor_completions.d/chaos.fish",
    }
    for shell, path in completions.items():
        printed = run(
            str(binary), "completion", shell, env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
        )
        assert path.read_text() == printed.stdout, f"{shell} completion differs from the binary's"


def test_man_page_has_every_command_of_the_help(staged):
    _, prefix = staged
    page = (prefix / "share/man/man1/chaos.1").read_text()
    version = sdk_version()
    assert page.startswith(".TH CHAOS 1 ") and f'"chaos {version}"' in page
    top = run(str(prefix / "bin/chaos"), "--help", env={"NO_COLOR": "1", "HOME": "/nonexistent"})
    section = top.stdout.split("Subcommands:\n", 1)[1].split("\n\n", 1)[0]
    commands = [line.split()[0] for line in section.splitlines()]
    assert {"apply", "check", "explain", "init", "completion"} <= set(commands)
    for command in commands:
        assert f"\n.SS chaos {command}\n" in page
        help_text = run(str(prefix / "bin/chaos"), "help", command, env={"NO_COLOR": "1"}).stdout
        first_line = help_text.splitlines()[0].replace("\\", "\\e")
        assert first_line in page, f"the man page's {command} section is not its --help"
    # No line may start a roff request by accident (help text with a leading dot or quote).
    requests = {line.split()[0] for line in page.splitlines() if line and line[0] in ".'"}
    assert requests <= {".TH", ".SH", ".SS", ".nf", ".fi", ".B", ".BR"}, requests
    assert shutil.which("groff"), "groff is missing: scripts/install-deps.sh installs groff-base"
    checked = run("groff", "-man", "-Tutf8", "-ww", "-z", str(prefix / "share/man/man1/chaos.1"))
    assert checked.stderr == ""


def test_nothing_installed_holds_a_path_of_the_build_machine(staged):
    build, prefix = staged
    forbidden = {str(ROOT), str(ROOT.resolve()), str(build), str(build.resolve())}
    for path in prefix.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for bad in forbidden:
                assert bad.encode() not in data, f"{path} holds {bad}"
    wheel_binary = os.environ.get("CHAOS_INSTALLED_BINARY")
    assert wheel_binary, "set CHAOS_INSTALLED_BINARY to the test venv's chaos (pip install .)"
    data = Path(wheel_binary).read_bytes()
    for bad in {str(ROOT), str(ROOT.resolve())}:
        assert bad.encode() not in data


def test_the_system_plugin_directory_follows_the_install_prefix(staged):
    _, prefix = staged
    data = (prefix / "bin/chaos").read_bytes()
    assert f"{PREFIX}/share/chaos/plugins".encode() in data
    assert b"/usr/share/chaos/plugins\x00" not in data


def test_one_version_everywhere(staged):
    _, prefix = staged
    version = sdk_version()
    assert run(str(prefix / "bin/chaos"), "--version").stdout.strip() == f"chaos {version}"
    wheel_binary = os.environ.get("CHAOS_INSTALLED_BINARY")
    assert wheel_binary
    assert run(wheel_binary, "--version").stdout.strip() == f"chaos {version}"
    assert importlib.metadata.version("chaos-cli") == version
    import chaos

    assert chaos.__version__ == version


def test_plain_build_links_the_runtime_dynamically_and_the_wheel_statically(staged):
    _, prefix = staged
    plain = run("ldd", str(prefix / "bin/chaos")).stdout
    assert "libstdc++" in plain, "a distribution's build uses the system libstdc++"
    wheel_binary = os.environ.get("CHAOS_INSTALLED_BINARY")
    assert wheel_binary
    wheel = run("ldd", wheel_binary).stdout
    assert "libstdc++" not in wheel and "libyaml-cpp" not in wheel, wheel
