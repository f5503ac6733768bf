#!/usr/bin/env bash
# Checks the tests themselves: applies each realistic bug in tests/mutants/*.patch to the source,
# one at a time, runs the tests its header names, and reports whether they caught it.
#
#   scripts/mutants.sh              every mutant
#   scripts/mutants.sh 03 alias     only mutants whose file name contains one of these words
#   scripts/mutants.sh --check      only that every patch applies and names its tests (CI runs it)
#
# A patch starts with comment lines (patch(1) skips them):
#   # what the bug is, in one line
#   # tests: tests/e2e/test_x.py::test_y tests/host/test_z.py unit:ExpandTags.*
# `unit:REGEX` runs the matching GoogleTest cases through ctest. Then comes a unified diff
# against the repository root (`git diff` output works).
#
# The source is mutated in place and always restored (EXIT trap; a run killed harder than that
# is repaired by the next one, from build/mutants/backup). C++ mutants rebuild build/asan.
# Python mutants reach tests/host directly (they import python/ from the tree), and e2e tests
# through the test venv's installed `chaos` package, which gets the mutated module too.
#
# Not part of CI (each C++ mutant is a rebuild and a test run): run it before resolving an issue
# that touches the mutated areas, and add a mutant for each bug a test was written against.
# Exit status: 0 when every mutant was caught, 1 when one survived or could not be applied.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${CHAOS_MUTANTS_BUILD:-build/asan}
venv=${CHAOS_MUTANTS_VENV:-build/test-venv}
backup=$root/build/mutants/backup
log_dir=$root/build/mutants/logs

export CHAOS_TEST_BINARY=$root/$build/chaos
export CHAOS_INSTALLED_BINARY=${CHAOS_INSTALLED_BINARY:-$root/$venv/bin/chaos}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if command -v ccache >/dev/null; then export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}; fi

