"""Log capture: the ``pyinfra`` logger, read for what it says about each operation and
forwarded to the core as ``log`` events at the requested verbosity."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from contextlib import suppress
from typing import Any

from chaos.host import pyinfra_adapter as pa
from chaos.host.operations import OUTPUT_TAIL_LINES, OpTable
from chaos.host.wire import Channel

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_HOST_PREFIX = re.compile(r"^\[([^\]]+)\]")

# The logbook's ordered facts and commands (apply.prepare ``command_log``): at most this many
# entries per session, each command cut to this many characters.
COMMAND_LOG_LIMIT = 10000
COMMAND_TEXT_LIMIT = 4096
_FACT = "Getting fact: "
_RUNNING = re.compile(r"^(?:--> )?Running command on ([^:]+): (?:\(pty=\w+\) )?(.*)$", re.DOTALL)

# verbosity -> lowest pyinfra log level forwarded as ``log`` events
FORWARD_LEVEL = {0: logging.WARNING, 1: logging.INFO, 2: logging.INFO, 3: logging.DEBUG}


class PyinfraLogTap(logging.Handler):
    """Captures the ``pyinfra`` logger: structured facts go to the session's notes, the rest
    is forwarded as ``log`` events at the requested verbosity."""

    def __init__(self, channel: Channel) -> None:
        super().__init__(level=logging.DEBUG)
        self.channel = channel
        self.ops = OpTable()
        self.phase: str | None = None
        self.verbosity = 0
        self.host_names: set[str] = set()
        # host -> pyinfra's warnings and errors while the current role ran (prepare and plan)
        self.fact_errors: dict[str, list[str]] = defaultdict(list)
        # The facts read and commands run, in order, for the logbook; None: not recorded.
        self.command_log: list[dict[str, Any]] | None = None

    def install(self) -> None:
        logger = pa.pyinfra_logger()
        if self not in logger.handlers:
            logger.addHandler(self)
        logger.setLevel(logging.DEBUG)
        # The core renders output; nothing from pyinfra goes to the terminal directly.
        logger.propagate = False

    def reset(self, verbosity: int, host_names: set[str], ops: OpTable) -> None:
        self.ops = ops
        self.fact_errors = defaultdict(list)
        self.phase = None
        self.verbosity = verbosity
        self.host_names = host_names

    def handleError(self, record: logging.LogRecord) -> None:
        # A broken reply pipe surfaces on the next reply; never print to the user's terminal.
        pass

    def _log_command(self, record: logging.LogRecord) -> None:
        """pyinfra's debug lines about facts and commands, as the original's logbook kept them:
        context ``fact_gathering`` or ``running_command_on_<host>``."""
        if len(self.command_log) >= COMMAND_LOG_LIMIT or not isinstance(record.msg, str):
            return
        if not (record.msg.startswith(_FACT) or "Running command on" in record.msg):
            return
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return
        if message.startswith(_FACT):
            context, command = "fact_gathering", message[len(_FACT) :]
        else:
            match = _RUNNING.match(message)
            if match is None:
                return
            context, command = f"running_command_on_{match.group(1)}", match.group(2)
        self.command_log.append(
            {
                "timestamp": record.created,
                "log_level": record.levelname,
                "context": context,
                "command": _ANSI.sub("", command)[:COMMAND_TEXT_LIMIT],
            }
        )

    def emit(self, record: logging.LogRecord) -> None:
        if self.command_log is not None and record.levelno == logging.DEBUG:
            self._log_command(record)
        if (
            record.levelno < logging.INFO
            and self.verbosity < 3
            and not pa.debug_record_wanted(record)
        ):
            return
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        host, op_hash = pa.record_context(record)
        name = pa.host_name(host) if host is not None else None
        kind, data = pa.classify_record(record, message)
        if name is None:
            # Connecting runs outside any host context; the host is only in the text.
            match = _HOST_PREFIX.match(message)
            if match and match.group(1) in self.host_names:
                name = match.group(1)
        message = _ANSI.sub("", pa.strip_host_prefix(message, name)).rstrip()

        consumed = kind != "other"
        if name is not None:
            if record.levelno >= logging.WARNING and self.phase in ("prepare", "plan"):
                # Outside execution a warning or error is about a fact (pyinfra logs the
                # fact's command output, then "could not load fact: ..."): kept in case the
                # host turns out to be failed by it.
                errors = self.fact_errors[name]
                errors.append(message)
                del errors[:-OUTPUT_TAIL_LINES]
            if kind == "op_added":
                self.ops(name, data[0]).notes.names = data[1]
                if self.phase == "plan":
                    # What is being staged (and its facts read), for the core's progress line.
                    with suppress(OSError):
                        self.channel.event("op_staged", host=name, op=", ".join(data[1]))
            elif kind == "exit_status" and op_hash:
                self.ops(name, op_hash).notes.exit_code = data
            elif kind == "noop" and op_hash:
                self.ops(name, op_hash).notes.noop = data
            elif kind == "op_output" and op_hash and self.phase == "plan":
                self.ops(name, op_hash).notes.diff.append(message)
            if self.phase == "execute" and op_hash and record.levelno >= logging.WARNING:
                self.ops(name, op_hash).notes.messages.append(message)

        if record.levelno < FORWARD_LEVEL.get(self.verbosity, logging.WARNING):
            return
        if (
            self.verbosity == 0
            and op_hash
            and self.phase == "execute"
            and record.levelno >= logging.ERROR
        ):
            return  # a failing operation's errors are in its own report (``messages``)
        # Below -vv, what operations say while being prepared (diffs, noop reasons) stays out.
        if consumed and self.verbosity < 2:
            return
        event: dict[str, Any] = {
            "level": record.levelname.lower(),
            "message": message,
            "logger": record.name,
        }
        if name is not None:
            event["host"] = name
        if op_hash:
            event["op"] = op_hash
        try:
            self.channel.event("log", **event)
        except OSError:
            pass
