"""`chaos apply` end to end: real plugins, a real role host, real pyinfra on this machine,
changing scratch directories only."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import jsonschema
import pytest
from support import logbook
from support.demo import install_demo
from support.environments import ROOT, Chaos, PluginEnv
from support.terminal import converse_on_terminal
from support.wheelkit import write_wheel

SCHEMA = json.loads((ROOT / "docs" / "apply-report.schema.json").read_text())


@pytest.fixture
def guide_plugin(chaos, plugin_env, example_wheel, tmp_path):
    """The plugin guide's example, its directory redirected into the test's scratch space."""
    plugin_env.install(example_wheel("my-chaos-plugin"))
    target = tmp_path / "my-role-dir"
    chaos.env["MY_ROLE_DIR"] = str(target)
    return target


@pytest.fixture
def demo(chaos, plugin_env, example_wheel, tmp_path):
    files = {"a.txt": "alpha", "b.txt": '"made for ${demo_files.root}"'}
    return install_demo(plugin_env, example_wheel, tmp_path, files, legacy=True)


def test_guide_role_creates_its_directory_then_reports_no_change(chaos, guide_plugin):
    first = chaos.ok("apply", "my-role")
    assert guide_plugin.is_dir()
    assert "changed" in first.stdout and "@local: 1 changed, 0 unchanged, 0 failed" in first.stdout
    second = chaos.ok("apply", "my-role")
    assert "@local: 0 changed, 1 unchanged, 0 failed" in second.stdout


def test_dry_run_changes_nothing_and_lists_what_would_change(chaos, guide_plugin):
    result = chaos.ok("apply", "my-role", "--dry")
    assert not guide_plugin.exists()
    assert "Dry run: nothing was executed" in result.stdout
    assert f"would change   Ensure {guide_plugin} exists" in result.stdout
    report = chaos.json("apply", "my-role", "--dry", "--json")
    jsonschema.validate(report, SCHEMA)
    assert report["dry"] is True
    assert report["hosts"][0]["operations"][0]["status"] == "would_change"
    assert not guide_plugin.exists()


def test_alias_runs_the_same_role(chaos, guide_plugin):
    report = chaos.json("apply", "mr", "--json")
    assert [r["tag"] for r in report["roles"]] == ["my-role"]
    assert guide_plugin.is_dir()


def test_class_role_delta_plan_and_idempotence(chaos, demo):
    root, chobolo = demo
    first = chaos.ok("apply", "demo-files", "-c", str(chobolo))
    # The delta is shown per host and role, one item per line, strings whole.
    assert "demo-files on @local would change:" in first.stdout
    assert "+ a.txt" in first.stdout and "+ b.txt" in first.stdout
    assert (root / "a.txt").read_text() == "alpha"
    # Interpolations are resolved before the role sees the Ch-obolo.
    assert (root / "b.txt").read_text() == f"made for {root}"

    second = chaos.ok("apply", "demo-files", "-c", str(chobolo), "--json")
    report = json.loads(second.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["hosts"][0]["deltas"] == [
        {"role": "demo-files", "to_add": {}, "to_remove": {}, "empty": True}
    ]
    assert report["hosts"][0]["operations"] == []
    assert "already in the desired state" in second.stderr

    (root / "stray.txt").write_text("not in the Ch-obolo")
    third = chaos.json("apply", "demo-files", "-c", str(chobolo), "--json")
    assert third["hosts"][0]["deltas"][0]["to_remove"] == {"files": ["stray.txt"]}
    assert not (root / "stray.txt").exists()


def test_dry_run_shows_file_diffs_and_writes_nothing(chaos, demo):
    root, chobolo = demo
    chaos.ok("apply", "demo-files", "-c", str(chobolo))
    chobolo.write_text(chobolo.read_text().replace("a.txt: alpha", "a.txt: omega"))
    dry = chaos.ok("apply", "demo-files", "-c", str(chobolo), "--dry")
    assert (root / "a.txt").read_text() == "alpha"  # nothing executed
    # The changed file is predicted to change, with pyinfra's diff of old and new content.
    assert "- alpha" in dry.stdout and "+ omega" in dry.stdout
    report = chaos.json("apply", "demo-files", "-c", str(chobolo), "--dry", "--json")
    jsonschema.validate(report, SCHEMA)
    ops = report["hosts"][0]["operations"]
    would_change = [op for op in ops if op["status"] == "would_change"]
    assert len(would_change) == 1 and "+ omega" in would_change[0]["diff"]


def test_failed_operation_shows_command_exit_code_and_stderr_and_others_still_run(chaos, demo):
    root, chobolo = demo
    result = chaos.run("apply", "demo-files", "demo-fail", "-c", str(chobolo), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    ops = report["hosts"][0]["operations"]
    failed = [op for op in ops if op["status"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["exit_code"] == 3
    assert "demo failure" in failed[0]["stderr_tail"]
    assert "exit 3" in failed[0]["command"]
    assert [op["status"] for op in ops if op["role"] == "demo-files"] == ["changed"] * 3
    assert (root / "a.txt").exists()
    human = chaos.run("apply", "demo-fail", "-c", str(chobolo))
    assert (
        "✗ failed" in human.stdout
        and "exit code: 3" in human.stdout
        and "demo failure" in human.stdout
    )


def test_role_raising_is_reported_with_its_traceback_and_others_still_run(chaos, demo):
    root, chobolo = demo
    # The other roles run despite the failure only with --keep-going (test_apply_safety.py).
    result = chaos.run("apply", "demo-raise", "demo-files", "-c", str(chobolo), "--keep-going")
    assert result.returncode == 1
    assert (
        "role `demo-raise` on @local failed in delta: RuntimeError: demo delta failure"
        in result.stderr
    )
    assert "plugin chaos-demo-plugin" in result.stderr
    assert 'raise RuntimeError("demo delta failure")' in result.stderr
    assert (root / "a.txt").exists()


def test_legacy_role_skips_its_prompt_with_y_and_without_a_terminal(chaos, demo, tmp_path):
    _, chobolo = demo
    chaos.ok("apply", "demo-legacy", "-c", str(chobolo), "-y")
    assert (tmp_path / "marker").exists()
    (tmp_path / "marker").unlink()
    result = chaos.ok("apply", "demo-legacy", "-c", str(chobolo), input="")
    assert "-y is implied" in result.stderr
    assert "Create demo marker" not in result.stdout
    assert (tmp_path / "marker").exists()


def test_on_a_terminal_deltas_are_confirmed_and_legacy_roles_prompt(chaos, demo, tmp_path):
    root, chobolo = demo
    code, out = converse_on_terminal(
        chaos, ["apply", "demo-files", "-c", str(chobolo)], [("Apply the changes above?", "n")]
    )
    assert code == 1, out
    assert "Nothing was changed." in out
    assert not root.exists()
    code, out = converse_on_terminal(
        chaos, ["apply", "demo-files", "-c", str(chobolo)], [("Apply the changes above?", "")]
    )
    assert code == 0, out
    assert (root / "a.txt").exists()
    code, out = converse_on_terminal(
        chaos, ["apply", "demo-legacy", "-c", str(chobolo)], [("Create demo marker?", "y")]
    )
    assert code == 0, out
    assert (tmp_path / "marker").exists()


def test_unknown_tag_names_it_and_suggests_close_names(chaos, guide_plugin):
    result = chaos.run("apply", "my-rol")
    assert result.returncode == 2
    assert "unknown role `my-rol`" in result.stderr
    assert "did you mean `my-role`" in result.stderr


def test_alias_cycle_is_rejected_naming_it(chaos, guide_plugin):
    chaos.write_config("aliases:\n  ping: pong\n  pong: ping\n")
    result = chaos.run("apply", "ping")
    assert result.returncode == 1
    assert "alias cycle: ping -> pong -> ping" in result.stderr


def test_diamond_shaped_aliases_are_not_a_cycle(chaos, guide_plugin):
    # `b` reaches the plugin's alias `mr` twice: directly and through `a`.
    chaos.write_config("aliases:\n  b: [a, mr]\n  a: mr\n")
    report = chaos.json("apply", "b", "--json")
    assert [r["tag"] for r in report["roles"]] == ["my-role"]
    assert report["success"] is True and guide_plugin.is_dir()


def test_multi_tag_config_alias_expands_in_order(chaos, demo):
    _, chobolo = demo
    # `demo` is the plugin's two-role alias and `df` repeats one of them: order is kept and
    # the repeat runs once.
    chaos.write_config("aliases:\n  everything: [demo, df]\n")
    report = chaos.json("apply", "everything", "-c", str(chobolo), "-y", "--json")
    assert [r["tag"] for r in report["roles"]] == ["demo-files", "demo-legacy"]


def test_broken_chobolo_is_reported_with_line_and_column(chaos, demo, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("demo_files:\n  root: /x\n  files: [unclosed\n")
    result = chaos.run("apply", "demo-files", "-c", str(broken))
    assert result.returncode == 1
    assert "not valid YAML" in result.stderr
    assert f"{broken}:4:1" in result.stderr or f"{broken}:3:" in result.stderr
    missing = chaos.run("apply", "demo-files", "-c", str(tmp_path / "nope.yml"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_plugin_that_fails_to_import(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "broken-import",
            entry_points={"chaos.roles": {"broken": "broken_import.roles:run"}},
            modules={
                "broken_import/__init__.py": "",
                "broken_import/roles.py": "import no_such_module_anywhere\n",
            },
        )
    )
    result = chaos.run("apply", "broken")
    assert result.returncode == 1
    assert "No module named 'no_such_module_anywhere'" in result.stderr
    assert "broken-import" in result.stderr and "broken_import.roles:run" in result.stderr


KILLER = """
import os, signal
from chaos.lib.roles.role import Role

