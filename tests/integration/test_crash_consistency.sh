#!/usr/bin/env bash
# SIGKILL at random moments (100 runs per command, anywhere in a run) during vault encrypt,
# edit, rekey, render -o and render --all -o DIR. After every kill each target is its old or
# its new version, never partial or missing; temp files a kill leaves beside a target are
# removed by the next run that writes it; the edit plaintext exists only in a 0600 file in a
# 0700 directory on tmpfs, removed by the next edit.
source "$(dirname "$0")/lib.sh"
need_cmd git python3
unset MCTL_VAULT_PASSWORD_FILE ANSIBLE_VAULT_PASSWORD_FILE MCTL_VAULT_IDS MCTL_VAULT_FORMAT VISUAL
[[ -d /dev/shm && $(stat -f -c %T /dev/shm) == tmpfs ]] || skip "no tmpfs at /dev/shm"
SHM=$(mktemp -d /dev/shm/mctl-crash.XXXXXX) || skip "cannot create a directory in /dev/shm"
trap '_cleanup; rm -rf "$SHM"' EXIT
export XDG_RUNTIME_DIR=$SHM
cd "$TMP" || exit 1
RUNS=100
printf 'right-password\n' >pw
printf 'new-password\n' >pw2
sha() { sha256sum "$1" | cut -d' ' -f1; }
temps_beside() { find "$(dirname "$1")" -maxdepth 1 -name ".$(basename "$1").*" | wc -l; }  # any temp name

# crash CMD...: runs CMD in the background and SIGKILLs it after a random 0..SPAN_MS ms.
# Sets KILLED=1 when the kill hit the running process (exit status 137).
crash() {
  "$@" >/dev/null 2>&1 &
  local pid=$! ms=$((RANDOM % SPAN_MS))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  [[ $? == 137 ]] && KILLED=1 || KILLED=0
}

# loop NAME SETUP CMD VERIFY: SETUP, crash CMD, VERIFY (prints "old", "new" or a failure),
# RUNS times. The kill delay spans 1.5 times one complete run (measured first, so the kills
# land in every phase whatever the machine's speed): some runs are killed, some complete.
loop() {
  local name=$1 setup=$2 cmd=$3 verify=$4 i state bad="" killed=0 olds=0 news=0 t0
  eval "$setup"
  t0=$(date +%s%N)
  eval "$cmd" >/dev/null 2>&1
  SPAN_MS=$(( ($(date +%s%N) - t0) * 3 / 2000000 + 1 ))
  for ((i = 0; i < RUNS; i++)); do
    eval "$setup"
    eval "crash $cmd"
    killed=$((killed + KILLED))
    state=$(eval "$verify")
    case $state in
      old) olds=$((olds + 1)) ;;
      new) news=$((news + 1)) ;;
      *) bad="run $i: $state"; break ;;
    esac
  done
  echo "$name: $RUNS runs killed within ${SPAN_MS} ms: $killed killed, $olds old, $news new" >&2
  expect_eq "$bad" "" "$name: every file old or new"
  expect_true test "$killed" -gt 0 -a "$news" -gt 0
}

PLAIN=$'db_password: crash-secret-Q1\n'
NEW_PLAIN=$'db_password: crash-secret-Q2\n'
ENC() { printf '%s' "$1" | "$MCTL" vault encrypt --format ansible --vault-password-file "$2" - 2>/dev/null; }
view_is() { [[ $("$MCTL" vault view --vault-password-file "$2" "$1" 2>/dev/null)$'\n' == "$3" ]]; }

test_case "vault encrypt: the file is its plaintext or its complete ciphertext"
printf '%s' "$PLAIN" >"$SHM/plain.yml"
OLD=$(sha "$SHM/plain.yml")
loop encrypt 'cp "$SHM/plain.yml" enc.yml' \
  '"$MCTL" vault encrypt --format ansible --vault-password-file pw enc.yml' \
  'if [[ $(sha enc.yml) == "$OLD" ]]; then echo old; elif view_is enc.yml pw "$PLAIN"; then echo new; else echo "partial: $(head -c 80 enc.yml)"; fi'
cp "$SHM/plain.yml" enc.yml
mctl vault encrypt --format ansible --vault-password-file pw enc.yml
expect_rc 0
expect_eq "$(temps_beside enc.yml)" 0 "temp files of killed runs removed by the next run"

