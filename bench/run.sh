#!/usr/bin/env bash
# Every figure of the performance table: render + sign (EC and RSA keys, one thread), the whole pipeline in process,
# then wrk against a service started here with a fresh data directory: issuing (16 connections, durable commits)
# and verification (64 connections, JSON and HTML) over SEED certificates (default 1 000 000), with the service's
# resident memory after each run and its peak (GNU time). DURATION (seconds per wrk run) defaults to 20.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh --bench
./scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=${PORT:-18181}
seed=${SEED:-1000000}
duration=${DURATION:-20}
export ARAYIS_DATA_DIR="$work/data" ARAYIS_KEYS_DIR="$work/keys" ARAYIS_LISTEN="127.0.0.1:$port" ARAYIS_LOG_LEVEL=warn
export ARAYIS_RATE_PUBLIC=0 ARAYIS_RATE_API=0  # one load generator is not an abusive client

echo "== render + sign, one thread"
./build/arayis bench render --count 5000 --key ec
ARAYIS_KEYS_DIR="$work/rsa-keys" ./build/arayis bench render --count 5000 --key rsa
echo "== issue in process, one thread"
ARAYIS_DATA_DIR="$work/scratch" ./build/arayis billing import demo/billing.csv >/dev/null
ARAYIS_DATA_DIR="$work/scratch" ./build/arayis bench issue --count 2000

./build/arayis billing import demo/billing.csv >/dev/null
ARAYIS_BENCH_KEY=$(./build/arayis apikey create bench --role portal | tail -n 1)
export ARAYIS_BENCH_KEY
./build/arayis bench seed --count "$seed"
sync  # the seeded rows reach the disk before anything is measured
/usr/bin/time -v -o "$work/time.txt" ./build/arayis serve 2>"$work/serve.log" &
runner=$!
trap 'pkill -TERM -P $runner 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
service=$(pgrep -P "$runner")
rss() { echo "service resident memory: $(awk '/VmRSS/ {print $2, $3}' "/proc/$service/status")"; }
url="http://127.0.0.1:$port"
rss
echo "== HTTP issue: POST /api/v1/applications, 16 connections, ${duration}s"
wrk -t2 -c16 -d"${duration}s" --latency -s bench/issue.lua "$url"
rss
echo "== HTTP verify JSON: GET /v/{number}, 64 connections, ${duration}s, $seed certificates stored"
wrk -t2 -c64 -d"${duration}s" --latency -s bench/verify.lua "$url" -- json "$seed"
rss
echo "== HTTP verify HTML: GET /v/{number}, 64 connections, ${duration}s"
wrk -t2 -c64 -d"${duration}s" --latency -s bench/verify.lua "$url" -- html "$seed"
rss
kill -TERM "$service"
wait "$runner" || true
trap 'rm -rf "$work"' EXIT
echo "== service peak memory"
grep "Maximum resident set size" "$work/time.txt"
