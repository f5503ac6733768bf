"""The cost of run records: `chaos apply` of 50 no-change operations recorded in the logbook,
with `-l` (events on standard output), and with the logbook unable to record; then `chaos log`
and `chaos log show` on a logbook of 10,000 runs.

    python3 bench/bench_logbook.py [--runs N] [--store-runs N]
                                   (inside the venv chaos was pip-installed into)

Apply runs are interleaved: each repetition runs the three variants back to back, the order
rotated every time, so all see the same machine load; medians and the spread of the per-
repetition ratios are reported. "Unrecorded" points CHAOS_LOGBOOK_DIR below a regular file,
so the store cannot open: chaos warns and runs without recording, which is the honest
baseline for what recording adds to a run.

The 10,000-run store is one real run (made by chaos) copied with sqlite3 in one transaction,
ids kept consistent. The log commands are timed with hyperfine on that store and on a store of
that one run. Prints markdown tables and saves bench/results/logbook.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

# The same role as bench_apply.py: 50 directories that already exist after the first run.
from bench_apply import OPERATIONS, ROLE
from common import (
    WORK,
    chaos_binary,
    fresh_env,
    hyperfine,
    isolated_environment,
    machine,
    save,
    timed,
)
from support.wheelkit import write_wheel

VARIANTS = ("unrecorded", "recorded", "recorded -l")


def run_count(logbook: Path) -> int:
    db = logbook / "chrima.db"
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM runs").fetchone()[0]


def check_variants(commands: dict, envs: dict, logbook: Path) -> None:
    """Warm-up, and proof that each variant does what its name says."""
    before = run_count(logbook)
    _, unrecorded = timed(commands["unrecorded"], envs["unrecorded"])
    if "not recorded" not in unrecorded.stderr or run_count(logbook) != before:
        raise SystemExit(f"the unrecorded run did not warn or was recorded:\n{unrecorded.stderr}")
    _, recorded = timed(commands["recorded"], envs["recorded"])
    if run_count(logbook) != before + 1 or "not recorded" in recorded.stderr:
        raise SystemExit(f"the recorded run was not recorded:\n{recorded.stderr}")
    _, events = timed(commands["recorded -l"], envs["recorded -l"])
    progress = sum(
        json.loads(line.split("::", 1)[1]).get("type") == "progress"
        for line in events.stdout.splitlines()
        if line.startswith("CHAOS_EVENT::")
    )
    if progress != OPERATIONS or run_count(logbook) != before + 2:
        raise SystemExit(f"-l gave {progress} progress events, not {OPERATIONS}:\n{events.stderr}")
    with sqlite3.connect(f"file:{logbook / 'chrima.db'}?mode=ro", uri=True) as conn:
        changed = conn.execute("SELECT count(*), sum(changed) FROM operations").fetchone()
    if changed[0] != 2 * OPERATIONS or changed[1] != 0:
        raise SystemExit(f"expected {2 * OPERATIONS} unchanged operations recorded, got {changed}")


def measure_apply(chaos: Path, env_python: Path, runs: int) -> dict:
    root = WORK / "logbook-root"
    for i in range(OPERATIONS):
        (root / f"dir-{i}").mkdir(parents=True, exist_ok=True)
    logbook = WORK / "logbook-apply"
    blocker = WORK / "logbook-blocker"  # a regular file: no logbook can be made below it
    blocker.write_text("not a directory\n")
    # A state directory of its own (see make_store).
    state = WORK / "logbook-apply-state"
    subprocess.run(["rm", "-rf", str(state)], check=True)
    base = {"CHAOS_PYTHON": str(env_python), "BENCH_ROOT": str(root), "XDG_STATE_HOME": str(state)}
    recorded_env = isolated_environment({**base, "CHAOS_LOGBOOK_DIR": str(logbook)})
    envs = {
        "unrecorded": isolated_environment({**base, "CHAOS_LOGBOOK_DIR": str(blocker / "logbook")}),
        "recorded": recorded_env,
        "recorded -l": recorded_env,
    }
    apply = [str(chaos), "apply", "bench-logbook", "-y"]
    commands = {"unrecorded": apply, "recorded": apply, "recorded -l": [*apply, "-l"]}
    check_variants(commands, envs, logbook)
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for rep in range(runs):
        shift = rep % len(VARIANTS)
        for name in VARIANTS[shift:] + VARIANTS[:shift]:
            times[name].append(timed(commands[name], envs[name])[0])
    load_after = os.getloadavg()[0]
    return {
        "times": times,
        "median": {k: statistics.median(v) for k, v in times.items()},
        "load_average_1min": [load_before, load_after],
    }


def fill_store(db: Path, total: int) -> None:
    """Copies the store's one run until it holds `total` runs, in one transaction."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row

    def rows(table: str, where: str, arg: int) -> list[dict]:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} WHERE {where} = ?", (arg,))]

    def insert(table: str, values: list[dict]) -> None:
        if values:
            cols = list(values[0])
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            conn.executemany(sql, [tuple(v[c] for c in cols) for v in values])

    run = rows("runs", "id", 1)[0]
    hosts = rows("hosts", "run_id", 1)
    operations = rows("operations", "run_id", 1)
    deltas = rows("deltas", "run_id", 1)
    start = datetime.now(timezone.utc) - timedelta(minutes=total)
    next_id = {"hosts": 1 + max(h["id"] for h in hosts), "operations": 0, "deltas": 0}
    next_id["operations"] = 1 + max((o["id"] for o in operations), default=0)
    next_id["deltas"] = 1 + max((d["id"] for d in deltas), default=0)
    new: dict[str, list[dict]] = {"runs": [], "hosts": [], "operations": [], "deltas": []}
    # The copies are older than the real run (made a minute apart), which stays the newest.
    for run_id in range(2, total + 1):
        when = start + timedelta(minutes=run_id)
        copy = {**run, "id": run_id, "uggly_run_id": f"{run['uggly_run_id']}-{run_id}"}
        copy["run_id_human"] = when.strftime("chaos-%Y/%m/%d-%H:%M:%S")
        new["runs"].append(copy)
        host_ids = {}
        for h in hosts:
            host_ids[h["id"]] = next_id["hosts"]
            new["hosts"].append({**h, "id": next_id["hosts"], "run_id": run_id})
            next_id["hosts"] += 1
        for table in ("operations", "deltas"):
            for row in operations if table == "operations" else deltas:
                new[table].append(
                    {
                        **row,
                        "id": next_id[table],
                        "run_id": run_id,
                        "host_id": host_ids[row["host_id"]],
                    }
                )
                next_id[table] += 1
    with conn:
        # The real run keeps the highest id, so `last` is the run chaos wrote itself.
        conn.execute("UPDATE runs SET id = ? WHERE id = 1", (total + 1,))
        conn.execute("UPDATE hosts SET run_id = ? WHERE run_id = 1", (total + 1,))
        conn.execute("UPDATE operations SET run_id = ? WHERE run_id = 1", (total + 1,))
        conn.execute("UPDATE deltas SET run_id = ? WHERE run_id = 1", (total + 1,))
        for table in ("runs", "hosts", "operations", "deltas"):
            insert(table, new[table])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def make_store(name: str, chaos: Path, env_python: Path, total: int) -> tuple[Path, dict]:
    logbook = WORK / name
    base = {"CHAOS_PYTHON": str(env_python), "BENCH_ROOT": str(WORK / "logbook-root")}
    # A state directory of its own: another benchmark's history.jsonl there would be moved
    # into this logbook on its first open.
    state = WORK / f"{name}-state"
    subprocess.run(["rm", "-rf", str(state)], check=True)
    env = isolated_environment(
        {**base, "CHAOS_LOGBOOK_DIR": str(logbook), "XDG_STATE_HOME": str(state)}
    )
    timed([str(chaos), "apply", "bench-logbook", "-y"], env)
    if total > 1:
        # foreign_keys is per connection; the copy keeps the references consistent itself.
        fill_store(logbook / "chrima.db", total)
    if run_count(logbook) != total:
        raise SystemExit(f"{logbook} holds {run_count(logbook)} runs, not {total}")
    return logbook, env


