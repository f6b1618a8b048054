#!/usr/bin/env bash
# tsnc benchmark against nc.openbsd: throughput, peak RSS, start-up, -k connection rate, -z scans.
#
#   bash bench/run.sh                 # full run (~6 min on 2 cores), needs `npm run build` first
#   BENCH_QUICK=1 bash bench/run.sh   # smoke test: small sizes, one round (~1 min)
#
# Environment (all optional):
#   BENCH_QUICK=1        small sizes, 1 round
#   BENCH_ROUNDS=N       timed rounds per throughput scenario (default 5; quick 1)
#   BENCH_ONLY=a,b       only these scenarios: pipe file vpipe vfile small slow serve startup keep zclosed
#                        zdrop relay (tsnc --relay vs socat fork and ncat --sh-exec: throughput,
#                        connection rate, idle connections' memory)
#   BENCH_IMPLS="..."    implementations to compare (default: nc tsnc). nc = nc.openbsd, the
#                        reference; tsnc = package.json's bin (dist/tsnc.cjs, the bundle);
#                        tsnc-cli = dist/cli.js (unbundled tsc output); nc-self =
#                        nc.openbsd as a candidate, to test the harness itself; any other
#                        NAME runs the command in BENCH_CMD_NAME (e.g. BENCH_CMD_proto="node
#                        /tmp/proto/dist/tsnc.cjs"), to compare prototypes in one run
#   BENCH_ROOT=dir       the tsnc checkout whose dist/ is measured (default: this one)
#   BENCH_SINK=count     count the received bytes with `wc -c` in every timed round too (default:
#                        timed rounds write to /dev/null; every implementation first does one
#                        untimed full-size run whose bytes are counted, or sha256-checked)
#   BENCH_OUT=dir        where results.tsv and report.md go (default: a fresh /tmp/tsnc-bench.*)
#   BENCH_NO_INSTALL=1   never apt-get install missing tools, just fail
#
# Rules it keeps: traffic goes only to 127.0.0.1 or to two network namespaces this script creates
# (and deletes on exit); every step runs under `timeout`; it only kills processes it started, by
# PID. NODE_EXTRA_CA_CERTS and NODE_OPTIONS are unset for every side: Node parses the CA file at
# each start (tens of ms), which would be charged to tsnc's start-up.
set -uo pipefail
export LC_ALL=C

LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib
ROOT=${BENCH_ROOT:-$(cd "$LIB/../.." && pwd)}

QUICK=${BENCH_QUICK:-0}
if [[ $QUICK == 1 ]]; then
  PIPE_BYTES=$((256 << 20)) FILE_BYTES=$((128 << 20)) SLOW_BYTES=$((20 << 20)) SMALL_BYTES=$((20 << 20))
  ROUNDS=${BENCH_ROUNDS:-1} SLOW_ROUNDS=1 SMALL_ROUNDS=1 HF_ROUNDS=1 HF_RUNS=10 ZC_RUNS=5
  KEEP_CONNS=300 KEEP_ROUNDS=1 ZC_PORTS=1000 ZD_PORTS=32 ZD_NC_PORTS=2 ZD_ROUNDS=1 SERVE_ROUNDS=1
  RELAY_BYTES=$((256 << 20)) RELAY_CONNS=300 RELAY_IDLE=200 RELAY_RATE_ROUNDS=1
else
  PIPE_BYTES=$((2 << 30)) FILE_BYTES=$((1 << 30)) SLOW_BYTES=$((200 << 20)) SMALL_BYTES=$((20 << 20))
  ROUNDS=${BENCH_ROUNDS:-5} SLOW_ROUNDS=2 SMALL_ROUNDS=3 HF_ROUNDS=3 HF_RUNS=30 ZC_RUNS=10
  KEEP_CONNS=2000 KEEP_ROUNDS=5 ZC_PORTS=1000 ZD_PORTS=256 ZD_NC_PORTS=4 ZD_ROUNDS=3 SERVE_ROUNDS=3
  RELAY_BYTES=$((2 << 30)) RELAY_CONNS=2000 RELAY_IDLE=1000 RELAY_RATE_ROUNDS=3 # ncat: ~2.5 min a round
fi
SERVE_BYTES=$((64 << 20)) SERVE_STALLED=50 # the same in a quick run: the target is stated for these
SLOW_RATE=20m
SINK=${BENCH_SINK:-null}
ONLY=${BENCH_ONLY:-pipe,file,vpipe,vfile,small,slow,serve,startup,keep,zclosed,zdrop,relay}
T_XFER=300 # seconds: upper bound of any one transfer
T_ZDROP=40 # seconds: upper bound of one -z -w 1 scan of the dropping host
T_RELAY=1200 # seconds: upper bound of a forwarder's life (ncat --sh-exec: ~3 min per 2,000 connections, more when loaded)
T_RATE=900 # seconds: upper bound of one relayrate round

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }
want() { [[ ,$ONLY, == *,$1,* ]]; }

# ---------------------------------------------------------------------------------------------
# Environment and tools

unset NODE_EXTRA_CA_CERTS NODE_OPTIONS

