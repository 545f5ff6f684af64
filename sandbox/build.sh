#!/usr/bin/env bash
# Build the sandbox's multi-call binary `ktc` into a cache outside the repository, keyed by a hash
# of go.mod, go.sum and the Go sources, and print its path as the last line on stdout.
# When the cached binary exists this only prints the path.
#
#   CHATOPS_CACHE_DIR   cache root (default ~/.cache/chatops); the binary goes to $CHATOPS_CACHE_DIR/ktc/
#   GOFLAGS, GOPROXY, GOTOOLCHAIN ... are honoured as usual.
#
# Progress goes to stderr so callers can capture the path with $(sandbox/build.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

K8S_VERSION="v1.37.2"
cache_root="${CHATOPS_CACHE_DIR:-$HOME/.cache/chatops}/ktc"
key="$(cat go.mod go.sum build.sh $(ls *.go | grep -v '_test\.go$' | sort) | sha256sum | cut -c1-16)"
out="$cache_root/ktc-$key"

if [[ -x "$out" ]]; then
  echo "$out"
  exit 0
fi

start=$SECONDS
step() { echo "[build.sh +$((SECONDS - start))s] $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: 'go' is not on PATH; install Go >= 1.26 (https://go.dev/dl) to build the sandbox" >&2
  exit 127
fi
step "go: $(go version)"

# Download separately from compiling, with retries, so a proxy hiccup is reported as one.
step "downloading modules (go mod download)"
for attempt in 1 2 3; do
  if go mod download; then
    break
  fi
  if [[ $attempt -eq 3 ]]; then
    echo "build.sh: go mod download failed 3 times; check access to \$GOPROXY ($(go env GOPROXY))" >&2
    exit 1
  fi
  step "go mod download failed (attempt $attempt); retrying in $((attempt * 10))s"
  sleep $((attempt * 10))
done
step "modules downloaded"

# Without these, /version reports v0.0.0-master and clients mis-detect the server version.
ldflags="-s -w"
ldflags+=" -X k8s.io/component-base/version.gitVersion=${K8S_VERSION}"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
ldflags+=" -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
ldflags+=" -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=${K8S_VERSION}"
ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1"
ldflags+=" -X k8s.io/client-go/pkg/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"

mkdir -p "$cache_root"
tmp="$(mktemp "$cache_root/.ktc-build.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
step "compiling (cold builds take 10-20 min on 2 cores; warm ones well under a minute)"
# -p 2 bounds peak memory: the generated openapi and protobuf packages take GBs each.
( while sleep 60; do step "still compiling..."; done ) &
ticker=$!
set +e
CGO_ENABLED=0 go build -p "${CHATOPS_BUILD_JOBS:-2}" -trimpath -ldflags "$ldflags" -o "$tmp" .
rc=$?
set -e
kill "$ticker" 2>/dev/null || true
if [[ $rc -ne 0 ]]; then
  echo "build.sh: go build failed (exit $rc)" >&2
  exit $rc
fi
chmod 755 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
step "built $(du -h "$out" | cut -f1) binary"
echo "$out"
