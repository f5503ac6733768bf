"""chaos_logbook.json read the way a viewer of the original tool's file reads it.

The point of chaos writing the original's v1 format is that such viewers keep working, and they
were written against the original's files, not against a schema: they index straight into the
document (``doc["hosts"][h]["history"][i]["operation_arguments"]["operation_meta"]["hash"]``),
format durations and percentiles as numbers, join output strings, and turn timestamps into dates.
So this reader does exactly that and nothing more forgiving: a key chaos leaves out raises
KeyError, a wrong type raises TypeError or ValueError, here as in a real viewer.

The one allowance is the one a viewer of the original needed for the original's own files: its
synthetic ``chaos_setup`` operation carries only ``{"message": ...}`` as arguments and an empty
``retry_statistics``, so those two are not indexed for it.
"""

from __future__ import annotations

from datetime import UTC, datetime

COUNT_KEYS = (
    "total_operations",
    "changed_operations",
    "successful_operations",
    "failed_operations",
)
PERCENTILES = ("p50_duration", "p90_duration", "p95_duration", "p99_duration")
SYNTHETIC = "chaos_setup"


def _when(timestamp) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _seconds(value) -> str:
    """How a viewer shows a duration: a number formatted, which a string or null refuses."""
    return f"{value:.4f}s"


def _operation(op: dict) -> dict:
    synthetic = op["operation"] == SYNTHETIC
    arguments = op["operation_arguments"]
    entry = {
        "name": op["operation"],
        "changed": op["changed"],
        "success": op["success"],
        "shown_duration": _seconds(op["duration"]),
        "seconds": op["duration"] + 0.0,
        "output_lines": len(op["stdout"].splitlines()) + len(op["stderr"].splitlines()),
        "stderr_tail": op["stderr"].splitlines()[-3:],
        "diff_lines": len(op["diff"].splitlines()),
    }
    if not synthetic:
        meta = arguments["operation_meta"]
        retries = op["retry_statistics"]
        entry |= {
            "hash": meta["hash"],
            "executed": meta["executed"],
            "maybe_change": meta["maybe_change"],
            "parent": arguments["parent_op_hash"],
            "sudo": bool(arguments["global_arguments"].get("_sudo")),
            "retries": retries["retry_attempts"] + 0,
            "max_retries": retries["max_retries"] + 0,
            "was_retried": retries["retry_info"]["was_retried"],
            "retry_succeeded": retries["retry_info"]["retry_succeeded"],
        }
    return entry


def _host(host: dict) -> dict:
    history = host["history"]
    operations = [_operation(history[i]) for i in range(len(history))]
    counted = {
        "total_operations": len(operations),
        "changed_operations": sum(1 for op in operations if op["changed"]),
        "successful_operations": sum(1 for op in operations if op["success"]),
        "failed_operations": sum(1 for op in operations if not op["success"]),
    }
    return {
        "stated": {key: host[key] + 0 for key in COUNT_KEYS},
        "counted": counted,
        "shown_duration": _seconds(host["duration"]),
        "duration": host["duration"] + 0.0,
        "summed_duration": round(sum(op["seconds"] for op in operations), 4),
        "operations": operations,
    }


def _health(doc: dict) -> list[dict]:
    return [
        {
            "host": check["host"],
            "stage": check["stage"],
            "at": _when(check["timestamp"]),
            "ram": f"{check['metrics']['ram_used_gb']:.2f}/{check['metrics']['ram_total_gb']:.2f} GB"
            f" ({check['metrics']['ram_percent']:.1f}%)",
            "load": f"{check['metrics']['cpu_load_1min']:.2f} {check['metrics']['cpu_load_5min']:.2f}",
        }
        for check in doc["resource_history"]
        if check["type"] == "health_check"
    ]


def _fact(entry: dict) -> dict:
    return {
        "id": entry["id"] + 0,
        "run_id": entry["run_id"],
        "at": _when(entry["timestamp"]),
        "level": entry["log_level"].upper(),
        "context": entry["context"],
        "command": entry["command"],
    }


