"""Shared by every test folder: under scripts/test.sh (CHAOS_TEST_STRICT=1) a skipped test fails.

Skips exist for developers running a folder in an environment that lacks a shell or a package;
in CI the project's scripts install all of them, so a skip there would hide a check.
"""

from __future__ import annotations

import os

import pytest

STRICT = os.environ.get("CHAOS_TEST_STRICT") == "1"


def _fail_if_skipped(report) -> None:
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, which CHAOS_TEST_STRICT=1 forbids: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_if_skipped(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_if_skipped(outcome.get_result())
