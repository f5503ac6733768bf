"""Base class of Isles: Pulumi components that provision machines (the Pelago feature).

An Isle is a ``pulumi.ComponentResource``, so this module needs the ``pulumi`` package; without
it, importing the module raises ImportError saying so (plugins that ship Isles declare pulumi as
a dependency). ``chaos.lib.isles`` is a namespace package, as in the original SDK.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

try:
    import pulumi
except ImportError as exc:  # pragma: no cover - exercised through a test that hides pulumi
    raise ImportError(
        "chaos.lib.isles.isle needs the `pulumi` package: Isles are Pulumi components."
        " Install it into the plugin environment (pip install pulumi).",
        name="pulumi",
    ) from exc

__all__ = ["Isle"]


class Isle(pulumi.ComponentResource, ABC):
    """A provisioning unit registered as the Pulumi component ``pelago:isle:<ClassName>``.

    Class attributes:
        isle_name: the name Ch-obolos use for this isle.
        secrets_needed: Pulumi config keys (e.g. ``proxmoxve:apiToken``) the isle requires.
    """

    isle_name: ClassVar[str] = ""
    # A tuple so that no subclass can mutate a list shared with every other Isle.
    secrets_needed: ClassVar[tuple[str, ...] | list[str]] = ()

    def __init__(
        self,
        name: str,
        config: dict[str, Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"pelago:isle:{type(self).__name__}", name, None, opts)
        self.build_resources(config if config is not None else {})
        self.register_outputs({"isle_name": name})

    @abstractmethod
    def build_resources(self, config: dict[str, Any]) -> None:
        """Create the isle's child resources (pass ``opts=pulumi.ResourceOptions(parent=self)``)."""
