"""One record per staged operation on one host: which role staged it, what pyinfra logged about
it, when it started and ended, and its final report. The session and the log tap share one table,
so nothing about an operation is kept in a second place."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Output lines kept for a failed operation.
OUTPUT_TAIL_LINES = 20
# pyinfra log lines kept per failed operation.
MESSAGE_TAIL_LINES = 10


@dataclass
class OpNotes:
    """What pyinfra logged about one operation on one host."""

    names: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    noop: str | None = None
    exit_code: int | None = None
    messages: list[str] = field(default_factory=list)


@dataclass
class OpRecord:
    host: str
    op_hash: str
    role: str | None = None  # the role whose plan staged it
    notes: OpNotes = field(default_factory=OpNotes)
    started: float | None = None  # time.monotonic() at pyinfra's start callback
    ended: float | None = None  # ... and at its end callback
    done: dict[str, Any] | None = None  # the op_done report, once there is one


class OpTable:
    """Operation records by (host name, operation hash), created on first mention."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], OpRecord] = {}

    def __call__(self, host: str, op_hash: str) -> OpRecord:
        key = (host, op_hash)
        record = self._records.get(key)
        if record is None:
            record = self._records[key] = OpRecord(host, op_hash)
        return record

    def find(self, host: str, op_hash: str) -> OpRecord | None:
        return self._records.get((host, op_hash))

    def __iter__(self) -> Iterator[OpRecord]:
        return iter(list(self._records.values()))