def _streamed(doc: dict) -> list[dict]:
    events = []
    for event in doc["streamed_history"]:
        if event["type"] != "progress":
            continue
        logs = event["logs"]
        events.append(
            {
                "host": event["host"],
                "operation": event["operation"],
                "shown_duration": _seconds(event["duration"]),
                "stdout": logs["stdout"] if event["operation"] != SYNTHETIC else "",
                "commands": [_fact(c) for c in event["command_n_fact_history"]],
            }
        )
    return events


def _operation_summary(doc: dict) -> dict:
    stats = {}
    for name, entry in doc["operation_summary"].items():
        stats[name] = {"count": entry["count"] + 0, "shown": _seconds(entry["average_duration"])}
        stats[name] |= {key: float(f"{entry[key]:.4f}") for key in ("total_duration", *PERCENTILES)}
    return stats


def read_logbook(doc: dict) -> dict:
    """What a viewer shows of one logbook: run, hosts, totals (as stated and as counted from the
    histories), health checks, facts, the stream of events and the per-operation statistics."""
    hosts = {name: _host(doc["hosts"][name]) for name in doc["hosts"]}
    summary = doc["summary"]
    counted = {key: sum(host["counted"][key] for host in hosts.values()) for key in COUNT_KEYS}
    facts = [_fact(entry) for entry in doc["fact_history"]]
    return {
        "api_version": doc["api_version"],
        "run_id": doc["run_id"],
        "uggly_run_id": doc["uggly_run_id"],
        "hailer": f"{doc['hailer']['user']}@{doc['hailer']['hostname']} ({doc['hailer']['boatswain']})",
        "secrets": ", ".join(doc["secrets_required"]),
        "status": summary["status"].replace("_", " "),
        "hosts": hosts,
        "stated": {key: summary[key] + 0 for key in COUNT_KEYS},
        "counted": counted,
        "total_duration": summary["total_duration"] + 0.0,
        "shown_total_duration": _seconds(summary["total_duration"]),
        "health": _health(doc),
        "facts": facts,
        "streamed": _streamed(doc),
        "operation_summary": _operation_summary(doc),
        "slowest": sorted(
            doc["operation_summary"], key=lambda n: -doc["operation_summary"][n]["p95_duration"]
        ),
    }


def inconsistencies(read: dict) -> list[str]:
    """Where the document contradicts itself, as read_logbook returned it: a viewer showing the
    stated totals next to the listed operations would show both."""
    problems = []
    for name, host in read["hosts"].items():
        if host["stated"] != host["counted"]:
            problems.append(f"host {name}: stated {host['stated']}, history has {host['counted']}")
        if abs(host["duration"] - host["summed_duration"]) > 0.00051 * max(
            1, len(host["operations"])
        ):
            problems.append(
                f"host {name}: duration {host['duration']}, operations sum {host['summed_duration']}"
            )
    if read["stated"] != read["counted"]:
        problems.append(f"summary: stated {read['stated']}, hosts have {read['counted']}")
    host_total = sum(host["duration"] for host in read["hosts"].values())
    if abs(read["total_duration"] - host_total) > 0.00051 * max(1, len(read["hosts"])):
        problems.append(f"summary: total_duration {read['total_duration']}, hosts sum {host_total}")
    operations = [op for host in read["hosts"].values() for op in host["operations"]]
    if len(read["streamed"]) != len(operations):
        problems.append(f"{len(read['streamed'])} streamed events for {len(operations)} operations")
    for name, stats in read["operation_summary"].items():
        runs = [op for op in operations if op["name"] == name]
        if stats["count"] != len(runs):
            problems.append(
                f"operation_summary[{name!r}]: count {stats['count']}, history has {len(runs)}"
            )
        if [stats[key] for key in PERCENTILES] != sorted(stats[key] for key in PERCENTILES):
            problems.append(f"operation_summary[{name!r}]: percentiles not increasing")
    if any(fact["context"] != "fact_gathering" for fact in read["facts"]):
        problems.append("fact_history holds entries other than fact_gathering")
    return problems
