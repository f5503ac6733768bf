#!/usr/bin/env bash
# Builds and installs chaos into a virtual environment (.venv by default), installs the
# example plugin from the plugin guide, and applies its role to this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${CHAOS_VENV:-.venv}

scripts/install-deps.sh
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
echo "Building and installing chaos into $venv (the first build takes a minute or two)..."
"$venv/bin/python" -m pip install -q .
"$venv/bin/python" -m pip install -q examples/my-chaos-plugin

chaos="$venv/bin/chaos"
"$chaos" doctor
"$chaos" check roles
echo
echo "Applying the example role (it creates /tmp/my-role-dir): chaos apply my-role -y"
"$chaos" apply my-role -y
echo
echo "chaos is installed at $chaos; activate the environment with: source $venv/bin/activate"
