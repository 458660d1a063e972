#!/usr/bin/env bash
# Issue #12 §5: commands that only read an app resolve its id without opening the vault;
# `mctl deploy a b c` decrypts the vault and reads git once per command; the operating commands
# take --set like deploy for an id that uses a variable.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"
need_cmd git

start_marathon
PROJECT=$TMP/project
example_project "$PROJECT" sh -c '
  for app in alpha beta gamma; do
    sed "s|^id: .*|id: /$app|" apps/flask-hello.yaml >apps/$app.yaml
    cp apps/flask-hello.prod.yaml apps/$app.prod.yaml
  done
  printf "id: /{{ team }}-{{ variant }}\nimage: web\ncpus: 0.1\nmem: 64\n" >apps/variant.yaml'
export MARATHON_PASSWORD=unused-by-the-simulator
M=(-C "$PROJECT" -e prod --marathon "$MARATHON_URL")

# The vault password as a script that counts its runs; git behind a wrapper that counts its runs.
printf '#!/bin/sh\necho run >>%s/vault-runs\ncat %s/.vault-password\n' "$TMP" "$PROJECT" >"$TMP/vault-pass.sh"
chmod +x "$TMP/vault-pass.sh"
mkdir -p "$TMP/bin"
printf '#!/bin/sh\necho "$*" >>%s/git-runs\nexec %s "$@"\n' "$TMP" "$(command -v git)" >"$TMP/bin/git"
chmod +x "$TMP/bin/git"
counted() { rm -f "$TMP/vault-runs" "$TMP/git-runs"; MCTL_VAULT_PASSWORD_FILE=$TMP/vault-pass.sh PATH=$TMP/bin:$PATH mctl "$@"; }
runs() { if [[ -f $TMP/$1 ]]; then wc -l <"$TMP/$1" | tr -d ' '; else echo 0; fi; }

test_case "deploy of one app that uses secrets: the vault password is read once"
counted deploy alpha "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(runs vault-runs)" 1 "password script runs"
git_one=$(runs git-runs)
expect_eq "$git_one" 1 "git runs: status only (the commit and branch are read from .git)"
cat "$TMP/git-runs" >&2

test_case "deploy a b c: the vault is decrypted once and git read once per command, not per app"
counted deploy alpha beta gamma "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(runs vault-runs)" 1 "password script runs for three apps"
expect_eq "$(runs git-runs)" "$git_one" "git runs for three apps (one app: $git_one)"

# From here on no vault password can be found: the project's password file is gone.
rm "$PROJECT/.vault-password"

test_case "read-only commands resolve a secret-using app's id without the vault password"
for cmd in status versions; do
  mctl "$cmd" alpha "${M[@]}" </dev/null
  expect_rc 0 "$cmd alpha -e prod without a vault password"
  [[ $cmd == status ]] && expect_contains "$OUT" "/alpha" "$cmd"
done
mctl deployments "${M[@]}"
expect_rc 0
mctl apps "${M[@]}"
expect_rc 0
expect_contains "$OUT" "/gamma"

test_case "operating commands resolve the id without the vault too (scale, stop)"
mctl scale beta 1 "${M[@]}" --timeout 30s </dev/null
expect_rc 0
expect_eq "$(app_field /beta "a['instances']")" 1
mctl stop beta "${M[@]}" --timeout 30s </dev/null
expect_rc 0
expect_eq "$(app_field /beta "a['instances']")" 0

test_case "the full render still needs the vault (deploy and diff of a secret-using spec)"
mctl diff alpha "${M[@]}" </dev/null
expect_rc 2
expect_contains "$ERR" "password"

test_case "an id that uses a variable: the operating commands take --set like deploy"
mctl deploy variant --set variant=blue "${M[@]}" --timeout 30s
expect_rc 0
for cmd in status versions; do
  mctl "$cmd" variant --set variant=blue "${M[@]}"
  expect_rc 0 "$cmd --set"
  [[ $cmd == status ]] && expect_contains "$OUT" "/web-blue" "$cmd --set"
done
mctl scale variant 2 --set variant=blue "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(app_field /web-blue "a['instances']")" 2
mctl status variant "${M[@]}"
expect_rc 2
expect_contains "$ERR" "variant"

finish
