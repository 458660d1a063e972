#!/usr/bin/env bash
# mctl version: the git describe and build type of the binary, and the version of every library
# in it, each compared with what the system says (pkg-config, git); --json has the same.
source "$(dirname "$0")/lib.sh"
need_cmd pkg-config python3
json() { python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$OUT"; }

test_case "the first line is --version's: version, git describe, build type"
mctl --version
expect_rc 0
version_line=$OUT
mctl version
expect_rc 0
expect_eq "$(head -1 <<<"$OUT")" "$version_line"
expect_true grep -Eq '^mctl [0-9]+\.[0-9]+\.[0-9]+ \([^,]+, (Debug|Release|RelWithDebInfo|MinSizeRel|[A-Za-z]+)\)$' <<<"$version_line"
if git -C "$MCTL_SOURCE" rev-parse HEAD >/dev/null 2>&1; then
  # git describe --always ends in the abbreviated commit (then -dirty for a modified tree).
  expect_contains "$version_line" "$(git -C "$MCTL_SOURCE" rev-parse --short=12 HEAD)" "the commit built"
fi

test_case "each library line gives the version the system's package has"
text=$OUT
line_of() { grep -E "^  $1 " <<<"$text" | head -1; }
expect_contains "$(line_of yaml-cpp)" " $(pkg-config --modversion yaml-cpp) ("
expect_contains "$(line_of libsodium)" " $(pkg-config --modversion libsodium) ("
expect_contains "$(line_of c-ares)" " $(pkg-config --modversion libcares) ("
expect_contains "$(line_of OpenSSL)" " $(pkg-config --modversion libcrypto) ("
expect_contains "$(line_of fmt)" " $(pkg-config --modversion fmt) ("
# fmt is linked the way the other libraries are (its implementation compiled in, or libfmt.so).
linkage() { sed -n 's/^.*(\(.*\))$/\1/p' <<<"$(line_of "$1")"; }
expect_eq "$(linkage fmt)" "$(linkage yaml-cpp)"
expect_contains "$(line_of libcurl)" " $(pkg-config --modversion libcurl) (dlopen, loaded on first HTTP use"
for lib in nlohmann_json CLI11; do
  expect_true grep -Eq "^  $lib +[0-9]+\.[0-9]+\.[0-9]+ \(header-only\)$" <<<"$text"
done

test_case "--json: the same facts; libcurl is not loaded unless -v"
mctl version --json
expect_rc 0
expect_eq "$(json 'j["version"] + " " + j["git"] + " " + j["build_type"]')" \
  "$(sed 's/^mctl \([^ ]*\) (\([^,]*\), \(.*\))$/\1 \2 \3/' <<<"$version_line")"
expect_eq "$(json 'j["libraries"]["libsodium"]["version"]')" "$(pkg-config --modversion libsodium)"
expect_eq "$(json 'sorted(j["libraries"])')" "['CLI11', 'OpenSSL', 'c-ares', 'fmt', 'libcurl', 'libsodium', 'nlohmann_json', 'yaml-cpp']"
expect_eq "$(json 'j["libraries"]["libcurl"]["loaded"]')" "False"

test_case "-v version loads libcurl and reports the library that was loaded"
mctl -v version --json
expect_rc 0
expect_eq "$(json 'j["libraries"]["libcurl"]["loaded"]')" "True"
expect_eq "$(json 'j["libraries"]["libcurl"]["version"]')" "$(pkg-config --modversion libcurl)"
mctl -v version
expect_rc 0
expect_contains "$OUT" "libcurl"
expect_not_contains "$OUT" "loaded on first HTTP use"

finish
