#!/usr/bin/env bash
# Installs the Debian 12 packages that build mctl and run its tests. Safe to run again.
set -euo pipefail
SUDO=""
[[ $(id -u) == 0 ]] || SUDO=sudo
packages=(
  # build
  cmake g++ make pkg-config git ca-certificates
  # libraries
  libcli11-dev libyaml-cpp-dev libfmt-dev nlohmann-json3-dev libcurl4-openssl-dev libsodium-dev
  libssl-dev libc-ares-dev libarchive-dev libvalijson-dev doctest-dev
  # real components the integration tests run
  python3 curl docker.io docker-registry dnsmasq-base ansible-core bind9-dnsutils
  # benchmarks and fuzzers
  hyperfine time clang
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q "${missing[@]}"
fi
