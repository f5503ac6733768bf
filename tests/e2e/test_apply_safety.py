"""`chaos apply` with plugins that fail, need secrets, read failing facts and print: what runs,
what is said, and what stdout holds. A real plugin pip-installed into a real venv, real pyinfra
on this machine, changing a scratch directory only."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
from support.environments import ROOT
from support.terminal import converse_on_terminal
from support.wheelkit import write_wheel
from test_sudo_password import (
    USER,
    as_user,
    protected_dir,
    shared_dir,  # noqa: F401 - a fixture
    sudo_user,  # noqa: F401 - a fixture
    user_chaos,
)

SCHEMA = json.loads((ROOT / "docs" / "apply-report.schema.json").read_text())

PLUGIN = '''
import os
import sys

from pyinfra import host as current_host
from pyinfra.api import FactBase, operation
from pyinfra.api.operation import add_op
from pyinfra.operations import files, server

from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role

print("safety-plugin imported")  # at import time, before any role runs

SCRATCH = os.environ["SAFETY_SCRATCH"]


def stage(state, host, name):
    add_op(state, files.directory, name=f"make {name}", path=os.path.join(SCRATCH, name), host=host)


class Other(Role):
    def __init__(self):
        super().__init__(name="other")

    def plan(self, state, host, delta):
        stage(state, host, "other")


class Helpers(Role):
    """Stages a clone, then fails: the clone must never run."""

    def __init__(self):
        super().__init__(name="helpers")

    def plan(self, state, host, delta):
        stage(state, host, "helpers-clone")
        raise RuntimeError("helpers could not finish planning")


class Users(Role):
    """Plans the removal of an account file, then reports failure."""

    def __init__(self):
        super().__init__(name="users")

    def plan(self, state, host, delta):
        add_op(state, files.file, name="remove other account", path=os.path.join(SCRATCH, "account"),
               present=False, host=host)
        return ResultPayload(False, error=["could not read the user database"])


class Secretive(Role):
    def __init__(self):
        super().__init__(name="secretive", needs_secrets=True,
                         necessary_secret_dict_keys=["users.root.password", "wifi.psk"])

    def plan(self, state, host, delta):
        stage(state, host, "secretive")


class Broken(FactBase):
    def command(self):
        return "echo broken-fact >&2; exit 5"


class SwallowsFact(Role):
    def __init__(self):
        super().__init__(name="swallows")

    def get_context(self, state, host, chobolo, secrets):
        from pyinfra.facts.server import Command

        try:
            host.get_fact(Command, "echo cannot-read-this >&2; exit 7")
        except Exception:
            pass
        return {}

    def plan(self, state, host, delta):
        stage(state, host, "swallows")


@operation()
def needs_broken_fact():
    current_host.get_fact(Broken)
    yield "true"


def fact_in_op(state, host, chobolo_path, skip_confirm):
    add_op(state, needs_broken_fact, name="op reading a broken fact")


def stages_nothing(state, host, chobolo_path, skip_confirm):
    pass


def exits_zero(state, host, chobolo_path, skip_confirm):
    stage(state, host, "exits-zero")
    sys.exit(0)


def fails_then_more(state, host, chobolo_path, skip_confirm):
    server.shell(name="breaks", commands=["exit 3"])
    stage(state, host, "after-the-break")


class Chatty(Role):
    def __init__(self):
        super().__init__(name="chatty")

    def get_context(self, state, host, chobolo, secrets):
        print("chatty context")
        return {}

    def plan(self, state, host, delta):
        print("chatty plan")
        stage(state, host, "chatty")


def prints_only(state, host, chobolo_path, skip_confirm):
    print("printed, nothing staged")


def chatty_legacy(state, host, chobolo_path, skip_confirm):
    print("legacy says hello")
    sys.stdout.write("no newline at the end")
'''

ROLES = {
    "other": "Other",
    "helpers": "Helpers",
    "users": "Users",
    "secretive": "Secretive",
    "swallows": "SwallowsFact",
    "fact-in-op": "fact_in_op",
    "stages-nothing": "stages_nothing",
    "exits-zero": "exits_zero",
    "fails-then-more": "fails_then_more",
    "chatty": "Chatty",
    "chatty-legacy": "chatty_legacy",
    "prints-only": "prints_only",
}


@pytest.fixture
def scratch(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "wheels",
            "safety-plugin",
            entry_points={"chaos.roles": {tag: f"safety_plugin:{t}" for tag, t in ROLES.items()}},
            modules={"safety_plugin/__init__.py": PLUGIN},
        )
    )
    path = tmp_path / "scratch"
    path.mkdir()
    chaos.env["SAFETY_SCRATCH"] = str(path)
    return path


def report_of(result):
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    return report


# 5. A role that fails before execution contributes no operations


def test_a_failed_role_stops_everything_on_the_host(chaos, scratch):
    result = chaos.run("apply", "other", "helpers", "-y")
    assert result.returncode == 1, result.stdout + result.stderr
    assert not (scratch / "helpers-clone").exists()
    assert not (scratch / "other").exists()
    assert "failed before execution: helpers" in result.stdout
    assert "not run: other" in result.stdout
    assert "helpers could not finish planning" in result.stderr


def test_a_failed_plan_does_not_remove_what_it_staged_for(chaos, scratch):
    (scratch / "account").write_text("someone else\n")
    report = report_of(chaos.run("apply", "users", "other", "-y", "--json"))
    assert (scratch / "account").exists()
    assert report["exit_code"] == 1
    [host] = report["hosts"]
    assert host["failed_roles"] == ["users"]
    assert host["not_run_roles"] == ["other"]
    assert host["operations"] == []
    assert any(e["kind"] == "plan_failed" for e in report["errors"])


def test_keep_going_runs_the_other_roles_never_the_failed_one(chaos, scratch):
    result = chaos.run("apply", "helpers", "other", "-y", "--keep-going", "--json")
    report = report_of(result)
    assert report["exit_code"] == 1
    assert (scratch / "other").is_dir()
    assert not (scratch / "helpers-clone").exists()
    [host] = report["hosts"]
    assert host["failed_roles"] == ["helpers"]
    assert host["not_run_roles"] == []
    assert [(op["name"], op["status"]) for op in host["operations"]] == [("make other", "changed")]


def test_the_dry_run_reports_the_same_outcome(chaos, scratch):
    result = chaos.run("apply", "other", "helpers", "--dry", "--json")
    report = report_of(result)
    assert report["exit_code"] == 1 and report["dry"] is True
    [host] = report["hosts"]
    assert host["operations"] == []
    assert host["failed_roles"] == ["helpers"] and host["not_run_roles"] == ["other"]
    human = chaos.run("apply", "other", "helpers", "--dry")
    assert human.returncode == 1
    assert "nothing would be executed on @local" in human.stdout
    assert "make helpers-clone" not in human.stdout and "make other" not in human.stdout
    kept = report_of(chaos.run("apply", "other", "helpers", "--dry", "--keep-going", "--json"))
    assert [op["name"] for op in kept["hosts"][0]["operations"]] == ["make other"]


# 6. A role that needs secrets never runs without them


def test_a_role_needing_secrets_is_skipped_naming_its_keys(chaos, scratch):
    result = chaos.run("apply", "secretive", "other", "-y")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (scratch / "secretive").exists()
    assert (scratch / "other").is_dir()
    assert "secretive on @local skipped" in result.stdout
    assert "users.root.password, wifi.psk" in result.stdout
    assert "skipped: secretive (needs secrets: users.root.password, wifi.psk)" in result.stdout
    report = report_of(chaos.run("apply", "secretive", "-y", "--json"))
    assert report["hosts"][0]["skipped_roles"] == [
        {
            "role": "secretive",
            "reason": "needs_secrets",
            "keys": ["users.root.password", "wifi.psk"],
        }
    ]
    assert not (scratch / "secretive").exists()


def test_a_role_needing_secrets_is_skipped_on_a_terminal_when_decrypting_is_declined(
    chaos, scratch
):
    # Asked first (issue 10: never run with {}); "n" skips it as -y would.
    code, shown = converse_on_terminal(
        chaos, ["apply", "secretive"], [("needs secrets: decrypt now? [Y/n]", "n")]
    )
    assert code == 0, shown
    assert "role secretive (users.root.password, wifi.psk) needs secrets: decrypt now?" in shown
    assert "secretive on @local skipped" in shown and "wifi.psk" in shown
    assert not (scratch / "secretive").exists()


# 7. Honest outcomes


@pytest.mark.parametrize("mode", [[], ["--dry"]])
def test_a_fact_that_fails_is_a_failure_not_nothing_to_do(chaos, scratch, mode):
    result = chaos.run("apply", "swallows", "-y", *mode)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Nothing to do" not in result.stdout
    assert "failed before execution: swallows" in result.stdout
    assert "could not load fact" in result.stderr
    assert not (scratch / "swallows").exists()


def test_a_fact_that_fails_in_an_operation_fails_it_in_a_dry_run_and_a_real_run(chaos, scratch):
    dry = report_of(chaos.run("apply", "fact-in-op", "--dry", "--json"))
    assert dry["exit_code"] == 1
    assert dry["hosts"][0]["failed_roles"] == ["fact-in-op"]
    real = report_of(chaos.run("apply", "fact-in-op", "-y", "--json"))
    assert real["exit_code"] == 1
    assert [op["status"] for op in real["hosts"][0]["operations"]] == ["failed"]


def test_nothing_to_do_only_when_every_delta_was_empty(chaos, scratch):
    result = chaos.ok("apply", "stages-nothing", "-y")
    assert "Nothing to do" not in result.stdout
    assert "stages-nothing on @local: no operations staged" in result.stdout


def test_sys_exit_zero_ends_a_legacy_role_successfully(chaos, scratch):
    result = chaos.ok("apply", "exits-zero", "-y")
    assert (scratch / "exits-zero").is_dir()
    assert "@local: 1 changed, 0 unchanged, 0 failed" in result.stdout


def test_skipped_operations_are_shown_and_counted(chaos, scratch):
    result = chaos.run("apply", "fails-then-more", "-y")
    assert result.returncode == 1
    assert not (scratch / "after-the-break").exists()
    assert "- skipped" in result.stdout and "make after-the-break" in result.stdout
    assert "0 changed, 0 unchanged, 1 failed, 1 skipped" in result.stdout


def test_the_screen_names_the_chobolo_and_shows_progress(chaos, scratch, tmp_path):
    chobolo = tmp_path / "box.yml"
    chobolo.write_text("x: 1\n")
    result = chaos.ok("apply", "other", "-c", str(chobolo), "-y")
    assert f"Ch-obolo: {chobolo}" in result.stdout
    assert "reading facts: other on @local" in result.stdout  # a plain line: not a terminal
    code, shown = converse_on_terminal(chaos, ["apply", "other", "-c", str(chobolo), "-y"], [])
    assert code == 0, shown
    assert f"Ch-obolo: {chobolo}" in shown
    assert "reading facts: other on @local" in shown and "\r\x1b[K" in shown


# 8. --json stdout is one JSON document; plugin output keeps its place


def test_json_stdout_is_one_document_even_when_plugins_print(chaos, scratch):
    result = chaos.run("apply", "chatty", "chatty-legacy", "-y", "--json")
    report = report_of(result)  # raises if anything but the document is on stdout
    assert report["exit_code"] == 0
    for line in ("safety-plugin imported", "chatty context", "chatty plan", "legacy says hello"):
        assert line in result.stderr


def test_plugin_output_comes_before_the_summary_on_a_pipe(chaos, scratch):
    # Nothing is executed, so nothing in pyinfra flushes the host's stdout along the way.
    result = chaos.ok("apply", "prints-only", "-y", env={"PYTHONUNBUFFERED": None})
    out = result.stdout
    assert out.index("printed, nothing staged") < out.index("Summary")
    assert out.index("printed, nothing staged") < out.index("no operations staged")
    both = chaos.ok("apply", "chatty", "chatty-legacy", "-y").stdout
    assert both.index("chatty plan") < both.index("Summary")
    assert (
        both.index("legacy says hello")
        < both.index("no newline at the end")
        < both.index("Summary")
    )


# 9. The sudo password from standard input: one bounded line, read only when needed. A real
# unprivileged user whose sudo asks for a password (the fixtures of test_sudo_password).


def _as_user(uid, chaos, args, stdin, target, timeout=120):
    return subprocess.run(
        [*as_user(uid), str(chaos.binary), "apply", *args],
        check=False,
        stdin=stdin,
        capture_output=True,
        text=True,
        env={**chaos.env, "SUDO_TEST_DIR": str(target)},
        cwd=chaos.workdir,
        timeout=timeout,
    )


def test_only_the_password_line_is_read_from_standard_input(sudo_user, shared_dir, tmp_path):  # noqa: F811
    uid, password = sudo_user
    target = protected_dir(shared_dir) / "one-line"
    chaos = user_chaos(uid, shared_dir)
    first = password + "\n"
    stdin = shared_dir / "stdin"
    stdin.write_text(first + "not the password\n" * 1000)
    with open(stdin) as f:
        result = _as_user(uid, chaos, ["sudo-dirs", "-y"], f, target)
        consumed = os.lseek(f.fileno(), 0, os.SEEK_CUR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert target.is_dir()
    assert consumed == len(first.encode())


def test_a_password_line_longer_than_4_kib_is_an_error(sudo_user, shared_dir):  # noqa: F811
    uid, _ = sudo_user
    target = protected_dir(shared_dir) / "never"
    chaos = user_chaos(uid, shared_dir)
    stdin = shared_dir / "stdin"
    stdin.write_text("x" * 100_000)
    with open(stdin) as f:
        result = _as_user(uid, chaos, ["sudo-dirs", "-y"], f, target)
    assert result.returncode == 1
    assert "longer than 4096 bytes" in result.stderr
    assert not target.exists()


def test_yes_piped_in_ends_with_a_wrong_password(sudo_user, shared_dir):  # noqa: F811
    uid, _ = sudo_user
    target = protected_dir(shared_dir) / "never"
    chaos = user_chaos(uid, shared_dir)
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        result = _as_user(uid, chaos, ["sudo-dirs", "-y"], yes.stdout, target)
    finally:
        yes.kill()
        yes.wait()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "incorrect password" in result.stdout
    assert not target.exists()


def _open_pipe_that_never_ends():
    """Standard input like `sleep 100 | ...`: open, nothing written, never closed (until the
    test closes it)."""
    read, write = os.pipe()
    return os.fdopen(read), write


def test_no_password_is_waited_for_when_no_operation_needs_sudo(sudo_user, shared_dir):  # noqa: F811
    uid, _ = sudo_user
    chaos = user_chaos(uid, shared_dir)
    stdin, writer = _open_pipe_that_never_ends()
    try:
        result = _as_user(uid, chaos, ["no-sudo", "-y"], stdin, shared_dir / "unused", timeout=90)
    finally:
        os.close(writer)
        stdin.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "@local: 1 changed, 0 unchanged, 0 failed" in result.stdout


def test_no_password_is_waited_for_when_sudo_needs_none(sudo_user, shared_dir):  # noqa: F811
    uid, _ = sudo_user
    # The fixture's rule, now without a password (the fixture removes it afterwards).
    (Path("/etc/sudoers.d") / USER).write_text(f"{USER} ALL=(ALL:ALL) NOPASSWD: ALL\n")
    target = protected_dir(shared_dir) / "nopasswd"
    chaos = user_chaos(uid, shared_dir)
    stdin, writer = _open_pipe_that_never_ends()
    try:
        result = _as_user(uid, chaos, ["sudo-dirs", "-y"], stdin, target, timeout=90)
    finally:
        os.close(writer)
        stdin.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert target.is_dir() and target.stat().st_uid == 0
