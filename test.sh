#!/usr/bin/env bash
# Installs what is missing, builds everything (server, tests, fuzz targets),
# and runs every test: unit tests, fuzz smoke runs, integration tests.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
"$root/tools/setup.sh" --tests
cd "$root/build"
ctest --output-on-failure -j "$(nproc)" "$@"
