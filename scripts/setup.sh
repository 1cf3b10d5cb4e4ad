#!/usr/bin/env bash
# Installs everything otelhouse needs on Debian 12: compilers and libraries
# from Debian's packages, the embedded ClickHouse engine and the test clients
# from npm. Idempotent; run as root or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl bc
  openssl  # the TLS tests make their certificates with the CLI
  clang libclang-rt-14-dev
  libboost-dev libsimdjson-dev libprotobuf-dev protobuf-compiler zlib1g-dev libzstd-dev
  libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
  libgrpc++-dev protobuf-compiler-grpc libre2-dev libcurl4-openssl-dev liblz4-dev
  chromium  # tests/e2e/browser_session.test.mjs
  clickhouse-server clickhouse-client
  valgrind  # bench/callgrind: instruction counts that a busy machine does not distort
  libmsgpack-dev libmsgpack-cxx-dev  # Fluent Forward and Datadog intake decoding
  libsnappy-dev  # Prometheus remote-write bodies
  python3-fluent-logger prometheus prometheus-node-exporter  # real clients and targets in e2e
)
# Node.js and npm: Debian's, unless the machine already has them (a newer
# Node from elsewhere conflicts with Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The embedded engine: libchdb.so from npm (no header; otelhouse dlopens it).
CHDB_VERSION=26.7.3-stable.1
CHDB_DIR=third_party/chdb
if [ ! -f "$CHDB_DIR/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so" ]; then
  echo "setup: fetching @chdb/lib-linux-x64-gnu@$CHDB_VERSION (about 180 MB)"
  mkdir -p "$CHDB_DIR"
  npm install --prefix "$CHDB_DIR" --no-save --no-audit --no-fund --ignore-scripts \
    "@chdb/lib-linux-x64-gnu@$CHDB_VERSION" >/dev/null
fi

# End-to-end test clients (OpenTelemetry JS SDK, @clickhouse/client, the
# HyperDX browser SDK and playwright-core, which drives the system chromium);
# again when the lock file changed since the last install.
if [ -f tests/e2e/package-lock.json ] && { [ ! -d tests/e2e/node_modules ] ||
  [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; }; then
  npm ci --prefix tests/e2e --no-audit --no-fund >/dev/null
fi
echo "setup: done"