need_tools() {
  local missing=() pkgs=()
  command -v hyperfine >/dev/null || pkgs+=(hyperfine)
  command -v pv >/dev/null || pkgs+=(pv)
  [[ -x /usr/bin/time ]] || pkgs+=(time)
  command -v nc.openbsd >/dev/null || pkgs+=(netcat-openbsd)
  command -v ss >/dev/null && command -v ip >/dev/null || pkgs+=(iproute2)
  command -v python3 >/dev/null || pkgs+=(python3-minimal)
  command -v sha256sum >/dev/null && command -v timeout >/dev/null || pkgs+=(coreutils)
  if [[ $(id -u) == 0 ]] && ! command -v nft >/dev/null && ! command -v iptables >/dev/null; then
    pkgs+=(nftables)
  fi
  command -v node >/dev/null || missing+=(node)
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]}"
  ((${#pkgs[@]} == 0)) && return
  if [[ ${BENCH_NO_INSTALL:-0} != 1 && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "bench: installing ${pkgs[*]} (apt-get)"
    timeout 600 apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${pkgs[@]}" >/dev/null 2>&1 ||
      die "apt-get install ${pkgs[*]} failed"
  else
    die "missing Debian packages: ${pkgs[*]} (apt-get install -y ${pkgs[*]})"
  fi
}
need_tools

# The tsnc that ships: package.json's bin (dist/tsnc.cjs, the bundle), else dist/cli.js.
TSNC_BIN=$(cd "$ROOT" && node -e 'const b = require("./package.json").bin; process.stdout.write(typeof b === "string" ? b : (b && b.tsnc) || "dist/cli.js")' 2>/dev/null)
TSNC_BIN=${TSNC_BIN:-dist/cli.js}
[[ -f $ROOT/$TSNC_BIN ]] || die "$TSNC_BIN missing: run \`npm run build\` first"
if [[ -z ${BENCH_IMPLS:-} ]]; then
  IMPLS=(nc tsnc)
else
  read -r -a IMPLS <<<"$BENCH_IMPLS"
fi
CANDS=()
for i in "${IMPLS[@]}"; do [[ $i == nc ]] || CANDS+=("$i"); done

# The command that runs implementation $1 (word-split on purpose).
impl_cmd() {
  case $1 in
    nc) echo nc.openbsd ;;
    tsnc) echo "node $ROOT/$TSNC_BIN" ;;
    tsnc-cli) echo "node $ROOT/dist/cli.js" ;; # the unbundled tsc output
    nc-self) echo nc.openbsd ;; # nc.openbsd as a candidate: tests the harness (BENCH_IMPLS="nc nc-self")
    *)
      local var=BENCH_CMD_${1//-/_}
      [[ -n ${!var:-} ]] || die "unknown implementation $1 (set $var to its command)"
      echo "${!var}"
      ;;
  esac
}
# Listener and connector templates. nc.openbsd needs -N to send FIN at stdin EOF; tsnc does
# it by itself when stdin carried data.
listen_cmd() { echo "$(impl_cmd "$1") -l -p $2"; }
connect_cmd() {
  if [[ $1 == nc || $1 == nc-self ]]; then echo "nc.openbsd -N $2 $3"; else echo "$(impl_cmd "$1") $2 $3"; fi
}

# ---------------------------------------------------------------------------------------------
# Scratch space, cleanup, processes

if [[ -n ${BENCH_OUT:-} ]]; then
  OUT=$BENCH_OUT
  mkdir -p "$OUT"
else
  OUT=$(mktemp -d /tmp/tsnc-bench.XXXXXX)
fi
# One run at a time on this machine: two would share the CPUs and skew each other's figures.
exec {LOCK_FD}>/tmp/tsnc-bench.lock
flock -n "$LOCK_FD" || die "another bench/run.sh is running on this machine (lock /tmp/tsnc-bench.lock)"
W=$(mktemp -d /tmp/tsnc-bench-work.XXXXXX)
RES=$OUT/results.tsv
: >"$RES"
STARTED=() # PIDs of background processes this script started
NETNS=()   # namespaces this script created

# Every descendant of PID $1 (depth first), from /proc/PID/task/*/children.
descendants() {
  local c
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    descendants "$c"
    echo "$c"
  done
}
# Stop PID $1 and everything below it: only processes this script started.
kill_tree() {
  local p pids
  pids=$(descendants "$1")
  for p in $pids "$1"; do kill "$p" 2>/dev/null; done
  sleep 0.2
  for p in $pids "$1"; do [[ -d /proc/$p ]] && kill -9 "$p" 2>/dev/null; done
  reap "$1"
}
cleanup() {
  local p ns
  for p in "${STARTED[@]}"; do
    [[ -d /proc/$p ]] && kill_tree "$p"
  done
  for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  [[ -n ${FIFO_FD:-} ]] && exec {FIFO_FD}>&-
  rm -rf "$W"
}
trap cleanup EXIT
trap 'log "bench: interrupted"; exit 130' INT TERM HUP
trap 'exit 141' PIPE

# The listeners' stdin: a FIFO opened read-write, so it never reports EOF and never has data.
# (With </dev/null, nc.openbsd and tsnc would see EOF on stdin at once.)
mkfifo "$W/stdin.fifo"
exec {FIFO_FD}<>"$W/stdin.fifo"

record() { (IFS=$'\t'; printf '%s\n' "$*") >>"$RES"; }

# Free TCP ports on loopback (no socket in any state uses them), handed out in increasing order;
# below the ephemeral range (32768-60999), so client sockets never take them.
NEXT_PORT=$((20000 + ($$ % 70) * 100))
next_port() {
  local p
  while :; do
    p=$NEXT_PORT
    NEXT_PORT=$((NEXT_PORT + 1))
    ((NEXT_PORT > 27999)) && NEXT_PORT=20000
    [[ -z $(ss -Htan "( sport = :$p or dport = :$p )" 2>/dev/null) ]] && break
  done
  echo "$p"
}
# Wait until something listens on TCP port $1 (in namespace $2, if given); false after 10 s
# or when process $3 has died.
wait_listen() {
  local port=$1 ns=${2:-} pid=${3:-} i
  local pre=()
  [[ -n $ns ]] && pre=(ip netns exec "$ns")
  for ((i = 0; i < 1000; i++)); do
    [[ -n $("${pre[@]}" ss -Hltn "sport = :$port" 2>/dev/null) ]] && return 0
    [[ -n $pid && ! -d /proc/$pid ]] && return 1
    sleep 0.01
  done
  return 1
}

# Start "$@" in the background, remembered for cleanup; its PID in BG_PID.
bg() {
  "$@" &
  BG_PID=$!
  STARTED+=("$BG_PID")
}
# Wait for background PID $1 and forget it (so cleanup never signals a reused PID).
reap() {
  wait "$1" 2>/dev/null
  local p keep=()
  for p in "${STARTED[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  STARTED=("${keep[@]}")
}

