#!/usr/bin/env bash
# mctl image exists/push and mctl images gc registry against a docker-registry that requires
# htpasswd basic auth: credentials from mctl.yaml, from $DOCKER_CONFIG/config.json and from
# ~/.docker/config.json; refused credentials give one line naming their source, never the
# password, and exit code 5. (Bearer tokens need a token server docker-registry does not
# have; that flow is covered by the unit tests of images/registry.cpp.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_docker.sh"

PASSWORD='c0rrect-h0rse'
WRONG='wr0ng-batt3ry'
start_dockerd
start_registry "ci:$PASSWORD"

seed_registry <<EOF || fail_now "seeding the registry failed"
web w1 2026-01-01T00:00:00Z
web w2 2026-01-02T00:00:00Z
web w3 2026-01-03T00:00:00Z
EOF

PROJECT="$TMP/project"
mkdir -p "$PROJECT" "$TMP/home"
cd "$PROJECT" || exit 1
cat >mctl.yaml <<EOF
project: demo
registry: $REGISTRY
EOF
export HOME="$TMP/home" MCTL_HTTP_RETRIES=0
unset DOCKER_CONFIG CI
docker_image web:latest "web for auth" || fail_now "docker import failed"

# docker_config DIR USER PASSWORD: a config.json as `docker login` leaves it.
docker_config() {
  mkdir -p "$1"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY" "$(printf '%s:%s' "$2" "$3" | base64 -w0)" >"$1/config.json"
}

test_case "without credentials the registry's 401 is an auth error saying none were found"
mctl image exists web:w1
expect_rc 5
expect_contains "$ERR" "looking up web:w1 at http://$REGISTRY: registry answered HTTP 401"
expect_contains "$ERR" "(no credentials found for this registry)"
expect_eq "$(wc -l <<<"$ERR")" "1" "one line"

test_case "credentials from mctl.yaml (password_env) let exists and gc through"
cat >>mctl.yaml <<EOF
registry_credentials:
  user: ci
  password_env: REG_PASSWORD
EOF
REG_PASSWORD=$PASSWORD mctl image exists web:w1
expect_rc 0
expect_contains "$OUT" "$REGISTRY/web:w1 sha256:"
REG_PASSWORD=$PASSWORD mctl images gc registry --no-marathon --yes --keep 2 web
expect_rc 0
expect_contains "$OUT" "deleted 1 of 1 tags"
expect_eq "$(registry_tags web | tr '\n' ' ')" "w2 w3 " "w1 deleted"

test_case "a wrong password from mctl.yaml is refused: one line naming the setting, not the password"
REG_PASSWORD=$WRONG mctl images gc registry --no-marathon --yes --keep 0 web
expect_rc 5
expect_contains "$ERR" "listing the registry's repositories at http://$REGISTRY: registry answered HTTP 401"
expect_contains "$ERR" "the registry refused user 'ci' from registry_credentials (mctl.yaml:"
expect_contains "$ERR" "password_env REG_PASSWORD)"
expect_not_contains "$ERR$OUT" "$WRONG"
expect_eq "$(wc -l <<<"$ERR")" "1" "one line"
expect_eq "$(registry_tags web | tr '\n' ' ')" "w2 w3 " "nothing deleted"

# From here on the credentials come from Docker's config.json.
cat >mctl.yaml <<EOF
project: demo
registry: $REGISTRY
EOF

test_case "credentials from \$DOCKER_CONFIG/config.json: exists, push and gc"
docker_config "$TMP/dc" ci "$PASSWORD"
docker tag web:latest "$REGISTRY/web:pushed" || fail_now "docker tag failed"
DOCKER_CONFIG="$TMP/dc" mctl image push web:pushed
expect_rc 0
expect_eq "$OUT" "$REGISTRY/web:pushed"
expect_eq "$(registry_tags web | tr '\n' ' ')" "pushed w2 w3 " "pushed through the engine with the credentials"
DOCKER_CONFIG="$TMP/dc" mctl image exists web:pushed
expect_rc 0
DOCKER_CONFIG="$TMP/dc" mctl images gc registry --no-marathon --yes --keep 2 web
expect_rc 0
expect_eq "$(registry_tags web | tr '\n' ' ')" "pushed w3 " "the oldest of three deleted"

test_case "credentials from ~/.docker/config.json when DOCKER_CONFIG is unset"
docker_config "$HOME/.docker" ci "$PASSWORD"
mctl image exists web:w3
expect_rc 0
expect_contains "$OUT" "$REGISTRY/web:w3 sha256:"

test_case "a wrong password in config.json is refused for exists, gc and push, naming the file, not the password"
docker_config "$TMP/bad" ci "$WRONG"
DOCKER_CONFIG="$TMP/bad" mctl image exists web:w3
expect_rc 5
expect_contains "$ERR" "registry answered HTTP 401"
expect_contains "$ERR" "the registry refused user 'ci' from $TMP/bad/config.json auths.$REGISTRY"
expect_not_contains "$ERR$OUT" "$WRONG"
expect_eq "$(wc -l <<<"$ERR")" "1" "one line"
DOCKER_CONFIG="$TMP/bad" mctl images gc registry --no-marathon --yes --keep 0 web
expect_rc 5
expect_contains "$ERR" "$TMP/bad/config.json"
expect_not_contains "$ERR$OUT" "$WRONG"
expect_eq "$(registry_tags web | tr '\n' ' ')" "pushed w3 " "nothing deleted"
docker tag web:latest "$REGISTRY/web:refused" || fail_now "docker tag failed"
DOCKER_CONFIG="$TMP/bad" mctl image push web:refused
expect_rc 5
expect_contains "$ERR" "pushing $REGISTRY/web:refused:"
expect_contains "$ERR" "the registry refused user 'ci' from $TMP/bad/config.json auths.$REGISTRY"
expect_not_contains "$ERR$OUT" "$WRONG"
expect_eq "$(wc -l <<<"$ERR")" "1" "one line"
expect_eq "$(registry_tags web | tr '\n' ' ')" "pushed w3 " "nothing pushed"

finish
