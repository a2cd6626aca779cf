#!/usr/bin/env bash
# The benchmark: each scenario of the benchmark contract (the README's
# Benchmarks section; the app is examples/contract) against our sio-server
# and against the reference Node socket.io server (tools/reference), one
# server at a time, each on a free port and stopped by its pid afterwards.
# Prints both figures and their ratio, and writes them as JSON
# (build/bench/results.json). With --floor, also tools/floor-server: raw
# epoll, only what sio-bench needs, the least server CPU per operation any
# design can spend here. Only ratios from one run compare: the machine is
# shared and noisy.
#
#   tools/bench.sh                 default sizes, a few minutes on 2 cores
#   tools/bench.sh --full          the contract's full sizes (10000 subscribers, connect 10000)
#   tools/bench.sh --help          every flag
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

scenarios="fanout,fanout-latency,echo,connect"
subscribers=1000
payload=100
window=10
duration=10
warmup=2
echo_clients=100
connect_count=2000
concurrency=100
idle=3
bench_threads=1
ours="both"
floor=0
unbounded=0
ops=0
scrape_interval=0.1
baseline=""
recovery=0
recovery_sessions=1000
recovery_broadcasts=10000
adapter=0
plain=0
cluster=0
grpc_bench=0
build=1
drain_timeout=30
rounds=1
paired=0
paired_variants="ours-scraped"
paired_duration=2
paired_warmup=1
instructions=0
out="$root/build/bench/results.json"

usage() {
  cat <<EOF
usage: tools/bench.sh [flags]
  --scenarios LIST   comma-separated, of: fanout fanout-latency echo connect proxy
                     (default: $scenarios). proxy: the echo scenario answered by a C++
                     handler and proxied to a trivial gRPC backend (Node), side by side
  --full             the contract's full sizes: --subscribers 10000 --connect 10000
  --subscribers N    fanout subscribers (default $subscribers)
  --payload BYTES    fanout and echo payload (default $payload)
  --window W         fanout: broadcasts in flight (default $window; fanout-latency uses 1)
  --duration S       measured seconds of fanout and echo (default $duration)
  --warmup S         seconds of load before measuring (default $warmup)
  --echo-clients N   echo connections (default $echo_clients)
  --connect N        connect: connections to open (default $connect_count)
  --concurrency N    connect: handshakes at once (default $concurrency)
  --idle S           connect: idle seconds before reading the server's RSS (default $idle)
  --bench-threads N  sio-bench threads (default $bench_threads)
  --ours MODE        how sio-server runs: single (--actor-threads 1 --gateway-threads 1,
                     the comparison with single-threaded Node), default (all cores), or
                     both (default: $ours)
  --floor            also run tools/floor-server, the kernel floor (raw epoll, one thread,
                     only what sio-bench needs): the least server CPU per op possible here
  --unbounded        also run ours-unbounded: ours 1+1 with the per-client send-queue bound
                     and the volatile soft bound off, beside ours-1+1, to show what the
                     bound costs (fanout)
  --ops              also run, beside ours-1+1, what operations cost on the hot paths:
                     ours-scraped (/metrics scraped every $scrape_interval s during the run,
                     150 times Prometheus' default rate; the counters themselves are always
                     on), ours-limits (the global send-queue budget, the per-connection event
                     rate and the connection limits on, none of them reached) and
                     ours-unbounded (see --unbounded); prints each one's ratio to ours-1+1
  --baseline BIN     also run BIN, an sio-server built from another commit (one without
                     metrics, say), as baseline-1+1 beside ours-1+1
  --recovery         also run ours-recovery: ours-1+1 with --recovery (connection state
                     recovery: offsets on every event, a log per namespace), and measure
                     the memory $recovery_sessions waiting sessions hold while
                     $recovery_broadcasts broadcasts go by
  --grpc             also the gRPC API: Emit calls/s and p50/p99 to a room of --subscribers
                     members with deliveries/s and server CPU per delivery beside the
                     same broadcasts started by a Socket.IO client; and fanout (ours-1+1)
                     with the gRPC listener off, on, and on with one WatchEvents watcher
  --adapter          also run sio-server single with --adapter redis on a redis-server
                     of its own (a cluster of one node: what the adapter costs)
  --plain            also run ours-plain: ours-1+1 with --ws-path /ws, its fanout
                     subscribers plain WebSocket clients (its other scenarios: Socket.IO
                     clients, what the plain path costs them)
  --cluster          also the two-node fanout: on one redis-server, two sio-server nodes
                     (1+1 threads each, --adapter redis) and then two Node socket.io nodes
                     with @socket.io/redis-adapter (tests/integration/cluster_node.js);
                     subscribers spread over both nodes, the publisher on the first:
                     deliveries/s, both nodes' CPU per delivery, Redis CPU, lost
                     deliveries (build/bench/results-cluster.json)
  --rounds N         run each scenario N times, the servers taking turns within each
                     round, and report each figure's median (default $rounds): this
                     machine's noise moves single runs by up to 25%
  --paired N         instead of the table above: ours-1+1 and each --paired-variants server
                     alive at once, N pairs of short runs of each scenario (fanout, echo),
                     the order alternating within pairs (AB BA AB ...), the first pair
                     discarded as warm-up; per pair the ratio variant / ours-1+1 of the
                     server's CPU per operation read from /proc/PID/task/*/schedstat (ns,
                     the server's own time, not wall time), then the median ratio, its
                     interquartile range and a bootstrap 95% interval
                     (build/bench/results-paired.json); the interval says what the run
                     resolves (fanout at --window 1 is the steadiest per delivery)
  --paired-variants LIST  servers compared with ours-1+1 by --paired, of: ours-scraped
                     ours-limits ours-unbounded baseline-1+1 (default: $paired_variants)
  --paired-duration S  measured seconds of each paired run (default $paired_duration; warm-up
                     $paired_warmup s)
  --instructions     instead of the table above: ours-1+1 under valgrind's callgrind on a
                     small fanout and echo, the share of the server's instructions spent in
                     the metrics code (sio::metrics, inlined or not): what a build without
                     metrics would save, independent of the machine's noise
  --no-build         use build/bin as it is
  --out FILE         the JSON results (default build/bench/results.json)
EOF
}

