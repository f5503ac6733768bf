"""The ``manifest`` method: plugin metadata that only Python can produce.

The core caches the result keyed by its discovery fingerprint, so ``explain``, ``check``,
``init chobolo``, ``--help`` and completion start no Python process. Every entry is handled on
its own: a broken plugin shows up as an error on its entries and never hides the others.
"""

from __future__ import annotations

from typing import Any

from chaos.host.errors import HostError, attempt, error_from_exception
from chaos.host.loading import LoadedRole, load_role, load_target, valid_target
from chaos.host.wire import jsonable

COMPLEXITIES = ("basic", "intermediate", "advanced")
EXPLAIN_PREFIX = "explain_"


def _entries(params: dict[str, Any], group: str) -> list[tuple[str, str, str | None]]:
    """``(name, target, plugin)`` for a group given as ``{name: "mod:attr"}`` or
    ``{name: {"target": "mod:attr", "plugin": "dist"}}``."""
    raw = params.get(group, {})
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise HostError("bad_params", f"'{group}' must be an object of name -> entry point")
    entries = []
    for name, spec in raw.items():
        plugin = None
        if isinstance(spec, dict):
            plugin = spec.get("plugin")
            spec = spec.get("target")
        if not valid_target(spec) or (plugin is not None and not isinstance(plugin, str)):
            raise HostError(
                "bad_params", f"'{group}.{name}' must be 'module:attr' or {{target, plugin}}"
            )
        entries.append((name, spec, plugin))
    return entries


def _ctx(target: str, plugin: str | None) -> dict[str, Any]:
    ctx: dict[str, Any] = {"entry_point": target}
    if plugin is not None:
        ctx["plugin"] = plugin
    return ctx


def explain_entry(topic: str, target: str, plugin: str | None) -> dict[str, Any]:
    ctx = _ctx(target, plugin)
    cls, exc = attempt(load_target, target)
    if exc is not None:
        return {
            "ok": False,
            "error": error_from_exception("plugin_import", exc, topic=topic, **ctx),
        }
    instance, exc = attempt(cls)
    if exc is not None:
        return {"ok": False, "error": error_from_exception("explain_init", exc, topic=topic, **ctx)}

    methods = sorted(
        name
        for name in dir(instance)
        if name.startswith(EXPLAIN_PREFIX) and callable(getattr(instance, name, None))
    )
    own = EXPLAIN_PREFIX + topic.replace("-", "_")
    order = getattr(instance, "_order", None)
    explanations: dict[str, dict[str, Any]] = {}
    errors: list[dict[str, Any]] = []
    for method_name in methods:
        sub = method_name[len(EXPLAIN_PREFIX) :]
        per_level: dict[str, Any] = {}
        for level in COMPLEXITIES:
            where = {"topic": topic, "method": method_name, "complexity": level, **ctx}
            value, exc = attempt(getattr(instance, method_name), level)
            if exc is not None:
                errors.append(error_from_exception("explain_method", exc, **where))
                continue
            if not isinstance(value, dict):
                errors.append(
                    {
                        "kind": "explain_value",
                        "message": f"{method_name}() returned a {type(value).__name__}, not a dict",
                        **where,
                    }
                )
                continue
            per_level[level] = jsonable(value)
        explanations[sub] = per_level
    return {
        "ok": True,
        **ctx,
        "order": [str(x) for x in order] if isinstance(order, (list, tuple)) else None,
        "main": own[len(EXPLAIN_PREFIX) :] if own in methods else None,
        "subtopics": [m[len(EXPLAIN_PREFIX) :] for m in methods if m != own],
        "explanations": explanations,
        "errors": errors,
    }


def keys_entry(name: str, target: str, plugin: str | None) -> dict[str, Any]:
    ctx = _ctx(target, plugin)
    value, exc = attempt(load_target, target)
    if exc is not None:
        return {"ok": False, "error": error_from_exception("plugin_import", exc, key=name, **ctx)}
    if not isinstance(value, list):
        return {
            "ok": False,
            "error": {
                "kind": "not_a_list",
                "message": f"'{target}' is a {type(value).__name__}, not a list",
                "key": name,
                **ctx,
            },
        }
    return {"ok": True, **ctx, "value": jsonable(value)}


def role_entry(tag: str, target: str, plugin: str | None) -> dict[str, Any]:
    loaded = load_role(tag, target, plugin)
    if isinstance(loaded, LoadedRole):
        return {"ok": True, **loaded.describe()}
    return {"ok": False, "error": loaded}


def manifest(params: dict[str, Any]) -> dict[str, Any]:
    groups = {
        "explain": (_entries(params, "explain"), explain_entry),
        "keys": (_entries(params, "keys"), keys_entry),
        "roles": (_entries(params, "roles"), role_entry),
    }
    return {
        group: {name: build(name, target, plugin) for name, target, plugin in entries}
        for group, (entries, build) in groups.items()
    }
