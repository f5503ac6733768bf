"""Parameters of the ``apply.*`` requests: checked once, here, with the message the core shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chaos.host.errors import HostError
from chaos.host.loading import valid_target


def get_param(params: Mapping[str, Any], name: str, kinds: tuple[type, ...], default: Any) -> Any:
    value = params.get(name)
    if value is None:  # absent and null both mean "the default"
        return default
    # bool is an int subclass: reject it where a count is expected.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        wanted = "/".join(k.__name__ for k in kinds)
        raise HostError("bad_params", f"'{name}' must be {wanted}, got {type(value).__name__}")
    return value


def roles_param(params: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    roles = get_param(params, "roles", (list,), [])
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


def hosts_param(params: Mapping[str, Any]) -> list[str | tuple[str, dict[str, Any]]]:
    hosts = get_param(params, "hosts", (list,), ["@local"])
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


def max_fail_param(params: Mapping[str, Any]) -> tuple[str, float] | None:
    """``max_fail``: ``{"hosts": N}`` (N >= 0) or ``{"percent": P}`` (0 <= P < 100), or absent."""
    value = get_param(params, "max_fail", (dict,), None)
    if value is None:
        return None
    if len(value) == 1 and "hosts" in value:
        count = value["hosts"]
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            return ("hosts", float(count))
    elif len(value) == 1 and "percent" in value:
        percent = value["percent"]
        if (
            isinstance(percent, (int, float))
            and not isinstance(percent, bool)
            and 0 <= percent < 100
        ):
            return ("percent", float(percent))
    raise HostError("bad_params", "'max_fail' must be {hosts: N >= 0} or {percent: 0 <= P < 100}")
