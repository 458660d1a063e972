#!/usr/bin/env bash
# Installs the Debian 12 packages mctl needs, by set, without recommended packages.
# Safe to run again: installs only what is missing.
#   --build  (default) build mctl and run examples/demo.sh
#   --test   --build plus the real components the test suites run, and cpack's tools
#   --bench  --build plus the benchmark and fuzzer tools
#   --print  list the chosen packages instead of installing them
# Sets combine: install-deps.sh --test --bench.
set -euo pipefail

build=(
  cmake make g++ pkg-config
  libcli11-dev libyaml-cpp-dev libfmt-dev nlohmann-json3-dev libcurl4-openssl-dev libsodium-dev
  libssl-dev libc-ares-dev doctest-dev
  # run time: libcurl is dlopen'ed; TLS needs the CA bundle. examples/demo.sh: python3, curl.
  libcurl4 ca-certificates python3 curl
)
test=(
  docker.io docker-registry dnsmasq-base ansible-core bind9-dnsutils
  git # the suites make repositories; mctl itself reads the commit from .git without it
  busybox-static # the runnable image of tests/integration/test_up.sh (httpd, sh)
  dpkg-dev # dpkg-shlibdeps, for cpack's .deb (tests/integration/test_package.sh)
  zsh fish # the completion suites run the generated scripts in each shell
  man-db # test_package.sh renders the packaged man page with man -l (groff-base comes with it)
  clang-tidy # scripts/tidy.sh, the static analysis step of .ci/run (clang-tidy 14 on Debian 12)
)
bench=(hyperfine time clang docker-compose) # docker-compose: bench/up.sh compares with it

usage() { sed -n '2,8s/^# \{0,1\}//p' "$0"; }

packages=() print=false sets=0
for arg in "$@"; do
  case $arg in
    --build) packages+=("${build[@]}") sets=$((sets + 1)) ;;
    --test) packages+=("${build[@]}" "${test[@]}") sets=$((sets + 1)) ;;
    --bench) packages+=("${build[@]}" "${bench[@]}") sets=$((sets + 1)) ;;
    --print) print=true ;;
    -h | --help) usage && exit 0 ;;
    *) echo "install-deps.sh: error: unknown option $arg" >&2 && usage >&2 && exit 2 ;;
  esac
done
((sets)) || packages=("${build[@]}")
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++')

if $print; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
SUDO=""
[[ $(id -u) == 0 ]] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
