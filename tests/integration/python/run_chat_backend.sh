#!/usr/bin/env bash
# Runs the Python chat backend (examples/chat_backend) behind sio-server --app proxy
# with Debian's python3-socketio clients, against $SIO_SERVER_BIN
# (default: ../../../build/bin/sio-server).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PYTHON=/usr/bin/python3
if ! "$PYTHON" -c 'import grpc, grpc_tools, socketio, websocket' 2>/dev/null; then
  echo "integration_python_chat_backend: $PYTHON lacks grpc/grpc_tools/socketio/websocket" \
       "(apt-get install python3-grpcio python3-grpc-tools python3-socketio python3-websocket)" >&2
  exit 1
fi
exec "$PYTHON" -B -W ignore::ResourceWarning -m unittest -v test_chat_backend
