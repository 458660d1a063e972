#!/usr/bin/env bash
# README's exit-code table, command by command, the way a user meets it: a missing or unreadable
# input file is 2, an app Marathon does not have is 8, a server nobody listens on is 3. Every
# such error is one 'mctl: error:' line on stderr and nothing on stdout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"
unset MCTL_VAULT_PASSWORD_FILE ANSIBLE_VAULT_PASSWORD_FILE MCTL_VAULT_IDS MCTL_VAULT_FORMAT MCTL_OUTPUT \
  MCTL_MARATHON_URL MCTL_REGISTRY MCTL_MESOS_DNS MCTL_MESOS_DNS_HTTP MCTL_ENV DOCKER_HOST MCTL_DOCKER_HOST
export MCTL_HTTP_RETRIES=0 MCTL_CONNECT_TIMEOUT=2s
cd "$TMP" || exit 1
printf 'right-password' >pw
printf 'other-password' >pw2
printf 'a: 1\n' >plain.yml
mkdir -p noread && printf 'a: 1\n' >noread/secret.yml && chmod 000 noread/secret.yml

# expect_exit CODE ARGS...: runs mctl ARGS (stdin: /dev/null) and checks README's exit code and
# that the error is one line.
expect_exit() {
  local code=$1; shift
  test_case "exit $code: mctl $*"
  run "$MCTL" "$@" </dev/null
  expect_rc "$code"
  expect_eq "$(wc -l <<<"$ERR")" 1 "one error line"
  expect_contains "$ERR" "mctl: error: "
  expect_eq "$OUT" "" "nothing on stdout"
}

# expect_deploy_exit CODE ARGS...: deploy reports each app (stdout, a progress line on stderr)
# and ends with the one error line.
expect_deploy_exit() {
  local code=$1; shift
  test_case "exit $code: mctl $*"
  run "$MCTL" "$@" </dev/null
  expect_rc "$code"
  expect_contains "$(tail -1 <<<"$ERR")" "mctl: error: deploy: "
}

# --- (a) a missing or unreadable input file: 2 --------------------------------------------------
# Every command's case runs in-process (tests/unit/test_cli_run.cpp); these prove the binary
# behaves the same.
V=(--vault-password-file pw)
expect_exit 2 vault view missing.yml "${V[@]}"
expect_exit 2 vault decrypt-string --vault-password-file missing.pass
if [[ $(id -u) != 0 ]]; then  # root reads a 000 file anyway
  expect_exit 2 vault view noread/secret.yml "${V[@]}"
fi
expect_exit 2 render missing.yaml
expect_exit 2 deploy missing.json --marathon http://127.0.0.1:1
expect_exit 2 --config missing.yaml deploy web

# --- (b) an app Marathon does not have: 8 (Marathon answers 404) --------------------------------------------------------
start_marathon
M=(--marathon "$MARATHON_URL")
for cmd in "status /nope" "versions /nope" "rollback /nope" "restart /nope" "scale /nope 1" \
  "stop /nope" "destroy /nope --yes" "cancel /nope"; do
  read -ra words <<<"$cmd"
  expect_exit 8 "${words[@]}" "${M[@]}"
done

# --- (c) a server nobody listens on: 3 -----------------------------------------------------------
closed=$(free_port)
DEAD=(--marathon "http://127.0.0.1:$closed")
write_app web.json /web registry.local/web:v1 1
expect_deploy_exit 3 deploy web.json "${DEAD[@]}"
for cmd in "diff web.json" "deployments" "cancel /web" "status /web" "apps" \
  "versions /web" "rollback /web" "restart /web" "scale /web 1" "stop /web" "destroy /web --yes"; do
  read -ra words <<<"$cmd"
  expect_exit 3 "${words[@]}" "${DEAD[@]}"
done
expect_exit 3 image exists web:v1 --registry "127.0.0.1:$closed"
# A name Docker refuses is bad input, refused before any request (a '..' component would reach
# another repository once the URL path is normalised).
expect_exit 2 image exists 'team/../web:v1' --registry "127.0.0.1:$closed"
expect_exit 2 image exists 'web@sha256:../../other' --registry "127.0.0.1:$closed"
expect_exit 3 images gc registry --registry "127.0.0.1:$closed" --no-marathon --yes
expect_exit 3 images gc registry --registry "127.0.0.1:$closed" "${DEAD[@]}" --yes
MCTL_DOCKER_HOST="tcp://127.0.0.1:$closed" expect_exit 3 images gc local --no-marathon --yes
MCTL_DOCKER_HOST="tcp://127.0.0.1:$closed" expect_exit 3 image push web:v1 --registry registry.local
expect_exit 3 dns lookup leader.mesos --tcp --server "127.0.0.1:$closed"
expect_exit 3 dns lookup leader.mesos --server "127.0.0.1:$closed"
expect_exit 3 dns app /web --server "127.0.0.1:$closed"
expect_exit 3 dns lookup leader.mesos --http "http://127.0.0.1:$closed"
expect_exit 3 dns app /web --http "http://127.0.0.1:$closed"

finish
