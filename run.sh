#!/usr/bin/env bash
# Installs what is missing, builds, and starts the default app (the chat) at
# http://localhost:3000. Extra arguments go to sio-server (see --help), e.g.
# `./run.sh --app demo` or `./run.sh --port 8080`.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
"$root/tools/setup.sh"
exec "$root/build/bin/sio-server" "$@"
