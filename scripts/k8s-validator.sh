#!/usr/bin/env bash
# The offline validator of the rendered k8s/ overlays (test/compose/k8s-manifests.spec.ts):
# kubernetes-models, the Kubernetes OpenAPI schemas compiled to validators (types,
# required fields, enums, formats), installed from the npm registry into
# .cache/k8s-validator, apart from the project's own node_modules and lock file.
# kubeconform (which also refuses unknown fields) is a Go binary published outside the
# registries CI reaches. Idempotent; prints where it is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/.cache/k8s-validator"
VERSION=5.1.0
if [ "$(node -p "require('$DIR/node_modules/kubernetes-models/package.json').version" 2>/dev/null)" != "$VERSION" ]; then
  mkdir -p "$DIR"
  [ -f "$DIR/package.json" ] || echo '{ "private": true }' >"$DIR/package.json"
  npm install --prefix "$DIR" --no-audit --no-fund --save-exact "kubernetes-models@$VERSION" >"$DIR/install.log" 2>&1 || {
    tail -n 20 "$DIR/install.log" >&2
    echo "k8s-validator: could not install kubernetes-models@$VERSION" >&2
    exit 1
  }
fi
echo "$DIR/node_modules/kubernetes-models"
