"""apply.prepare / apply.plan / apply.execute against real pyinfra on @local."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path

import pytest

FILES_ROLE = """
import io
import os

from pyinfra.api.operation import add_op
from pyinfra.operations import files

from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role


class FilesRole(Role):
    def __init__(self):
        super().__init__(name="Scratch files")

    def get_context(self, state, host, chobolo, secrets):
        return {"dir": chobolo["scratch"]["dir"], "want": chobolo["scratch"]["files"]}

    def delta(self, context):
        missing = [
            name for name in context["want"]
            if not os.path.exists(os.path.join(context["dir"], name))
        ]
        return Delta(to_add={"files": missing}, metadata={"dir": context["dir"]})

    def plan(self, state, host, delta):
        for name in delta.to_add["files"]:
            add_op(
                state,
                files.put,
                name=f"Create {name}",
                src=io.StringIO(f"content of {name}\\n"),
                dest=os.path.join(delta.metadata["dir"], name),
            )
        return ResultPayload(True, message="planned")
"""

SHELL_ROLES = """
from pyinfra.api.operation import add_op
from pyinfra.operations import server

from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role


class Failing(Role):
    def __init__(self):
        super().__init__(name="Failing shell")

    def plan(self, state, host, delta):
        add_op(
            state,
            server.shell,
            name="Break on purpose",
            commands=["echo partial-output; echo first-problem >&2; echo it-broke >&2; exit 3"],
        )


class Chatty(Role):
    def __init__(self):
        super().__init__(name="Chatty failure")

    def plan(self, state, host, delta):
        add_op(
            state,
            server.shell,
            name="Fail after much output",
            commands=["for i in $(seq 1 30); do echo out-$i; echo err-$i >&2; done; exit 1"],
        )


class Sleeper(Role):
    def __init__(self):
        super().__init__(name="Sleeper")

    def plan(self, state, host, delta):
        add_op(state, server.shell, name="Sleep", commands=["sleep 29.75"])


class Stubborn(Role):
    def __init__(self):
        super().__init__(name="Stubborn")

    def plan(self, state, host, delta):
        # Ignores SIGTERM (the shell and the sleep it starts): only SIGKILL ends it.
        add_op(state, server.shell, name="Stubborn", commands=["trap '' TERM; sleep 299.5"])


class LeavesOrphan(Role):
    def __init__(self):
        super().__init__(name="Leaves an orphan")

    def plan(self, state, host, delta):
        # The shell pyinfra runs exits at once; its background sleep is orphaned.
        add_op(state, server.shell, name="Orphan", commands=["sleep 298.5 >/dev/null 2>&1 &"])


class DeltaRaises(Role):
    def __init__(self):
        super().__init__(name="Delta raises")

    def delta(self, context):
        raise KeyError("missing-thing")

    def plan(self, state, host, delta):
        raise AssertionError("never planned")


class PlanFails(Role):
    def __init__(self):
        super().__init__(name="Plan fails")

    def plan(self, state, host, delta):
        from chaos.lib.args.dataclasses import ResultPayload

        return ResultPayload(False, error=["package database locked"])


class PlanRaises(Role):
    def __init__(self):
        super().__init__(name="Plan raises")

    def plan(self, state, host, delta):
        raise RuntimeError("cannot plan this")


class ReadsHostData(Role):
    def __init__(self):
        super().__init__(name="Host data")

    def get_context(self, state, host, chobolo, secrets):
        return {"colour": host.data.get("colour"), "secret": secrets.get("token")}

    def delta(self, context):
        return Delta(to_add={"seen": [context["colour"], context["secret"]]})

    def plan(self, state, host, delta):
        pass
"""

LEGACY_ROLE = """
import os

from omegaconf import OmegaConf
from pyinfra.api.operation import add_op
from pyinfra.operations import files


def make_dir(state, host, chobolo_path, skip_confirm):
    cfg = OmegaConf.load(chobolo_path)
    if not skip_confirm:
        input("Create the directory? ")
    print(f"legacy role planning on {host.name}")
    add_op(state, files.directory, name="Legacy directory", path=cfg.legacy.dir)
