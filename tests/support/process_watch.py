"""Watching for a secret in process lists while chaos runs: every process's command line and
environment, sampled as root from /proc until the watch ends. A test asserts `leaks == []` and
that it saw the process it was watching for (`sudo_seen`), or it proves nothing."""

from __future__ import annotations

import os
import threading
from pathlib import Path


class ProcessWatch:
    """Samples this machine's processes (/proc) in a thread, for as long as the `with` lasts."""

    def __init__(self, secret: str) -> None:
        self.secret = secret.encode()
        self.leaks: list[str] = []
        self.sudo_seen = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples += 1
            self.sample()
            self._stop.wait(0.01)

    def sample(self) -> None:
        """One pass over /proc (a subclass adds other places to look)."""
        me = str(os.getpid())
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or pid == me:
                continue
            for part in ("cmdline", "environ"):
                try:
                    data = Path(f"/proc/{pid}/{part}").read_bytes()
                except OSError:
                    continue  # gone already
                if part == "cmdline" and data.startswith(b"sudo\0"):
                    self.sudo_seen += 1
                if self.secret in data:
                    shown = data.replace(b"\0", b" ").decode(errors="replace")[:200]
                    self.leaks.append(f"pid {pid} {part}: {shown}")
