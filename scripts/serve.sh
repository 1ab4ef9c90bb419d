#!/usr/bin/env bash
# Installs what is missing, then serves the playground with live reload at http://127.0.0.1:8080/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bash scripts/setup.sh

step "trunk serve on http://127.0.0.1:8080/ (Ctrl-C to stop)"
exec trunk serve --address 127.0.0.1 --port 8080 "$@"