test_case "vault edit: ciphertext old or new; plaintext only in 0600 files on tmpfs, removed by the next edit"
ENC "$PLAIN" pw >ed.orig
OLD=$(sha ed.orig)
printf '#!/bin/sh\nsed -i "s/-Q1$/-Q2/" "$1"\n' >editor.sh
chmod 700 editor.sh
# plaintext_ok: no file outside $SHM holds the secret; inside, only 0600 files in 0700 dirs.
plaintext_ok() {
  grep -rlq crash-secret "$TMP" && { echo "plaintext on disk: $(grep -rl crash-secret "$TMP")"; return 1; }
  local f
  for f in $(grep -rl crash-secret "$SHM" 2>/dev/null | grep -v "^$SHM/plain.yml$"); do
    [[ $(stat -c %a "$f") == 600 && $(stat -c %a "$(dirname "$f")") == 700 ]] ||
      { echo "plaintext in $f with mode $(stat -c %a "$f")"; return 1; }
  done
}
loop edit 'cp ed.orig ed.yml' \
  'env EDITOR="$TMP/editor.sh" "$MCTL" vault edit --vault-password-file pw ed.yml' \
  'plaintext_ok || exit; if [[ $(sha ed.yml) == "$OLD" ]]; then echo old; elif view_is ed.yml pw "$NEW_PLAIN"; then echo new; else echo "partial: $(head -c 80 ed.yml)"; fi'
cp ed.orig ed.yml
EDITOR="$TMP/editor.sh" mctl vault edit --vault-password-file pw ed.yml
expect_rc 0
expect_eq "$(temps_beside ed.yml)" 0 "temp files of killed runs removed by the next run"
expect_eq "$(find "$SHM" -name 'mctl-vault.*' | wc -l)" 0 "workspaces of killed edits removed by the next edit"

test_case "vault rekey: the file opens with the old or the new password"
ENC "$PLAIN" pw >rk.orig
OLD=$(sha rk.orig)
loop rekey 'cp rk.orig rk.yml' \
  '"$MCTL" vault rekey --vault-password-file pw --new-vault-password-file pw2 rk.yml' \
  'if [[ $(sha rk.yml) == "$OLD" ]]; then echo old; elif view_is rk.yml pw2 "$PLAIN"; then echo new; else echo "partial: $(head -c 80 rk.yml)"; fi'
cp rk.orig rk.yml
mctl vault rekey --vault-password-file pw --new-vault-password-file pw2 rk.yml
expect_rc 0
expect_eq "$(temps_beside rk.yml)" 0 "temp files of killed runs removed by the next run"

test_case "render -o and render --all -o DIR: each output file old or new"
PROJECT=$TMP/project
example_project "$PROJECT" cp apps/flask-hello.yaml apps/worker.yaml
mctl -C "$PROJECT" render --all -e staging -o "$TMP/expected"
expect_rc 0
printf '{"old": true}\n' >old.json
OLD=$(sha old.json)
NEW1=$(sha expected/flask-hello.json)
NEW2=$(sha expected/worker.json)
old_or_new() { local s; s=$(sha "$1"); [[ $s == "$OLD" ]] && echo old && return; [[ $s == "$2" ]] && echo new && return; echo "partial: $(head -c 80 "$1")"; }
loop render-o 'cp old.json out.json' '"$MCTL" -C "$PROJECT" render flask-hello -e staging -o "$TMP/out.json"' \
  'old_or_new out.json "$NEW1"'
mkdir -p all
all_old_or_new() {
  local a b; a=$(old_or_new all/flask-hello.json "$NEW1"); b=$(old_or_new all/worker.json "$NEW2")
  [[ $a == partial* ]] && echo "$a" && return; [[ $b == partial* ]] && echo "$b" && return
  [[ $a == new || $b == new ]] && echo new || echo old
}
loop render-all 'cp old.json all/flask-hello.json; cp old.json all/worker.json' \
  '"$MCTL" -C "$PROJECT" render --all -e staging -o "$TMP/all"' 'all_old_or_new'
mctl -C "$PROJECT" render flask-hello -e staging -o "$TMP/out.json"
mctl -C "$PROJECT" render --all -e staging -o "$TMP/all"
expect_eq "$(temps_beside out.json)$(temps_beside all/flask-hello.json)$(temps_beside all/worker.json)" 000 \
  "temp files of killed runs removed by the next run"

finish
