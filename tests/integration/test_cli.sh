#!/usr/bin/env bash
# The command line itself: global options mean one thing wherever they stand, result format,
# help, version, "did you mean", usage errors. The cases that need no server run in-process
# (tests/unit/test_cli_run.cpp); these prove the real binary behaves the same.
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

test_case "MCTL_OUTPUT=json from the process environment: the error is JSON on stdout too"
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

test_case "a mistyped command or option: did you mean, and the command's own help"
mctl deplyo web
expect_rc 2
expect_eq "$ERR" "mctl: error: 'deplyo' is not a command of 'mctl' (did you mean 'deploy'?); see 'mctl --help'"

test_case "a parse error is JSON on stdout too when JSON is asked for"
mctl deplyo --json
expect_rc 2
expect_eq "$(json_field 'j["error"]["exit_code"]')" 2
expect_contains "$(json_field 'j["error"]["message"]')" "did you mean 'deploy'?"

test_case "-C DIR: as if started in DIR (files, -o, the project), without a DIR: a usage error"
mctl init proj --app web
expect_rc 0
printf 'id: /web\ninstances: 1\ncpus: 0.1\nmem: 64\ncontainer:\n  type: DOCKER\n  docker:\n    image: registry.example.com/web:v1\n' \
  >proj/apps/web.yaml  # init's spec tags the image with the git commit; this one needs no git
mkdir -p elsewhere
cd elsewhere || exit 1
mctl -C ../proj render web -o out.json
expect_rc 0
cd "$TMP" || exit 1
expect_true test -s proj/out.json
expect_true test ! -e elsewhere/out.json
mctl -C proj render apps/web.yaml
expect_rc 0
expect_contains "$OUT" '"id"'
mctl -C nowhere render web
expect_rc 2
expect_eq "$ERR" "mctl: error: -C nowhere: no such directory"

finish
