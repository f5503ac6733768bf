"""Real plugin environments and an isolated way to run the chaos binary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def chaos_binary() -> Path:
    """The binary under test: CHAOS_TEST_BINARY (the sanitized build in CI), else ``chaos``
    beside this interpreter, else the development build."""
    if os.environ.get("CHAOS_TEST_BINARY"):
        return Path(os.environ["CHAOS_TEST_BINARY"]).resolve()
    beside = Path(sys.executable).parent / "chaos"
    if beside.exists():
        return beside
    return ROOT / "build" / "dev" / "chaos"


class PluginEnv:
    """A virtual environment holding plugins, as a user would have.

    Created without pip (fast) and filled by this interpreter's pip through ``--python``.
    With ``with_base`` its site-packages gets a .pth file pointing at this interpreter's
    site-packages, so pyinfra, omegaconf and the chaos SDK are importable without
    reinstalling them for every test (and .pth handling is exercised on the way).
    ``interpreter`` is the Python the environment is made from (same minor version as this
    one when ``with_base`` is used).
    """

    def __init__(self, root: Path, with_base: bool = True, interpreter: str = sys.executable):
        self.root = root
        subprocess.run([interpreter, "-m", "venv", "--without-pip", str(root)], check=True)
        self.python = root / "bin" / "python"
        self.site_packages = Path(
            subprocess.run(
                [
                    str(self.python),
                    "-c",
                    "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        if with_base:
            base = sysconfig.get_paths()["purelib"]
            (self.site_packages / "_chaos_test_base.pth").write_text(base + "\n")

    def pip(self, *args: str) -> None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(self.python),
                *args,
                "-q",
                "--disable-pip-version-check",
            ],
            check=True,
        )

    def install(self, *paths: Path | str) -> None:
        self.pip("install", "--no-deps", "--no-index", *map(str, paths))

    def uninstall(self, *names: str) -> None:
        self.pip("uninstall", "-y", *names)


class Chaos:
    """Runs the chaos binary with a private HOME, config, cache and state directory."""

    def __init__(self, workdir: Path, env: PluginEnv | None, binary: Path | None = None):
        self.binary = binary or chaos_binary()
        self.workdir = workdir
        self.home = workdir / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.config_dir = workdir / "config"
        self.cache_dir = workdir / "cache"
        self.plugin_dir = workdir / "user-plugins"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "CHAOS_CONFIG_DIR": str(self.config_dir),
            "CHAOS_CACHE_DIR": str(self.cache_dir),
            "CHAOS_PLUGIN_DIR": str(self.plugin_dir),
            "XDG_STATE_HOME": str(workdir / "state"),
            "NO_COLOR": "1",
            "LANG": "C.UTF-8",
        }
        for passthrough in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if passthrough in os.environ:
                self.env[passthrough] = os.environ[passthrough]
        if env is not None:
            self.env["CHAOS_PYTHON"] = str(env.python)

    def run(
        self,
        *args: str,
        input: str | None = None,
        env: dict | None = None,
        timeout: float = 180,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess:
        full_env = dict(self.env)
        full_env.update(env or {})
        for key, value in list(full_env.items()):
            if value is None:
                del full_env[key]
        result = subprocess.run(
            [str(self.binary), *args],
            check=False,  # callers assert on the exit code themselves
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            cwd=str(cwd or self.workdir),
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        # Every run of the sanitized build is checked, whatever exit status a test expects.
        sanitizer_report = "Sanitizer" in result.stderr or "runtime error:" in result.stderr
        assert not sanitizer_report, f"chaos {' '.join(args)}: sanitizer report\n{result.stderr}"
        return result

    def ok(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        result = self.run(*args, **kwargs)
        assert result.returncode == 0, (
            f"chaos {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
        return result

    def json(self, *args: str, **kwargs):
        return json.loads(self.ok(*args, **kwargs).stdout)

    def write_config(self, text: str) -> Path:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        path = self.config_dir / "config.yml"
        path.write_text(text)
        return path


def build_wheel(source: Path, wheelhouse: Path) -> Path:
    """Builds a real wheel of a plugin source tree with pip (the way users install)."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    before = set(wheelhouse.glob("*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(wheelhouse),
            str(source),
        ],
        check=True,
    )
    built = set(wheelhouse.glob("*.whl")) - before
    if not built:  # already built in this session with the same name
        name = source.name.replace("-", "_")
        built = {max(wheelhouse.glob(f"{name}-*.whl"), key=lambda p: p.stat().st_mtime)}
    return built.pop()


def which(name: str) -> str | None:
    return shutil.which(name)
