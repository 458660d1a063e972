#!/usr/bin/env bash
# mctl deploy --check-image against a real docker-registry: the image tag must exist before
# anything is sent to Marathon (the simulator).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_docker.sh"
source "$(dirname "$0")/lib_marathon.sh"

start_registry
seed_registry <<EOF || fail_now "seeding the registry failed"
shop/web v1 2026-01-01T00:00:00Z
EOF
start_marathon
[[ -n $TMP ]] || fail_now "no TMP"
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL")

test_case "--check-image: the tag is in the registry, the deploy goes ahead"
write_app web.json /shop/web "$REGISTRY/shop/web:v1" 1
mctl deploy web.json "${M[@]}" --check-image --timeout 30s
expect_rc 0
expect_contains "$OUT" "/shop/web: deployed version"

test_case "--check-image: a missing tag is one clear error and nothing is sent"
sim DELETE requests >/dev/null
write_app web.json /shop/web "$REGISTRY/shop/web:v2" 1
mctl deploy web.json "${M[@]}" --check-image --timeout 30s
expect_rc 8
expect_eq "$(printf '%s\n' "$ERR" | grep -c '^mctl: error')" 1 "one error line"
expect_contains "$ERR" "deploy /shop/web: image $REGISTRY/shop/web:v2 is not in registry $REGISTRY (--check-image); nothing was sent to Marathon"
expect_eq "$(sim GET requests | jq_py "len(j)")" 0 "requests to Marathon"
expect_eq "$(app_field /shop/web "a['container']['docker']['image']")" "$REGISTRY/shop/web:v1" "still the old image"

test_case "--check-image: an unknown repository is a missing image too"
write_app api.json /shop/api "$REGISTRY/shop/api:v1" 1
mctl deploy api.json web.json "${M[@]}" --check-image
expect_rc 8
expect_contains "$ERR" "image $REGISTRY/shop/api:v1 is not in registry"

test_case "--check-image: an image without a registry host cannot be checked"
write_app hub.json /shop/hub "nginx:1.25" 1
mctl deploy hub.json "${M[@]}" --check-image
expect_rc 2
expect_contains "$ERR" "nginx:1.25 names no registry host"

test_case "--check-image: registry down is a remote error, nothing sent"
stop_service "$REGISTRY_PID"
sim DELETE requests >/dev/null
write_app web.json /shop/web "$REGISTRY/shop/web:v1" 2
MCTL_HTTP_RETRIES=0 mctl deploy web.json "${M[@]}" --check-image
expect_rc 3
expect_eq "$(sim GET requests | jq_py "len(j)")" 0 "requests to Marathon"

test_case "without --check-image the registry is not asked"
mctl deploy web.json "${M[@]}" --timeout 30s
expect_rc 0

finish