class Killer(Role):
    def __init__(self):
        super().__init__(name="killer")

    def plan(self, state, host, delta):
        import sys
        print("about to die", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
"""


def test_role_host_killed_is_reported(chaos, plugin_env, tmp_path):
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "killer",
            entry_points={"chaos.roles": {"killer": "killer_role:Killer"}},
            modules={"killer_role.py": KILLER},
        )
    )
    result = chaos.run("apply", "killer")
    assert result.returncode == 1
    assert "role host" in result.stderr and "died" in result.stderr
    assert "signal 9" in result.stderr
    assert "about to die" in result.stderr


SLEEPER = """
from pyinfra.api.operation import add_op
from pyinfra.operations import files, server
from chaos.lib.roles.role import Role

class Sleeper(Role):
    def __init__(self):
        super().__init__(name="sleeper")

    def plan(self, state, host, delta):
        add_op(state, files.directory, name="quick", path=MARKER, host=host)
        add_op(state, server.shell, name="slow", commands=["sleep 60"], host=host)
"""


def test_interrupt_stops_cleanly_and_reports_what_completed(chaos, plugin_env, tmp_path):
    marker = tmp_path / "quick-dir"
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "sleeper",
            entry_points={"chaos.roles": {"sleeper": "sleeper_role:Sleeper"}},
            modules={"sleeper_role.py": f"MARKER = {str(marker)!r}\n" + SLEEPER},
        )
    )
    proc = subprocess.Popen(
        [str(chaos.binary), "apply", "sleeper", "-y", "--json"],
        env=chaos.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists()
    time.sleep(0.5)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 15
    assert proc.returncode == 130, err
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert report["interrupted"] is True
    statuses = {op["name"]: op["status"] for op in report["hosts"][0]["operations"]}
    assert statuses.get("quick") == "changed"
    assert "Interrupted" in err


def test_run_history_records_every_apply_without_secrets(chaos, guide_plugin, tmp_path):
    password_file = tmp_path / "pw"
    password_file.write_text("hunter2-not-in-history\n")
    chaos.ok("apply", "my-role", "-pf", str(password_file), "-l", "-x", cwd=tmp_path)
    chaos.run("apply", "no-such-role")
    chaos.ok("apply", "mr", "--dry")
    records = chaos.json("log", "--json")  # newest first
    assert [r["tags"] for r in records] == [["mr"], ["no-such-role"], ["my-role"]]
    assert [r["exit_code"] for r in records] == [0, 2, 0]
    assert [r["status"] for r in records] == ["success", "failure", "success"]
    assert records[2]["counts"] == {"changed": 1, "no_change": 0, "failed": 0, "skipped": 0}
    assert records[0]["dry"] is True
    assert "hunter2" not in logbook.everything(chaos.workdir / "state")
    assert "hunter2" not in (tmp_path / "chaos_logbook.json").read_text()
    table = chaos.ok("log").stdout
    assert "my-role" in table and "Changed/Same/Failed" in table


def test_password_on_the_command_line_is_warned_about(chaos, guide_plugin):
    result = chaos.ok("apply", "my-role", "-ps", "secret-pw", "-ikwid", "-nw", "-e")
    assert "process list" in result.stderr


CHATTY = """
import logging

from pyinfra.operations import files

log = logging.getLogger("pyinfra")


def role(state, host, chobolo_path, skip_confirm):
    log.warning("chatty: a warning")
    log.info("chatty: some info")
    log.debug("chatty: a debug detail")
    files.directory(name="Chatty directory", path=TARGET)
"""


def test_verbose_levels_forward_pyinfra_logs(chaos, plugin_env, tmp_path):
    target = tmp_path / "chatty-dir"
    plugin_env.install(
        write_wheel(
            tmp_path / "w",
            "chatty",
            entry_points={"chaos.roles": {"chatty": "chatty_role:role"}},
            modules={"chatty_role.py": f"TARGET = {str(target)!r}\n" + CHATTY},
        )
    )
    chaos.ok("apply", "chatty")
    assert target.is_dir()
    # The directory exists now, so the operation says why it has nothing to do (a noop).
    levels = {
        n: chaos.ok("apply", "chatty", *(["-" + "v" * n] if n else [])).stderr for n in range(4)
    }

    def logged(stderr: str, level: str, text: str) -> bool:
        return any(line.startswith(f"[{level}] ") and text in line for line in stderr.splitlines())

    for n, stderr in levels.items():
        assert logged(stderr, "warning", "chatty: a warning"), (n, stderr)
        assert logged(stderr, "info", "chatty: some info") is (n >= 1), (n, stderr)
        assert ("already exists" in stderr) is (n >= 2), (n, stderr)
        assert logged(stderr, "debug", "chatty: a debug detail") is (n >= 3), (n, stderr)
    assert chaos.ok("apply", "chatty", "--verbose", "2").stderr.count("already exists") >= 1
    assert chaos.run("apply", "chatty", "--verbose", "4").returncode == 2


def test_failing_operation_errors_are_shown_once_without_flags(chaos, demo):
    _, chobolo = demo
    result = chaos.run("apply", "demo-fail", "-c", str(chobolo))
    assert result.returncode == 1
    # In the operation's report on stdout, not repeated as log lines on stderr.
    assert "demo failure" in result.stdout
    assert "[error]" not in result.stderr


def test_environment_without_the_sdk_says_what_to_install(tmp_path, example_wheel):
    # The binary adds no SDK from a build tree: an environment without chaos cannot host roles,
    # and the user is told which environment and how to fix it, not shown a traceback.
    bare = PluginEnv(tmp_path / "bare", with_base=False)
    bare.install(example_wheel("my-chaos-plugin"))
    chaos = Chaos(tmp_path, bare)
    result = chaos.run("apply", "my-role")
    assert result.returncode == 1
    assert (
        f"the plugin environment has no chaos SDK: `import chaos.host` fails in {bare.python}"
        in (result.stderr)
    )
    assert f"{bare.python} -m pip install chaos-cli" in result.stderr
    assert "Traceback" not in result.stderr


def test_environment_without_pyinfra_says_what_to_install(tmp_path, example_wheel):
    bare = PluginEnv(tmp_path / "bare", with_base=False)
    bare.install(example_wheel("my-chaos-plugin"))
    # The SDK alone (as a .pth-added directory), without pyinfra and omegaconf.
    sdk_only = tmp_path / "sdk-only"
    sdk_only.mkdir()
    (sdk_only / "chaos").symlink_to(ROOT / "python" / "chaos")
    (bare.site_packages / "sdk_only.pth").write_text(f"{sdk_only}\n")
    chaos = Chaos(tmp_path, bare)
    result = chaos.run("apply", "my-role")
    assert result.returncode == 1
    assert "pyinfra cannot be imported in the plugin environment" in result.stderr
    assert f"{bare.python} -m pip install 'pyinfra>=3.8,<4'" in result.stderr
