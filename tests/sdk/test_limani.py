"""Limani base class: config handling and the abstract storage API."""

from __future__ import annotations

import pytest
from chaos.lib.limani.limani import Limani

ABSTRACT = {
    "connect",
    "disconnect",
    "init_db",
    "create_run",
    "start_update_run",
    "end_run_update",
    "get_or_create_host",
    "insert_operation",
    "insert_snapshot",
    "insert_fact_log",
    "get_run_data",
    "get_facts_for_timespan",
    "get_run_summary_stats",
}


def test_abstract_methods_are_exactly_the_documented_ones():
    assert Limani.__abstractmethods__ == ABSTRACT


def _concrete():
    return type("Memory", (Limani,), {name: lambda self, *a, **k: None for name in ABSTRACT})


def test_config_and_werehouse():
    cls = _concrete()
    store = cls({"werehouse": "/var/lib/chaos/logbook.db", "limani": "memory"})
    assert store.werehouse == "/var/lib/chaos/logbook.db"
    assert store.config["limani"] == "memory"
    assert cls({}).werehouse == ""


def test_incomplete_subclass_cannot_be_instantiated():
    partial = type("Partial", (Limani,), {"connect": lambda self: None})
    with pytest.raises(TypeError, match="disconnect"):
        partial({})


def test_config_must_be_a_mapping():
    with pytest.raises(TypeError, match="mapping"):
        _concrete()("path.db")
