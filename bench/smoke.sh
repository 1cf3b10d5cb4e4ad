#!/usr/bin/env bash
# bench_smoke (CTest): every microbenchmark once on the tiny corpus, then the
# load generator against a gateway (null sink) for about a second. Asserts
# nothing about time: only that each runs and the load generator saw no
# failed request.
# Usage: smoke.sh MICROBENCH OTELHOUSE LOADGEN
set -euo pipefail
micro=$1 gateway=$2 loadgen=$3
work=$(mktemp -d /tmp/otelhouse-bench-smoke.XXXXXX)
gw_pid=
cleanup() {
  if [[ -n $gw_pid ]]; then kill "$gw_pid" 2>/dev/null || true; wait "$gw_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

TMPDIR=$work "$micro" --benchmark_min_time=0.01 --benchmark_repetitions=1 >"$work/micro.txt" 2>&1 || {
  cat "$work/micro.txt"; echo "bench_smoke: microbenchmarks failed"; exit 1; }
if grep -q "ERROR OCCURRED" "$work/micro.txt"; then
  cat "$work/micro.txt"; echo "bench_smoke: a microbenchmark reported an error"; exit 1
fi
echo "microbenchmarks ran: $(grep -c '^BM_' "$work/micro.txt")"

"$gateway" run --sink null --data-dir "$work/data" --http-listen 127.0.0.1:0 --no-grpc \
  --no-query --batch-timeout 200ms --durability none >"$work/gateway.log" 2>&1 &
gw_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/.*otelhouse ready otlp_http=[^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/gateway.log")
  [[ -n $port ]] && break
  kill -0 "$gw_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $port ]]; then cat "$work/gateway.log"; echo "bench_smoke: gateway did not start"; exit 1; fi

for args in "--format protobuf --compression none" "--format json --compression gzip" \
            "--format protobuf --compression zstd"; do
  # shellcheck disable=SC2086
  "$loadgen" --endpoint "127.0.0.1:$port" --duration 300ms --connections 2 $args --report both \
    | tee "$work/loadgen.txt"
  grep -q "failed_requests=0 " "$work/loadgen.txt" || { echo "bench_smoke: failures"; exit 1; }
done
kill -TERM "$gw_pid"
wait "$gw_pid" || { cat "$work/gateway.log"; echo "bench_smoke: gateway exit status $?"; exit 1; }
gw_pid=
echo "bench_smoke: ok"