while (($#)); do
  case "$1" in
    --scenarios) scenarios=$2; shift 2 ;;
    --full) subscribers=10000; connect_count=10000; shift ;;
    --subscribers) subscribers=$2; shift 2 ;;
    --payload) payload=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --echo-clients) echo_clients=$2; shift 2 ;;
    --connect) connect_count=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --bench-threads) bench_threads=$2; shift 2 ;;
    --ours) ours=$2; shift 2 ;;
    --floor) floor=1; shift ;;
    --unbounded) unbounded=1; shift ;;
    --ops) ops=1; unbounded=1; shift ;;
    --baseline) baseline=$2; shift 2 ;;
    --recovery) recovery=1; shift ;;
    --adapter) adapter=1; shift ;;
    --plain) plain=1; shift ;;
    --cluster) cluster=1; shift ;;
    --grpc) grpc_bench=1; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --paired) paired=$2; shift 2 ;;
    --paired-variants) paired_variants=$2; shift 2 ;;
    --paired-duration) paired_duration=$2; shift 2 ;;
    --instructions) instructions=1; shift ;;
    --no-build) build=0; shift ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown flag $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$ours" in single|default|both) ;; *) echo "bench: --ours single|default|both" >&2; exit 2 ;; esac
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench: --rounds takes a positive number" >&2; exit 2; }
[[ $paired =~ ^[0-9]+$ ]] || { echo "bench: --paired takes a number of pairs" >&2; exit 2; }
((paired == 0 || paired >= 4)) || { echo "bench: --paired takes 4 pairs or more" >&2; exit 2; }

