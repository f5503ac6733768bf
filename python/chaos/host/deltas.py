"""What a class role's ``delta()`` returned, read without trusting its type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chaos.host.errors import attempt
from chaos.host.wire import jsonable


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


def delta_parts(delta: Any) -> tuple[dict, dict, dict] | None:
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


def is_empty(to_add: dict[str, Any], to_remove: dict[str, Any]) -> bool:
    """The SDK's rule (``Delta.is_empty``): no category has a truthy value."""
    # Truthiness is the plugin's own code (__bool__); if it fails, assume there are changes.
    empty, exc = attempt(lambda: not any(to_add.values()) and not any(to_remove.values()))
    return bool(empty) if exc is None else False
