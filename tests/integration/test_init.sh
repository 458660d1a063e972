#!/usr/bin/env bash
# mctl init as a team starts with it: the project renders, never overwrites a file, and with
# real git a vault file is committed encrypted and diffed as plaintext through the
# .gitattributes + textconv it sets up.
source "$(dirname "$0")/lib.sh"
need_cmd git
unset MCTL_ENV MCTL_APPS_DIR MCTL_VAULT_FILE MCTL_VAULT_PASSWORD_FILE ANSIBLE_VAULT_PASSWORD_FILE MCTL_OUTPUT
mkdir -p "$TMP/bin"
ln -s "$MCTL" "$TMP/bin/mctl"  # git runs the textconv command by name, as in a user's setup
export PATH="$TMP/bin:$PATH"
git_() { git -c user.email=t@example.com -c user.name=t "$@"; }

test_case "init writes a commented mctl.yaml, one app spec, .gitignore and .gitattributes"
mctl init "$TMP/shop" --app cart
expect_rc 0
for f in mctl.yaml apps/cart.yaml .gitignore .gitattributes; do expect_true test -s "$TMP/shop/$f"; done
expect_contains "$OUT" 'git config diff.mctl-vault.textconv "mctl vault view"'
expect_contains "$(cat "$TMP/shop/mctl.yaml")" "# "
expect_eq "$(stat -c %a "$TMP/shop/mctl.yaml")" "644"

test_case "the project renders for each environment"
cd "$TMP/shop" || exit 1
git_ init -q -b main && git_ add -A && git_ commit -q -m init
mctl render cart -e staging
expect_rc 0
expect_contains "$OUT" '"id": "/staging/cart"'
expect_eq "$ERR" "" "no warning"
mctl render cart -e prod
expect_rc 0
expect_contains "$OUT" '"instances": 2'
mctl lint
expect_rc 0

test_case "init never overwrites: an existing file is exit 2, named, and nothing changes"
before=$(cat mctl.yaml apps/cart.yaml .gitignore .gitattributes | sha256sum)
mctl init . --app cart
expect_rc 2
expect_contains "$ERR" "mctl: error: init: ./mctl.yaml already exists"
expect_eq "$(cat mctl.yaml apps/cart.yaml .gitignore .gitattributes | sha256sum)" "$before"
mkdir -p "$TMP/two/apps" && echo "x: 1" >"$TMP/two/apps/web.yaml"
mctl init "$TMP/two" --app web
expect_rc 2
expect_contains "$ERR" "apps/web.yaml already exists"
expect_true test ! -e "$TMP/two/mctl.yaml"  # checked before anything was written
mctl init "$TMP/bad" --app Bad_Name
expect_rc 2
expect_contains "$ERR" "'Bad_Name' is not a Marathon id segment"

test_case "an existing .gitignore keeps its lines and gets only the missing ones"
mkdir -p "$TMP/old" && printf 'node_modules/\n.*.mctl-tmp.*\n' >"$TMP/old/.gitignore"
chmod 640 "$TMP/old/.gitignore"
mctl init "$TMP/old"
expect_rc 0
expect_contains "$OUT" "appended"
expect_eq "$(head -1 "$TMP/old/.gitignore")" "node_modules/"
expect_eq "$(grep -c -x '.\*.mctl-tmp.\*' "$TMP/old/.gitignore")" "1" "a line already there is not added twice"
expect_eq "$(stat -c %a "$TMP/old/.gitignore")" "640"
expect_true test -f "$TMP/old/apps/old.yaml"  # the app is named after the directory

test_case ".gitignore covers mctl's temporary files and decrypted copies"
run git check-ignore secrets/.prod.vault.yaml.mctl-tmp.123.AbC123 secrets/prod.decrypted.yaml
expect_rc 0
expect_eq "$(wc -l <<<"$OUT")" "2"

test_case "a committed vault file is diffed as plaintext through mctl vault view"
printf 'pass-%s\n' "$RANDOM" >"$TMP/vault.pass"
export MCTL_VAULT_PASSWORD_FILE="$TMP/vault.pass"
mkdir -p secrets && printf 'db_password: old-secret\nuser: app\n' >secrets/staging.vault.yaml
mctl vault encrypt secrets/staging.vault.yaml
expect_rc 0
git config diff.mctl-vault.textconv "mctl vault view"
git_ add -A && git_ commit -q -m "vault"
printf '#!/bin/sh\nsed -i "s/old-secret/new-secret/" "$1"\n' >"$TMP/editor" && chmod +x "$TMP/editor"
EDITOR="$TMP/editor" mctl vault edit secrets/staging.vault.yaml
expect_rc 0
expect_not_contains "$(cat secrets/staging.vault.yaml)" "secret" "the file on disk is ciphertext"
run git diff
expect_rc 0
expect_contains "$OUT" "-db_password: old-secret"
expect_contains "$OUT" "+db_password: new-secret"
expect_contains "$OUT" " user: app"
run git diff --no-textconv
expect_not_contains "$OUT" "old-secret" "without textconv git sees ciphertext"
expect_contains "$OUT" "MCTL_VAULT"

finish
