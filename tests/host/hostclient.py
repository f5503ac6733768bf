"""A minimal protocol client that drives ``python -m chaos.host`` over two pipes.

Every read has a timeout, so a hung host fails its test instead of hanging the suite. (A module
with its own name rather than conftest.py, so tests can import it without clashing with other
test directories' conftest modules.)
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PYTHON_DIR = REPO / "python"
DEFAULT_TIMEOUT = 60.0


class HostClient:
    def __init__(
        self, workdir: Path, args: tuple[str, ...] = (), python: str = sys.executable
    ) -> None:
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = str(PYTHON_DIR)
        self.stdout_path = workdir / "host.stdout"
        self.stderr_path = workdir / "host.stderr"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [
                    python,
                    "-m",
                    "chaos.host",
                    "--request-fd",
                    str(req_r),
                    "--reply-fd",
                    str(rep_w),
                    *args,
                ],
                pass_fds=(req_r, rep_w),
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        os.close(req_r)
        os.close(rep_w)
        self._writer = os.fdopen(req_w, "wb", buffering=0)
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(rep_r,), daemon=True)
        self._reader.start()
        self._next_id = 0
        self.messages: list[dict[str, Any]] = []

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as f:
            for line in f:
                self._lines.put(json.loads(line.decode("utf-8")))
        self._lines.put(None)

    # wire

    def read(self, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any] | None:
        """The next message; None at EOF."""
        try:
            message = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no message from the host within {timeout}s; stderr:\n{self.stderr()}"
            ) from None
        if message is not None:
            self.messages.append(message)
        return message

    def send(self, message: dict[str, Any] | bytes) -> None:
        data = message if isinstance(message, bytes) else (json.dumps(message) + "\n").encode()
        self._writer.write(data)

    def send_request(self, method: str, params: dict[str, Any] | None = None) -> int:
        self._next_id += 1
        self.send(
            {"type": "request", "id": self._next_id, "method": method, "params": params or {}}
        )
        return self._next_id

    def wait_reply(
        self, request_id: int, timeout: float = DEFAULT_TIMEOUT
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        deadline = time.monotonic() + timeout
        events = []
        while True:
            message = self.read(timeout=max(0.01, deadline - time.monotonic()))
            if message is None:
                raise AssertionError(f"host closed the pipe; stderr:\n{self.stderr()}")
            if message["type"] == "event":
                events.append(message)
            elif message["type"] == "reply" and message["id"] == request_id:
                return message, events
            else:
                raise AssertionError(f"unexpected message {message}")

    def request(
        self, method: str, params: dict[str, Any] | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        return self.wait_reply(self.send_request(method, params), timeout)

    def call(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """Request that must succeed; returns the result."""
        reply, _ = self.request(method, params, **kw)
        assert reply["ok"], reply
        return reply["result"]

    def handshake(self, sys_path_prepend: list[str] | None = None) -> dict[str, Any]:
        hello = self.read()
        assert hello is not None and hello["type"] == "hello", hello
        self.hello = hello
        return self.call("handshake", {"protocol": 1, "sys_path_prepend": sys_path_prepend or []})

    def close_requests(self) -> None:
        if not self._writer.closed:
            self._writer.close()

    def wait(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"host still running after {timeout}s") from None

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.close_requests()
