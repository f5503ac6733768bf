"""A Limani that appends one JSON line per call to a file, for tools that tail it.

The file is ``werehouse`` from config.yml (the original tool's spelling), or
``$XDG_STATE_HOME/chaos/jsonl-limani.jsonl``. Each line is ``{"call": METHOD, ...arguments}``;
the read methods read the file back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from chaos.lib.limani.limani import Limani


def _default_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "chaos" / "jsonl-limani.jsonl"


class JsonLinesLimani(Limani):
    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.path = Path(self.werehouse) if self.werehouse else _default_path()
        self.file: Any = None
        self.hosts: dict[tuple[str, str], int] = {}

    def _write(self, call: str, **fields: Any) -> None:
        self.file.write(json.dumps({"call": call, **fields}, default=str) + "\n")
        self.file.flush()

    def connect(self) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # 0600: the events hold diffs of the files chaos manages.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        self.file = os.fdopen(fd, "a", encoding="utf-8")
        return self.file

    def disconnect(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def init_db(self) -> None:
        """Nothing to create: the file is the store."""

    def create_run(self, run_id, run_id_human, start_time, hailer_info, needed_secrets) -> str:
        self._write(
            "create_run",
            run_id=run_id,
            run_id_human=run_id_human,
            start_time=start_time,
            hailer=hailer_info,
            secrets_required=needed_secrets,
        )
        return run_id

    def start_update_run(self, run_id, status) -> None:
        self._write("start_update_run", run_id=run_id, status=status)

    def end_run_update(self, run_id, end_time, status, summary) -> None:
        self._write(
            "end_run_update", run_id=run_id, end_time=end_time, status=status, summary=summary
        )

    def get_or_create_host(self, run_id, host_name) -> int:
        key = (run_id, host_name)
        if key not in self.hosts:
            self.hosts[key] = len(self.hosts) + 1
            self._write("host", run_id=run_id, host=host_name, host_id=self.hosts[key])
        return self.hosts[key]

    def insert_operation(
        self,
        run_id,
        host_id,
        op_hash,
        name,
        changed,
        success,
        duration,
        timestamp,
        logs,
        diff,
        arguments,
        retry_stats,
        command_n_facts,
    ) -> None:
        self._write(
            "insert_operation",
            run_id=run_id,
            host_id=host_id,
            op_hash=op_hash,
            name=name,
            changed=changed,
            success=success,
            duration=duration,
            timestamp=timestamp,
            logs=logs,
            diff=diff,
            arguments=arguments,
            retry_stats=retry_stats,
        )

    def insert_snapshot(self, run_id, host_id, stage, timestamp, metrics) -> None:
        self._write(
            "insert_snapshot",
            run_id=run_id,
            host_id=host_id,
            stage=stage,
            timestamp=timestamp,
            metrics=metrics,
        )

    def insert_fact_log(self, run_id, timestamp, log_level, context, command) -> None:
        self._write(
            "insert_fact_log",
            run_id=run_id,
            timestamp=timestamp,
            log_level=log_level,
            context=context,
            command=command,
        )

    def _lines(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [
            json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line
        ]

    def get_run_data(self, run_id) -> dict[str, Any]:
        lines = [entry for entry in self._lines() if entry.get("run_id") == run_id]
        return {"run": next((e for e in lines if e["call"] == "create_run"), {}), "lines": lines}

    def get_facts_for_timespan(self, run_id, start, end) -> list[Any]:
        return [
            e for e in self._lines() if e.get("run_id") == run_id and e["call"] == "insert_fact_log"
        ]

    def get_run_summary_stats(self, run_id) -> dict[str, Any]:
        ops = [
            e
            for e in self._lines()
            if e.get("run_id") == run_id and e["call"] == "insert_operation"
        ]
        return {"operations": len(ops), "changed": sum(1 for e in ops if e["changed"])}
