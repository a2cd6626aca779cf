#!/usr/bin/env bash
# The official socket.io-client test suite (packages/socket.io-client/test of
# a socketio/socket.io checkout, Node mode) against `sio-server --app
# client-suite`, the server its test/support/server.ts describes. Each run
# starts a fresh server on a free port, points a copy of the suite at it and
# stops the server by its pid afterwards. The suite is not part of ctest: it
# needs the socket.io sources and the npm registry.
#
#   tools/client_suite.sh PATH                  one run; PATH: a checkout of
#                                               socketio/socket.io (or its git dir)
#   tools/client_suite.sh PATH --runs 5         five runs in a row, a summary line each
#   tools/client_suite.sh --help                every flag
#
# Exit status: 0 when every run passed every test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=1
work="${TMPDIR:-/tmp}/sio-client-suite"
bin="$root/build/bin"
grep_tests=""
skip_tests=""
relay=1
source_path=""

usage() {
  cat <<EOF
Usage: tools/client_suite.sh SOCKET_IO_CHECKOUT [options]
  --runs N        consecutive runs of the whole suite (default $runs)
  --work DIR      where the suite is copied, built and its npm packages
                  installed (default $work; reused while the sources match)
  --bin DIR       where sio-server is (default $bin; built if missing)
  --grep TEXT     only the tests whose title has TEXT (mocha --grep)
  --skip TEXT     all but the tests whose title has TEXT (mocha --grep --invert),
                  to look past a failure
  --no-relay      the suite connects to the server directly instead of through
                  a relay in its own process (see tools/client_suite/relay.mjs:
                  its "reconnect timeout" test then fails in about half the
                  runs, against the reference server as well)
Logs: DIR/run-N.log (the suite's output) and DIR/server-N.log.
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --grep) grep_tests=$2; shift 2 ;;
    --skip) skip_tests=$2; shift 2 ;;
    --no-relay) relay=0; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "client_suite: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) source_path=$1; shift ;;
  esac
done
[[ -n $source_path ]] || { usage >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "client_suite: --runs takes a positive number" >&2; exit 2; }

if [[ ! -x $bin/sio-server ]]; then
  cmake -S "$root" -B "$root/build" -G Ninja >/dev/null
  ninja -C "$root/build" sio-server
fi

# The client package and the checkout's root package.json (it pins the
# suite's devDependencies), from a work tree or from a git dir.
suite="$work/socket.io-client"
fresh="$work/fresh"
rm -rf "$fresh"
mkdir -p "$fresh"
if [[ -d $source_path/packages/socket.io-client/test ]]; then
  cp -r "$source_path/packages/socket.io-client" "$fresh/"
  cp "$source_path/package.json" "$fresh/root-package.json"
elif git --git-dir="$source_path" rev-parse --verify -q HEAD >/dev/null; then
  git --git-dir="$source_path" archive HEAD packages/socket.io-client | tar -x -C "$fresh"
  mv "$fresh/packages/socket.io-client" "$fresh/"
  rmdir "$fresh/packages"
  git --git-dir="$source_path" show HEAD:package.json >"$fresh/root-package.json"
else
  echo "client_suite: $source_path is neither a socket.io checkout nor its git dir" >&2
  exit 2
fi

# Install and compile again only when the sources changed.
stamp=$(cd "$fresh" && find . -type f -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40)
if [[ ! -f $work/stamp || $(cat "$work/stamp") != "$stamp" || ! -d $suite/build/cjs ]]; then
  rm -rf "$suite"
  mv "$fresh/socket.io-client" "$suite"
  mv "$fresh/root-package.json" "$work/root-package.json"
  # What the Node-mode tests import, at the versions the checkout asks for.
  mapfile -t packages < <(node -e '
    const dev = require(process.argv[1]).devDependencies;
    for (const name of ["mocha", "tsx", "typescript", "expect.js", "@types/expect.js",
                        "@types/mocha", "@types/node", "has-cors", "text-blob-builder",
                        "base64-arraybuffer", "@sinonjs/fake-timers"])
      console.log(dev[name] ? `${name}@${dev[name]}` : name);' "$work/root-package.json")
  (cd "$suite" && npm install --no-audit --no-fund --no-save "${packages[@]}")
  (cd "$suite" && npx tsc && npx tsc -p tsconfig.esm.json && bash ./postcompile.sh)
  echo "$stamp" >"$work/stamp"
else
  # The tests as the checkout has them, whatever an earlier run left.
  rm -rf "$suite/test"
  mv "$fresh/socket.io-client/test" "$suite/test"
fi
rm -rf "$fresh"

# The suite's server listens on the fixed port 3210; ours takes a free one.
# The copy of the suite reads the port from SIO_SUITE_PORT: our server's, or
# the port of the relay in the mocha process, which forwards to it. The
# suite's own server (its mocha hooks) is not loaded.
point_suite_at_env() {
  local file
  for file in "$suite/test/support/util.ts" "$suite"/test/fixtures/*.ts; do
    [[ -f $file.orig ]] || cp "$file" "$file.orig"
    # shellcheck disable=SC2016  # a template literal for the suite, not for bash
    sed 's#"http://localhost:3210"#`http://localhost:${process.env.SIO_SUITE_PORT}`#g' \
      "$file.orig" >"$file"
  done
  if ! grep -q SIO_SUITE_PORT "$suite/test/support/util.ts"; then
    echo "client_suite: test/support/util.ts no longer names http://localhost:3210" >&2
    exit 1
  fi
}

name=client_suite
# shellcheck source=tools/suite_runs.sh
source "$root/tools/suite_runs.sh"

for run in $(seq "$runs"); do
  start_server "$work/server-$run.log" --app client-suite --bind 127.0.0.1 --port 0 \
    --ping-interval 2000
  point_suite_at_env
  mocha_args=(--import=tsx --exit --reporter spec)
  if [[ $relay -eq 1 ]]; then
    export SIO_RELAY_TARGET=$port
    mocha_args+=(--require "$root/tools/client_suite/relay.mjs")
  else
    export SIO_SUITE_PORT=$port
  fi

  log="$work/run-$run.log"
  [[ -n $grep_tests ]] && mocha_args+=(--grep "$grep_tests")
  [[ -n $skip_tests ]] && mocha_args+=(--grep "$skip_tests" --invert)
  status=0
  (cd "$suite" && timeout 600 npx mocha "${mocha_args[@]}" test/index.ts) >"$log" 2>&1 || status=$?
  stop_server
  count_run "$run" "$log" "$status"
done
echo "client_suite: $((runs - failed_runs)) of $runs runs passed whole"
[[ $failed_runs -eq 0 ]]
