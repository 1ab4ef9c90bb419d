#!/usr/bin/env bash
# Installs what is missing, then runs every test; stops at the first failure.
#   1. native:  cargo test --all-targets (unit, tests/*.rs, bins, benches in test mode) + doc tests
#   2. wasm:    tests/wasm.rs in headless Chromium (wasm-bindgen-test-runner + chromedriver)
#   3. e2e:     trunk build --release, then tests/e2e/*.test.mjs (Playwright, system Chromium) on dist/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

START=$SECONDS
CURRENT="setup"
trap 'rc=$?; if [ $rc -ne 0 ]; then printf "\ntest.sh: FAILED during %s (exit %s) after %ss\n" "$CURRENT" "$rc" "$((SECONDS - START))" >&2; fi' EXIT

bash scripts/setup.sh

mkdir -p "$LOG_DIR"
# Sums "test result: ok. N passed" lines (cargo and wasm-bindgen-test-runner) in a log.
cargo_passed() { grep -Eo 'test result: ok\. [0-9]+ passed' "$1" | awk '{ n += $4 } END { print n + 0 }'; }

CURRENT="native tests (cargo test --all-targets)"
step "$CURRENT"
cargo test --locked --all-targets 2>&1 | tee "$LOG_DIR/test-native.log"
NATIVE=$(cargo_passed "$LOG_DIR/test-native.log")

CURRENT="doc tests (cargo test --doc)"
step "$CURRENT"
cargo test --locked --doc 2>&1 | tee "$LOG_DIR/test-doc.log"
DOC=$(cargo_passed "$LOG_DIR/test-doc.log")

CURRENT="wasm tests in headless Chromium (cargo test --target wasm32-unknown-unknown --test wasm)"
step "$CURRENT"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}" \
    cargo test --locked --target wasm32-unknown-unknown --test wasm 2>&1 | tee "$LOG_DIR/test-wasm.log"
WASM=$(cargo_passed "$LOG_DIR/test-wasm.log")

CURRENT="kubectl explain against a real kubectl (scripts/explain_check.py)"
step "$CURRENT"
if command -v kubectl >/dev/null 2>&1; then
    python3 scripts/explain_check.py "${CARGO_TARGET_DIR:-$ROOT/target}/debug/kubeplay" 2>&1 | tee "$LOG_DIR/explain-check.log"
else
    note "skipped: no kubectl on PATH"
fi

CURRENT="release build (trunk build --release)"
step "$CURRENT"
trunk build --release 2>&1 | tee "$LOG_DIR/trunk-build.log"
# The module's first part (what a start runs) and the rest (scripts/split.sh).
WASM_FILE=$(ls dist/kubeplay-*_bg.wasm 2>/dev/null | head -n1 || true)
REST_FILE=$(ls dist/kubeplay-*_bg.rest.wasm 2>/dev/null | head -n1 || true)
if [ -n "$WASM_FILE" ]; then
    SIZE_RAW=$(wc -c <"$WASM_FILE")
    SIZE_BR=$(brotli -q 11 -c "$WASM_FILE" | wc -c)
    note "$WASM_FILE: $SIZE_RAW bytes, $SIZE_BR bytes brotli -q 11"
fi
if [ -n "$REST_FILE" ]; then
    REST_BR=$(brotli -q 11 -c "$REST_FILE" | wc -c)
    note "$REST_FILE: $(wc -c <"$REST_FILE") bytes, $REST_BR bytes brotli -q 11"
    REST_NOTE=" (the rest of the module: $REST_BR B)"
fi

CURRENT="end-to-end tests (node --test tests/e2e/)"
step "$CURRENT"
node --test --test-reporter=spec tests/e2e/ 2>&1 | tee "$LOG_DIR/test-e2e.log"
E2E=$(grep -Eo '^[^ ]+ pass [0-9]+' "$LOG_DIR/test-e2e.log" | awk '{ n += $3 } END { print n + 0 }')
E2E_SKIPPED=$(grep -Eo '^[^ ]+ skipped [0-9]+' "$LOG_DIR/test-e2e.log" | awk '{ n += $3 } END { print n + 0 }')

CURRENT="summary"
ELAPSED=$((SECONDS - START))
printf '\ntest.sh: ALL PASSED - native %s, doc %s, wasm %s, e2e %s (%s skipped) tests passed%s in %dm%02ds\n' \
    "$NATIVE" "$DOC" "$WASM" "$E2E" "$E2E_SKIPPED" \
    "${SIZE_BR:+; release wasm $SIZE_BR B brotli${REST_NOTE:-}}" $((ELAPSED / 60)) $((ELAPSED % 60))
