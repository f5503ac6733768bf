"""Base class of Limanis: where ``chaos apply --logbook`` stores runs, operations and facts.

A ``chaos.limanis`` entry point names a ``Limani`` subclass; it is instantiated with the global
configuration dict. The attribute ``werehouse`` (sic, the original spelling that plugins use) is
the storage location taken from that configuration.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

__all__ = ["Limani"]


class Limani(ABC):
    """A logbook store. Methods mirror the logbook's life cycle: init, run, hosts, records."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        if not isinstance(config, Mapping):
            raise TypeError(f"Limani config must be a mapping, got {type(config).__name__}")
        self.config = config
        self.werehouse = config.get("werehouse", "")

    @abstractmethod
    def connect(self) -> Any:
        """Open the store and return its connection object."""

    @abstractmethod
    def disconnect(self) -> None:
        """Close the store."""

    @abstractmethod
    def init_db(self) -> None:
        """Create the storage layout; must be idempotent."""

    @abstractmethod
    def create_run(
        self,
        run_id: str,
        run_id_human: str,
        start_time: Any,
        hailer_info: Any,
        needed_secrets: Any,
    ) -> str:
        """Record a new run and return its id."""

    @abstractmethod
    def start_update_run(self, run_id: str, status: str) -> None:
        """Set the status of a run in progress."""

    @abstractmethod
    def end_run_update(self, run_id: str, end_time: Any, status: str, summary: Any) -> None:
        """Close a run with its final status and summary."""

    @abstractmethod
    def get_or_create_host(self, run_id: str, host_name: str) -> int:
        """Return the id of ``host_name`` within the run, creating it if needed."""

    @abstractmethod
    def insert_operation(
        self,
        run_id: str,
        host_id: int,
        op_hash: str,
        name: str,
        changed: bool,
        success: bool,
        duration: float,
        timestamp: Any,
        logs: Any,
        diff: Any,
        arguments: Any,
        retry_stats: Any,
        command_n_facts: Any,
    ) -> None:
        """Record one executed operation on one host."""

    @abstractmethod
    def insert_snapshot(
        self, run_id: str, host_id: int, stage: str, timestamp: Any, metrics: Any
    ) -> None:
        """Record host health metrics taken at ``stage`` (before/after operations)."""

    @abstractmethod
    def insert_fact_log(
        self, run_id: str, timestamp: Any, log_level: str, context: Any, command: Any
    ) -> None:
        """Record a fact-gathering log line."""

    @abstractmethod
    def get_run_data(self, run_id: str) -> dict[str, Any]:
        """Return ``{run, hosts: [{name, operations: [...]}], snapshots, fact_logs}``."""

    @abstractmethod
    def get_facts_for_timespan(self, run_id: str, start: Any, end: Any) -> list[Any]:
        """Return the fact logs of a run between ``start`` and ``end``."""

    @abstractmethod
    def get_run_summary_stats(self, run_id: str) -> dict[str, Any]:
        """Return aggregate counts for a run."""