"""


@pytest.fixture
def scratch(tmp_path):
    path = tmp_path / "scratch"
    path.mkdir()
    return path


def _chobolo(tmp_path: Path, text: str) -> str:
    path = tmp_path / "chobolo.yml"
    path.write_text(text)
    return str(path)


def _files_chobolo(tmp_path: Path, scratch: Path) -> str:
    return _chobolo(
        tmp_path,
        f"base: {scratch}\nscratch:\n  dir: ${{base}}\n  files: [a.txt, b.txt]\n",
    )


def _events(events, name):
    return [e for e in events if e["event"] == name]


def _run_files_role(host, chobolo):
    """prepare + plan + execute; returns (prepare, plan, execute) results and all events."""
    roles = [{"tag": "files", "target": "filesrole:FilesRole", "plugin": "files-plugin"}]
    prepare, ev1 = host.request("apply.prepare", {"roles": roles, "chobolo_path": chobolo})
    assert prepare["ok"], prepare
    plan, ev2 = host.request("apply.plan", {})
    assert plan["ok"], plan
    execute, ev3 = host.request("apply.execute", {})
    assert execute["ok"], execute
    return prepare["result"], plan["result"], execute["result"], ev1 + ev2 + ev3


def test_class_role_creates_files_then_reports_no_delta(make_host, plugin_dir, tmp_path, scratch):
    plugin_dir("filesrole", FILES_ROLE)
    chobolo = _files_chobolo(tmp_path, scratch)
    host = make_host()

    prepare, plan, execute, events = _run_files_role(host, chobolo)

    assert prepare["roles"] == [
        {
            "tag": "files",
            "entry_point": "filesrole:FilesRole",
            "plugin": "files-plugin",
            "kind": "class",
            "name": "Scratch files",
            "needs_secrets": False,
            "necessary_secret_dict_keys": [],
            "necessary_chobolo_keys": [],
        }
    ]
    assert prepare["hosts"] == [{"name": "@local", "connected": True}]
    # The interpolation ${base} was resolved before the role saw the Ch-obolo.
    [delta] = prepare["deltas"]
    assert delta == {
        "host": "@local",
        "role": "files",
        "to_add": {"files": ["a.txt", "b.txt"]},
        "to_remove": {},
        "metadata": {"dir": str(scratch)},
        "empty": False,
    }
    assert _events(events, "delta")[0]["to_add"] == {"files": ["a.txt", "b.txt"]}
    assert prepare["changes"] is True

    ops = plan["hosts"]["@local"]
    assert [op["name"] for op in ops] == ["Create a.txt", "Create b.txt"]
    assert all(op["will_change"] for op in ops)
    assert all(op["role"] == "files" for op in ops)
    assert "Will create" in ops[0]["diff"] and "+ content of a.txt" in ops[0]["diff"]
    assert plan["results"][0]["ok"] is True
    assert plan["results"][0]["result"]["message"] == ["planned"]
    assert plan["changes"] is True

    assert execute["success"] is True
    local = execute["hosts"]["@local"]
    assert (local["changed"], local["no_change"], local["failed"]) == (2, 0, 0)
    assert [op["status"] for op in local["ops"]] == ["changed", "changed"]
    assert (scratch / "a.txt").read_text() == "content of a.txt\n"
    assert (scratch / "b.txt").exists()
    starts, dones = _events(events, "op_start"), _events(events, "op_done")
    assert [e["op"] for e in starts] == ["Create a.txt", "Create b.txt"]
    assert [e["status"] for e in dones] == ["changed", "changed"]
    assert all(e["duration_s"] >= 0 for e in dones)
    order = [(e["event"], e.get("op")) for e in events if e["event"] in ("op_start", "op_done")]
    assert order == [
        ("op_start", "Create a.txt"),
        ("op_done", "Create a.txt"),
        ("op_start", "Create b.txt"),
        ("op_done", "Create b.txt"),
    ]

    # A second full run in the same host process: nothing left to do.
    prepare2, plan2, execute2, _ = _run_files_role(host, chobolo)
    assert prepare2["deltas"][0]["empty"] is True
    assert prepare2["changes"] is False
    assert plan2["hosts"]["@local"] == []
    assert execute2["hosts"]["@local"]["changed"] == 0


def _plan_files_role(make_host, plugin_dir, tmp_path, scratch, **prepare):
    """A host that prepared (with ``prepare``'s parameters) and planned the files role."""
    plugin_dir("filesrole", FILES_ROLE)
    chobolo = _files_chobolo(tmp_path, scratch)
    host = make_host()
    roles = [{"tag": "files", "target": "filesrole:FilesRole"}]
    host.call("apply.prepare", {"roles": roles, "chobolo_path": chobolo, **prepare})
    return host, host.call("apply.plan", {})


def test_without_diff_the_plan_shows_no_file_diffs(make_host, plugin_dir, tmp_path, scratch):
    _, plan = _plan_files_role(make_host, plugin_dir, tmp_path, scratch, diff=False)
    ops = plan["hosts"]["@local"]
    # Changes are still predicted (detection is on); only the diffs are not asked for.
    assert [(op["name"], op["will_change"]) for op in ops] == [
        ("Create a.txt", True),
        ("Create b.txt", True),
    ]
    assert not [op for op in ops if "diff" in op]


def test_dry_run_plans_without_touching_disk(make_host, plugin_dir, tmp_path, scratch):
    host, plan = _plan_files_role(make_host, plugin_dir, tmp_path, scratch, dry=True)
    assert [op["will_change"] for op in plan["hosts"]["@local"]] == [True, True]
    reply, _ = host.request("apply.execute", {})
    assert reply["error"] == {
        "kind": "bad_state",
        "message": "the session was prepared with dry=true",
    }
    assert host.call("shutdown") == {}
    assert host.wait() == 0
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"verbosity": 4}, "'verbosity' must be 0..3"),
        ({"verbosity": -1}, "'verbosity' must be 0..3"),
        ({"parallel": -1}, "'parallel' must be >= 0"),
    ],
)
def test_prepare_refuses_a_verbosity_or_parallelism_out_of_range(make_host, params, said):
    host = make_host()
    reply, _ = host.request("apply.prepare", {"roles": [], **params})
    assert reply["error"] == {"kind": "bad_params", "message": said}


def test_requests_out_of_order_name_the_stage_needed_and_the_stage_it_is(
    make_host, plugin_dir, tmp_path, scratch
):
    plugin_dir("filesrole", FILES_ROLE)
    chobolo = _files_chobolo(tmp_path, scratch)
    host = make_host()
    roles = [{"tag": "files", "target": "filesrole:FilesRole"}]
    host.call("apply.prepare", {"roles": roles, "chobolo_path": chobolo})
    reply, _ = host.request("apply.execute", {})
    assert reply["error"] == {
        "kind": "bad_state",
        "message": "this request needs an apply session in stage planned; it is prepared",
    }
    host.call("apply.plan", {})
    reply, _ = host.request("apply.plan", {})
    assert reply["error"] == {
        "kind": "bad_state",
        "message": "this request needs an apply session in stage prepared; it is planned",
    }
    host.call("apply.execute", {})  # the session ends with its execute
    reply, _ = host.request("apply.plan", {})
    assert reply["error"] == {
        "kind": "bad_state",
        "message": "no apply session: send apply.prepare first",
    }


def test_legacy_role_with_skip_confirm(make_host, plugin_dir, tmp_path):
    plugin_dir("legacyrole", LEGACY_ROLE)
    target = tmp_path / "made-by-legacy"
    chobolo = _chobolo(tmp_path, f"legacy:\n  dir: {target}\n")
    host = make_host()
    prepare = host.call(
        "apply.prepare",
        {
            "roles": [{"tag": "legacy", "target": "legacyrole:make_dir"}],
            "chobolo_path": chobolo,
            "skip_confirm": True,
        },
    )
    assert prepare["roles"][0]["kind"] == "legacy"
    assert prepare["deltas"] == []
    assert prepare["changes"] is True
    # Told to go ahead regardless: no change detection, as pyinfra's CLI does with -y.
    assert prepare["detect_changes"] is False
    plan = host.call("apply.plan", {})
    [op] = plan["hosts"]["@local"]
    assert op["name"] == "Legacy directory" and "will_change" not in op
    assert op["role"] == "legacy"
    assert plan["changes"] is True
    execute = host.call("apply.execute", {})
    assert execute["hosts"]["@local"]["changed"] == 1
    assert target.is_dir()
    # The legacy role printed on the real terminal (stdout), not on the protocol pipe.
    assert "legacy role planning on @local" in host.stdout()


