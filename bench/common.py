"""Shared pieces of the benchmarks: environments, the binary, hyperfine, and result tables."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "tests"))

from support.environments import PluginEnv


def chaos_binary() -> Path:
    """A release build: CHAOS_BENCH_BINARY, else `chaos` beside this interpreter (pip install .)."""
    if os.environ.get("CHAOS_BENCH_BINARY"):
        return Path(os.environ["CHAOS_BENCH_BINARY"]).resolve()
    beside = Path(sys.executable).parent / "chaos"
    if beside.exists():
        return beside
    sys.exit(
        "no chaos binary: run inside the environment chaos was pip-installed into, or set CHAOS_BENCH_BINARY"
    )


def require_hyperfine() -> str:
    found = shutil.which("hyperfine")
    if not found:
        sys.exit("hyperfine is needed: apt-get install hyperfine")
    return found


def fresh_env(name: str) -> PluginEnv:
    path = WORK / name
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return PluginEnv(path)


def isolated_environment(extra: dict[str, str]) -> dict[str, str]:
    home = WORK / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "CHAOS_CONFIG_DIR": str(WORK / "config"),
        "CHAOS_CACHE_DIR": str(WORK / "cache"),
        "CHAOS_PLUGIN_DIR": str(WORK / "no-plugin-dir"),
        "XDG_STATE_HOME": str(WORK / "state"),
        "NO_COLOR": "1",
    }
    env.update(extra)
    return env


def hyperfine(
    commands: dict[str, str],
    env: dict[str, str],
    runs: int = 30,
    warmup: int = 3,
    prepare: str | None = None,
) -> dict[str, dict]:
    """Times each named shell command; returns {name: {mean, stddev, median, min, max}} in seconds."""
    out = WORK / "hyperfine.json"
    args = [
        require_hyperfine(),
        "-N" if prepare is None else "--shell=bash",
        "--runs",
        str(runs),
        "--warmup",
        str(warmup),
        "--export-json",
        str(out),
        "--style",
        "none",
    ]
    if prepare:
        args += ["--prepare", prepare]
    for name, command in commands.items():
        args += ["--command-name", name, command]
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    data = json.loads(out.read_text())
    return {
        r["command"]: {k: r[k] for k in ("mean", "stddev", "median", "min", "max")}
        for r in data["results"]
    }


# Runs one command once; a failure ends the benchmark with the command's own output.
def timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    # check=False: a failure is reported below with the command's own output.
    result = subprocess.run(
        argv,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} exited {result.returncode}\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}"
        )
    return elapsed, result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.platform()}, Python {platform.python_version()}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2))
    return path
