"""The logbook (issue 12): every apply recorded in SQLite, `apply -l -x` as the original's event
lines and v1 export, `chaos log` / `log show` / `log export`, drift labelled corrective or
intentional, and a store that survives damage, a full disk, a killed run and concurrent runs."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import jsonschema
import pytest
from support import logbook
from support.demo import install_demo
from support.environments import ROOT
from support.original_logbook_reader import inconsistencies, read_logbook

V1_SCHEMA = json.loads((ROOT / "docs" / "chaos-logbook.schema.json").read_text())


@pytest.fixture
def demo(chaos, plugin_env, example_wheel, tmp_path):
    files = {"a.txt": "alpha", "b.txt": "beta"}
    return install_demo(plugin_env, example_wheel, tmp_path, files)


def state(chaos) -> Path:
    return chaos.workdir / "state"


def event_lines(stdout: str) -> list[tuple[str, str]]:
    out = []
    for line in stdout.splitlines():
        prefix, sep, rest = line.partition("::")
        assert sep, f"stdout under -l holds only protocol lines, got {line!r}"
        out.append((prefix, rest))
    return out


def test_l_and_x_print_the_events_in_order_and_export_the_v1_file(chaos, demo, tmp_path):
    root, chobolo = demo
    result = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y", "-l", "-x", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = event_lines(result.stdout)
    prefixes = [p for p, _ in lines]
    assert prefixes[0] == "CHAOS_RUN_ID" and prefixes[-2:] == ["CHAOS_RUN_ENDED", "CHAOS_LOGBOOK"]
    run_id = lines[0][1]
    assert run_id.startswith("chaos-") and lines[-2][1] == run_id
    events = [json.loads(rest) for p, rest in lines if p == "CHAOS_EVENT"]
    kinds = [e["type"] for e in events]
    n_progress, n_facts = kinds.count("progress"), kinds.count("fact")
    assert n_progress and n_facts
    expected = ["run_start", *["progress"] * n_progress, "health_check", "health_check"]
    assert kinds == [*expected, *["fact"] * n_facts, "run_end"]
    facts = [e for e in events if e["type"] == "fact"]
    contexts = {f["context"] for f in facts}
    assert "fact_gathering" in contexts and "running_command_on_localhost" in contexts
    assert any("/proc/loadavg" in f["command"] for f in facts)
    assert [f["timestamp"] for f in facts] == sorted(f["timestamp"] for f in facts)
    health = [e for e in events if e["type"] == "health_check"]
    assert [h["stage"] for h in health] == ["pre_operations", "post_operations"]
    assert all(h["host"] == "@local" and h["metrics"]["ram_total_gb"] > 0 for h in health)
    assert set(health[0]["metrics"]) == {
        "cpu_load_1min",
        "cpu_load_5min",
        "ram_percent",
        "ram_used_gb",
        "ram_total_gb",
    }
    assert events[0]["run_id"] == run_id and events[0]["hailer"]["user"] == "root"
    progress = [e for e in events if e["type"] == "progress"]
    assert progress, "every finished operation is an event"
    assert all(e["host"] == "@local" and e["success"] is True for e in progress)
    assert any(e["changed"] is True for e in progress)
    assert isinstance(progress[0]["duration"], float) and isinstance(
        progress[0]["timestamp"], float
    )
    assert (
        events[-1]["status"] == "success" and events[-1]["summary"]["change_kind"] == "intentional"
    )
    # What a person reads went to stderr.
    assert "Summary" in result.stderr

    exported = json.loads((tmp_path / "chaos_logbook.json").read_text())
    assert json.loads(lines[-1][1]) == exported
    jsonschema.validate(exported, V1_SCHEMA)
    assert inconsistencies(read_logbook(exported)) == []
    assert exported["summary"]["status"] == "success"  # the final status, never in_progress
    assert exported["run_id"] == run_id
    host = exported["hosts"]["@local"]
    assert host["total_operations"] == len(progress) and host["failed_operations"] == 0
    assert [r["stage"] for r in exported["resource_history"]] == [
        "pre_operations",
        "post_operations",
    ]
    db = sqlite3.connect(logbook.logbook_path(state(chaos)))
    stored = db.execute("SELECT stage, timestamp FROM resource_snapshots ORDER BY id").fetchall()
    db.close()
    assert [row[0] for row in stored] == ["pre_operations", "post_operations"]
    assert all(row[1].endswith("Z") for row in stored)
    db = sqlite3.connect(logbook.logbook_path(state(chaos)))
    logged = db.execute("SELECT context FROM command_n_facts_in_order ORDER BY id").fetchall()
    db.close()
    assert len(logged) == n_facts
    gathered = sum(1 for f in facts if f["context"] == "fact_gathering")
    assert len(exported["fact_history"]) == gathered
    copies = list(logbook.logbook_dir(state(chaos)).glob("chaos_logbook_run*_*.json"))
    assert len(copies) == 1 and json.loads(copies[0].read_text()) == exported
    assert (root / "a.txt").read_text().startswith("alpha")


def test_json_and_l_both_wanting_stdout_is_a_usage_error(chaos, demo):
    _, chobolo = demo
    result = chaos.run("apply", "demo-files", "-c", str(chobolo), "--json", "-l")
    assert result.returncode == 2 and "pick one" in result.stderr


def test_log_export_writes_any_past_run_and_log_show_filters_it(chaos, demo, tmp_path):
    _, chobolo = demo
    chaos.ok("apply", "demo-files", "-c", str(chobolo), "-y")
    failing = chaos.run("apply", "demo-files", "demo-fail", "-c", str(chobolo), "-y")
    assert failing.returncode == 1
    runs = chaos.json("log", "--json")
    assert [r["status"] for r in runs] == ["failure", "success"]
    first, second = runs[1]["id"], runs[0]["id"]

    out = tmp_path / "first.json"
    chaos.ok("log", "export", str(first), "-o", str(out))
    exported = json.loads(out.read_text())
    jsonschema.validate(exported, V1_SCHEMA)
    assert (
        exported["summary"]["status"] == "success" and inconsistencies(read_logbook(exported)) == []
    )

    shown = chaos.json("log", "show", str(second), "--json")
    ops = shown["hosts"][0]["operations"]
    assert any(not op["success"] for op in ops)
    assert all(
        op["success"]
        for op in chaos.json("log", "show", str(first), "--json")["hosts"][0]["operations"]
    )
    failed_only = chaos.json("log", "show", str(second), "--failed", "--json")
    assert failed_only["hosts"][0]["operations"] and all(
        not op["success"] for op in failed_only["hosts"][0]["operations"]
    )
    assert failed_only["hosts"][0]["operations"][0]["command"]
    text = chaos.ok("log", "show", "last", "--failed").stdout
    assert "failed" in text and "command:" in text
    by_role = chaos.json("log", "show", str(second), "--role", "demo-files", "--json")
    assert all(op["role"] == "demo-files" for op in by_role["hosts"][0]["operations"])
    assert [r["id"] for r in chaos.json("log", "--failed", "--json")] == [second]
    assert [r["id"] for r in chaos.json("log", "--role", "demo-fail", "--json")] == [second]
    assert chaos.json("log", "--host", "web-9", "--json") == []
    missing = chaos.run("log", "show", "999")
    assert missing.returncode == 2 and "no run `999`" in missing.stderr


def test_drift_is_pending_then_corrected_and_an_edited_chobolo_is_intentional(chaos, demo):
    root, chobolo = demo
    first = chaos.json("apply", "demo-files", "-c", str(chobolo), "-y", "--json")
    assert first["change_kind"] == "intentional"
    again = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y", "--detailed-exitcode")
    assert again.returncode == 0, again.stderr  # nothing to do: the desired state

    (root / "a.txt").write_text("changed by hand\n")
    pending = chaos.run("apply", "demo-files", "-c", str(chobolo), "--dry", "--detailed-exitcode")
    assert pending.returncode == 3, pending.stderr
    assert "drift:" in pending.stdout
    corrected = chaos.run(
        "apply", "demo-files", "-c", str(chobolo), "-y", "--detailed-exitcode", "--diff"
    )
    assert corrected.returncode == 3, corrected.stderr
    assert "corrective:" in corrected.stdout
    assert "changed by hand" in corrected.stdout  # --diff on a real run shows the file diff
    runs = chaos.json("log", "--json")
    assert runs[0]["change_kind"] == "corrective"
    assert "corrective" in chaos.ok("log").stdout

    chobolo.write_text(chobolo.read_text() + "    c.txt: gamma\n")
    edited = chaos.json("apply", "demo-files", "-c", str(chobolo), "-y", "--json")
    assert edited["change_kind"] == "intentional"
    assert logbook.last_run(state(chaos))["change_kind"] == "intentional"


def test_ten_concurrent_runs_leave_ten_complete_records(chaos, demo):
    _, chobolo = demo
    procs = [
        subprocess.Popen(
            [str(chaos.binary), "apply", "demo-files", "-c", str(chobolo), "-y", "--dry"],
            env=chaos.env,
            cwd=chaos.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(10)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "not recorded" not in err and "could not record" not in err
    runs = logbook.runs(state(chaos))
    assert len(runs) == 10
    assert all(r["status"] == "success" and r["end_time"] for r in runs)
    assert len({r["uggly_run_id"] for r in runs}) == 10


def test_logbook_keep_drops_the_oldest_runs(chaos, demo):
    _, chobolo = demo
    chaos.config_dir.mkdir(parents=True, exist_ok=True)
    (chaos.config_dir / "config.yml").write_text("logbook_keep: 2\n")
    for _ in range(3):
        chaos.ok("apply", "demo-files", "-c", str(chobolo), "-y", "--dry")
    ids = [r["id"] for r in logbook.runs(state(chaos))]
    assert ids == [2, 3]
    (chaos.config_dir / "config.yml").write_text("logbook_keep: 0\n")
    bad = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y", "--dry")
    assert bad.returncode == 1 and "logbook_keep" in bad.stderr


HISTORY = {
    "started": "2026-01-01T00:00:00+0000",
    "hosts": ["@local"],
    "counts": {"changed": 1, "no_change": 2, "failed": 0},
    "duration_s": 1.5,
    "exit_code": 0,
    "dry": False,
    "interrupted": False,
    "chobolo": None,
}


def test_the_old_history_is_moved_in_once_with_damaged_lines_named(chaos):
    directory = state(chaos) / "chaos"
    directory.mkdir(parents=True)
    lines = [
        json.dumps({**HISTORY, "tags": [f"role-{n}"], "exit_code": int(n == 4)})
        for n in range(1, 6)
    ]
    lines.insert(2, "{not json")
    (directory / "history.jsonl").write_text("\n".join(lines) + "\n" + '{"tags": ["cut')
    first = chaos.ok("log", "--json")
    assert [r["tags"][0] for r in json.loads(first.stdout)] == [
        f"role-{n}" for n in range(5, 0, -1)
    ]
    assert "2 damaged or incomplete line(s)" in first.stderr and "history.jsonl" in first.stderr
    again = chaos.ok("log", "-n", "2", "--json")
    assert [r["tags"][0] for r in json.loads(again.stdout)] == ["role-5", "role-4"]
    assert "damaged" not in again.stderr  # once
    table = chaos.ok("log", "-n", "2").stdout
    rows = [line for line in table.splitlines() if "role-" in line]
    assert "role-5" in rows[0] and "ok" in rows[0] and "role-4" in rows[1] and "failed" in rows[1]
    assert "1/2/0" in rows[0] and "1.50 s" in rows[0]


@pytest.mark.parametrize("value", ["0", "00", "many"])
def test_log_limit_below_one_is_a_usage_error(chaos, value):
    result = chaos.run("log", "-n", value)
    assert result.returncode == 2 and "give 1 or more" in result.stderr


def test_log_without_runs_says_so(chaos):
    result = chaos.ok("log")
    assert result.stdout.startswith("No runs recorded yet (") and "chrima.db" in result.stdout
    assert chaos.json("log", "--json") == []


def test_a_damaged_database_is_an_error_for_log_and_a_warning_for_apply(chaos, demo):
    _, chobolo = demo
    database = logbook.logbook_path(state(chaos))
    database.parent.mkdir(parents=True, mode=0o700)
    database.write_bytes(b"this is not a database" * 100)
    database.chmod(0o600)
    log = chaos.run("log")
    assert log.returncode == 1 and "chrima.db" in log.stderr and "not a database" in log.stderr
    run = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y")
    assert run.returncode == 0, run.stderr
    assert "not recorded" in run.stderr


@pytest.fixture
def small_state_dir(chaos):
    """XDG_STATE_HOME on a 256 KiB tmpfs, unmounted afterwards."""
    directory = state(chaos)
    directory.mkdir(exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(directory)], check=True
    )
    try:
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], check=True)


def fill(directory: Path) -> Path:
    pad = directory / "pad"
    with open(pad, "wb", buffering=0) as f:
        while True:
            try:
                f.write(b"\0" * 512)
            except OSError:
                break
    return pad


def test_a_full_disk_costs_the_record_never_the_run_or_the_store(chaos, demo, small_state_dir):
    _, chobolo = demo
    first = chaos.ok("apply", "demo-files", "-c", str(chobolo), "-y")
    assert "not recorded" not in first.stderr, first.stderr
    pad = fill(small_state_dir)
    full = chaos.run("apply", "demo-files", "demo-fail", "-c", str(chobolo), "-y")
    assert full.returncode == 1  # demo-fail's own failure, not the disk's
    assert "full" in full.stderr.lower() or "not recorded" in full.stderr
    assert "Sanitizer" not in full.stderr
    pad.unlink()
    db = sqlite3.connect(logbook.logbook_path(small_state_dir))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    chaos.ok("apply", "demo-files", "-c", str(chobolo), "-y")
    runs = logbook.runs(small_state_dir)
    assert runs[-1]["status"] == "success" and runs[0]["status"] == "success"
    assert all(r["status"] != "in_progress" for r in runs)


def limani_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_plugin_limani_receives_every_event_of_the_run(
    chaos, demo, example_wheel, plugin_env, tmp_path
):
    _, chobolo = demo
    plugin_env.install(example_wheel("chaos-jsonl-limani"))
    store = tmp_path / "events.jsonl"
    chaos.config_dir.mkdir(parents=True, exist_ok=True)
    (chaos.config_dir / "config.yml").write_text(f"werehouse: {store}\n")
    assert "jsonl" in chaos.ok("check", "limanis").stdout
    result = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y", "-l", "-i", "jsonl")
    assert result.returncode == 0, result.stderr
    events = [json.loads(rest) for p, rest in event_lines(result.stdout) if p == "CHAOS_EVENT"]
    progress = [e for e in events if e["type"] == "progress"]
    lines = limani_lines(store)
    calls = [line["call"] for line in lines]
    operations = ["insert_operation"] * len(progress)
    snapshots = ["insert_snapshot"] * 2  # before and after the operations
    facts = ["insert_fact_log"] * sum(1 for e in events if e["type"] == "fact")
    assert calls == [
        "create_run",
        "start_update_run",
        "host",
        *operations,
        *snapshots,
        *facts,
        "end_run_update",
    ]
    assert (
        lines[0]["run_id"] == events[0]["uggly_run_id"]
        and lines[0]["run_id_human"] == events[0]["run_id"]
    )
    ops = [line for line in lines if line["call"] == "insert_operation"]
    assert [o["name"] for o in ops] == [e["operation"] for e in progress]
    assert [o["changed"] for o in ops] == [e["changed"] for e in progress]
    assert all(o["op_hash"] for o in ops)
    assert lines[-1]["status"] == "success"
    # -i alone: the events reach the Limani, stdout is the usual human output.
    alone = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y", "-i", "jsonl")
    assert alone.returncode == 0 and "CHAOS_EVENT" not in alone.stdout and "Summary" in alone.stdout
    assert [line["call"] for line in limani_lines(store)].count("end_run_update") == 2


BROKEN_LIMANI = """
from chaos.lib.limani.limani import Limani

