"""`chaos explain`, completion, `check` and `init chobolo` from the cached plugin manifest.

    python3 bench/bench_explain.py        (inside the venv chaos was pip-installed into,
                                           or with CHAOS_BENCH_BINARY=path/to/release/chaos)

1. The plugin guide's example: `chaos explain my-role` with a warm manifest against a Python
   one-liner that imports the explain class and calls it (what the original tool does), plus
   the first run (manifest read by the role host) for reference.
2. 200 generated plugins: `chaos check`, completion of `apply` and `explain` words, explain and
   `init chobolo -t`, all warm; reading the manifest of all 200 from scratch; re-reading one
   changed plugin.

Prints markdown tables and saves bench/results/explain.json (hyperfine's --export-json data).
"""

from __future__ import annotations

import shlex
import subprocess

from common import (
    ROOT,
    WORK,
    chaos_binary,
    fresh_env,
    hyperfine,
    isolated_environment,
    machine,
    ms,
    save,
)
from support.environments import build_wheel
from support.wheelkit import write_wheel

ONE_LINER = "from my_chaos_plugin.explain import MyRoleExplain; print(MyRoleExplain().explain_my_role('basic'))"

PLUGIN_ROLES = """
from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role


class Role{i}(Role):
    def __init__(self):
        super().__init__(name="role-{i}", necessary_chobolo_keys=["role_{i}"])

    def delta(self, context=None):
        return Delta()

    def plan(self, state, host, delta=Delta()):
        return ResultPayload(True)


keys = [{{"role_{i}": {{"enabled": True, "items": ["a", "b"], "path": "/srv/role-{i}"}}}}]
"""

PLUGIN_EXPLAIN = """
class Explain{i}:
    _order = ["usage", "keys", "security-notes"]

    def explain_role_{i}(self, complexity="basic"):
        return {{
            "concept": "Role {i}",
            "what": "Keeps the things of role {i} in the state the Ch-obolo describes. " * 3,
            "why": "So that machine {i} can be rebuilt from its description.",
            "how": "Reads facts, computes a delta, stages pyinfra operations for it.",
            "examples": [{{"yaml": "role_{i}:\\n  enabled: true\\n  items: [a, b]\\n"}}],
        }}

    def explain_usage(self, complexity="basic"):
        return {{"concept": "Usage", "examples": [{{"yaml": "chaos apply role-{i}"}}]}}

    def explain_keys(self, complexity="basic"):
        return {{"concept": "Keys", "what": "role_{i}.enabled, role_{i}.items, role_{i}.path"}}

    def explain_security_notes(self, complexity="basic"):
        return {{"concept": "Security", "security": "Runs as root."}}
"""


def guide_environment():
    env = fresh_env("explain-guide")
    env.install(build_wheel(ROOT / "examples" / "my-chaos-plugin", WORK / "wheels-guide"))
    return env


def many_plugins(count: int):
    env = fresh_env(f"explain-{count}")
    wheels = []
    for i in range(count):
        wheels.append(
            write_wheel(
                WORK / f"wheels-explain-{count}",
                f"bench-explain-plugin-{i}",
                entry_points={
                    "chaos.roles": {f"role-{i}": f"bench_plugin_{i}.roles:Role{i}"},
                    "chaos.explain": {f"role-{i}": f"bench_plugin_{i}.explain:Explain{i}"},
                    "chaos.keys": {f"role-{i}": f"bench_plugin_{i}.roles:keys"},
                    "chaos.aliases": {f"r{i}": f"role-{i}"},
                },
                modules={
                    f"bench_plugin_{i}/__init__.py": "",
                    f"bench_plugin_{i}/roles.py": PLUGIN_ROLES.format(i=i),
                    f"bench_plugin_{i}/explain.py": PLUGIN_EXPLAIN.format(i=i),
                },
            )
        )
    env.install(*wheels)
    return env


def warm(chaos: str, environ: dict, *args: str) -> None:
    subprocess.run([chaos, *args], env=environ, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    chaos = str(chaos_binary())
    manifest_dir = WORK / "cache" / "manifest"

    env = guide_environment()
    environ = isolated_environment({"CHAOS_PYTHON": str(env.python)})
    warm(chaos, environ, "explain", "my-role")
    guide = hyperfine(
        {
            "chaos explain my-role": f"{chaos} explain my-role",
            "chaos explain my-role.usage -j": f"{chaos} explain my-role.usage -j",
            "chaos explain apply (built in)": f"{chaos} explain apply",
            "python one-liner": f"{env.python} -c {shlex.quote(ONE_LINER)}",
        },
        environ,
    )
    guide.update(
        hyperfine(
            {"chaos explain my-role, manifest not cached": f"{chaos} explain my-role"},
            environ,
            runs=10,
            warmup=1,
            prepare=f"rm -rf {manifest_dir}",
        )
    )

    count = 200
    env = many_plugins(count)
    environ = isolated_environment({"CHAOS_PYTHON": str(env.python)})
    warm(chaos, environ, "explain", "role-1")
    many = hyperfine(
        {
            "chaos check roles": f"{chaos} check roles",
            "chaos check plugins": f"{chaos} check plugins",
            "complete `chaos apply r`": f"{chaos} __complete -- chaos apply r",
            "complete `chaos explain role-17`": f"{chaos} __complete -- chaos explain role-17",
            "chaos explain role-17": f"{chaos} explain role-17",
            "chaos init chobolo -t": f"{chaos} init chobolo -t",
        },
        environ,
    )
    many.update(
        hyperfine(
            {f"manifest of {count} plugins read from scratch": f"{chaos} explain role-17"},
            environ,
            runs=3,
            warmup=0,
            prepare=f"rm -rf {manifest_dir}",
        )
    )
    many.update(
        hyperfine(
            {"manifest: one changed plugin re-read": f"{chaos} explain role-17"},
            environ,
            runs=10,
            warmup=1,
            # What `pip install` of a new version does to the metadata: a new stamp.
            prepare=f"touch {env.site_packages}/bench_explain_plugin_0-*.dist-info",
        )
    )

    one_liner = guide["python one-liner"]["mean"]
    lines = [
        f"Machine: {machine()}",
        "",
        "Plugin guide example (my-chaos-plugin):",
        "",
        "| command | mean ± σ | vs the Python one-liner |",
        "| --- | ---: | ---: |",
    ]
    for name, r in guide.items():
        lines.append(
            f"| {name} | {ms(r['mean'])} ± {ms(r['stddev'])} | {one_liner / r['mean']:.1f}× |"
        )
    lines += ["", f"{count} plugins (each: a role class, an explain class, keys, an alias):", ""]
    lines += ["| command | mean ± σ |", "| --- | ---: |"]
    for name, r in many.items():
        lines.append(f"| {name} | {ms(r['mean'])} ± {ms(r['stddev'])} |")
    print("\n".join(lines))
    save("explain", {"guide": guide, f"plugins_{count}": many})


if __name__ == "__main__":
    main()