# Runs of lines "wall_s peak_rss_kib user_s sys_s" from GNU time; the last line (a killed
# command gets a "Command terminated by signal" line first).
time_fields() { tail -n 1 "$1" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# Data

DATAFILE=$W/random.bin
make_datafile() {
  [[ -f $DATAFILE ]] && return
  log "bench: writing $((FILE_BYTES >> 20)) MiB of random data to $DATAFILE"
  timeout 300 head -c "$FILE_BYTES" /dev/urandom >"$DATAFILE" || die "cannot write $DATAFILE"
  DATA_SHA=$(sha256sum <"$DATAFILE" | cut -d' ' -f1)
  cat "$DATAFILE" >/dev/null # into the page cache
}

# ---------------------------------------------------------------------------------------------
# Network namespaces: A (10.201.77.1) <-veth-> B (10.201.77.2, and 10.201.77.3 that drops
# every packet). Nothing leaves these namespaces.

NS_A= NS_B=
NS_REASON=
VETH_A_IP=10.201.77.1 VETH_B_IP=10.201.77.2 DROP_IP=10.201.77.3
setup_netns() {
  [[ -n $NS_A ]] && return 0
  [[ -n $NS_REASON ]] && return 1
  if [[ $(id -u) != 0 ]]; then
    NS_REASON="not root (network namespaces need CAP_NET_ADMIN)"
    return 1
  fi
  local a=tsncb$$a b=tsncb$$b
  if ! ip netns add "$a" 2>"$W/ns.err"; then
    NS_REASON="ip netns add failed: $(head -c 200 "$W/ns.err")"
    return 1
  fi
  NETNS+=("$a")
  ip netns add "$b" && NETNS+=("$b") &&
    ip link add va$$ netns "$a" type veth peer name vb$$ netns "$b" &&
    ip -n "$a" addr add $VETH_A_IP/24 dev va$$ &&
    ip -n "$b" addr add $VETH_B_IP/24 dev vb$$ &&
    ip -n "$b" addr add $DROP_IP/24 dev vb$$ &&
    ip -n "$a" link set lo up && ip -n "$b" link set lo up &&
    ip -n "$a" link set va$$ up && ip -n "$b" link set vb$$ up 2>"$W/ns.err" || {
    NS_REASON="veth setup failed: $(head -c 200 "$W/ns.err")"
    return 1
  }
  NS_A=$a NS_B=$b
  # wait for the carrier on both ends
  local i
  for ((i = 0; i < 200; i++)); do
    ip -n "$a" link show va$$ | grep -q LOWER_UP && ip -n "$b" link show vb$$ | grep -q LOWER_UP && break
    sleep 0.05
  done
  return 0
}

DROP_READY=
DROP_OPEN_PORT=$((ZD_PORTS * 3 / 4)) # the one port of the dropping host that answers: the scan must find it
setup_drop() {
  [[ -n $DROP_READY ]] && return 0
  setup_netns || return 1
  if command -v nft >/dev/null; then
    ip netns exec "$NS_B" nft -f - <<EOF 2>"$W/nft.err" || { NS_REASON="nft failed: $(head -c 200 "$W/nft.err")"; return 1; }
table inet tsncbench {
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr $DROP_IP tcp dport $DROP_OPEN_PORT accept
    ip daddr $DROP_IP drop
  }
}
EOF
  elif command -v iptables >/dev/null; then
    ip netns exec "$NS_B" iptables -A INPUT -d $DROP_IP -p tcp --dport $DROP_OPEN_PORT -j ACCEPT &&
      ip netns exec "$NS_B" iptables -A INPUT -d $DROP_IP -j DROP ||
      { NS_REASON="iptables failed"; return 1; }
  else
    NS_REASON="neither nft nor iptables installed"
    return 1
  fi
  bg ip netns exec "$NS_B" timeout 3600 python3 "$LIB/acceptor.py" $DROP_IP $DROP_OPEN_PORT
  wait_listen $DROP_OPEN_PORT "$NS_B" "$BG_PID" || { NS_REASON="acceptor in namespace did not start"; return 1; }
  DROP_READY=1
}

# ---------------------------------------------------------------------------------------------
# One transfer: listener (stdin = the never-EOF FIFO) and connector, both under GNU time.
# xfer SCEN IMPL ROUND SRC(pipe|file) BYTES NET(lo|veth) SINK(null|count|sha|slow)
# Sets X_WALL X_OK X_NOTE X_RX (wall rss user sys) X_TX; records a "thr" line when ROUND > 0.

xfer() {
  local scen=$1 impl=$2 round=$3 src=$4 bytes=$5 net=$6 sink=$7
  local host=127.0.0.1 lpre=() cpre=() port
  if [[ $net == veth ]]; then
    host=$VETH_B_IP lpre=(ip netns exec "$NS_B") cpre=(ip netns exec "$NS_A") port=$((20000 + RANDOM % 8000))
  else
    port=$(next_port)
  fi
  local lcmd ccmd
  lcmd=$(listen_cmd "$impl" "$port")
  ccmd=$(connect_cmd "$impl" "$host" "$port")
  rm -f "$W"/x.*
  local gtime=(/usr/bin/time -f '%e %M %U %S')
  # shellcheck disable=SC2086
  case $sink in
    null)
      bg bash -c '"$@" <&'"$FIFO_FD"' >/dev/null 2>"'"$W"'/x.rx.err"; echo $? >"'"$W"'/x.rx.st"' _ \
        "${lpre[@]}" timeout -k 5 $T_XFER "${gtime[@]}" -o "$W/x.rx.time" $lcmd
      ;;
    count | sha | slow)
      local consumer='wc -c'
      [[ $sink == sha ]] && consumer='sha256sum'
      [[ $sink == slow ]] && consumer="pv -q -L $SLOW_RATE | wc -c"
      bg bash -c '"$@" <&'"$FIFO_FD"' 2>"'"$W"'/x.rx.err" | '"$consumer"' >"'"$W"'/x.rx.out"; echo ${PIPESTATUS[0]} >"'"$W"'/x.rx.st"' _ \
        "${lpre[@]}" timeout -k 5 $T_XFER "${gtime[@]}" -o "$W/x.rx.time" $lcmd
      ;;
  esac
  local lpid=$BG_PID
  if ! wait_listen "$port" "${lpre[3]:-}" "$lpid"; then
    X_OK=0 X_NOTE="listener did not start: $(head -c 200 "$W/x.rx.err" 2>/dev/null)"
    kill_tree "$lpid"
    [[ $round -gt 0 ]] && record thr "$scen" "$impl" "$round" - - - - - "$bytes" 0 "$X_NOTE"
    return 1
  fi
  local t0 t1 cst
  t0=$EPOCHREALTIME
  # shellcheck disable=SC2086
  if [[ $src == pipe ]]; then
    head -c "$bytes" /dev/zero |
      "${cpre[@]}" timeout -k 5 $T_XFER "${gtime[@]}" -o "$W/x.tx.time" $ccmd >/dev/null 2>"$W/x.tx.err"
    cst=${PIPESTATUS[1]}
  else
    "${cpre[@]}" timeout -k 5 $T_XFER "${gtime[@]}" -o "$W/x.tx.time" $ccmd <"$DATAFILE" >/dev/null 2>"$W/x.tx.err"
    cst=$?
  fi
  reap "$lpid"
  t1=$EPOCHREALTIME
  local lst
  lst=$(cat "$W/x.rx.st" 2>/dev/null || echo '?')
  X_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
  X_RX=$(time_fields "$W/x.rx.time") X_TX=$(time_fields "$W/x.tx.time")
  X_OK=1 X_NOTE=
  if [[ $cst != 0 || $lst != 0 ]]; then
    X_OK=0 X_NOTE="exit status connector $cst, listener $lst: $(head -c 200 "$W/x.tx.err" "$W/x.rx.err" | tr '\n' ' ')"
  elif [[ $sink == count || $sink == slow ]]; then
    local got
    got=$(tr -d ' \n' <"$W/x.rx.out")
    [[ $got == "$bytes" ]] || X_OK=0 X_NOTE="received $got bytes, expected $bytes"
  elif [[ $sink == sha ]]; then
    local got
    got=$(cut -d' ' -f1 <"$W/x.rx.out")
    [[ $got == "$DATA_SHA" ]] || X_OK=0 X_NOTE="sha256 $got, expected $DATA_SHA"
  fi
  if ((round > 0)); then
    local rx=($X_RX) tx=($X_TX)
    record thr "$scen" "$impl" "$round" "$X_WALL" "${rx[1]:--}" "${tx[1]:--}" \
      "$(awk -v u="${rx[2]:-0}" -v s="${rx[3]:-0}" 'BEGIN { print u + s }')" \
      "$(awk -v u="${tx[2]:-0}" -v s="${tx[3]:-0}" 'BEGIN { print u + s }')" "$bytes" "$X_OK" "$X_NOTE"
  fi
  return 0
}

