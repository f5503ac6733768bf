"""`chaos log`: the newest runs, newest first on the terminal, oldest first in JSON, a limit that
drops the oldest, and a warning for lines it cannot read."""

from __future__ import annotations

import json


def write_history(chaos, lines: list[str]) -> None:
    state = chaos.workdir / "state" / "chaos"
    state.mkdir(parents=True, exist_ok=True)
    (state / "history.jsonl").write_text("".join(line + "\n" for line in lines))


def record(n: int) -> str:
    return json.dumps(
        {
            "started": f"2026-01-0{n}T10:00:00+0000",
            "tags": [f"role-{n}"],
            "hosts": ["@local"],
            "counts": {"changed": n, "no_change": 0, "failed": 0},
            "duration_s": 1.5,
            "exit_code": 0 if n != 4 else 1,
            "dry": False,
            "interrupted": False,
            "chobolo": None,
        }
    )


def test_limit_keeps_the_newest_runs(chaos):
    write_history(chaos, [record(n) for n in range(1, 6)])
    assert [r["tags"] for r in chaos.json("log", "-n", "2", "--json")] == [["role-4"], ["role-5"]]
    assert [r["tags"][0] for r in chaos.json("log", "--json")] == [f"role-{n}" for n in range(1, 6)]
    table = chaos.ok("log", "-n", "2").stdout
    rows = [line for line in table.splitlines() if "role-" in line]
    assert len(rows) == 2
    assert "role-5" in rows[0] and "role-4" in rows[1]  # newest first
    assert "ok" in rows[0] and "failed" in rows[1]
    assert "5/0/0" in rows[0] and "1.5s" in rows[0]


def test_damaged_lines_are_skipped_with_a_warning(chaos):
    write_history(chaos, [record(1), "{not json", record(2), "[1, 2]", record(3)])
    result = chaos.ok("log", "--json")
    assert [r["tags"][0] for r in json.loads(result.stdout)] == ["role-1", "role-2", "role-3"]
    assert "2 damaged line(s)" in result.stderr and "history.jsonl" in result.stderr
    # A damaged line does not count against the limit.
    assert [r["tags"][0] for r in chaos.json("log", "-n", "1", "--json")] == ["role-3"]


def test_log_without_history_says_so(chaos):
    result = chaos.ok("log")
    assert result.stdout.startswith("No runs recorded yet (") and "history.jsonl" in result.stdout
    assert chaos.json("log", "--json") == []
    assert chaos.run("log", "-n", "0").returncode == 2
