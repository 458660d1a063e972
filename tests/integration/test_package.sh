#!/usr/bin/env bash
# The packages a user installs: cpack builds the .deb and .tar.gz from the build tree; the
# .deb's Depends name every shared library mctl links plus the dlopen'ed libcurl4 (in the
# default static build: libc6 only), and the binary extracted from each package runs on its own
# (version, vault view).
source "$(dirname "$0")/lib.sh"
need_cmd cpack dpkg-deb dpkg-shlibdeps readelf ldd man groff
MCTL_BUILD=${MCTL_BUILD:-$(dirname "$MCTL")}
[[ -f $MCTL_BUILD/CPackConfig.cmake ]] || fail_now "no CPackConfig.cmake in $MCTL_BUILD"
VERSION=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$MCTL_BUILD/CPackConfig.cmake")
[[ -n $VERSION ]] || fail_now "no CPACK_PACKAGE_VERSION in $MCTL_BUILD/CPackConfig.cmake"
V="$MCTL_FIXTURES/vault/ansible-vault"

test_case "cpack builds one .deb and one .tar.gz"
run cpack --config "$MCTL_BUILD/CPackConfig.cmake" -G "DEB;TGZ" -B "$TMP/pkg"
expect_rc 0
DEB=$(ls "$TMP"/pkg/mctl_*.deb 2>/dev/null)
TGZ=$(ls "$TMP"/pkg/mctl-*.tar.gz 2>/dev/null)
expect_eq "$(wc -w <<<"$DEB") $(wc -w <<<"$TGZ")" "1 1" "package files: $(ls "$TMP/pkg")"
[[ -f $DEB && -f $TGZ ]] || fail_now "cpack made no package"

test_case "the .deb's control fields"
run dpkg-deb -f "$DEB" Package Version Architecture
expect_eq "$OUT" "Package: mctl
Version: $VERSION
Architecture: $(dpkg --print-architecture)"
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
# "libfoo1 (>= 1.2), libbar2" -> one package name a line
dep_names() { tr ',|' '\n\n' <<<"$DEPENDS" | sed -e 's/(.*//' -e 's/[[:space:]]//g' | grep -v '^$'; }
expect_true grep -qx libcurl4 <(dep_names)

test_case "the .deb installs the binary and the licence notices"
run dpkg-deb -c "$DEB"
for f in ./usr/bin/mctl ./usr/share/doc/mctl/README.md ./usr/share/doc/mctl/LICENSE.valijson \
  ./usr/share/doc/mctl/LICENSE.marathon-schema ./usr/share/man/man1/mctl.1 \
  ./usr/share/bash-completion/completions/mctl ./usr/share/zsh/vendor-completions/_mctl \
  ./usr/share/fish/vendor_completions.d/mctl.fish; do
  expect_contains "$OUT" " $f" "$f in the .deb"
done
dpkg-deb -x "$DEB" "$TMP/root" || fail_now "dpkg-deb -x failed"
BIN="$TMP/root/usr/bin/mctl"
expect_true test -x "$BIN"
run readelf -S "$BIN"
expect_not_contains "$OUT" ".debug_info" "the packaged binary is stripped"

test_case "Depends names the package of every shared library the binary links"
run readelf -d "$BIN"
NEEDED=$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$OUT")
[[ -n $NEEDED ]] || fail_now "readelf found no NEEDED entry in $BIN"
LDD=$(ldd "$BIN")
for lib in $NEEDED; do
  # "libfoo.so.1 => /lib/.../libfoo.so.1 (0x...)", or for the loader "/lib64/ld-linux-x86-64.so.2 (0x...)"
  path=$(awk -v l="$lib" '$1 == l && $3 ~ /^\// {print $3} $1 ~ ("/" l "$") {print $1}' <<<"$LDD" | head -1)
  [[ -n $path ]] || { _report fail "ldd does not resolve $lib"; continue; }
  owner=""
  for p in "$path" "$(realpath "$path")" "${path#/usr}" "/usr${path#/usr}"; do
    owner=$(dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1) && [[ -n $owner ]] && break
  done
  [[ -n $owner ]] || { _report fail "no Debian package owns $path ($lib)"; continue; }
  expect_true grep -qx "$owner" <(dep_names)
