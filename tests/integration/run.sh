#!/usr/bin/env bash
# Runs the Engine.IO integration tests (Node's built-in test runner) against the
# sio-server binary named by $SIO_SERVER_BIN (default: ../../build/bin/sio-server).
# Installs the locked npm dependencies first when node_modules is missing or older
# than package-lock.json. Arguments ending in .test.js select test files (default:
# all); other arguments go to `node --test`, e.g.
#   tests/integration/run.sh --test-name-pattern=CORS engine_io.test.js
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "integration: '$tool' is required (tools/setup.sh --tests installs it)" >&2
    exit 1
  fi
done

if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund
  touch node_modules
fi

# --test-concurrency exists from Node 20.10; older runners take the flag as an error.
args=(--test)
node_version=$(node -p 'process.versions.node')
IFS=. read -r major minor _ <<<"$node_version"
if ((major > 20 || (major == 20 && minor >= 10))); then
  args+=(--test-concurrency=1)
fi

# Arguments naming a *.test.js file select the files to run (default: all of them).
opts=()
files=()
for arg in "$@"; do
  if [[ "$arg" == *.test.js ]]; then files+=("./${arg#./}"); else opts+=("$arg"); fi
done
((${#files[@]})) || files=(./*.test.js)

status=0
node "${args[@]}" "${opts[@]}" "${files[@]}" || status=$?
exit "$status"
