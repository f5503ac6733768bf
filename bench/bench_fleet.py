"""`chaos apply --fleet` against `pyinfra inventory.py deploy.py` on real SSH hosts: N hosts
(1, 10, 30) with 20 operations each that change nothing, both at the same parallelism (N).

    python3 bench/bench_fleet.py                 (as root, inside the venv chaos was pip-installed into)
    python3 bench/bench_fleet.py --split-hosts 2 (chaos runs with CHAOS_FLEET_SPLIT=2)
    python3 bench/bench_fleet.py --dry           (dry runs: `chaos apply --fleet --dry` against
                                                  `pyinfra ... --dry`, both predicting changes)

The hosts are Debian's sshd in network namespaces (tests/support/sshd.py), so this needs root
and `ip netns`. Every host's scratch directory gets its 10 directories and 10 files before the
first run, so no run changes anything: what is measured is connecting, reading facts and
deciding there is nothing to do. The chaos role is the same Python code as deploy.py,
registered as a legacy function role of a generated plugin.

Runs are paired: each repetition runs chaos and pyinfra back to back, the order swapped every
time, so both see the same machine load. Prints a markdown table of medians and saves every
time in bench/results/fleet.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
from pathlib import Path

from common import WORK, chaos_binary, fresh_env, isolated_environment, machine, save, timed
from support import sshd
from support.wheelkit import write_wheel

DIRECTORIES = 10
FILES = 10
OPERATIONS = DIRECTORIES + FILES

# One body for both: the role and the deploy file stage exactly the same operations.
OPERATIONS_CODE = f"""
root = host.data.get("bench_root")
for i in range({DIRECTORIES}):
    files.directory(name=f"dir {{i}}", path=f"{{root}}/dir-{{i}}")
for i in range({FILES}):
    files.file(name=f"file {{i}}", path=f"{{root}}/file-{{i}}")
