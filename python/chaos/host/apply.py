"""The ``apply.*`` methods: one apply session (one pyinfra State) at a time.

prepare  load roles, connect, load the Ch-obolo once, get_context -> delta per (host, class role)
plan     stage operations: plan(state, host, delta) for class roles with changes, the legacy
         function for legacy roles; report every staged operation with its change prediction
         (unless the session skips change detection, as pyinfra's CLI does with -y)
execute  run_ops, streaming one event per operation and host; then disconnect

A failure inside one role on one host is a value in the result (and a ``role_error`` event); it
never hides other roles or hosts. Only a failure of the request as a whole (bad params, roles
that cannot be loaded, a Ch-obolo that cannot be read, no host reachable) is an error reply.

The parts live beside this file: ``params`` (request parameters), ``chobolo`` (loading the
Ch-obolo), ``deltas`` (reading what ``delta()`` returned), ``logtap`` (pyinfra's log) and
``operations`` (one record per staged operation).
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from enum import Enum
from typing import Any

from chaos.host import pyinfra_adapter as pa
from chaos.host import restrictions
from chaos.host.askpass import PLACEHOLDER, PipeAskpass
from chaos.host.chobolo import load_chobolo
from chaos.host.deltas import DeltaRecord, delta_parts, is_empty
from chaos.host.errors import (
    HostError,
    attempt,
    describe_exception,
    error_from_exception,
    traceback_tail,
)
from chaos.host.loading import CLASS, LoadedRole, load_role
from chaos.host.logtap import FORWARD_LEVEL, PyinfraLogTap
from chaos.host.operations import MESSAGE_TAIL_LINES, OUTPUT_TAIL_LINES, OpTable
from chaos.host.params import get_param, hosts_param, max_fail_param, roles_param
from chaos.host.secrets import document_param, role_secrets
from chaos.host.wire import Channel, jsonable

__all__ = ["ApplySession", "PyinfraLogTap", "Stage"]


class Stage(str, Enum):
    """Where a session is; each request accepts only some (``_require``)."""

    NEW = "new"
    CONNECTING = "connecting"
    PREPARING = "preparing"
    PREPARED = "prepared"
    PLANNING = "planning"
    PLANNED = "planned"
    EXECUTING = "executing"
    EXECUTED = "executed"
    CLOSED = "closed"


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
        self.stage = Stage.NEW
        self.state: Any = None
        self.roles: list[LoadedRole] = []
        self.hosts: dict[Any, HostResult] = {}
        self.chobolo_path: str | None = None
        self.chobolo: dict[str, Any] = {}
        self.secrets: dict[str, Any] = {}
        # tag -> the necessary_secret_dict_keys the decrypted secrets do not have
        self.missing_secrets: dict[str, list[str]] = {}
        self.skip_confirm = False
        self.dry = False
        self.detect_changes = True
        self.deltas: dict[tuple[str, str], DeltaRecord] = {}
        self.role_errors: list[dict[str, Any]] = []
        self.plan_results: list[dict[str, Any]] = []
        self.keep_going = False
        self.max_fail: tuple[str, float] | None = None  # --max-fail: ("hosts"|"percent", value)
        # host -> tags of the roles that failed before execution there, in the order they did
        self.failed_roles: dict[str, list[str]] = {}
        # host -> tags of the roles that did not fail but will not run there, because another
        # role on that host failed (without keep_going)
        self.not_run: dict[str, list[str]] = {}
        # (host, tag) -> why the role was skipped (it needs secrets that were not supplied)
        self.skipped: dict[tuple[str, str], dict[str, Any]] = {}
        self.restrictions: dict[str, dict[str, dict[str, bool]]] = {}
        self.ops = OpTable()
        self.pending: list[tuple[Any, str]] = []
        self.askpass: PipeAskpass | None = None
        self.undo_askpass_route: Callable[[], None] | None = None
        self.undo_ssh_route: Callable[[], None] | None = None
        self.host_names: list[str] = []

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

    def _require(self, *stages: Stage) -> None:
        if self.stage not in stages:
            raise HostError(
                "bad_state",
                "this request needs an apply session in stage "
                f"{' or '.join(s.value for s in stages)}; it is {self.stage.value}",
            )

    # prepare

    def prepare(self, params: Mapping[str, Any]) -> dict[str, Any]:
        role_specs = roles_param(params)
        self.chobolo_path = get_param(params, "chobolo_path", (str,), None)
        hosts = hosts_param(params)
        parallel = get_param(params, "parallel", (int,), 0)
        sudo_password = get_param(params, "sudo_password", (str,), None)
        verbosity = get_param(params, "verbosity", (int,), 0)
        self.skip_confirm = get_param(params, "skip_confirm", (bool,), False)
        self.dry = get_param(params, "dry", (bool,), False)
        self.keep_going = get_param(params, "keep_going", (bool,), False)
        diff = get_param(params, "diff", (bool,), True)
        # pyinfra's CLI skips change detection with -y (``State(check_for_changes=not yes)``):
        # detecting runs every operation's generator, and with it every fact an operation
        # reads, once more while planning. Predictions are only worth that when someone will
        # look at them: a dry run, or a run that was not told to go ahead regardless.
        command_log = get_param(params, "command_log", (bool,), False)
        detect = get_param(params, "detect_changes", (bool,), None)
        self.detect_changes = detect if detect is not None else self.dry or not self.skip_confirm
        self.secrets = get_param(params, "secrets", (dict,), {})
        self.restrictions = restrictions.validate(params.get("restrictions"))
        self.max_fail = max_fail_param(params)
        document = document_param(params.get("secrets_document"))
        if verbosity not in FORWARD_LEVEL:
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
        if document is not None:
            self._secrets_from_document(*document)

        if self.chobolo_path is not None:
            self.chobolo = load_chobolo(self.chobolo_path)

        pa.require()
        self.host_names = [h if isinstance(h, str) else h[0] for h in hosts]
        # Always: pyinfra's own prompt (a sudo that asks, no password given) is routed too.
        self.undo_ssh_route = pa.route_ssh_sudo_password()
        if sudo_password:
            self._refuse_unroutable_password()
            self._route_sudo_password(sudo_password)
        self.tap.install()
        self.tap.reset(verbosity, set(), self.ops)
        self.tap.command_log = [] if command_log else None
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
        pa.set_fail_limit(self.state, self.max_fail)
        self.hosts = {h: HostResult(pa.host_name(h)) for h in pa.inventory_hosts(self.state)}
        self.tap.host_names = {r.name for r in self.hosts.values()}
        self.stage = Stage.CONNECTING
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
            if self.max_fail is not None and any(r.connected for r in self.hosts.values()):
                summary += f", more than --max-fail {self._max_fail_text()} allows"
            raise HostError("connect", summary, errors=per_host)

        self.stage = Stage.PREPARING
        self._apply_restrictions()
        class_roles = [r for r in self.roles if r.kind == CLASS]
        per_host = pa.run_per_host(
            self.state, lambda host: self._deltas_for(host, class_roles), self._active_hosts()
        )
        self.stage = Stage.PREPARED
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

    def _apply_restrictions(self) -> None:
        """Fleet restrictions, before any role code runs on a host: a restricted role is
        skipped there (and said so), a conflicting one fails that host's run."""
        if not self.restrictions:
            return
        for host in self._active_hosts():
            name = pa.host_name(host)
            for role in self.roles:
                decision = restrictions.decide(self.restrictions, name, [role.tag, role.name or ""])
                if decision is None:
                    continue
                if decision.kind == restrictions.CONFLICT:
                    self._role_value_error(decision.kind, decision.message, role, name, "context")
                    continue
                skipped = {
                    "host": name,
                    "role": role.tag,
                    "reason": restrictions.SKIP,
                    "keys": [],
                    "message": decision.message,
                }
                self.skipped[(name, role.tag)] = skipped
                self.channel.event("role_skipped", **skipped)

    def _secrets_from_document(self, data: dict[str, Any], text: str) -> None:
        """Each role's value (chaos.host.secrets); a role given its value by tag keeps it."""
        for role in self.roles:
            if role.tag in self.secrets:
                continue
            if role.kind != CLASS and not role.accepts_secrets:
                continue
            value, missing = role_secrets(role, data, text)
            if missing:
                self.missing_secrets[role.tag] = missing
            else:
                self.secrets[role.tag] = value

    def _take_sudo_password(self, params: Mapping[str, Any]) -> None:
        """A sudo password sent with apply.plan or apply.execute: the core reads it only once it
        knows an operation needs it."""
        password = get_param(params, "sudo_password", (str,), None)
        if not password:
            return
        self._refuse_unroutable_password()
        pa.set_sudo_password(self.state, password)
        if self.askpass is None and self.undo_askpass_route is None:
            self._route_sudo_password(password)
        elif self.askpass is not None:
            self.askpass.close()
            self.askpass = PipeAskpass(password)
            if self.undo_askpass_route is not None:
                self.undo_askpass_route()
            self.undo_askpass_route = pa.route_local_sudo_password(self.askpass.script, PLACEHOLDER)

    def _refuse_unroutable_password(self) -> None:
        """pyinfra would put the password in a command line on the target (and, for connectors
        that run a local program, on this machine): only @local and SSH hosts have a private
        route. The core sends no password otherwise; this holds if it ever did."""
        if self.undo_ssh_route is None:
            remote = [n for n in self.host_names if n != "@local"]
            if remote:
                raise HostError(
                    "bad_params",
                    "this pyinfra's SSH connector is not built the way chaos hands it the sudo "
                    f"password privately; not sending it to {', '.join(remote)}",
                )
        others = [n for n in self.host_names if n.startswith("@") and n != "@local"]
        others = [n for n in others if not n.startswith("@ssh/")]
        if others:
            raise HostError(
                "bad_params",
                f"a sudo password goes only to @local and SSH hosts, not to {', '.join(others)}",
            )

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

    def _skip_for_secrets(self, name: str, role: LoadedRole) -> None:
        keys = list(role.necessary_secret_dict_keys)
        missing = self.missing_secrets.get(role.tag)
        if missing:
            reason = "missing_secret_keys"
            message = f"its secrets ({', '.join(missing)}) are not in the secrets file"
            keys = missing
        else:
            reason = "needs_secrets"
            message = (
                "it needs secrets"
                + (f" ({', '.join(keys)})" if keys else "")
                + " and none were supplied"
            )
        skipped = {
            "host": name,
            "role": role.tag,
            "reason": reason,
            "keys": keys,
            "message": message,
        }
        self.skipped[(name, role.tag)] = skipped
        self.channel.event("role_skipped", **skipped)

    def _role_phase(
        self,
        host: Any,
        name: str,
        role: LoadedRole,
        phase: str,
        call: Callable[..., Any],
        *args: Any,
    ) -> tuple[bool, Any]:
        """Runs one phase of a class role (get_context, delta) on one host: (True, what it
        returned), or (False, None) once the failure is reported. A phase fails when it
        raises, returns a result with success=False (kind ``<phase>_failed``), or a fact it
        read failed the host."""
        with pa.on_host(host):
            value, exc = attempt(call, *args)
        _flush_stdout()
        if self._fact_failure(host, name, role, phase):
            return False, None
        if exc is not None:
            ctx = self._role_ctx(role, name, phase)
            self._role_error(error_from_exception("role_error", exc, **ctx))
            return False, None
        reason = self._failed_result(value)
        if reason is not None:
            self._role_value_error(f"{phase}_failed", reason, role, name, phase)
            return False, None
        return True, value

    def _deltas_for(self, host: Any, roles: list[LoadedRole]) -> list[DeltaRecord]:
        name = pa.host_name(host)
        records = []
        for role in roles:
            if (name, role.tag) in self.skipped or role.tag in self.failed_roles.get(name, []):
                continue  # restricted, or in conflict: no role code runs here
            if role.needs_secrets and role.tag not in self.secrets:
                # A role that declares it needs secrets is never run without them (not even
                # its facts), nor with fewer than it named.
                self._skip_for_secrets(name, role)
                continue
            self.channel.event("role_start", phase="prepare", host=name, role=role.tag)
            self.tap.fact_errors.pop(name, None)
            secrets = self.secrets.get(role.tag, {})
            ok, context = self._role_phase(
                host,
                name,
                role,
                "context",
                role.obj.get_context,
                self.state,
                host,
                # Each role gets its own copy: one role mutating it must not affect another.
                copy.deepcopy(self.chobolo),
                secrets if isinstance(secrets, dict) else {},
            )
            if not ok:
                continue
            ok, delta = self._role_phase(host, name, role, "delta", role.obj.delta, context)
            if not ok:
                continue
            parts = delta_parts(delta)
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
                name, role.tag, delta, to_add, to_remove, metadata, is_empty(to_add, to_remove)
            )
            self.deltas[(name, role.tag)] = record
            self.channel.event("delta", **record.describe())
            records.append(record)
        return records

    # plan

    def plan(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self._require(Stage.PREPARED)
        self._take_sudo_password(params)
        self.stage = Stage.PLANNING
        self.tap.phase = "plan"
        first_error, first_result = len(self.role_errors), len(self.plan_results)
        # Hosts plan side by side, as pyinfra's CLI loads deploy files: a role's fact reads (all
        # of them when changes are predicted) overlap across hosts instead of adding up, ~38 s
        # -> ~2 s for a 30-host dry run of 20 operations (docs/performance.md).
        pa.run_per_host(
            self.state, lambda host: self._plan_host(host, pa.host_name(host)), self._active_hosts()
        )
        self._in_inventory_order(self.plan_results, first_result)
        self._in_inventory_order(self.role_errors, first_error)
        self.stage = Stage.PLANNED
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

    def _in_inventory_order(self, entries: list[dict[str, Any]], start: int) -> None:
        """entries[start:] sorted by their host's place in the inventory (stable: a host's own
        entries keep their order), as if the hosts had planned one after another."""
        place = {pa.host_name(h): i for i, h in enumerate(pa.inventory_hosts(self.state))}
        entries[start:] = sorted(entries[start:], key=lambda e: place.get(e.get("host"), -1))

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
                pa.drop_ops(self.state, host, staged)
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
    ) -> list[str]:
        """Call one role's plan on one host; the hashes of the operations it staged."""
        self.channel.event("role_start", phase="plan", host=name, role=role.tag, kind=role.kind)
        self.tap.fact_errors.pop(name, None)
        # Only this host's operations are this role's: other hosts are planning at the same time.
        # (An add_op(host=other) would be counted by the role the other host is planning; the
        # plugin guide says to stage on the given host only, docs/writing-plugins.md.)
        before = len(pa.op_hashes(host))
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
        staged = pa.op_hashes(host)[before:]
        for op_hash in staged:
            self.ops(name, op_hash).role = role.tag
        ops = len(staged)
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
        record = self.ops.find(name, op_hash)
        if record is not None and record.notes.names:
            return ", ".join(record.notes.names)
        labels = pa.op_labels(self.state, host, op_hash)
        return labels["explicit_name"] or ", ".join(labels["names"]) or "operation"

    def _describe_planned(self, host: Any, name: str, op_hash: str) -> dict[str, Any]:
        op: dict[str, Any] = {"name": self._op_name(host, name, op_hash), "hash": op_hash}
        if self.detect_changes:
            # Without detection there is no prediction, and asking pyinfra for one would run
            # the operation's generator after all.
            op["will_change"] = pa.will_change(self.state, host, op_hash)
        record = self.ops.find(name, op_hash)
        op["role"] = record.role if record is not None else None
        op["sudo"] = pa.op_needs_sudo(self.state, host, op_hash)
        op["args"] = pa.op_labels(self.state, host, op_hash)["args"]
        if record is not None:
            notes = record.notes
            diff = "\n".join(notes.diff).strip("\n")
            if diff:
                op["diff"] = diff
            if notes.noop:
                op["noop"] = notes.noop
        return op

    # execute

    def execute(self, params: Mapping[str, Any]) -> dict[str, Any]:
        serial = get_param(params, "serial", (bool,), False)
        no_wait = get_param(params, "no_wait", (bool,), False)
        health = get_param(params, "health", (bool,), False)
        self._require(Stage.PLANNED)
        if self.dry:
            raise HostError("bad_state", "the session was prepared with dry=true")
        self._take_sudo_password(params)
        self.stage = Stage.EXECUTING
        self.tap.phase = "execute"
        snapshots = self._health("pre_operations") if health else []
        try:
            stop_error = self._count_failed_roles_against_max_fail()
            if stop_error is None:
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
        self.stage = Stage.EXECUTED
        self.tap.phase = None
        result = self._execution_result()
        result["error"] = stop_error
        if stop_error is not None and self.max_fail is not None and pa.over_fail_limit(self.state):
            failed = len(self.state.failed_hosts)
            result["error"] = (
                f"{failed} of {len(self.hosts)} hosts failed, more than --max-fail"
                f" {self._max_fail_text()} allows: no new work was started after that"
            )
            result["max_fail_reached"] = True
        result.update(self._host_outcome())
        if health:
            result["health"] = snapshots + self._health("post_operations")
        if self.tap.command_log is not None:
            result["command_log"] = self.tap.command_log
        self.close()
        return result

    def _health(self, stage: str) -> list[dict[str, Any]]:
        from chaos.host.health import snapshot

        return snapshot(self.state, stage)

    def _max_fail_text(self) -> str:
        kind, value = self.max_fail or ("hosts", 0.0)
        number = f"{value:g}"
        return number + "%" if kind == "percent" else number

    def _count_failed_roles_against_max_fail(self) -> str | None:
        """With --max-fail, a host where a role failed before execution (and so, without
        keep_going, nothing runs) is a failed host like one whose operation failed."""
        if self.max_fail is None or self.keep_going:
            return None
        failed = [
            host
            for host in pa.inventory_hosts(self.state)
            if self.failed_roles.get(pa.host_name(host)) and pa.is_active(self.state, host)
        ]
        if not failed:
            return None
        return pa.fail_hosts(self.state, failed)

    def _fail_running(self, reason: str) -> None:
        """pyinfra raised out of ``run_ops``, or stopped with no host left: the operations that
        had started and not finished are the ones that failed (typically an operation's
        generator rejecting its arguments, which without change detection is first run here,
        or a fact it needed that could not be read). Say so, with what pyinfra logged for
        them and why it stopped."""
        hosts = {pa.host_name(h): h for h in pa.inventory_hosts(self.state)}
        now = time.monotonic()
        for record in self.ops:
            name, op_hash = record.host, record.op_hash
            if record.started is None or record.done is not None or name not in hosts:
                continue
            done = {
                **self._op_head(hosts[name], name, op_hash),
                "duration_s": round(now - record.started, 6),
                "retries": 0,
                "status": "failed",
                "ignored": False,
                "command": None,
                "exit_code": None,
                "stderr_tail": [],
                "stdout_tail": [],
                "messages": [
                    *record.notes.messages[-MESSAGE_TAIL_LINES:],
                    reason,
                ],
            }
            record.done = done
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
                record = self.ops.find(name, op_hash)
                done = record.done if record is not None else None
                if done is None:
                    # Started but not finished can only mean a SIGINT stopped it.
                    started = record is not None and record.started is not None
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
        self.ops(name, op_hash).started = time.monotonic()
        self.channel.event("op_start", **self._op_head(host, name, op_hash))

    def op_host_end(self, host: Any, op_hash: str) -> None:
        # pyinfra fires this before it records the outcome on the OperationMeta, so the
        # op_done event goes out on the next callback (or when the run ends).
        self.ops(pa.host_name(host), op_hash).ended = time.monotonic()
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
            self.ops(done["host"], op_hash).done = done
            self.channel.event("op_done", **done)
        self.pending = still

    def _op_head(self, host: Any, name: str, op_hash: str) -> dict[str, Any]:
        """The fields every operation event and record starts with."""
        return {
            "host": name,
            "op": self._op_name(host, name, op_hash),
            "hash": op_hash,
            "role": self.ops(name, op_hash).role,
        }

    def _op_done(self, host: Any, op_hash: str, outcome: dict[str, Any] | None) -> dict[str, Any]:
        name = pa.host_name(host)
        record = self.ops(name, op_hash)
        start, end = record.started, record.ended
        done: dict[str, Any] = {
            **self._op_head(host, name, op_hash),
            "duration_s": round(end - start, 6) if start is not None and end is not None else None,
        }
        if outcome is None:
            done["status"] = "failed"
            done["messages"] = ["pyinfra did not record an outcome for this operation"]
            return done
        done["retries"] = outcome["retries"]
        notes = record.notes
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
        if self.stage in (Stage.PREPARING, Stage.PREPARED):
            return {
                "deltas": [d.describe() for d in self.deltas.values()],
                "errors": list(self.role_errors),
            }
        if self.stage in (Stage.PLANNING, Stage.PLANNED):
            return {"results": list(self.plan_results), "errors": list(self.role_errors)}
        if self.stage == Stage.EXECUTING:
            self._flush()
            return self._execution_result()
        return None

    def abort(self) -> None:
        if self.state is not None:
            pa.abort(self.state)
        self.close(timeout=2.0)

    def close(self, timeout: float = pa.DISCONNECT_TIMEOUT_S) -> None:
        if self.stage == Stage.CLOSED:
            return
        self.stage = Stage.CLOSED
        self.tap.phase = None
        if self.state is not None:
            # Best effort: the session is over either way, and a host that fails to disconnect
            # must not turn a finished run into an error.
            with suppress(Exception):
                pa.disconnect(self.state, timeout=timeout)
        if self.undo_askpass_route is not None:
            self.undo_askpass_route()
            self.undo_askpass_route = None
        if self.undo_ssh_route is not None:
            self.undo_ssh_route()
            self.undo_ssh_route = None
        if self.askpass is not None:
            self.askpass.close()
            self.askpass = None
