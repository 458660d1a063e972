#!/usr/bin/env bash
# In-place vault writes through symbolic links: the link stays, the file it points to is
# replaced (mode, owner kept), the result is read by the real ansible-vault.
source "$(dirname "$0")/lib.sh"
need_cmd ansible-vault
export ANSIBLE_LOCAL_TEMP="$TMP/ansible-tmp" ANSIBLE_HOME="$TMP/ansible-home" ANSIBLE_NOCOLOR=1
unset MCTL_VAULT_PASSWORD_FILE ANSIBLE_VAULT_PASSWORD_FILE MCTL_VAULT_IDS MCTL_VAULT_FORMAT VISUAL
cd "$TMP" || exit 1
printf 'right-password\n' >pw
printf 'new-password\n' >pw2
export XDG_RUNTIME_DIR="$TMP/xdg"
mkdir -m 700 xdg
cat >append.sh <<'SH'
#!/bin/sh
printf 'added: 1\n' >>"$1"
SH
cat >write.sh <<'SH'
#!/bin/sh
printf 'created: yes\n' >"$1"
if [ -n "$MARK" ]; then : >"$MARK"; fi
SH
chmod +x append.sh write.sh
no_temp_files() { ! find "$TMP" -name '.*.tmp.*' | grep -q .; }  # mctl's and older versions' temp names
# link_kept LINK TARGET: LINK is still a symbolic link to TARGET.
link_kept() { [[ -L $1 && $(readlink "$1") == "$2" ]]; }
av_view() { ansible-vault view --vault-password-file "${2:-pw}" "$1" 2>"$TMP/av.err"; }

test_case "encrypt through a link encrypts the real file; link, mode and owner kept"
printf 'k: 1\n' >real.yml
chmod 640 real.yml
[[ $(id -u) == 0 ]] && chown 65534:65534 real.yml
owner=$(stat -c %u:%g real.yml)
ln -s real.yml link.yml
mctl vault encrypt --format ansible --vault-password-file pw link.yml
expect_rc 0
expect_true link_kept link.yml real.yml
expect_eq "$(head -1 real.yml)" '$ANSIBLE_VAULT;1.1;AES256' "real.yml holds the ciphertext"
expect_eq "$(stat -c %a real.yml)" 640 "mode kept"
expect_eq "$(stat -c %u:%g real.yml)" "$owner" "owner kept"
expect_eq "$(av_view real.yml)" "k: 1" "ansible-vault decrypts the target: $(cat av.err)"

test_case "decrypt through a link decrypts the real file; link and mode kept"
mctl vault decrypt --vault-password-file pw link.yml
expect_rc 0
expect_true link_kept link.yml real.yml
expect_eq "$(cat real.yml)" "k: 1"
expect_eq "$(stat -c %a real.yml)" 640 "mode kept"

test_case "edit through a chain of relative links in other directories"
mkdir -p secrets env
printf 'db: s3cret\n' >secrets/prod.yml
chmod 600 secrets/prod.yml
ansible-vault encrypt --vault-password-file pw secrets/prod.yml >/dev/null 2>&1
ln -s ../secrets/prod.yml env/hop.yml
ln -s env/hop.yml vault.yml
EDITOR="$TMP/append.sh" mctl vault edit --vault-password-file pw vault.yml
expect_rc 0
expect_true link_kept vault.yml env/hop.yml
expect_true link_kept env/hop.yml ../secrets/prod.yml
expect_eq "$(av_view secrets/prod.yml)" $'db: s3cret\nadded: 1' "ansible-vault reads the edit: $(cat av.err)"
expect_eq "$(stat -c %a secrets/prod.yml)" 600 "mode kept"

test_case "rekey through a link re-encrypts the real file"
mctl vault rekey --vault-password-file pw --new-vault-password-file pw2 vault.yml
expect_rc 0
expect_true link_kept vault.yml env/hop.yml
expect_eq "$(av_view secrets/prod.yml pw2)" $'db: s3cret\nadded: 1' "new password opens it: $(cat av.err)"
expect_eq "$(stat -c %a secrets/prod.yml)" 600 "mode kept"

test_case "create through a dangling link creates its target and keeps the link"
ln -s made.yml dangling.yml
EDITOR="$TMP/write.sh" mctl vault create --format ansible --vault-password-file pw dangling.yml
expect_rc 0
expect_true link_kept dangling.yml made.yml
expect_eq "$(av_view made.yml)" "created: yes" "ansible-vault decrypts the target: $(cat av.err)"
expect_eq "$(stat -c %a made.yml)" 600 "a new vault file is 0600"
EDITOR="$TMP/write.sh" mctl vault create --vault-password-file pw link.yml
expect_rc 2 "a link to an existing file: already exists"

test_case "targets that cannot be replaced safely: exit 2, nothing written, refused before the editor"
mkdir adir
printf 'x: 1\n' >p.yml
mctl vault decrypt --vault-password-file pw --output adir "$TMP/made.yml"
expect_rc 2
expect_contains "$ERR" "adir: it is a directory"
mkfifo fifo
ln -s fifo fifolink.yml
mctl vault decrypt --vault-password-file pw --output fifolink.yml made.yml
expect_rc 2
expect_contains "$ERR" "fifolink.yml (link to fifo): it is a FIFO"
ln -s nowhere/x.yml baddir.yml
MARK="$TMP/editor-ran" EDITOR="$TMP/write.sh" mctl vault create --vault-password-file pw baddir.yml
expect_rc 2
expect_contains "$ERR" "baddir.yml (link to nowhere/x.yml)"
expect_true test ! -e nowhere
expect_true test ! -e editor-ran
ln -s loop2.yml loop1.yml; ln -s loop1.yml loop2.yml
mctl vault decrypt --vault-password-file pw --output loop1.yml made.yml
expect_rc 2
expect_true no_temp_files

finish
