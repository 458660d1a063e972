#!/usr/bin/env bash
# mctl render with secrets: the example's inline !vault file, a whole-file Ansible Vault made
# by the real ansible-vault, and mctl's native vault format; wrong passwords and the safety
# rails. Secrets are decrypted in memory and never appear in messages.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_cmd git python3 ansible-vault

PROJECT=$TMP/project
example_project "$PROJECT"
VAULT=$PROJECT/secrets/prod.vault.yaml
PASS=$PROJECT/.vault-password

json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
b64() { printf '%s' "$1" | base64 -w0; }

test_case "prod renders with the example's inline !vault secrets and warns about env"
mctl -C "$PROJECT" render flask-hello -e prod
expect_rc 0
expect_eq "$(echo "$OUT" | json_get 'd["env"]["DATABASE_PASSWORD"]')" "not-a-real-password-demo-only"
expect_eq "$(echo "$OUT" | json_get 'd["env"]["SESSION_KEY"]')" "$(b64 demo-session-key-0123456789)"
expect_eq "$(echo "$OUT" | json_get 'd["mem"], d["instances"], d["constraints"], d["upgradeStrategy"]')" \
  "256 3 [['hostname', 'UNIQUE']] {'maximumOverCapacity': 0.25, 'minimumHealthCapacity': 1}" "overlay merged"
expect_contains "$ERR" "apps/flask-hello.prod.yaml:9:22: env DATABASE_PASSWORD holds secrets.db_password in plain text"
expect_not_contains "$ERR" "not-a-real-password" "no secret in warnings"

test_case "a whole-file Ansible Vault written by ansible-vault"
printf 'db_password: from-ansible-vault\nsession_key: k-ansible\n' >"$VAULT"
ansible-vault encrypt --vault-password-file "$PASS" "$VAULT" >/dev/null 2>&1 || fail_now "ansible-vault encrypt failed"
expect_eq "$(head -c 14 "$VAULT")" '$ANSIBLE_VAULT'
mctl -C "$PROJECT" render flask-hello -e prod
expect_rc 0
expect_eq "$(echo "$OUT" | json_get 'd["env"]["DATABASE_PASSWORD"]')" "from-ansible-vault"
expect_eq "$(echo "$OUT" | json_get 'd["env"]["SESSION_KEY"]')" "$(b64 k-ansible)"

test_case "mctl's native vault format"
printf 'db_password: from-mctl-vault\nsession_key: k-native\n' >"$VAULT"
mctl -C "$PROJECT" -e prod vault encrypt --format mctl "$VAULT"
expect_rc 0 "mctl vault encrypt"
expect_eq "$(head -c 11 "$VAULT")" '$MCTL_VAULT'
mctl -C "$PROJECT" render flask-hello -e prod
expect_rc 0
expect_eq "$(echo "$OUT" | json_get 'd["env"]["DATABASE_PASSWORD"]')" "from-mctl-vault"

test_case "a wrong vault password: exit 5, the file named, nothing written, no secret shown"
mctl -C "$PROJECT" render flask-hello -e prod -o "$TMP/prod.json"
expect_rc 0
BEFORE=$(sha256sum "$TMP/prod.json" | cut -d' ' -f1)
printf 'wrong-password\n' >"$PASS"
mctl -C "$PROJECT" render flask-hello -e prod -o "$TMP/prod.json"
expect_rc 5
expect_contains "$ERR" "apps/flask-hello.prod.yaml:9:23:"
expect_contains "$ERR" "prod.vault.yaml"
expect_not_contains "$ERR" "from-mctl-vault"
expect_file_unchanged "$TMP/prod.json" "$BEFORE"

test_case "staging needs no password: secrets are read only when a spec uses them"
rm -f "$PASS"
mctl -C "$PROJECT" render flask-hello -e staging
expect_rc 0

test_case "a secret used where the environment has no vault file"
cp "$PROJECT/apps/flask-hello.prod.yaml" "$PROJECT/apps/flask-hello.staging.yaml"
mctl -C "$PROJECT" render flask-hello -e staging
expect_rc 2
expect_eq "$ERR" "mctl: error: apps/flask-hello.staging.yaml:9:23: the spec uses {{ secrets.* }} but environment 'staging' has no vault file (vault.file)"
rm "$PROJECT/apps/flask-hello.staging.yaml"

test_case "ciphertext pasted into env is refused"
cat >"$PROJECT/apps/pasted.yaml" <<'YAML'
cmd: serve
env:
  DB_PASSWORD: "$ANSIBLE_VAULT;1.1;AES256\n6162"
YAML
mctl -C "$PROJECT" render pasted -e staging -o "$TMP/pasted.json"
expect_rc 2
expect_eq "$ERR" "mctl: error: apps/pasted.yaml:3:16: refusing to emit 'env.DB_PASSWORD': it still holds vault ciphertext; reference the secret as {{ secrets.NAME }} so mctl decrypts it"
expect_true test ! -e "$TMP/pasted.json"

finish
