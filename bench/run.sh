#!/usr/bin/env bash
# Every figure of the performance table: render + sign (EC and RSA keys, one thread), the whole pipeline in process,
# then wrk against a service started here with a fresh data directory: issuing (16 connections, durable commits)
# and verification (64 connections, JSON and HTML) over SEED certificates (default 1 000 000), with the service's
# resident memory after each run and its peak (GNU time); render and HTTP issue also with the key in a SoftHSM2
# token made here (a service run of its own, just before the file-key one). DURATION (seconds per wrk run) defaults
# to 20. Then issuing again with signature timestamps and validation data (PAdES B-LT) from local peers: a TSA built
# from bench/tsa.c (OpenSSL's TS responder behind a small HTTP server) and two `openssl ocsp` responders whose
# answers the service keeps until their nextUpdate (an hour), with the PDF sizes of both levels. Between the two, the
# transparency log: issuing with it off and on, and inclusion proofs over the seeded log (bench/log_proof.lua).
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

# A SoftHSM2 token of its own with an EC key made by arayis, certified by a development CA of its keys directory.
token_setup() {
  mkdir -p "$work/hsm/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/hsm/tokens" >"$work/hsm/softhsm2.conf"
  export SOFTHSM2_CONF="$work/hsm/softhsm2.conf"
  softhsm2-util --init-token --free --label arayis-bench --so-pin 87654321 --pin 4711 >/dev/null
  local module
  module=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -n 1)
  token_env=(ARAYIS_KEYS_DIR="$work/token-keys" ARAYIS_PKCS11_MODULE="$module" ARAYIS_PKCS11_PIN=4711
             ARAYIS_SIGNING_KEY="pkcs11:token=arayis-bench;object=signing;type=private")
  env "${token_env[@]}" ./build/arayis keygen >/dev/null
  rm "$work/token-keys/signing.key"  # the development CA stays; the signing key lives in the token
  env "${token_env[@]}" ./build/arayis keygen --pkcs11 "pkcs11:token=arayis-bench;object=signing;type=private" >/dev/null
  env "${token_env[@]}" ./build/arayis csr --out "$work/token.csr" >/dev/null
  env "${token_env[@]}" ./build/arayis keygen --sign-csr "$work/token.csr" --out "$work/token.crt" >/dev/null
  env "${token_env[@]}" ./build/arayis keys install-cert "$work/token.crt" >/dev/null
}
token_setup

echo "== render + sign, one thread"
./build/arayis bench render --count 5000 --key ec
env "${token_env[@]}" ./build/arayis bench render --count 5000 --key pkcs11
ARAYIS_KEYS_DIR="$work/rsa-keys" ./build/arayis bench render --count 5000 --key rsa
echo "== issue in process, one thread"
ARAYIS_DATA_DIR="$work/scratch" ./build/arayis billing import demo/billing.csv >/dev/null
ARAYIS_DATA_DIR="$work/scratch" ./build/arayis bench issue --count 2000

./build/arayis billing import demo/billing.csv >/dev/null
ARAYIS_BENCH_KEY=$(./build/arayis apikey create bench --role portal | tail -n 1)
export ARAYIS_BENCH_KEY
./build/arayis bench seed --count "$seed"
sync  # the seeded rows reach the disk before anything is measured
# The token-key run comes first, on the same seeded database as the file-key run after it, so that the two issue
# figures compare like with like.
echo "== HTTP issue with the signing key in the token: POST /api/v1/applications, 16 connections, ${duration}s"
env "${token_env[@]}" ./build/arayis serve 2>"$work/serve-token.log" &
service=$!
trap 'kill -TERM $service 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
wrk -t2 -c16 -d"${duration}s" --latency -s bench/issue.lua "http://127.0.0.1:$port"
kill -TERM "$service"
wait "$service" || true
trap 'rm -rf "$work"' EXIT

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
last_pdf_size() { sqlite3 "$ARAYIS_DATA_DIR/arayis.db" "SELECT length(pdf) FROM certificate_documents ORDER BY rowid DESC LIMIT 1"; }
bb_size=$(last_pdf_size)
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

