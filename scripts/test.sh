#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. a sanitized (ASan + UBSan) debug build with warnings as errors, and its unit tests;
#   2. a real `pip install .` into a fresh virtual environment (the packaging users get);
#   3. pytest: the Python SDK, the role host, and end-to-end tests driving the sanitized
#      binary against real virtual environments, real pip-installed plugins and real pyinfra.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-deps.sh
# sops (secrets engine) is built from the Go module proxy into .tools/bin, first on PATH.
scripts/install-sops.sh
export PATH=$root/.tools/bin:$PATH

echo "== style"
mapfile -t cxx_files < <(git ls-files 'src/*.cc' 'src/*.h' 'tests/unit/*.cc' 'tests/unit/*.h')
clang-format --dry-run -Werror "${cxx_files[@]}"
# The layering and the function-length rule (docs/architecture.md, docs/coding-guidelines.md).
python3 scripts/check-includes.py
python3 scripts/check-function-length.py
# The mutation list (tests/mutants) still applies to today's source (scripts/mutants.sh runs it).
scripts/mutants.sh --check

echo "== build (ASan + UBSan, -Werror)"
# A compiler cache, when there is one, makes rebuilds in other checkouts of the tree cheap.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}
  export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}  # debug builds would otherwise hash the build directory
  export CMAKE_ARGS="${CMAKE_ARGS:-} -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"  # pip install . too
fi
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCHAOS_WERROR=ON -DCHAOS_SANITIZE=ON "${launcher[@]}" >/dev/null
cmake --build build/asan

echo "== unit tests"
ctest --test-dir build/asan --output-on-failure -j2

echo "== fuzz (each harness 20 s from its corpus; scripts/fuzz.sh SECONDS for longer)"
scripts/fuzz.sh 20

echo "== pip install . into a fresh virtual environment"
venv=build/test-venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q ".[test]" ruff

echo "== python lint"
"$venv/bin/ruff" check python tests examples bench src/init/scaffold
"$venv/bin/ruff" format --check python tests examples bench src/init/scaffold

echo "== role host on the lowest pyinfra and omegaconf pyproject.toml allows"
# The adapter's contract (tests/host/test_pyinfra_contract.py) and the host tests, again on the
# declared lower bounds, so a bound that is too low fails here instead of on a user's machine.
# The host tests import python/ from the tree: this environment needs no build of chaos.
low=build/venv-pyinfra-low
low_pyinfra=$(sed -n 's/.*"pyinfra>=\([0-9.]*\),.*/\1/p' pyproject.toml)
low_omegaconf=$(sed -n 's/.*"omegaconf>=\([0-9.]*\)".*/\1/p' pyproject.toml)
[[ -x $low/bin/python ]] || python3 -m venv "$low"
"$low/bin/python" -m pip install -q --disable-pip-version-check "pyinfra==$low_pyinfra" "omegaconf==$low_omegaconf" pytest
# The @fake connector these fleet tests use ships with pyinfra 3.9 and later, not 3.8.
PYTHONPATH=python "$low/bin/python" -m pytest -q -p no:cacheprovider tests/host \
  --deselect tests/host/test_apply.py::test_fleet_hosts_plan_and_fail_independently \
  --deselect tests/host/test_apply.py::test_hosts_plan_at_once_and_report_in_inventory_order

echo "== pytest"
export CHAOS_TEST_BINARY=$root/build/asan/chaos
export CHAOS_INSTALLED_BINARY=$root/$venv/bin/chaos
export CHAOS_TEST_STRICT=1  # a skipped test is a failure here (tests/conftest.py)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" tests
