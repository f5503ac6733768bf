"""Lifecycle of the role host: hello, handshake, the request loop, SIGINT and exit codes.

Requests are handled one at a time, in order, on the main thread (pyinfra and gevent must stay
on the thread that imported them). Exit codes:

    0    shutdown request or EOF on the request pipe
    1    internal error in the host
    2    bad command line
    3    protocol error (refused handshake, malformed message, reply pipe closed)
    130  interrupted by SIGINT
"""

from __future__ import annotations

import argparse
import fcntl
import importlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from chaos.host import PROTOCOL_VERSION, native
from chaos.host import pyinfra_adapter as pa
from chaos.host.errors import HostError, attempt, traceback_tail
from chaos.host.wire import Channel, ProtocolError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_PROTOCOL = 3
EXIT_INTERRUPTED = 130

# After the first SIGINT the host must be gone within this long, even if plugin code swallows
# the KeyboardInterrupt or disconnecting hangs.
INTERRUPT_GRACE_S = 3.0
# On SIGTERM/SIGHUP, how long descendants get between SIGTERM and SIGKILL.
STOP_GRACE_S = 1.0
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

CAPABILITIES = [
    "handshake",
    "manifest",
    "apply.prepare",
    "apply.plan",
    "apply.execute",
    "provider",
    "boats",
    "limani",
    "shutdown",
]


class Interrupts:
    """SIGINT handling: the first SIGINT interrupts, later ones are ignored.

    The first SIGINT raises KeyboardInterrupt (gevent re-raises it in the main greenlet when it
    lands in the hub), forwards SIGINT to the host's descendant processes (a SIGINT sent by the
    core, rather than typed on the terminal, does not reach pyinfra's running commands
    otherwise), and arms a watchdog that ends the process with 130 after INTERRUPT_GRACE_S. A
    SIGINT that arrives while a protocol line is being written is raised once the line is out.
    """

    def __init__(self) -> None:
        self.requested = False
        self._main = native.get_ident()
        self._guard_depth = 0
        self._pending = False

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handler)

    def _handler(self, signum: int, frame: Any) -> None:
        if self.requested:
            return
        self.requested = True
        native.start_thread(_exit_after, INTERRUPT_GRACE_S, EXIT_INTERRUPTED)
        signal_descendants(signal.SIGINT)
        if self._guard_depth:
            self._pending = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def write_guard(self) -> Iterator[None]:
        if native.get_ident() != self._main:
            yield
            return
        self._guard_depth += 1
        try:
            yield
        finally:
            self._guard_depth -= 1
            if not self._guard_depth and self._pending:
                self._pending = False
                raise KeyboardInterrupt


def _exit_after(seconds: float, code: int) -> None:
    native.sleep(seconds)
    _hard_exit(code)


def _hard_exit(code: int) -> None:
    _flush_stdio()
    os._exit(code)


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError, AttributeError):
            stream.flush()


def signal_descendants(signum: int) -> None:
    """Send ``signum`` to every process descended from this one (best effort, Linux /proc)."""
    for pid in _descendants():
        try:
            os.kill(pid, signum)
        except OSError:
            pass


def _descendants() -> set[int]:
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return set()
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: fields resume after the last ')'.
        fields = stat[stat.rfind(b")") + 2 :].split()
        # A zombie has already stopped (its children were re-parented when it died).
        if len(fields) > 1 and fields[0] != b"Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    todo, seen = [os.getpid()], set()
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _stop_on_signal(signum: int, frame: Any) -> None:
    """SIGTERM or SIGHUP: the core is gone (the parent-death signal) or is stopping us; nothing
    the host started may finish the run unattended. Terminate every descendant, give them a
    moment, kill what is left, and exit 128 + N at once (no reply: nobody may be reading)."""
    stop_descendants()
    _hard_exit(128 + signum)


