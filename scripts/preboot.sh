#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml), release builds only: boots the default kind cluster at build
# time. binaryen's wasm-ctor-eval runs the module's `kubeplay_preboot` export (src/ui/mod.rs) in its
# interpreter and writes the memory it leaves into the module as data, so the page starts with the
# cluster booted instead of spending its first ~100 ms on it. The simulation is deterministic and
# calls nothing outside the module while it boots, so the image is what the page would build itself.
# Then merges the module's close data segments (scripts/merge-data-segments.mjs).
# Fails the build unless the whole function was evaluated (a partial evaluation would be correct
# but would leave the boot to the page).
set -euo pipefail

dir="${TRUNK_STAGING_DIR:?not set: this runs as a Trunk post_build hook (see Trunk.toml)}"
if [ "${TRUNK_PROFILE:-}" != "release" ]; then
    echo "preboot: skipped (profile ${TRUNK_PROFILE:-unknown}; the page boots the cluster at start)"
    exit 0
fi
shopt -s nullglob
wasm=("$dir"/kubeplay-*_bg.wasm)
[ "${#wasm[@]}" -eq 1 ] || { echo "preboot: expected one kubeplay-*_bg.wasm in $dir, found ${#wasm[@]}" >&2; exit 1; }
command -v wasm-ctor-eval >/dev/null || { echo "preboot: wasm-ctor-eval not on PATH (npm binaryen: put node_modules/.bin first)" >&2; exit 1; }

w="${wasm[0]}"
before=$(wc -c <"$w")
log=$(wasm-ctor-eval "$w" --ctors=kubeplay_preboot -o "$w.preboot" 2>&1) || { echo "$log" >&2; rm -f "$w.preboot"; exit 1; }
if ! grep -q 'success on kubeplay_preboot' <<<"$log"; then
    echo "preboot: wasm-ctor-eval could not evaluate kubeplay_preboot completely:" >&2
    echo "$log" >&2
    rm -f "$w.preboot"
    exit 1
fi
mv "$w.preboot" "$w"
echo "preboot: $(basename "$w"): the booted cluster is in the module ($before -> $(wc -c <"$w") bytes)"
# The memory image arrives as thousands of small data segments: merge close ones (fewer headers,
# ~25 KB less to download with brotli; see the script).
node "$(dirname "${BASH_SOURCE[0]}")/merge-data-segments.mjs" "$w"
