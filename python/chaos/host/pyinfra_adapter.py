"""Every pyinfra call the role host makes, for pyinfra 3.x (checked against 3.10).

A pyinfra upgrade should touch only this file. What the rest of the host relies on:

- API mode only: ``pyinfra_cli`` is never imported (``add_op`` refuses to run when
  ``pyinfra.is_cli`` is set).
- One ``State`` per apply session, driven through the stages Connect -> Prepare -> Execute ->
  Disconnect on the main thread (pyinfra is gevent-based; the hub belongs to the thread that
  imported gevent, so pyinfra must be imported on the main thread too).
- ``ctx_state`` is set once for the whole session rather than per call: it is a process-wide
  context, and nested ``use()`` calls from parallel greenlets would restore it under each other.
- Facts pyinfra only logs are recovered from its ``pyinfra`` logger: file diffs (``DIFF=True``)
  and noop reasons are written while an operation's command generator runs (the host's
  ``current_op_hash`` is set then), the exit status of every command is a debug record
  (``Command exit status: N``), and the per-host operation names are in the debug record
  ``Adding operation, {names}, opOrder=..., opHash=...``. ``classify_record`` is the one place
  that knows these formats.
- ``OperationMeta`` has no public accessor for the commands it ran; ``op_outcome`` reads
  ``_commands`` (the failing command is the last one).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import os
import re
import sys
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from chaos.host.entry_points import entry_points_skipping_broken, skipping_broken_entry_points
from chaos.host.errors import HostError, attempt, describe_exception

# Modules most plugins and every apply session need: imported right after the hello so the
# core's own start-up work hides their ~0.5 s.
WARM_MODULES = (
    "pyinfra",
    "pyinfra.api",
    "pyinfra.api.connect",
    "pyinfra.api.operations",
    "pyinfra.api.operation",
    "pyinfra.api.state",
    "pyinfra.api.exceptions",
    "pyinfra.context",
    "pyinfra.connectors.local",
    "pyinfra.operations.files",
    "pyinfra.operations.server",
    "pyinfra.facts.files",
    "pyinfra.facts.server",
)

LOGGER_NAME = "pyinfra"

# Bound on how long disconnecting may take when the session is torn down.
DISCONNECT_TIMEOUT_S = 10.0

_EXIT_STATUS = re.compile(r"Command exit status: (-?\d+)")
_ADDING_OP = re.compile(r"^Adding operation, (\{.*\}), opOrder=.*, opHash=(\S+)$", re.DOTALL)


# Version and import
#


def installed_version() -> str | None:
    """pyinfra's version without importing it (the hello must not wait ~0.5 s for the import).

    ``importlib.metadata`` would answer the same but costs ~60-90 ms to import, so read the
    ``Version:`` line of the ``pyinfra-*.dist-info`` next to the package the import system would
    load. None when pyinfra is not installed that way (the handshake reply then has the real
    version).
    """
    try:
        spec = importlib.util.find_spec("pyinfra")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    site = os.path.dirname(os.path.dirname(spec.origin))
    try:
        names = os.listdir(site)
    except OSError:
        return None
    for name in names:
        if name.startswith("pyinfra-") and name.endswith(".dist-info"):
            try:
                with open(os.path.join(site, name, "METADATA"), encoding="utf-8") as f:
                    for line in f:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():
                            break
            except OSError:
                return None
    return None


def warm_import() -> str | None:
    """Import pyinfra (and its connectors) now; the error text when that fails."""
    _, exc = attempt(_import_pyinfra)
    if exc is not None:
        return describe_exception(exc)
    _quiet_gevent_hub()
    return None


def _import_pyinfra() -> None:
    # pyinfra scans every distribution's entry points for connectors (already while it is
    # imported), and importlib gives up on the first entry_points.txt it cannot read: one broken
    # package anywhere would stop every run. pyinfra's connectors module binds `entry_points` when
    # it is imported, so the scan that skips such a file (naming it on stderr) is put in place for
    # that import only and kept in that module; everyone else keeps importlib's own.
    with skipping_broken_entry_points(backport=True):
        for name in WARM_MODULES:
            importlib.import_module(name)
        from pyinfra.api import connectors
    connectors.entry_points = entry_points_skipping_broken
    # Loads every connector module once; Inventory() calls this several times.
    connectors.get_all_connectors()


def loaded_version() -> str | None:
    """The version of the pyinfra already imported; None if it is not (yet) imported."""
    if "pyinfra" not in sys.modules:
        return None
    try:
        from pyinfra.version import __version__
    except ImportError:
        return None
    return str(__version__)


def require() -> None:
    """Import pyinfra or raise the ``pyinfra_unavailable`` error."""
    error = warm_import()
    if error is not None:
        raise HostError("pyinfra_unavailable", f"cannot import pyinfra: {error}")


def _quiet_gevent_hub() -> None:
    # gevent prints the traceback of any exception that ends a greenlet to stderr, the user's
    # terminal. Every greenlet the host starts is joined and its error reported over the
    # protocol, and a Ctrl-C would otherwise print a KeyboardInterrupt traceback.
    with suppress(ImportError, AttributeError):
        import gevent

        gevent.get_hub().exception_stream = None


# Logging
#


def pyinfra_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def record_context(record: logging.LogRecord) -> tuple[Any, str | None]:
    """The (host, op hash) a pyinfra log record was written for, when known."""
    try:
        from pyinfra.context import ctx_host
    except ImportError:
        return None, None
    host = ctx_host.get()
    if host is None:
        return None, None
    op_hash = getattr(host, "current_op_hash", None) or getattr(host, "executing_op_hash", None)
    return host, op_hash


def debug_record_wanted(record: logging.LogRecord) -> bool:
    """Whether a DEBUG record carries something ``classify_record`` reads; decided without
    formatting it. pyinfra writes several debug records per command (the command line, "Getting
    fact", "Waiting for exit status", ...): formatting them all is measurable work per
    operation, and below verbosity 3 only these few are used."""
    msg = record.msg
    if not isinstance(msg, str):
        return False
    return "exit status: " in msg or msg.startswith("Adding operation") or "noop: " in msg


def classify_record(record: logging.LogRecord, message: str) -> tuple[str, Any]:
    """What a pyinfra log record carries.

    ``("exit_status", int)``, ``("op_added", (op_hash, [names]))``, ``("noop", reason)``,
    ``("op_output", None)`` for lines an operation writes while it is generated (file diffs,
    "Will create ..."), or ``("other", None)``.
    """
    if record.levelno <= logging.DEBUG:
        match = _EXIT_STATUS.search(message)
        if match:
            return "exit_status", int(match.group(1))
        match = _ADDING_OP.match(message)
        if match:
            try:
                names = sorted(str(n) for n in ast.literal_eval(match.group(1)))
            except (ValueError, SyntaxError, TypeError):
                names = []
            return "op_added", (match.group(2), names)
    if record.funcName == "noop" and "noop: " in message:
        return "noop", message.split("noop: ", 1)[1]
    if record.levelno < logging.INFO:
        # Debug chatter of an operation ("Adding locale x") is not part of what it will change.
        return "other", None
    path = record.pathname.replace(os.sep, "/")
    if "/pyinfra/operations/" in path or (record.module == "host" and record.funcName == "log"):
        return "op_output", None
    return "other", None


def strip_host_prefix(message: str, host_name: str | None) -> str:
    """Drop pyinfra's ``[host] `` prefix: the host travels as its own field."""
    if host_name:
        prefix = f"[{host_name}]"
        if message.startswith(prefix):
            return message[len(prefix) :].lstrip(" ")
    return message


# Session set-up
#


def build_state(
    hosts: Sequence[str | tuple[str, dict[str, Any]]],
    *,
    parallel: int,
    sudo_password: str | None,
    diff: bool,
    detect_changes: bool,
    verbosity: int,
    listener: Any,
) -> Any:
    """Inventory + Config + State in API mode, callbacks attached, stage Connect.

    ``detect_changes`` is ``check_for_changes``: when false (pyinfra's CLI with ``-y``), an
    operation's generator runs only when it executes, so its facts are read once instead of
    twice, and ``will_change`` is not known after planning. ``DIFF`` only matters with
    detection: the host reports diffs from planning only, and without detection they would
    cost the extra reads for nothing.
    """
    from pyinfra.api import Config, Inventory, State
    from pyinfra.api.state import StateStage
    from pyinfra.context import ctx_state

    try:
        inventory = Inventory((list(hosts), {}))
    except Exception as e:
        raise HostError("inventory", f"invalid inventory: {describe_exception(e)}") from e

    config = Config(PARALLEL=max(0, int(parallel)), DIFF=bool(diff) and detect_changes)
    if sudo_password is not None:
        config.SUDO_PASSWORD = sudo_password
        config.SU_PASSWORD = sudo_password

    track_remote_commands()
    state = State(inventory=inventory, config=config, check_for_changes=detect_changes)
    state.print_noop_info = verbosity >= 2
    state.print_fact_info = verbosity >= 2
    state.add_callback_handler(_callback_handler(listener))
    ctx_state.set(state)
    state.set_stage(StateStage.Connect)
    return state


def set_fail_limit(state: Any, limit: tuple[str, float] | None) -> None:
    """``--max-fail``: pyinfra stops starting work once the share of failed hosts is over
    ``config.FAIL_PERCENT``. A count N becomes the share halfway between N and N + 1 failed
    hosts, so that float rounding can neither stop at N nor go on at N + 1."""
    if limit is None:
        return
    kind, value = limit
    total = max(1, len(state.inventory))
    state.config.FAIL_PERCENT = value if kind == "percent" else (value + 0.5) * 100 / total


def fail_hosts(state: Any, hosts: Sequence[Any]) -> str | None:
    """Counts ``hosts`` as failed towards ``FAIL_PERCENT``; returns pyinfra's error when that
    (or no host left) stops the run."""
    from pyinfra.api.exceptions import PyinfraError

    try:
        state.fail_hosts(set(hosts))
    except PyinfraError as e:
        return describe_exception(e)
    return None


def over_fail_limit(state: Any) -> bool:
    """Whether more hosts failed than ``FAIL_PERCENT`` allows."""
    limit = getattr(state.config, "FAIL_PERCENT", None)
    total = len(state.inventory)
    if limit is None or total == 0:
        return False
    return len(getattr(state, "failed_hosts", ())) * 100 / total > limit


def route_local_sudo_password(askpass_script: str, placeholder: str) -> Callable[[], None] | None:
    """Commands on @local that need the sudo (or su) password get ``askpass_script`` as their
    askpass helper and ``placeholder`` where pyinfra would put the password (see
    chaos.host.askpass). Returns the function that undoes it, or None when this pyinfra does not
    build commands the way this relies on (the password then goes pyinfra's way).

    The local connector imports ``make_unix_command_for_host`` by name; that reference is the
    one replaced. Commands with a password skip pyinfra's own askpass set-up, which would write
    a script that prints PYINFRA_SUDO_PASSWORD.
    """
    import inspect

    try:
        from pyinfra.connectors import local, util

        original = local.make_unix_command_for_host
        parameters = inspect.signature(util.make_unix_command).parameters
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    if not {"_sudo_password", "_sudo_askpass_path", "_su_password", "_su_askpass_path"} <= set(
        parameters
    ):
        return None

    def make_command(state: Any, host: Any, command: Any, **arguments: Any) -> Any:
        if arguments.get("_sudo") and not arguments.get("_sudo_password"):
            # A password sent after the operation was staged (set_sudo_password) is where
            # pyinfra's own fallback looks for it; take it from there, or pyinfra would pass
            # it in the environment of `env`.
            late = _connector_data(host).get("prompted_sudo_password")
            if late:
                arguments["_sudo_password"] = late
        sudo = bool(arguments.get("_sudo") and arguments.get("_sudo_password"))
        su = bool(arguments.get("_su_user") and arguments.get("_su_password"))
        if not (sudo or su):
            return original(state, host, command, **arguments)
        if sudo:
            arguments["_sudo_password"] = placeholder
            arguments["_sudo_askpass_path"] = askpass_script
        if su:
            arguments["_su_password"] = placeholder
            arguments["_su_askpass_path"] = askpass_script
        return util.make_unix_command(command, **arguments)

    local.make_unix_command_for_host = make_command

    def undo() -> None:
        if local.make_unix_command_for_host is make_command:
            local.make_unix_command_for_host = original

    return undo


# The SSH route (route_ssh_sudo_password). Shell variables are unset before use: one the login
# shell got exported from its environment would stay exported after ``read`` set it. In SKIP,
# ``${name}`` and not ``$name``: ``sudo -i`` hands its command to a login shell with every
# character but letters, digits, ``_``, ``-`` and ``$`` escaped, so ``$name`` would be expanded
# (to nothing) there, while ``$\{name\}`` comes out of it as ``${name}``.
_SUDO_SKIP = (
    'unset chaos_line; IFS= read -r chaos_line; [ "${chaos_line}" = {marker} ] '
    '|| IFS= read -r chaos_line; unset chaos_line; exec "${@}"'
)
_SU_SKIP = "{ unset chaos_line; IFS= read -r chaos_line; unset chaos_line; }"
_SU_FEED = "unset chaos_pw; IFS= read -r chaos_pw; printf '%s\\n' \"$chaos_pw\""
# What the SSH connector passes on to the command builder: the feed of that very command.
_FEED_KEY = "_chaos_stdin_feed"


class _StdinFeed:
    """An SSH command's standard input: the lines its command was built to read first (the
    password), then the operation's own. pyinfra writes it (``write_stdin`` calls
    ``readlines()``) right after building the command, so ``first`` is always what the command
    that is about to run expects; a retry after pyinfra prompted for a password rebuilds both."""

    def __init__(self, stdin: Any, pty: bool) -> None:
        if not stdin:
            stdin = []
        elif hasattr(stdin, "readlines"):
            stdin = stdin.readlines()  # once: the command may be built and sent twice
        self.rest = list(stdin) if isinstance(stdin, (list, tuple)) else [stdin]
        self.pty = pty
        self.first: list[str] = []

    def readlines(self) -> list[Any]:
        return [*self.first, *self.rest]


def _refusal(StringCommand: Any, QuoteString: Any, why: str) -> Any:
    """A command that fails on the target saying why, so the operation fails with the reason
    and nothing secret is sent."""
    import shlex

    script = f"echo {shlex.quote(why)} >&2; exit 1"
    return StringCommand("sh", "-c", QuoteString(script))


def route_ssh_sudo_password() -> Callable[[], None] | None:
    """Commands on SSH hosts that need the sudo (or su) password read it from the SSH channel's
    standard input, never from a command line, an environment or a file. Returns the function
    that undoes it, or None when this pyinfra's SSH connector is not built the way this relies
    on (the caller must then keep the password away from SSH hosts).

    sudo: ``sudo -H -S -k -p '' [-i] [-E] [-u U] sh -c SKIP chaos-sudo <command>`` with the
    password and a marker line first on standard input. sudo -S reads its password one byte at
    a time up to the newline; SKIP (run as the target user) then reads a line, and one more if
    that was not the marker, so it ends just past the marker whether sudo read the password or
    did not ask for it (NOPASSWD, or already root): the command never sees the password, and
    the operation's own standard input follows intact. su reads its password in one ``read()``
    of whatever is there, so it gets a pipe holding the password alone: ``sh -c 'read -r
    chaos_pw; printf ... | su U -c ...'`` (``read`` and ``printf`` are builtins: no process has
    the password in its arguments), and the command under su reads away the line su left.

    The connector pops ``_stdin`` before building the command, and its ``run_shell_command``
    is where the channel's standard input is decided: that method is wrapped to pass a feed
    that the replaced ``make_unix_command_for_host`` reference (imported by name, like the
    local connector's) fills with the lines the command it builds will read.
    """
    import inspect
    import secrets

    try:
        from pyinfra.api import QuoteString, StringCommand
        from pyinfra.connectors import ssh, util

        original_make = ssh.make_unix_command_for_host
        original_run = ssh.SSHConnector.run_shell_command
        parameters = inspect.signature(util.make_unix_command).parameters
        util.write_stdin  # noqa: B018  (it calls readlines(): the feed relies on it)
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    wanted = {"_sudo", "_sudo_password", "_sudo_user", "_use_sudo_login", "_preserve_sudo_env"}
    if not wanted | {"_su_user", "_su_password", "_doas", "_dzdo"} <= set(parameters):
        return None
    # Not secret: it only has to differ from every password (chance: 2**-128).
    marker = "chaos-" + secrets.token_hex(16)
    skip = _SUDO_SKIP.replace("{marker}", marker)

    def run_shell_command(self, command, print_output=False, print_input=False, **arguments):
        if arguments.get("_sudo") or arguments.get("_su_user"):
            feed = _StdinFeed(arguments.get("_stdin"), bool(arguments.get("_get_pty")))
            arguments["_stdin"] = feed
            arguments[_FEED_KEY] = feed
        return original_run(
            self, command, print_output=print_output, print_input=print_input, **arguments
        )

    def make_command(state: Any, host: Any, command: Any, **arguments: Any) -> Any:
        feed = arguments.pop(_FEED_KEY, None)
        if arguments.get("_sudo") and not arguments.get("_sudo_password"):
            # Where pyinfra keeps a password learned late (set_sudo_password, its own prompt).
            late = _connector_data(host).get("prompted_sudo_password")
            if late:
                arguments["_sudo_password"] = late
        sudo = (arguments.get("_sudo") and arguments.get("_sudo_password")) or ""
        su = (arguments.get("_su_user") and arguments.get("_su_password")) or ""
        if feed is not None:
            feed.first = []
        if not (sudo or su):
            return original_make(state, host, command, **arguments)
        why = _unroutable(feed, sudo, su, arguments)
        if why:
            return _refusal(StringCommand, QuoteString, f"chaos: {why}")
        if sudo:
            feed.first = [sudo, marker]
            flags = ["sudo", "-H", "-S", "-k", "-p", "''"]
            if arguments.get("_use_sudo_login"):
                flags.append("-i")
            if arguments.get("_preserve_sudo_env"):
                flags.append("-E")
            if arguments.get("_sudo_user"):
                flags.extend(["-u", QuoteString(arguments["_sudo_user"])])
            rest = {k: v for k, v in arguments.items() if k not in wanted}
            inner = util.make_unix_command(command, **rest)
            return StringCommand(*flags, "sh", "-c", QuoteString(skip), "chaos-sudo", inner)
        feed.first = [su]
        arguments["_su_password"] = ""
        inner = util.make_unix_command(StringCommand(_SU_SKIP, "&&", command), **arguments)
        return StringCommand("sh", "-c", QuoteString(StringCommand(_SU_FEED, "|", inner)))

    ssh.make_unix_command_for_host = make_command
    ssh.SSHConnector.run_shell_command = run_shell_command

    def undo() -> None:
        if ssh.make_unix_command_for_host is make_command:
            ssh.make_unix_command_for_host = original_make
        if ssh.SSHConnector.run_shell_command is run_shell_command:
            ssh.SSHConnector.run_shell_command = original_run

    return undo


def _unroutable(feed: Any, sudo: str, su: str, arguments: dict[str, Any]) -> str | None:
    """Why a command that needs a password cannot get it over standard input, or None."""
    if feed is None:
        return "this command was not run through the SSH connector chaos knows"
    if feed.pty:
        # A terminal echoes what is written to it: the password would come back as output.
        return "a sudo password cannot be sent to a command that asks for a terminal (_get_pty)"
    if sudo and su:
        return "an operation cannot use both a sudo and a su password"
    if sudo and (arguments.get("_doas") or arguments.get("_dzdo")):
        return "an operation cannot use doas or dzdo with a sudo password"
    if any(c in (sudo or su) for c in "\n\r\0"):
        return "the sudo password has a line break or a NUL byte: sudo reads one line"
    return None


def _connector_data(host: Any) -> dict[str, Any]:
    data = getattr(host, "connector_data", None)
    return data if isinstance(data, dict) else {}


def set_sudo_password(state: Any, password: str) -> None:
    """The sudo (and su) password for what is staged and run from now on.

    Operations copy ``SUDO_PASSWORD`` into their arguments when they are staged, so those
    staged before the password was known get it in their arguments now; pyinfra's connectors
    also fall back to the password it keeps per host after prompting
    (``connector_data["prompted_sudo_password"]``), which is set for anything else.
    """
    state.config.SUDO_PASSWORD = password
    state.config.SU_PASSWORD = password
    for host in state.inventory:
        data = getattr(host, "connector_data", None)
        if isinstance(data, dict):
            data["prompted_sudo_password"] = password
        # Facts an operation reads while it runs take its arguments and check each against the
        # config's default: an operation staged with no password next to a config that now has
        # one would be rejected (``None is not an instance of str``).
        for op_data in state.ops.get(host, {}).values():
            arguments = op_data.global_arguments
            for key in ("_sudo_password", "_su_password"):
                if not arguments.get(key):
                    arguments[key] = password


def _callback_handler(listener: Any) -> Any:
    from pyinfra.api.state import BaseStateCallback

    class Forward(BaseStateCallback):
        # pyinfra calls these with the state first; the listener only needs the rest.
        def host_connect(self, state, host):
            listener.host_connect(host)

        def host_connect_error(self, state, host, error):
            listener.host_connect_error(host, error)

        def operation_host_start(self, state, host, op_hash):
            listener.op_host_start(host, op_hash)

        def operation_host_success(self, state, host, op_hash, retry_count=0):
            listener.op_host_end(host, op_hash)

        def operation_host_error(self, state, host, op_hash, retry_count=0, max_retries=0):
            listener.op_host_end(host, op_hash)

        def operation_end(self, state, op_hash):
            listener.op_end(op_hash)

    return Forward()


def connect(state: Any) -> str | None:
    """Connect every host; stage Prepare. Returns pyinfra's error when no host is left."""
    from pyinfra.api.connect import connect_all
    from pyinfra.api.exceptions import PyinfraError
    from pyinfra.api.state import StateStage

    error = None
    try:
        connect_all(state)
    except PyinfraError as e:
        error = describe_exception(e)
    for host in list(state.activated_hosts):
        send_without_delay(host)
    state.set_stage(StateStage.Prepare)
    return error


def send_without_delay(host: Any) -> bool:
    """TCP_NODELAY on the host's SSH connection; True when it was set.

    paramiko leaves Nagle's algorithm on, and every command pyinfra runs ends with small
    messages sent back to back (exec, then end of input): the second waits for the server to
    acknowledge the first, which a delayed ACK holds back ~40 ms. Measured on one SSH host: 55 ms
    a command with Nagle, 15 ms without; a 20-operation run on one host 1.96 s -> 1.10 s
    (docs/performance.md). OpenSSH's own client turns it off for the same reason. Only a plain
    TCP socket is touched: a connection through a jump host or proxy command is left as it is.
    """
    import socket

    client = getattr(getattr(host, "connector", None), "client", None)
    get_transport = getattr(client, "get_transport", None)
    transport = get_transport() if callable(get_transport) else None
    sock = getattr(transport, "sock", None)
    if not isinstance(sock, socket.socket) or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        return False
    return True


def inventory_hosts(state: Any) -> list[Any]:
    return list(state.inventory)


def host_name(host: Any) -> str:
    return str(host.name)


def is_active(state: Any, host: Any) -> bool:
    return host in state.active_hosts


@contextmanager
def on_host(host: Any) -> Iterator[None]:
    """pyinfra's per-greenlet host context, as operations and facts expect it."""
    from pyinfra.context import ctx_host

    with ctx_host.use(host):
        yield


@contextmanager
def only_host(state: Any, host: Any) -> Iterator[None]:
    """Make ``host`` the only active host, for this greenlet, while a role plans for it.

    ``add_op`` without ``host=`` stages the operation on every active host; plugins written for
    one machine do that, and in a fleet the role's plan for one host would land on all of them.
    Hosts plan side by side (``run_per_host``), so the restriction is a view of the inventory
    that depends on the greenlet asking (``add_op``, ``add_deploy`` and ``get_facts`` all ask
    ``inventory.get_active_hosts()``); ``state.active_hosts`` itself stays whole, so a host
    pyinfra fails meanwhile is failed for everyone.
    """
    view = _planning_view(state.inventory)
    saved = getattr(view, "host", None)
    view.host = host
    try:
        yield
    finally:
        view.host = saved


def _planning_view(inventory: Any) -> Any:
    """The greenlet-local "only this host" of ``inventory``, installed on first use."""
    view = getattr(inventory, "_chaos_planning_view", None)
    if view is not None:
        return view
    import threading  # gevent's greenlet-local version once the host is patched

    view = threading.local()
    cls = type(inventory)

    def get_active_hosts() -> list[Any]:
        hosts = cls.get_active_hosts(inventory)
        only = getattr(view, "host", None)
        return hosts if only is None else [h for h in hosts if h is only]

    def len_active_hosts() -> int:
        return len(get_active_hosts())

    inventory.get_active_hosts = get_active_hosts
    inventory.len_active_hosts = len_active_hosts
    inventory._chaos_planning_view = view
    return view


def run_per_host(state: Any, fn: Callable[[Any], Any], hosts: Sequence[Any]) -> list[Any]:
    """``[fn(host) for host in hosts]``, hosts in parallel on pyinfra's greenlet pool (fact
    round-trips overlap). ``fn`` must catch its own errors."""
    if len(hosts) <= 1:
        return [fn(host) for host in hosts]
    import gevent

    def run(host: Any) -> Any:
        with on_host(host):
            return fn(host)

    greenlets = [state.pool.spawn(run, host) for host in hosts]
    # Every host finishes before an error is raised: none is left working in the background.
    gevent.joinall(greenlets)
    return [g.get() for g in greenlets]


# Plan
#


def op_hashes(host: Any) -> list[str]:
    """The operations staged on ``host``, in the order they were added."""
    return list(host.op_hash_order)


def op_labels(state: Any, host: Any, op_hash: str) -> dict[str, Any]:
    """How pyinfra names a staged operation: ``names`` and ``args`` are shared by every host
    with an operation at this position; ``explicit_name`` is this host's ``name=`` argument."""
    op_data = state.ops.get(host, {}).get(op_hash)
    op_meta = state.op_meta.get(op_hash)
    return {
        "names": sorted(op_meta.names) if op_meta is not None else [],
        "args": [str(a) for a in op_meta.args] if op_meta is not None else [],
        "explicit_name": op_data.global_arguments.get("name") if op_data is not None else None,
    }


def will_change(state: Any, host: Any, op_hash: str) -> bool:
    """pyinfra's prepare-time prediction for a staged operation (plan phase only: if pyinfra
    had not computed it yet, this would run the operation's generator)."""
    op_data = state.ops.get(host, {}).get(op_hash)
    if op_data is None:
        return False
    with on_host(host):
        return bool(op_data.operation_meta.will_change)


# Execute
#


def execute(state: Any, serial: bool, no_wait: bool) -> str | None:
    """``run_ops``; returns pyinfra's error when it stopped early (e.g. no hosts remaining)."""
    from pyinfra.api.exceptions import PyinfraError
    from pyinfra.api.operations import run_ops
    from pyinfra.api.state import StateStage

    state.set_stage(StateStage.Execute)
    inventory = state.inventory
    if serial:
        # pyinfra's serial run takes the active hosts as a set, in no particular order; a
        # user who asks for one host at a time expects them in the fleet's order.
        order = list(inventory)
        inventory.get_active_hosts = lambda: [h for h in order if h in state.active_hosts]
    try:
        run_ops(state, serial=serial, no_wait=no_wait)
    except PyinfraError as e:
        return describe_exception(e)
    finally:
        if serial:
            del inventory.get_active_hosts
    return None


def op_outcome(state: Any, host: Any, op_hash: str) -> dict[str, Any] | None:
    """What an executed operation did on ``host``; None when it has not completed."""
    op_data = state.ops.get(host, {}).get(op_hash)
    if op_data is None:
        return None
    meta = op_data.operation_meta
    if not meta.is_complete():
        return None
    commands = getattr(meta, "_commands", None) or []
    return {
        "success": meta.did_succeed(),
        "changed": meta.did_change(),
        "ignored": bool(op_data.global_arguments.get("_ignore_errors")),
        "commands": [str(c) for c in commands],
        "stdout": list(meta.stdout_lines),
        "stderr": list(meta.stderr_lines),
        "retries": meta.retry_attempts,
    }


def has_op(state: Any, host: Any, op_hash: str) -> bool:
    return op_hash in state.ops.get(host, {})


def op_needs_sudo(state: Any, host: Any, op_hash: str) -> bool:
    """Whether a staged operation runs its commands through sudo (or su)."""
    op_data = state.ops.get(host, {}).get(op_hash)
    if op_data is None:
        return False
    arguments = op_data.global_arguments
    return bool(arguments.get("_sudo") or arguments.get("_su_user"))


def drop_ops(state: Any, host: Any, op_hashes: Sequence[str]) -> None:
    """Unstage operations from ``host``: they will not run, and pyinfra reports nothing for
    them.

    pyinfra 3.x keeps a host's staged operations in two places: ``host.op_hash_order`` (what
    ``State.get_op_order`` sorts into the run order) and ``state.ops[host]`` (the per-host data
    ``run_host_op`` executes; an operation missing there is skipped on that host). The shared
    ``state.op_meta`` entry stays: another host may still run the operation at that position.
    """
    drop = set(op_hashes)
    if not drop:
        return
    host.op_hash_order[:] = [h for h in host.op_hash_order if h not in drop]
    per_host = state.ops.get(host, {})
    for op_hash in drop:
        per_host.pop(op_hash, None)


def host_failed(state: Any, host: Any) -> bool:
    """Whether pyinfra has failed ``host`` (a fact it could not read or process does that)."""
    return host in getattr(state, "failed_hosts", set())


def reinstate_host(state: Any, host: Any) -> None:
    """Undo pyinfra's failing of ``host``: the failure is charged to the role that read the
    fact (its operations are dropped), not to every other role on the host."""
    state.failed_hosts.discard(host)
    state.active_hosts.add(host)


# Teardown
#


# SSH commands in flight. A command's remote processes outlive its SSH session (sshd closes
# their pipes and nothing more), so an interrupted run would leave `sleep 300`, or half of an
# upgrade, running on every host. Channels opened through pyinfra's SSH client are recorded
# here, and an interrupt stops what they run (stop_remote_commands). The SSH protocol's own
# "signal" request would be the natural way, but sshd refuses it for root logins ("session
# signalling requires privilege separation"), the most common fleet login.
_remote_commands: weakref.WeakSet[Any] = weakref.WeakSet()

# Run over a new channel of the same connection, so its parent is the sshd process that
# started the connection's other commands, each the leader of its own process group (sshd
# setsid()s every session). It signals those groups: INT as a terminal's Ctrl-C would, then
# TERM, then KILL for whatever ignored the signal before; a non-root user's sudo relays the
# first two to the root command it runs. POSIX sh and /proc only: no pgrep on a minimal host.
STOP_SESSION_COMMANDS = r"""
groups=
for d in /proc/[0-9]*; do
  s=$(cat "$d/stat" 2>/dev/null) || continue
  s=${s##*) }
  set -- $s
  p=${d#/proc/}
  [ "$2" = "$PPID" ] && [ "$p" != "$$" ] && groups="$groups $p"
done
for sig in INT TERM KILL; do
  alive=
  for p in $groups; do kill -s $sig -- "-$p" 2>/dev/null && alive="$alive $p"; done
  [ -z "$alive" ] && break
  groups=$alive
  sleep 1
done
"""
STOP_TIMEOUT_S = 6.0


def track_remote_commands() -> None:
    """Records the channel of every command pyinfra's SSH connector starts (once per process)."""
    try:
        from pyinfra.connectors.sshuserclient.client import SSHClient
    except ImportError:
        return
    if getattr(SSHClient.exec_command, "_chaos_tracked", False):
        return
    original = SSHClient.exec_command

    def exec_command(self: Any, *args: Any, **kwargs: Any) -> Any:
        streams = original(self, *args, **kwargs)
        with suppress(Exception):
            _remote_commands.add(streams[1].channel)
        return streams

    exec_command._chaos_tracked = True  # type: ignore[attr-defined]
    SSHClient.exec_command = exec_command


def stop_remote_commands() -> int:
    """Stops every SSH command still running, one stop script per connection, all at once,
    bounded by STOP_TIMEOUT_S. Returns how many connections had commands running."""
    running = [c for c in list(_remote_commands) if not c.closed and not c.exit_status_ready()]
    transports = {id(c.transport): c.transport for c in running if c.transport is not None}
    stoppers = []
    for transport in transports.values():
        with suppress(Exception):
            channel = transport.open_session(timeout=2.0)
            channel.exec_command(STOP_SESSION_COMMANDS)
            stoppers.append(channel)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while any(not c.exit_status_ready() for c in stoppers) and time.monotonic() < deadline:
        time.sleep(0.05)
    for channel in stoppers:
        with suppress(Exception):
            channel.close()
    return len(transports)


def abort(state: Any) -> None:
    """Stop whatever greenlets the state still runs, and the commands they started on SSH
    hosts (after an interrupt)."""
    with suppress(Exception):
        stop_remote_commands()
    for pool in (getattr(state, "pool", None), getattr(state, "fact_pool", None)):
        if pool is not None:
            with suppress(Exception):
                pool.kill(block=True, timeout=1)


def disconnect(state: Any, timeout: float = DISCONNECT_TIMEOUT_S) -> None:
    """Stage Disconnect, disconnect every connected host (bounded), release the context."""
    import gevent
    from pyinfra.api.connect import disconnect_all
    from pyinfra.api.state import StateStage
    from pyinfra.context import ctx_state

    try:
        if state.current_stage < StateStage.Disconnect:
            state.set_stage(StateStage.Disconnect)
        with gevent.Timeout(timeout, False):
            disconnect_all(state)
    finally:
        if ctx_state.get() is state:
            ctx_state.reset()
