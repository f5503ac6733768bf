#!/usr/bin/env bash
# mutmut (2.5.1) over the role host (python/chaos/host), one module at a time, with the role-host
# tests (tests/host). Not part of CI: it runs the host tests once per mutant (hours for the whole
# package on 2 cores). It works on a copy of the committed tree (build/mutmut-tree), so an
# interrupted run never leaves a mutated file in the checkout, and it starts each module from an
# empty cache (2.5.1's cache can break across runs: "Attribute Mutant.line is required").
#
#   scripts/mutmut.sh                 every module; a score per module and the total
#   scripts/mutmut.sh deltas params   some modules (file names without .py)
#
# Results: build/mutmut-results/MODULE.txt (`mutmut results` plus each survivor's diff).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv=$root/build/mutmut-venv
tree=$root/build/mutmut-tree
results=$root/build/mutmut-results

if [[ ! -x $venv/bin/mutmut ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "mutmut==2.5.1" "pytest>=7" "pyinfra>=3.8,<4" "omegaconf>=2.3" "jsonschema>=4"
fi
rm -rf "$tree" && mkdir -p "$tree" "$results"
git archive HEAD | tar -x -C "$tree"

modules=("$@")
if ((${#modules[@]} == 0)); then
  for f in python/chaos/host/*.py; do
    name=$(basename "$f" .py)
    [[ $name == __init__ || $name == __main__ ]] || modules+=("$name")
  done
fi

total_killed=0
total_all=0
cd "$tree"
for m in "${modules[@]}"; do
  rm -f .mutmut-cache
  "$venv/bin/mutmut" run --paths-to-mutate "python/chaos/host/$m.py" \
    --runner "env PYTHONPATH=python $venv/bin/python -m pytest -x -q -p no:cacheprovider tests/host" \
    --tests-dir tests/host/ >/dev/null 2>&1 || true  # exit status encodes survivors
  "$venv/bin/mutmut" results >"$results/$m.txt" 2>&1 || true
  # Counts from the cache: status of every mutant of this module.
  read -r killed all < <(python3 - <<'PY'
import sqlite3
db = sqlite3.connect(".mutmut-cache")
rows = db.execute("select status from Mutant").fetchall()
killed = sum(1 for (s,) in rows if s in ("ok_killed", "bad_timeout"))
print(killed, len(rows))
PY
)
  "$venv/bin/mutmut" show all >>"$results/$m.txt" 2>&1 || true
  total_killed=$((total_killed + killed))
  total_all=$((total_all + all))
  pct=$(( all ? killed * 100 / all : 100 ))
  printf '%-18s %4d / %4d killed (%d%%)\n' "$m" "$killed" "$all" "$pct"
done
pct=$(( total_all ? total_killed * 100 / total_all : 100 ))
printf '%-18s %4d / %4d killed (%d%%)\n' "total" "$total_killed" "$total_all" "$pct"
