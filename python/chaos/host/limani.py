"""The ``limani`` request: a ``chaos.limanis`` plugin receives a run's logbook events.

``chaos apply -i NAME`` records every run in its own store and, in addition, hands the same
events it prints under ``-l`` to the named Limani, one request per event, on a role host of its
own. This module turns each event into the calls the original tool made on its Limani
(docs/protocol.md §6.10): ``run_start`` → connect, init_db, create_run, start_update_run;
``progress`` → get_or_create_host, insert_operation; ``health_check`` → insert_snapshot;
``fact`` → insert_fact_log; ``run_end`` → end_run_update, disconnect. The instance lives from
``run_start`` to ``run_end`` in this process.
"""

from __future__ import annotations

import inspect
from typing import Any

from chaos.host.errors import HostError, attempt, describe_exception, traceback_tail
from chaos.host.loading import load_target, valid_target

EVENT_TYPES = ("run_start", "progress", "health_check", "fact", "run_end")


class _Open:
    """The Limani a run talks to, and the ids it gave the run and its hosts."""

    def __init__(self, instance: Any, where: dict[str, Any]) -> None:
        self.instance = instance
        self.where = where
        self.run_id: Any = None
        self.hosts: dict[str, Any] = {}


_open: dict[str, _Open] = {}  # by entry-point target


def _failure(message: str, exc: BaseException | None, where: dict[str, Any]) -> HostError:
    if exc is None:
        return HostError("limani", message, **where)
    return HostError(
        "limani", f"{message}: {describe_exception(exc)}", traceback=traceback_tail(exc), **where
    )


def _call(opened: _Open, method: str, *args: Any) -> Any:
    result, exc = attempt(getattr(opened.instance, method), *args)
    if exc is not None:
        raise _failure(f"{method}() failed", exc, opened.where)
    return result


def _create(target: str, config: dict[str, Any], where: dict[str, Any]) -> _Open:
    from chaos.lib.limani.limani import Limani

    cls, exc = attempt(load_target, target)
    if exc is not None:
        raise _failure("the Limani plugin could not be imported", exc, where)
    if not (inspect.isclass(cls) and issubclass(cls, Limani)):
        raise _failure(f"{target} is not a subclass of chaos.lib.limani.limani.Limani", None, where)
    instance, exc = attempt(cls, config)
    if exc is not None:
        raise _failure("the Limani could not be created", exc, where)
    return _Open(instance, where)


def _field(event: dict[str, Any], name: str, types: tuple[type, ...]) -> Any:
    value = event.get(name)
    if not isinstance(value, types):
        raise HostError("bad_params", f"event field '{name}' has the wrong type")
    return value


def _global_config(params: dict[str, Any], where: dict[str, Any]) -> dict[str, Any]:
    """config.yml as a dict, as the original gave its Limani; {} without one."""
    path = params.get("config_path")
    if not isinstance(path, str) or not path:
        return {}
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            loaded = yaml.safe_load(f)
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError) as exc:
        raise _failure(
            f"config.yml could not be read for the Limani ({path})", exc, where
        ) from None
    return loaded if isinstance(loaded, dict) else {}


def _run_start(target: str, params: dict[str, Any], event: dict[str, Any], where: dict) -> None:
    opened = _create(target, _global_config(params, where), where)
    _open[target] = opened
    _call(opened, "connect")
    _call(opened, "init_db")
    run_id = _field(event, "uggly_run_id", (str,))
    returned = _call(
        opened,
        "create_run",
        run_id,
        _field(event, "run_id", (str,)),
        event.get("timestamp"),
        event.get("hailer"),
        event.get("secrets_required"),
    )
    opened.run_id = returned if returned is not None else run_id
    _call(opened, "start_update_run", opened.run_id, "in_progress")


def _host_id(opened: _Open, host: str) -> Any:
    if host not in opened.hosts:
        opened.hosts[host] = _call(opened, "get_or_create_host", opened.run_id, host)
    return opened.hosts[host]


def _deliver(opened: _Open, kind: str, event: dict[str, Any]) -> None:
    if kind == "progress":
        host_id = _host_id(opened, _field(event, "host", (str,)))
        _call(
            opened,
            "insert_operation",
            opened.run_id,
            host_id,
            event.get("op_hash"),
            _field(event, "operation", (str,)),
            bool(event.get("changed")),
            bool(event.get("success")),
            event.get("duration"),
            event.get("timestamp"),
            event.get("logs"),
            event.get("diff"),
            event.get("operation_arguments"),
            event.get("retry_statistics"),
            event.get("command_n_fact_history"),
        )
    elif kind == "health_check":
        host_id = _host_id(opened, _field(event, "host", (str,)))
        _call(
            opened,
            "insert_snapshot",
            opened.run_id,
            host_id,
            event.get("stage"),
            event.get("timestamp"),
            event.get("metrics"),
        )
    elif kind == "fact":
        _call(
            opened,
            "insert_fact_log",
            opened.run_id,
            event.get("timestamp"),
            event.get("log_level"),
            event.get("context"),
            event.get("command"),
        )
    elif kind == "run_end":
        try:
            _call(
                opened,
                "end_run_update",
                opened.run_id,
                event.get("timestamp"),
                event.get("status"),
                event.get("summary"),
            )
        finally:
            _open.pop(opened.where["entry_point"], None)
            attempt(opened.instance.disconnect)


def limani_request(params: dict[str, Any]) -> dict[str, Any]:
    target = params.get("target")
    if not valid_target(target):
        raise HostError("bad_params", "'target' must be an entry-point target (module:Class)")
    event = params.get("event")
    if not isinstance(event, dict) or event.get("type") not in EVENT_TYPES:
        raise HostError(
            "bad_params", f"'event' must be an object whose type is one of {EVENT_TYPES}"
        )
    where = {"limani": params.get("name"), "plugin": params.get("plugin"), "entry_point": target}
    kind = event["type"]
    if kind == "run_start":
        _run_start(target, params, event, where)
        return {"ok": True}
    opened = _open.get(target)
    if opened is None:
        raise HostError("bad_params", "no run_start was delivered to this Limani first", **where)
    _deliver(opened, kind, event)
    return {"ok": True}
