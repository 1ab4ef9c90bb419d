#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml), release builds only, after preboot.sh: cuts the module in two
# by use, so the first load carries only what a start needs. binaryen's wasm-split instruments the
# staged module; scripts/split-profile.mjs runs it in headless Chromium (seven kinds of start: a first
# visit answering `kubectl get nodes` typed at the page or ahead of it, by a lesson link, by share
# links, resuming a lesson) and
# writes which functions ran; wasm-split merges those and writes the primary module
# (those functions, the data — the booted cluster —, and a placeholder for every other function)
# in place of the staged one, and the rest to kubeplay-<hash>_bg.rest.wasm; scripts/split-glue.mjs
# teaches wasm-bindgen's JS to load the rest (in the background once the page is idle, or at once
# when a placeholder is called first) and updates index.html's integrity attributes.
# wasm-split comes from binaryen 132, built by scripts/setup.sh (npm's binaryen does not carry it).
set -euo pipefail

dir="${TRUNK_STAGING_DIR:?not set: this runs as a Trunk post_build hook (see Trunk.toml)}"
if [ "${TRUNK_PROFILE:-}" != "release" ]; then
    echo "split: skipped (profile ${TRUNK_PROFILE:-unknown}; the module stays whole)"
    exit 0
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"
[ -x "$WASM_SPLIT" ] || { echo "split: $WASM_SPLIT not found: run bash scripts/setup.sh (it builds binaryen's wasm-split)" >&2; exit 1; }

shopt -s nullglob
wasm=("$dir"/kubeplay-*_bg.wasm)
[ "${#wasm[@]}" -eq 1 ] || { echo "split: expected one kubeplay-*_bg.wasm in $dir, found ${#wasm[@]}" >&2; exit 1; }
w="${wasm[0]}"
rest="${w%.wasm}.rest.wasm"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The module's own features, named: with -all, binaryen writes newer encodings (compact imports)
# that browsers refuse.
features=(--enable-bulk-memory --enable-reference-types --enable-sign-ext --enable-mutable-globals
          --enable-nontrapping-float-to-int --enable-multivalue)
"$WASM_SPLIT" --instrument "${features[@]}" "$w" -o "$tmp/instrumented.wasm"
node "$here/split-profile.mjs" "$dir" "$tmp/instrumented.wasm" "$tmp/profiles"
mapfile -t profiles <"$tmp/profiles"
"$WASM_SPLIT" --merge-profiles "${profiles[@]}" -o "$tmp/profile"
"$WASM_SPLIT" --split "${features[@]}" --profile="$tmp/profile" "$w" \
    -o1 "$tmp/primary.wasm" -o2 "$tmp/rest.wasm"
before=$(wc -c <"$w")
mv "$tmp/primary.wasm" "$w"
mv "$tmp/rest.wasm" "$rest"
node "$here/split-glue.mjs" "$dir" "$(basename "$rest")"
echo "split: $(basename "$w"): $before -> $(wc -c <"$w") bytes; the rest, $(basename "$rest"): $(wc -c <"$rest") bytes"
