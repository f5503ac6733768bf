"""Health snapshots for the logbook: load average and memory of each host, before and after
the operations (``apply.execute`` with ``health: true``; docs/records.md).

One command per host and stage, read as a pyinfra ``Command`` fact so that it goes over the
host's own connector (local, SSH, docker...), the hosts in parallel. The stage is part of the
command: pyinfra caches facts by command, and the second snapshot must not be the first one
again. A host that cannot answer has no snapshot; that never fails the run.
"""

from __future__ import annotations

import time
from typing import Any

from chaos.host import pyinfra_adapter as pa

# Always exits 0: a host without /proc (BSD, macOS, a bare container) has no snapshot, not a
# failed fact and a warning on every run.
_COMMAND = ": chaos-health-{stage}; cat /proc/loadavg 2>/dev/null; echo ---; cat /proc/meminfo 2>/dev/null; true"


def parse_metrics(text: str) -> dict[str, float] | None:
    """The original's metrics from ``/proc/loadavg`` and ``/proc/meminfo``; None if unreadable."""
    load, sep, meminfo = text.partition("---")
    if not sep:
        return None
    try:
        parts = load.split()
        one, five = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        return None
    kib: dict[str, int] = {}
    for line in meminfo.splitlines():
        name, _, rest = line.partition(":")
        fields = rest.split()
        if fields and fields[0].isdigit():
            kib[name.strip()] = int(fields[0])
    total = kib.get("MemTotal")
    if not total:
        return None
    available = kib.get("MemAvailable")
    if available is None:
        available = kib.get("MemFree", 0) + kib.get("Buffers", 0) + kib.get("Cached", 0)
    used = max(0, total - available)
    gib = 1024 * 1024
    return {
        "cpu_load_1min": one,
        "cpu_load_5min": five,
        "ram_percent": round(100.0 * used / total, 2),
        "ram_used_gb": round(used / gib, 3),
        "ram_total_gb": round(total / gib, 3),
    }


def snapshot(state: Any, stage: str) -> list[dict[str, Any]]:
    """One snapshot per active host that answered, in inventory order."""
    from pyinfra.facts.server import Command

    command = _COMMAND.format(stage=stage)

    def one(host: Any) -> dict[str, Any] | None:
        try:
            output = host.get_fact(Command, command=command)
        except Exception:  # noqa: BLE001 - a host that cannot answer has no snapshot
            return None
        metrics = parse_metrics(output) if isinstance(output, str) else None
        if metrics is None:
            return None
        return {
            "host": pa.host_name(host),
            "stage": stage,
            "timestamp": time.time(),
            "metrics": metrics,
        }

    hosts = [h for h in pa.inventory_hosts(state) if pa.is_active(state, h)]
    return [s for s in pa.run_per_host(state, one, hosts) if s is not None]
