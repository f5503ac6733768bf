"""The v1 logbook format (chaos_logbook.json, issue 12 item 2): docs/chaos-logbook.schema.json
and tests/support/original_logbook_reader.py accept a document in the original tool's shape
(tests/support/original-logbook-sample.json, written from the original's field list the way it
produced them, its bugs included), and the schema refuses what would break a viewer of that file.

chaos's own export is checked against the same schema and reader by the apply/log tests."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import jsonschema
import pytest
from support.environments import ROOT
from support.original_logbook_reader import inconsistencies, read_logbook

SCHEMA = json.loads((ROOT / "docs" / "chaos-logbook.schema.json").read_text())
SAMPLE = json.loads((ROOT / "tests" / "support" / "original-logbook-sample.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def sample() -> dict:
    return copy.deepcopy(SAMPLE)


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_originals_document_matches_the_schema():
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(SAMPLE)]
    assert errors == []


def test_the_reader_reads_the_originals_document():
    read = read_logbook(sample())
    assert inconsistencies(read) == []
    assert read["run_id"] == "chaos-2026/01/10-09:15:02"
    assert read["hailer"] == "mara@forge (192.168.1.20)"
    assert read["secrets"] == "wifi_psk"
    assert read["status"] == "in progress"  # the original's export-too-early bug, kept in its file
    assert read["stated"] == {
        "total_operations": 4,
        "changed_operations": 1,
        "successful_operations": 3,
        "failed_operations": 1,
    }
    local = read["hosts"]["@local"]
    assert [op["name"] for op in local["operations"]] == [
        "Install base packages",
        "Write /etc/hostname",
        "Enable sshd",
    ]
    install = local["operations"][0]
    assert install["hash"] == "=0c5e6a2f41d7b9e83a0f7c21d64e5b98a1f30d27"
    assert (install["retries"], install["max_retries"], install["retry_succeeded"]) == (1, 1, True)
    assert install["output_lines"] == 2 and install["sudo"] is True
    assert local["operations"][2]["stderr_tail"] == [
        "Failed to enable unit: Unit file sshd.service does not exist."
    ]
    assert read["hosts"]["forge"]["operations"][0]["name"] == "chaos_setup"
    assert [(h["stage"], h["at"]) for h in read["health"]] == [
        ("pre_operations", datetime(2026, 1, 10, 9, 15, 2, 270200, tzinfo=UTC)),
        ("post_operations", datetime(2026, 1, 10, 9, 15, 4, 118500, tzinfo=UTC)),
    ]
    assert [f["id"] for f in read["facts"]] == [3, 5, 8]
    assert [len(e["commands"]) for e in read["streamed"]] == [0, 3, 0, 0]
    assert read["operation_summary"]["Install base packages"]["p95_duration"] == 1.25
    assert read["slowest"][0] == "Install base packages"


def test_the_consistency_check_can_fail():
    doc = sample()
    doc["summary"]["failed_operations"] = 0
    doc["hosts"]["@local"]["history"][1]["changed"] = True
    doc["operation_summary"]["Enable sshd"]["count"] = 2
    doc["fact_history"].append(
        {**doc["fact_history"][0], "context": "running_command_on_localhost"}
    )
    problems = inconsistencies(read_logbook(doc))
    assert len(problems) == 4, problems


def _set(path: list, value):
    def damage(doc: dict) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return damage


def _drop(path: list):
    def damage(doc: dict) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return damage


OP = ["hosts", "@local", "history", 0]

# Damage a viewer of the original's file trips over: the schema must refuse each one too.
VIEWER_BREAKING = {
    "stdout as a list of lines": _set([*OP, "stdout"], ["resolving", "installed"]),
    "duration as text": _set([*OP, "duration"], "1.25"),
    "duration null": _set([*OP, "duration"], None),
    "no operation_meta on a real operation": _drop([*OP, "operation_arguments", "operation_meta"]),
    "no parent_op_hash": _drop([*OP, "operation_arguments", "parent_op_hash"]),
    "retry_info missing": _drop([*OP, "retry_statistics", "retry_info"]),
    "host without history": _drop(["hosts", "@local", "history"]),
    "hosts as a list": _set(["hosts"], [{"name": "@local"}]),
    "percentile as text": _set(["operation_summary", "Enable sshd", "p95_duration"], "0.5"),
    "health timestamp as ISO text": _set(
        ["resource_history", 0, "timestamp"], "2026-01-10T09:15:02Z"
    ),
    "fact timestamp missing": _drop(["fact_history", 0, "timestamp"]),
    "summary without status": _drop(["summary", "status"]),
    "hailer as text": _set(["hailer"], "mara@forge"),
    "stream event without logs": _drop(["streamed_history", 1, "logs"]),
}


@pytest.mark.parametrize("damage", VIEWER_BREAKING.values(), ids=VIEWER_BREAKING.keys())
def test_what_breaks_a_viewer_is_refused_by_the_schema(damage):
    doc = sample()
    damage(doc)
    with pytest.raises((KeyError, TypeError, ValueError, AttributeError)):
        read_logbook(doc)
    assert not VALIDATOR.is_valid(doc)


# Damage a lenient viewer may survive but that is still not the format.
NOT_THE_FORMAT = {
    "another api_version": _set(["api_version"], "v2"),
    "secrets_required as text": _set(["secrets_required"], "wifi_psk"),
    "status chaos never uses": _set(["summary", "status"], "done"),
    "count with a fraction": _set(["hosts", "@local", "total_operations"], 2.5),
    "negative duration": _set([*OP, "duration"], -0.5),
    "hash as a number": _set([*OP, "operation_arguments", "operation_meta", "hash"], 7),
    "changed as text": _set([*OP, "changed"], "true"),
    "unknown top-level key": _set(["extra"], {}),
    "unknown key in a history entry": _set([*OP, "status"], "changed"),
    "non-fact_gathering entry in fact_history": _set(
        ["fact_history", 0, "context"], "running_command_on_localhost"
    ),
    "unknown health stage": _set(["resource_history", 0, "stage"], "during"),
    "metric as text": _set(["resource_history", 0, "metrics", "ram_percent"], "31.5"),
    "zero count in operation_summary": _set(["operation_summary", "Enable sshd", "count"], 0),
    "partial retry_statistics": _drop([*OP, "retry_statistics", "max_retries"]),
    "chaos.dry as text": _set(["chaos"], {"dry": "yes"}),
}


@pytest.mark.parametrize("damage", NOT_THE_FORMAT.values(), ids=NOT_THE_FORMAT.keys())
def test_the_schema_refuses_wrong_types_and_unknown_keys(damage):
    doc = sample()
    damage(doc)
    assert not VALIDATOR.is_valid(doc)


def test_chaos_extras_are_accepted_and_ignored_by_the_reader():
    doc = sample()
    doc["chaos"] = {
        "id": 7,
        "started": "2026-01-10T09:15:02.000Z",
        "ended": "2026-01-10T09:15:04.200Z",
        "duration_s": 2.2,
        "exit_code": 1,
        "dry": False,
        "tags": ["base"],
        "chobolo": None,
        "change_kind": "intentional",
        "hosts": {
            "@local": {
                "connected": True,
                "error": None,
                "deltas": [{"role": "base", "to_add": {"packages": ["git"]}, "to_remove": {}}],
                "operations": [
                    {
                        "status": "changed",
                        "role": "base",
                        "command": None,
                        "exit_code": None,
                        "timestamp": None,
                    }
                ],
            }
        },
    }
    assert VALIDATOR.is_valid(doc)
    assert read_logbook(doc) == read_logbook(sample())
