"""The ``apply.*`` methods: one apply session (one pyinfra State) at a time.

prepare  load roles, connect, load the Ch-obolo once, get_context -> delta per (host, class role)
plan     stage operations: plan(state, host, delta) for class roles with changes, the legacy
         function for legacy roles; report every staged operation with its change prediction
         (unless the session skips change detection, as pyinfra's CLI does with -y)
execute  run_ops, streaming one event per operation and host; then disconnect

A failure inside one role on one host is a value in the result (and a ``role_error`` event); it
never hides other roles or hosts. Only a failure of the request as a whole (bad params, roles
that cannot be loaded, a Ch-obolo that cannot be read, no host reachable) is an error reply.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from chaos.host import pyinfra_adapter as pa
from chaos.host.askpass import PLACEHOLDER, PipeAskpass
from chaos.host.errors import (
    HostError,
    attempt,
    describe_exception,
    error_from_exception,
    traceback_tail,
)
from chaos.host.loading import CLASS, LoadedRole, load_role, valid_target
from chaos.host.wire import Channel, jsonable

# Output lines kept for a failed operation.
OUTPUT_TAIL_LINES = 20
# pyinfra log lines kept per failed operation.
MESSAGE_TAIL_LINES = 10

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_HOST_PREFIX = re.compile(r"^\[([^\]]+)\]")

# verbosity -> lowest pyinfra log level forwarded as ``log`` events
_FORWARD_LEVEL = {0: logging.WARNING, 1: logging.INFO, 2: logging.INFO, 3: logging.DEBUG}


# Parameters
#


def _get(params: Mapping[str, Any], name: str, kinds: tuple[type, ...], default: Any) -> Any:
    value = params.get(name)
    if value is None:  # absent and null both mean "the default"
        return default
    # bool is an int subclass: reject it where a count is expected.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        wanted = "/".join(k.__name__ for k in kinds)
        raise HostError("bad_params", f"'{name}' must be {wanted}, got {type(value).__name__}")
    return value


def _roles_param(params: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    roles = _get(params, "roles", (list,), [])
    out: list[tuple[str, str, str | None]] = []
    seen: set[str] = set()
    for i, spec in enumerate(roles):
        if not isinstance(spec, dict):
            raise HostError("bad_params", f"roles[{i}] must be an object")
        tag, target, plugin = spec.get("tag"), spec.get("target"), spec.get("plugin")
        if not isinstance(tag, str) or not tag:
            raise HostError("bad_params", f"roles[{i}].tag must be a non-empty string")
        if not valid_target(target):
            raise HostError("bad_params", f"roles[{i}].target must be 'module:attr'")
        if plugin is not None and not isinstance(plugin, str):
            raise HostError("bad_params", f"roles[{i}].plugin must be a string")
        if tag in seen:
            raise HostError("bad_params", f"role '{tag}' is listed twice")
        seen.add(tag)
        out.append((tag, target, plugin))
    return out


def _hosts_param(params: Mapping[str, Any]) -> list[str | tuple[str, dict[str, Any]]]:
    hosts = _get(params, "hosts", (list,), ["@local"])
    out: list[str | tuple[str, dict[str, Any]]] = []
    for i, entry in enumerate(hosts):
        if isinstance(entry, str) and entry:
            out.append(entry)
        elif (
            isinstance(entry, list)
            and len(entry) == 2
            and isinstance(entry[0], str)
            and entry[0]
            and isinstance(entry[1], dict)
        ):
            out.append((entry[0], entry[1]))
        else:
            raise HostError("bad_params", f"hosts[{i}] must be a name or [name, {{data}}]")
    if not out:
        raise HostError("bad_params", "'hosts' is empty")
    return out


# Ch-obolo
#


# A Ch-obolo's YAML aliases (``*name``) may make it this much larger than it is written, and
# always this many nodes: a legitimate ``<<: *defaults`` fits, a small file that expands to
# billions of nodes (an "alias bomb") does not.
ALIAS_EXPANSION_FACTOR = 2
ALIAS_EXPANSION_FLOOR = 10_000
# OmegaConf (>= 2.4) applies its own limit, 10,000 nodes after expansion by default, to every
# load, whether or not the file uses aliases: a large plain Ch-obolo would be refused, by the
# host and by every plugin that loads it, with a message about aliases. The host measures the
# file itself and raises OmegaConf's limit (for the plugins too) to what it has allowed.
OMEGACONF_LIMIT_ENV = "OMEGACONF_MAX_YAML_EXPANDED_NODES"


def chobolo_node_counts(yaml: Any, path: str) -> tuple[int, int]:
    """(nodes as written, nodes once every alias is expanded) of a YAML file.

    Counted on the composed node graph, where an alias is the very node it names: each node is
    visited once, so the cost follows the file's size, not its expansion. Raises HostError for
    an alias that refers to a node containing it (a YAML document that never ends).
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, "rb") as f:
        root = yaml.compose(f, Loader=loader)
    if root is None:
        return 0, 0

    def children(node: Any) -> list[Any]:
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    expanded: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            visiting.discard(key)
            expanded[key] = 1 + sum(expanded[id(c)] for c in children(node))
            continue
        if key in expanded:
            continue
        if key in visiting:
            mark = node.start_mark
            raise HostError(
                "chobolo",
                "a YAML alias refers to a node that contains it, so the Ch-obolo never ends",
                file=path,
                line=mark.line + 1,
                column=mark.column + 1,
            )
        visiting.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children(node))
    return len(expanded), expanded[id(root)]


