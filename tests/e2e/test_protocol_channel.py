"""The role-host protocol channel (issue 8, item 12): plugin code cannot reach it by writing to
the descriptors it would guess, and whatever does arrive on it is decoded through one checked
path: a malformed or unexpected message ends the run with a protocol error naming the
message, and the --json report and the run's record are still written."""

from __future__ import annotations

import json

import jsonschema
from support import logbook
from support.environments import ROOT
from support.wheelkit import write_wheel

SCHEMA = json.loads((ROOT / "docs" / "apply-report.schema.json").read_text())

FORGED_EVENT = {
    "type": "event",
    "event": "delta",
    "host": "@local",
    "role": "forged",
    "to_add": {"forged": ["x"]},
    "to_remove": {},
    "metadata": {},
    "empty": False,
}
FORGED_REPLY = {
    "type": "reply",
    "id": 2,
    "ok": True,
    "result": {"roles": [], "hosts": [], "deltas": [], "errors": [], "changes": False},
}

GUESSER = f"""
import json, os
from pyinfra.api.operation import add_op
from pyinfra.operations import files
from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role

FORGED = (json.dumps({FORGED_EVENT!r}) + "\\n" + json.dumps({FORGED_REPLY!r}) + "\\n").encode()

class Guesser(Role):
    def __init__(self):
        super().__init__(name="guesser")

    def delta(self, context=None):
        for fd in range(3, 11):
            try:
                os.write(fd, FORGED)
            except OSError:
                pass
        return Delta(to_add={{"dirs": ["real"]}})

    def plan(self, state, host, delta):
        add_op(state, files.directory, name="real directory", path=os.environ["REAL_DIR"], host=host)
"""


def test_a_plugin_writing_to_descriptors_3_to_10_reaches_nothing_of_the_protocol(
    chaos, plugin_env, tmp_path
):
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "guesser",
            entry_points={"chaos.roles": {"guesser": "guesser_role:Guesser"}},
            modules={"guesser_role.py": GUESSER},
        )
    )
    real = tmp_path / "real-dir"
    result = chaos.run("apply", "guesser", "-y", "--json", env={"REAL_DIR": str(real)})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    assert [d["role"] for d in report["hosts"][0]["deltas"]] == ["guesser"]
    assert "forged" not in result.stdout + result.stderr
    assert real.is_dir()


def channel_writer(line: str) -> str:
    """A role whose delta puts ``line`` on the real reply pipe, found the way only code inside
    the host's own process can (its Channel object)."""
    return f"""
import gc
from chaos.host.wire import Channel
from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role

class Writer(Role):
    def __init__(self):
        super().__init__(name="writer")

    def delta(self, context=None):
        channel = next(o for o in gc.get_objects() if isinstance(o, Channel))
        with channel._lock:
            import os
            os.write(channel._reply_fd, {(line + chr(10)).encode()!r})
        return Delta(to_add={{"x": ["y"]}})

    def plan(self, state, host, delta):
        pass
"""


def run_writer(chaos, plugin_env, tmp_path, line: str):
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "writer",
            entry_points={"chaos.roles": {"writer": "writer_role:Writer"}},
            modules={"writer_role.py": channel_writer(line)},
        )
    )
    result = chaos.run("apply", "writer", "-y", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    record = logbook.last_run(chaos.workdir / "state")
    assert (
        record["exit_code"] == 1 and record["tags"] == ["writer"] and record["status"] == "failure"
    )
    return result, report


def test_a_wrongly_typed_message_is_a_protocol_error_and_the_run_is_still_reported(
    chaos, plugin_env, tmp_path
):
    line = json.dumps({**FORGED_EVENT, "host": 5})
    result, report = run_writer(chaos, plugin_env, tmp_path, line)
    messages = [e.get("message", "") for e in report["errors"]]
    assert any("protocol error" in m and "delta.host must be string" in m for m in messages), (
        messages
    )
    assert any('"host": 5' in m for m in messages), messages
    assert "protocol error" in result.stderr


def test_a_reply_to_no_request_is_a_protocol_error(chaos, plugin_env, tmp_path):
    line = json.dumps({"type": "reply", "id": 99, "ok": True, "result": {}})
    _, report = run_writer(chaos, plugin_env, tmp_path, line)
    messages = [e.get("message", "") for e in report["errors"]]
    assert any("not expected during apply.prepare" in m and '"id": 99' in m for m in messages), (
        messages
    )


def test_a_line_that_is_not_json_is_quoted_escaped(chaos, plugin_env, tmp_path):
    result, report = run_writer(chaos, plugin_env, tmp_path, "\x1b[2Jnot json at all")
    messages = [e.get("message", "") for e in report["errors"]]
    assert any("not JSON" in m and "\\x1b[2Jnot json" in m for m in messages), messages
    assert "\x1b" not in result.stderr
