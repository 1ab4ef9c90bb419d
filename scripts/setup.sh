#!/usr/bin/env bash
# Installs everything kubeplay needs to build, serve and test, on Debian 12 with rustup, node 20 and npm.
# Idempotent: each step checks first, so a second run takes seconds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION="$(locked_wasm_bindgen_version)"
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "error: no wasm-bindgen in Cargo.lock" >&2; exit 1; }

step "setup: Rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    note "already installed"
else
    quietly rustup-target rustup target add wasm32-unknown-unknown
    note "installed"
fi

step "setup: Chromium, ChromeDriver, brotli (apt)"
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && command -v brotli >/dev/null; then
    note "already installed: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
else
    export DEBIAN_FRONTEND=noninteractive
    quietly apt-update as_root apt-get update -q
    quietly apt-install as_root apt-get install -y -q chromium chromium-driver brotli
    note "installed: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
fi

step "setup: trunk $TRUNK_VERSION"
if [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VERSION" ]; then
    note "already installed"
else
    note "cargo install --locked trunk@$TRUNK_VERSION (about 8 minutes on 2 cores)"
    quietly trunk-install cargo install --locked "trunk@$TRUNK_VERSION"
    note "installed: $(trunk --version)"
fi

step "setup: wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ] \
    && command -v wasm-bindgen-test-runner >/dev/null; then
    note "already installed"
else
    # Not --locked: the CLI's own lockfile names a crate version this registry lacks.
    note "cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION (about 4 minutes on 2 cores)"
    quietly wasm-bindgen-install cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
    note "installed: $(wasm-bindgen --version)"
fi

step "setup: npm devDependencies (binaryen's wasm-opt, playwright-core)"
# A stamp holding the hash of package.json + package-lock.json: reinstall only when they change.
NPM_STAMP=node_modules/.kubeplay-npm-stamp
NPM_HASH="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ] \
    && [ "$(cat "$NPM_STAMP" 2>/dev/null || true)" = "$NPM_HASH" ]; then
    note "already installed"
else
    if [ -f package-lock.json ]; then
        quietly npm-install npm ci --no-audit --no-fund
    else
        quietly npm-install npm install --no-audit --no-fund
    fi
    echo "$NPM_HASH" >"$NPM_STAMP"
    note "installed"
fi
note "$(wasm-opt --version) at $(command -v wasm-opt)"

step "setup: binaryen $BINARYEN_SPLIT_VERSION's wasm-split (built from source once, kept in $BINARYEN_SPLIT_DIR)"
# The release build cuts its module in two by use (scripts/split.sh). npm's binaryen has no
# wasm-split and Debian's (108) cannot read the module, so it is built from binaryen's own source,
# which the npm package @grain/libbinaryen carries (npm pack: the tarball alone, no dependencies).
if [ -x "$WASM_SPLIT" ] && "$WASM_SPLIT" --version >/dev/null 2>&1; then
    note "already built: $("$WASM_SPLIT" --version)"
else
    if ! command -v cmake >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        quietly apt-update as_root apt-get update -q
        quietly apt-install-cmake as_root apt-get install -y -q cmake
    fi
    src="$(mktemp -d)"
    (cd "$src" && quietly binaryen-pack npm pack --silent "@grain/libbinaryen@$BINARYEN_SPLIT_VERSION")
    tar -xzf "$src"/grain-libbinaryen-*.tgz -C "$src"
    bsrc="$src/libbinaryen/binaryen"
    # The package leaves binaryen's tests out; so does this build.
    sed -i -e 's|^\(\s*\)add_subdirectory(test/lit)|\1# add_subdirectory(test/lit)|' \
           -e 's|^\(\s*\)add_subdirectory(test/gtest)|\1# add_subdirectory(test/gtest)|' "$bsrc/CMakeLists.txt"
    note "cmake + make wasm-split (about 20 minutes on 2 cores)"
    quietly binaryen-cmake cmake -S "$bsrc" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTS=OFF \
        -DENABLE_WERROR=OFF -DCMAKE_INSTALL_PREFIX="$BINARYEN_SPLIT_DIR"
    quietly binaryen-make make -C "$src/build" -j"$(nproc)" wasm-split
    rm -rf "$BINARYEN_SPLIT_DIR"
    mkdir -p "$BINARYEN_SPLIT_DIR"
    cp -r "$src/build/bin" "$src/build/lib" "$BINARYEN_SPLIT_DIR/"
    rm -rf "$src"
    note "built: $("$WASM_SPLIT" --version)"
fi

step "setup: cargo fetch --locked"
quietly cargo-fetch cargo fetch --locked
note "crates fetched"

step "setup: done"
