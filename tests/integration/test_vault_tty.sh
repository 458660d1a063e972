#!/usr/bin/env bash
# mctl vault password prompts on a real terminal: the binary runs under a pseudo-terminal,
# a typed password is not echoed, and confirmed prompts (create, rekey) refuse a mismatch
# without touching any file.
source "$(dirname "$0")/lib.sh"
unset MCTL_VAULT_PASSWORD_FILE ANSIBLE_VAULT_PASSWORD_FILE MCTL_VAULT_IDS MCTL_VAULT_FORMAT VISUAL
need_cmd python3
cd "$TMP" || exit 1
sha() { sha256sum "$1" | cut -d' ' -f1; }
export XDG_RUNTIME_DIR="$TMP/xdg"
mkdir -m 700 xdg

# pty_run TRANSCRIPT ANSWER... -- CMD...: runs CMD on a new pseudo-terminal (its controlling
# terminal, so /dev/tty is the pty), types the n-th ANSWER after the n-th "password: " prompt
# appears, and records everything the terminal showed. Sets RC; OUT is the transcript.
cat >pty_run.py <<'PY'
import os, pty, select, sys, time
transcript, rest = sys.argv[1], sys.argv[2:]
answers, cmd = rest[:rest.index("--")], rest[rest.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
seen, sent, deadline = b"", 0, time.monotonic() + 30
while time.monotonic() < deadline:
    if sent < len(answers) and seen.lower().count(b"password: ") > sent:
        os.write(fd, answers[sent].encode() + b"\n")
        sent += 1
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:  # the child closed the terminal (EIO)
            break
        if not data:
            break
        seen += data
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
open(transcript, "wb").write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
PY
pty_run() {
  python3 pty_run.py "$TMP/.tty" "$@"
  RC=$?
  OUT=$(tr -d '\r' <"$TMP/.tty")
  ERR=""
}

printf 'right-password' >pw
printf 'db_password: s3cret\n' >plain.yml

test_case "--ask-vault-password reads the terminal without echo and decrypts"
cp plain.yml a.yml
"$MCTL" vault encrypt --vault-password-file pw a.yml 2>/dev/null
pty_run right-password -- "$MCTL" vault decrypt --ask-vault-password --output a.out a.yml
expect_rc 0
expect_contains "$OUT" "Vault password: "
expect_not_contains "$OUT" "right-password" "the typed password must not be echoed"
expect_eq "$(cat a.out)" "db_password: s3cret"
pty_run right-password -- "$MCTL" vault view --ask-vault-password a.yml
expect_rc 0
expect_contains "$OUT" "db_password: s3cret"
expect_not_contains "$OUT" "right-password" "the typed password must not be echoed"

test_case "a wrong password typed at the prompt: exit 5, file untouched"
h=$(sha a.yml)
pty_run wrong-password -- "$MCTL" vault decrypt --ask-vault-password a.yml
expect_rc 5
expect_contains "$OUT" "a.yml: wrong password or modified file (tried vault ids: default (prompt))"
expect_not_contains "$OUT" "wrong-password" "neither echoed nor in the message"
expect_file_unchanged a.yml "$h"

test_case "rekey asks for the new password twice; a mismatch changes nothing"
cp a.yml r.yml
h=$(sha r.yml)
pty_run new-password-1 new-password-2 -- "$MCTL" vault rekey --vault-password-file pw r.yml
expect_rc 2
expect_contains "$OUT" "Confirm vault password: "
expect_contains "$OUT" "vault passwords entered at the prompt do not match"
expect_not_contains "$OUT" "new-password" "not echoed"
expect_file_unchanged r.yml "$h"
pty_run new-password new-password -- "$MCTL" vault rekey --vault-password-file pw r.yml
expect_rc 0
expect_contains "$OUT" "Rekey successful"
printf 'new-password' >pw-new
mctl vault view --vault-password-file pw-new r.yml
expect_rc 0
expect_eq "$OUT" "db_password: s3cret"

test_case "create confirms the password; a mismatch creates nothing"
cat >editor.sh <<'SH'
#!/bin/sh
printf 'api_key: created\n' >"$1"
SH
chmod +x editor.sh
export EDITOR="$TMP/editor.sh"
pty_run one two -- "$MCTL" vault create --ask-vault-password c.yml
expect_rc 2
expect_contains "$OUT" "do not match"
expect_true test ! -e c.yml
pty_run same-pass same-pass -- "$MCTL" vault create --ask-vault-password c.yml
expect_rc 0
expect_not_contains "$OUT" "same-pass" "not echoed"
printf 'same-pass' >pw-c
mctl vault view --vault-password-file pw-c c.yml
expect_eq "$OUT" "api_key: created"
expect_eq "$(stat -c %a c.yml)" 600 "new vault files are 0600"

finish
