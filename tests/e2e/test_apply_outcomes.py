"""What `chaos apply` tells the user, read by value: the delta as text, the exit code and the
--json report of failed runs, dry runs that fail, and the prompts a dry run must not ask.

Each test here was written against a bug the suite once let through (see tests/mutants/)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from support.demo import install_demo
from support.environments import ROOT
from support.terminal import converse_on_terminal

SCHEMA = json.loads((ROOT / "docs" / "apply-report.schema.json").read_text())


@pytest.fixture
def demo(chaos, plugin_env, example_wheel, tmp_path):
    return install_demo(plugin_env, example_wheel, tmp_path, {"a.txt": "alpha"}, legacy=True)


def test_delta_text_marks_additions_with_plus_and_removals_with_minus(chaos, demo):
    root, chobolo = demo
    first = chaos.ok("apply", "demo-files", "-c", str(chobolo))
    assert "    files (add)\n      + a.txt\n" in first.stdout
    assert "(remove)" not in first.stdout

    (root / "stray.txt").write_text("not in the Ch-obolo")
    second = chaos.ok("apply", "demo-files", "-c", str(chobolo))
    assert "    files (remove)\n      - stray.txt\n" in second.stdout
    assert "+ stray.txt" not in second.stdout and "(add)" not in second.stdout
    assert not (root / "stray.txt").exists()


def test_json_report_of_a_failed_operation_says_so_by_value(chaos, demo):
    _, chobolo = demo
    result = chaos.run("apply", "demo-files", "demo-fail", "-c", str(chobolo), "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["success"] is False
    assert report["exit_code"] == 1
    assert report["counts"] == {"changed": 2, "no_change": 0, "failed": 1, "skipped": 0}
    assert report["hosts"][0]["counts"]["failed"] == 1
    # A failed operation is an operation result, not a run error: nothing else went wrong.
    assert report["errors"] == []
    assert report["interrupted"] is False and report["dry"] is False


def test_json_report_of_a_successful_run_says_so_by_value(chaos, demo):
    _, chobolo = demo
    report = chaos.json("apply", "demo-files", "-c", str(chobolo), "--json")
    jsonschema.validate(report, SCHEMA)
    assert report["success"] is True
    assert report["exit_code"] == 0
    assert report["counts"] == {"changed": 2, "no_change": 0, "failed": 0, "skipped": 0}
    assert report["errors"] == []
    assert [op["status"] for op in report["hosts"][0]["operations"]] == ["changed"] * 2
    # Every operation has its duration, and the run its wall time.
    assert all(op["duration_s"] >= 0 for op in report["hosts"][0]["operations"])
    assert report["duration_s"] > 0


def test_dry_run_of_a_role_that_raises_fails_with_its_message(chaos, demo):
    _, chobolo = demo
    result = chaos.run("apply", "demo-raise", "demo-files", "-c", str(chobolo), "--dry")
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "role `demo-raise` on @local failed in delta: RuntimeError: demo delta failure"
        in result.stderr
    )
    assert "Dry run: nothing was executed" in result.stdout  # the other role was still planned
    report = json.loads(
        chaos.run("apply", "demo-raise", "-c", str(chobolo), "--dry", "--json").stdout
    )
    assert report["success"] is False and report["exit_code"] == 1 and report["dry"] is True
    assert [e["message"] for e in report["errors"]] == ["RuntimeError: demo delta failure"]


def test_dry_run_on_a_terminal_asks_nothing(chaos, demo, tmp_path):
    """Neither the confirmation of deltas nor a legacy role's own prompt (the role is told
    skip_confirm: it runs to stage operations, which are then not executed)."""
    root, chobolo = demo
    # No answers are given: a question would wait until the deadline and the run be killed.
    code, shown = converse_on_terminal(
        chaos, ["apply", "demo-files", "demo-legacy", "-c", str(chobolo), "--dry"], [], timeout=90
    )
    assert code == 0, shown
    assert "Apply the changes above?" not in shown
    assert "Create demo marker?" not in shown
    assert "Dry run: nothing was executed" in shown
    assert not root.exists() and not (tmp_path / "marker").exists()


def test_summary_counts_and_took_line(chaos, demo):
    _, chobolo = demo
    result = chaos.ok("apply", "demo-files", "-c", str(chobolo))
    lines = result.stdout.splitlines()
    summary = lines[lines.index("Summary") :]
    assert summary[1] == "  @local: 2 changed, 0 unchanged, 0 failed"
    took = summary[2].split()
    assert took[0] == "took" and took[-1] in ("ms", "s"), summary
    # Each operation line ends with how long it took.
    ops = [line for line in lines if line.startswith("  ~ changed")]
    assert len(ops) == 2 and all(line.split()[-1] in ("ms", "s") for line in ops), ops


def test_serial_and_no_wait_run_the_same_operations(chaos, demo):
    root, chobolo = demo
    report = chaos.json("apply", "demo-files", "-c", str(chobolo), "--serial", "--json")
    assert report["counts"]["changed"] == 2 and (root / "a.txt").read_text() == "alpha"
    (root / "a.txt").unlink()
    report = chaos.json("apply", "demo-files", "-c", str(chobolo), "-e", "-nw", "-y", "--json")
    assert report["success"] is True and (root / "a.txt").read_text() == "alpha"
