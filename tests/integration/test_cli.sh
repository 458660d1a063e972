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

test_case "the removed global --output is a usage error that names --json"
mctl config show --output json
expect_rc 2
expect_contains "$ERR" "'--json'"
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

test_case "--version is the first line of 'mctl version' (test_version.sh checks the rest)"
mctl --version
expect_rc 0
version_line=$OUT
expect_contains "$OUT" "mctl "
mctl version
expect_rc 0
expect_eq "$(head -1 <<<"$OUT")" "$version_line"

test_case "mctl help CMD is CMD --help, with examples"
mctl deploy --help
expect_rc 0
deploy_help=$OUT
expect_contains "$deploy_help" "Examples:"
expect_contains "$deploy_help" "mctl deploy web -e prod"
mctl help deploy
expect_rc 0
expect_eq "$OUT" "$deploy_help"
mctl help images gc registry
expect_rc 0
expect_contains "$OUT" "mctl images gc registry"
expect_contains "$OUT" "--keep"
mctl help
expect_rc 0
expect_contains "$OUT" "Exit codes:"
mctl help deplyo
expect_rc 2
expect_contains "$ERR" "did you mean 'deploy'?"

test_case "a mistyped command or option: did you mean, and the command's own help"
mctl deplyo web
expect_rc 2
expect_eq "$ERR" "mctl: error: 'deplyo' is not a command of 'mctl' (did you mean 'deploy'?); see 'mctl --help'"
mctl vault decrpyt s.yml
expect_rc 2
expect_contains "$ERR" "(did you mean 'decrypt'?); see 'mctl vault --help'"
mctl deploy web --dry-rn
expect_rc 2
expect_eq "$ERR" "mctl: error: unknown option '--dry-rn' for 'mctl deploy' (did you mean '--dry-run'?); see 'mctl deploy --help'"
mctl images gc
expect_rc 2
expect_contains "$ERR" "'mctl images gc' needs a command: local, registry"

test_case "a number out of range reads as a range"
mctl scale worker -1
expect_rc 2
expect_contains "$ERR" "must be a whole number >= 0, not '-1'"
expect_contains "$ERR" "see 'mctl scale --help'"
expect_not_contains "$ERR" "e+308"
mctl deploy web --parallel 0
expect_rc 2
expect_contains "$ERR" "must be a whole number >= 1, not '0'"

test_case "-q and -v together are a usage error"
mctl -q -v config show
expect_rc 2
expect_contains "$ERR" "--quiet"
expect_contains "$ERR" "see 'mctl --help'"

test_case "a parse error is JSON on stdout too when JSON is asked for"
mctl deplyo --json
expect_rc 2
expect_eq "$(json_field 'j["error"]["exit_code"]')" 2
expect_contains "$(json_field 'j["error"]["message"]')" "did you mean 'deploy'?"
MCTL_OUTPUT=json run "$MCTL" scale worker -1
expect_rc 2
expect_contains "$(json_field 'j["error"]["message"]')" ">= 0"

finish