def load_chobolo(path: str) -> dict[str, Any]:
    """The whole Ch-obolo as a plain dict with ``${...}`` interpolations resolved."""
    try:
        import yaml
        from omegaconf import OmegaConf
    except ImportError as e:
        raise HostError("internal", f"cannot import OmegaConf: {e}") from e
    try:
        written, expanded = chobolo_node_counts(yaml, path)
        allowed = max(ALIAS_EXPANSION_FLOOR, ALIAS_EXPANSION_FACTOR * written)
        if expanded > allowed:
            raise HostError(
                "chobolo",
                f"the Ch-obolo's YAML aliases (*name) expand it to {expanded:,} nodes from "
                f"{written:,} as written; chaos allows {allowed:,} (twice the written size, or "
                f"{ALIAS_EXPANSION_FLOOR:,}), so that a small file cannot exhaust memory. Write the "
                "repeated parts out instead of referring to them",
                file=path,
            )
        os.environ[OMEGACONF_LIMIT_ENV] = str(max(allowed, expanded) + ALIAS_EXPANSION_FLOOR)
        cfg = OmegaConf.load(path)
    except HostError:
        raise
    except OSError as e:
        raise HostError("chobolo", f"cannot read Ch-obolo: {e.strerror or e}", file=path) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        context = getattr(e, "context", None)
        raise HostError(
            "chobolo",
            f"invalid YAML: {context + ': ' if context else ''}{problem}",
            file=path,
            line=mark.line + 1 if mark is not None else None,
            column=mark.column + 1 if mark is not None else None,
        ) from None
    except Exception as e:
        raise HostError("chobolo", f"cannot load Ch-obolo: {_first_line(e)}", file=path) from e
    try:
        data = OmegaConf.to_container(cfg, resolve=True)
    except Exception as e:
        raise HostError(
            "chobolo",
            f"cannot resolve interpolation: {_first_line(e)}",
            file=path,
            key=getattr(e, "full_key", None) or None,
        ) from e
    if not isinstance(data, dict):
        raise HostError("chobolo", "the top level of a Ch-obolo must be a mapping", file=path)
    return data


def _line_buffer_stdout() -> None:
    """Plugin output reaches the terminal (or the pipe the user gave chaos) when it is printed,
    not when the host exits: block buffering on a pipe would put every line of it after the
    core's summary."""
    stream = sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with suppress(Exception):
            reconfigure(line_buffering=True, write_through=True)


def _flush_stdout() -> None:
    # A partial line a role printed goes out before the core prints about that role.
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()


def _first_line(e: BaseException) -> str:
    text = getattr(e, "msg", None) or str(e) or type(e).__name__
    return str(text).strip().splitlines()[0]


# Deltas
#


@dataclass
class DeltaRecord:
    host: str
    role: str
    obj: Any  # what the role returned; handed back to plan() unchanged
    to_add: dict[str, Any]
    to_remove: dict[str, Any]
    metadata: dict[str, Any]
    empty: bool

    def describe(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "role": self.role,
            "to_add": jsonable(self.to_add),
            "to_remove": jsonable(self.to_remove),
            "metadata": jsonable(self.metadata),
            "empty": self.empty,
        }


def _delta_parts(delta: Any) -> tuple[dict, dict, dict] | None:
    """(to_add, to_remove, metadata) of a Delta-like object or mapping; None if it is neither."""
    missing = object()

    def part(name: str) -> Any:
        if isinstance(delta, Mapping):
            return delta.get(name, missing)
        return getattr(delta, name, missing)

    add, remove, meta = part("to_add"), part("to_remove"), part("metadata")
    if add is missing and remove is missing:
        return None
    parts = []
    for value in (add, remove, meta):
        if value is missing or value is None:
            parts.append({})
        elif isinstance(value, Mapping):
            parts.append(dict(value))
        else:
            return None
    return parts[0], parts[1], parts[2]


def _is_empty(to_add: dict[str, Any], to_remove: dict[str, Any]) -> bool:
    """The SDK's rule (``Delta.is_empty``): no category has a truthy value."""
    # Truthiness is the plugin's own code (__bool__); if it fails, assume there are changes.
    empty, exc = attempt(lambda: not any(to_add.values()) and not any(to_remove.values()))
    return bool(empty) if exc is None else False


# pyinfra log capture
#


@dataclass
class OpNotes:
    """What pyinfra logged about one operation on one host."""

    names: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    noop: str | None = None
    exit_code: int | None = None
    messages: list[str] = field(default_factory=list)


