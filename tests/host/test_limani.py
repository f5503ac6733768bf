"""The ``limani`` request (docs/protocol.md §6.10): a chaos.limanis plugin gets the logbook's
events as the original's method calls, in order, on one instance per run."""

from __future__ import annotations

import json

import pytest

LIMANIS = """
import json, os
from chaos.lib.limani.limani import Limani


class Recording(Limani):
    # Every call as one JSON line in the file config.yml's `werehouse` names.
    def _log(self, *args):
        with open(self.werehouse, "a") as f:
            f.write(json.dumps(args, default=str) + "\\n")

    def connect(self): self._log("connect")
    def disconnect(self): self._log("disconnect")
    def init_db(self): self._log("init_db")
    def create_run(self, *a):
        self._log("create_run", *a)
        return "stored-" + a[0]
    def start_update_run(self, *a): self._log("start_update_run", *a)
    def end_run_update(self, *a): self._log("end_run_update", *a)
    def get_or_create_host(self, *a):
        self._log("get_or_create_host", *a)
        return 7
    def insert_operation(self, *a): self._log("insert_operation", *a)
    def insert_snapshot(self, *a): self._log("insert_snapshot", *a)
    def insert_fact_log(self, *a): self._log("insert_fact_log", *a)
    def get_run_data(self, *a): return {}
    def get_facts_for_timespan(self, *a): return []
    def get_run_summary_stats(self, *a): return {}


class Failing(Recording):
    def end_run_update(self, *a):
        raise RuntimeError("cannot close the run")


class NotALimani:
    pass
"""

START = {
    "type": "run_start",
    "run_id": "chaos-2026/12/05-20:00:00",
    "uggly_run_id": "chaos-1-2",
    "timestamp": 1.5,
    "hailer": {"user": "root"},
    "secrets_required": ["k"],
}
PROGRESS = {
    "type": "progress",
    "host": "@local",
    "operation": "Create a.txt",
    "op_hash": "abc",
    "changed": True,
    "success": True,
    "duration": 0.25,
    "timestamp": 2.0,
    "logs": {"stdout": "made", "stderr": ""},
    "diff": "+a.txt",
    "operation_arguments": {"path": "a.txt"},
    "retry_statistics": {"retry_attempts": 1},
    "command_n_fact_history": [{"context": "fact_gathering", "command": "stat a.txt"}],
}
HEALTH = {
    "type": "health_check",
    "host": "@local",
    "stage": "pre_operations",
    "timestamp": 1.75,
    "metrics": {"cpu_load_1min": 0.5, "ram_percent": 12.5},
}
FACT = {
    "type": "fact",
    "timestamp": 1.8,
    "log_level": "DEBUG",
    "context": "running_command_on_@local",
    "command": "touch a.txt",
}
END = {
    "type": "run_end",
    "run_id": START["run_id"],
    "status": "success",
    "timestamp": 3.0,
    "summary": {},
}


@pytest.fixture
def limani(make_host, plugin_dir, tmp_path):
    plugin_dir("fake_limanis", LIMANIS)
    config = tmp_path / "config.yml"
    store = tmp_path / "calls.jsonl"
    config.write_text(f"werehouse: {store}\n")
    host = make_host()

    def send(event: dict, cls: str = "Recording") -> dict:
        params = {"name": "rec", "target": f"fake_limanis:{cls}", "plugin": "fake-limanis"}
        reply, _ = host.request("limani", {**params, "config_path": str(config), "event": event})
        return reply

    def calls() -> list[list]:
        return [json.loads(line) for line in store.read_text().splitlines()]

    return host, send, calls


def test_limani_is_announced(limani):
    host, _, _ = limani
    assert "limani" in host.hello["capabilities"]


