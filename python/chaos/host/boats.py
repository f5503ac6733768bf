"""The ``boats`` request: ``chaos.boats`` plugins add fleet hosts found at run time.

The core sends the Ch-obolo's ``fleet.boats`` entries (each resolved to its entry point by native
discovery). Boats run in the order listed: each is created with its ``config`` block and its
``get_fleet(state)`` is given the Ch-obolo as the previous boat left it, the first one the
Ch-obolo itself (the original tool's contract). What the last boat returns decides the hosts.

Boats may only *add* hosts. A boat that drops or rewrites a host it was given, adds a name the
fleet already has, or returns anything but a Ch-obolo with a list or mapping of well-formed hosts
is an error naming the boat and its plugin: a fleet that quietly differs from what the Ch-obolo
and the boats say is how hosts stay unmanaged. The result lists only the hosts the boats added,
each with the boat that added it; the core merges them with the hosts it read itself.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chaos.host.errors import HostError, attempt, describe_exception, traceback_tail
from chaos.host.loading import load_target, valid_target
from chaos.host.wire import jsonable

GROUP = "chaos.boats"
# Bounds on what boats may hand back, so that a runaway plugin is an error rather than a core
# (or a terminal) drowned in hosts: far above any fleet pyinfra drives from one process.
MAX_HOSTS = 10_000
MAX_NAME_BYTES = 1024
MAX_HOST_DATA_BYTES = 64 * 1024
MAX_TOTAL_BYTES = 16 * 1024 * 1024
CHOBOLO = "the Ch-obolo"
FROM_CHOBOLO = -1


@dataclass
class BoatSpec:
    index: int  # in fleet.boats: the same provider may be listed twice (two regions)
    provider: str
    config: dict[str, Any]
    target: str | None
    plugin: str | None

    def label(self) -> str:
        """How messages name the boat: its provider, and its plugin when known."""
        plugin = f" (plugin {self.plugin})" if self.plugin else ""
        return f"boat '{self.provider}'{plugin}"

    def where(self) -> dict[str, Any]:
        return {"boat": self.provider, "plugin": self.plugin, "entry_point": self.target}


@dataclass
class Entry:
    name: str
    data: dict[str, Any]
    groups: list[str]
    source: int  # FROM_CHOBOLO, or the index in fleet.boats of the boat that added it


def _specs(params: dict[str, Any]) -> list[BoatSpec]:
    boats = params.get("boats")
    if not isinstance(boats, list) or not boats:
        raise HostError("bad_params", "'boats' must be a non-empty list of {provider, config}")
    out = []
    for i, spec in enumerate(boats):
        if not isinstance(spec, dict):
            raise HostError("bad_params", f"boats[{i}] must be an object")
        provider, target, plugin = spec.get("provider"), spec.get("target"), spec.get("plugin")
        config = spec.get("config")
        if not isinstance(provider, str) or not provider:
            raise HostError("bad_params", f"boats[{i}].provider must be a non-empty string")
        if target is not None and not valid_target(target):
            raise HostError("bad_params", f"boats[{i}].target must be 'module:attr'")
        if plugin is not None and not isinstance(plugin, str):
            raise HostError("bad_params", f"boats[{i}].plugin must be a string")
        if config is None:
            config = {}
        if not isinstance(config, dict):
            raise HostError(
                "boat",
                f"the config of boat '{provider}' (fleet.boats[{i}].config) must be a mapping",
                boat=provider,
            )
        out.append(BoatSpec(i, provider, config, target, plugin))
    return out


def _installed() -> dict[str, tuple[str, str | None]]:
    """Entry-point name -> (target, distribution) of every installed boat."""
    from importlib.metadata import entry_points

    found: dict[str, tuple[str, str | None]] = {}
    for ep in entry_points().select(group=GROUP):
        dist = getattr(ep, "dist", None)
        found.setdefault(ep.name, (ep.value, getattr(dist, "name", None)))
    return found


def _resolve(spec: BoatSpec) -> None:
    """Fill in the entry point of a boat the core did not resolve (it normally does)."""
    if spec.target is not None:
        return
    installed = _installed()
    if spec.provider not in installed:
        names = ", ".join(sorted(installed)) or "none"
        raise HostError(
            "boat",
            f"no installed plugin provides boat '{spec.provider}' (installed boats: {names})",
            boat=spec.provider,
        )
    spec.target, plugin = installed[spec.provider]
    spec.plugin = spec.plugin or plugin


def _failure(
    spec: BoatSpec, what: str, exc: BaseException | None = None, host: str | None = None
) -> HostError:
    if exc is None:
        return HostError("boat", f"{spec.label()}: {what}", host=host, **spec.where())
    return HostError(
        "boat",
        f"{spec.label()}: {what}: {describe_exception(exc)}",
        traceback=traceback_tail(exc),
        **spec.where(),
    )


def _flush_output() -> None:
    # What a boat printed reaches the user's terminal (never the protocol's pipes) before the
    # core prints about the fleet.
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S110 - a closed or broken stream loses the text only
            pass


def _load(spec: BoatSpec) -> Any:
    """The boat, created with its config."""
    cls, exc = attempt(load_target, spec.target)
    if exc is not None:
        raise _failure(spec, f"cannot import {spec.target}", exc)
    if not inspect.isclass(cls) or not callable(getattr(cls, "get_fleet", None)):
        raise _failure(
            spec,
            f"{spec.target} is not a boat class (a subclass of chaos.lib.boats.base.Boat)",
        )
    boat, exc = attempt(cls, config=spec.config)
    _flush_output()
    if exc is not None:
        raise _failure(spec, "could not be created with its config", exc)
    return boat


def _as_state(document: dict[str, Any]) -> Any:
    """What ``get_fleet`` is given: an OmegaConf DictConfig as in the original tool (attribute
    access works), or the plain dict where OmegaConf cannot hold it."""
    try:
        from omegaconf import OmegaConf

        return OmegaConf.create(document)
    except Exception:  # noqa: BLE001 - any failure: the SDK's Boat accepts plain dicts too
        return document


def _plain(value: Any) -> Any:
    if type(value).__module__.startswith("omegaconf"):
        from omegaconf import OmegaConf

        return OmegaConf.to_container(value, resolve=True)
    return value


def _check_name(spec: BoatSpec | None, name: Any, index: int) -> str:
    who = spec.label() if spec else CHOBOLO
    if not isinstance(name, str) or not name:
        raise HostError(
            "boat", f"{who}: host #{index + 1} has no name (got {name!r:.80})", **_where(spec)
        )
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise HostError(
            "boat", f"{who}: host #{index + 1}'s name is not valid UTF-8", **_where(spec)
        ) from None
    shown = json.dumps(name[:80])
    if size > MAX_NAME_BYTES:
        raise HostError(
            "boat",
            f"{who}: host name {shown}... is longer than {MAX_NAME_BYTES} bytes",
            **_where(spec),
        )
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c == " " for c in name):
        raise HostError(
            "boat", f"{who}: host name {shown} has a space or control character", **_where(spec)
        )
    if name.startswith("-"):
        raise HostError("boat", f"{who}: host name {shown} starts with '-'", **_where(spec))
    if name.startswith("@") and (len(name) == 1 or name[1] == "/"):
        raise HostError("boat", f"{who}: host name {shown} names no connector", **_where(spec))
    return name


def _where(spec: BoatSpec | None) -> dict[str, Any]:
    return spec.where() if spec else {}


def _groups(spec: BoatSpec | None, name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(g, str) and g for g in value):
        who = spec.label() if spec else CHOBOLO
        raise HostError(
            "boat", f"{who}: the groups of host {name!r} must be a list of names", **_where(spec)
        )
    return list(value)


def _entry(spec: BoatSpec | None, raw: Any, index: int) -> Entry:
    """One host entry: ``name`` or ``{name: {data}}``, checked."""
    if isinstance(raw, str):
        name, data = raw, None
    elif isinstance(raw, Mapping) and len(raw) == 1:
        name, data = next(iter(raw.items()))
    else:
        who = spec.label() if spec else CHOBOLO
        raise HostError(
            "boat",
            f"{who}: host #{index + 1} is a {type(raw).__name__}, not a name or one"
            " {name: {data}} mapping",
            **_where(spec),
        )
    name = _check_name(spec, name, index)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        who = spec.label() if spec else CHOBOLO
        raise HostError(
            "boat",
            f"{who}: the data of host {name!r} is a {type(data).__name__}, not a mapping of"
            " connector settings",
            **_where(spec),
        )
    plain = jsonable(data)
    groups = _groups(spec, name, plain.pop("groups")) if "groups" in plain else []
    return Entry(name, plain, groups, FROM_CHOBOLO if spec is None else spec.index)


def _hosts_of(spec: BoatSpec | None, document: Any) -> list[Entry]:
    """The ``fleet.hosts`` of a Ch-obolo (the input's, or a boat's result), as entries."""
    who = spec.label() if spec else CHOBOLO
    if not isinstance(document, Mapping):
        raise HostError(
            "boat",
            f"{who}: get_fleet() returned a {type(document).__name__}, not the Ch-obolo (a"
            " mapping with a fleet block)",
            **_where(spec),
        )
    fleet = document.get("fleet")
    if fleet is None:
        fleet = {}
    if not isinstance(fleet, Mapping):
        raise HostError(
            "boat", f"{who}: `fleet` is a {type(fleet).__name__}, not a mapping", **_where(spec)
        )
    hosts = fleet.get("hosts")
    if hosts is None:
        return []
    if isinstance(hosts, (Mapping, list)) and len(hosts) > MAX_HOSTS:
        raise HostError(
            "boat",
            f"{who}: {len(hosts):,} hosts, more than chaos takes ({MAX_HOSTS:,})",
            **_where(spec),
        )
    if isinstance(hosts, Mapping):
        raw = [{name: data} for name, data in hosts.items()]
    elif isinstance(hosts, list):
        raw = hosts
    else:
        raise HostError(
            "boat",
            f"{who}: `fleet.hosts` is a {type(hosts).__name__}, not a list or mapping of hosts",
            **_where(spec),
        )
    return [_entry(spec, item, i) for i, item in enumerate(raw)]


def _merge(
    spec: BoatSpec, specs: list[BoatSpec], before: list[Entry], after: list[Entry]
) -> list[Entry]:
    """The hosts after this boat: everything it was given, unchanged, then what it added."""
    given = {e.name: e for e in before}
    seen: dict[str, Entry] = {}
    for entry in after:
        if entry.name in seen:
            first = seen[entry.name]
            from_where = CHOBOLO if first.source == FROM_CHOBOLO else specs[first.source].label()
            raise _failure(
                spec,
                f"added host {entry.name!r}, which the fleet already has (from {from_where});"
                " a host may be listed once",
                host=entry.name,
            )
        old = given.get(entry.name)
        if old is not None:
            if (old.data, old.groups) != (entry.data, entry.groups):
                raise _failure(
                    spec, f"changed host {entry.name!r} it was given; a boat may only add hosts"
                )
            entry = old
        seen[entry.name] = entry
    dropped = [e.name for e in before if e.name not in seen]
    if dropped:
        raise _failure(
            spec,
            f"dropped host{'s' if len(dropped) > 1 else ''} {', '.join(map(repr, dropped[:5]))}"
            " it was given; a boat may only add hosts",
        )
    return list(seen.values())


def _sail(
    spec: BoatSpec, specs: list[BoatSpec], document: Any, before: list[Entry]
) -> tuple[Any, list[Entry]]:
    """Run one boat on the Ch-obolo as the previous boat left it."""
    boat = _load(spec)
    result, exc = attempt(boat.get_fleet, _as_state(document))
    _flush_output()
    if exc is not None:
        raise _failure(spec, "get_fleet() failed", exc)
    result, exc = attempt(_plain, result)
    if exc is not None:
        raise _failure(spec, "get_fleet() returned a Ch-obolo that cannot be read", exc)
    return result, _merge(spec, specs, before, _hosts_of(spec, result))


def _chobolo(path: str | None) -> dict[str, Any]:
    if path is None:
        return {}
    from chaos.host.chobolo import load_chobolo

    return load_chobolo(path)


def boats_request(params: dict[str, Any]) -> dict[str, Any]:
    specs = _specs(params)
    path = params.get("chobolo_path")
    if path is not None and (not isinstance(path, str) or not path):
        raise HostError("bad_params", "'chobolo_path' must be a path or null")
    for spec in specs:
        _resolve(spec)
    document: Any = _chobolo(path)
    hosts = _hosts_of(None, document)
    for spec in specs:
        document, hosts = _sail(spec, specs, document, hosts)
    added = [e for e in hosts if e.source != FROM_CHOBOLO]
    out = [
        {
            "name": e.name,
            "data": e.data,
            "groups": e.groups,
            "boat": specs[e.source].provider,
            "boat_index": e.source,
        }
        for e in added
    ]
    for entry in added:
        if len(json.dumps(entry.data)) > MAX_HOST_DATA_BYTES:
            raise _failure(
                specs[entry.source], f"the data of host {entry.name!r} is larger than 64 KiB"
            )
    if len(json.dumps(out)) > MAX_TOTAL_BYTES:
        raise HostError("boat", "the boats' hosts are more than 16 MiB of data together")
    return {
        "hosts": out,
        "boats": [
            {
                "provider": s.provider,
                "plugin": s.plugin,
                "entry_point": s.target,
                "added": sum(1 for e in added if e.source == s.index),
            }
            for s in specs
        ],
    }
