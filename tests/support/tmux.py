"""Running chaos inside a real tmux terminal, to test what a person actually sees on screen
(escape sequences interpreted, lines erased or not) and to type keys such as Ctrl-C."""

from __future__ import annotations

import shlex
import subprocess
import time
from pathlib import Path

from support.environments import Chaos


class TmuxSession:
    """One detached tmux server and session (its own socket) running one command."""

    def __init__(
        self,
        workdir: Path,
        chaos: Chaos,
        args: list[str],
        env: dict | None = None,
        width: int = 160,
        height: int = 50,
    ):
        self.socket = workdir / "tmux.sock"
        self.exit_file = workdir / "tmux-exit-code"
        full_env = {**chaos.env, **(env or {})}
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in full_env.items())
        command = " ".join(shlex.quote(a) for a in [str(chaos.binary), *args])
        # The exit status is written to a file; the shell then waits so the screen stays.
        script = (
            f"cd {shlex.quote(str(chaos.workdir))} && env -i {assignments} {command}; "
            f"echo $? > {shlex.quote(str(self.exit_file))}; sleep 600"
        )
        self._tmux("new-session", "-d", "-x", str(width), "-y", str(height), "sh", "-c", script)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), *args],
            check=True,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "TERM": "xterm-256color"},
        ).stdout

    def screen(self) -> str:
        """What the terminal shows now, scroll-back included, as a person would read it."""
        return self._tmux("capture-pane", "-p", "-S", "-1000")

    def wait_for(self, text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            if self.exit_file.exists() and text not in shown:
                break
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared on the terminal:\n{self.screen()}")

    def send_keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def exit_code(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exit_file.exists() and self.exit_file.read_text().strip():
                return int(self.exit_file.read_text())
            time.sleep(0.1)
        raise AssertionError(f"chaos did not exit within {timeout} s:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, check=False
        )
