#!/usr/bin/env bash
# Runs the python-socketio client tests against the sio-server binary named by
# $SIO_SERVER_BIN (default: ../../../build/bin/sio-server). Uses the system python3,
# which has Debian's python3-socketio (tools/setup.sh installs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PYTHON=/usr/bin/python3
if ! "$PYTHON" -c 'import socketio, websocket, requests' 2>/dev/null; then
  echo "integration_python: $PYTHON lacks socketio/websocket/requests" \
       "(apt-get install python3-socketio python3-websocket python3-requests)" >&2
  exit 1
fi
# -B: no __pycache__ in the source tree. ResourceWarnings come from the client library
# (unclosed requests sessions), not from the server.
exec "$PYTHON" -B -W ignore::ResourceWarning -m unittest -v test_python_client
