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
# Then the same HTTP issue and verify runs on PostgreSQL: a cluster started here (as nobody when run as root), seeded
# with as many certificates, two nodes on it, wrk against both at once; the run's certificate numbers are checked for
# gaps and duplicates, and a table puts both engines' figures side by side. ENGINES picks the engines ("sqlite
# postgresql" by default); PG_STATEMENTS=1 prints the statements the PostgreSQL issue run spent its time on.
# PARTS=issue-lt runs only the two SQLite HTTP issue runs (B-B, then B-LT) on a data directory without seeded
# certificates.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh --bench
./scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=${PORT:-18181}
seed=${SEED:-1000000}
duration=${DURATION:-20}
engines=${ENGINES:-sqlite postgresql}
for engine in $engines; do
  case $engine in
    sqlite | postgresql) ;;
    *) echo "ENGINES: unknown engine $engine (sqlite, postgresql)" >&2; exit 2 ;;
  esac
done
parts=${PARTS:-all}
case "$parts" in all | issue-lt) ;; *) echo "PARTS is all or issue-lt, not '$parts'" >&2; exit 2 ;; esac
every_part() { [ "$parts" = all ]; }
trap 'exit 130' INT TERM  # the EXIT trap stops what the bench started
export ARAYIS_DATA_DIR="$work/data" ARAYIS_KEYS_DIR="$work/keys" ARAYIS_LISTEN="127.0.0.1:$port" ARAYIS_LOG_LEVEL=warn
export ARAYIS_RATE_PUBLIC=0 ARAYIS_RATE_API=0  # one load generator is not an abusive client

# Waits until the service at $1 answers /healthz: up to ten minutes, for a first start after seeding writes the
# seeded certificates' transparency log entries before it listens.
wait_healthy() {
  for _ in $(seq 6000); do curl -sf "$1/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "the service at $1 did not start" >&2
  return 1
}

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
# The SQLite part: render, in-process issue, HTTP issue (token and file key), verify, B-LT.
sqlite_engine() {
  every_part && token_setup

  if every_part; then
  echo "== render + sign, one thread"
  ./build/arayis bench render --count 5000 --key ec
  env "${token_env[@]}" ./build/arayis bench render --count 5000 --key pkcs11
  ARAYIS_KEYS_DIR="$work/rsa-keys" ./build/arayis bench render --count 5000 --key rsa
  echo "== issue in process, one thread"
  ARAYIS_DATA_DIR="$work/scratch" ./build/arayis billing import demo/billing.csv >/dev/null
  ARAYIS_DATA_DIR="$work/scratch" ./build/arayis bench issue --count 2000
  fi

  ./build/arayis billing import demo/billing.csv >/dev/null
  ARAYIS_BENCH_KEY=$(./build/arayis apikey create bench --role portal | tail -n 1)
  export ARAYIS_BENCH_KEY
  if every_part; then
  ./build/arayis bench seed --count "$seed"
  sync  # the seeded rows reach the disk before anything is measured
  # The token-key run comes first, on the same seeded database as the file-key run after it, so that the two issue
  # figures compare like with like.
  echo "== HTTP issue with the signing key in the token: POST /api/v1/applications, 16 connections, ${duration}s"
  env "${token_env[@]}" ./build/arayis serve 2>"$work/serve-token.log" &
  service=$!
  trap 'kill -TERM $service 2>/dev/null || true; rm -rf "$work"' EXIT
  wait_healthy "http://127.0.0.1:$port"
  wrk -t2 -c16 -d"${duration}s" --latency -s bench/issue.lua "http://127.0.0.1:$port"
  kill -TERM "$service"
  wait "$service" || true
  trap 'rm -rf "$work"' EXIT
  fi

  /usr/bin/time -v -o "$work/time.txt" ./build/arayis serve 2>"$work/serve.log" &
  runner=$!
  trap 'pkill -TERM -P $runner 2>/dev/null || true; rm -rf "$work"' EXIT
  wait_healthy "http://127.0.0.1:$port"
  service=$(pgrep -P "$runner")
  rss() { echo "service resident memory: $(awk '/VmRSS/ {print $2, $3}' "/proc/$service/status")"; }
  url="http://127.0.0.1:$port"
  rss
  echo "== HTTP issue: POST /api/v1/applications, 16 connections, ${duration}s"
  wrk -t2 -c16 -d"${duration}s" --latency -s bench/issue.lua "$url" | tee "$work/sqlite-issue.txt"
  rss
  last_pdf_size() { sqlite3 "$ARAYIS_DATA_DIR/arayis.db" "SELECT length(pdf) FROM certificate_documents ORDER BY rowid DESC LIMIT 1"; }
  bb_size=$(last_pdf_size)
  if every_part; then
  echo "== HTTP verify JSON: GET /v/{number}, 64 connections, ${duration}s, $seed certificates stored"
  wrk -t2 -c64 -d"${duration}s" --latency -s bench/verify.lua "$url" -- json "$seed" | tee "$work/sqlite-verify-json.txt"
  rss
  echo "== HTTP verify HTML: GET /v/{number}, 64 connections, ${duration}s"
  wrk -t2 -c64 -d"${duration}s" --latency -s bench/verify.lua "$url" -- html "$seed" | tee "$work/sqlite-verify-html.txt"
  rss
  fi
  kill -TERM "$service"
  wait "$runner" || true
  trap 'rm -rf "$work"' EXIT
  echo "== service peak memory"
  grep "Maximum resident set size" "$work/time.txt"

  # The transparency log: HTTP issue with the log off, then on, on the same database; then inclusion proofs over the
  # whole log once the service has logged every seeded certificate (it backfills them at start) and the checkpoint
  # covers them.
  if every_part; then
  echo "== transparency log: HTTP issue off and on, 16 connections, ${duration}s each; inclusion proofs, 64 connections"
  for log in off on; do
    ARAYIS_TRANSPARENCY_LOG=$log ./build/arayis serve 2>"$work/serve-log-$log.log" &
    log_service=$!
    trap 'kill -TERM $log_service 2>/dev/null || true; rm -rf "$work"' EXIT
    wait_healthy "$url"
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
  fi

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
  trap 'kill $tsa_pid $tsa_ocsp_pid $our_ocsp_pid 2>/dev/null || true; ${lt_runner:-} 2>/dev/null || true; rm -rf "$work"' EXIT
  sleep 0.5
  ARAYIS_TSA_URL="http://127.0.0.1:$tsa_port/" ARAYIS_TSA_CA="$peers/ca.crt" \
    ARAYIS_OCSP_URL="http://127.0.0.1:$our_ocsp_port/" ./build/arayis serve 2>"$work/serve-lt.log" &
  lt_runner=$!
  wait_healthy "$url"
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
}