"""

ROLE = (
    "from pyinfra import host\n"
    "from pyinfra.operations import files\n\n\n"
    "def twenty_ops(state, host_, chobolo_path, skip_confirm):\n"
    + "".join(f"    {line}\n" for line in OPERATIONS_CODE.strip().splitlines())
)

DEPLOY = "from pyinfra import host\nfrom pyinfra.operations import files\n" + OPERATIONS_CODE


def host_data(h: sshd.SshHost) -> dict[str, str | int]:
    """The connector data both tools get for one host, strict host key checking included
    (chaos's default; pyinfra's own default would also write known_hosts)."""
    return {
        "ssh_hostname": h.address,
        "ssh_port": h.port,
        "ssh_user": h.user,
        "ssh_key": str(h.key_path),
        "ssh_known_hosts_file": str(h.known_hosts),
        "ssh_strict_host_key_checking": "yes",
        "bench_root": str(h.scratch),
    }


def write_chobolo(path: Path, hosts: list[sshd.SshHost]) -> None:
    lines = ["fleet:", f"  parallelism: {len(hosts)}", "  hosts:"]
    for i, h in enumerate(hosts):
        data = ", ".join(f"{k}: {json.dumps(v)}" for k, v in host_data(h).items())
        lines.append(f"    bench-{i + 1}: {{{data}}}")
    path.write_text("\n".join(lines) + "\n")


def write_inventory(path: Path, hosts: list[sshd.SshHost]) -> None:
    entries = [(f"bench-{i + 1}", host_data(h)) for i, h in enumerate(hosts)]
    path.write_text(f"bench_hosts = {entries!r}\n")


def satisfy(hosts: list[sshd.SshHost]) -> None:
    """What the operations ask for, made beforehand (the hosts share this filesystem)."""
    for h in hosts:
        for i in range(DIRECTORIES):
            (h.scratch / f"dir-{i}").mkdir(exist_ok=True)
        for i in range(FILES):
            (h.scratch / f"file-{i}").touch()


def check_no_change(chaos_argv: list[str], env: dict[str, str], count: int) -> None:
    """The warm-up run of chaos, with --json: every host connected, nothing changed."""
    _, result = timed([*chaos_argv, "--json"], env)
    report = json.loads(result.stdout)
    hosts = report["hosts"]
    changed = {h["name"]: h["counts"]["changed"] for h in hosts}
    if len(hosts) != count or any(changed.values()) or not all(h["connected"] for h in hosts):
        raise SystemExit(f"the warm-up run did not find {count} unchanged hosts: {changed}")


def timed_with_cpu(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and the controller's CPU time (user + system of the command and everything it
    waited for: chaos's role hosts, pyinfra's process). The targets' sshd is not in it: on a
    real fleet it runs on other machines, here it shares this machine's cores."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = timed(argv, env)[0]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def measure(
    count: int,
    runs: int,
    chaos_env: dict,
    pyinfra_env: dict,
    python: Path,
    split: int | None,
    dry: bool = False,
):
    chaos = str(chaos_binary())
    # A user of its own on every host (key login; its shell is /bin/sh), not root: root's
    # shell here is bash, which reads ~/.bashrc for every command run over ssh, and this
    # machine's runs `pyenv init` (~0.2 s a command), which would swamp what is compared.
    with sshd.ssh_hosts(count, password_host=range(count)) as hosts:
        satisfy(hosts)
        chobolo, inventory = WORK / f"fleet-{count}.yml", WORK / f"inventory_{count}.py"
        write_chobolo(chobolo, hosts)
        write_inventory(inventory, hosts)
        commands = {
            "chaos": [chaos, "apply", "--fleet", "-y", "-c", str(chobolo), "bench-fleet"],
            "pyinfra": [str(python), "-m", "pyinfra", str(inventory), str(WORK / "deploy.py")]
            + ["-y", "--parallel", str(count)],
        }
        if dry:
            # A dry run is for seeing what would change: both predict every operation's change,
            # reading its facts while planning (pyinfra skips that with -y, so not -y there).
            commands["chaos"].append("--dry")
            commands["pyinfra"].remove("-y")
            commands["pyinfra"].append("--dry")
        envs = {"chaos": chaos_env, "pyinfra": pyinfra_env}
        check_no_change(commands["chaos"], chaos_env, count)
        timed(commands["pyinfra"], pyinfra_env)
        load_before = os.getloadavg()[0]
        times: dict[str, list[float]] = {"chaos": [], "pyinfra": []}
        cpu: dict[str, list[float]] = {"chaos": [], "pyinfra": []}
        for rep in range(runs):
            order = ("chaos", "pyinfra") if rep % 2 == 0 else ("pyinfra", "chaos")
            for name in order:
                elapsed, spent = timed_with_cpu(commands[name], envs[name])
                times[name].append(elapsed)
                cpu[name].append(spent)
        load_after = os.getloadavg()[0]
    return {
        "hosts": count,
        "split_hosts": split,
        "dry": dry,
        "times": times,
        "median": {k: statistics.median(v) for k, v in times.items()},
        "controller_cpu": cpu,
        "median_controller_cpu": {k: statistics.median(v) for k, v in cpu.items()},
        "load_average_1min": [load_before, load_after],
    }


def cpu_cell(row: dict) -> str:
    c, p = row["median_controller_cpu"]["chaos"], row["median_controller_cpu"]["pyinfra"]
    return f"{c * 1000:.0f} / {p * 1000:.0f} ms ({c / p:.2f})"


def report(rows: list[dict]) -> str:
    dry = " --dry" if rows and rows[0].get("dry") else ""
    label, other = f"chaos apply --fleet{dry}", f"pyinfra inventory.py deploy.py{dry}"
    if rows and rows[0]["split_hosts"]:
        label += f" (CHAOS_FLEET_SPLIT={rows[0]['split_hosts']})"
    lines = [
        f"Machine: {machine()}",
        "",
        f"| hosts | {label} | {other} | chaos / pyinfra | runs | load | controller CPU chaos / pyinfra |",
        "| ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for row in rows:
        c, p = row["median"]["chaos"], row["median"]["pyinfra"]
        ratios = sorted(a / b for a, b in zip(row["times"]["chaos"], row["times"]["pyinfra"]))
        load = "-".join(f"{x:.1f}" for x in row["load_average_1min"])
        lines.append(
            f"| {row['hosts']} | {c * 1000:.0f} ms | {p * 1000:.0f} ms | {c / p:.2f} "
            f"(pairs {ratios[0]:.2f}-{ratios[-1]:.2f}) | {len(ratios)} | {load} "
            f"| {cpu_cell(row)} |"
        )
    by_count = {row["hosts"]: row["median"] for row in rows}
    if len(by_count) > 1:
        small, large = min(by_count), max(by_count)
        for tool in ("chaos", "pyinfra"):
            growth = by_count[large][tool] / by_count[small][tool]
            lines.append(f"\n{tool}: {large} hosts / {small} host(s) = {growth:.2f}×")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 10, 30], help="fleet sizes")
    parser.add_argument("--runs", type=int, default=7, help="pairs of runs per fleet size")
    parser.add_argument(
        "--split-hosts",
        type=int,
        metavar="K",
        help="run chaos with CHAOS_FLEET_SPLIT=K (the fleet split across K role hosts)",
    )
    parser.add_argument(
        "--dry", action="store_true", help="dry runs that predict changes, for both tools"
    )
    args = parser.parse_args()
    problem = sshd.requirements_problem()
    if problem:
        raise SystemExit(f"no SSH hosts here: {problem}")
    sshd.reap_stale()

    env = fresh_env("fleet")
    env.install(
        write_wheel(
            WORK / "wheels-fleet",
            "bench-fleet",
            entry_points={"chaos.roles": {"bench-fleet": "bench_fleet_role:twenty_ops"}},
            modules={"bench_fleet_role.py": ROLE},
        )
    )
    (WORK / "deploy.py").write_text(DEPLOY)
    # The plugin environment reaches pyinfra through a .pth file; run its CLI with that interpreter.
    pyinfra_env = isolated_environment({})
    chaos_env = isolated_environment({"CHAOS_PYTHON": str(env.python)})
    if args.split_hosts:
        chaos_env["CHAOS_FLEET_SPLIT"] = str(args.split_hosts)

    rows = []
    for count in args.hosts:
        rows.append(
            measure(
                count, args.runs, chaos_env, pyinfra_env, env.python, args.split_hosts, args.dry
            )
        )
        print(f"{count} hosts: {rows[-1]['median']}", flush=True)
    print(report(rows))
    name = "fleet" if not args.split_hosts else f"fleet-split-{args.split_hosts}"
    name += "-dry" if args.dry else ""
    save(name, {"operations": OPERATIONS, "runs": args.runs, "results": rows})


if __name__ == "__main__":
    main()
