#!/usr/bin/env bash
# Installs the Debian packages arayis needs to build, run and test, skipping the ones already present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libmicrohttpd-dev libsqlite3-dev libssl-dev libjansson-dev libhpdf-dev libqrencode-dev
  libcurl4-openssl-dev libunistring-dev libcmocka-dev libdeflate-dev
  python3 sqlite3 openssl curl
)
case "${1:-}" in
  --test) packages+=(poppler-utils qpdf zbar-tools chromium mupdf-tools python3-fonttools nginx-light) ;;
  --bench) packages+=(wrk time) ;;
  --fuzz) packages+=(clang libclang-rt-14-dev) ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
