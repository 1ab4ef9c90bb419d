# Shared helpers for scripts/*.sh (sourced, not run).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# npm's binaryen (wasm-opt 132) must win over Debian's old /usr/bin/wasm-opt, which breaks
# Trunk's release build; cargo-installed trunk and wasm-bindgen live in ~/.cargo/bin.
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

LOG_DIR="$ROOT/target/logs"

# binaryen 132's wasm-split (with its libbinaryen.so), built from source by scripts/setup.sh:
# npm's binaryen has no wasm-split, and older ones cannot read this module (table.fill).
BINARYEN_SPLIT_VERSION=132.0.0
BINARYEN_SPLIT_DIR="${KUBEPLAY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeplay}/binaryen-$BINARYEN_SPLIT_VERSION"
WASM_SPLIT="${WASM_SPLIT:-$BINARYEN_SPLIT_DIR/bin/wasm-split}"
export WASM_SPLIT

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }

# quietly NAME CMD...: runs CMD with its output in target/logs/NAME.log; shows the log's tail on failure.
# Prints a line each minute while CMD runs, so long installs don't look hung (or trip CI idle timeouts).
quietly() {
    local name="$1"; shift
    mkdir -p "$LOG_DIR"
    local log="$LOG_DIR/$name.log" rc=0
    (
        n=0
        while sleep 1; do
            n=$((n + 1))
            [ $((n % 60)) -eq 0 ] && printf '    ... still running (%dm, log: %s)\n' $((n / 60)) "$log"
        done
    ) &
    local ticker=$!
    "$@" >"$log" 2>&1 || rc=$?
    kill "$ticker" 2>/dev/null || true
    wait "$ticker" 2>/dev/null || true
    if [ "$rc" -ne 0 ]; then
        printf '    FAILED: %s (last 60 lines of %s follow)\n' "$*" "$log" >&2
        tail -n 60 "$log" >&2
        return "$rc"
    fi
}

# Runs a command as root (directly, or through sudo when we are not root).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The wasm-bindgen version in Cargo.lock (the CLI must match it exactly).
locked_wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}
