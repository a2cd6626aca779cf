#!/usr/bin/env bash
# Runs the gRPC API tests with Debian's python3-grpcio and python3-grpc-tools (stubs
# generated at test time) against $SIO_SERVER_BIN (default: ../../../build/bin/sio-server).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PYTHON=/usr/bin/python3
if ! "$PYTHON" -c 'import grpc, grpc_tools, socketio, websocket' 2>/dev/null; then
  echo "integration_python_grpc: $PYTHON lacks grpc/grpc_tools/socketio/websocket" \
       "(apt-get install python3-grpcio python3-grpc-tools python3-socketio python3-websocket)" >&2
  exit 1
fi
# Official socket.io-client sockets run in Node (socket_io_clients.js).
if ! command -v node >/dev/null || [[ ! -d ../node_modules/socket.io-client ]]; then
  echo "integration_python_grpc: needs node and tests/integration/node_modules" \
       "(tools/setup.sh --tests installs them)" >&2
  exit 1
fi
exec "$PYTHON" -B -W ignore::ResourceWarning -m unittest -v test_grpc_client