bin="$root/build/bin"
if ((build)); then
  if [[ ! -f "$root/build/build.ninja" ]]; then
    "$root/tools/setup.sh"  # installs what is missing, configures and builds everything
  fi
  targets=(sio-bench sio-server)
  ((floor)) && targets+=(floor-server)
  ninja -C "$root/build" "${targets[@]}" >/dev/null
fi
ref="$root/tools/reference"
if [[ ! -d "$ref/node_modules" || "$ref/package-lock.json" -nt "$ref/node_modules" ]]; then
  (cd "$ref" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$ref/node_modules"
fi

# Run copies of the binaries, so that a rebuild during the run cannot get in
# the way.
snapshot="$(dirname "$out")/bin"
mkdir -p "$snapshot"
cp "$root/build/bin/sio-server" "$root/build/bin/sio-bench" "$snapshot/"
if ((floor)); then cp "$root/build/bin/floor-server" "$snapshot/"; fi
if [[ -n $baseline ]]; then cp "$baseline" "$snapshot/sio-server-baseline"; fi
bin="$snapshot"

# Every connection is a descriptor on both sides.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

runs="${out%.json}-runs"
rm -rf "$runs"
mkdir -p "$runs"

servers=()
[[ $ours == single || $ours == both ]] && servers+=("ours-1+1")
[[ $ours == default || $ours == both ]] && servers+=("ours-default")
((unbounded)) && servers+=("ours-unbounded")
((ops)) && servers+=("ours-scraped" "ours-limits")
[[ -n $baseline ]] && servers+=("baseline-1+1")
((recovery)) && servers+=("ours-recovery")
((adapter)) && servers+=("ours-1+1-redis")
((plain)) && servers+=("ours-plain")
((floor)) && servers+=("floor")
servers+=("reference")  # last: report.js takes the last server as the reference

server_cmd() {  # sets cmd to the command line of server $1
  case "$1" in
    ours-1+1|ours-1+1-local) cmd=("$bin/sio-server" --app contract --port 0 --actor-threads 1
                                  --gateway-threads 1) ;;
    ours-1+1-proxied) cmd=("$bin/sio-server" --app proxy --backend "127.0.0.1:$backend_port"
                           --port 0 --actor-threads 1 --gateway-threads 1) ;;
    ours-default) cmd=("$bin/sio-server" --app contract --port 0) ;;
    ours-unbounded) cmd=("$bin/sio-server" --app contract --port 0 --actor-threads 1
                         --gateway-threads 1 --send-queue-limit 18446744073709551615
                         --volatile-drop-bytes 0 --write-stall-timeout 0) ;;
    ours-scraped) cmd=("$bin/sio-server" --app contract --port 0 --actor-threads 1
                       --gateway-threads 1) ;;
    ours-limits) cmd=("$bin/sio-server" --app contract --port 0 --actor-threads 1
                      --gateway-threads 1 --max-total-buffered 1073741824
                      --max-events-per-second 1000000 --max-connections 1000000
                      --max-connections-per-ip 1000000 --handshake-rate 1000000
                      --handshake-burst 1000000) ;;
    baseline-1+1) cmd=("$bin/sio-server-baseline" --app contract --port 0 --actor-threads 1
                       --gateway-threads 1) ;;
    ours-recovery) cmd=("$bin/sio-server" --app contract --port 0 --actor-threads 1
                        --gateway-threads 1 --recovery) ;;
    ours-1+1-redis) cmd=("$bin/sio-server" --app contract --port 0 --actor-threads 1
                         --gateway-threads 1 --adapter redis
                         --redis-url "redis://127.0.0.1:$redis_port") ;;
    ours-plain) cmd=("$bin/sio-server" --app contract --port 0 --actor-threads 1
                     --gateway-threads 1 --ws-path /ws) ;;
    floor) cmd=("$bin/floor-server" --port 0) ;;
    reference) cmd=(node "$ref/server.js" --port 0) ;;
  esac
}