def test_failing_op_reports_details_and_other_roles_still_run(
    make_host, plugin_dir, tmp_path, scratch
):
    plugin_dir("filesrole", FILES_ROLE)
    plugin_dir("shellroles", SHELL_ROLES)
    chobolo = _files_chobolo(tmp_path, scratch)
    host = make_host()
    host.call(
        "apply.prepare",
        {
            "roles": [
                {"tag": "files", "target": "filesrole:FilesRole"},
                {"tag": "breaks", "target": "shellroles:Failing", "plugin": "shell-plugin"},
            ],
            "chobolo_path": chobolo,
        },
    )
    plan = host.call("apply.plan", {})
    assert [op["role"] for op in plan["hosts"]["@local"]] == ["files", "files", "breaks"]
    reply, events = host.request("apply.execute", {})
    assert reply["ok"], reply
    result = reply["result"]
    local = result["hosts"]["@local"]
    assert (local["changed"], local["failed"]) == (2, 1)
    assert result["success"] is False
    # pyinfra stopped once its only host had failed, and said so: the run's error.
    assert result["error"] == "PyinfraError: No hosts remaining!"
    failed = local["ops"][2]
    assert failed["status"] == "failed"
    assert failed["op"] == "Break on purpose"
    assert failed["role"] == "breaks"
    assert failed["exit_code"] == 3
    assert failed["stderr_tail"] == ["first-problem", "it-broke"]
    assert failed["stdout_tail"] == ["partial-output"]
    assert "exit 3" in failed["command"]
    assert failed["ignored"] is False
    # pyinfra logs the output it read; messages are what it said besides (not again the output).
    assert not {"partial-output", "first-problem", "it-broke"} & set(failed["messages"])
    [done_event] = [e for e in _events(events, "op_done") if e["status"] == "failed"]
    assert done_event["exit_code"] == 3 and done_event["host"] == "@local"
    assert (scratch / "a.txt").exists() and (scratch / "b.txt").exists()


def test_role_raising_in_delta_does_not_hide_other_roles(make_host, plugin_dir, tmp_path, scratch):
    plugin_dir("filesrole", FILES_ROLE)
    plugin_dir("shellroles", SHELL_ROLES)
    chobolo = _files_chobolo(tmp_path, scratch)
    host = make_host()
    reply, events = host.request(
        "apply.prepare",
        {
            "roles": [
                {"tag": "raises", "target": "shellroles:DeltaRaises", "plugin": "shell-plugin"},
                {"tag": "files", "target": "filesrole:FilesRole"},
            ],
            "chobolo_path": chobolo,
            # The other roles are planned despite the failure only with keep_going (without
            # it nothing runs on the host: tests/host/test_host_apply_safety.py).
            "keep_going": True,
        },
    )
    assert reply["ok"], reply
    result = reply["result"]
    [error] = result["errors"]
    assert error["kind"] == "role_error"
    assert error["phase"] == "delta"
    assert error["role"] == "raises" and error["host"] == "@local"
    assert error["plugin"] == "shell-plugin"
    assert error["entry_point"] == "shellroles:DeltaRaises"
    assert "missing-thing" in error["message"]
    assert "raise KeyError" in error["traceback"]
    assert _events(events, "role_error")[0]["error"] == error
    assert [d["role"] for d in result["deltas"]] == ["files"]
    plan = host.call("apply.plan", {})
    assert [op["role"] for op in plan["hosts"]["@local"]] == ["files", "files"]


def test_plan_errors_are_per_role(make_host, plugin_dir, tmp_path, scratch):
    plugin_dir("filesrole", FILES_ROLE)
    plugin_dir("shellroles", SHELL_ROLES)
    chobolo = _files_chobolo(tmp_path, scratch)
    host = make_host()
    host.call(
        "apply.prepare",
        {
            "roles": [
                {"tag": "raises", "target": "shellroles:PlanRaises"},
                {"tag": "fails", "target": "shellroles:PlanFails"},
                {"tag": "files", "target": "filesrole:FilesRole"},
            ],
            "chobolo_path": chobolo,
            "keep_going": True,  # every role planned; without it the first failure stops
        },
    )
    plan = host.call("apply.plan", {})
    kinds = {(e["role"], e["kind"], e["phase"]) for e in plan["errors"]}
    assert kinds == {("raises", "role_error", "plan"), ("fails", "plan_failed", "plan")}
    [failed] = [e for e in plan["errors"] if e["kind"] == "plan_failed"]
    assert failed["message"] == "package database locked"
    assert [r["ok"] for r in plan["results"]] == [False, False, True]
    assert len(plan["hosts"]["@local"]) == 2


def test_import_errors_are_all_reported(make_host, plugin_dir, tmp_path):
    plugin_dir("filesrole", FILES_ROLE)
    plugin_dir("syntaxrole", "class Broken(:\n    pass\n")
    host = make_host()
    reply, _ = host.request(
        "apply.prepare",
        {
            "roles": [
                {"tag": "gone", "target": "no_such_plugin_mod:Role", "plugin": "gone-plugin"},
                {"tag": "files", "target": "filesrole:FilesRole"},
                {"tag": "syntax", "target": "syntaxrole:Broken", "plugin": "syntax-plugin"},
            ]
        },
    )
    assert reply["ok"] is False
    error = reply["error"]
    assert error["kind"] == "plugin_import"
    assert error["role"] == "gone" and error["plugin"] == "gone-plugin"
    assert error["entry_point"] == "no_such_plugin_mod:Role"
    assert "no_such_plugin_mod" in error["message"]
    assert [e["role"] for e in error["errors"]] == ["gone", "syntax"]
    assert "SyntaxError" in error["errors"][1]["message"]
    assert error["errors"][1]["traceback"]
    # The host is still usable.
    assert host.call("shutdown") == {}


def test_chobolo_errors_name_the_file(make_host, plugin_dir, tmp_path):
    plugin_dir("filesrole", FILES_ROLE)
    host = make_host()
    roles = [{"tag": "files", "target": "filesrole:FilesRole"}]
    bad_ref = _chobolo(tmp_path, "a: ${nowhere}\n")
    reply, _ = host.request("apply.prepare", {"roles": roles, "chobolo_path": bad_ref})
    assert reply["error"]["kind"] == "chobolo"
    assert reply["error"]["file"] == bad_ref
    assert reply["error"]["key"] == "a"
    assert "nowhere" in reply["error"]["message"]

    bad_yaml = _chobolo(tmp_path, "a: 1\nb: [1, 2\n")
    reply, _ = host.request("apply.prepare", {"roles": roles, "chobolo_path": bad_yaml})
    assert reply["error"]["kind"] == "chobolo"
    assert (reply["error"]["line"], reply["error"]["column"]) == (3, 1)

    missing = str(tmp_path / "nope.yml")
    reply, _ = host.request("apply.prepare", {"roles": roles, "chobolo_path": missing})
    assert reply["error"]["kind"] == "chobolo" and reply["error"]["file"] == missing