# --check: only that every patch still applies to the source and names its tests (no build, no
# test run; under a second). The test suite runs it, so a patch the source has moved away from
# fails CI instead of turning into a silent BROKEN on the next mutation run.
if [[ ${1:-} == --check ]]; then
  stale=0
  for m in tests/mutants/*.patch; do
    if ! grep -q '^# tests: ' "$m"; then
      echo "$m: no '# tests:' line" >&2
      stale=1
    elif ! out=$(patch -p1 --dry-run -s -f <"$m" 2>&1); then
      echo "$m no longer applies (regenerate it: tests/README.md): $out" >&2
      stale=1
    fi
  done
  ((stale == 0)) && echo "every mutant applies ($(ls tests/mutants/*.patch | wc -l) patches)"
  exit $stale
fi

rebuild_needed=0

# Puts back every file a mutant changed. A plain copy (not cp -p) gives the file a new mtime,
# so that ninja rebuilds what was compiled from the mutant.
restore() {
  [[ -d $backup ]] || return 0
  while IFS= read -r -d '' saved; do
    cp "$saved" "$root/${saved#"$backup"/}"
  done < <(find "$backup" -type f -print0)
  rm -rf "$backup"
}

finish() {
  restore
  if ((rebuild_needed)); then
    echo "== rebuilding $build from the restored source"
    cmake --build "$build" >/dev/null || echo "warning: the rebuild failed; run cmake --build $build" >&2
  fi
}
trap finish EXIT
trap 'exit 130' INT TERM
restore  # a previous run killed before its trap ran

# Builds the binary, and the unit tests too when asked to (linking them is slow).
build_cxx() {
  local targets=(--target chaos)
  [[ ${2:-} == unit ]] && targets+=(chaos_unit_tests)
  cmake --build "$build" "${targets[@]}" >>"$1" 2>&1
}

# Runs the tests named in a patch header; 0 when they all pass.
run_tests() {
  local out=$1
  shift
  local pytest_args=() unit=() status=0
  for t in "$@"; do
    if [[ $t == unit:* ]]; then unit+=("${t#unit:}"); else pytest_args+=("$t"); fi
  done
  for regex in "${unit[@]}"; do
    ctest --test-dir "$build" -R "$regex" --output-on-failure >>"$out" 2>&1 || status=1
    # ctest with no matching test passes: a misspelt name must not look like a surviving mutant.
    ctest --test-dir "$build" -N -R "$regex" | grep -q "Total Tests: [1-9]" || {
      echo "no unit test matches $regex" >>"$out"
      return 2
    }
  done
  if ((${#pytest_args[@]})); then
    "$venv/bin/python" -m pytest -q -x -p no:cacheprovider "${pytest_args[@]}" >>"$out" 2>&1
    local rc=$?
    ((rc == 0)) || { ((rc == 1)) && status=1 || return 2; }
  fi
  return $status
}

tests_of() { sed -n 's/^# tests: //p' "$1"; }

# e2e tests run the `chaos` package installed in the test venv (the plugin environments reach it
# through a .pth file), not python/ in the tree: a Python mutant is copied over the installed
# module too (saved and restored like the tree's files), unless the install is editable.
venv_dir=$venv
[[ $venv_dir == /* ]] || venv_dir=$root/$venv_dir
site_packages=$(echo "$venv_dir"/lib/python3*/site-packages)
mutate_installed_python() {
  local file installed
  while read -r file; do
    installed=$site_packages/${file#python/}
    [[ -f $installed ]] || continue
    if [[ $installed != "$root"/* ]]; then
      echo "note: $installed is outside the tree: e2e tests will not see this mutant" >&2
      continue
    fi
    mkdir -p "$backup/$(dirname "${installed#"$root"/}")"
    cp "$installed" "$backup/${installed#"$root"/}"
    cp "$root/$file" "$installed"
  done < <(sed -n 's|^+++ b/\(python/chaos/[^[:space:]]*\).*|\1|p' "$1")
}

mapfile -t mutants < <(ls tests/mutants/*.patch)
if (($#)); then
  selected=()
  for m in "${mutants[@]}"; do
    for word in "$@"; do [[ $(basename "$m") == *"$word"* ]] && selected+=("$m") && break; done
  done
  mutants=("${selected[@]}")
fi
((${#mutants[@]})) || { echo "no mutant matches: $*" >&2; exit 1; }
rm -rf "$log_dir" && mkdir -p "$log_dir"

echo "== build $build"
build_cxx "$log_dir/build.log" unit || { cat "$log_dir/build.log"; exit 1; }

# The tests must pass on the real code, or a "caught" means nothing.
all_tests=()
for m in "${mutants[@]}"; do read -ra t <<<"$(tests_of "$m")"; all_tests+=("${t[@]}"); done
mapfile -t all_tests < <(printf '%s\n' "${all_tests[@]}" | sort -u)
echo "== baseline: the named tests on the unmutated source"
if [[ ${CHAOS_MUTANTS_NO_BASELINE:-} == 1 ]]; then
  echo "skipped (CHAOS_MUTANTS_NO_BASELINE=1): only when these tests were just seen passing"
elif ! run_tests "$log_dir/baseline.log" "${all_tests[@]}"; then
  echo "the tests fail without any mutant: see $log_dir/baseline.log" >&2
  exit 1
fi

caught=() survived=() broken=()
for m in "${mutants[@]}"; do
  name=$(basename "$m" .patch)
  out=$log_dir/$name.log
  read -ra tests <<<"$(tests_of "$m")"
  if ((${#tests[@]} == 0)) || ! patch -p1 --dry-run -s -f <"$m" >"$out" 2>&1; then
    echo "BROKEN    $name (no '# tests:' line, or the patch no longer applies: $out)"
    broken+=("$name")
    continue
  fi
  mkdir -p "$backup"
  while read -r file; do
    mkdir -p "$backup/$(dirname "$file")"
    cp "$file" "$backup/$file"
  done < <(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$m")
  patch -p1 -s -f --no-backup-if-mismatch <"$m" >>"$out" 2>&1
  mutate_installed_python "$m"
  if grep -q '^+++ b/src/' "$m"; then
    rebuild_needed=1
    if ! build_cxx "$out" "$(grep -q '^# tests:.*unit:' "$m" && echo unit)"; then
      echo "BROKEN    $name (does not compile: $out)"
      broken+=("$name")
      restore
      continue
    fi
  fi
  run_tests "$out" "${tests[@]}"
  rc=$?
  restore
  case $rc in
    0) echo "SURVIVED  $name: ${tests[*]}"; survived+=("$name") ;;
    1) echo "caught    $name"; caught+=("$name") ;;
    *) echo "BROKEN    $name (the tests did not run: $out)"; broken+=("$name") ;;
  esac
done

echo "== ${#caught[@]} caught, ${#survived[@]} survived, ${#broken[@]} broken (logs: $log_dir)"
((${#survived[@]} == 0 && ${#broken[@]} == 0))