server_pid=""
scraper_pid=""
# ours-scraped: /metrics fetched over and over while sio-bench runs.
start_scraper() {
  local port=$1
  while :; do
    curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true
    sleep "$scrape_interval"
  done &
  scraper_pid=$!
}
stop_server() {
  if [[ -n $scraper_pid ]]; then
    kill "$scraper_pid" 2>/dev/null || true
    wait "$scraper_pid" 2>/dev/null || true
    scraper_pid=""
  fi
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
# The proxy scenario's backend, stopped by its pid.
backend_pid=""
stop_backend() {
  [[ -n $backend_pid ]] || return 0
  kill -TERM "$backend_pid" 2>/dev/null || true
  wait "$backend_pid" 2>/dev/null || true
  backend_pid=""
}
# With --adapter: a redis-server of our own on a free port, stopped by its pid.
redis_pid=""
stop_all() {
  stop_server
  stop_backend
  if [[ -n $redis_pid ]]; then kill -TERM "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
}
trap stop_all EXIT
if ((adapter || cluster)); then
  redis_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
  redis_pid=$!
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# listening_port LOG PID [TENTHS]: the port a server (ours or a Node node)
# printed in LOG, waited for at most TENTHS tenths of a second (default 100)
# while PID lives; empty if it never came.
listening_port() {
  local p=""
  for _ in $(seq "${3:-100}"); do
    p=$(sed -nE 's#.*listening on http://[^ ]*:([0-9]+)/.*#\1#p' "$1" | head -1)
    [[ -n $p ]] && break
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "$p"
}

start_server() {  # start_server NAME LOG: sets server_pid and port
  local log=$2
  server_cmd "$1"
  "${cmd[@]}" >"$log" 2>&1 &
  server_pid=$!
  port=$(listening_port "$log" "$server_pid")
  [[ -n $port ]] && return 0
  echo "bench: $1 did not start; its output:" >&2
  cat "$log" >&2
  stop_server
  return 1
}

scenario_args() {  # sio-bench arguments of scenario $1
  local common=(--threads "$bench_threads" --drain-timeout "$drain_timeout")
  case "$1" in
    fanout) echo fanout -c "$subscribers" -p "$payload" -w "$window" -d "$duration" \
                 --warmup "$warmup" "${common[@]}" ;;
    fanout-latency) echo fanout -c "$subscribers" -p "$payload" -w 1 -d "$duration" \
                         --warmup "$warmup" "${common[@]}" ;;
    echo) echo echo -c "$echo_clients" -p "$payload" -d "$duration" --warmup "$warmup" \
               "${common[@]}" ;;
    connect) echo connect -c "$connect_count" --concurrency "$concurrency" --idle "$idle" \
                  "${common[@]}" ;;
    *) echo "bench: unknown scenario $1" >&2; return 1 ;;
  esac
}

# setup (120 s at most) + warm-up + window + drain + idle, and some slack
limit=$(awk -v w="$warmup" -v d="$duration" -v t="$drain_timeout" -v i="$idle" \
        'BEGIN { printf "%d", 120 + w + d + t + i + 60 }')
