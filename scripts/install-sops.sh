#!/usr/bin/env bash
# Builds the pinned sops into <repo>/.tools/bin (git-ignored) from the Go module proxy. Safe to
# run again: when that version is already there it says so and does nothing, without network.
#
# sops is the secrets engine chaos drives (docs/secrets.md); Debian 12 has no package for it.
# Pinned so that the error texts and exit codes the tests read are the ones documented.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${CHAOS_SOPS_VERSION:-v3.13.3}
bin=$PWD/.tools/bin
sops=$bin/sops

if [[ -x $sops ]] && "$sops" --version --disable-version-check 2>/dev/null | grep -q "^sops ${version#v}\b"; then
  echo "sops $version is already installed in $bin"
  exit 0
fi

go=$(command -v go || true)
[[ -z $go && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
if [[ -z $go ]]; then
  echo "install-sops: Go is not installed; sops $version needs Go 1.22 or newer to build" >&2
  echo "  (https://go.dev/dl/ or a backports golang package), then run this again" >&2
  exit 1
fi
go_version=$("$go" env GOVERSION)  # go1.26.8
IFS=. read -r major minor _ <<<"${go_version#go}"
if ((major < 1 || (major == 1 && minor < 22))); then
  echo "install-sops: $go is $go_version; sops $version needs Go 1.22 or newer" >&2
  exit 1
fi

mkdir -p "$bin"
echo "building sops $version with $go_version into $bin"
# The build cache and module downloads stay in Go's own per-user directories; only the binary
# lands in the repository.
GOBIN=$bin GOFLAGS=-mod=mod CGO_ENABLED=0 "$go" install "github.com/getsops/sops/v3/cmd/sops@$version"
"$sops" --version --disable-version-check | head -1
