#!/usr/bin/env bash
# The command line itself: global options mean one thing wherever they stand, result format,
# help, version, "did you mean", usage errors.
source "$(dirname "$0")/lib.sh"
unset MCTL_VAULT_PASSWORD_FILE ANSIBLE_VAULT_PASSWORD_FILE MCTL_VAULT_IDS MCTL_VAULT_FORMAT MCTL_OUTPUT
cd "$TMP" || exit 1
printf 'right-password' >pw
printf 'db_password: hunter2\n' >plain.yml
json_field() { # EXPR: python expression on the JSON object j read from $OUT
  python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$OUT"
}

test_case "vault --output FILE is the plaintext file wherever it stands; --json is the result format"
cp plain.yml s.yml
mctl vault encrypt --vault-password-file pw s.yml
expect_rc 0
cp s.yml s2.yml
mctl --json vault decrypt --vault-password-file pw s.yml --output out.yml
expect_rc 0
expect_eq "$(cat out.yml)" "$(cat plain.yml)"
mctl vault decrypt --output out2.yml --vault-password-file pw s2.yml --json
expect_rc 0
expect_eq "$(cat out2.yml)" "$(cat plain.yml)"
expect_true test ! -e json
expect_true test ! -e text

test_case "the removed global --output is a usage error"
mctl config show --output json
expect_rc 2
expect_eq "$OUT" ""

test_case "images gc: what to clean is a subcommand; the global --registry HOST is the host"
port=$(free_port)  # closed: nothing listens on it
mctl images gc --registry "127.0.0.1:$port" --no-marathon --yes
expect_rc 2
mctl images gc registry --registry "127.0.0.1:$port" --no-marathon --yes
expect_rc 3
expect_contains "$ERR" "127.0.0.1:$port"
mctl --registry "127.0.0.1:$port" images gc registry --no-marathon --yes
expect_rc 3
expect_contains "$ERR" "127.0.0.1:$port"

test_case "--json and MCTL_OUTPUT=json: the error is JSON on stdout too"
mctl -C "$TMP/nowhere" config show --json
expect_rc 2
expect_eq "$(json_field 'j["error"]["exit_code"]')" 2
MCTL_OUTPUT=json run "$MCTL" -C "$TMP/nowhere" config show
expect_rc 2
expect_eq "$(json_field 'j["error"]["exit_code"]')" 2

finish
