#!/usr/bin/env bash
# Installs the Debian packages arayis needs to build, run and test, skipping the ones already present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libmicrohttpd-dev libsqlite3-dev libssl-dev libjansson-dev libhpdf-dev libqrencode-dev
  libcurl4-openssl-dev libunistring-dev libcmocka-dev libdeflate-dev zlib1g-dev libp11-kit-dev libpq-dev
  python3 sqlite3 openssl curl
)
case "${1:-}" in
  --test) packages+=(softhsm2 poppler-utils qpdf zbar-tools chromium mupdf-tools python3-fonttools python3-yaml python3-jsonschema python3-cryptography nginx-light
                    postgresql python3-psycopg2)
          command -v npm >/dev/null || packages+=(nodejs npm) ;;
  --bench) packages+=(wrk time softhsm2 sqlite3 jq postgresql) ;;
  --fuzz) packages+=(clang libclang-rt-14-dev) ;;
esac

# Installs the Debian packages of the list that are not installed yet.
install_missing_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The contract test's OpenAPI validator comes from the npm registry, pinned by tests/contract/package-lock.json.
install_contract_validator() {
  local dir
  dir="$(dirname "$0")/../tests/contract"
  [ -d "$dir/node_modules/@apidevtools/swagger-parser" ] && return 0
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
}

install_missing_packages
[ "${1:-}" = "--test" ] && install_contract_validator
exit 0