# wrk's figures from its output file: requests per second, and the 99th percentile latency in milliseconds.
wrk_rate() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_p99_ms() {
  awk '$1 == "99%" { v = $2; m = v + 0; if (v ~ /us$/) m /= 1000; else if (v !~ /ms$/) m *= 1000; printf "%.1f", m }' "$1"
}

# The PostgreSQL cluster of the bench, in the scratch directory: initdb + pg_ctl, as nobody when run as root (the
# server refuses root), durable commits, on the loopback address and a unix socket.
pg_cluster_start() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pg_dir="$work/pg"
  pg_port=$((port + 4))
  mkdir -m 0700 "$pg_dir"
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then
    chmod 0711 "$work"
    chown nobody: "$pg_dir"
    as_pg=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
  fi
  (cd "$pg_dir" && "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U arayis -E UTF8 --locale=C --auth=trust \
    --no-instructions >/dev/null)
  # two nodes hold about 15 connections each (event loops, workers, committer, background senders); checkpoints as a
  # write-heavy deployment spaces them (README, Several nodes), so that none falls inside a measured run
  cat >>"$pg_dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg_dir'
max_connections = 100
shared_buffers = 256MB
fsync = on
synchronous_commit = on
full_page_writes = on
max_wal_size = 4GB
checkpoint_timeout = 15min
CONF
  if [ -n "${PG_STATEMENTS:-}" ]; then
    echo "shared_preload_libraries = 'pg_stat_statements'" >>"$pg_dir/data/postgresql.conf"
  fi
  (cd "$pg_dir" && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start >/dev/null)
  pg_running=1
  "$pg_bin/psql" -X -q -h "$pg_dir" -p "$pg_port" -U arayis -d postgres -c "CREATE DATABASE arayis"
  [ -z "${PG_STATEMENTS:-}" ] || pg_sql "CREATE EXTENSION pg_stat_statements"
  # the nodes run on the database's machine: they reach it through its unix socket, as a local deployment would
  pg_url="postgresql:///arayis?host=$pg_dir&port=$pg_port&user=arayis"
}

pg_sql() { "$pg_bin/psql" -X -q -A -t -h "$pg_dir" -p "$pg_port" -U arayis -d arayis -c "$1"; }

