#!/usr/bin/env bash
# Runs the chat backends of examples/chat_backend (Python, then Node) behind
# sio-server --app proxy with Debian's python3-socketio clients, against $SIO_SERVER_BIN
# (default: ../../../build/bin/sio-server).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PYTHON=/usr/bin/python3
if ! "$PYTHON" -c 'import grpc, grpc_tools, socketio, websocket' 2>/dev/null; then
  echo "integration_python_chat_backend: $PYTHON lacks grpc/grpc_tools/socketio/websocket" \
       "(apt-get install python3-grpcio python3-grpc-tools python3-socketio python3-websocket)" >&2
  exit 1
fi
if [[ ! -d ../node_modules ]]; then
  (cd .. && npm ci --no-audit --no-fund)
fi
"$PYTHON" -B -W ignore::ResourceWarning -m unittest -v test_chat_backend
CHAT_BACKEND=node "$PYTHON" -B -W ignore::ResourceWarning -m unittest -v test_chat_backend