def test_host_data_and_secrets_reach_the_role(make_host, plugin_dir):
    plugin_dir("shellroles", SHELL_ROLES)
    host = make_host()
    prepare = host.call(
        "apply.prepare",
        {
            "roles": [{"tag": "data", "target": "shellroles:ReadsHostData"}],
            "hosts": [["@local", {"colour": "blue"}]],
            "secrets": {"data": {"token": "s3cr3t"}},
        },
    )
    assert prepare["deltas"][0]["to_add"] == {"seen": ["blue", "s3cr3t"]}


def test_a_failed_operation_keeps_the_last_20_lines_of_each_stream(make_host, plugin_dir):
    plugin_dir("shellroles", SHELL_ROLES)
    host = make_host()
    host.call("apply.prepare", {"roles": [{"tag": "chatty", "target": "shellroles:Chatty"}]})
    host.call("apply.plan", {})
    failed = host.call("apply.execute", {})["hosts"]["@local"]["ops"][0]
    assert failed["status"] == "failed"
    assert failed["stdout_tail"] == [f"out-{i}" for i in range(11, 31)]
    assert failed["stderr_tail"] == [f"err-{i}" for i in range(11, 31)]


def test_sigint_during_a_long_operation_exits_130(make_host, plugin_dir, monkeypatch):
    plugin_dir("shellroles", SHELL_ROLES)
    # Every process of this run (the host, pyinfra's shell, the sleep) inherits this value; the
    # leftover check below counts only those, so another run of this test on the machine at
    # the same time (a parallel mutmut worker, someone else's test run) cannot fail this one.
    marker = f"CHAOS_TEST_SIGINT_RUN={os.getpid()}-{time.monotonic_ns()}".encode()
    monkeypatch.setenv(*marker.decode().split("=", 1))
    host = make_host()
    host.call("apply.prepare", {"roles": [{"tag": "sleep", "target": "shellroles:Sleeper"}]})
    host.call("apply.plan", {})
    request_id = host.send_request("apply.execute", {})
    while True:
        message = host.read(timeout=30)
        assert message is not None and message["type"] == "event", message
        if message["event"] == "op_start":
            break
    time.sleep(0.3)
    started = time.monotonic()
    os.kill(host.proc.pid, signal.SIGINT)
    reply, _ = host.wait_reply(request_id, timeout=10)
    assert reply["ok"] is False
    assert reply["error"]["kind"] == "interrupted"
    partial = reply["error"]["partial"]
    [sleep] = partial["hosts"]["@local"]["ops"]
    assert (sleep["op"], sleep["status"]) == ("Sleep", "interrupted")
    assert partial["hosts"]["@local"]["interrupted"] == 1
    assert partial["success"] is False
    assert host.wait(timeout=10) == 130
    assert time.monotonic() - started < 5
    assert "Traceback" not in host.stderr()
    # The command pyinfra was running was interrupted too.
    assert _running_with(marker, b"29.75") == []


# A role whose phases each wait (a while at most) until what it printed is in the host's stdout
# file, and fail if it never gets there.
PRINTING_ROLE = """
import os
import time

from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role


def _until_on_stdout(text):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with open(os.environ["CHAOS_TEST_STDOUT"]) as f:
            if text in f.read():
                return
        time.sleep(0.02)
    raise RuntimeError(f"{text!r} is not on stdout yet")


class Printing(Role):
    def __init__(self):
        super().__init__(name="Printing")

    def get_context(self, state, host, chobolo, secrets):
        print("no newline after get_context", end="")
        return {}

    def delta(self, context):
        _until_on_stdout("no newline after get_context")
        return Delta(to_add={"printed": [1]})

    def plan(self, state, host, delta):
        print("a whole line from plan")
        _until_on_stdout("a whole line from plan")
"""


def test_what_a_role_prints_reaches_stdout_while_the_role_runs(
    make_host, plugin_dir, tmp_path, monkeypatch
):
    """Plugin output is seen when printed (the core passes it to the terminal), not when the
    host exits: a whole line at once (line buffering on the host's pipe), a partial line as soon
    as the phase that printed it returns."""
    plugin_dir("printing", PRINTING_ROLE)
    monkeypatch.setenv("CHAOS_TEST_STDOUT", str(tmp_path / "host.stdout"))
    # The core does not set it; with it, Python's stdout would be unbuffered anyway.
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    host = make_host()
    roles = [{"tag": "printing", "target": "printing:Printing"}]
    prepare = host.call("apply.prepare", {"roles": roles})
    assert prepare["deltas"][0]["role"] == "printing", prepare
    plan = host.call("apply.plan", {})
    assert plan["failed_roles"] == {}, plan


# A role whose plan swallows KeyboardInterrupt and goes on (for a minute at most).
DEAF_ROLE = """
import time

from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role


class Deaf(Role):
    def __init__(self):
        super().__init__(name="Deaf")

    def delta(self, context):
        return Delta(to_add={"deaf": [1]})

    def plan(self, state, host, delta):
        print("deaf plan started", flush=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                time.sleep(0.05)
            except KeyboardInterrupt:
                pass
"""


def test_sigint_ends_the_host_even_when_role_code_swallows_the_interrupt(
    make_host, plugin_dir, tmp_path
):
    """The first SIGINT arms a watchdog: the host exits with 130 a grace period later whatever
    the role does with the KeyboardInterrupt."""
    plugin_dir("deaf", DEAF_ROLE)
    host = make_host()
    host.call("apply.prepare", {"roles": [{"tag": "deaf", "target": "deaf:Deaf"}]})
    host.send_request("apply.plan", {})
    assert _wait_until(lambda: "deaf plan started" in host.stdout())
    os.kill(host.proc.pid, signal.SIGINT)
    assert host.wait(timeout=30) == 130


# Two roles: "quick" is done at once; "slow" sleeps in the phase CHAOS_TEST_SLOW_PHASE names
# (get_context or plan) until interrupted.
TWO_PACE_ROLES = """
import os
import time

from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role


class Quick(Role):
    def __init__(self):
        super().__init__(name="Quick")

    def delta(self, context):
        return Delta(to_add={"quick": [1]})

    def plan(self, state, host, delta):
        pass


class Slow(Quick):
    def __init__(self):
        Role.__init__(self, name="Slow")

    def _maybe_sleep(self, phase):
        if os.environ["CHAOS_TEST_SLOW_PHASE"] == phase:
            print(f"slow {phase} started", flush=True)
            time.sleep(60)

    def get_context(self, state, host, chobolo, secrets):
        self._maybe_sleep("get_context")
        return {}

    def plan(self, state, host, delta):
        self._maybe_sleep("plan")
"""


