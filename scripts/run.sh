#!/usr/bin/env bash
# Sets up, builds and runs the gateway with the embedded store in
# ./otelhouse-data: OTLP/HTTP on :4318, SQL on 127.0.0.1:8123.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/otelhouse run "$@"
