#!/usr/bin/env bash
# Derive the replace block for every staging module that k8s.io/kubernetes maps to ./staging/...
# Upstream's own replace directives do not apply to dependents, so we must pin each staging
# module to its published v0.<minor>.<patch> tag ourselves. Reads the go.mod from the module cache.
#
# Usage: sandbox/gen-replaces.sh [K8S_VERSION]   (default v1.37.2); prints go.mod lines on stdout.
set -euo pipefail
K8S_VERSION="${1:-v1.37.2}"
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
gomod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
if [[ -z "$gomod" || ! -f "$gomod" ]]; then
  echo "gen-replaces: cannot locate go.mod of k8s.io/kubernetes@${K8S_VERSION}" >&2
  exit 1
fi
echo "replace ("
# Lines look like: "	k8s.io/api => ./staging/src/k8s.io/api"
awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$gomod" | sort -u | while read -r mod; do
  printf '\t%s => %s %s\n' "$mod" "$mod" "$STAGING_VERSION"
done
echo ")"
