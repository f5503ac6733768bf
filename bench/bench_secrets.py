"""`chaos secrets cat KEY -v` against what a user would do without chaos: `sops decrypt` of the
same file piped into a Python one-liner that extracts the key. And `chaos check secrets`.

    python3 bench/bench_secrets.py        (inside the venv chaos was pip-installed into,
                                           or with CHAOS_BENCH_BINARY=path/to/release/chaos)

Needs sops (scripts/install-sops.sh puts it in .tools/bin), age-keygen and hyperfine. The
target (issue 10): chaos adds at most 10% to sops' own time. Saves bench/results/secrets.json.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

from common import ROOT, WORK, chaos_binary, hyperfine, isolated_environment, machine, ms, save


def main() -> None:
    chaos = chaos_binary()
    tools = ROOT / ".tools" / "bin"
    path = f"{tools}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    sops = shutil.which("sops", path=path)
    if not sops or not shutil.which("age-keygen"):
        sys.exit("sops and age-keygen are needed (scripts/install-sops.sh, apt-get install age)")
    config = WORK / "config"
    if config.exists():
        shutil.rmtree(config)
    config.mkdir(parents=True)
    key = config / "keys.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    recipient = subprocess.run(
        ["age-keygen", "-y", str(key)], check=True, capture_output=True, text=True
    ).stdout
    sops_config = config / "sops-config.yml"
    sops_config.write_text(f"creation_rules:\n  - path_regex: .*\n    age: {recipient.strip()}\n")
    secrets = config / "secrets.yml"
    # A realistic file: 50 users with a password and a key each.
    secrets.write_text(
        "users:\n"
        + "".join(f"  user{i}:\n    password: pw-{i}-x\n    token: tok-{i}-y\n" for i in range(50))
    )
    subprocess.run(
        [sops, "--config", str(sops_config), "encrypt", "--in-place", str(secrets)], check=True
    )
    (config / "config.yml").write_text(f"secrets_file: {secrets}\nsops_file: {sops_config}\n")

    env = isolated_environment({"PATH": path, "SOPS_AGE_KEY_FILE": str(key)})
    one_liner = "import sys, yaml; print(yaml.safe_load(sys.stdin)['users']['user7']['password'])"
    q = shlex.quote
    results = hyperfine(
        {
            "sops decrypt": f"{q(sops)} decrypt {q(str(secrets))}",
            "sops decrypt, piped to a python3 one-liner": f"{q(sops)} decrypt {q(str(secrets))} | "
            f"{q(sys.executable)} -c {q(one_liner)}",
            "chaos secrets cat users.user7.password -v": f"{q(str(chaos))} secrets cat users.user7.password -v",
            "chaos check secrets": f"{q(str(chaos))} check secrets",
        },
        env,
        prepare="true",
    )
    base = results["sops decrypt"]["mean"]
    print(f"Machine: {machine()}\n")
    print("| command | mean | vs sops decrypt alone |")
    print("| --- | --- | --- |")
    for name, r in results.items():
        print(f"| {name} | {ms(r['mean'])} ± {ms(r['stddev'])} | {r['mean'] / base:.2f}x |")
    print(f"\nsaved {save('secrets', {'results': results})}")


if __name__ == "__main__":
    main()