# The proxy scenario: echo answered by the contract app's C++ handler
# (ours-1+1-local) and by a backend over gRPC (ours-1+1-proxied: --app proxy
# and tools/sio-bench/echo_backend.cjs, whose CPU is reported too), the two
# taking turns within each round; its own table, the local one as the base.
proxy_scenario() {
  local dir="${out%.json}-proxy-runs" log args srv before after bport
  rm -rf "$dir"
  mkdir -p "$dir"
  args=$(scenario_args echo)
  (cd "$root/tests/integration" &&
     { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; }) || return 1
  for ((round = 1; round <= rounds; ++round)); do
    for srv in ours-1+1-proxied ours-1+1-local; do
      log="$dir/echo.$srv.$round.server.log"
      if [[ $srv == ours-1+1-proxied ]]; then
        node "$root/tools/sio-bench/echo_backend.cjs" >"$dir/backend.$round.log" 2>&1 &
        backend_pid=$!
        bport=""
        for _ in $(seq 100); do
          bport=$(sed -nE 's#^listening ([0-9]+)$#\1#p' "$dir/backend.$round.log" | head -1)
          [[ -n $bport ]] && break
          sleep 0.1
        done
        [[ -n $bport ]] || { echo "bench: the echo backend did not start" >&2; cat "$dir/backend.$round.log" >&2; stop_backend; return 1; }
        backend_port=$bport
      fi
      server_cmd "$srv"
      echo "== proxy: $srv, round $round of $rounds (${cmd[*]#"$root/"})"
      start_server "$srv" "$log" || { stop_backend; return 1; }
      before=$([[ -n $backend_pid ]] && awk '{ print $14 + $15 }' "/proc/$backend_pid/stat" || echo 0)
      # shellcheck disable=SC2086
      timeout -k 5 "$limit" "$bin/sio-bench" $args --port "$port" --server-pid "$server_pid" \
        --label "$srv" --json "$dir/echo.$srv.$round.json" || { stop_server; stop_backend; return 1; }
      if [[ -n $backend_pid ]]; then
        after=$(awk '{ print $14 + $15 }' "/proc/$backend_pid/stat")
        echo "  backend CPU: $(( (after - before) * 10 )) ms over warm-up, window and drain (Node, one thread)"
      fi
      stop_server
      stop_backend
    done
  done
  SIO_REPORT_TITLE="The proxy: echo proxied to a trivial Node backend over gRPC vs answered by a C++ handler, both --actor-threads 1 --gateway-threads 1; ratio = proxied / local." \
    node "$root/tools/sio-bench/report.js" "$dir" "${out%.json}-proxy.json" echo "$rounds" \
    ours-1+1-proxied ours-1+1-local
}