class PyinfraLogTap(logging.Handler):
    """Captures the ``pyinfra`` logger: structured facts go to the session's notes, the rest
    is forwarded as ``log`` events at the requested verbosity."""

    def __init__(self, channel: Channel) -> None:
        super().__init__(level=logging.DEBUG)
        self.channel = channel
        self.notes: dict[tuple[str, str], OpNotes] = defaultdict(OpNotes)
        self.phase: str | None = None
        self.verbosity = 0
        self.host_names: set[str] = set()
        # host -> pyinfra's warnings and errors while the current role ran (prepare and plan)
        self.fact_errors: dict[str, list[str]] = defaultdict(list)

    def install(self) -> None:
        logger = pa.pyinfra_logger()
        if self not in logger.handlers:
            logger.addHandler(self)
        logger.setLevel(logging.DEBUG)
        # The core renders output; nothing from pyinfra goes to the terminal directly.
        logger.propagate = False

    def reset(self, verbosity: int, host_names: set[str]) -> None:
        self.notes = defaultdict(OpNotes)
        self.fact_errors = defaultdict(list)
        self.phase = None
        self.verbosity = verbosity
        self.host_names = host_names

    def handleError(self, record: logging.LogRecord) -> None:
        # A broken reply pipe surfaces on the next reply; never print to the user's terminal.
        pass

    def emit(self, record: logging.LogRecord) -> None:
        if (
            record.levelno < logging.INFO
            and self.verbosity < 3
            and not pa.debug_record_wanted(record)
        ):
            return
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        host, op_hash = pa.record_context(record)
        name = pa.host_name(host) if host is not None else None
        kind, data = pa.classify_record(record, message)
        if name is None:
            # Connecting runs outside any host context; the host is only in the text.
            match = _HOST_PREFIX.match(message)
            if match and match.group(1) in self.host_names:
                name = match.group(1)
        message = _ANSI.sub("", pa.strip_host_prefix(message, name)).rstrip()

        consumed = kind != "other"
        if name is not None:
            if record.levelno >= logging.WARNING and self.phase in ("prepare", "plan"):
                # Outside execution a warning or error is about a fact (pyinfra logs the
                # fact's command output, then "could not load fact: ..."): kept in case the
                # host turns out to be failed by it.
                errors = self.fact_errors[name]
                errors.append(message)
                del errors[:-OUTPUT_TAIL_LINES]
            if kind == "op_added":
                self.notes[(name, data[0])].names = data[1]
                if self.phase == "plan":
                    # What is being staged (and its facts read), for the core's progress line.
                    with suppress(OSError):
                        self.channel.event("op_staged", host=name, op=", ".join(data[1]))
            elif kind == "exit_status" and op_hash:
                self.notes[(name, op_hash)].exit_code = data
            elif kind == "noop" and op_hash:
                self.notes[(name, op_hash)].noop = data
            elif kind == "op_output" and op_hash and self.phase == "plan":
                self.notes[(name, op_hash)].diff.append(message)
            if self.phase == "execute" and op_hash and record.levelno >= logging.WARNING:
                self.notes[(name, op_hash)].messages.append(message)

        if record.levelno < _FORWARD_LEVEL.get(self.verbosity, logging.WARNING):
            return
        if (
            self.verbosity == 0
            and op_hash
            and self.phase == "execute"
            and record.levelno >= logging.ERROR
        ):
            return  # a failing operation's errors are in its own report (``messages``)
        # Below -vv, what operations say while being prepared (diffs, noop reasons) stays out.
        if consumed and self.verbosity < 2:
            return
        event: dict[str, Any] = {
            "level": record.levelname.lower(),
            "message": message,
            "logger": record.name,
        }
        if name is not None:
            event["host"] = name
        if op_hash:
            event["op"] = op_hash
        try:
            self.channel.event("log", **event)
        except OSError:
            pass


# The session
#


@dataclass
class HostResult:
    name: str
    connected: bool = False
    error: str | None = None


