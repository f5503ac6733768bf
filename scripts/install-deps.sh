#!/usr/bin/env bash
# Installs the Debian packages chaos needs to build and test. Safe to run again: it installs
# only what is missing, and runs apt-get update only when it has something to install.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config            # build
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libzip-dev zlib1g-dev libsqlite3-dev  # libraries
  sqlite3                                     # docs/records.md queries the logbook with it; so do tests
  libgtest-dev googletest                     # unit tests
  python3 python3-venv python3-pip            # the plugin environment
  age                                         # secrets key backend (checked by `chaos doctor`)
  gnupg                                       # the other key backend: gpg keys for sops
  pass                                        # the example provider plugin (examples/chaos-pass-provider)
  clang-format                                # style check
  ccache                                      # rebuilds in other checkouts cost little
  clang libclang-rt-14-dev                    # libFuzzer harnesses (scripts/fuzz.sh)
  zsh fish                                    # completion scripts are tested in every shell
  sudo passwd                                 # the sudo password test: real sudo, a real user
  groff-base                                  # the generated man page is checked with groff
  patch                                       # scripts/mutants.sh (and its --check in the test run)
  openssh-server openssh-client sshpass      # fleet tests: real sshd targets (tests/support/sshd.py),
  iproute2                                    # each in its own network namespace; no system sshd needed
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
