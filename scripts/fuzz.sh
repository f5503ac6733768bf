#!/usr/bin/env bash
# Runs the libFuzzer harnesses (tests/fuzz/NAME_fuzz.cc) for SECONDS each (default 60), all of
# them or the NAMEs given (entry_points, wheel, ...):
#
#   scripts/fuzz.sh [SECONDS] [NAME...]
#
# Builds build/fuzz with clang (-DCHAOS_FUZZ=ON: libFuzzer, ASan, UBSan), then runs each harness
# from a scratch copy of its seed corpus (tests/fuzz/corpus/NAME/), so the repository's corpus
# does not grow. A crash, leak, hang or sanitizer report makes the script exit 1 and names the
# reproducer (build/fuzz/artifacts/); rerun it with `build/fuzz/NAME_fuzz FILE`.
# FUZZ_ARGS adds libFuzzer options (e.g. FUZZ_ARGS="-jobs=1 -workers=1").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=60
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}
fi
cxx=$(command -v clang++ || command -v clang++-14 || true)
if [[ -z $cxx ]]; then
  echo "fuzz.sh: clang++ is needed (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
build=build/fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="-O1 -g" \
  -DCHAOS_FUZZ=ON -DBUILD_TESTING=OFF -DCHAOS_STATIC_RUNTIME=OFF "${launcher[@]}" >/dev/null
cmake --build "$build"

names=("$@")
if ((${#names[@]} == 0)); then
  for source in tests/fuzz/*_fuzz.cc; do
    name=$(basename "$source" .cc)
    names+=("${name%_fuzz}")
  done
fi

artifacts=$root/$build/artifacts
mkdir -p "$artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/chaos-fuzz-run-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for name in "${names[@]}"; do
  binary=$build/${name}_fuzz
  if [[ ! -x $binary ]]; then
    echo "fuzz.sh: no harness $name (tests/fuzz/${name}_fuzz.cc)" >&2
    failed+=("$name: no such harness")
    continue
  fi
  corpus=$scratch/$name
  mkdir -p "$corpus"
  [[ -d tests/fuzz/corpus/$name ]] && cp -r "tests/fuzz/corpus/$name/." "$corpus/"
  log=$scratch/$name.log
  echo "== fuzz $name (${seconds}s)"
  status=0
  # shellcheck disable=SC2086  # FUZZ_ARGS is a list of options
  "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name-" ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
  # The last status line: executions, coverage (cov) and features (ft).
  grep -E '^#[0-9]+' "$log" | tail -n 1 || true
  grep -E '^stat::number_of_executed_units' "$log" || true
  if ((status != 0)); then
    tail -n 40 "$log"
    reproducer=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n 1 | sed 's/Test unit written to //')
    echo "fuzz.sh: $name failed (exit $status); reproducer: ${reproducer:-see the log above}" >&2
    failed+=("$name: ${reproducer:-exit $status}")
  fi
done

if ((${#failed[@]})); then
  printf 'fuzz.sh: FAILED %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#names[@]} harness(es), no crash in ${seconds}s each"
