#!/usr/bin/env bash
# Builds the pinned sops (the secrets engine's encrypt/decrypt tool) into <repo>/.tools/bin with
# `go install`. Safe to run again: when .tools/bin/sops already reports the pinned version it
# says so in one line and touches nothing (no network). docs/secrets-engines.md says why.
#
# The Go used, in this order: $GO; `go` on PATH or /usr/local/go/bin/go when it is at least
# MIN_GO; a Go 1.21 or later asked for MIN_GO through GOTOOLCHAIN (it fetches the toolchain
# from the module proxy); Debian's golang-go when its candidate is new enough (not on
# Debian 12: 1.19); else the toolchain module zip fetched from the module proxy, checked
# against a pinned sha256 (linux-amd64 only), into .tools/go.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

SOPS_VERSION=3.13.3   # the newest v3 proxy.golang.org serves (go list -m -versions)
MIN_GO=1.25.8         # the `go` line of github.com/getsops/sops/v3@v3.13.3's go.mod
# sha256 of proxy.golang.org's golang.org/toolchain@v0.0.1-go1.25.8.linux-amd64.zip, the same
# zip `go mod download` accepted against sum.golang.org
# (h1:MkNvPo+gHdMv6KJDtF7Ut6u/EG5iJRIfJv5eKmh7bNM=).
TOOLCHAIN_SHA256=8e788d62e01f4f22037f2d59c751a08b4fa5ca9c1baab8f1caee8612bc3e46d1
GOPROXY_URL=${GOPROXY_URL:-https://proxy.golang.org}

tools=$root/.tools
sops=$tools/bin/sops

installed=$("$sops" --version --disable-version-check 2>/dev/null | head -n1 || true)
if [[ $installed == "sops $SOPS_VERSION" || $installed == "sops $SOPS_VERSION "* ]]; then
  echo "sops $SOPS_VERSION already installed in .tools/bin"
  exit 0
fi

die() { echo "install-sops.sh: $*" >&2; exit 1; }

# "go1.26.8" / "go1.21rc2" -> "1.26.8" / "1.21"; empty when not a Go.
go_version() { "$1" env GOVERSION 2>/dev/null | sed -n 's/^go\([0-9][0-9.]*\).*/\1/p'; }
# at_least A B: version A >= version B.
at_least() { [[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1) == "$2" ]]; }

toolchain=()  # extra environment for the go command
pick_go() {
  local candidates=() c v
  if [[ -n ${GO:-} ]]; then
    candidates=("$GO")
  else
    c=$(command -v go || true)
    [[ -n $c ]] && candidates+=("$c")
    [[ -x /usr/local/go/bin/go ]] && candidates+=(/usr/local/go/bin/go)
    [[ -x $tools/go/bin/go ]] && candidates+=("$tools/go/bin/go")
  fi
  for c in "${candidates[@]}"; do
    v=$(go_version "$c")
    if [[ -n $v ]] && at_least "$v" "$MIN_GO"; then
      go=$c toolchain=(GOTOOLCHAIN=local)
      return 0
    fi
  done
  for c in "${candidates[@]}"; do
    v=$(go_version "$c")
    if [[ -n $v ]] && at_least "$v" 1.21; then  # GOTOOLCHAIN exists since Go 1.21
      echo "Go $v is older than $MIN_GO: fetching go$MIN_GO through the module proxy (GOTOOLCHAIN)"
      if GOTOOLCHAIN=go$MIN_GO "$c" version >/dev/null; then
        go=$c toolchain=(GOTOOLCHAIN=go$MIN_GO)
        return 0
      fi
    fi
  done
  return 1
}

debian_go() {
  command -v apt-cache >/dev/null || return 1
  local candidate
  candidate=$(apt-cache policy golang-go 2>/dev/null |
    sed -n 's/^ *Candidate: *\([0-9]*:\)\{0,1\}\([0-9][0-9.]*\).*/\2/p')
  [[ -n $candidate ]] && at_least "$candidate" "$MIN_GO" || return 1
  echo "Installing Debian's golang-go $candidate"
  local sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" \
    apt-get install -y -qq --no-install-recommends golang-go >/dev/null
}

# unpack_toolchain DIR NAME: fetch, check and unpack the toolchain zip in DIR; 2 on a bad sha256.
unpack_toolchain() {
  curl -fsSL -o "$1/go.zip" "$GOPROXY_URL/golang.org/toolchain/@v/$2.zip" || return 1
  echo "$TOOLCHAIN_SHA256  $1/go.zip" | sha256sum -c --quiet - || return 2
  python3 -m zipfile -e "$1/go.zip" "$1/x" || return 1
  local go_root=$1/x/golang.org/toolchain@$2
  chmod -R u+rwX,go+rX "$go_root" && chmod +x "$go_root/bin/"* "$go_root/pkg/tool/"*/* || return 1
  rm -rf "$tools/go" && mv "$go_root" "$tools/go"
}

proxy_toolchain() {
  [[ $(uname -s)-$(uname -m) == Linux-x86_64 ]] || return 1
  command -v curl >/dev/null || return 1
  echo "Fetching the Go $MIN_GO toolchain from $GOPROXY_URL into .tools/go"
  local tmp status=0
  tmp=$(mktemp -d "$tools/toolchain.XXXXXX")
  unpack_toolchain "$tmp" "v0.0.1-go$MIN_GO.linux-amd64" || status=$?
  rm -rf "$tmp"
  ((status != 2)) || die "the Go toolchain zip from $GOPROXY_URL does not have the pinned sha256"
  return "$status"
}

mkdir -p "$tools/bin"
if ! pick_go; then
  if [[ -n ${GO:-} ]]; then
    die "GO=$GO is not a Go $MIN_GO or later (nor a Go 1.21+ that can fetch one):" \
      "sops $SOPS_VERSION needs one"
  elif ! { debian_go || proxy_toolchain; } || ! pick_go; then
    die "needs Go $MIN_GO or later to build sops $SOPS_VERSION, and none could be found or fetched
  (tried go on PATH, /usr/local/go/bin/go, Debian's golang-go, the module proxy's toolchain).
  Install Go $MIN_GO+ and put it on PATH, or set GO=/path/to/go."
  fi
fi

echo "Building sops $SOPS_VERSION with $("$go" version 2>/dev/null || echo "$go") into .tools/bin"
env "${toolchain[@]}" GOBIN="$tools/bin" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath" \
  "$go" install "github.com/getsops/sops/v3/cmd/sops@v$SOPS_VERSION"

installed=$("$sops" --version --disable-version-check | head -n1)
[[ $installed == "sops $SOPS_VERSION"* ]] || die "the built sops reports '$installed'"
echo "Installed $installed in .tools/bin"