def test_events_become_the_original_calls_in_order(limani):
    _, send, calls = limani
    for event in (START, PROGRESS, {**PROGRESS, "operation": "Second"}, END):
        assert send(event)["ok"] is True
    assert [c[0] for c in calls()] == [
        "connect",
        "init_db",
        "create_run",
        "start_update_run",
        "get_or_create_host",
        "insert_operation",
        "insert_operation",
        "end_run_update",
        "disconnect",
    ]
    by_name = {c[0]: c[1:] for c in calls()}
    assert by_name["create_run"] == ["chaos-1-2", START["run_id"], 1.5, {"user": "root"}, ["k"]]
    # The id create_run returned is the one every later call gets.
    assert by_name["start_update_run"] == ["stored-chaos-1-2", "in_progress"]
    assert by_name["get_or_create_host"] == ["stored-chaos-1-2", "@local"]
    op = by_name["insert_operation"]
    assert op[:8] == ["stored-chaos-1-2", 7, "abc", "Second", True, True, 0.25, 2.0]
    assert by_name["end_run_update"] == ["stored-chaos-1-2", 3.0, "success", {}]


def test_every_event_type_reaches_its_method_with_every_field(limani):
    _, send, calls = limani
    for event in (START, HEALTH, FACT, PROGRESS, END):
        reply = send(event)
        assert reply["ok"] is True and reply["result"] == {"ok": True}, (event, reply)
    run = "stored-chaos-1-2"
    assert calls()[4:-2] == [
        ["get_or_create_host", run, "@local"],
        ["insert_snapshot", run, 7, "pre_operations", 1.75, HEALTH["metrics"]],
        ["insert_fact_log", run, 1.8, "DEBUG", "running_command_on_@local", "touch a.txt"],
        [
            "insert_operation",
            *[run, 7, "abc", "Create a.txt", True, True, 0.25, 2.0],
            *[PROGRESS["logs"], "+a.txt", {"path": "a.txt"}, {"retry_attempts": 1}],
            PROGRESS["command_n_fact_history"],
        ],
    ]


def test_a_field_of_the_wrong_type_is_refused(limani):
    _, send, _ = limani
    assert send(START)["ok"] is True
    reply = send({**HEALTH, "host": 5})
    assert reply["error"] == {
        "kind": "bad_params",
        "message": "event field 'host' has the wrong type",
    }


def test_an_event_before_run_start_and_a_bad_event_are_refused(limani):
    _, send, _ = limani
    reply = send(PROGRESS)
    assert reply["error"] == {
        "kind": "bad_params",
        "message": "no run_start was delivered to this Limani first",
        "limani": "rec",
        "plugin": "fake-limanis",
        "entry_point": "fake_limanis:Recording",
    }
    types = "('run_start', 'progress', 'health_check', 'fact', 'run_end')"
    for event in ({"type": "gossip"}, "run_start", None):
        reply = send(event)
        assert reply["error"] == {
            "kind": "bad_params",
            "message": f"'event' must be an object whose type is one of {types}",
        }, event


def test_a_target_that_is_not_an_entry_point_is_refused(limani):
    host, _, _ = limani
    for target in ("module:", ":Class", 7):
        reply, _ = host.request("limani", {"name": "rec", "target": target, "event": START})
        assert reply["error"] == {
            "kind": "bad_params",
            "message": "'target' must be an entry-point target (module:Class)",
        }, target


def test_a_failing_method_names_the_plugin_and_still_disconnects(limani):
    _, send, calls = limani
    assert send(START, "Failing")["ok"] is True
    reply = send(END, "Failing")
    assert reply["ok"] is False
    error = reply["error"]
    assert error["kind"] == "limani" and error["plugin"] == "fake-limanis"
    assert (
        "end_run_update() failed" in error["message"] and "cannot close the run" in error["message"]
    )
    assert "RuntimeError" in error["traceback"]
    assert calls()[-1] == ["disconnect"]


def test_a_class_that_is_not_a_limani_is_refused(limani):
    _, send, _ = limani
    reply = send(START, "NotALimani")
    assert reply["ok"] is False and reply["error"]["kind"] == "limani"
    assert "not a subclass of chaos.lib.limani.limani.Limani" in reply["error"]["message"]
