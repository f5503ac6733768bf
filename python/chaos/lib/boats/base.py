"""Base class of boats: plugins that discover fleet hosts at run time.

A ``chaos.boats`` entry point names a ``Boat`` subclass. The Ch-obolo selects boats with
``fleet.boats: [{provider: <entry-point name>, config: {...}}]`` (set the class's ``name`` to the
same string); the role host instantiates the class with that ``config`` block and calls
``get_fleet(chobolo)`` to obtain the Ch-obolo with the boat's hosts appended to ``fleet.hosts``
(docs/fleet.md "Boats", docs/protocol.md ``boats``).

Differences from the original SDK, on purpose: ``name`` is a class attribute checked when the
subclass is defined (the original declared an abstract property but read it on the class), and
everything works on plain dicts (OmegaConf objects are accepted and converted).
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = ["Boat"]


def _to_plain(value: Any) -> Any:
    """Convert OmegaConf containers and other mappings/sequences to plain dicts and lists."""
    if type(value).__module__.startswith("omegaconf"):
        # Imported lazily: boats must work where OmegaConf is not installed.
        from omegaconf import OmegaConf

        return OmegaConf.to_container(value, resolve=True)
    if isinstance(value, Mapping):
        return {key: _to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_plain(item) for item in value]
    return value


def _is_abstract(cls: type) -> bool:
    """Whether ``cls`` still has abstract methods.

    ``inspect.isabstract`` cannot be used from ``__init_subclass__``: ABCMeta computes
    ``__abstractmethods__`` only after the class body has been processed.
    """
    for attr in dir(cls):
        if getattr(getattr(cls, attr, None), "__isabstractmethod__", False):
            return True
    return False


def _hosts_as_list(hosts: Any) -> list[Any]:
    """Normalise ``fleet.hosts`` to the list form ``[entry, ...]``.

    The mapping form ``{name: data}`` becomes ``[{name: data}, ...]`` (one single-key dict per
    host), which is how list entries with per-host data are written.
    """
    if hosts is None:
        return []
    if isinstance(hosts, Mapping):
        return [{name: data} for name, data in hosts.items()]
    if isinstance(hosts, list):
        return list(hosts)
    raise ValueError(f"fleet.hosts must be a list or a mapping, got {type(hosts).__name__}")


class Boat(ABC):
    """A source of fleet hosts (cloud API, CMDB, ...).

    Subclasses set the class attribute ``name`` (the ``provider`` value Ch-obolos use to pick
    this boat) and implement the three abstract methods.
    """

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if _is_abstract(cls):
            return  # intermediate base classes may leave the name to their subclasses
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name.strip():
            raise TypeError(
                f"Boat subclass {cls.__qualname__} must set the class attribute `name` to a"
                f" non-empty string (the fleet.boats[].provider value that selects it);"
                f" got {name!r}"
            )

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        """Keep the boat's own ``config`` block from the Ch-obolo, as a plain dict."""
        if config is None:
            config = {}
        if not isinstance(config, Mapping):
            raise TypeError(
                f"Boat {self.name!r} config must be a mapping, got {type(config).__name__}"
            )
        self.config: dict[str, Any] = _to_plain(config)

    @abstractmethod
    def check_connection(self) -> bool:
        """Return True when the boat's backend is reachable (credentials valid, API up)."""

    @abstractmethod
    def get_fleet_config(self) -> dict[str, Any]:
        """Return the settings ``handle_boat_logic`` needs (usually derived from ``config``)."""

    @abstractmethod
    def handle_boat_logic(self, fleet_config: dict[str, Any]) -> list[Any] | dict[str, Any]:
        """Return the discovered hosts: a list of host entries, or a single entry as a dict.

        An entry is a host name string or ``{name: {host data}}``.
        """

    def get_fleet(self, chobolo: Mapping[str, Any]) -> dict[str, Any]:
        """Return a copy of ``chobolo`` whose ``fleet.hosts`` also lists this boat's hosts.

        The input is never modified. Existing hosts come first (the mapping form is normalised
        to a list of single-key dicts), then the boat's hosts in the order it returned them.

        Raises:
            ConnectionError: ``check_connection()`` returned false.
            ValueError: ``handle_boat_logic`` returned something other than a list or dict, or
                the Ch-obolo's ``fleet``/``fleet.hosts`` has an unusable shape.
        """
        if not self.check_connection():
            raise ConnectionError(f"Boat provider '{self.name}' failed to establish a connection.")

        found = self.handle_boat_logic(self.get_fleet_config())
        if isinstance(found, Mapping):
            new_hosts = [found]
        elif isinstance(found, list):
            new_hosts = found
        else:
            # ValueError (not TypeError) is what callers of the original API catch.
            raise ValueError(  # noqa: TRY004
                f"Boat provider '{self.name}' returned {type(found).__name__} from"
                " handle_boat_logic; expected a list of hosts or a dict"
            )

        result = copy.deepcopy(_to_plain(chobolo)) if chobolo is not None else {}
        fleet = result.get("fleet")
        if fleet is None:
            fleet = result["fleet"] = {}
        elif not isinstance(fleet, dict):
            raise ValueError(f"fleet must be a mapping, got {type(fleet).__name__}")
        fleet["hosts"] = _hosts_as_list(fleet.get("hosts")) + copy.deepcopy(_to_plain(new_hosts))
        return result

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, config={self.config!r})"