@pytest.mark.parametrize("phase", ["get_context", "plan"])
def test_an_interrupted_prepare_or_plan_reports_what_completed(
    make_host, plugin_dir, monkeypatch, phase
):
    plugin_dir("twopace", TWO_PACE_ROLES)
    monkeypatch.setenv("CHAOS_TEST_SLOW_PHASE", phase)
    host = make_host()
    roles = [
        {"tag": "quick", "target": "twopace:Quick"},
        {"tag": "slow", "target": "twopace:Slow"},
    ]
    if phase == "get_context":
        request_id = host.send_request("apply.prepare", {"roles": roles})
    else:
        host.call("apply.prepare", {"roles": roles})
        request_id = host.send_request("apply.plan", {})
    assert _wait_until(lambda: f"slow {phase} started" in host.stdout())
    os.kill(host.proc.pid, signal.SIGINT)
    reply, _ = host.wait_reply(request_id, timeout=10)
    assert reply["error"]["kind"] == "interrupted", reply
    partial = reply["error"]["partial"]
    if phase == "get_context":
        assert [d["role"] for d in partial["deltas"]] == ["quick"], partial
    else:
        assert [(r["role"], r["ok"]) for r in partial["results"]] == [("quick", True)], partial
    assert partial["errors"] == []
    assert host.wait(timeout=10) == 130


def _running_with(marker: bytes, needle: bytes) -> list[int]:
    """The live (not zombie) processes whose command line has ``needle`` and whose environment
    has ``marker``: this test run's, whoever else runs the same test on the machine."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if needle in cmdline and marker in environ and state != b"Z":
            found.append(int(pid))
    return found


def _wait_until(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_host_whose_parent_dies_stops_its_commands_and_exits(
    start_host, plugin_dir, tmp_path, monkeypatch
):
    """The host asks the kernel for SIGTERM when its parent (the core) dies, even by SIGKILL,
    because a running execute only reads its request pipe between requests. Here the parent is
    a shell between the test and the host; killing it must stop the command pyinfra is running
    (one that ignores SIGTERM: it gets SIGKILL after the grace period) and end the host."""
    plugin_dir("shellroles", SHELL_ROLES)
    marker = f"CHAOS_TEST_PDEATH_RUN={os.getpid()}-{time.monotonic_ns()}".encode()
    monkeypatch.setenv(*marker.decode().split("=", 1))
    pidfile = tmp_path / "host.pid"
    parent = tmp_path / "parent-shell"
    parent.write_text(f'#!/bin/sh\n"{sys.executable}" "$@" &\necho $! > "{pidfile}"\nwait\n')
    parent.chmod(0o755)
    host = start_host(python=str(parent))
    host.handshake([plugin_dir.path])
    host.call("apply.prepare", {"roles": [{"tag": "stubborn", "target": "shellroles:Stubborn"}]})
    host.call("apply.plan", {})
    host.send_request("apply.execute", {})
    while True:
        message = host.read(timeout=30)
        assert message is not None and message["type"] == "event", message
        if message["event"] == "op_start":
            break
    assert _wait_until(lambda: _running_with(marker, b"299.5") != [])
    host_pid = int(pidfile.read_text())
    assert host_pid in _running_with(marker, b"chaos.host")
    os.kill(host.proc.pid, signal.SIGKILL)  # the parent shell, not the host
    try:
        # No reply (nobody may be reading): the reply pipe just ends.
        while (message := host.read(timeout=30)) is not None:
            assert message["type"] == "event", message
        assert _wait_until(lambda: host_pid not in _running_with(marker, b"chaos.host"))
        assert _wait_until(lambda: _running_with(marker, b"299.5") == [])
    finally:
        for pid in _running_with(marker, b"299.5") + _running_with(marker, b"chaos.host"):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_a_stopped_host_takes_the_orphans_of_its_commands_with_it(
    make_host, plugin_dir, monkeypatch
):
    """A command's background child outlives the shell that started it. The host is the
    subreaper of what it runs, so the orphan stays its descendant, and SIGTERM to the host (what
    the core's death sends) ends it too instead of leaving it running under init."""
    plugin_dir("shellroles", SHELL_ROLES)
    marker = f"CHAOS_TEST_ORPHAN_RUN={os.getpid()}-{time.monotonic_ns()}".encode()
    monkeypatch.setenv(*marker.decode().split("=", 1))
    host = make_host()
    try:
        host.call("apply.prepare", {"roles": [{"tag": "o", "target": "shellroles:LeavesOrphan"}]})
        host.call("apply.plan", {})
        execute = host.call("apply.execute", {})
        assert execute["success"] is True, execute
        [orphan] = _running_with(marker, b"298.5")
        status = Path(f"/proc/{orphan}/status").read_text()
        assert f"PPid:\t{host.proc.pid}\n" in status  # adopted by the host, not by init
        host.proc.send_signal(signal.SIGTERM)
        assert host.proc.wait(timeout=30) == 128 + signal.SIGTERM
        assert _wait_until(lambda: _running_with(marker, b"298.5") == [])
    finally:
        for pid in _running_with(marker, b"298.5"):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


# A pyinfra connector (found through its entry point, as pyinfra finds every connector) that
# runs on this machine like @local and leaves a file behind when pyinfra disconnects it.
MARKING_CONNECTOR = """
import os

from pyinfra.connectors.local import LocalConnector


class MarkingConnector(LocalConnector):
    @staticmethod
    def make_names_data(name=None):
        yield "@marking", {}, []

    def disconnect(self):
        with open(os.environ["CHAOS_TEST_DISCONNECTED"], "a") as f:
            f.write("disconnected\\n")
"""


def test_eof_during_a_session_disconnects_and_exits_0(
    make_host, plugin_dir, tmp_path, scratch, monkeypatch
):
    marker = tmp_path / "disconnected"
    monkeypatch.setenv("CHAOS_TEST_DISCONNECTED", str(marker))
    plugin_dir("filesrole", FILES_ROLE)
    plugin_dir("markingconn", MARKING_CONNECTOR)
    dist_info = Path(plugin_dir.path) / "markingconn-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: markingconn\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        "[pyinfra.connectors]\nmarking = markingconn:MarkingConnector\n"
    )
    host = make_host()
    roles = [{"tag": "files", "target": "filesrole:FilesRole"}]
    prepare = host.call(
        "apply.prepare",
        {
            "roles": roles,
            "chobolo_path": _files_chobolo(tmp_path, scratch),
            "hosts": ["@marking"],
        },
    )
    assert prepare["hosts"] == [{"name": "@marking", "connected": True}]
    assert not marker.exists()  # connected, and still so while the session is open
    host.close_requests()
    assert host.wait(timeout=15) == 0
    assert marker.read_text() == "disconnected\n"