# The transparency log: HTTP issue with the log off, then on, on the same database; then inclusion proofs over the
# whole log once the service has logged every seeded certificate (it backfills them at start) and the checkpoint
# covers them.
echo "== transparency log: HTTP issue off and on, 16 connections, ${duration}s each; inclusion proofs, 64 connections"
for log in off on; do
  ARAYIS_TRANSPARENCY_LOG=$log ./build/arayis serve 2>"$work/serve-log-$log.log" &
  log_service=$!
  trap 'kill -TERM $log_service 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
  if [ "$log" = on ]; then
    for _ in $(seq 600); do  # up to 10 minutes for the backfill of SEED entries
      [ "$(curl -sf "$url/api/v1/log/checkpoint" | sed -n 2p)" -ge "$seed" ] 2>/dev/null && break
      sleep 1
    done
  fi
  echo "-- ARAYIS_TRANSPARENCY_LOG=$log: POST /api/v1/applications"
  wrk -t2 -c16 -d"${duration}s" --latency -s bench/issue.lua "$url"
  if [ "$log" = on ]; then
    log_size=$(curl -sf "$url/api/v1/log/checkpoint" | sed -n 2p)
    echo "-- GET /api/v1/log/proof/inclusion?index=random&tree_size=$log_size"
    wrk -t2 -c64 -d"${duration}s" --latency -s bench/log_proof.lua "$url" -- "$log_size"
  fi
  kill -TERM "$log_service"
  wait "$log_service" || true
  trap 'rm -rf "$work"' EXIT
done

echo "== HTTP issue with a TSA and OCSP answers (PAdES B-LT), 16 connections, ${duration}s"
tsa_port=$((port + 1)) tsa_ocsp_port=$((port + 2)) our_ocsp_port=$((port + 3))
peers="$work/peers"
mkdir -p "$peers"
cc -O2 -Wall -o "$peers/tsa" bench/tsa.c -lcrypto -lpthread
(
  cd "$peers"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 30 \
    -subj "/CN=Bench TSA Root" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:%s/\n' "$tsa_ocsp_port" >tsa.ext
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key -out tsa.csr -subj "/CN=Bench TSA" 2>/dev/null
  openssl x509 -req -in tsa.csr -CA ca.crt -CAkey ca.key -set_serial 2 -days 30 -extfile tsa.ext -out tsa.crt 2>/dev/null
  index_line() { printf 'V\t%s\t\t%s\tunknown\t/CN=x\n' "$(date -u -d '+1 year' +%y%m%d%H%M%SZ)" "$(openssl x509 -in "$1" -noout -serial | cut -d= -f2)"; }
  index_line tsa.crt >tsa-index.txt
  index_line "$ARAYIS_KEYS_DIR/signing.crt" >our-index.txt
)
"$peers/tsa" "$tsa_port" "$peers/tsa.key" "$peers/tsa.crt" "$peers/ca.crt" &
tsa_pid=$!
openssl ocsp -index "$peers/tsa-index.txt" -port "$tsa_ocsp_port" -rsigner "$peers/ca.crt" -rkey "$peers/ca.key" \
  -CA "$peers/ca.crt" -nmin 60 -ignore_err >/dev/null 2>&1 &
tsa_ocsp_pid=$!
openssl ocsp -index "$peers/our-index.txt" -port "$our_ocsp_port" -rsigner "$ARAYIS_KEYS_DIR/ca.crt" \
  -rkey "$ARAYIS_KEYS_DIR/ca.key" -CA "$ARAYIS_KEYS_DIR/ca.crt" -nmin 60 -ignore_err >/dev/null 2>&1 &
our_ocsp_pid=$!
trap 'kill $tsa_pid $tsa_ocsp_pid $our_ocsp_pid 2>/dev/null || true; pkill -TERM -P $lt_runner 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 0.5
ARAYIS_TSA_URL="http://127.0.0.1:$tsa_port/" ARAYIS_TSA_CA="$peers/ca.crt" \
  ARAYIS_OCSP_URL="http://127.0.0.1:$our_ocsp_port/" ./build/arayis serve 2>"$work/serve-lt.log" &
lt_runner=$!
for _ in $(seq 100); do
  [ "$(curl -sf "$url/api/v1/keys" | jq -r .revocation.fresh_until 2>/dev/null)" != null ] && break
  sleep 0.1
done
curl -sf "$url/api/v1/keys" | jq -c '.revocation.ocsp[] | {chain, status, next_update}'
wrk -t2 -c16 -d"${duration}s" --latency -s bench/issue.lua "$url"
lt_size=$(last_pdf_size)
kill -TERM "$lt_runner"
wait "$lt_runner" || true
kill $tsa_pid $tsa_ocsp_pid $our_ocsp_pid 2>/dev/null || true
trap 'rm -rf "$work"' EXIT
echo "PDF size: B-B $bb_size bytes, B-LT $lt_size bytes"