done

test_case "the default (static) build needs only the C library and the loader; Depends: libc6, libcurl4"
if grep -qx 'MCTL_STATIC_DEPS:BOOL=ON' "$MCTL_BUILD/CMakeCache.txt"; then
  expect_eq "$(sort <<<"$NEEDED" | tr '\n' ' ')" "ld-linux-x86-64.so.2 libc.so.6 libm.so.6 " "NEEDED of the packaged binary"
  expect_eq "$(ldd "$BIN" | awk '{print $1}' | sed 's|.*/||' | sort | tr '\n' ' ')" \
    "ld-linux-x86-64.so.2 libc.so.6 libm.so.6 linux-vdso.so.1 " "ldd of the packaged binary"
  expect_eq "$(dep_names | sort | tr '\n' ' ')" "libc6 libcurl4 "
else
  echo "note: $MCTL_BUILD has -DMCTL_STATIC_DEPS=OFF; the static-only checks do not apply" >&2
fi

test_case "the extracted .deb binary runs: version, vault view"
run "$BIN" version
expect_rc 0
expect_contains "$OUT" "mctl $VERSION ("
cp "$V/password.txt" "$TMP/pw"
run "$BIN" vault view --vault-password-file "$TMP/pw" "$V/secrets.v11.yml"
expect_rc 0
expect_eq "$OUT" "$(cat "$V/plain-secrets.yml")"
printf 'token: from-the-package\n' >"$TMP/native.yml"
run "$BIN" vault encrypt --format mctl --vault-password-file "$TMP/pw" "$TMP/native.yml"
expect_rc 0
run "$BIN" vault view --vault-password-file "$TMP/pw" "$TMP/native.yml"
expect_rc 0
expect_eq "$OUT" "token: from-the-package"

test_case "the packaged man page renders with man -l, without roff warnings"
PAGE="$TMP/root/usr/share/man/man1/mctl.1"
run env MANWIDTH=80 MAN_KEEP_FORMATTING= man -l "$PAGE"
expect_rc 0
for heading in NAME SYNOPSIS "GLOBAL OPTIONS" COMMANDS "EXIT STATUS" ENVIRONMENT; do
  expect_contains "$OUT" "$heading"
done
expect_contains "$OUT" "mctl images gc registry"
expect_contains "$OUT" "--vault-password-file"
run groff -man -Tutf8 -ww -z "$PAGE"
expect_rc 0
expect_eq "$ERR" "" "groff warnings"

test_case "the packaged completions are the binary's own scripts"
expect_true cmp -s "$TMP/root/usr/share/bash-completion/completions/mctl" <("$BIN" completion bash)
expect_true cmp -s "$TMP/root/usr/share/zsh/vendor-completions/_mctl" <("$BIN" completion zsh)
expect_true cmp -s "$TMP/root/usr/share/fish/vendor_completions.d/mctl.fish" <("$BIN" completion fish)
run bash -c "source '$TMP/root/usr/share/bash-completion/completions/mctl' && complete -p mctl"
expect_eq "$OUT" "complete -F _mctl mctl"

test_case "cmake --install puts the binary, man page and completions under the prefix"
run env DESTDIR="$TMP/inst" cmake --install "$MCTL_BUILD" --prefix /opt/mctl
expect_rc 0
for f in bin/mctl share/man/man1/mctl.1 share/bash-completion/completions/mctl \
  share/zsh/vendor-completions/_mctl share/fish/vendor_completions.d/mctl.fish; do
  expect_true test -s "$TMP/inst/opt/mctl/$f"
done

test_case "the .tar.gz holds the same binary, which runs"
mkdir -p "$TMP/tgz" && tar -xzf "$TGZ" -C "$TMP/tgz" || fail_now "tar -xzf $TGZ failed"
TBIN=$(ls "$TMP"/tgz/*/bin/mctl 2>/dev/null)
expect_true test -x "$TBIN"
expect_true cmp -s "$TBIN" "$BIN"
run "$TBIN" version
expect_rc 0
expect_contains "$OUT" "mctl $VERSION ("

finish
