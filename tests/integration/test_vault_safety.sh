#!/usr/bin/env bash
# mctl vault: native format, errors leave files untouched, edit/create plaintext handling.
source "$(dirname "$0")/lib.sh"
unset MCTL_VAULT_PASSWORD_FILE ANSIBLE_VAULT_PASSWORD_FILE MCTL_VAULT_IDS MCTL_VAULT_FORMAT VISUAL
cd "$TMP" || exit 1
printf 'right-password' >pw
printf 'wrong-password' >bad
printf 'a: 1\nb: two\n' >plain.yml
sha() { sha256sum "$1" | cut -d' ' -f1; }
export XDG_RUNTIME_DIR="$TMP/xdg"
mkdir -m 700 xdg

test_case "new files default to the native format; it round-trips"
cp plain.yml n.yml
chmod 640 n.yml
mctl vault encrypt --vault-password-file pw n.yml
expect_rc 0
expect_contains "$(head -1 n.yml)" '$MCTL_VAULT;1;ARGON2ID-XCHACHA20POLY1305;default'
expect_eq "$(stat -c %a n.yml)" 640 "mode kept"
mctl vault view --vault-password-file pw n.yml
expect_eq "$OUT" "$(cat plain.yml)"
MCTL_VAULT_FORMAT=ansible mctl vault encrypt --vault-password-file pw - <plain.yml
expect_contains "$OUT" '$ANSIBLE_VAULT;1.1;AES256'

test_case "wrong password: exit 5, one line naming file and vault id, file untouched"
h=$(sha n.yml)
mctl vault decrypt --vault-password-file bad n.yml
expect_rc 5
expect_eq "$ERR" "mctl: error: n.yml: wrong password or modified file (tried vault ids: default (file bad))"
expect_file_unchanged n.yml "$h"

test_case "tampered and truncated native files are refused"
cp n.yml t.yml
python3 -c 'import sys; p=sys.argv[1]; l=open(p).read().split("\n"); c=l[2][9]; l[2]=l[2][:9]+("A" if c!="A" else "B")+l[2][10:]; open(p,"w").write("\n".join(l))' t.yml
h=$(sha t.yml)
mctl vault decrypt --vault-password-file pw t.yml
expect_rc 5
expect_contains "$ERR" "t.yml:"
expect_file_unchanged t.yml "$h"
head -c 150 n.yml >tr.yml
h=$(sha tr.yml)
mctl vault decrypt --vault-password-file pw tr.yml
expect_rc 5
expect_contains "$ERR" "truncated or modified"
expect_file_unchanged tr.yml "$h"

test_case "not a vault: exit 2, untouched"
cp plain.yml p.yml
h=$(sha p.yml)
mctl vault decrypt --vault-password-file pw p.yml
expect_rc 2
expect_contains "$ERR" "p.yml: not a vault"
expect_file_unchanged p.yml "$h"

test_case "multi-file commands check everything before writing anything"
cp plain.yml m1.yml; cp plain.yml m2.yml
"$MCTL" vault encrypt --vault-password-file pw m1.yml 2>/dev/null
"$MCTL" vault encrypt --vault-password-file bad m2.yml 2>/dev/null
h1=$(sha m1.yml); h2=$(sha m2.yml)
mctl vault decrypt --vault-password-file pw m1.yml m2.yml
expect_rc 5
expect_contains "$ERR" "m2.yml: wrong password"
expect_file_unchanged m1.yml "$h1"
expect_file_unchanged m2.yml "$h2"
mctl vault encrypt --vault-password-file pw plain.yml m1.yml
expect_rc 2
expect_contains "$ERR" "m1.yml: already encrypted"
expect_eq "$(cat plain.yml)" $'a: 1\nb: two' "plain.yml not encrypted"
ls -a | grep -q '\.tmp\.' && _report fail "temporary files left" || _report ok

test_case "no password source is a usage error"
mctl vault view n.yml </dev/null
expect_rc 2
expect_contains "$ERR" "no terminal"
MCTL_VAULT_PASSWORD_FILE="$TMP/pw" mctl vault view n.yml
expect_rc 0 "MCTL_VAULT_PASSWORD_FILE"

test_case "edit: plaintext in a private 0600 file on a memory filesystem, removed afterwards"
cat >ed.sh <<'SH'
#!/bin/sh
stat -c '%a %n' "$1" "$(dirname "$1")" >"$LOG"
df -P "$1" | tail -1 >>"$LOG"
echo "c: 3" >>"$1"
SH
chmod 700 ed.sh
cp n.yml e.yml
LOG="$TMP/ed.log" EDITOR="$TMP/ed.sh" mctl vault edit --vault-password-file pw e.yml
expect_rc 0
f=$(head -1 ed.log | cut -d' ' -f2)
expect_eq "$(head -1 ed.log | cut -d' ' -f1)" 600 "file mode"
expect_eq "$(sed -n 2p ed.log | cut -d' ' -f1)" 700 "dir mode"
expect_contains "$f" "$TMP/xdg/mctl-vault." "in XDG_RUNTIME_DIR"
expect_true test ! -e "$f"
expect_true test ! -e "$(dirname "$f")"
run "$MCTL" vault view --vault-password-file pw e.yml
expect_eq "$OUT" $'a: 1\nb: two\nc: 3'
expect_contains "$(head -1 e.yml)" '$MCTL_VAULT' "format kept"

