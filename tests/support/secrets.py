"""Shared by the secrets tests (tests/e2e/test_secrets.py, test_secret_providers.py): the values
the test secrets hold, encrypting with the real sops, and the leak checks that sample every process
and scan the temporary directories."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

STRICT = os.environ.get("CHAOS_TEST_STRICT") == "1"
TOKEN = "tok-8f3a1c9e-secret-value"
PASSWORD = "correct horse battery staple"


def require_tool(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if STRICT:
            pytest.fail(
                f"{tool} is not installed (scripts/install-deps.sh, scripts/install-sops.sh)"
            )
        pytest.skip(f"{tool} is not installed")
    return path


def sops_encrypt(sops_config: Path, path: Path, env: dict | None = None) -> None:
    """Encrypts `path` in place with the real sops, as a user would before chaos is involved."""
    subprocess.run(
        ["sops", "--config", str(sops_config), "encrypt", "--in-place", str(path)],
        check=True,
        capture_output=True,
        env=env,
    )


def secrets_plain() -> str:
    return (
        "# the app's credentials\n"
        f"app:\n  token: {TOKEN}\n  user: deploy\n"
        f"user_secrets:\n  alice:\n    password: {PASSWORD}\n"
    )


def secrets_chobolo(tmp_path: Path) -> tuple[Path, Path, Path]:
    out = tmp_path / "out"
    out.mkdir()
    chobolo = tmp_path / "ch-obolo.yml"
    chobolo.write_text(
        f"secret_file:\n  path: {out / 'class-token'}\n"
        f"legacy_secret_file:\n  path: {out / 'legacy-token'}\n"
    )
    return chobolo, out / "class-token", out / "legacy-token"


def files_with(text: str, since: float, always: tuple[Path, ...] = ()) -> list[str]:
    """Files in /tmp and /dev/shm changed since `since`, and every file under `always`, that
    contain `text`."""
    found = []
    for root in (*always, Path("/tmp"), Path("/dev/shm")):
        for dirpath, _, names in os.walk(root):
            for name in names:
                path = Path(dirpath) / name
                try:
                    if path.is_symlink() or not path.is_file():
                        continue
                    if root not in always and path.stat().st_mtime < since:
                        continue
                    if text in path.read_text(errors="replace"):
                        found.append(str(path))
                except OSError:
                    pass
    return found


class ProcessSampler:
    """Reads every process's cmdline and environ while a run goes on (as the sudo test does)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit() or int(proc.name) == os.getpid():
                    continue
                for part in ("cmdline", "environ"):
                    try:
                        self.seen.append((proc / part).read_bytes().decode(errors="replace"))
                    except OSError:
                        pass
            time.sleep(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
