#!/usr/bin/env bash
# Installs what is missing, builds, loads the demo billing data, and runs arayis serve in the foreground
# (SQLite in ./data, development keys made in ./keys on first run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
./scripts/build.sh
export ARAYIS_DATA_DIR="${ARAYIS_DATA_DIR:-./data}" ARAYIS_KEYS_DIR="${ARAYIS_KEYS_DIR:-./keys}"
./build/arayis billing import demo/billing.csv
exec ./build/arayis serve "$@"