def test_log_events_follow_verbosity(make_host, plugin_dir, tmp_path, scratch):
    plugin_dir("filesrole", FILES_ROLE)
    chobolo = _files_chobolo(tmp_path, scratch)
    roles = [{"tag": "files", "target": "filesrole:FilesRole"}]
    host = make_host()
    _, quiet = host.request("apply.prepare", {"roles": roles, "chobolo_path": chobolo})
    assert _events(quiet, "log") == []
    _, loud = host.request(
        "apply.prepare", {"roles": roles, "chobolo_path": chobolo, "verbosity": 1}
    )
    connected = [e for e in _events(loud, "log") if e["message"] == "Connected"]
    assert connected and connected[0]["host"] == "@local" and connected[0]["level"] == "info"
    assert not [e for e in _events(loud, "log") if e["level"] == "debug"]
    _, everything = host.request(
        "apply.prepare", {"roles": roles, "chobolo_path": chobolo, "verbosity": 3}
    )
    assert [e for e in _events(everything, "log") if e["level"] == "debug"]


def test_loaded_facts_are_logged_from_verbosity_2(make_host, plugin_dir, tmp_path, scratch):
    plugin_dir("filesrole", FILES_ROLE)
    chobolo = _files_chobolo(tmp_path, scratch)
    roles = [{"tag": "files", "target": "filesrole:FilesRole"}]
    for verbosity in (1, 2):
        host = make_host()
        params = {"roles": roles, "chobolo_path": chobolo, "verbosity": verbosity}
        _, prepared = host.request("apply.prepare", params)
        _, planned = host.request("apply.plan", {})
        loaded = [
            e
            for e in _events(prepared + planned, "log")
            if e["message"].startswith("Loaded fact") and e["level"] == "info"
        ]
        assert bool(loaded) == (verbosity == 2), (verbosity, loaded)


def test_unreachable_hosts_are_reported_per_host(make_host, plugin_dir):
    plugin_dir("shellroles", SHELL_ROLES)
    host = make_host()
    roles = [{"tag": "data", "target": "shellroles:ReadsHostData"}]
    reply, events = host.request(
        "apply.prepare", {"roles": roles, "hosts": ["@local", "unreachable.invalid"]}
    )
    prepare = reply["result"]
    local, remote = prepare["hosts"]
    connects = {e["host"]: e for e in _events(events, "connect")}
    assert connects["@local"]["ok"] is True and "error" not in connects["@local"]
    assert connects["unreachable.invalid"]["ok"] is False
    assert connects["unreachable.invalid"]["error"] == remote["error"]
    assert local == {"name": "@local", "connected": True}
    assert remote["name"] == "unreachable.invalid" and remote["connected"] is False
    assert remote["error"]
    assert [d["host"] for d in prepare["deltas"]] == ["@local"]

    reply, _ = host.request("apply.prepare", {"roles": roles, "hosts": ["unreachable.invalid"]})
    assert reply["error"]["kind"] == "connect"
    assert reply["error"]["host"] == "unreachable.invalid"

    reply, _ = host.request("apply.prepare", {"roles": roles, "hosts": ["@no-such-connector"]})
    assert reply["error"]["kind"] == "inventory"


NOOP_ROLE = """
from pyinfra.api.operation import add_op
from pyinfra.operations import files

from chaos.lib.roles.role import Role


class EnsureDir(Role):
    def __init__(self):
        super().__init__(name="Ensure dir")

    def get_context(self, state, host, chobolo, secrets):
        return {"path": chobolo["path"]}

    def delta(self, context):
        from chaos.lib.args.dataclasses import Delta

        return Delta(to_add={"dirs": [context["path"]]}, metadata=context)

    def plan(self, state, host, delta):
        add_op(state, files.directory, path=delta.metadata["path"])
"""


def test_unchanged_operation_predicts_no_change(make_host, plugin_dir, tmp_path, scratch):
    plugin_dir("nooprole", NOOP_ROLE)
    host = make_host()
    chobolo = _chobolo(tmp_path, f"path: {scratch}\n")
    host.call(
        "apply.prepare",
        {"roles": [{"tag": "d", "target": "nooprole:EnsureDir"}], "chobolo_path": chobolo},
    )
    [op] = host.call("apply.plan", {})["hosts"]["@local"]
    assert op["name"] == "files.directory"
    assert op["args"] == [f"path={scratch}"]
    assert op["will_change"] is False
    assert op["noop"] == f"directory {scratch} already exists"
    execute = host.call("apply.execute", {})
    # Health snapshots and the command log are asked for, never there by default.
    assert "health" not in execute and "command_log" not in execute
    assert execute["hosts"]["@local"]["ops"][0]["status"] == "no_change"
    assert execute["hosts"]["@local"]["ops"][0]["noop"] == f"directory {scratch} already exists"
    assert execute["hosts"]["@local"]["no_change"] == 1


FLEET_ROLE = """
from pyinfra.api.operation import add_op
from pyinfra.operations import server

from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role


class Fleet(Role):
    def __init__(self):
        super().__init__(name="Fleet")

    def get_context(self, state, host, chobolo, secrets):
        return {"who": host.name}

    def delta(self, context):
        return Delta(to_add={"greet": [context["who"]]})

    def plan(self, state, host, delta):
        # No host=: pyinfra would stage this on every active host; the host narrows it.
        who = delta.to_add["greet"][0]
        add_op(state, server.shell, name=f"step-1 {who}", commands=[f"run-step-1 {who}"])
        add_op(state, server.shell, name=f"step-2 {who}", commands=[f"run-step-2 {who}"])
"""


