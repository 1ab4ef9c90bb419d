#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml): writes this build's precache list and version into the staged
# sw.js (static/sw.js, copied by index.html's copy-file link), before Trunk moves the staging
# directory to dist/. The list is every staged file but sw.js itself, relative to it; the version is
# a hash of all the files' names and bytes, so any change to the build gives the service worker a
# new cache (and the old one is deleted when the new worker activates).
set -euo pipefail

dir="${TRUNK_STAGING_DIR:?not set: this runs as a Trunk post_build hook (see Trunk.toml)}"
sw="$dir/sw.js"
[ -f "$sw" ] || { echo "sw-precache: $sw not found (index.html must copy static/sw.js)" >&2; exit 1; }

cd "$dir"
files=()
while IFS= read -r -d '' f; do
    files+=("${f#./}")
done < <(find . -type f ! -path ./sw.js -print0 | LC_ALL=C sort -z)
[ "${#files[@]}" -gt 0 ] && [ -f index.html ] || { echo "sw-precache: no index.html in $dir" >&2; exit 1; }

# sw.js (as copied, before this edit) counts too: a change to the worker alone also gets a new cache.
version="$(sha256sum -- "${files[@]}" sw.js | sha256sum | cut -c1-16)"
list=""
for f in "${files[@]}"; do
    f="${f//\\/\\\\}"
    list+="${list:+, }\"${f//\"/\\\"}\""
done

SW_VERSION="const VERSION = '$version';" SW_PRECACHE="const PRECACHE = [$list];" awk '
    /^const VERSION = / { print ENVIRON["SW_VERSION"]; v++; next }
    /^const PRECACHE = / { print ENVIRON["SW_PRECACHE"]; p++; next }
    { print }
    END { if (v != 1 || p != 1) { print "sw-precache: expected one VERSION and one PRECACHE line in sw.js" > "/dev/stderr"; exit 1 } }
' sw.js >sw.js.tmp
mv sw.js.tmp sw.js
echo "sw-precache: sw.js version $version, ${#files[@]} files precached"
