# What tools/client_suite.sh and tools/protocol_suite.sh share (sourced, not
# run): each run's sio-server, on a free port and stopped by its pid, and the
# summary of each mocha run. The sourcing script sets `bin` (where sio-server
# is) and `name` (its own, for messages).

server_pid=""
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT

# start_server LOG FLAGS...: sio-server FLAGS, its output in LOG; sets
# server_pid and port, or exits if it did not start within 10 s.
start_server() {
  local log=$1
  shift
  "$bin/sio-server" "$@" >"$log" 2>&1 &
  server_pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -nE 's#.*listening on http://[^ ]*:([0-9]+)/.*#\1#p' "$log" | head -1)
    [[ -n $port ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name: sio-server did not start; its output:" >&2
  cat "$log" >&2
  exit 1
}

# count_run RUN LOG STATUS: one line with the run's figures (and the titles
# of its failures); a run that did not pass whole counts in failed_runs.
failed_runs=0
count_run() {
  local run=$1 log=$2 status=$3 passing failing pending
  passing=$(sed -nE 's/^ *([0-9]+) passing.*/\1/p' "$log" | tail -1)
  failing=$(sed -nE 's/^ *([0-9]+) failing.*/\1/p' "$log" | tail -1)
  pending=$(sed -nE 's/^ *([0-9]+) pending.*/\1/p' "$log" | tail -1)
  echo "run $run: ${passing:-0} passing, ${failing:-0} failing${pending:+, $pending pending}" \
       "(exit $status, log $log)"
  if [[ $status -ne 0 || -n $failing ]]; then
    failed_runs=$((failed_runs + 1))
    sed -n '/^ *[0-9]* failing/,$p' "$log" | grep -E '^ +[0-9]+\) ' || true
  fi
}
