#!/usr/bin/env bash
# Build the helm CLI the chart's tests use from its Go module, into a cache outside the
# repository, and print its path as the last line on stdout. When the cached binary exists
# this only prints the path (as sandbox/build.sh does for the sandbox).
#
#   CHATOPS_CACHE_DIR   cache root (default ~/.cache/chatops); the binary goes to $CHATOPS_CACHE_DIR/helm/
#   GOFLAGS, GOPROXY, GOMODCACHE, GOCACHE ... are honoured as usual.
#
# A cold build takes about 5 minutes on 2 cores (about 1.3 GB peak RSS, 545 MB of modules,
# 1.2 GB of build cache). Progress goes to stderr, so callers can use $(deploy/helm/build-helm.sh).
set -euo pipefail

HELM_MODULE="helm.sh/helm/v4"
HELM_VERSION="v4.3.2"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${CHATOPS_CACHE_DIR:-$HOME/.cache/chatops}/helm"
key="$(cat "$here/build-helm.sh" | sha256sum | cut -c1-12)"
out="$cache_root/helm-$HELM_VERSION-$key"

if [[ -x "$out" ]]; then
  echo "$out"
  exit 0
fi

start=$SECONDS
step() { echo "[build-helm.sh +$((SECONDS - start))s] $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  echo "build-helm.sh: 'go' is not on PATH; install Go >= 1.26 (https://go.dev/dl) to build helm" >&2
  exit 127
fi
step "go: $(go version); building $HELM_MODULE/cmd/helm@$HELM_VERSION"

mkdir -p "$cache_root"
gobin="$(mktemp -d "$cache_root/.helm-build.XXXXXX")"
trap 'rm -rf "$gobin"' EXIT
( while sleep 60; do step "still building..."; done ) &
ticker=$!
set +e
# `go install pkg@version` builds outside any module, with the module's own go.mod and go.sum
# (checked against the checksum database). Retried once: a proxy hiccup is not a build error.
for attempt in 1 2; do
  GOBIN="$gobin" GOFLAGS="${GOFLAGS:+$GOFLAGS }-trimpath" CGO_ENABLED=0 \
    go install -p "${CHATOPS_BUILD_JOBS:-2}" "$HELM_MODULE/cmd/helm@$HELM_VERSION"
  rc=$?
  [[ $rc -eq 0 ]] && break
  step "go install failed (exit $rc, attempt $attempt)"
  [[ $attempt -eq 1 ]] && sleep 10
done
set -e
kill "$ticker" 2>/dev/null || true
if [[ $rc -ne 0 ]]; then
  echo "build-helm.sh: go install $HELM_MODULE/cmd/helm@$HELM_VERSION failed (exit $rc); check access to \$GOPROXY ($(go env GOPROXY))" >&2
  exit $rc
fi
chmod 755 "$gobin/helm"
mv -f "$gobin/helm" "$out"
step "built $(du -h "$out" | cut -f1) binary"
echo "$out"