# With PG_STATEMENTS set: the statements of the issue run that took the server's time, most first.
pg_top_statements() {
  echo "-- statements by total time (pg_stat_statements): calls, total ms, mean ms, rows, statement"
  pg_sql "SELECT calls, round(total_exec_time), round(mean_exec_time::numeric, 3), rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
          FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15"
  pg_sql "SELECT pg_stat_statements_reset()" >/dev/null
}

# Stops the nodes, the load generators and the cluster, whichever of them run.
pg_stop_all() {
  local pid
  for pid in ${pg_load:-} ${pg_nodes:-}; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${pg_load:-} ${pg_nodes:-}; do wait "$pid" 2>/dev/null || true; done
  pg_load="" pg_nodes=""
  if [ -n "${pg_running:-}" ]; then
    (cd "$pg_dir" && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null) || true
    pg_running=""
  fi
}

# Runs one wrk per node at the same time (name, connections per node, script, its arguments; the node's name, node1
# or node2, follows them) and prints both outputs and their sum: requests per second added up, the worse p99.
wrk_both_nodes() {
  local name=$1 connections=$2 script=$3 n pids=()
  shift 3
  for n in 1 2; do
    wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$script" "http://127.0.0.1:${node_port[n]}" \
      -- "$@" "node$n" >"$work/$name-$n.txt" &
    pids+=($!)
    pg_load+=" $!"
  done
  wait "${pids[@]}"
  pg_load=""
  for n in 1 2; do echo "-- node $n"; cat "$work/$name-$n.txt"; done
  awk '/^Requests\/sec:/ {s += $2} END {printf "%.2f\n", s}' "$work/$name-1.txt" "$work/$name-2.txt" >"$work/$name.rate"
  printf '%s\n' "$(wrk_p99_ms "$work/$name-1.txt")" "$(wrk_p99_ms "$work/$name-2.txt")" | sort -g | tail -n 1 \
    >"$work/$name.p99"
  local failed
  failed=$(awk '/^  Non-2xx or 3xx responses:/ {bad += $5}
                /^  Socket errors:/ {gsub(",", ""); sock += $4 + $6 + $8 + $10}
                END {printf "%d answers not 2xx, %d socket errors or time-outs (2 s)", bad, sock}' \
             "$work/$name-1.txt" "$work/$name-2.txt")
  echo "both nodes: $(cat "$work/$name.rate") requests/s, worse p99 $(cat "$work/$name.p99") ms; $failed"
}

# The certificate numbers of every year the run issued in must run 1, 2, … up to the year's counter, each once.
# Prints the check and returns 1 when a number is missing or repeated.
pg_check_numbers() {
  local answered
  answered=$(cat "$work"/pg-issue-[12].txt | awk '$1 == "status" && $2 == "201:" {s += $3} END {print s + 0}')
  pg_sql "SELECT c.y, count(*), count(DISTINCT c.seq), min(c.seq), max(c.seq), k.last_seq,
            count(*) FILTER (WHERE NOT c.seed), count(*) FILTER (WHERE c.voided_at IS NOT NULL),
            count(*) FILTER (WHERE c.sha256 = '' AND c.voided_at IS NULL)
          FROM (SELECT substr(number, 5, 4)::bigint AS y, substr(number, 10)::bigint AS seq, voided_at, sha256,
                       application_id LIKE 'SEED%' AS seed FROM certificates) c
          JOIN certificate_counters k ON k.year = c.y
          WHERE c.y IN (SELECT substr(number, 5, 4)::bigint FROM certificates WHERE application_id NOT LIKE 'SEED%')
          GROUP BY c.y, k.last_seq ORDER BY c.y" >"$work/pg-numbers.txt"
  awk -F'|' -v answered="$answered" '
    { ok = $2 == $3 && $4 == 1 && $5 == $2 && $6 == $2
      printf "year %s: numbers 1..%s, %s certificates (%s of this run: %s void, %s pending), counter %s: %s\n",
             $1, $5, $2, $7, $8, $9, $6, ok ? "no gap, no duplicate" : "GAP OR DUPLICATE"
      issued += $7; if (!ok) bad = 1 }
    END { printf "201 answers counted by wrk: %d, certificates of the run: %d\n", answered, issued
          if (NR == 0 || issued < answered) bad = 1
          exit bad }' "$work/pg-numbers.txt"
}

# A database that has been running has statistics for its queues and history as well: a few seconds of issuing
# through one node fill them, and ANALYZE records them, so that no statement is planned for empty tables.
pg_warm_up() {
  env "${env_pg[@]}" ARAYIS_LISTEN="127.0.0.1:$((port + 5))" ./build/arayis serve 2>"$work/pg-warm-up.log" &
  local warm=$!
  wait_healthy "http://127.0.0.1:$((port + 5))"
  wrk -t1 -c8 -d3s -s bench/issue.lua "http://127.0.0.1:$((port + 5))" -- warm-up >/dev/null
  kill -TERM "$warm"
  wait "$warm" || true
  pg_sql "ANALYZE"
}

# The PostgreSQL part: SEED certificates in a cluster of its own, two nodes on it, wrk against both at once.
postgresql_engine() {
  pg_nodes="" pg_load=""
  trap 'pg_stop_all; rm -rf "$work"' EXIT
  pg_cluster_start
  local env_pg=(ARAYIS_DATABASE_URL="$pg_url")
  ./build/arayis keygen >/dev/null  # the SQLite part's keys when it ran (keygen keeps a key it finds)
  env "${env_pg[@]}" ./build/arayis billing import demo/billing.csv >/dev/null
  ARAYIS_BENCH_KEY=$(env "${env_pg[@]}" ./build/arayis apikey create bench --role portal | tail -n 1)
  export ARAYIS_BENCH_KEY
  env "${env_pg[@]}" ./build/arayis bench seed --count "$seed"
  pg_sql "VACUUM ANALYZE"
  pg_warm_up
  # as the SQLite part's sync: the seeded rows and their log entries (written by the warm-up node as it starts) are
  # on disk, their statistics known and their visibility map set, before anything is measured
  pg_sql "CHECKPOINT"
  [ -z "${PG_STATEMENTS:-}" ] || pg_sql "SELECT pg_stat_statements_reset()" >/dev/null
  node_port=([1]=$((port + 5)) [2]=$((port + 6)))
  local n
  for n in 1 2; do
    env "${env_pg[@]}" ARAYIS_LISTEN="127.0.0.1:${node_port[n]}" ./build/arayis serve 2>"$work/pg-node-$n.log" &
    pg_nodes+=" $!"
  done
  for n in 1 2; do
    wait_healthy "http://127.0.0.1:${node_port[n]}"
  done
  echo "== PostgreSQL HTTP issue: POST /api/v1/applications, two nodes, 8 connections each, ${duration}s"
  wrk_both_nodes pg-issue 8 bench/issue.lua
  sleep 1  # requests the load generators gave up at the end finish
  [ -z "${PG_STATEMENTS:-}" ] || pg_top_statements
  pg_numbers_ok=1
  pg_check_numbers || pg_numbers_ok=0
  echo "PostgreSQL connections: $(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'arayis'")"
  echo "== PostgreSQL HTTP verify JSON: GET /v/{number}, two nodes, 32 connections each, ${duration}s, $seed certificates stored"
  wrk_both_nodes pg-verify-json 32 bench/verify.lua json "$seed"
  echo "== PostgreSQL HTTP verify HTML: GET /v/{number}, two nodes, 32 connections each, ${duration}s"
  wrk_both_nodes pg-verify-html 32 bench/verify.lua html "$seed"
  pg_stop_all
  trap 'rm -rf "$work"' EXIT
}

