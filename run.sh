#!/usr/bin/env bash
# Installs what is missing, builds, and starts the default app (the chat) at
# http://localhost:3000. Extra arguments go to sio-server (see --help).
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
"$root/tools/setup.sh"
exec "$root/build/bin/sio-server" --app chat "$@"