# --paired: ours-1+1 and its variants alive at once and loaded in turn, many
# short runs, the server's CPU per operation compared pair by pair (see
# tools/sio-bench/paired.js). Each server listens throughout, so the runs of
# a pair differ in the server only; ours-scraped is scraped all along, also
# while the other one runs, so that the scraper's own CPU weighs on both.
paired_scenario() {
  local dir="${out%.json}-paired-runs" variants list s srv pair i log args
  local -A pids ports
  rm -rf "$dir"
  mkdir -p "$dir"
  IFS=, read -r -a variants <<<"$paired_variants"
  list=(ours-1+1 "${variants[@]}")
  for srv in "${list[@]}"; do
    [[ $srv == baseline-1+1 && -z $baseline ]] && { echo "bench: baseline-1+1 needs --baseline BIN" >&2; return 1; }
    if ! start_server "$srv" "$dir/$srv.server.log"; then
      for i in "${!pids[@]}"; do server_pid=${pids[$i]}; stop_server; done
      return 1
    fi
    pids[$srv]=$server_pid
    ports[$srv]=$port
    server_pid=""
  done
  local scrape_pid=""
  if [[ -n ${ports[ours-scraped]:-} ]]; then
    start_scraper "${ports[ours-scraped]}"
    scrape_pid=$scraper_pid
    scraper_pid=""
  fi
  local status=0
  IFS=, read -r -a list_s <<<"$scenarios"
  for s in "${list_s[@]}"; do
    [[ $s == fanout || $s == echo ]] || { echo "bench: --paired measures fanout and echo, not $s" >&2; continue; }
    args=$(duration=$paired_duration warmup=$paired_warmup scenario_args "$s")
    for ((pair = 1; pair <= paired; ++pair)); do
      for srv in "${variants[@]}"; do
        local order=(ours-1+1 "$srv")
        ((pair % 2)) || order=("$srv" ours-1+1)
        for i in "${order[@]}"; do
          [[ -f "$dir/$s.$i.$pair.json" ]] && continue  # ours-1+1 runs once per pair
          echo "== paired $s: $i, pair $pair of $paired"
          # shellcheck disable=SC2086
          timeout -k 5 "$limit" "$bin/sio-bench" $args --port "${ports[$i]}" \
            --server-pid "${pids[$i]}" --label "$i" --json "$dir/$s.$i.$pair.json" \
            >"$dir/$s.$i.$pair.out" 2>&1 || { cat "$dir/$s.$i.$pair.out"; status=1; }
        done
      done
    done
  done
  [[ -n $scrape_pid ]] && { kill "$scrape_pid" 2>/dev/null || true; wait "$scrape_pid" 2>/dev/null || true; }
  for srv in "${list[@]}"; do
    server_pid=${pids[$srv]}
    stop_server
  done
  node "$root/tools/sio-bench/paired.js" "$dir" "$scenarios" "$paired" 1 \
    "${out%.json}-paired.json" ours-1+1 "${variants[@]}" || status=1
  return "$status"
}
# --instructions: the counters cannot be switched off (a per-thread add at
# each count), so what they cost is counted instead: callgrind attributes
# each instruction to its source file, inlined code included, and the metrics
# code is what metrics.hpp and metrics.cpp account for. CAF's idle workers
# sleep rather than spin here, so the total is the server's work.
instructions_scenario() {
  local dir="${out%.json}-instructions" s log args total metered
  command -v valgrind >/dev/null || { echo "bench: --instructions needs valgrind (tools/setup.sh)" >&2; return 1; }
  rm -rf "$dir"
  mkdir -p "$dir"
  local status=0
  IFS=, read -r -a list_s <<<"$scenarios"
  for s in "${list_s[@]}"; do
    case "$s" in
      fanout) args="fanout -c 100 -p $payload -w $window -d 5 --warmup 1" ;;
      echo) args="echo -c 20 -p $payload -d 5 --warmup 1" ;;
      *) echo "bench: --instructions counts fanout and echo, not $s" >&2; continue ;;
    esac
    echo "== instructions $s: ours-1+1 under callgrind"
    log="$dir/$s.server.log"
    valgrind --tool=callgrind --callgrind-out-file="$dir/$s.callgrind" \
      "$bin/sio-server" --app contract --port 0 --actor-threads 1 --gateway-threads 1 \
      >"$log" 2>&1 &
    server_pid=$!
    port=$(listening_port "$log" "$server_pid" 600)
    [[ -n $port ]] || { echo "bench: sio-server did not start under valgrind" >&2; cat "$log" >&2; stop_server; return 1; }
    # shellcheck disable=SC2086
    timeout -k 5 "$limit" "$bin/sio-bench" $args --threads 1 --drain-timeout "$drain_timeout" \
      --port "$port" --label "ours-1+1-callgrind" --json "$dir/$s.json" || status=1
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    callgrind_annotate --auto=no --threshold=100 "$dir/$s.callgrind" >"$dir/$s.annotate.txt" 2>/dev/null ||
      { echo "bench: callgrind_annotate failed on $s" >&2; status=1; continue; }
    total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }' "$dir/$s.annotate.txt")
    metered=$(awk '$0 ~ /\/actors\/(include\/sio\/actors|src)\/metrics\.(hpp|cpp):/ {
                     gsub(",", "", $1); sum += $1 } END { print sum + 0 }' "$dir/$s.annotate.txt")
    awk -v s="$s" -v t="$total" -v m="$metered" 'BEGIN {
      printf "  %-7s metrics code %d of %d server instructions: %.3f%%\n", s, m, t, 100 * m / t }'
  done
  return "$status"
}
if ((instructions)); then
  instructions_scenario
  exit $?
fi
if ((paired)); then
  paired_scenario
  exit $?
fi

failed=0
IFS=, read -r -a scenario_list <<<"$scenarios"
main_scenarios=()
run_proxy=0
for s in "${scenario_list[@]}"; do
  if [[ $s == proxy ]]; then run_proxy=1; else main_scenarios+=("$s"); fi
