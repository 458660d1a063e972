#!/usr/bin/env bash
# Ansible Vault compatibility in both directions with the real ansible-vault (ansible-core).
source "$(dirname "$0")/lib.sh"
need_cmd ansible-vault
export ANSIBLE_LOCAL_TEMP="$TMP/ansible-tmp" ANSIBLE_HOME="$TMP/ansible-home" ANSIBLE_NOCOLOR=1
unset MCTL_VAULT_PASSWORD_FILE ANSIBLE_VAULT_PASSWORD_FILE MCTL_VAULT_IDS
V="$MCTL_FIXTURES/vault/ansible-vault"
PW="$TMP/pw"
cp "$V/password.txt" "$PW"
cd "$TMP" || exit 1

# Plaintexts covering the awkward cases.
printf 'db: s3cret\nlist:\n  - 1\n' >yaml.txt
: >empty.txt
head -c 3000 /dev/urandom >binary.bin
printf 'line one\r\nline two\r\n' >crlf.txt
printf 'gr\xc3\xbc\xc3\x9fe \xe2\x9c\x93 \xf0\x9f\x94\x91\n' >unicode.txt
printf 'x%.0s' $(seq 1 16) >block16.txt
PLAINS=(yaml.txt empty.txt binary.bin crlf.txt unicode.txt block16.txt)

test_case "mctl reads the ansible-vault test vectors"
mctl vault view --vault-password-file "$PW" "$V/secrets.v11.yml"
expect_rc 0
expect_eq "$OUT" "$(cat "$V/plain-secrets.yml")"
mctl vault view --vault-id "prod@$PW" "$V/prod.v12.yml"
expect_rc 0
expect_eq "$OUT" "token: xyz"
mctl vault decrypt --vault-password-file "$PW" --output "$TMP/empty.out" "$V/empty.v11.txt"
expect_rc 0
expect_true test -f "$TMP/empty.out" -a ! -s "$TMP/empty.out"

test_case "files mctl writes (ansible format, 1.1) are decrypted by ansible-vault"
for f in "${PLAINS[@]}"; do
  cp "$f" "m11.$f"
  mctl vault encrypt --format ansible --vault-password-file "$PW" "m11.$f"
  expect_rc 0 "encrypt $f"
  expect_eq "$(head -1 "m11.$f")" '$ANSIBLE_VAULT;1.1;AES256' "$f header"
  ansible-vault decrypt --vault-password-file "$PW" --output "m11.$f.out" "m11.$f" >/dev/null 2>"$TMP/av.err"
  expect_eq "$?" 0 "ansible-vault decrypt $f: $(cat "$TMP/av.err")"
  expect_true cmp -s "$f" "m11.$f.out"
done

test_case "a 1.2 file with a vault-id label round-trips through ansible-vault"
cp yaml.txt m12.yml
mctl vault encrypt --format ansible --vault-id "prod@$PW" --encrypt-vault-id prod m12.yml
expect_rc 0
expect_eq "$(head -1 m12.yml)" '$ANSIBLE_VAULT;1.2;AES256;prod'
run ansible-vault view --vault-id "prod@$PW" m12.yml
expect_eq "$OUT" "$(cat yaml.txt)"

test_case "files ansible-vault writes are decrypted by mctl"
for f in "${PLAINS[@]}"; do
  cp "$f" "a.$f"
  ansible-vault encrypt --vault-password-file "$PW" "a.$f" >/dev/null 2>&1
  mctl vault decrypt --vault-password-file "$PW" --output "a.$f.out" "a.$f"
  expect_rc 0 "decrypt $f"
  expect_true cmp -s "$f" "a.$f.out"
done
cp yaml.txt a12.yml
ansible-vault encrypt --vault-id "dev@$PW" --encrypt-vault-id dev a12.yml >/dev/null 2>&1
# The file's own label is tried first even when another vault id is listed before it.
printf 'other' >"$TMP/other"
mctl vault view --vault-id "stage@$TMP/other" --vault-id "dev@$PW" a12.yml
expect_rc 0
expect_eq "$OUT" "$(cat yaml.txt)"

test_case "password scripts work for both tools"
printf '#!/bin/sh\ncat "%s"\necho\n' "$PW" >pass.sh
chmod 700 pass.sh
cp yaml.txt s.yml
ansible-vault encrypt --vault-password-file ./pass.sh s.yml >/dev/null 2>&1
mctl vault view --vault-password-file ./pass.sh s.yml
expect_rc 0
expect_eq "$OUT" "$(cat yaml.txt)"
ANSIBLE_VAULT_PASSWORD_FILE="$TMP/pass.sh" mctl vault view s.yml
expect_rc 0 "ANSIBLE_VAULT_PASSWORD_FILE"
expect_eq "$OUT" "$(cat yaml.txt)"

test_case "inline !vault values from ansible-vault encrypt_string are viewed in place"
printf 'p@ss w0rd!' | ansible-vault encrypt_string --vault-password-file "$PW" --stdin-name db_password 2>/dev/null >enc.out
# ansible-vault prints the block without a final newline.
{ echo "# app secrets"; echo "user: admin"; cat enc.out; echo; echo "port: 5432"; } >inline.yml
mctl vault view --vault-password-file "$PW" inline.yml
expect_rc 0
expect_eq "$OUT" $'# app secrets\nuser: admin\ndb_password: "p@ss w0rd!"\nport: 5432'

test_case "mctl encrypt-string output is read by ansible"
printf 'multi\nline "value"' | "$MCTL" vault encrypt-string --vault-password-file "$PW" --stdin-name token >vars.yml 2>/dev/null
expect_eq "$(head -1 vars.yml)" "token: !vault |"
cat >pb.yml <<'YAML'
- hosts: localhost
  gather_facts: false
  tasks:
    - copy:
        content: "{{ token }}"
        dest: "{{ out }}"
