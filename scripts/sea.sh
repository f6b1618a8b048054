#!/usr/bin/env bash
# npm run sea: dist/tsnc, a Node single executable application (nodejs.org/api/single-executable-
# applications.html): a copy of the node binary with the bundle (dist/tsnc.cjs) injected. It needs
# no Node where it runs, only glibc, libstdc++ and libgcc_s (any Debian/Ubuntu/RHEL container).
#
# SEA_NODE=/path/to/node picks the node binary to copy (default: the node on PATH). It must be a
# build that carries the SEA fuse: nodejs.org and NodeSource builds do, Debian's nodejs does not.
set -euo pipefail
cd "$(dirname "$0")/.."

node_bin=${SEA_NODE:-$(node -p process.execPath)}
fuse=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2
out=dist/tsnc

if ! grep -q "$fuse" "$node_bin"; then
  echo "sea: $node_bin cannot make a single executable: it has no $fuse (Debian's nodejs lacks it)" >&2
  exit 1
fi

node scripts/bundle.mjs
config=$(mktemp)
blob=$(mktemp)
trap 'rm -f "$config" "$blob"' EXIT
# useCodeCache: V8 compiles the launcher at build time. The assets: the bundle's code cache (the
# launcher reads it with node:sea) and the native addon (-U -u, -T, TCP -I/-O), when the build made it.
assets='"tsnc.cjs.cache": "dist/tsnc.cjs.cache"'
if [ -f dist/tsnc-native.node ]; then assets="$assets, \"tsnc-native.node\": \"dist/tsnc-native.node\""; fi
printf '{ "main": "dist/tsnc.cjs", "output": "%s", "disableExperimentalSEAWarning": true, "useCodeCache": true, "assets": { %s } }\n' \
  "$blob" "$assets" >"$config"
log=$("$node_bin" --experimental-sea-config "$config" 2>&1) || { echo "$log" >&2; exit 1; }

rm -f "$out"
cp "$node_bin" "$out"
chmod u+w "$out"
# Node's debug symbols are an eighth of the binary and of no use to tsnc's users.
if command -v strip >/dev/null; then strip "$out"; fi
log=$(npx --no-install postject "$out" NODE_SEA_BLOB "$blob" --sentinel-fuse "$fuse" 2>&1) || {
  echo "$log" >&2
  exit 1
}
"$out" --version >/dev/null
echo "sea: $out $(($(stat -c %s "$out") / 1048576)) MiB from $("$node_bin" --version) at $node_bin" >&2
