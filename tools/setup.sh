#!/usr/bin/env bash
# Shared set-up for ./run.sh and ./test.sh: installs the Debian packages that
# are missing, then configures and builds. Idempotent: a second run installs
# nothing and rebuilds nothing.
#
#   tools/setup.sh [--tests]     --tests also builds the fuzz tree
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
with_tests=0
[[ "${1:-}" == "--tests" ]] && with_tests=1

build_packages=(
  g++ cmake ninja-build ccache pkg-config
  libcaf-dev libboost1.74-dev libboost-system1.74-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  nlohmann-json3-dev rapidjson-dev libsimdjson-dev libcli11-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libhiredis-dev prometheus-cpp-dev libtomlplusplus-dev
  nodejs
)
# libtomlplusplus-dev reads the [[backends]] / [[routes]] tables of sio-server's
# config file (the backend proxy).
# nodejs and npm install the browser client that sio-server serves
# (examples/web) and run tests/integration. A NodeSource nodejs bundles npm and
# conflicts with Debian's npm package, so npm is wanted only when it is absent.
command -v npm >/dev/null || build_packages+=(npm)
# chromium runs the browser tests (tests/integration/browser.test.js).
# redis-server and haproxy are the cluster tests' real Redis and load balancer;
# python3-grpcio and python3-grpc-tools the Python gRPC peers; prometheus brings
# promtool, which checks the /metrics text; valgrind counts the instructions
# the metrics cost (tools/bench.sh --instructions).
test_packages=(clang-14 libclang-rt-14-dev python3-socketio python3-websocket python3-requests
               chromium redis-server haproxy python3-grpcio python3-grpc-tools
               prometheus python3-prometheus-client valgrind)

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

wanted=("${build_packages[@]}")
((with_tests)) && wanted+=("${test_packages[@]}")
mapfile -t missing < <(missing_packages "${wanted[@]}")
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

werror="${SIO_WERROR:-OFF}"
jobs=$(nproc)

configure() {  # configure DIR [cmake args...]: only when needed, so reruns stay no-ops
  local dir=$1; shift
  if [[ ! -f "$dir/build.ninja" ]] || ! grep -q "^SIO_WERROR:BOOL=$werror$" "$dir/CMakeCache.txt"; then
    mkdir -p "$dir"
    cmake -S "$root" -B "$dir" -G Ninja -DSIO_WERROR="$werror" "$@" > "$dir/configure.log" 2>&1 \
      || { cat "$dir/configure.log"; exit 1; }
  fi
}

configure "$root/build"
ninja -C "$root/build" -j "$jobs"

if ((with_tests)); then
  CXX=clang++-14 configure "$root/build/fuzz" -DSIO_FUZZ=ON
  ninja -C "$root/build/fuzz" -j "$jobs"
fi

# npm packages from their committed lockfiles, when node_modules is missing or
# older than the lockfile.
npm_install() {
  local dir=$1
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules" ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules"
  fi
}

# The official browser client, which sio-server serves at /socket.io/socket.io.js.
npm_install "$root/examples/web"

# The integration tests' npm packages, from the committed lockfile. Done here,
# before ctest, so that tests running in parallel never install at once.
if ((with_tests)); then
  npm_install "$root/tests/integration"
fi
