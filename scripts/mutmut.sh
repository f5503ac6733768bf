#!/usr/bin/env bash
# mutmut (2.5.1) over the role host (python/chaos/host), one module at a time, with the role-host
# tests (tests/host). Not part of CI: it runs host tests once per mutant (hours for the whole
# package on 2 cores). It works on a copy of the committed tree (build/mutmut-tree), so an
# interrupted run never leaves a mutated file in the checkout, and it starts each module from an
# empty cache (2.5.1's cache can break across runs: "Attribute Mutant.line is required").
#
#   scripts/mutmut.sh                        every module; a score per module and the total
#   scripts/mutmut.sh deltas params          some modules (file names without .py)
#   scripts/mutmut.sh --sample 80 apply server
#                                            an estimate: 80 mutants drawn uniformly at random
#                                            from all mutants of these modules (seed: MUTMUT_SEED,
#                                            default 1), killed share with a 95% Wilson interval
#
#   scripts/mutmut.sh --covered apply server
#                                            the way to measure whole modules: each mutant runs
#                                            only the tests that executed the statement it
#                                            mutates (below), on MUTMUT_JOBS (2) workers;
#                                            results in mutmut-results/covered/MODULE.txt
#   scripts/mutmut.sh --imports manifest     the same runner with the import selection below
#   scripts/mutmut.sh --crosscheck apply     the survivors of the last --covered run (a sample of
#                                            MUTMUT_CROSSCHECK_SAMPLE if set) on the import
#                                            selection: a kill there would be a selection bug
#                                            (scripts/mutmut_covered.py compare prints both)
#
#   scripts/mutmut.sh --recheck 2,7,14 apply server
#                                            the survivors among those draws of the last sample
#                                            (numbers as in sample.txt; "all" for every one),
#                                            run again on the current tests; the rest keep their
#                                            status (tests are only ever added, so a kill stays)
#
# Results (MUTMUT_DIR, default build/): mutmut-results/MODULE.txt (`mutmut results` plus each survivor's diff), or
# mutmut-results/sample.txt (every drawn mutant, its diff and its status).
#
# Which tests run for a module (the only shortcut; it does not change any verdict):
#   Before mutating anything, each host test file runs once on a second copy of the tree
#   (build/mutmut-map) whose modules append their name to a log when they are imported, with
#   the test that caused it (PYTEST_CURRENT_TEST, which the hosts inherit). A mutant of a module
#   can only change a test in which some process imports that module, so a module's runner gets
#   exactly the tests that import it:
#   - an import in the pytest process itself counts for the whole test file (a module is
#     imported once per process, so later tests of the file use it without a log line);
#   - an import in a role host counts for the test that started the host (every host is started
#     by one function-scoped fixture or test and imported afresh; no host is shared or forked).
#   No test reads a host module's source as text (checked by hand: tests/host only calls
#   inspect.getsource on pyinfra). A module no test imports gets every mutant counted as
#   survived without a run. The selection is written to mutmut-results/tests-MODULE.txt (and
#   reused while HEAD stays the same commit).
#   Tests run in file order, the fastest files first (with -x a kill then costs less; a survivor
#   runs the same tests in any order). The suite is one pytest process as before: no
#   pytest-xdist (2 cores, shared).
# Which tests run for a mutant with --covered (scripts/mutmut_covered.py):
#   Every host test file runs once on a third copy (build/mutmut-cov) in which every Python
#   process records coverage.py data (a .pth in the mutmut venv and a sitecustomize.py on the
#   tree's python/, for the test that starts a host from a bare venv), also in greenlets
#   (the host patches with gevent), in the real threads chaos.host.native starts, and on the
#   host's os._exit. The pytest process records under "file:TEST_FILE": what it executes
#   itself counts for its whole file (module state one test leaves can serve the next). A role
#   host records under "test:NODE_ID" from the PYTEST_CURRENT_TEST it inherits (every host is
#   started by a function-scoped fixture or test and not shared). HostClient.kill closes the
#   requests before SIGTERM and SIGKILL there, so that a host still running at teardown saves.
#   A mutant then runs the tests that executed any line of the innermost statement around its
#   line (a compound statement: header and body, a superset). A statement outside any function
#   (module and class level: run at import), a bare string, or one executed by a process
#   outside any test gets the import selection instead (as the default mode). A mutant no test
#   executes is counted as surviving without a run. Kills are kept across commits (tests are
#   only added); a survivor of an older commit runs again on the tests added since and on the
#   tests of host test files changed since (git diff; the map of
#   each commit is kept as coverage-map-COMMIT.json; MUTMUT_RECHECK_ONLY=1 runs only those
#   rechecks, no mutant without a verdict yet). Timeout: 10 x (the selected tests'
#   recorded time + 2 s), at least 60 s. Each worker has its own copy of the tree (mutmut-wN).
# The sample runs set PYTHONDONTWRITEBYTECODE, as mutmut does: a .pyc is checked by the source's
# mtime (in seconds) and size, so two same-sized mutants written within one second would
# otherwise run the first one's bytecode.
# Killed = tests failed (mutmut's ok_killed, or ok_suspicious: failed, but slower than twice
# the baseline, which a busy machine causes) or timed out (10 x the baseline).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=${MUTMUT_DIR:-$root/build} # another directory lets a second run go on beside a first
venv=$root/build/mutmut-venv
tree=$work/mutmut-tree
map=$work/mutmut-map
results=$work/mutmut-results

