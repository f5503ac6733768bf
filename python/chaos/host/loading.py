"""Resolving entry-point targets (``module:attr``) and telling the two role contracts apart.

A role entry point names either a *class role* (the ``get_context -> delta -> plan`` lifecycle of
``chaos.lib.roles.role.Role``) or a *legacy role* (a plain callable
``fn(state, host, chobolo_path, skip_confirm[, secrets_text])``). Kinds are told apart by duck
typing so that a plugin built against another copy of the SDK still works: a class that is a
``Role`` subclass or defines ``plan`` is a class role; any other callable is a legacy role.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from typing import Any

from chaos.host.errors import attempt, error_from_exception

CLASS = "class"
LEGACY = "legacy"


def load_target(target: str) -> Any:
    """Import ``module`` and follow the dotted ``attr`` path of ``module:attr``."""
    module_name, _, attr_path = target.partition(":")
    module_name = module_name.strip()
    obj: Any = importlib.import_module(module_name)
    for part in filter(None, (p.strip() for p in attr_path.split("."))):
        obj = getattr(obj, part)
    return obj


def valid_target(target: Any) -> bool:
    if not isinstance(target, str):
        return False
    module_name, sep, attr_path = target.partition(":")
    return bool(module_name.strip()) and (not sep or bool(attr_path.strip()))


def _sdk_role_base() -> type | None:
    try:
        from chaos.lib.roles.role import Role
    except ImportError:
        return None
    return Role


def role_kind(obj: Any) -> str | None:
    """``"class"``, ``"legacy"`` or None when ``obj`` cannot be a role."""
    if inspect.isclass(obj):
        base = _sdk_role_base()
        if (base is not None and issubclass(obj, base)) or callable(getattr(obj, "plan", None)):
            return CLASS
        return LEGACY
    if callable(obj):
        return LEGACY
    return None


def legacy_accepts_secrets(fn: Any) -> bool:
    """True when ``fn`` can take the fifth positional argument (the decrypted secrets text)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = 0
    for p in params:
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            return True
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 5


@dataclass
class LoadedRole:
    tag: str
    target: str
    plugin: str | None
    kind: str
    obj: Any  # the Role instance for class roles, the callable for legacy roles
    name: str | None
    needs_secrets: bool | None
    necessary_secret_dict_keys: list[str] = field(default_factory=list)
    necessary_chobolo_keys: list[str] = field(default_factory=list)
    accepts_secrets: bool | None = None

    def describe(self) -> dict[str, Any]:
        """Role metadata as sent to the core (manifest and apply.prepare)."""
        data: dict[str, Any] = {
            "tag": self.tag,
            "entry_point": self.target,
            "kind": self.kind,
            "name": self.name,
            "needs_secrets": self.needs_secrets,
            "necessary_secret_dict_keys": self.necessary_secret_dict_keys,
            "necessary_chobolo_keys": self.necessary_chobolo_keys,
        }
        if self.plugin is not None:
            data["plugin"] = self.plugin
        if self.kind == LEGACY:
            data["accepts_secrets"] = self.accepts_secrets
        return data


def _str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return [str(v) for v in value]
    except TypeError:
        return [str(value)]


def load_role(tag: str, target: str, plugin: str | None) -> LoadedRole | dict[str, Any]:
    """Import and (for class roles) instantiate one role; an error dict when that fails."""
    ctx = {"role": tag, "entry_point": target, "plugin": plugin}
    obj, exc = attempt(load_target, target)
    if exc is not None:
        return error_from_exception("plugin_import", exc, **ctx)

    kind = role_kind(obj)
    if kind is None:
        return {
            "kind": "bad_role",
            "message": (
                f"entry point '{target}' names a {type(obj).__name__}, not a Role class or a "
                "role function"
            ),
            **{k: v for k, v in ctx.items() if v is not None},
        }
    if kind == LEGACY:
        return LoadedRole(
            tag=tag,
            target=target,
            plugin=plugin,
            kind=LEGACY,
            obj=obj,
            name=None,
            needs_secrets=None,
            accepts_secrets=legacy_accepts_secrets(obj),
        )
    instance, exc = attempt(obj)
    if exc is not None:
        return error_from_exception("role_init", exc, **ctx)
    name = getattr(instance, "name", None)
    return LoadedRole(
        tag=tag,
        target=target,
        plugin=plugin,
        kind=CLASS,
        obj=instance,
        name=str(name) if name is not None else tag,
        needs_secrets=bool(getattr(instance, "needs_secrets", False)),
        necessary_secret_dict_keys=_str_list(getattr(instance, "necessary_secret_dict_keys", [])),
        necessary_chobolo_keys=_str_list(getattr(instance, "necessary_chobolo_keys", [])),
    )
