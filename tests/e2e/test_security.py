"""The security model (docs/reliability.md): chaos runs as root with code and files others may
have touched. Every test plants what an attacker would (modules in the working directory, in
the user site, on PYTHONPATH; world-writable or foreign-owned directories; symlinks, FIFOs and
devices at the names chaos writes) and proves it had no effect: a planted module writes a
marker file when it runs, a victim file must keep its content."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from support import logbook
from support.environments import ROOT, Chaos
from support.wheelkit import write_wheel

# One user per test process (see test_sudo_password.py); owns the "foreign" directories.
OTHER_USER = f"chaos-sec-{os.getpid()}"

MARKER_MODULE = """
import os
_markers = {markers!r}
os.makedirs(_markers, exist_ok=True)
open(os.path.join(_markers, {name!r}), "w").close()
"""


def plant_modules(directory: Path, markers: Path) -> None:
    """Modules a helper Python would import from `directory` if it were on sys.path."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("json", "sitecustomize", "usercustomize", "runpy", "pyinfra", "omegaconf"):
        (directory / f"{name}.py").write_text(
            MARKER_MODULE.format(markers=str(markers), name=f"{name}@{directory.name}")
        )
    # A whole `chaos` package: the role host's own SDK, shadowed.
    (directory / "chaos" / "host").mkdir(parents=True, exist_ok=True)
    for init in ("chaos/__init__.py", "chaos/host/__init__.py"):
        (directory / init).write_text(
            MARKER_MODULE.format(markers=str(markers), name=f"chaos@{directory.name}")
        )