YAML
ansible-playbook -i localhost, -c local pb.yml -e @vars.yml -e "out=$TMP/token.out" \
  --vault-password-file "$PW" >"$TMP/pb.log" 2>&1
expect_eq "$?" 0 "ansible-playbook: $(tail -5 "$TMP/pb.log")"
expect_eq "$(cat "$TMP/token.out" 2>/dev/null)" $'multi\nline "value"'

test_case "edit of an inline file keeps unchanged ciphertext and ansible reads the result"
{ cat enc.out; echo; } >both.yml
printf 'other' | "$MCTL" vault encrypt-string --vault-password-file "$PW" --name api_key >>both.yml 2>/dev/null
before_api=$(sed -n '/^api_key/,$p' both.yml)
cat >editor.sh <<'SH'
#!/bin/sh
sed -i 's/"p@ss w0rd!"/"changed pw"/' "$1"
SH
chmod 700 editor.sh
EDITOR="$TMP/editor.sh" mctl vault edit --vault-password-file "$PW" both.yml
expect_rc 0
expect_eq "$(sed -n '/^api_key/,$p' both.yml)" "$before_api" "unchanged value byte-identical"
cat >pb2.yml <<'YAML'
- hosts: localhost
  gather_facts: false
  tasks:
    - copy:
        content: "{{ db_password }}|{{ api_key }}"
        dest: "{{ out }}"
YAML
ansible-playbook -i localhost, -c local pb2.yml -e @both.yml -e "out=$TMP/both.out" \
  --vault-password-file "$PW" >"$TMP/pb2.log" 2>&1
expect_eq "$?" 0 "ansible-playbook: $(tail -5 "$TMP/pb2.log")"
expect_eq "$(cat "$TMP/both.out" 2>/dev/null)" "changed pw|other"

test_case "edit of an inline file encrypts new keys (top-level and nested) unless --plain names them"
# ansible_value FILE KEY.PATH: "vault:<plaintext>" for a !vault value, "plain:<value>" otherwise,
# as Ansible's own YAML loader reads it.
AV_PYTHON=$(head -1 "$(command -v ansible-vault)" | sed 's/^#! *//')  # the Python that has ansible
ansible_value() {
  $AV_PYTHON - "$1" "$2" "$PW" <<'PY' 2>&1
import sys
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultSecret
from ansible.parsing.yaml.objects import AnsibleVaultEncryptedUnicode
loader = DataLoader()
loader.set_vault_secrets([("default", VaultSecret(open(sys.argv[3], "rb").read().strip()))])
v = loader.load_from_file(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v[k]
print(("vault:" if isinstance(v, AnsibleVaultEncryptedUnicode) else "plain:") + str(v))
PY
}
printf 'user: admin\n' >new.yml
printf 's3cret' | "$MCTL" vault encrypt-string --vault-password-file "$PW" --name db_password >>new.yml 2>/dev/null
cat >add.sh <<'SH'
#!/bin/sh
sed -i 's/^user: admin$/user: root/' "$1"
cat >>"$1" <<'YAML'
api_token: tok-123
db:
  host: db.internal
  password: "nested secret"
  port: 5432
hosts:
  - web1
YAML
SH
chmod 700 add.sh
EDITOR="$TMP/add.sh" mctl vault edit --vault-password-file "$PW" --plain db.host --plain hosts new.yml
expect_rc 0
expect_eq "$(ansible_value new.yml api_token)" "vault:tok-123" "new top-level key"
expect_eq "$(ansible_value new.yml db.password)" "vault:nested secret" "new nested key"
expect_eq "$(ansible_value new.yml db.port)" "vault:5432" "new nested number"
expect_eq "$(ansible_value new.yml db.host)" "plain:db.internal" "--plain db.host"
expect_eq "$(ansible_value new.yml hosts)" "plain:['web1']" "--plain hosts"
expect_eq "$(ansible_value new.yml user)" "plain:root" "a key that was plain stays plain"
expect_eq "$(ansible_value new.yml db_password)" "vault:s3cret" "old value kept"
expect_not_contains "$(cat new.yml)" "tok-123"
expect_not_contains "$(cat new.yml)" "nested secret"
cat >flow.sh <<'SH'
#!/bin/sh
printf 'extra: {k: v}\n' >>"$1"
SH
chmod 700 flow.sh
h=$(sha256sum new.yml)
EDITOR="$TMP/flow.sh" mctl vault edit --vault-password-file "$PW" new.yml
expect_rc 2
expect_contains "$ERR" "extra.k is inside a flow collection"
expect_eq "$(sha256sum new.yml)" "$h" "refused edit leaves the file"
EDITOR="$TMP/flow.sh" mctl vault edit --vault-password-file "$PW" --plain extra new.yml
expect_rc 0
expect_eq "$(ansible_value new.yml extra.k)" "plain:v"

test_case "rekey to native and back keeps the content"
cp a.yaml.txt rk.yml
printf 'new-password' >newpw
mctl vault rekey --vault-password-file "$PW" --new-vault-password-file "$TMP/newpw" --format mctl rk.yml
expect_rc 0
expect_contains "$(head -1 rk.yml)" '$MCTL_VAULT;1;'
mctl vault rekey --vault-password-file "$TMP/newpw" --new-vault-password-file "$PW" --format ansible rk.yml
expect_rc 0
run ansible-vault view --vault-password-file "$PW" rk.yml
expect_eq "$OUT" "$(cat yaml.txt)"

finish
