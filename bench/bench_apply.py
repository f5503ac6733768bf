"""chaos apply against `pyinfra @local deploy.py` doing the same work: a role of 50
files.directory operations, on a first run (directories absent) and a no-change run.

    python3 bench/bench_apply.py        (inside the venv chaos was pip-installed into)

Prints a markdown table and saves bench/results/apply.json. The chaos role is the same
Python code as deploy.py, registered as a legacy function role of a generated plugin.
"""

from __future__ import annotations

from common import WORK, chaos_binary, fresh_env, hyperfine, isolated_environment, machine, ms, save
from support.wheelkit import write_wheel

OPERATIONS = 50

ROLE = f"""
import os
from pyinfra.operations import files

def fifty_dirs(state, host, chobolo_path, skip_confirm):
    root = os.environ["BENCH_ROOT"]
    for i in range({OPERATIONS}):
        files.directory(name=f"dir {{i}}", path=f"{{root}}/dir-{{i}}")
"""

DEPLOY = f"""
import os
from pyinfra.operations import files

root = os.environ["BENCH_ROOT"]
for i in range({OPERATIONS}):
    files.directory(name=f"dir {{i}}", path=f"{{root}}/dir-{{i}}")
"""


def main() -> None:
    chaos = chaos_binary()
    env = fresh_env("apply")
    env.install(
        write_wheel(
            WORK / "wheels-apply",
            "bench-dirs",
            entry_points={"chaos.roles": {"bench-dirs": "bench_dirs:fifty_dirs"}},
            modules={"bench_dirs.py": ROLE},
        )
    )
    deploy = WORK / "deploy.py"
    deploy.write_text(DEPLOY)
    root = WORK / "apply-root"
    environ = isolated_environment({"CHAOS_PYTHON": str(env.python), "BENCH_ROOT": str(root)})
    # The plugin environment reaches pyinfra through a .pth file; run its CLI with that interpreter.
    commands = {
        "chaos apply": f"{chaos} apply bench-dirs -y",
        "pyinfra @local deploy.py": f"{env.python} -m pyinfra @local {deploy} -y",
    }
    first = hyperfine(
        {f"{k} (first run)": v for k, v in commands.items()},
        environ,
        runs=10,
        warmup=1,
        prepare=f"rm -rf {root}",
    )
    no_change = hyperfine(
        {f"{k} (no change)": v for k, v in commands.items()}, environ, runs=15, warmup=2
    )
    results = {**first, **no_change}
    lines = [
        f"Machine: {machine()}",
        "",
        "| run | chaos apply | pyinfra @local deploy.py | chaos / pyinfra |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label in ("first run", "no change"):
        c, p = results[f"chaos apply ({label})"], results[f"pyinfra @local deploy.py ({label})"]
        lines.append(
            f"| {label} | {ms(c['mean'])} ± {ms(c['stddev'])} | {ms(p['mean'])} ± {ms(p['stddev'])} | "
            f"{c['mean'] / p['mean']:.2f} |"
        )
    print("\n".join(lines))
    save("apply", {"operations": OPERATIONS, "results": results})


if __name__ == "__main__":
    main()