test_case "edit: editor failure or no change leaves the file as it was"
h=$(sha e.yml)
printf '#!/bin/sh\necho "$1" >"$LOG"\necho junk >>"$1"\nexit 3\n' >fail.sh; chmod 700 fail.sh
LOG="$TMP/fail.log" EDITOR="$TMP/fail.sh" mctl vault edit --vault-password-file pw e.yml
expect_rc 1
expect_contains "$ERR" "exited with code 3"
expect_file_unchanged e.yml "$h"
expect_true test ! -e "$(cat fail.log)"
EDITOR=true mctl vault edit --vault-password-file pw e.yml
expect_rc 0
expect_file_unchanged e.yml "$h"

test_case "edit: SIGTERM and SIGINT remove the plaintext and leave the vault untouched"
for sig in TERM INT; do
  printf '#!/bin/sh\necho "$1" >"$LOG"\necho more >>"$1"\nkill -%s $PPID\nsleep 5\n' "$sig" >sig.sh; chmod 700 sig.sh
  LOG="$TMP/sig.log" EDITOR="$TMP/sig.sh" mctl vault edit --vault-password-file pw e.yml
  [[ $sig == TERM ]] && expect_rc 143 || expect_rc 130
  expect_file_unchanged e.yml "$h"
  expect_true test ! -e "$(cat sig.log)"
  expect_true test ! -e "$(dirname "$(cat sig.log)")"
done

test_case "create: new file 0600, refuses an existing file"
printf '#!/bin/sh\necho "new: secret" >"$1"\n' >new.sh; chmod 700 new.sh
EDITOR="$TMP/new.sh" mctl vault create --vault-password-file pw created.yml
expect_rc 0
expect_eq "$(stat -c %a created.yml)" 600
run "$MCTL" vault view --vault-password-file pw created.yml
expect_eq "$OUT" "new: secret"
EDITOR="$TMP/new.sh" mctl vault create --vault-password-file pw created.yml
expect_rc 2
expect_contains "$ERR" "already exists"

test_case "rekey: new password works, old does not; same source refused"
cp n.yml r.yml
printf 'next-password' >pw2
h=$(sha r.yml)
mctl vault rekey --vault-password-file pw --new-vault-password-file pw r.yml
expect_rc 2
expect_contains "$ERR" "same as the old one"
expect_file_unchanged r.yml "$h"
mctl vault rekey --vault-password-file pw --new-vault-password-file pw2 r.yml
expect_rc 0
mctl vault view --vault-password-file pw r.yml
expect_rc 5
mctl vault view --vault-password-file pw2 r.yml
expect_eq "$OUT" "$(cat plain.yml)"

test_case "encrypt-string / decrypt-string round trip (alias encrypt_string)"
printf 'tøp secret' | "$MCTL" vault encrypt_string --vault-password-file pw --stdin-name k >es.yml 2>/dev/null
expect_eq "$(head -1 es.yml)" "k: !vault |"
run sh -c "'$MCTL' vault decrypt-string --vault-password-file pw <es.yml"
expect_eq "$OUT" "tøp secret"
run sh -c "'$MCTL' vault decrypt-string --vault-password-file bad <es.yml"
expect_eq "$RC" 5

test_case "decrypt --output - prints several files; view of an inline file"
mctl vault decrypt --vault-password-file pw --output - n.yml r.yml
expect_rc 5 "r.yml was rekeyed"
mctl vault decrypt --vault-password-file pw --output - n.yml created.yml
expect_rc 0
expect_eq "$OUT" $'a: 1\nb: two\nnew: secret'

test_case "encrypt-string refuses an empty value, as ansible-vault does"
run sh -c "printf '' | '$MCTL' vault encrypt-string --vault-password-file pw --stdin-name y"
expect_rc 2
expect_contains "$ERR" "encrypt-string: the value is empty"
expect_not_contains "$OUT" "vault"
mctl vault encrypt-string --vault-password-file pw ''
expect_rc 2

test_case "several passwords and no --encrypt-vault-id: every command that encrypts refuses (as ansible-vault)"
printf 'a: 1\n' >two.yml
h=$(sha two.yml)
mctl vault encrypt --vault-id a@pw --vault-id b@bad two.yml
expect_rc 2
expect_contains "$ERR" "choose one with --encrypt-vault-id"
expect_file_unchanged two.yml "$h"
run sh -c "printf x | '$MCTL' vault encrypt-string --vault-id a@pw --vault-id b@bad --stdin-name y"
expect_rc 2
expect_contains "$ERR" "--encrypt-vault-id"
EDITOR="$TMP/new.sh" mctl vault create --vault-id a@pw --vault-id b@bad two-new.yml
expect_rc 2
expect_true test ! -e two-new.yml
mctl vault encrypt --vault-id a@pw --vault-id b@bad --encrypt-vault-id b two.yml
expect_rc 0
expect_contains "$(head -1 two.yml)" ";b"
mctl vault view --vault-password-file bad two.yml
expect_eq "$OUT" "a: 1" "encrypted with b's password"

finish
