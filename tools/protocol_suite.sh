#!/usr/bin/env bash
# The official socket.io-protocol compliance suite (test-suite/ of a
# socketio/socket.io-protocol checkout) against `sio-server --app contract`
# (connection state recovery off) with the timings the suite expects. The
# server takes a free port, the copy of the suite is pointed at it, and the
# server is stopped by its pid afterwards. Not part of ctest: it needs the
# suite's sources and the npm registry.
#
#   tools/protocol_suite.sh PATH            PATH: a checkout of socketio/socket.io-protocol
#                                           (or its git dir)
#   tools/protocol_suite.sh PATH --runs 3   three runs in a row
#
# Exit status: 0 when every run passed every test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=1
work="${TMPDIR:-/tmp}/sio-protocol-suite"
bin="$root/build/bin"
source_path=""
extra=()

usage() {
  cat <<USAGE
Usage: tools/protocol_suite.sh SOCKET_IO_PROTOCOL_CHECKOUT [options] [-- SIO_SERVER_FLAGS...]
  --runs N     consecutive runs (default $runs)
  --work DIR   where the suite is copied and its npm packages installed (default $work)
  --bin DIR    where sio-server is (default $bin; built if missing)
Flags after -- go to sio-server (e.g. -- --recovery).
Logs: DIR/run-N.log and DIR/server-N.log.
USAGE
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "protocol_suite: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) source_path=$1; shift ;;
  esac
done
[[ -n $source_path ]] || { usage >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "protocol_suite: --runs takes a positive number" >&2; exit 2; }

if [[ ! -x $bin/sio-server ]]; then
  cmake -S "$root" -B "$root/build" -G Ninja >/dev/null
  ninja -C "$root/build" sio-server
fi

suite="$work/test-suite"
mkdir -p "$work"
rm -rf "$work/fresh"
mkdir -p "$work/fresh"
if [[ -f $source_path/test-suite/test-suite.js ]]; then
  cp -r "$source_path/test-suite" "$work/fresh/"
elif git --git-dir="$source_path" rev-parse --verify -q HEAD >/dev/null; then
  git --git-dir="$source_path" archive HEAD test-suite | tar -x -C "$work/fresh"
else
  echo "protocol_suite: $source_path is neither a socket.io-protocol checkout nor its git dir" >&2
  exit 2
fi
# npm ci again only when the lockfile changed.
if ! cmp -s "$work/fresh/test-suite/package-lock.json" "$suite/package-lock.json" 2>/dev/null ||
   [[ ! -d $suite/node_modules ]]; then
  rm -rf "$suite"
  mv "$work/fresh/test-suite" "$suite"
  (cd "$suite" && npm ci --no-audit --no-fund)
else
  for f in "$work"/fresh/test-suite/*; do rm -rf "${suite:?}/$(basename "$f")"; mv "$f" "$suite/"; done
fi
rm -rf "$work/fresh"
cp "$root/tools/protocol_suite/paced_websocket.js" "$suite/"
cat >>"$suite/node-imports.js" <<'JS'

import { paced } from "./paced_websocket.js";
globalThis.WebSocket = paced(WebSocket);
JS
cp "$suite/test-suite.js" "$suite/test-suite.js.orig"

name=protocol_suite
# shellcheck source=tools/suite_runs.sh
source "$root/tools/suite_runs.sh"

for run in $(seq "$runs"); do
  # One gateway thread, as the reference serves from one event loop: "should
  # forcefully close the session" sends a polling GET (on the kept-alive
  # connection) and the POST of a close packet (on a new one) at once and
  # expects the GET to be held, then answered with a noop. A single loop reads
  # the GET first, as the reference does; with two threads the POST's thread
  # can win, the session closes first and the GET gets 400 (about 1 run in 3).
  # Flags after -- come later and may override it.
  start_server "$work/server-$run.log" --app contract --bind 127.0.0.1 --port 0 \
    --ping-interval 300 --ping-timeout 200 --connect-timeout 1000 --cors-origin '*' \
    --gateway-threads 1 "${extra[@]}"
  sed "s#http://localhost:3000#http://localhost:$port#" "$suite/test-suite.js.orig" >"$suite/test-suite.js"

  log="$work/run-$run.log"
  status=0
  (cd "$suite" && timeout 300 npx mocha --reporter spec test-suite.js) >"$log" 2>&1 || status=$?
  stop_server
  count_run "$run" "$log" "$status"
done
echo "protocol_suite: $((runs - failed_runs)) of $runs runs passed whole"
[[ $failed_runs -eq 0 ]]
