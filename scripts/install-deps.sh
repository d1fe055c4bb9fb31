#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages NEDB needs to build, test and benchmark.
# Idempotent: installs only what is missing. Non-interactive (CI has no stdin).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  nlohmann-json3-dev libssl-dev libabsl-dev libsodium-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev sqlite3
  clang libclang-rt-14-dev
  jq curl coreutils
  libboost-dev libcli11-dev
  redis-server redis-tools libhiredis-dev
  nginx wrk hyperfine
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Servers (redis-server, nginx) are installed only to be started by tests and
# benchmarks on ephemeral ports: keep apt from starting their system services.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  trap '$SUDO rm -f "$POLICY"' EXIT
fi
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