def measure_log(chaos: Path, env_python: Path, total: int, runs: int) -> dict:
    results = {}
    for label, count in (("1 run", 1), (f"{total} runs", total)):
        logbook, env = make_store(f"logbook-{count}", chaos, env_python, count)
        middle = count // 2 if count > 1 else 1
        commands = {
            "chaos log": f"{chaos} log",
            "chaos log --json": f"{chaos} log --json",
            f"chaos log show <id> ({middle})": f"{chaos} log show {middle}",
            "chaos log show last": f"{chaos} log show last",
        }
        for command in commands.values():  # each must work before it is timed
            timed(command.split(), env)
        measured = hyperfine(commands, env, runs=runs, warmup=3)
        results[label] = {name.replace(f" ({middle})", ""): r for name, r in measured.items()}
        size = sum(p.stat().st_size for p in logbook.iterdir() if p.name.startswith("chrima.db"))
        results[label]["store_bytes"] = size
    return results


def report(apply: dict, log: dict, total: int) -> str:
    med = apply["median"]
    times = apply["times"]

    def ratio(a: str, b: str) -> str:
        pairs = sorted(x / y for x, y in zip(times[a], times[b]))
        return f"{med[a] / med[b]:.3f} (per repetition {pairs[0]:.2f}-{pairs[-1]:.2f})"

    spread = {k: (min(v), max(v)) for k, v in times.items()}
    load = "-".join(f"{x:.1f}" for x in apply["load_average_1min"])
    lines = [
        f"Machine: {machine()}",
        "",
        f"chaos apply, {OPERATIONS} no-change operations, {len(times['recorded'])} repetitions, load {load}:",
        "",
        "| variant | median | min-max |",
        "| --- | ---: | ---: |",
    ]
    for name in VARIANTS:
        lo, hi = spread[name]
        lines.append(f"| {name} | {med[name] * 1000:.0f} ms | {lo * 1000:.0f}-{hi * 1000:.0f} ms |")
    lines += [
        "",
        f"recorded / unrecorded = {ratio('recorded', 'unrecorded')}   (target <= 1.05)",
        f"-l / recorded         = {ratio('recorded -l', 'recorded')}",
        f"-l / unrecorded       = {ratio('recorded -l', 'unrecorded')}",
        "",
        "| command | " + " | ".join(log) + " |",
        "| --- |" + " ---: |" * len(log),
    ]
    first = next(iter(log.values()))
    for name in (k for k in first if k != "store_bytes"):
        cells = [
            f"{log[s][name]['median'] * 1000:.1f} ± {log[s][name]['stddev'] * 1000:.1f} ms"
            for s in log
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    sizes = ", ".join(f"{s}: {log[s]['store_bytes'] / 2**20:.1f} MiB" for s in log)
    lines += ["", f"store size: {sizes}; target: chaos log <= 20 ms at {total} runs (median ± σ)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="repetitions of each apply variant")
    parser.add_argument("--log-runs", type=int, default=30, help="hyperfine runs per log command")
    parser.add_argument("--store-runs", type=int, default=10000, help="runs in the big logbook")
    args = parser.parse_args()
    chaos = chaos_binary()
    env = fresh_env("logbook")
    env.install(
        write_wheel(
            WORK / "wheels-logbook",
            "bench-logbook",
            entry_points={"chaos.roles": {"bench-logbook": "bench_logbook_role:fifty_dirs"}},
            modules={"bench_logbook_role.py": ROLE},
        )
    )
    for stale in ("logbook-apply", "logbook-1", f"logbook-{args.store_runs}"):
        subprocess.run(["rm", "-rf", str(WORK / stale)], check=True)
    log = measure_log(chaos, env.python, args.store_runs, args.log_runs)
    apply = measure_apply(chaos, env.python, args.runs)
    print(report(apply, log, args.store_runs))
    save(
        "logbook",
        {"operations": OPERATIONS, "store_runs": args.store_runs, "apply": apply, "log": log},
    )


if __name__ == "__main__":
    main()
