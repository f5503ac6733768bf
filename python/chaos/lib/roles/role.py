"""Base class of lifecycle roles: ``get_context`` -> ``delta`` -> ``plan``.

The ``chaos.roles`` entry point of a lifecycle role names a ``Role`` subclass. The host
instantiates it with no arguments, then for every host:

1. ``get_context(state, host, chobolo, secrets)`` gathers what the role needs to know (facts);
2. ``delta(context)`` says what would change; an empty delta means "already in the desired
   state" and ``plan`` is not called;
3. ``plan(state, host, delta)`` stages pyinfra operations for exactly that host.

The host owns confirmation, so roles must not prompt. Legacy function roles
(``fn(state, host, chobolo_path, skip_confirm)``) do not use this class at all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from chaos.lib.args.dataclasses import Delta, ResultPayload

__all__ = ["Role"]


class Role(ABC):
    """A declarative role: computes a delta from facts and stages operations for it.

    Attributes (set from the constructor keywords):
        name: human name of the role; restrictions (allow/block lists) match on it.
        needs_secrets: the role cannot run without decrypted secrets.
        necessary_chobolo_keys: top-level Ch-obolo keys the role reads (documentation and
            validation aid).
        necessary_secret_dict_keys: dot-paths into the secrets file the role receives;
            ``"."`` means the whole file.
    """

    def __init__(
        self,
        name: str,
        needs_secrets: bool = False,
        necessary_chobolo_keys: list[str] | None = None,
        necessary_secret_dict_keys: list[str] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Role name must be a non-empty string, got {name!r}")
        self.name = name
        self.needs_secrets = bool(needs_secrets)
        # Fresh lists per instance: a shared default list would leak keys between roles.
        self.necessary_chobolo_keys: list[str] = list(necessary_chobolo_keys or [])
        self.necessary_secret_dict_keys: list[str] = list(necessary_secret_dict_keys or [])

    def get_context(
        self,
        state: Any,
        host: Any,
        chobolo: dict[str, Any] | None = None,
        secrets: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Gather what ``delta`` needs (typically via ``host.get_fact``).

        ``chobolo`` is the whole Ch-obolo as a plain dict; ``secrets`` holds the subset named by
        ``necessary_secret_dict_keys``. The default gathers nothing.
        """
        return {}

    def delta(self, context: dict[str, Any] | None = None) -> Delta:
        """Compute what would change from the context.

        The default reports a change (``force_run``) so that a role which only implements
        ``plan`` still gets planned; existing plugins depend on that.
        """
        return Delta(to_add={"force_run": "this"})

    @abstractmethod
    def plan(self, state: Any, host: Any, delta: Delta = Delta()) -> ResultPayload:  # noqa: B008
        """Stage the pyinfra operations that realise ``delta`` on ``host``.

        Pass ``host=host`` to ``pyinfra.api.operation.add_op``: without it pyinfra adds the
        operation to every active host, which is wrong when several hosts are planned.
        Raise to signal failure.
        """

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, needs_secrets={self.needs_secrets!r}, "
            f"necessary_chobolo_keys={self.necessary_chobolo_keys!r}, "
            f"necessary_secret_dict_keys={self.necessary_secret_dict_keys!r})"
        )