def stop_descendants() -> None:
    """SIGTERM to every descendant, SIGKILL to those still there STOP_GRACE_S later."""
    # The host is their subreaper (_watch_parent), so orphans stay descendants; the first set
    # is kept as well, in case that could not be arranged.
    first = _descendants()
    signal_descendants(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    while _descendants() and time.monotonic() < deadline:
        native.sleep(0.05)
    for pid in first | _descendants():
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _watch_parent() -> None:
    """Ask the kernel for SIGTERM when the core dies (even by SIGKILL): the request pipe is
    only read between requests, so EOF alone would not stop a running execute."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        parent = os.getppid()
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        # Orphans of the commands the host runs become its children, so stopping it can reach
        # them (a `sh -c` wrapper dies first and would otherwise hand its child to init).
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the core died before the request took effect
        _stop_on_signal(signal.SIGTERM, None)


def _relocate_fd(fd: int) -> int:
    """Move a protocol pipe to a number plugin code cannot guess, close-on-exec, and close the
    one it came on: a plugin writing JSON to fds 3, 4, ... (or to the numbers on our command
    line) reaches nothing of the protocol."""
    limit = 1024
    with suppress(ImportError, OSError, ValueError):
        import resource

        limit = min(limit, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    if limit <= 64:
        return fd
    base = 64 + int.from_bytes(os.urandom(2), "little") % (limit - 64)
    try:
        moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, base)
    except OSError:  # nothing free at or above base: anywhere above the guessable ones
        moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 16)
    os.close(fd)
    return moved


def _strip_cwd_from_path() -> None:
    # `python -m` puts the working directory first on sys.path; the user's cwd must not shadow
    # plugin or library modules. (-P / PYTHONSAFEPATH already leave it out.)
    if getattr(sys.flags, "safe_path", False) or not sys.path:
        return
    first = sys.path[0]
    if first in ("", ".") or os.path.abspath(first) == os.getcwd():
        del sys.path[0]


class RoleHost:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.handshaken = False
        self.warm_error: str | None = None
        self.in_flight: Any = None
        self.session: Any = None
        self.tap: Any = None

    # lifecycle

    def run(self, warm: bool) -> int:
        try:
            return self._run(warm)
        except KeyboardInterrupt:
            self._interrupted()
            return EXIT_INTERRUPTED
        except ProtocolError as e:
            self._send_quietly(_error_reply(None, HostError("protocol", str(e))))
            self._teardown()
            return EXIT_PROTOCOL
        except OSError:
            # The reply pipe is gone: nobody is listening any more, so nothing this host
            # started may go on (the core may have been killed; its SIGTERM may come later).
            stop_descendants()
            self._teardown()
            return EXIT_PROTOCOL

    def _run(self, warm: bool) -> int:
        self.channel.send(
            {
                "type": "hello",
                "protocol": PROTOCOL_VERSION,
                "capabilities": CAPABILITIES,
                "python": ".".join(str(n) for n in sys.version_info[:3]),
                "pid": os.getpid(),
                "pyinfra": pa.installed_version(),
                "executable": sys.executable,
                "sys_path": list(sys.path),
            }
        )
        if warm:
            # The core is busy with its own start-up; import now so the first apply request
            # does not wait. Must run on the main thread (see pyinfra_adapter).
            self.warm_error = pa.warm_import()
            # Ch-obolo loading needs it; a failure shows up where it is used.
            attempt(importlib.import_module, "omegaconf")
        for message in self.channel.messages():
            if message.get("type") != "request":
                raise ProtocolError(f"expected a request, got type {message.get('type')!r}")
            request_id = message.get("id")
            if not isinstance(request_id, (int, str)) or isinstance(request_id, bool):
                raise ProtocolError("request id must be an integer or a string")
            method = message.get("method")
            params = message.get("params", {})
            if params is None:
                params = {}
            if not self.handshaken:
                if method != "handshake":
                    error = HostError(
                        "protocol", f"the first request must be 'handshake', got {method!r}"
                    )
                    self.channel.send(_error_reply(request_id, error))
                    return EXIT_PROTOCOL
                if not self._handshake(request_id, params):
                    self._teardown()
                    return EXIT_PROTOCOL
                continue
            if self._dispatch(request_id, method, params):
                self._teardown()
                return EXIT_OK
        self._teardown()
        return EXIT_OK

    def _handshake(self, request_id: Any, params: Any) -> bool:
        protocol = params.get("protocol") if isinstance(params, dict) else None
        if protocol != PROTOCOL_VERSION:
            self.channel.send(
                _error_reply(
                    request_id,
                    HostError(
                        "protocol_mismatch",
                        f"this role host speaks protocol {PROTOCOL_VERSION}, the core asked for "
                        f"{protocol!r}; install matching versions of the chaos binary and its "
                        "Python package in the plugin environment",
                        supported=[PROTOCOL_VERSION],
                    ),
                )
            )
            return False
        prepend = params.get("sys_path_prepend", [])
        if not isinstance(prepend, list) or not all(isinstance(p, str) for p in prepend):
            self.channel.send(
                _error_reply(
                    request_id,
                    HostError("bad_params", "'sys_path_prepend' must be a list of strings"),
                )
            )
            return False
        sys.path[:0] = prepend
        importlib.invalidate_caches()
        self.handshaken = True
        self.channel.send(
            {
                "type": "reply",
                "id": request_id,
                "ok": True,
                "result": {
                    "protocol": PROTOCOL_VERSION,
                    "pyinfra": pa.loaded_version() if self.warm_error is None else None,
                    "pyinfra_error": self.warm_error,
                    "sys_path": list(sys.path),
                },
            }
        )
        return True

    def _dispatch(self, request_id: Any, method: Any, params: Any) -> bool:
        """Handle one request; True when the host should exit (shutdown)."""
        handlers = {
            "manifest": self._manifest,
            "apply.prepare": self._prepare,
            "apply.plan": self._plan,
            "apply.execute": self._execute,
            "provider": self._provider,
            "boats": self._boats,
            "limani": self._limani,
            "shutdown": self._shutdown,
        }
        handler = handlers.get(method) if isinstance(method, str) else None
        if handler is None:
            self.channel.send(
                _error_reply(request_id, HostError("unknown_method", f"unknown method {method!r}"))
            )
            return False
        if not isinstance(params, dict):
            self.channel.send(
                _error_reply(request_id, HostError("bad_params", "params must be an object"))
            )
            return False
        self.in_flight = request_id
        result, exc = attempt(handler, params)
        self.in_flight = None
        if isinstance(exc, HostError):
            self.channel.send(_error_reply(request_id, exc))
            return False
        if exc is not None:
            # A bug in the host, not in a plugin: report it and keep serving.
            bug = HostError(
                "internal",
                f"role host bug: {type(exc).__name__}: {exc}",
                traceback=traceback_tail(exc),
            )
            self.channel.send(_error_reply(request_id, bug))
            return False
        self.channel.send({"type": "reply", "id": request_id, "ok": True, "result": result})
        return method == "shutdown"

    # methods

    def _manifest(self, params: dict[str, Any]) -> dict[str, Any]:
        from chaos.host.manifest import manifest

        return manifest(params)

    def _provider(self, params: dict[str, Any]) -> dict[str, Any]:
        from chaos.host.providers import provider_request

        return provider_request(params)

    def _boats(self, params: dict[str, Any]) -> dict[str, Any]:
        from chaos.host.boats import boats_request

        return boats_request(params)

    def _limani(self, params: dict[str, Any]) -> dict[str, Any]:
        from chaos.host.limani import limani_request

        return limani_request(params)

    def _prepare(self, params: dict[str, Any]) -> dict[str, Any]:
        from chaos.host.apply import ApplySession, PyinfraLogTap

        if self.session is not None:
            self.session.close()
        if self.tap is None:
            self.tap = PyinfraLogTap(self.channel)
        self.session = ApplySession(self.channel, self.tap)
        try:
            return self.session.prepare(params)
        except HostError:
            self.session.close()
            self.session = None
            raise

    def _session(self) -> Any:
        if self.session is None:
            raise HostError("bad_state", "no apply session: send apply.prepare first")
        return self.session

    def _plan(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._session().plan(params)

    def _execute(self, params: dict[str, Any]) -> dict[str, Any]:
        from chaos.host.apply import Stage

        session = self._session()
        try:
            return session.execute(params)
        finally:
            if session.stage == Stage.CLOSED:
                self.session = None

    def _shutdown(self, params: dict[str, Any]) -> dict[str, Any]:
        self._teardown()
        return {}

    # endings

    def _teardown(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            with suppress(Exception):
                session.close()

    def _interrupted(self) -> None:
        if self.in_flight is not None:
            partial = None
            if self.session is not None:
                partial, _ = attempt(self.session.partial)
            error = HostError("interrupted", "interrupted by SIGINT", partial=partial)
            self._send_quietly(_error_reply(self.in_flight, error))
        if self.session is not None:
            session, self.session = self.session, None
            attempt(session.abort)

    def _send_quietly(self, message: dict[str, Any]) -> None:
        with suppress(OSError):
            self.channel.send(message)


def _error_reply(request_id: Any, error: HostError) -> dict[str, Any]:
    return {"type": "reply", "id": request_id, "ok": False, "error": error.to_dict()}


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m chaos.host",
        description="chaos role host (started by the chaos binary; see docs/protocol.md)",
    )
    parser.add_argument("--request-fd", type=int, required=True, help="pipe fd to read requests")
    parser.add_argument("--reply-fd", type=int, required=True, help="pipe fd to write replies")
    parser.add_argument(
        "--no-warm", action="store_true", help="do not import pyinfra ahead of the first request"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    _strip_cwd_from_path()
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    for fd, name in ((args.request_fd, "--request-fd"), (args.reply_fd, "--reply-fd")):
        try:
            os.fstat(fd)
        except OSError as e:
            print(f"chaos.host: {name} {fd}: {e.strerror}", file=sys.stderr)
            return EXIT_USAGE
    # The core draws progress itself; pyinfra's spinner would scribble on the user's terminal.
    os.environ["PYINFRA_PROGRESS"] = "off"
    interrupts = Interrupts()
    interrupts.install()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    _watch_parent()
    request_fd, reply_fd = _relocate_fd(args.request_fd), _relocate_fd(args.reply_fd)
    channel = Channel(request_fd, reply_fd, write_guard=interrupts.write_guard)
    host = RoleHost(channel)
    try:
        # An exception escaping here is a host bug: Python prints it and exits with 1.
        return host.run(warm=not args.no_warm)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    finally:
        channel.close()