class Broken(Limani):
    def connect(self): return None
    def disconnect(self): pass
    def init_db(self): pass
    def create_run(self, *a): return a[0]
    def start_update_run(self, *a): pass
    def end_run_update(self, *a): pass
    def get_or_create_host(self, *a): return 1
    def insert_operation(self, *a): raise RuntimeError("the store is on fire")
    def insert_snapshot(self, *a): pass
    def insert_fact_log(self, *a): pass
    def get_run_data(self, *a): return {}
    def get_facts_for_timespan(self, *a): return []
    def get_run_summary_stats(self, *a): return {}
"""


def test_a_failing_limani_costs_its_events_never_the_run(chaos, demo, plugin_env, tmp_path):
    from support.wheelkit import write_wheel

    _, chobolo = demo
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "broken-limani",
            entry_points={"chaos.limanis": {"broken": "broken_limani:Broken"}},
            modules={"broken_limani.py": BROKEN_LIMANI},
        )
    )
    result = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y", "-i", "broken")
    assert result.returncode == 0, result.stderr
    assert "the Limani `broken` (broken-limani) stopped receiving" in result.stderr
    assert "the store is on fire" in result.stderr
    assert logbook.last_run(state(chaos))["status"] == "success"
    unknown = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y", "-i", "nope")
    assert unknown.returncode == 2
    assert (
        "no installed plugin provides the Limani `nope`" in unknown.stderr
        and "broken" in unknown.stderr
    )
    builtin = chaos.run("apply", "demo-files", "-c", str(chobolo), "-y", "-i", "chrima")
    assert builtin.returncode == 0, builtin.stderr


def test_every_run_records_health_and_commands_and_a_dry_run_none(chaos, demo):
    _, chobolo = demo
    chaos.ok("apply", "demo-files", "-c", str(chobolo), "-y")
    chaos.ok("apply", "demo-files", "-c", str(chobolo), "--dry")
    db = sqlite3.connect(logbook.logbook_path(state(chaos)))
    snapshots = db.execute("SELECT run_id, stage FROM resource_snapshots ORDER BY id").fetchall()
    commands = db.execute("SELECT run_id, context FROM command_n_facts_in_order").fetchall()
    db.close()
    assert snapshots == [(1, "pre_operations"), (1, "post_operations")]
    assert commands and {run for run, _ in commands} == {1}
    assert {"fact_gathering", "running_command_on_localhost"} <= {c for _, c in commands}