@pytest.mark.parametrize("skip_confirm", [False, True])
def test_fleet_hosts_plan_and_fail_independently(make_host, plugin_dir, skip_confirm):
    plugin_dir("fleetrole", FLEET_ROLE)
    fast = {"fake_delay": 0, "fake_delay_jitter": 0}
    failing = {**fast, "fake_responses": {"run-step-1": {"success": False, "stderr": "boom"}}}
    host = make_host()
    prepare = host.call(
        "apply.prepare",
        {
            "roles": [{"tag": "fleet", "target": "fleetrole:Fleet"}],
            "hosts": [["@fake/web-1", failing], ["@fake/web-2", fast]],
            "skip_confirm": skip_confirm,
        },
    )
    assert prepare["detect_changes"] is not skip_confirm
    assert [(d["host"], d["to_add"]["greet"]) for d in prepare["deltas"]] == [
        ("@fake/web-1", ["@fake/web-1"]),
        ("@fake/web-2", ["@fake/web-2"]),
    ]
    plan = host.call("apply.plan", {})
    assert {h: [op["name"] for op in ops] for h, ops in plan["hosts"].items()} == {
        "@fake/web-1": ["step-1 @fake/web-1", "step-2 @fake/web-1"],
        "@fake/web-2": ["step-1 @fake/web-2", "step-2 @fake/web-2"],
    }
    reply, events = host.request("apply.execute", {})
    assert reply["ok"], reply
    web1, web2 = reply["result"]["hosts"]["@fake/web-1"], reply["result"]["hosts"]["@fake/web-2"]
    assert [op["status"] for op in web1["ops"]] == ["failed", "skipped"]
    assert web1["ops"][0]["stderr_tail"] == ["boom"]
    assert [op["status"] for op in web2["ops"]] == ["changed", "changed"]
    assert reply["result"]["success"] is False
    assert {(e["host"], e["status"]) for e in _events(events, "op_done")} == {
        ("@fake/web-1", "failed"),
        ("@fake/web-2", "changed"),
    }


SLOW_FAILING_ROLE = """
from pyinfra import host
from pyinfra.facts.server import Command


def slow_fail(state, host_, chobolo_path, skip_confirm):
    host.get_fact(Command, command="true")  # as slow as the host's fake_delay
    raise ValueError(f"refused on {host.name}")
"""


def test_hosts_plan_at_once_and_report_in_inventory_order(make_host, plugin_dir):
    plugin_dir("slowfail", SLOW_FAILING_ROLE)
    host = make_host()
    slow = {"fake_delay": 0.5, "fake_delay_jitter": 0}
    fast = {"fake_delay": 0, "fake_delay_jitter": 0}
    host.call(
        "apply.prepare",
        {
            "roles": [{"tag": "slow", "target": "slowfail:slow_fail"}],
            "hosts": [["@fake/web-1", slow], ["@fake/web-2", fast]],
            "skip_confirm": True,
        },
    )
    reply, events = host.request("apply.plan", {})
    assert reply["ok"], reply
    # web-2 fails first (its fact is instant; web-1's takes 0.5 s: the two plan at once) ...
    errors_in_time = [e["error"]["host"] for e in _events(events, "role_error")]
    assert errors_in_time == ["@fake/web-2", "@fake/web-1"]
    # ... and the reply lists hosts in inventory order all the same.
    plan = reply["result"]
    assert [(e["host"], e["message"]) for e in plan["errors"]] == [
        ("@fake/web-1", "ValueError: refused on @fake/web-1"),
        ("@fake/web-2", "ValueError: refused on @fake/web-2"),
    ]
    assert [(r["host"], r["ok"]) for r in plan["results"]] == [
        ("@fake/web-1", False),
        ("@fake/web-2", False),
    ]


COUNTING_ROLE = """
import os

from pyinfra import host
from pyinfra.api import FactBase, operation
from pyinfra.api.operation import add_op
from pyinfra.operations import server

from chaos.lib.roles.role import Role

LOG = os.environ["COUNTING_LOG"]


class Reads(FactBase):
    # Every evaluation of the fact appends a line: the test counts how often it was read.
    def command(self, path):
        return f"echo read >> {path}; echo present"

    def process(self, output):
        return output


@operation()
def ensure_counted(path):
    host.get_fact(Reads, path=path)
    host.noop(f"{path} was read")
    yield from ()


class Counting(Role):
    def __init__(self):
        super().__init__(name="Counting")

    def plan(self, state, host, delta):
        add_op(state, ensure_counted, name="Read it", path=LOG)
        add_op(state, server.shell, name="Fail", commands=["echo bad >&2; exit 4"])
"""


@pytest.mark.parametrize(
    ("params", "detected", "reads"),
    [
        ({"skip_confirm": True}, False, 1),
        ({"skip_confirm": True, "detect_changes": True}, True, 2),
        ({"skip_confirm": False}, True, 2),
        ({"skip_confirm": False, "detect_changes": False}, False, 1),
        ({"skip_confirm": True, "dry": True}, True, 1),
    ],
)
def test_change_detection_reads_facts_once_more(
    start_host, plugin_dir, tmp_path, params, detected, reads, monkeypatch
):
    log = tmp_path / "reads.log"
    monkeypatch.setenv("COUNTING_LOG", str(log))
    plugin_dir("countingrole", COUNTING_ROLE)
    host = start_host()
    host.handshake([plugin_dir.path])
    roles = [{"tag": "count", "target": "countingrole:Counting"}]
    prepare = host.call("apply.prepare", {"roles": roles, **params})
    assert prepare["detect_changes"] is detected
    plan = host.call("apply.plan", {})
    read_it, fail = plan["hosts"]["@local"]
    assert [read_it["name"], fail["name"]] == ["Read it", "Fail"]
    if detected:
        assert (read_it["will_change"], fail["will_change"]) == (False, True)
        assert read_it["noop"] == f"{log} was read"
        assert plan["changes"] is True
    else:
        # Nothing predicted, nothing read while planning.
        assert "will_change" not in read_it and "will_change" not in fail
        assert "noop" not in read_it
        assert plan["changes"] is True
        assert not log.exists()
    if not params.get("dry"):
        execute = host.call("apply.execute", {})
        done, failed = execute["hosts"]["@local"]["ops"]
        assert (done["status"], done["noop"]) == ("no_change", f"{log} was read")
        assert failed["status"] == "failed" and failed["exit_code"] == 4
        assert failed["stderr_tail"] == ["bad"]
    assert log.read_text().splitlines() == ["read"] * reads


BAD_ARGS_ROLE = """
from pyinfra.api.operation import add_op
from pyinfra.operations import files, server

from chaos.lib.roles.role import Role


class BadArgs(Role):
    def __init__(self):
        super().__init__(name="Bad args")

    def plan(self, state, host, delta):
        add_op(state, server.shell, name="first", commands=["true"])
        add_op(state, files.put, name="bad put", src="/nonexistent/src", dest="/nonexistent/dst")
        add_op(state, server.shell, name="third", commands=["true"])
"""


