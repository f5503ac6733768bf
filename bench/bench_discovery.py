"""chaos check roles --json against importlib.metadata.entry_points(group="chaos.roles"),
on the same plugin environment with 1 and with 200 installed plugin distributions.

    python3 bench/bench_discovery.py        (inside the venv chaos was pip-installed into)

Prints a markdown table with ratios and saves bench/results/discovery.json.
"""

from __future__ import annotations

import shlex

from common import WORK, chaos_binary, fresh_env, hyperfine, isolated_environment, machine, ms, save
from support.wheelkit import write_wheel

IMPORTLIB = "from importlib.metadata import entry_points; print(sorted(ep.name for ep in entry_points(group='chaos.roles')))"


def environment_with(count: int):
    env = fresh_env(f"discovery-{count}")
    wheels = []
    for i in range(count):
        eps = {
            "chaos.roles": {f"role-{i}": f"plugin_{i}.roles:Role{i}"},
            "chaos.explain": {f"role-{i}": f"plugin_{i}.explain:Explain{i}"},
            "chaos.keys": {f"role-{i}": f"plugin_{i}.roles:keys"},
            "chaos.aliases": {f"r{i}": f"role-{i}"},
        }
        wheels.append(
            write_wheel(
                WORK / f"wheels-{count}",
                f"bench-plugin-{i}",
                entry_points=eps,
                modules={f"plugin_{i}/__init__.py": ""},
            )
        )
    env.install(*wheels)
    return env


def main() -> None:
    chaos = chaos_binary()
    rows = {}
    for count in (1, 200):
        env = environment_with(count)
        environ = isolated_environment({"CHAOS_PYTHON": str(env.python)})
        commands = {
            "chaos check roles --json": f"{chaos} check roles --json",
            "python importlib.metadata": f"{env.python} -c {shlex.quote(IMPORTLIB)}",
        }
        warm = hyperfine(commands, environ)
        # After `pip install` the index is rebuilt: remove it before every run to time that path.
        rebuilt = hyperfine(
            {"chaos, index rebuilt": f"{chaos} check roles --json"},
            environ,
            prepare=f"rm -f {WORK / 'cache' / 'plugin-index.cache'}",
        )
        rows[count] = {**warm, **rebuilt}
    lines = [
        f"Machine: {machine()}",
        "",
        "| plugins | chaos (warm index) | chaos (index rebuilt) | importlib.metadata | speed-up (warm) |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for count, r in rows.items():
        c, rb, p = (
            r["chaos check roles --json"],
            r["chaos, index rebuilt"],
            r["python importlib.metadata"],
        )
        lines.append(
            f"| {count} | {ms(c['mean'])} ± {ms(c['stddev'])} | {ms(rb['mean'])} | "
            f"{ms(p['mean'])} ± {ms(p['stddev'])} | {p['mean'] / c['mean']:.1f}× |"
        )
    print("\n".join(lines))
    save("discovery", {"results": {str(k): v for k, v in rows.items()}})


if __name__ == "__main__":
    main()
