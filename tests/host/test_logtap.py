"""The pyinfra log tap on its own: what it keeps for a host, and that nothing of pyinfra's log
reaches the terminal except as the core's own lines."""

from __future__ import annotations

import logging

import pytest
from chaos.host import logtap
from chaos.host.logtap import PyinfraLogTap
from chaos.host.operations import OpTable


class _Events:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def event(self, name: str, **fields) -> None:
        self.sent.append((name, fields))


@pytest.fixture
def tap():
    logger = logging.getLogger("pyinfra")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    events = _Events()
    handler = PyinfraLogTap(events)  # type: ignore[arg-type]
    handler.install()
    handler.reset(0, {"web-1"}, OpTable())
    yield handler, events, logger
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def test_a_warning_about_a_host_while_preparing_is_kept_as_a_fact_error(tap):
    handler, events, logger = tap
    handler.phase = "prepare"
    logger.warning("[web-1] could not load fact: files.Directory")  # exactly WARNING
    logger.info("[web-1] loaded fact files.Directory")  # below: not an error
    assert handler.fact_errors["web-1"] == ["could not load fact: files.Directory"]
    assert [e for e in events.sent if e[0] == "log"] == [
        (
            "log",
            {
                "level": "warning",
                "message": "could not load fact: files.Directory",
                "logger": "pyinfra",
                "host": "web-1",
            },
        )
    ]


def test_pyinfra_lines_reach_the_core_only_never_the_root_logger(tap):
    _, events, logger = tap
    seen: list[str] = []

    class Root(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    root = Root()
    logging.getLogger().addHandler(root)
    try:
        logger.warning("[web-1] something pyinfra says")
    finally:
        logging.getLogger().removeHandler(root)
    assert seen == []
    assert [e[1]["message"] for e in events.sent] == ["something pyinfra says"]


# The logbook's ordered facts and commands (apply.prepare ``command_log``): taken from pyinfra's
# own debug lines, in order, bounded, and only when asked for.


def test_facts_and_commands_are_kept_in_order_with_their_context(tap):
    handler, _, logger = tap
    handler.command_log = []
    logger.debug(
        "Getting fact: %s (%s) (ensure_hosts: %r)", "server.Command", "cat /etc/os-release", None
    )
    logger.debug("--> Running command on localhost: %s", "sh -c 'mkdir -p /srv'")
    logger.debug("Running command on %s: (pty=%s) %s", "web-1", False, "sh -c 'true'")
    logger.debug("--> Command exit status: %i", 0)  # not a fact or a command
    entries = handler.command_log
    assert [(e["context"], e["command"]) for e in entries] == [
        ("fact_gathering", "server.Command (cat /etc/os-release) (ensure_hosts: None)"),
        ("running_command_on_localhost", "sh -c 'mkdir -p /srv'"),
        ("running_command_on_web-1", "sh -c 'true'"),
    ]
    assert all(e["log_level"] == "DEBUG" for e in entries)
    assert [e["timestamp"] for e in entries] == sorted(e["timestamp"] for e in entries)


def test_nothing_is_kept_unless_asked(tap):
    handler, _, logger = tap
    logger.debug("Getting fact: %s", "server.Command")
    assert handler.command_log is None


def test_the_log_is_bounded(tap, monkeypatch):
    handler, _, logger = tap
    monkeypatch.setattr(logtap, "COMMAND_LOG_LIMIT", 3)
    handler.command_log = []
    for n in range(10):
        logger.debug("--> Running command on localhost: %s", "x" * (n + 5000))
    assert len(handler.command_log) == 3
    assert all(len(e["command"]) == logtap.COMMAND_TEXT_LIMIT for e in handler.command_log)


def test_a_command_is_cut_to_the_documented_length():
    # docs/records.md and docs/protocol.md: 4096 characters, at most 10,000 entries.
    assert (logtap.COMMAND_TEXT_LIMIT, logtap.COMMAND_LOG_LIMIT) == (4096, 10000)


def test_terminal_escapes_are_removed_from_messages_and_commands(tap):
    handler, events, logger = tap
    handler.command_log = []
    logger.warning("[web-1] \x1b[31mred\x1b[0m text")
    logger.debug("--> Running command on localhost: %s", "\x1b[1mls\x1b[0m -l")
    assert [e[1]["message"] for e in events.sent if e[0] == "log"] == ["red text"]
    assert [e["command"] for e in handler.command_log] == ["ls -l"]


class _Host:
    def __init__(self, name: str, op_hash: str | None) -> None:
        self.name = name
        self.current_op_hash = op_hash


def _record(level: int, message: str, path: str = "/x/pyinfra/api/host.py") -> logging.LogRecord:
    return logging.LogRecord("pyinfra", level, path, 1, message, None, None)


@pytest.mark.parametrize(
    ("phase", "fact_errors", "messages"),
    [("plan", ["careful"], []), ("prepare", ["careful"], []), ("execute", [], ["careful"])],
)
def test_a_warning_is_a_fact_error_before_execution_and_the_operations_message_during_it(
    tap, phase, fact_errors, messages
):
    from pyinfra.context import ctx_host

    handler, events, logger = tap
    handler.phase = phase
    handler.verbosity = 1
    with ctx_host.use(_Host("web-1", "op-1")):
        logger.warning("careful")
    assert handler.fact_errors.get("web-1", []) == fact_errors
    assert handler.ops("web-1", "op-1").notes.messages == messages
    [(_, event)] = [e for e in events.sent if e[0] == "log"]
    assert event == {
        "level": "warning",
        "message": "careful",
        "logger": "pyinfra",
        "host": "web-1",
        "op": "op-1",
    }


@pytest.mark.parametrize(("phase", "diff"), [("plan", ["Will create /srv"]), ("execute", [])])
def test_what_an_operation_says_while_it_is_generated_is_its_diff(tap, phase, diff):
    from pyinfra.context import ctx_host

    handler, _, logger = tap
    handler.phase = phase
    with ctx_host.use(_Host("web-1", "op-1")):
        logger.handle(_record(logging.INFO, "Will create /srv", "/x/pyinfra/operations/files.py"))
    assert handler.ops("web-1", "op-1").notes.diff == diff


def test_an_operation_being_staged_is_announced_with_all_its_names(tap):
    from pyinfra.context import ctx_host

    handler, events, logger = tap
    handler.phase = "plan"
    with ctx_host.use(_Host("web-1", None)):
        logger.debug("Adding operation, %s, opOrder=%s, opHash=%s", {"b", "a"}, (1,), "op-9")
    assert ("op_staged", {"host": "web-1", "op": "a, b"}) in events.sent
    assert handler.ops("web-1", "op-9").notes.names == ["a", "b"]


@pytest.mark.parametrize(("verbosity", "forwarded"), [(1, []), (2, ["Will create /srv"])])
def test_an_operations_output_is_shown_from_vv_only(tap, verbosity, forwarded):
    """-v shows pyinfra's info lines, but what an operation says while it is generated (its diff,
    kept for the delta) only from -vv."""
    from pyinfra.context import ctx_host

    handler, events, logger = tap
    handler.phase = "plan"
    handler.verbosity = verbosity
    with ctx_host.use(_Host("web-1", "op-1")):
        logger.handle(_record(logging.INFO, "Will create /srv", "/x/pyinfra/operations/files.py"))
        logger.info("connected")  # not an operation's output: shown from -v
    messages = [e[1]["message"] for e in events.sent if e[0] == "log"]
    assert messages == [*forwarded, "connected"]
