"""Health snapshots (chaos.host.health): the original's metrics from /proc, and nothing, never an
exception, from text that is not what /proc says."""

from __future__ import annotations

from pathlib import Path

import pytest
from chaos.host.health import parse_metrics

MEMINFO = "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    4000000 kB\n"


def test_metrics_from_this_machine():
    text = Path("/proc/loadavg").read_text() + "---\n" + Path("/proc/meminfo").read_text()
    metrics = parse_metrics(text)
    assert metrics is not None
    assert metrics["ram_total_gb"] > 0 and 0 <= metrics["ram_percent"] <= 100
    assert metrics["cpu_load_1min"] >= 0


def test_used_memory_is_total_minus_available():
    metrics = parse_metrics("0.50 0.25 0.10 1/100 42\n---\n" + MEMINFO)
    assert metrics == {
        "cpu_load_1min": 0.5,
        "cpu_load_5min": 0.25,
        "ram_percent": 75.0,
        "ram_used_gb": round(12000000 / 1024 / 1024, 3),
        "ram_total_gb": round(16000000 / 1024 / 1024, 3),
    }


@pytest.mark.parametrize(
    ("meminfo", "percent"),
    [
        ("MemFree: 100 kB\nBuffers: 100 kB\nCached: 300 kB\n", 50.0),
        # An old kernel's lines that are missing count as nothing free.
        ("MemFree: 100 kB\n", 90.0),
        ("Buffers: 100 kB\n", 90.0),
        ("Cached: 100 kB\n", 90.0),
        ("", 100.0),
    ],
)
def test_without_memavailable_free_buffers_and_cache_count(meminfo, percent):
    metrics = parse_metrics("1 2 3\n---\nMemTotal: 1000 kB\n" + meminfo)
    assert metrics["ram_percent"] == percent


@pytest.mark.parametrize(
    ("total", "available", "percent"),
    [(3000, 2000, 33.33), (1000, 1000, 0.0), (1000, 1500, 0.0)],
)
def test_ram_percent_has_two_decimals_and_never_goes_below_zero(total, available, percent):
    meminfo = f"MemTotal: {total} kB\nMemAvailable: {available} kB\n"
    metrics = parse_metrics("1 2 3\n---\n" + meminfo)
    assert metrics["ram_percent"] == percent
    assert metrics["ram_used_gb"] == round(max(0, total - available) / 1024 / 1024, 3)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---",
        "x y\n---\n" + MEMINFO,
        "1 2\n---\nMemTotal: 0 kB\n",
        "1\n---\n" + MEMINFO,
        "1 2 3",
    ],
)
def test_anything_else_is_no_snapshot(text):
    assert parse_metrics(text) is None