# One line per engine that ran: issue rate and p99, verify rates.
summary() {
  echo "== summary: both engines in this run, on this machine"
  printf '%-11s %9s %10s %14s %14s\n' engine issue/s "issue p99" "verify JSON/s" "verify HTML/s"
  if [ -f "$work/sqlite-issue.txt" ]; then
    printf '%-11s %9s %7s ms %14s %14s\n' sqlite "$(wrk_rate "$work/sqlite-issue.txt")" \
      "$(wrk_p99_ms "$work/sqlite-issue.txt")" "$(wrk_rate "$work/sqlite-verify-json.txt")" \
      "$(wrk_rate "$work/sqlite-verify-html.txt")"
  fi
  if [ -f "$work/pg-issue.rate" ]; then
    printf '%-11s %9s %7s ms %14s %14s\n' postgresql "$(cat "$work/pg-issue.rate")" "$(cat "$work/pg-issue.p99")" \
      "$(cat "$work/pg-verify-json.rate")" "$(cat "$work/pg-verify-html.rate")"
  fi
}

every_part || engines=sqlite  # the B-B / B-LT ratio is SQLite's
for engine in $engines; do
  "${engine}_engine"
done
every_part && summary
if [ "${pg_numbers_ok:-1}" = 0 ]; then
  echo "PostgreSQL: the run's certificate numbers have a gap or a duplicate" >&2
  exit 1
fi