sample=0
recheck=
covered=
if [[ ${1:-} == --covered || ${1:-} == --imports || ${1:-} == --crosscheck ]]; then
  covered=${1#--}
  shift
elif [[ ${1:-} == --sample ]]; then
  sample=$2
  shift 2
elif [[ ${1:-} == --recheck ]]; then
  recheck=$2
  shift 2
fi
export PYTHONDONTWRITEBYTECODE=1

if [[ ! -x $venv/bin/mutmut ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "mutmut==2.5.1" "pytest>=8.2" "pyinfra>=3.8,<4" "omegaconf>=2.3" "jsonschema>=4"
fi
if [[ ! -x $venv/bin/coverage ]]; then
  "$venv/bin/pip" install -q "coverage>=7.6,<8"
fi
rm -rf "$tree" && mkdir -p "$tree" "$results"
git archive HEAD | tar -x -C "$tree"
head=$(git rev-parse HEAD)

modules=("$@")
if ((${#modules[@]} == 0)); then
  for f in python/chaos/host/*.py; do
    name=$(basename "$f" .py)
    [[ $name == __init__ || $name == __main__ ]] || modules+=("$name")
  done
fi

if [[ -n $covered ]]; then
  # The coverage map: every host test file once, on a copy of the tree whose Python processes
  # all record coverage (kept for the same commit).
  if [[ $(cat "$results/coverage.commit" 2>/dev/null) != "$head" ]]; then
    rm -rf "$work/mutmut-cov" "$results/coverage.commit" && mkdir -p "$work/mutmut-cov"
    git archive HEAD | tar -x -C "$work/mutmut-cov"
    (cd "$work/mutmut-cov" && "$venv/bin/python" scripts/mutmut_covered.py record "$PWD" "$results")
    echo "$head" >"$results/coverage.commit"
    cp "$results/coverage-map.json" "$results/coverage-map-$head.json" # for rechecks (new tests)
  fi
  workers=()
  for i in $(seq 1 "${MUTMUT_JOBS:-2}"); do
    rm -rf "$work/mutmut-w$i" && mkdir -p "$work/mutmut-w$i"
    git archive HEAD | tar -x -C "$work/mutmut-w$i"
    workers+=("$work/mutmut-w$i")
  done
  cd "$tree"
  MUTMUT_HEAD=$head MUTMUT_REPO=$root exec "$venv/bin/python" scripts/mutmut_covered.py run "$results" "$covered" \
    "${workers[@]}" -- "${modules[@]}"
fi

# The import map: every host test file once, on the instrumented copy (kept for the same commit).
if [[ $(cat "$results/tests.commit" 2>/dev/null) != "$head" ]]; then
rm -rf "$map" "$results"/tests-*.txt "$results/tests.commit" && mkdir -p "$map"
git archive HEAD | tar -x -C "$map"
(cd "$map" && "$venv/bin/python" - "$results" <<'PY'
import os, subprocess, sys, time
from pathlib import Path

results = Path(sys.argv[1])
probe = (
    "import os as _mm_os, sys as _mm_sys\n"
    "if _mm_os.environ.get('MUTMUT_IMPORT_LOG'):\n"
    "    with open(_mm_os.environ['MUTMUT_IMPORT_LOG'], 'a') as _mm_f:\n"
    "        _mm_f.write(__name__ + '\\t' + ('' if '_pytest' in _mm_sys.modules else"
    " _mm_os.environ.get('PYTEST_CURRENT_TEST', '').rsplit(' (', 1)[0]) + '\\n')\n"
)
future = "from __future__ import annotations\n"
for f in Path("python/chaos/host").glob("*.py"):
    text = f.read_text()
    # After the __future__ import, which must stay first.
    f.write_text(text.replace(future, future + probe, 1) if future in text else probe + text)
rows = []
for test in sorted(Path("tests/host").glob("test_*.py")):
    log = Path(f"imports-{test.stem}.log").resolve()
    log.write_text("")
    start = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        env={**os.environ, "PYTHONPATH": "python", "MUTMUT_IMPORT_LOG": str(log)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    if run.returncode != 0:
        sys.exit(f"{test} fails without mutations:\n{run.stdout}")
    seconds = time.monotonic() - start
    for line in log.read_text().splitlines():
        module, _, node = line.partition("\t")
        rows.append((seconds, str(test), module, node))
by_module = {}
for seconds, test, module, node in sorted(rows, key=lambda row: row[0]):  # files, fastest first
    chosen = by_module.setdefault(module.rsplit(".", 1)[-1], {})
    if not node:
        chosen[test] = None  # the whole file
    elif chosen.get(test, ()) is not None:
        chosen.setdefault(test, []).append(node)
for module in (p.stem for p in Path("python/chaos/host").glob("*.py")):
    args = []
    for test, nodes in by_module.get(module, {}).items():
        args += [test] if nodes is None else list(dict.fromkeys(nodes))
    (results / f"tests-{module}.txt").write_text("".join(a + "\n" for a in args))
PY
)
echo "$head" >"$results/tests.commit"
fi

runner_for() { # MODULE -> the pytest command line of its tests ("" when no test imports it)
  if [[ -s $results/tests-$1.txt ]]; then
    echo "env PYTHONPATH=python $venv/bin/python -m pytest -x -q -p no:cacheprovider @$results/tests-$1.txt"
  fi
}

cd "$tree"
if [[ -n $recheck ]]; then
  runners=()
  for m in "${modules[@]}"; do runners+=("$m=$(runner_for "$m")"); done
  "$venv/bin/python" - "$recheck" "$results/sample.txt" "$results/sample-recheck.txt" "${runners[@]}" <<'PY'
import math, re, shlex, shutil, subprocess, sys, time
from mutmut import Context, list_mutations, mutate

wanted, report, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
runners = dict(arg.split("=", 1) for arg in sys.argv[4:])
text = open(report).read()
entries = re.findall(r"^## (\d+)\. (\w+)\.py:(\d+) #(\d+): (.*)$", text, flags=re.M)
chosen = None if wanted == "all" else set(wanted.split(","))
baseline, rows, killed = {}, [], 0
for number, module, line, index, status in entries:
    now = status
    if status.startswith("survived") and (chosen is None or number in chosen) and runners.get(module):
        path = f"python/chaos/host/{module}.py"
        source = open(path).read()
        [mid] = [m for m in list_mutations(Context(source=source, filename=path))
                 if m.line_number == int(line) - 1 and m.index == int(index)]
        runner = shlex.split(runners[module])
        if module not in baseline:
            start = time.monotonic()
            subprocess.run(runner, check=True, capture_output=True)
            baseline[module] = time.monotonic() - start
        mutated, _ = mutate(Context(source=source, filename=path, mutation_id=mid))
        shutil.copy(path, path + ".orig")
        try:
            open(path, "w").write(mutated)
            try:
                run = subprocess.run(runner, capture_output=True, timeout=10 * baseline[module])
                now = "killed" if run.returncode else "survived"
            except subprocess.TimeoutExpired:
                now = "killed (timeout)"
        finally:
            shutil.move(path + ".orig", path)
        print(f"{number}. {module}.py:{line} #{index}: {status} -> {now}", flush=True)
    killed += now.startswith("killed")
    rows.append(f"{number}. {module}.py:{line} #{index}: {status} -> {now}")
n = len(entries)
p = killed / n
z = 1.96
centre = (p + z * z / (2 * n)) / (1 + z * z / n)
half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
summary = (f"estimate after the recheck: {killed} / {n} drawn killed = {100 * p:.0f}%, 95% Wilson "
           f"interval {100 * (centre - half):.0f}%-{100 * (centre + half):.0f}%")
with open(out_path, "w") as out:
    out.write(text.splitlines()[0] + f"; survivors {wanted} re-run on the current tests\n\n")
    out.write("".join(row + "\n" for row in rows) + "\n" + summary + "\n")
print(summary)
PY
  exit 0
fi
if ((sample > 0)); then
  runners=()
  for m in "${modules[@]}"; do runners+=("$m=$(runner_for "$m")"); done
  "$venv/bin/python" - "$sample" "${MUTMUT_SEED:-1}" "$results/sample.txt" "${runners[@]}" <<'PY'
import math, random, shlex, shutil, subprocess, sys, time
from mutmut import Context, list_mutations, mutate

size, seed, report = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
runners = dict(arg.split("=", 1) for arg in sys.argv[4:])
pool = []
for module in runners:
    path = f"python/chaos/host/{module}.py"
    source = open(path).read()
    pool += [(module, path, source, m) for m in list_mutations(Context(source=source, filename=path))]
drawn = random.Random(seed).sample(pool, min(size, len(pool)))
baseline = {}
killed = 0
with open(report, "w") as out:
    out.write(f"sample of {len(drawn)} from {len(pool)} mutants of {', '.join(runners)}; seed {seed}\n")
    for i, (module, path, source, mid) in enumerate(drawn, 1):
        runner = runners[module]
        mutated, _ = mutate(Context(source=source, filename=path, mutation_id=mid))
        if not runner:
            status = "survived (no test imports the module)"
        else:
            if module not in baseline:
                start = time.monotonic()
                subprocess.run(shlex.split(runner), check=True, capture_output=True)
                baseline[module] = time.monotonic() - start
            shutil.copy(path, path + ".orig")
            try:
                open(path, "w").write(mutated)
                try:
                    run = subprocess.run(shlex.split(runner), capture_output=True,
                                         timeout=10 * baseline[module])
                    status = "killed" if run.returncode else "survived"
                except subprocess.TimeoutExpired:
                    status = "killed (timeout)"
            finally:
                shutil.move(path + ".orig", path)
        killed += status.startswith("killed")
        line = mid.line_number + 1
        out.write(f"\n## {i}. {module}.py:{line} #{mid.index}: {status}\n- {mid.line.strip()}\n")
        new = mutated.splitlines()[mid.line_number] if mutated.splitlines() else ""
        out.write(f"+ {new.strip()}\n")
        out.flush()
        print(f"{i}/{len(drawn)} {module}.py:{line} {status}", flush=True)
n = len(drawn)
p = killed / n
z = 1.96
centre = (p + z * z / (2 * n)) / (1 + z * z / n)
half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
summary = (f"estimate: {killed} / {n} drawn killed = {100 * p:.0f}%, 95% Wilson interval "
           f"{100 * (centre - half):.0f}%-{100 * (centre + half):.0f}% of {len(pool)} mutants")
open(report, "a").write("\n" + summary + "\n")
print(summary)
PY
  exit 0
fi

total_killed=0
total_all=0
for m in "${modules[@]}"; do
  rm -f .mutmut-cache
  runner=$(runner_for "$m")
  if [[ -z $runner ]]; then
    all=$("$venv/bin/python" -c "from mutmut import Context, list_mutations
p = 'python/chaos/host/$m.py'
print(len(list_mutations(Context(source=open(p).read(), filename=p))))")
    killed=0
    echo "no host test imports $m.py: all $all mutants survive" >"$results/$m.txt"
  else
    "$venv/bin/mutmut" run --paths-to-mutate "python/chaos/host/$m.py" --runner "$runner" \
      --tests-dir tests/host/ >/dev/null 2>&1 || true # exit status encodes survivors
    "$venv/bin/mutmut" results >"$results/$m.txt" 2>&1 || true
    # Counts from the cache: status of every mutant of this module.
    read -r killed all < <(python3 - <<'PY'
import sqlite3
db = sqlite3.connect(".mutmut-cache")
rows = db.execute("select status from Mutant").fetchall()
killed = sum(1 for (s,) in rows if s in ("ok_killed", "ok_suspicious", "bad_timeout"))
print(killed, len(rows))
PY
)
    "$venv/bin/mutmut" show all >>"$results/$m.txt" 2>&1 || true
  fi
  total_killed=$((total_killed + killed))
  total_all=$((total_all + all))
  pct=$((all ? killed * 100 / all : 100))
  printf '%-18s %4d / %4d killed (%d%%)\n' "$m" "$killed" "$all" "$pct"
done
pct=$((total_all ? total_killed * 100 / total_all : 100))
printf '%-18s %4d / %4d killed (%d%%)\n' "total" "$total_killed" "$total_all" "$pct"