def user_site(home: Path, python: str) -> Path:
    version = subprocess.run(
        [python, "-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return home / ".local" / "lib" / f"python{version}" / "site-packages"


@pytest.fixture
def planted(chaos, tmp_path):
    """A working directory, a PYTHONPATH directory and a user site, each full of planted
    modules; yields the markers directory (empty while nothing planted ran)."""
    markers = tmp_path / "markers"
    cwd = tmp_path / "cwd"
    plant_modules(cwd, markers)
    pythonpath = tmp_path / "pythonpath"
    plant_modules(pythonpath, markers)
    chaos.env["PYTHONPATH"] = str(pythonpath)
    chaos.env["PYTHONSTARTUP"] = str(cwd / "json.py")
    for python in {sys.executable, "/usr/bin/python3"}:
        site = user_site(chaos.home, python)
        plant_modules(site, markers)
        (site / "planted.pth").write_text(
            f"import os; os.makedirs({str(markers)!r}, exist_ok=True); "
            f"open(os.path.join({str(markers)!r}, 'pth@user-site'), 'w').close()\n"
        )
    return cwd, markers


def ran(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir()) if markers.exists() else []


@pytest.fixture
def guide(chaos, plugin_env, example_wheel, tmp_path):
    plugin_env.install(example_wheel("my-chaos-plugin"))
    chaos.env["MY_ROLE_DIR"] = str(tmp_path / "my-role-dir")
    return tmp_path / "my-role-dir"


# --- 1. No Python chaos starts imports from the working directory or the user site ---


def test_doctor_imports_nothing_planted(chaos, guide, planted):
    cwd, markers = planted
    result = chaos.ok("doctor", cwd=cwd)
    assert "✓ pyinfra" in result.stdout and "Ready." in result.stdout
    assert ran(markers) == []


def test_cold_environment_cache_probe_imports_nothing_planted(chaos, guide, planted):
    cwd, markers = planted
    assert not chaos.cache_dir.exists()
    result = chaos.ok("check", "roles", cwd=cwd)
    assert "my-role" in result.stdout
    assert (chaos.cache_dir / "python-env.json").is_file()
    assert ran(markers) == []


def test_apply_imports_nothing_planted(chaos, guide, planted):
    cwd, markers = planted
    chaos.ok("apply", "my-role", "-y", cwd=cwd)
    assert guide.is_dir()  # the role really ran, with the real pyinfra
    assert ran(markers) == []


def test_manifest_reads_import_nothing_planted(chaos, guide, planted):
    cwd, markers = planted
    assert "my-role" in chaos.ok("check", "plugins", cwd=cwd).stdout
    assert "my-role" in chaos.ok("explain", "my-role", cwd=cwd).stdout
    assert ran(markers) == []


def test_interpreter_outside_a_venv_skips_the_user_site(chaos, planted):
    """A system interpreter has a user site (a venv does not): its usercustomize and .pth
    files must not run, for the probe, doctor or the role host."""
    cwd, markers = planted
    chaos.env["CHAOS_PYTHON"] = "/usr/bin/python3"
    chaos.run("doctor", cwd=cwd)  # pyinfra is missing there: exit 1, but it ran
    chaos.run("check", "plugins", cwd=cwd)
    chaos.run("apply", "nothing-here", "-y", cwd=cwd)
    assert (chaos.cache_dir / "python-env.json").is_file()
    assert ran(markers) == []


# --- 2. No build-tree path in the binary; import-path directories are checked ---


def test_installed_binary_holds_no_path_of_the_checkout():
    binary = os.environ.get("CHAOS_INSTALLED_BINARY")
    assert binary, "set CHAOS_INSTALLED_BINARY to the test venv's chaos (pip install .)"
    data = Path(binary).read_bytes()
    assert b"chaos/host/__init__.py" in data  # the SDK lookup is there ...
    for path in {str(ROOT), str(ROOT.resolve())}:
        assert path.encode() not in data  # ... but nothing of this checkout


def test_the_sdk_comes_from_the_plugin_environment(chaos, guide, tmp_path):
    """With the source-tree fallback gone, the SDK the role host imports is the environment's
    installed `chaos` package (here through the test venv's site-packages)."""
    result = chaos.ok("doctor", "--json", cwd=tmp_path)
    sdk = next(
        r for r in json.loads(result.stdout)["requirements"] if r["name"].startswith("chaos")
    )
    assert sdk["found"] and str(ROOT / "python") not in sdk["location"]


@pytest.fixture
def other_user():
    assert os.geteuid() == 0, "creates a user: run as root (CI does)"
    assert shutil.which("useradd"), "useradd is missing: scripts/install-deps.sh installs it"
    if subprocess.run(["id", "-u", OTHER_USER], check=False, capture_output=True).returncode != 0:
        subprocess.run(
            ["useradd", "--no-create-home", "--shell", "/bin/sh", OTHER_USER], check=True
        )
    uid = int(
        subprocess.run(["id", "-u", OTHER_USER], check=True, capture_output=True, text=True).stdout
    )
    yield uid
    subprocess.run(["userdel", OTHER_USER], check=False)


ROLE_MARKER = """
import os

def role(state, host, chobolo_path, skip_confirm):
    open({marker!r}, "w").close()
"""


def plugin_in(directory: Path, marker: Path) -> Path:
    return write_wheel(
        directory,
        "planted-plugin",
        entry_points={"chaos.roles": {"planted": "planted_plugin:role"}},
        modules={"planted_plugin/__init__.py": ROLE_MARKER.format(marker=str(marker))},
    )


def assert_refused(chaos, cwd: Path, marker: Path, what: str, fix: str) -> None:
    check = chaos.ok("check", "roles", cwd=cwd)
    assert what in check.stderr and fix in check.stderr, check.stderr
    assert "planted" not in check.stdout
    applied = chaos.run("apply", "planted", "-y", cwd=cwd)
    assert applied.returncode != 0 and "planted" in applied.stderr
    assert not marker.exists()


def test_world_writable_plugin_directory_is_refused(chaos, guide, tmp_path):
    marker = tmp_path / "plugin-ran"
    chaos.plugin_dir.mkdir()
    plugin_in(chaos.plugin_dir, marker)
    chaos.plugin_dir.chmod(0o777)
    assert_refused(
        chaos,
        tmp_path,
        marker,
        f"the plugin directory {chaos.plugin_dir} is writable by other users (owner root, mode 0777)",
        f"chmod go-w {chaos.plugin_dir}",
    )
    # Fixed as the message says, the plugin is used.
    chaos.plugin_dir.chmod(0o755)
    assert "planted" in chaos.ok("check", "roles", cwd=tmp_path).stdout


def test_plugin_directory_of_another_user_is_refused(chaos, guide, tmp_path, other_user):
    marker = tmp_path / "plugin-ran"
    chaos.plugin_dir.mkdir()
    plugin_in(chaos.plugin_dir, marker)
    os.chown(chaos.plugin_dir, other_user, other_user)
    assert_refused(
        chaos,
        tmp_path,
        marker,
        f"the plugin directory {chaos.plugin_dir} is owned by {OTHER_USER} (mode 0755), not by root",
        f"chown root {chaos.plugin_dir}",
    )


def test_world_writable_dev_wheel_is_refused(chaos, guide, tmp_path):
    marker = tmp_path / "plugin-ran"
    dev = tmp_path / "dev-wheels"
    wheel = plugin_in(dev, marker)
    wheel.chmod(0o666)
    chaos.env["CHAOS_DEV_PATH"] = str(dev)
    assert_refused(
        chaos,
        tmp_path,
        marker,
        f"the wheel {wheel} is writable by other users",
        f"chmod go-w {wheel}",
    )


def test_dev_path_under_a_foreign_directory_is_refused(chaos, guide, tmp_path, other_user):
    marker = tmp_path / "plugin-ran"
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    dev = theirs / "wheels"
    plugin_in(dev, marker)
    os.chown(theirs, other_user, other_user)  # they can swap `wheels` for their own
    chaos.env["CHAOS_DEV_PATH"] = str(dev)
    assert_refused(
        chaos, tmp_path, marker, f"(through {theirs}) is owned by {OTHER_USER}", "chown root"
    )


# --- 3. Files chaos writes are never reached through planted links ---


def run_prefixed(chaos: Chaos, prefix: list[str], *args: str, cwd: Path):
    env = {k: v for k, v in chaos.env.items() if v is not None}
    result = subprocess.run(
        [*prefix, str(chaos.binary), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(cwd),
        timeout=180,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert "Sanitizer" not in result.stderr and "runtime error:" not in result.stderr, result.stderr
    return result


def test_cache_temp_files_never_follow_planted_symlinks(chaos, guide, tmp_path):
    assert shutil.which("unshare"), "unshare (util-linux) is missing"
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (chaos.cache_dir / "manifest" / "parts").mkdir(parents=True)
    for name in (
        "python-env.json",
        "plugin-index.cache",
        "manifest/summary.json",
        "manifest/fingerprint",
    ):
        (chaos.cache_dir / f"{name}.tmp.1").symlink_to(victim)
    result = run_prefixed(chaos, ["unshare", "--pid", "--fork"], "explain", "my-role", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "my-role" in result.stdout
    assert victim.read_text() == "precious\n"
    assert (chaos.cache_dir / "python-env.json").is_file()


def test_the_logbook_is_not_written_through_a_planted_symlink(chaos, guide, tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    database = logbook.logbook_path(tmp_path / "state")
    database.parent.mkdir(parents=True, mode=0o700)
    database.symlink_to(victim)
    result = chaos.ok("apply", "my-role", "-y", cwd=tmp_path)
    assert "not recorded" in result.stderr and "chrima.db" in result.stderr
    assert victim.read_text() == "precious\n"
    assert not (tmp_path / "state" / "chaos" / "logbook" / "chrima.db-wal").exists()


def test_a_logbook_directory_others_can_write_is_not_used(chaos, guide, tmp_path):
    directory = logbook.logbook_dir(tmp_path / "state")
    directory.mkdir(parents=True)
    directory.chmod(0o777)
    result = chaos.ok("apply", "my-role", "-y", cwd=tmp_path)
    assert "logbook directory" in result.stderr and "chmod" in result.stderr
    assert not (directory / "chrima.db").exists()


def test_fifo_in_place_of_a_cache_file_is_never_blocked_on(chaos, guide, tmp_path):
    chaos.cache_dir.mkdir()
    os.mkfifo(chaos.cache_dir / "python-env.json")
    # Blocked on, the run would never end: the timeout is a guard, not a measurement.
    result = chaos.run("check", "roles", cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "my-role" in result.stdout
    assert (chaos.cache_dir / "python-env.json").is_file()  # replaced by a real cache


@pytest.fixture
def foreign_dir(other_user):
    """A world-writable directory owned by another user, outside root's private tmp_path."""
    path = Path(tempfile.mkdtemp(prefix="chaos-sec-e2e-"))
    os.chown(path, other_user, other_user)
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def private_dirs() -> set[Path]:
    return {p for p in Path("/tmp").glob("chaos-cache-*") if p.stat().st_uid == os.geteuid()}


def test_cache_directory_of_another_user_is_not_used(chaos, guide, tmp_path, foreign_dir):
    chaos.env["CHAOS_CACHE_DIR"] = str(foreign_dir)
    before = private_dirs()
    result = chaos.ok("check", "roles", cwd=tmp_path)
    assert "my-role" in result.stdout  # the command still works ...
    assert f"the cache directory {foreign_dir} is owned by {OTHER_USER}" in result.stderr
    assert "caches are kept for this run only" in result.stderr
    assert list(foreign_dir.iterdir()) == []  # ... and wrote nothing there
    # The private directory that stood in is gone after the run.
    assert private_dirs() <= before


def test_world_writable_state_directory_is_not_used(chaos, guide, tmp_path):
    state = tmp_path / "state" / "chaos"
    state.mkdir(parents=True)
    state.chmod(0o777)
    result = chaos.ok("apply", "my-role", "-y", cwd=tmp_path)
    assert f"the state directory {state} is writable by other users" in result.stderr
    assert f"chmod go-w {state}" in result.stderr
    assert list(state.iterdir()) == []


def test_init_does_not_replace_a_device_even_with_force(chaos, tmp_path):
    # A device node of our own (the same one as /dev/full): a regression must not be able to
    # replace the machine's /dev/full while proving the point.
    device = tmp_path / "full"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    result = chaos.run("init", "chobolo", "fleet", "-o", str(device), "-f", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{device} is a device; chaos replaces only regular files" in result.stderr
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert list(tmp_path.glob("full.tmp.*")) == []


def test_init_does_not_replace_a_fifo_or_write_through_a_symlink(chaos, tmp_path):
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)
    result = chaos.run("init", "chobolo", "fleet", "-o", str(fifo), "-f", cwd=tmp_path)
    assert result.returncode == 1 and "is a FIFO" in result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)

    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "link.yml"
    link.symlink_to(victim)
    for force in ([], ["-f"]):
        result = chaos.run("init", "chobolo", "fleet", "-o", str(link), *force, cwd=tmp_path)
        assert result.returncode == 1 and "is a symbolic link" in result.stderr
    assert link.is_symlink() and victim.read_text() == "precious\n"


def test_init_into_a_missing_directory_is_an_error(chaos, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "ch-obolo.yml"
    result = chaos.run("init", "chobolo", "fleet", "-o", str(target), cwd=tmp_path)
    assert result.returncode == 1
    assert f"the directory {target.parent} does not exist" in result.stderr
    assert "mkdir -p" in result.stderr
    assert not (tmp_path / "no").exists()

    plugin = chaos.run(
        "init", "plugin", "my-plugin", "-o", str(tmp_path / "no" / "x"), cwd=tmp_path
    )
    assert plugin.returncode == 1 and "does not exist" in plugin.stderr
    assert not (tmp_path / "no").exists()


def test_init_plugin_with_force_replaces_only_regular_files(chaos, tmp_path):
    chaos.ok("init", "plugin", "my-plugin", cwd=tmp_path)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    pyproject = tmp_path / "my-plugin" / "pyproject.toml"
    pyproject.unlink()
    pyproject.symlink_to(victim)
    result = chaos.run("init", "plugin", "my-plugin", "--force", cwd=tmp_path)
    assert result.returncode == 1 and "is a symbolic link" in result.stderr
    assert victim.read_text() == "precious\n"
