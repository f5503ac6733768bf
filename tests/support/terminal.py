"""Running chaos on a pseudo-terminal, the way a user at a shell sees it."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time

from support.environments import Chaos


def stdout_on_terminal(
    chaos: Chaos, *args: str, env: dict | None = None, check: bool = True
) -> str:
    """Runs chaos with stdout on a pseudo-terminal (stdin and stderr are not) and returns what
    it wrote there. ``env`` entries override the test environment; a None value removes one.
    Fails the test when chaos exits non-zero, unless ``check`` is false."""
    main, secondary = pty.openpty()
    full_env = {k: v for k, v in {**chaos.env, **(env or {})}.items() if v is not None}
    proc = subprocess.Popen(
        [str(chaos.binary), *args],
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=subprocess.PIPE,
        env=full_env,
        cwd=chaos.workdir,
    )
    os.close(secondary)
    output = b""
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed its side
            break
        if not chunk:
            break
        output += chunk
    code = proc.wait(timeout=30)
    assert code == 0 or not check, proc.stderr.read()
    os.close(main)
    return output.decode().replace("\r\n", "\n")


def converse_on_terminal(
    chaos: Chaos,
    args: list[str],
    answers: list[tuple[str, str]],
    timeout: float = 60,
    prefix: list[str] | None = None,
    env: dict | None = None,
) -> tuple[int, str]:
    """Runs chaos with all of stdin, stdout and stderr on one pseudo-terminal, answering each
    prompt in turn (text to wait for, reply). Returns the exit code and everything shown.
    ``prefix`` is a command chaos runs under (``setpriv ...``); ``env`` adds variables."""
    command = [*(prefix or []), str(chaos.binary), *args]
    full_env = {**chaos.env, **(env or {})}
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(chaos.workdir)
        os.execvpe(command[0], command, full_env)
    output = b""
    deadline = time.monotonic() + timeout
    pending = list(answers)
    closed = False
    while not closed and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the terminal's other side is closed, chaos has ended
                chunk = b""
            closed = not chunk
            output += chunk
        if pending and pending[0][0].encode() in output:
            os.write(fd, (pending.pop(0)[1] + "\n").encode())
    if not closed:  # still running at the deadline: stop it, and let the caller see what it showed
        os.kill(pid, signal.SIGKILL)
        output += b"\n[killed after %d s]" % timeout
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")
