#!/usr/bin/env bash
# The proxy's overhead: the echo scenario of tools/bench.sh answered by a C++
# handler (--app contract) and proxied to a trivial backend over gRPC
# (--app proxy, tools/bench_proxy/echo_backend.cjs), one after the other, both
# `--actor-threads 1 --gateway-threads 1`. Prints sio-bench's figures of each
# (server CPU per ack, acks/s, latency) and the backend's CPU over the run.
#
#   tools/bench_proxy.sh [--duration S] [--echo-clients N] [--rounds N]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
duration=5
clients=100
rounds=1
while (($#)); do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --echo-clients) clients=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_proxy: unknown flag $1" >&2; exit 2 ;;
  esac
done
ninja -C "$root/build" sio-server sio-bench >/dev/null
bin="$root/build/bin"
out="$root/build/bench/proxy"
mkdir -p "$out"

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

wait_for() {  # wait_for LOG REGEX: prints the first capture group
  local v=""
  for _ in $(seq 100); do
    v=$(sed -nE "s#$2#\\1#p" "$1" | head -1)
    [[ -n $v ]] && { echo "$v"; return 0; }
    sleep 0.1
  done
  echo "bench_proxy: nothing matched $2 in $1:" >&2
  cat "$1" >&2
  return 1
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

for ((round = 1; round <= rounds; ++round)); do
  for mode in local proxied; do
    log="$out/$mode.$round.server.log"
    backend_pid=""
    if [[ $mode == local ]]; then
      "$bin/sio-server" --app contract --port 0 --actor-threads 1 --gateway-threads 1 >"$log" 2>&1 &
      pids+=($!)
    else
      node "$root/tools/bench_proxy/echo_backend.cjs" >"$out/backend.log" 2>&1 &
      backend_pid=$!
      pids+=("$backend_pid")
      bport=$(wait_for "$out/backend.log" 'listening ([0-9]+)')
      "$bin/sio-server" --app proxy --backend "127.0.0.1:$bport" --port 0 --actor-threads 1 \
        --gateway-threads 1 >"$log" 2>&1 &
      pids+=($!)
    fi
    server_pid=${pids[-1]}
    port=$(wait_for "$log" '.*listening on http://[^ ]*:([0-9]+)/.*')
    echo "== echo $mode, round $round"
    before=$([[ -n $backend_pid ]] && cpu_ticks "$backend_pid" || echo 0)
    timeout -k 5 $((duration + 120)) "$bin/sio-bench" echo -c "$clients" -p 100 -d "$duration" \
      --warmup 1 --port "$port" --server-pid "$server_pid" --label "$mode" \
      --json "$out/$mode.$round.json" | tail -n +1
    if [[ -n $backend_pid ]]; then
      after=$(cpu_ticks "$backend_pid")
      echo "  backend CPU    $(( (after - before) * 10 )) ms over warm-up and window (Node, one thread)"
    fi
    stop_all
  done
done