def test_without_detection_a_generator_error_fails_execute(make_host, plugin_dir):
    plugin_dir("badargs", BAD_ARGS_ROLE)
    host = make_host()
    roles = [{"tag": "bad", "target": "badargs:BadArgs"}]
    # With detection the generator runs while planning: the error belongs to the plan.
    host.call("apply.prepare", {"roles": roles})
    plan = host.call("apply.plan", {})
    [error] = plan["errors"]
    assert error["kind"] == "role_error" and "No such file" in error["message"]
    # Without, it first runs while executing: the operation fails, the run stops there.
    host.call("apply.prepare", {"roles": roles, "skip_confirm": True})
    plan = host.call("apply.plan", {})
    assert plan["errors"] == []
    assert [op["name"] for op in plan["hosts"]["@local"]] == ["first", "bad put", "third"]
    reply, events = host.request("apply.execute", {})
    assert reply["error"]["kind"] == "execute"
    assert "No such file: /nonexistent/src" in reply["error"]["message"]
    ops = reply["error"]["partial"]["hosts"]["@local"]["ops"]
    assert [(op["op"], op["status"]) for op in ops] == [
        ("first", "changed"),
        ("bad put", "failed"),
        ("third", "skipped"),
    ]
    assert "No such file: /nonexistent/src" in ops[1]["messages"][0]
    failed = {k: ops[1][k] for k in ("retries", "ignored", "command", "exit_code")}
    assert failed == {"retries": 0, "ignored": False, "command": None, "exit_code": None}
    assert 0 <= ops[1]["duration_s"] < 60  # from its start to the moment pyinfra gave up
    assert [e["op"] for e in _events(events, "op_done")] == ["first", "bad put"]


NOISY_ROLE = """
from pyinfra import logger
from pyinfra.api.operation import add_op
from pyinfra.operations import python

from chaos.lib.roles.role import Role


def _noisy():
    for i in range(15):
        logger.warning(f"noisy note {i}")
    raise RuntimeError("noisy gave up")


class Noisy(Role):
    def __init__(self):
        super().__init__(name="Noisy")

    def plan(self, state, host, delta):
        add_op(state, python.call, name="Noisy", function=_noisy)
"""


def test_a_failed_operation_reports_the_last_ten_things_pyinfra_said_about_it(
    make_host, plugin_dir
):
    plugin_dir("noisy", NOISY_ROLE)
    host = make_host()
    host.call("apply.prepare", {"roles": [{"tag": "noisy", "target": "noisy:Noisy"}]})
    host.call("apply.plan", {})
    execute = host.call("apply.execute", {})
    [op] = execute["hosts"]["@local"]["ops"]
    assert (op["op"], op["status"]) == ("Noisy", "failed")
    messages = op["messages"]
    # The newest ten: the last notes, then pyinfra's own lines about the exception.
    assert len(messages) == 10
    notes = [m for m in messages if m.startswith("noisy note")]
    assert notes and notes == [f"noisy note {i}" for i in range(15 - len(notes), 15)]
    assert "noisy note 0" not in messages
    assert any("noisy gave up" in m for m in messages[len(notes) :])


DEPLOY_ROLE = """
from pyinfra.api import deploy
from pyinfra.api.deploy import add_deploy
from pyinfra.operations import server

from chaos.lib.roles.role import Role


@deploy("Bundle")
def bundle():
    server.shell(name="inner step", commands=["true"])
    server.shell(commands=["true"])


class Bundled(Role):
    def __init__(self):
        super().__init__(name="Bundled")

    def plan(self, state, host, delta):
        add_deploy(state, bundle)
"""


def test_operations_of_a_pyinfra_deploy_are_named_as_pyinfra_names_them(make_host, plugin_dir):
    """pyinfra puts the deploy's name before each of its operations' names (its log says so;
    the name= argument alone does not have it)."""
    plugin_dir("bundled", DEPLOY_ROLE)
    host = make_host()
    host.call("apply.prepare", {"roles": [{"tag": "b", "target": "bundled:Bundled"}]})
    plan, events = host.request("apply.plan", {})
    names = ["Bundle | inner step", "Bundle | server.shell"]
    assert [op["name"] for op in plan["result"]["hosts"]["@local"]] == names
    assert [e["op"] for e in _events(events, "op_staged")] == names
    execute, events = host.request("apply.execute", {})
    assert [op["op"] for op in execute["result"]["hosts"]["@local"]["ops"]] == names
    assert [e["op"] for e in _events(events, "op_done")] == names


WARNING_ROLE = """
import logging

from chaos.lib.roles.role import Role


class Warns(Role):
    def __init__(self):
        super().__init__(name="Warns")

    def plan(self, state, host, delta):
        logging.getLogger("pyinfra").warning("warns: heads up")
"""


def test_each_verbosity_level_adds_its_own_log_lines(make_host, plugin_dir, tmp_path, scratch):
    """0: warnings (a failing operation's errors stay in its report); 1: + info; 2: + what
    operations say while planned (noop reasons); 3: + debug."""
    plugin_dir("nooprole", NOOP_ROLE)
    plugin_dir("warnrole", WARNING_ROLE)
    plugin_dir("shellroles", SHELL_ROLES)
    chobolo = _chobolo(tmp_path, f"path: {scratch}\n")
    roles = [
        {"tag": "w", "target": "warnrole:Warns"},
        {"tag": "d", "target": "nooprole:EnsureDir"},
        {"tag": "f", "target": "shellroles:Failing"},
    ]
    seen = {}
    for verbosity in range(4):
        host = make_host()
        _, events = host.request(
            "apply.prepare", {"roles": roles, "chobolo_path": chobolo, "verbosity": verbosity}
        )
        _, more = host.request("apply.plan", {})
        events += more
        _, more = host.request("apply.execute", {})
        events += more
        seen[verbosity] = [(e["level"], e["message"]) for e in _events(events, "log")]
        host.kill()
    for verbosity, logs in seen.items():
        levels = {level for level, _ in logs}
        assert ("warning", "warns: heads up") in logs, (verbosity, logs)
        assert ("info" in levels) is (verbosity >= 1), (verbosity, logs)
        noop = [m for _, m in logs if "already exists" in m]
        assert bool(noop) is (verbosity >= 2), (verbosity, logs)
        assert ("debug" in levels) is (verbosity >= 3), (verbosity, logs)
        it_broke = [m for _, m in logs if m == "it-broke"]
        assert bool(it_broke) is (verbosity >= 1), (verbosity, logs)