# Order of implementations in round $1: forward, then backward (A B B A ...).
round_order() {
  local r=$1 i out=()
  if ((r % 2 == 1)); then out=("${IMPLS[@]}"); else for ((i = ${#IMPLS[@]} - 1; i >= 0; i--)); do out+=("${IMPLS[i]}"); done; fi
  echo "${out[@]}"
}

# A throughput scenario: one checked run per implementation (bytes counted, or sha256), then
# ROUNDS alternated timed runs.
# throughput SCEN LABEL SRC BYTES NET ROUNDS [SINK]
throughput() {
  local scen=$1 label=$2 src=$3 bytes=$4 net=$5 rounds=$6 sink=${7:-$SINK}
  local check=count impl r bad=()
  [[ $src == file && $net == lo ]] && check=sha
  log "== $scen: $label"
  record label "$scen" "$label"
  if [[ $sink != slow ]]; then
    for impl in "${IMPLS[@]}"; do
      xfer "$scen" "$impl" 0 "$src" "$bytes" "$net" "$check"
      if [[ $X_OK == 1 ]]; then
        record check "$scen" "$impl" 1 "$check ok"
      else
        record check "$scen" "$impl" 0 "$X_NOTE"
        log "   $impl: CHECK FAILED: $X_NOTE"
        bad+=("$impl")
      fi
    done
  fi
  for ((r = 1; r <= rounds; r++)); do
    for impl in $(round_order "$r"); do
      [[ " ${bad[*]} " == *" $impl "* ]] && continue
      xfer "$scen" "$impl" "$r" "$src" "$bytes" "$net" "$sink"
      log "   round $r $impl: ${X_WALL}s rx[$X_RX] tx[$X_TX]${X_NOTE:+ !! $X_NOTE}"
    done
  done
}

# ---------------------------------------------------------------------------------------------
# -z support: tsnc before -z lands says "invalid option -- 'z'".

z_available() {
  local impl=$1 port=$2 err
  err=$(timeout 10 $(impl_cmd "$impl") -z 127.0.0.1 "$port" 2>&1 >/dev/null </dev/null)
  [[ $err != *"invalid option -- 'z'"* && $err != *"invalid option -- z"* ]]
}

# hyperfine, HF_ROUNDS rounds with the command order rotated; records "hf SCEN ROUND LABEL MEDIAN_S".
# hf_rounds SCEN RUNS WARMUP LABEL=CMD ...
hf_rounds() {
  local scen=$1 runs=$2 warmup=$3
  shift 3
  local specs=("$@") n=$# r i k
  for ((r = 1; r <= HF_ROUNDS; r++)); do
    local labels=() cmds=()
    for ((i = 0; i < n; i++)); do
      k=$(((i + r - 1) % n))
      labels+=("${specs[k]%%=*}")
      cmds+=("${specs[k]#*=}")
    done
    timeout 600 hyperfine -N -i --style none --warmup "$warmup" --runs "$runs" \
      --export-json "$W/hf.json" "${cmds[@]}" >/dev/null 2>"$W/hf.err" || {
      log "   hyperfine failed: $(head -c 300 "$W/hf.err")"
      continue
    }
    python3 - "$W/hf.json" "$scen" "$r" "${labels[@]}" >>"$RES" <<'EOF'
import json, sys
path, scen, rnd, labels = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
for label, res in zip(labels, json.load(open(path))['results']):
    codes = sorted(set(res.get('exit_codes') or []))
    print('\t'.join(['hf', scen, rnd, label, '%.6f' % res['median'], ','.join(map(str, codes))]))
EOF
    log "   round $r: $(awk -F'\t' -v s="$scen" -v r="$r" '$1=="hf" && $2==s && $3==r { printf "%s %.1f ms; ", $4, $5*1000 }' "$RES")"
  done
}

# ---------------------------------------------------------------------------------------------
# Scenarios

log "bench: NODE_EXTRA_CA_CERTS and NODE_OPTIONS are unset for every command (Node parses the CA file at each start)"
log "bench: implementations: ${IMPLS[*]}; rounds $ROUNDS; quick=$QUICK; sink=$SINK; results in $OUT"
record meta quick "$QUICK"
record meta rounds "$ROUNDS"
record meta impls "${IMPLS[*]}"
record meta node "$(node --version)"
record meta nc "$(dpkg-query -W -f '${Version}' netcat-openbsd 2>/dev/null || echo '?')"
record meta host "$(nproc) CPU, $(uname -r)"
record meta commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
record meta bin "$TSNC_BIN"
record meta sizes "pipe=$PIPE_BYTES file=$FILE_BYTES slow=$SLOW_BYTES small=$SMALL_BYTES keep=$KEEP_CONNS zd=$ZD_PORTS serve=$SERVE_BYTES stalled=$SERVE_STALLED relay=$RELAY_BYTES relayconns=$RELAY_CONNS relayidle=$RELAY_IDLE"

mib() { echo "$(($1 >> 20)) MiB"; }
size_label() { if (($1 >= 1 << 30)); then echo "$(($1 >> 30)) GiB"; else mib "$1"; fi; }

want pipe && throughput pipe "$(size_label $PIPE_BYTES) from a pipe, loopback" pipe $PIPE_BYTES lo "$ROUNDS"
if want file; then
  make_datafile
  throughput file "$(size_label $FILE_BYTES) regular file on stdin, loopback" file $FILE_BYTES lo "$ROUNDS"
fi
if want vpipe || want vfile; then
  if setup_netns; then
    want vpipe && throughput vpipe "$(size_label $PIPE_BYTES) from a pipe, veth between 2 netns" pipe $PIPE_BYTES veth "$ROUNDS"
    if want vfile; then
      make_datafile
      throughput vfile "$(size_label $FILE_BYTES) regular file on stdin, veth" file $FILE_BYTES veth "$ROUNDS"
    fi
  else
    want vpipe && record skip vpipe "$NS_REASON" && log "== vpipe skipped: $NS_REASON"
    want vfile && record skip vfile "$NS_REASON" && log "== vfile skipped: $NS_REASON"
  fi
fi
want small && throughput small "$(mib $SMALL_BYTES) from a pipe, loopback (RSS reference)" pipe $SMALL_BYTES lo "$SMALL_ROUNDS" count
want slow && throughput slow "$(mib $SLOW_BYTES) into a slow consumer (pv -q -L $SLOW_RATE)" pipe $SLOW_BYTES lo "$SLOW_ROUNDS" slow

# --serve of one file: a listener that sends it to every client; nc.openbsd has no such mode, so
# each candidate is compared with itself serving one client alone.
# serve_run IMPL ROUND STALLED: records "serve IMPL ROUND STALLED secs bytes peak_rss_kib ok note".
serve_run() {
  local impl=$1 round=$2 stalled=$3 port res bytes secs sha held ok=1 note= spid rss
  port=$(next_port)
  rm -f "$W"/s.*
  # shellcheck disable=SC2046
  bg timeout -k 5 $T_XFER /usr/bin/time -f '%e %M %U %S' -o "$W/s.time" \
    $(impl_cmd "$impl") -l -p "$port" --serve "$SERVE_FILE" --count $((stalled + 1)) \
    <&"$FIFO_FD" >/dev/null 2>"$W/s.err"
  spid=$BG_PID
  if ! wait_listen "$port" "" "$spid"; then
    record serve "$impl" "$round" "$stalled" - - - 0 "listener did not start: $(head -c 200 "$W/s.err")"
    kill_tree "$spid"
    return
  fi
  res=$(timeout 120 python3 "$LIB/serveclients.py" 127.0.0.1 "$port" "$stalled" 2>"$W/s.cerr")
  # The stalled clients close with bytes unread (a reset): the listener exits after --count.
  local i
  for ((i = 0; i < 1000; i++)); do
    [[ -d /proc/$spid && $(awk '{ print $3 }' /proc/"$spid"/stat 2>/dev/null) != Z ]] || break
    sleep 0.01
  done
  if ((i == 1000)); then
    kill_tree "$spid"
    ok=0 note="the listener did not exit within 10 s of its last client"
  else
    reap "$spid"
  fi
  rss=$(time_fields "$W/s.time" | awk '{ print $2 }')
  read -r bytes secs sha held <<<"$res"
  if ((ok == 0)); then
    :
  elif [[ -z ${secs:-} ]]; then
    ok=0 note="client failed: $(head -c 200 "$W/s.cerr")"
  elif [[ $bytes != "$SERVE_BYTES" || $sha != "$SERVE_SHA" ]]; then
    ok=0 note="received $bytes bytes, sha256 $sha; expected $SERVE_BYTES, $SERVE_SHA"
  elif [[ $held != "$stalled" ]]; then
    ok=0 note="only $held of $stalled stalled clients were sent anything"
  elif [[ -z $rss ]]; then
    ok=0 note="no peak RSS: $(head -c 200 "$W/s.err")"
  fi
  record serve "$impl" "$round" "$stalled" "${secs:--}" "${bytes:--}" "${rss:--}" "$ok" "$note"
  log "   round $round $impl, $stalled stalled: ${secs:-?}s peak rss ${rss:-?} KiB${note:+ !! $note}"
}

if want serve; then
  log "== serve: --serve of $(mib $SERVE_BYTES) to $SERVE_STALLED clients that never read plus one that reads"
  record label serve "--serve $(mib $SERVE_BYTES): $SERVE_STALLED clients that never read + 1 that reads it all"
  SERVE_FILE=$W/serve.bin
  timeout 60 head -c "$SERVE_BYTES" /dev/urandom >"$SERVE_FILE" || die "cannot write $SERVE_FILE"
  SERVE_SHA=$(sha256sum <"$SERVE_FILE" | cut -d' ' -f1)
  for ((r = 1; r <= SERVE_ROUNDS; r++)); do
    for impl in $(round_order "$r"); do
      [[ $impl == nc || $impl == nc-self ]] && continue
      if ((r % 2 == 1)); then
        serve_run "$impl" "$r" 0 && serve_run "$impl" "$r" "$SERVE_STALLED"
      else
        serve_run "$impl" "$r" "$SERVE_STALLED" && serve_run "$impl" "$r" 0
      fi
    done
  done
fi

# One accept-and-close server on loopback for the -z and start-up scenarios.
OPEN_PORT=
start_acceptor() {
  [[ -n $OPEN_PORT ]] && return
  OPEN_PORT=$(next_port)
  bg timeout 3600 python3 "$LIB/acceptor.py" 127.0.0.1 "$OPEN_PORT"
  wait_listen "$OPEN_PORT" "" "$BG_PID" || die "acceptor did not start"
}

if want startup; then
  log "== startup: start-up of one short command"
  record label startup "start-up: -z against an open loopback port"
  start_acceptor
  specs=("node -e 0=node -e 0" "nc -z=nc.openbsd -z 127.0.0.1 $OPEN_PORT")
  for impl in "${CANDS[@]}"; do
    if z_available "$impl" "$OPEN_PORT"; then
      # correctness: exit 0 against the open port
      if timeout 10 $(impl_cmd "$impl") -z 127.0.0.1 "$OPEN_PORT" </dev/null >/dev/null 2>&1; then
        specs+=("$impl -z=$(impl_cmd "$impl") -z 127.0.0.1 $OPEN_PORT")
      else
        record na startup "$impl" "-z against an open port did not exit 0"
      fi
    else
      record na startup "$impl" "not available yet (tsnc rejects -z)"
    fi
    # Always measurable: connect to the open port with empty stdin; ends at the peer's EOF.
    specs+=("$impl connect=$(impl_cmd "$impl") 127.0.0.1 $OPEN_PORT")
  done
  specs+=("nc connect=nc.openbsd 127.0.0.1 $OPEN_PORT")
  hf_rounds startup "$HF_RUNS" 3 "${specs[@]}"
fi

if want keep; then
  log "== keep: $KEEP_CONNS sequential connections into -k"
  record label keep "$KEEP_CONNS sequential connections into -k -l"
  for ((r = 1; r <= KEEP_ROUNDS; r++)); do
    for impl in $(round_order "$r"); do
      port=$(next_port)
      rm -f "$W/k.out"
      # shellcheck disable=SC2046
      bg timeout -k 5 300 $(impl_cmd "$impl") -k -l -p "$port" <&"$FIFO_FD" >"$W/k.out" 2>"$W/k.err"
      kpid=$BG_PID
      if ! wait_listen "$port" "" "$kpid"; then
        record keep "$impl" "$r" - - - 0 "listener did not start: $(head -c 200 "$W/k.err")"
        kill_tree "$kpid"
        continue
      fi
      res=$(timeout 120 python3 "$LIB/connclient.py" 127.0.0.1 "$port" "$KEEP_CONNS" 2>"$W/k.cerr")
      sleep 0.05 # let the last line reach the file
      child=$(cat /proc/"$kpid"/task/*/children 2>/dev/null | awk '{ print $1 }')
      hwm=$(awk '/^VmHWM/ { print $2 }' /proc/"$child"/status 2>/dev/null)
      cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' /proc/"$child"/stat 2>/dev/null)
      kill_tree "$kpid"
      read -r n secs fails <<<"$res"
      lines=$(wc -l <"$W/k.out")
      ok=1 note=
      if [[ -z ${secs:-} || ${fails:-1} != 0 || $lines != "$KEEP_CONNS" ]]; then
        ok=0 note="failures ${fails:-?}, $lines lines of $KEEP_CONNS: $(head -c 200 "$W/k.cerr")"
      fi
      record keep "$impl" "$r" "${secs:--}" "${hwm:--}" "${cpu:--}" "$ok" "$note"
      log "   round $r $impl: ${secs:-?}s rss ${hwm:-?} KiB cpu ${cpu:-?}s${note:+ !! $note}"
    done
  done
fi

if want zclosed; then
  log "== zclosed: -z over $ZC_PORTS closed loopback ports"
  record label zclosed "-z over $ZC_PORTS closed loopback ports"
  start_acceptor
  # a range where nothing listens (checked), away from the acceptor
  base=
  for b in 28000 29000 30000 31000; do
    if [[ -z $(ss -Hltn "( sport >= :$b and sport <= :$((b + ZC_PORTS - 1)) )" 2>/dev/null) ]]; then base=$b && break; fi
  done
  if [[ -z $base ]]; then
    record skip zclosed "no free range of $ZC_PORTS ports"
  else
    range=$base-$((base + ZC_PORTS - 1))
    specs=("nc -z=nc.openbsd -z 127.0.0.1 $range")
    for impl in "${CANDS[@]}"; do
      if ! z_available "$impl" "$OPEN_PORT"; then
        record na zclosed "$impl" "not available yet (tsnc rejects -z)"
        continue
      fi
      # correctness: exit 1 over the closed range, exit 0 over a range holding the open port
      timeout 30 $(impl_cmd "$impl") -z 127.0.0.1 "$range" </dev/null >/dev/null 2>&1
      st_closed=$?
      timeout 30 $(impl_cmd "$impl") -z 127.0.0.1 "$((OPEN_PORT - 5))-$((OPEN_PORT + 5))" </dev/null >/dev/null 2>&1
      st_open=$?
      if [[ $st_closed == 1 && $st_open == 0 ]]; then
        specs+=("$impl -z=$(impl_cmd "$impl") -z 127.0.0.1 $range")
      else
        record na zclosed "$impl" "wrong answer: exit $st_closed over closed ports (want 1), $st_open with an open one (want 0)"
      fi
    done
    hf_rounds zclosed "$ZC_RUNS" 1 "${specs[@]}"
  fi
fi

if want zdrop; then
  log "== zdrop: -z -w 1 over $ZD_PORTS ports of a host that drops packets"
  record label zdrop "-z -w 1 over $ZD_PORTS ports of a host that drops packets (netns + nft DROP; port $DROP_OPEN_PORT answers)"
  if ! setup_drop; then
    record skip zdrop "$NS_REASON"
    log "   skipped: $NS_REASON"
  else
    # nc.openbsd scans one port at a time, 1 s each: time a few ports, then scale.
    for ((r = 1; r <= ZD_ROUNDS; r++)); do
      t0=$EPOCHREALTIME
      ip netns exec "$NS_A" timeout 60 nc.openbsd -z -w 1 $DROP_IP "1-$ZD_NC_PORTS" </dev/null >/dev/null 2>&1
      st=$?
      t1=$EPOCHREALTIME
      secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
      ok=1 note=
      [[ $st == 1 ]] || ok=0 note="exit $st, want 1"
      record zdrop nc "$r" "$secs" "$ZD_NC_PORTS" "$st" "$ok" "$note"
      log "   round $r nc (ports 1-$ZD_NC_PORTS): ${secs}s exit $st"
      for impl in "${CANDS[@]}"; do
        if ! z_available "$impl" 1; then
          [[ $r == 1 ]] && record na zdrop "$impl" "not available yet (tsnc rejects -z)"
          continue
        fi
        t0=$EPOCHREALTIME
        # shellcheck disable=SC2046
        ip netns exec "$NS_A" timeout -k 5 $T_ZDROP $(impl_cmd "$impl") -z -w 1 $DROP_IP "1-$ZD_PORTS" </dev/null >/dev/null 2>"$W/zd.err"
        st=$?
        t1=$EPOCHREALTIME
        secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        ok=1 note=
        if [[ $st == 124 || $st == 137 ]]; then
          ok=0 note="stopped after ${T_ZDROP}s"
        elif [[ $st != 0 ]]; then
          ok=0 note="exit $st, want 0 (port $DROP_OPEN_PORT answers)"
        elif awk -v s="$secs" 'BEGIN { exit !(s < 0.9) }'; then
          ok=0 note="finished in ${secs}s, before the 1 s timeout could expire"
        fi
        record zdrop "$impl" "$r" "$secs" "$ZD_PORTS" "$st" "$ok" "$note"
        log "   round $r $impl (ports 1-$ZD_PORTS): ${secs}s exit $st${note:+ !! $note}"
      done
    done
  fi
fi

# ---------------------------------------------------------------------------------------------
# Relay: tsnc -l -k --relay against socat's fork and ncat's --sh-exec, the process-per-connection
# forwarders it replaces. The same client and backend for each; records
# "relay SCEN IMPL ROUND VALUE EXTRA1 EXTRA2 OK NOTE".

# Start forwarder $1 on 127.0.0.1:$2 to 127.0.0.1:$3 (BG_PID: its `timeout`).
start_relay() {
  local impl=$1 p=$2 q=$3
  case $impl in
    tsnc) bg timeout -k 5 "$T_RELAY" node "$ROOT/$TSNC_BIN" -l -k -m 5000 -s 127.0.0.1 -p "$p" --relay "127.0.0.1:$q" <&"$FIFO_FD" 2>"$W/relay.err" ;;
    socat) bg timeout -k 5 "$T_RELAY" socat "TCP-LISTEN:$p,bind=127.0.0.1,reuseaddr,fork,backlog=1024" "TCP:127.0.0.1:$q" 2>"$W/relay.err" ;;
    ncat) bg timeout -k 5 "$T_RELAY" ncat -k -l 127.0.0.1 "$p" -m 5000 --sh-exec "ncat 127.0.0.1 $q" 2>"$W/relay.err" ;;
  esac
  wait_listen "$p" "" "$BG_PID"
}
# VmRSS (KiB) summed over the processes below PID $1 (the forwarder and, for socat, its children); and PSS.
tree_mem() {
  local p rss=0 pss=0 v
  for p in $(descendants "$1"); do
    [[ $(cat /proc/"$p"/comm 2>/dev/null) == timeout ]] && continue
    v=$(awk '/^VmRSS/ { print $2 }' /proc/"$p"/status 2>/dev/null) && rss=$((rss + ${v:-0}))
    v=$(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup 2>/dev/null) && pss=$((pss + ${v:-0}))
  done
  echo "$rss $pss"
}

# BENCH_ONLY=relay runs the three; relaythr, relayrate or relayidle one of them.
want_relay() { want relay || want "$1"; }
if want relay || want relaythr || want relayrate || want relayidle; then
  RELAY_IMPLS=()
  for impl in tsnc socat ncat; do
    if [[ $impl == tsnc ]] || command -v "$impl" >/dev/null; then RELAY_IMPLS+=("$impl"); else record skip "relay-$impl" "$impl is not installed"; fi
  done
  rorder() { # the forwarders of round $1 (without ncat unless $2), alternated
    local r=$1 with_ncat=${2:-0} i out=() list=()
    for i in "${RELAY_IMPLS[@]}"; do [[ $i == ncat && $with_ncat == 0 ]] || list+=("$i"); done
    if ((r % 2 == 1)); then out=("${list[@]}"); else for ((i = ${#list[@]} - 1; i >= 0; i--)); do out+=("${list[i]}"); done; fi
    echo "${out[@]}"
  }

  want_relay relaythr && log "== relaythr: $(size_label $RELAY_BYTES) through one relayed connection"
  want_relay relaythr && record label relaythr "$(size_label $RELAY_BYTES) through one relayed connection (nc.openbsd -N, the forwarder, nc.openbsd -l; bytes counted)"
  for ((r = 1; r <= ROUNDS; r++)); do
    want_relay relaythr || break
    for impl in $(rorder "$r"); do
      q=$(next_port)
      rm -f "$W/r.count"
      bg bash -c 'timeout -k 5 '"$T_XFER"' nc.openbsd -l 127.0.0.1 '"$q"' <&'"$FIFO_FD"' | wc -c >"'"$W"'/r.count"'
      spid=$BG_PID
      wait_listen "$q" "" "$spid" || { record relay relaythr "$impl" "$r" - - - 0 "backend did not start"; kill_tree "$spid"; continue; }
      # Only now: next_port runs in a subshell, and skips ports in use (the backend's, from here on).
      p=$(next_port)
      if ! start_relay "$impl" "$p" "$q"; then
        record relay relaythr "$impl" "$r" - - - 0 "forwarder did not start: $(head -c 200 "$W/relay.err")"
        kill_tree "$BG_PID"; kill_tree "$spid"; continue
      fi
      rpid=$BG_PID
      # tsnc's VmRSS every 0.25 s while the bytes flow: does it level off, or grow with the transfer?
      samppid=
      if [[ $impl == tsnc ]]; then
        bg bash -c 'for ((k = 0; k < 4 * '"$T_XFER"'; k++)); do for c in $(cat /proc/'"$rpid"'/task/*/children 2>/dev/null); do awk "/^VmRSS/ { print \$2 }" /proc/$c/status 2>/dev/null; done; sleep 0.25; done' >"$W/rss.samples"
        samppid=$BG_PID
      fi
      t0=$EPOCHREALTIME
      head -c "$RELAY_BYTES" /dev/zero | timeout -k 5 "$T_XFER" nc.openbsd -N 127.0.0.1 "$p" >/dev/null 2>"$W/r.cerr"
      cst=${PIPESTATUS[1]}
      t1=$EPOCHREALTIME
      reap "$spid"
      hwm=- late=-
      [[ $impl == tsnc ]] && hwm=$(for c in $(descendants "$rpid"); do awk '/^VmHWM/ { print $2 }' /proc/"$c"/status; done | sort -n | tail -n 1)
      if [[ -n $samppid ]]; then
        kill_tree "$samppid"
        # The highest RSS in the second half of the transfer: equal to the peak if it kept growing.
        late=$(awk '{ v[NR] = $1 } END { m = 0; for (i = int(NR / 2) + 1; i <= NR; i++) if (v[i] > m) m = v[i]; print m ? m : "-" }' "$W/rss.samples")
        early=$(awk '{ v[NR] = $1 } END { m = 0; for (i = 1; i <= int(NR / 2); i++) if (v[i] > m) m = v[i]; print m ? m : "-" }' "$W/rss.samples")
      fi
      kill_tree "$rpid"
      got=$(tr -d ' \n' <"$W/r.count" 2>/dev/null)
      secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
      ok=1 note=
      [[ $cst == 0 && $got == "$RELAY_BYTES" ]] || ok=0 note="client exit $cst, backend got ${got:-?} of $RELAY_BYTES bytes"
      record relay relaythr "$impl" "$r" "$secs" "${hwm:--}" "${late:--}" "$ok" "$note"
      log "   round $r $impl: ${secs}s, peak RSS ${hwm} KiB${samppid:+ (highest RSS in the first half ${early} KiB, in the second half ${late} KiB)}${note:+ !! $note}"
    done
  done

  if want_relay relayrate; then
  log "== relayrate: $RELAY_CONNS sequential request/response connections through the forwarder"
  record label relayrate "$RELAY_CONNS sequential request/response connections through the forwarder (python3 echo behind)"
  q=$(next_port)
  bg timeout 3600 python3 "$LIB/relay_peers.py" echo "$q"
  epid=$BG_PID
  if wait_listen "$q" "" "$epid"; then
    for ((r = 1; r <= RELAY_RATE_ROUNDS; r++)); do
      for impl in $(rorder "$r" 1); do
        p=$(next_port)
        if ! start_relay "$impl" "$p" "$q"; then
          record relay relayrate "$impl" "$r" - - - 0 "forwarder did not start: $(head -c 200 "$W/relay.err")"
          kill_tree "$BG_PID"; continue
        fi
        rpid=$BG_PID
        res=$(timeout "$T_RATE" python3 "$LIB/connclient.py" 127.0.0.1 "$p" "$RELAY_CONNS" 2>"$W/r.cerr")
        kill_tree "$rpid"
        read -r n secs fails <<<"$res"
        ok=1 note=
        [[ -n ${secs:-} && ${fails:-1} == 0 ]] || ok=0 note="failures ${fails:-?}: $(head -c 200 "$W/r.cerr")"
        record relay relayrate "$impl" "$r" "${secs:--}" - - "$ok" "$note"
        log "   round $r $impl: ${secs:-?}s${note:+ !! $note}"
      done
    done
  else
    record skip relayrate "the echo backend did not start"
  fi
  kill_tree "$epid"
  fi

  if want_relay relayidle; then
  log "== relayidle: $RELAY_IDLE concurrent idle relayed connections, memory of the forwarder"
  record label relayidle "$RELAY_IDLE concurrent idle relayed connections: RSS of the forwarder (socat: all its processes)"
  q=$(next_port)
  bg timeout 3600 python3 "$LIB/relay_peers.py" hold "$q" "$W/hold.count"
  hpid=$BG_PID
  if wait_listen "$q" "" "$hpid"; then
    for impl in $(rorder 1); do
      p=$(next_port)
      if ! start_relay "$impl" "$p" "$q"; then
        record relay relayidle "$impl" 1 - - - 0 "forwarder did not start: $(head -c 200 "$W/relay.err")"
        kill_tree "$BG_PID"; continue
      fi
      rpid=$BG_PID
      sleep 0.5
      read -r base_rss _ <<<"$(tree_mem "$rpid")"
      rm -f "$W/idle.fifo" "$W/idle.out"
      mkfifo "$W/idle.fifo"
      bg bash -c 'timeout 600 python3 "$1" idle 127.0.0.1 "$2" "$3" <"$4" >"$5" 2>&1' _ "$LIB/relay_peers.py" "$p" "$RELAY_IDLE" "$W/idle.fifo" "$W/idle.out"
      ipid=$BG_PID
      exec {IDLE_FD}>"$W/idle.fifo"
      ok=0 note="the $RELAY_IDLE connections did not all reach the backend within 120 s"
      for ((i = 0; i < 1200; i++)); do
        if grep -q "^open $RELAY_IDLE$" "$W/idle.out" 2>/dev/null && [[ $(cat "$W/hold.count" 2>/dev/null) == "$RELAY_IDLE" ]]; then
          ok=1 note=
          break
        fi
        sleep 0.1
      done
      sleep 1 # let the last allocations settle
      read -r rss pss <<<"$(tree_mem "$rpid")"
      procs=$(descendants "$rpid" | wc -l)
      exec {IDLE_FD}>&-
      reap "$ipid"
      kill_tree "$rpid"
      record relay relayidle "$impl" 1 "$rss" "$base_rss" "$pss" "$ok" "$note"
      log "   $impl: RSS $rss KiB (before the connections $base_rss KiB), PSS $pss KiB, $procs processes${note:+ !! $note}"
    done
  else
    record skip relayidle "the holding backend did not start"
  fi
  kill_tree "$hpid"
  fi
fi

# ---------------------------------------------------------------------------------------------
python3 "$LIB/report.py" "$RES" >"$OUT/report.md" || die "report failed"
cat "$OUT/report.md"
log "bench: results in $OUT (results.tsv, report.md)"