done
scenario_list=("${main_scenarios[@]}")
scenarios=$(IFS=,; echo "${main_scenarios[*]}")
for s in "${scenario_list[@]}"; do
  args=$(scenario_args "$s")
  # Each round runs every server once, so that the servers of a round meet
  # the same moment of the machine.
  for ((round = 1; round <= rounds; ++round)); do
    for srv in "${servers[@]}"; do
      server_cmd "$srv"
      echo "== $s: $srv, round $round of $rounds (${cmd[*]#"$root/"})"
      log="$runs/$s.$srv.$round.server.log"
      start_server "$srv" "$log" || { failed=1; continue; }
      extra=()
      [[ $srv == ours-plain && $s == fanout* ]] && extra=(--plain-path /ws)
      [[ $srv == ours-scraped ]] && start_scraper "$port"
      # shellcheck disable=SC2086
      # sio-bench bounds its own run; the timeout is only a safety net.
      if ! timeout -k 5 "$limit" "$bin/sio-bench" $args "${extra[@]}" --port "$port" \
           --server-pid "$server_pid" --label "$srv" --json "$runs/$s.$srv.$round.json"; then
        failed=1
      fi
      stop_server
    done
  done
done

if ((${#scenario_list[@]})); then
  node "$root/tools/sio-bench/report.js" "$runs" "$out" "$scenarios" "$rounds" "${servers[@]}" ||
    failed=1
fi
if ((run_proxy)); then proxy_scenario || failed=1; fi
# What operations cost: each variant of ours-1+1 against it, round by round.
if ((ops)) && [[ " ${servers[*]} " == *" ours-1+1 "* ]]; then
  node "$root/tools/sio-bench/compare.js" "$runs" "$scenarios" "$rounds" ours-1+1 \
    ours-scraped ours-limits ours-unbounded || failed=1
fi

# The two-node fanout, ours against Node's: one Redis, two nodes each, the
# subscribers spread over both, the publisher on the first.
cluster_fanout() {
  local its tests="$root/tests/integration" redis_pid_of
  (cd "$tests" && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; })
  redis_pid_of=$redis_pid
  local results=()
  for its in ours node; do
    local pids=() ports=() n
    for n in 1 2; do
      local log="$runs/cluster-fanout.$its.$n.server.log"
      if [[ $its == ours ]]; then
        "$bin/sio-server" --app contract --port 0 --actor-threads 1 --gateway-threads 1 \
          --adapter redis --redis-url "redis://127.0.0.1:$redis_port" >"$log" 2>&1 &
      else
        node "$tests/cluster_node.js" --redis-url "redis://127.0.0.1:$redis_port" >"$log" 2>&1 &
      fi
      pids+=($!)
      local p
      p=$(listening_port "$log" "${pids[-1]}")
      [[ -n $p ]] || { echo "bench: cluster node $its $n did not start" >&2; cat "$log" >&2; failed=1; }
      ports+=("$p")
    done
    # The cluster has formed once both nodes listen on the request channel.
    for _ in $(seq 100); do
      [[ $(redis-cli -p "$redis_port" pubsub numsub 'socket.io-request#/#' | tail -1) == 2 ]] && break
      sleep 0.1
    done
    echo "== cluster-fanout: two $its nodes on one Redis"
    if [[ -n ${ports[0]} && -n ${ports[1]} ]]; then
      # shellcheck disable=SC2046
      timeout -k 5 "$limit" "$bin/sio-bench" $(scenario_args fanout) --port "${ports[0]}" \
        --port2 "${ports[1]}" --server-pid "${pids[0]}" --more-server-pids "${pids[1]}" \
        --redis-pid "$redis_pid_of" --label "$its-2-nodes" \
        --json "$runs/cluster-fanout.$its.json" || failed=1
      results+=("$runs/cluster-fanout.$its.json")
    fi
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  done
  node -e '
    const fs = require("fs");
    const [out, ...files] = process.argv.slice(1);
    const rows = files.map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
    const fig = (r) => ({ label: r.label, deliveries_per_s: r.results.deliveries_per_s,
      server_cpu_us_per_delivery: r.results.server_cpu_us_per_op,
      redis_cpu_us_per_delivery: r.results.redis_cpu_us_per_op, redis_cpu_pct: r.results.redis_cpu_pct,
      lost: r.results.lost ?? 0 });
    const figs = rows.map(fig);
    console.log("cluster-fanout (two nodes, one Redis)");
    for (const f of figs)
      console.log(`  ${f.label.padEnd(14)} ${Math.round(f.deliveries_per_s)} deliveries/s, ` +
                  `server ${f.server_cpu_us_per_delivery?.toFixed(2)} us/delivery (both nodes), ` +
                  `Redis ${f.redis_cpu_us_per_delivery?.toFixed(3)} us/delivery (${f.redis_cpu_pct?.toFixed(0)}%), lost ${f.lost}`);
    fs.writeFileSync(out, JSON.stringify(figs, null, 2) + "\n");
  ' "${out%.json}-cluster.json" "${results[@]}" || failed=1
}
if ((cluster)); then cluster_fanout; fi

# What connection state recovery keeps: sessions that wait while broadcasts go by.
if ((recovery)); then
  (cd "$root/tests/integration" &&
     { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; }) &&
    SIO_SERVER_BIN="$bin/sio-server" node "$root/tests/integration/recovery_memory.js" \
      --sessions "$recovery_sessions" --broadcasts "$recovery_broadcasts" --payload "$payload" ||
    failed=1
fi
# The gRPC API: what a broadcast started over gRPC costs next to one started by
# a Socket.IO client, and what the listener and a watcher cost the fanout.
bench_grpc() {
  local sock="$runs/grpc.sock" node_bench="$root/tools/sio-bench/grpc_bench.js"
  local single=(--app contract --port 0 --actor-threads 1 --gateway-threads 1)
  (cd "$root/tests/integration" && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; })
  local args
  args=$(scenario_args fanout)
  local mode watcher_pid log
  for mode in grpc-off grpc-on grpc-watched; do
    echo "== fanout: ours-1+1 $mode"
    log="$runs/fanout.$mode.server.log"
    rm -f "$sock"
    if [[ $mode == grpc-off ]]; then
      cmd=("$bin/sio-server" "${single[@]}")
    else
      cmd=("$bin/sio-server" "${single[@]}" --grpc-listen "unix:$sock")
    fi
    "${cmd[@]}" >"$log" 2>&1 &
    server_pid=$!
    port=$(listening_port "$log" "$server_pid")
    [[ -n $port ]] || { echo "bench: sio-server did not start" >&2; stop_server; return 1; }
    watcher_pid=""
    if [[ $mode == grpc-watched ]]; then
      node "$node_bench" --watch-only --grpc "unix:$sock" >"$runs/watcher.log" 2>&1 &
      watcher_pid=$!
      for _ in $(seq 100); do grep -q watching "$runs/watcher.log" && break; sleep 0.1; done
    fi
    # shellcheck disable=SC2086
    timeout -k 5 "$limit" "$bin/sio-bench" $args --port "$port" --server-pid "$server_pid" \
      --label "ours-1+1-$mode" --json "$runs/fanout.$mode.json" || failed=1
    if [[ -n $watcher_pid ]]; then
      kill -TERM "$watcher_pid" 2>/dev/null || true
      wait "$watcher_pid" 2>/dev/null || true
      cat "$runs/watcher.log"
    fi
    stop_server
  done
  echo "== gRPC Emit beside a Socket.IO broadcast: ours-1+1, $subscribers members"
  rm -f "$sock"
  log="$runs/grpc-emit.server.log"
  "$bin/sio-server" "${single[@]}" --grpc-listen "unix:$sock" >"$log" 2>&1 &
  server_pid=$!
  port=$(listening_port "$log" "$server_pid")
  timeout -k 5 "$limit" node "$node_bench" --port "$port" --grpc "unix:$sock" \
    --server-pid "$server_pid" --members "$subscribers" --window "$window" \
    --duration "$duration" --payload "$payload" --json "$runs/grpc-emit.json" || failed=1
  stop_server
}
if ((grpc_bench)); then bench_grpc || failed=1; fi

exit "$failed"