class ApplySession:
    """One pyinfra State from apply.prepare to disconnect."""

    def __init__(self, channel: Channel, tap: PyinfraLogTap) -> None:
        self.channel = channel
        self.tap = tap
        self.stage = "new"  # new -> prepared -> planned -> executed -> closed
        self.state: Any = None
        self.roles: list[LoadedRole] = []
        self.hosts: dict[Any, HostResult] = {}
        self.chobolo_path: str | None = None
        self.chobolo: dict[str, Any] = {}
        self.secrets: dict[str, Any] = {}
        self.skip_confirm = False
        self.dry = False
        self.detect_changes = True
        self.deltas: dict[tuple[str, str], DeltaRecord] = {}
        self.role_errors: list[dict[str, Any]] = []
        self.plan_results: list[dict[str, Any]] = []
        self.keep_going = False
        # host -> tags of the roles that failed before execution there, in the order they did
        self.failed_roles: dict[str, list[str]] = {}
        # host -> tags of the roles that did not fail but will not run there, because another
        # role on that host failed (without keep_going)
        self.not_run: dict[str, list[str]] = {}
        # (host, tag) -> why the role was skipped (it needs secrets that were not supplied)
        self.skipped: dict[tuple[str, str], dict[str, Any]] = {}
        self.op_roles: dict[tuple[str, str], str] = {}
        self.op_started: dict[tuple[str, str], float] = {}
        self.op_ended: dict[tuple[str, str], float] = {}
        self.op_done: dict[tuple[str, str], dict[str, Any]] = {}
        self.pending: list[tuple[Any, str]] = []
        self.askpass: PipeAskpass | None = None
        self.undo_askpass_route: Callable[[], None] | None = None

    # Helpers

    def _role_ctx(self, role: LoadedRole, host: str | None, phase: str) -> dict[str, Any]:
        return {
            "role": role.tag,
            "host": host,
            "phase": phase,
            "plugin": role.plugin,
            "entry_point": role.target,
        }

    def _role_error(self, error: dict[str, Any]) -> None:
        self.role_errors.append(error)
        host, role = error.get("host"), error.get("role")
        if isinstance(host, str) and isinstance(role, str):
            failed = self.failed_roles.setdefault(host, [])
            if role not in failed:
                failed.append(role)
        self.channel.event("role_error", error=error)

    def _role_value_error(
        self, kind: str, message: str, role: LoadedRole, host: str, phase: str
    ) -> None:
        ctx = self._role_ctx(role, host, phase)
        self._role_error(
            {"kind": kind, "message": message, **{k: v for k, v in ctx.items() if v is not None}}
        )

    def _fact_failure(self, host: Any, name: str, role: LoadedRole, phase: str) -> bool:
        """pyinfra failed ``host`` while ``role`` ran (a fact it could not read or process):
        the role failed, whatever it returned. The host is given back to the other roles (the
        failed one's operations never run). True when that happened."""
        if not pa.host_failed(self.state, host):
            return False
        pa.reinstate_host(self.state, host)
        reasons = [m for m in self.tap.fact_errors.pop(name, []) if m]
        self._role_value_error(
            "fact_failed",
            "; ".join(reasons[-MESSAGE_TAIL_LINES:]) or "pyinfra could not read a fact",
            role,
            name,
            phase,
        )
        return True

    def _failed_result(self, value: Any) -> str | None:
        """The reasons when ``value`` is a ResultPayload-like object with ``success`` false."""
        if isinstance(value, Mapping) or getattr(value, "success", True) is not False:
            return None
        reasons = [str(x) for x in (getattr(value, "error", None) or [])]
        reasons += [str(x) for x in (getattr(value, "message", None) or [])]
        return "; ".join(reasons) or "the role reported failure (success=False)"

    def _host_outcome(self) -> dict[str, Any]:
        return {
            "failed_roles": {h: list(t) for h, t in self.failed_roles.items() if t},
            "not_run": {h: list(t) for h, t in self.not_run.items() if t},
            "skipped_roles": [dict(v) for v in self.skipped.values()],
            "keep_going": self.keep_going,
        }

    def _active_hosts(self) -> list[Any]:
        return [h for h in pa.inventory_hosts(self.state) if pa.is_active(self.state, h)]

    def _require(self, *stages: str) -> None:
        if self.stage not in stages:
            raise HostError(
                "bad_state",
                f"this request needs an apply session in stage {' or '.join(stages)}; "
                f"it is {self.stage}",
            )

    # prepare

    def prepare(self, params: Mapping[str, Any]) -> dict[str, Any]:
        role_specs = _roles_param(params)
        self.chobolo_path = _get(params, "chobolo_path", (str,), None)
        hosts = _hosts_param(params)
        parallel = _get(params, "parallel", (int,), 0)
        sudo_password = _get(params, "sudo_password", (str,), None)
        verbosity = _get(params, "verbosity", (int,), 0)
        self.skip_confirm = _get(params, "skip_confirm", (bool,), False)
        self.dry = _get(params, "dry", (bool,), False)
        self.keep_going = _get(params, "keep_going", (bool,), False)
        diff = _get(params, "diff", (bool,), True)
        # pyinfra's CLI skips change detection with -y (``State(check_for_changes=not yes)``):
        # detecting runs every operation's generator, and with it every fact an operation
        # reads, once more while planning. Predictions are only worth that when someone will
        # look at them: a dry run, or a run that was not told to go ahead regardless.
        detect = _get(params, "detect_changes", (bool,), None)
        self.detect_changes = detect if detect is not None else self.dry or not self.skip_confirm
        self.secrets = _get(params, "secrets", (dict,), {})
        if verbosity not in _FORWARD_LEVEL:
            raise HostError("bad_params", "'verbosity' must be 0..3")
        if parallel < 0:
            raise HostError("bad_params", "'parallel' must be >= 0")

        _line_buffer_stdout()
        loaded, errors = [], []
        for tag, target, plugin in role_specs:
            result = load_role(tag, target, plugin)
            (loaded if isinstance(result, LoadedRole) else errors).append(result)
        if errors:
            raise HostError.aggregate(errors)
        self.roles = loaded

        if self.chobolo_path is not None:
            self.chobolo = load_chobolo(self.chobolo_path)

        pa.require()
        if sudo_password:
            self._route_sudo_password(sudo_password)
        self.tap.install()
        self.tap.reset(verbosity, set())
        self.tap.phase = "prepare"
        self.state = pa.build_state(
            hosts,
            parallel=parallel,
            sudo_password=sudo_password,
            diff=diff,
            detect_changes=self.detect_changes,
            verbosity=verbosity,
            listener=self,
        )
        self.hosts = {h: HostResult(pa.host_name(h)) for h in pa.inventory_hosts(self.state)}
        self.tap.host_names = {r.name for r in self.hosts.values()}
        self.stage = "connecting"
        stop_error = pa.connect(self.state)
        for host, record in self.hosts.items():
            record.connected = pa.is_active(self.state, host)
        if stop_error is not None or not any(r.connected for r in self.hosts.values()):
            failed = [r for r in self.hosts.values() if not r.connected]
            per_host = [
                {"kind": "connect", "message": r.error or "not connected", "host": r.name}
                for r in failed
            ]
            if len(failed) == 1:
                raise HostError.aggregate(per_host)
            # pyinfra stops when too many hosts failed (FAIL_PERCENT) or none is left.
            summary = f"{len(failed)} of {len(self.hosts)} hosts could not be connected"
            raise HostError("connect", summary, errors=per_host)

        self.stage = "preparing"
        class_roles = [r for r in self.roles if r.kind == CLASS]
        per_host = pa.run_per_host(
            self.state, lambda host: self._deltas_for(host, class_roles), self._active_hosts()
        )
        self.stage = "prepared"
        self.tap.phase = None
        deltas = [r.describe() for records in per_host for r in records]
        has_legacy = any(r.kind != CLASS for r in self.roles)
        return {
            "roles": [r.describe() for r in self.roles],
            "hosts": [self._describe_host(r) for r in self.hosts.values()],
            "deltas": deltas,
            "errors": list(self.role_errors),
            "changes": has_legacy or any(not d["empty"] for d in deltas),
            "detect_changes": self.detect_changes,
            **self._host_outcome(),
        }

    def _take_sudo_password(self, params: Mapping[str, Any]) -> None:
        """A sudo password sent with apply.plan or apply.execute: the core reads it only once it
        knows an operation needs it."""
        password = _get(params, "sudo_password", (str,), None)
        if not password:
            return
        pa.set_sudo_password(self.state, password)
        if self.askpass is None and self.undo_askpass_route is None:
            self._route_sudo_password(password)
        elif self.askpass is not None:
            self.askpass.close()
            self.askpass = PipeAskpass(password)
            if self.undo_askpass_route is not None:
                self.undo_askpass_route()
            self.undo_askpass_route = pa.route_local_sudo_password(self.askpass.script, PLACEHOLDER)

    def _route_sudo_password(self, password: str) -> None:
        self.askpass = PipeAskpass(password)
        self.undo_askpass_route = pa.route_local_sudo_password(self.askpass.script, PLACEHOLDER)
        if self.undo_askpass_route is None:
            self.askpass.close()
            self.askpass = None
            self.channel.event(
                "log",
                level="warning",
                logger="chaos.host",
                message="this pyinfra builds sudo commands differently from what chaos knows: "
                "the sudo password goes to sudo the way pyinfra passes it, visible in the "
                "process list while each command runs",
            )

    @staticmethod
    def _describe_host(record: HostResult) -> dict[str, Any]:
        data: dict[str, Any] = {"name": record.name, "connected": record.connected}
        if record.error is not None:
            data["error"] = record.error
        return data

    def _deltas_for(self, host: Any, roles: list[LoadedRole]) -> list[DeltaRecord]:
        name = pa.host_name(host)
        records = []
        for role in roles:
            if role.needs_secrets and role.tag not in self.secrets:
                # Secrets come from the secrets subsystem; until it supplies them, a role that
                # declares it needs them is never run without them (not even its facts).
                skipped = {
                    "host": name,
                    "role": role.tag,
                    "reason": "needs_secrets",
                    "keys": list(role.necessary_secret_dict_keys),
                    "message": "it needs secrets"
                    + (
                        f" ({', '.join(role.necessary_secret_dict_keys)})"
                        if role.necessary_secret_dict_keys
                        else ""
                    )
                    + " and none were supplied",
                }
                self.skipped[(name, role.tag)] = skipped
                self.channel.event("role_skipped", **skipped)
                continue
            self.channel.event("role_start", phase="prepare", host=name, role=role.tag)
            self.tap.fact_errors.pop(name, None)
            secrets = self.secrets.get(role.tag, {})
            with pa.on_host(host):
                context, exc = attempt(
                    role.obj.get_context,
                    self.state,
                    host,
                    # Each role gets its own copy: one role mutating it must not affect another.
                    copy.deepcopy(self.chobolo),
                    secrets if isinstance(secrets, dict) else {},
                )
            _flush_stdout()
            if self._fact_failure(host, name, role, "context"):
                continue
            if exc is not None:
                ctx = self._role_ctx(role, name, "context")
                self._role_error(error_from_exception("role_error", exc, **ctx))
                continue
            reason = self._failed_result(context)
            if reason is not None:
                self._role_value_error("context_failed", reason, role, name, "context")
                continue
            with pa.on_host(host):
                delta, exc = attempt(role.obj.delta, context)
            _flush_stdout()
            if self._fact_failure(host, name, role, "delta"):
                continue
            if exc is not None:
                ctx = self._role_ctx(role, name, "delta")
                self._role_error(error_from_exception("role_error", exc, **ctx))
                continue
            reason = self._failed_result(delta)
            if reason is not None:
                self._role_value_error("delta_failed", reason, role, name, "delta")
                continue
            parts = _delta_parts(delta)
            if parts is None:
                self._role_error(
                    {
                        "kind": "bad_delta",
                        "message": (
                            f"delta() returned a {type(delta).__name__}; expected a Delta "
                            "(to_add / to_remove / metadata dicts)"
                        ),
                        **{
                            k: v
                            for k, v in self._role_ctx(role, name, "delta").items()
                            if v is not None
                        },
                    }
                )
                continue
            to_add, to_remove, metadata = parts
            record = DeltaRecord(
                name, role.tag, delta, to_add, to_remove, metadata, _is_empty(to_add, to_remove)
            )
            self.deltas[(name, role.tag)] = record
            self.channel.event("delta", **record.describe())
            records.append(record)
        return records

    # plan

    def plan(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self._require("prepared")
        self._take_sudo_password(params)
        self.stage = "planning"
        self.tap.phase = "plan"
        first_error = len(self.role_errors)
        for host in self._active_hosts():
            self._plan_host(host, pa.host_name(host))
        self.stage = "planned"
        self.tap.phase = None

        hosts: dict[str, list[dict[str, Any]]] = {}
        for host in self._active_hosts():
            name = pa.host_name(host)
            hosts[name] = [self._describe_planned(host, name, h) for h in pa.op_hashes(host)]
        if self.detect_changes:
            changes = any(op["will_change"] for ops in hosts.values() for op in ops)
        else:
            # Nothing was predicted: any staged operation may change something.
            changes = any(hosts.values())
        return {
            "hosts": hosts,
            "results": list(self.plan_results),
            "errors": self.role_errors[first_error:],
            "changes": changes,
            **self._host_outcome(),
        }

    def _plan_host(self, host: Any, name: str) -> None:
        """Plan every role on one host. A role that fails (here or in prepare) contributes no
        operations; without keep_going nothing at all runs on the host then, and the roles
        that did not fail are reported as not run."""
        planned: list[str] = []
        for role in self.roles:
            if self.failed_roles.get(name) and not self.keep_going:
                break
            if (name, role.tag) in self.skipped or role.tag in self.failed_roles.get(name, []):
                continue
            delta = self.deltas.get((name, role.tag))
            if role.kind == CLASS and (delta is None or delta.empty):
                continue
            staged = self._plan_one(host, name, role, delta)
            if role.tag in self.failed_roles.get(name, []):
                for h, hashes in staged.items():
                    pa.drop_ops(self.state, h, hashes)
            else:
                planned.append(role.tag)
        if not self.failed_roles.get(name) or self.keep_going:
            return
        # Nothing runs on this host: unstage what the roles before the failure staged.
        pa.drop_ops(self.state, host, pa.op_hashes(host))
        failed = set(self.failed_roles[name])
        self.not_run[name] = [
            r.tag
            for r in self.roles
            if r.tag not in failed
            and (name, r.tag) not in self.skipped
            and (r.kind != CLASS or r.tag in planned or not self._delta_empty(name, r.tag))
        ]

    def _delta_empty(self, name: str, tag: str) -> bool:
        delta = self.deltas.get((name, tag))
        return delta is not None and delta.empty

    def _plan_one(
        self, host: Any, name: str, role: LoadedRole, delta: DeltaRecord | None
    ) -> dict[Any, list[str]]:
        """Call one role's plan on one host; the operations it staged, per host."""
        self.channel.event("role_start", phase="plan", host=name, role=role.tag, kind=role.kind)
        self.tap.fact_errors.pop(name, None)
        all_hosts = pa.inventory_hosts(self.state)
        before = {h: len(pa.op_hashes(h)) for h in all_hosts}
        if role.kind == CLASS:
            assert delta is not None
            call, args = role.obj.plan, [self.state, host, delta.obj]
        else:
            call, args = role.obj, [self.state, host, self.chobolo_path, self.skip_confirm]
            if role.tag in self.secrets:
                args.append(self.secrets[role.tag])
        with pa.on_host(host), pa.only_host(self.state, host):
            result, exc = attempt(call, *args)
        _flush_stdout()
        if isinstance(exc, SystemExit) and exc.code in (0, None):
            # sys.exit(0) is how a script says "done": the role ends there, successfully.
            exc = None
        failed = exc is not None
        if self._fact_failure(host, name, role, "plan"):
            failed = True
        elif exc is not None:
            ctx = self._role_ctx(role, name, "plan")
            self._role_error(error_from_exception("role_error", exc, **ctx))
        staged: dict[Any, list[str]] = {}
        for h in all_hosts:
            new = pa.op_hashes(h)[before[h] :]
            if new:
                staged[h] = new
            for op_hash in new:
                self.op_roles[(pa.host_name(h), op_hash)] = role.tag
        ops = sum(len(v) for v in staged.values())
        entry: dict[str, Any] = {"host": name, "role": role.tag, "ops": ops, "ok": not failed}
        if role.kind == CLASS and result is not None:
            entry["result"] = jsonable(result)
            reason = self._failed_result(result)
            if reason is not None and not failed:
                entry["ok"] = False
                self._role_value_error("plan_failed", reason, role, name, "plan")
        if not entry["ok"]:
            entry["dropped"] = ops  # staged, and unstaged again: they never run
        self.plan_results.append(entry)
        return staged

    def _op_name(self, host: Any, name: str, op_hash: str) -> str:
        per_host = self.tap.notes.get((name, op_hash))
        if per_host is not None and per_host.names:
            return ", ".join(per_host.names)
        labels = pa.op_labels(self.state, host, op_hash)
        return labels["explicit_name"] or ", ".join(labels["names"]) or "operation"

    def _describe_planned(self, host: Any, name: str, op_hash: str) -> dict[str, Any]:
        op: dict[str, Any] = {"name": self._op_name(host, name, op_hash), "hash": op_hash}
        if self.detect_changes:
            # Without detection there is no prediction, and asking pyinfra for one would run
            # the operation's generator after all.
            op["will_change"] = pa.will_change(self.state, host, op_hash)
        op["role"] = self.op_roles.get((name, op_hash))
        op["sudo"] = pa.op_needs_sudo(self.state, host, op_hash)
        op["args"] = pa.op_labels(self.state, host, op_hash)["args"]
        notes = self.tap.notes.get((name, op_hash))
        if notes is not None:
            diff = "\n".join(notes.diff).strip("\n")
            if diff:
                op["diff"] = diff
            if notes.noop:
                op["noop"] = notes.noop
        return op

    # execute

    def execute(self, params: Mapping[str, Any]) -> dict[str, Any]:
        serial = _get(params, "serial", (bool,), False)
        no_wait = _get(params, "no_wait", (bool,), False)
        self._require("planned")
        if self.dry:
            raise HostError("bad_state", "the session was prepared with dry=true")
        self._take_sudo_password(params)
        self.stage = "executing"
        self.tap.phase = "execute"
        try:
            stop_error = pa.execute(self.state, serial, no_wait)
        except KeyboardInterrupt:
            raise
        except Exception as e:
            self._flush(final=True)
            self._fail_running(describe_exception(e))
            partial = self._execution_result()
            self.close()
            raise HostError(
                "execute",
                f"pyinfra failed while executing: {describe_exception(e)}",
                traceback=traceback_tail(e),
                partial=partial,
            ) from e
        self._flush(final=True)
        if stop_error is not None:
            # pyinfra gave up on a host in the middle of an operation (a fact it could not
            # read, say because sudo refused the password) without reporting that operation.
            self._fail_running(stop_error)
        self.stage = "executed"
        self.tap.phase = None
        result = self._execution_result()
        result["error"] = stop_error
        result.update(self._host_outcome())
        self.close()
        return result

    def _fail_running(self, reason: str) -> None:
        """pyinfra raised out of ``run_ops``, or stopped with no host left: the operations that
        had started and not finished are the ones that failed (typically an operation's
        generator rejecting its arguments, which without change detection is first run here,
        or a fact it needed that could not be read). Say so, with what pyinfra logged for
        them and why it stopped."""
        hosts = {pa.host_name(h): h for h in pa.inventory_hosts(self.state)}
        now = time.monotonic()
        for (name, op_hash), start in self.op_started.items():
            if (name, op_hash) in self.op_done or name not in hosts:
                continue
            done = {
                **self._op_head(hosts[name], name, op_hash),
                "duration_s": round(now - start, 6),
                "retries": 0,
                "status": "failed",
                "ignored": False,
                "command": None,
                "exit_code": None,
                "stderr_tail": [],
                "stdout_tail": [],
                "messages": [
                    *self.tap.notes[(name, op_hash)].messages[-MESSAGE_TAIL_LINES:],
                    reason,
                ],
            }
            self.op_done[(name, op_hash)] = done
            with suppress(OSError):
                self.channel.event("op_done", **done)

    def _execution_result(self) -> dict[str, Any]:
        hosts: dict[str, dict[str, Any]] = {}
        success = True
        for host in pa.inventory_hosts(self.state):
            name = pa.host_name(host)
            if not self.hosts.get(host, HostResult(name)).connected:
                continue
            counts = dict.fromkeys(
                ("changed", "no_change", "failed", "ignored", "skipped", "interrupted"), 0
            )
            ops = []
            for op_hash in pa.op_hashes(host):
                done = self.op_done.get((name, op_hash))
                if done is None:
                    # Started but not finished can only mean a SIGINT stopped it.
                    started = (name, op_hash) in self.op_started
                    done = {
                        **self._op_head(host, name, op_hash),
                        "status": "interrupted" if started else "skipped",
                    }
                status = done["status"]
                if status == "failed" and done.get("ignored"):
                    counts["ignored"] += 1
                else:
                    counts[status] += 1
                ops.append(done)
            if counts["failed"] or counts["interrupted"]:
                success = False
            hosts[name] = {**counts, "ops": ops}
        return {"hosts": hosts, "success": success}

    # pyinfra callbacks (see pyinfra_adapter._callback_handler)

    def host_connect(self, host: Any) -> None:
        self.channel.event("connect", host=pa.host_name(host), ok=True)

    def host_connect_error(self, host: Any, error: Any) -> None:
        text = str(error.args[0]) if getattr(error, "args", None) else str(error)
        record = self.hosts.get(host)
        if record is not None:
            record.error = text
        self.channel.event("connect", host=pa.host_name(host), ok=False, error=text)

    def op_host_start(self, host: Any, op_hash: str) -> None:
        self._flush()
        if not pa.has_op(self.state, host, op_hash):
            return
        name = pa.host_name(host)
        self.op_started[(name, op_hash)] = time.monotonic()
        self.channel.event("op_start", **self._op_head(host, name, op_hash))

    def op_host_end(self, host: Any, op_hash: str) -> None:
        # pyinfra fires this before it records the outcome on the OperationMeta, so the
        # op_done event goes out on the next callback (or when the run ends).
        self.op_ended[(pa.host_name(host), op_hash)] = time.monotonic()
        self.pending.append((host, op_hash))
        self._flush()

    def op_end(self, op_hash: str) -> None:
        self._flush()

    def _flush(self, final: bool = False) -> None:
        still = []
        for host, op_hash in self.pending:
            outcome = pa.op_outcome(self.state, host, op_hash)
            if outcome is None and not final:
                still.append((host, op_hash))
                continue
            done = self._op_done(host, op_hash, outcome)
            self.op_done[(done["host"], op_hash)] = done
            self.channel.event("op_done", **done)
        self.pending = still

    def _op_head(self, host: Any, name: str, op_hash: str) -> dict[str, Any]:
        """The fields every operation event and record starts with."""
        return {
            "host": name,
            "op": self._op_name(host, name, op_hash),
            "hash": op_hash,
            "role": self.op_roles.get((name, op_hash)),
        }

    def _op_done(self, host: Any, op_hash: str, outcome: dict[str, Any] | None) -> dict[str, Any]:
        name = pa.host_name(host)
        key = (name, op_hash)
        start, end = self.op_started.get(key), self.op_ended.get(key)
        done: dict[str, Any] = {
            **self._op_head(host, name, op_hash),
            "duration_s": round(end - start, 6) if start is not None and end is not None else None,
        }
        if outcome is None:
            done["status"] = "failed"
            done["messages"] = ["pyinfra did not record an outcome for this operation"]
            return done
        done["retries"] = outcome["retries"]
        notes = self.tap.notes.get(key, OpNotes())
        if outcome["success"]:
            done["status"] = "changed" if outcome["changed"] else "no_change"
            if not outcome["changed"] and notes.noop:
                done["noop"] = notes.noop
            return done
        output = set(outcome["stdout"]) | set(outcome["stderr"])
        done.update(
            status="failed",
            ignored=outcome["ignored"],
            command=outcome["commands"][-1] if outcome["commands"] else None,
            exit_code=notes.exit_code,
            stderr_tail=outcome["stderr"][-OUTPUT_TAIL_LINES:],
            stdout_tail=outcome["stdout"][-OUTPUT_TAIL_LINES:],
            messages=[m for m in notes.messages if m not in output][-MESSAGE_TAIL_LINES:],
        )
        return done

    # interrupt and teardown

    def partial(self) -> dict[str, Any] | None:
        """What completed before an interrupt, in the shape of the interrupted method's
        result."""
        if self.stage in ("preparing", "prepared"):
            return {
                "deltas": [d.describe() for d in self.deltas.values()],
                "errors": list(self.role_errors),
            }
        if self.stage in ("planning", "planned"):
            return {"results": list(self.plan_results), "errors": list(self.role_errors)}
        if self.stage == "executing":
            self._flush()
            return self._execution_result()
        return None

    def abort(self) -> None:
        if self.state is not None:
            pa.abort(self.state)
        self.close(timeout=2.0)

    def close(self, timeout: float = pa.DISCONNECT_TIMEOUT_S) -> None:
        if self.stage == "closed":
            return
        self.stage = "closed"
        self.tap.phase = None
        if self.state is not None:
            # Best effort: the session is over either way, and a host that fails to disconnect
            # must not turn a finished run into an error.
            with suppress(Exception):
                pa.disconnect(self.state, timeout=timeout)
        if self.undo_askpass_route is not None:
            self.undo_askpass_route()
            self.undo_askpass_route = None
        if self.askpass is not None:
            self.askpass.close()
            self.askpass = None
