#!/usr/bin/env bash
# Benchmarks (measurements, not tests: nothing here fails on a slow number; see BENCHMARKS.md).
#   1. the simulation at scale, natively:   cargo bench --bench scale
#   2. the page in headless Chromium:       trunk build --release, then node benches/browser.mjs
# Options: --browser-only / --native-only; BENCH_* variables are passed to benches/browser.mjs
# (BENCH_REPS, BENCH_PODS, BENCH_WINDOW_MS, BENCH_JSON). Set BENCH_NO_BUILD=1 to reuse dist/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

native=1
browser=1
case "${1:-}" in
    --browser-only) native=0 ;;
    --native-only) browser=0 ;;
    "") ;;
    *) echo "usage: scripts/bench.sh [--browser-only|--native-only]" >&2; exit 2 ;;
esac

bash scripts/setup.sh

if [ "$native" = 1 ]; then
    step "simulation at scale (cargo bench --bench scale)"
    cargo bench --locked --bench scale
fi

if [ "$browser" = 1 ]; then
    if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
        step "release build (trunk build --release)"
        trunk build --release
    fi
    step "the page in headless Chromium (node benches/browser.mjs)"
    node benches/browser.mjs
fi
