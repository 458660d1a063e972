#!/usr/bin/env bash
# mctl images gc never deletes what a Marathon app runs or may roll back to: the simulator
# holds apps whose current and previous versions reference registry tags.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_docker.sh"

start_registry
seed_registry <<EOF || fail_now "seeding the registry failed"
web v1 2026-01-01T00:00:00Z
web v2 2026-01-02T00:00:00Z
web v3 2026-01-03T00:00:00Z
web v4 2026-01-04T00:00:00Z
web v5 2026-01-05T00:00:00Z
web v6 2026-01-06T00:00:00Z
api a1 2026-01-01T00:00:00Z
api a2 2026-01-02T00:00:00Z
pinned p0 2025-05-01T00:00:00Z
pinned latest 2025-06-01T00:00:00Z
pinned p1 2025-07-01T00:00:00Z
pinned p2 2025-08-01T00:00:00Z
pinned p3 2025-09-01T00:00:00Z
pinned p4 2025-10-01T00:00:00Z
EOF

port_prod=$(free_port)
port_staging=$(free_port)
start_service marathon-prod "curl -s -o /dev/null http://127.0.0.1:$port_prod/_sim/state" \
  python3 "$MCTL_TESTS/servers/marathon_sim.py" --port "$port_prod"
start_service marathon-staging "curl -s -o /dev/null http://127.0.0.1:$port_staging/_sim/state" \
  python3 "$MCTL_TESTS/servers/marathon_sim.py" --port "$port_staging"
STAGING_PID=$SERVICE_PID

app() { # ID IMAGE [VERSION]
  printf '{"id":"%s","cmd":"sleep 1000","instances":1,"cpus":0.1,"mem":32,"container":{"type":"DOCKER","docker":{"image":"%s"}}%s}' \
    "$1" "$2" "${3:+,\"version\":\"$3\"}"
}
# prod /web runs v2; its history holds v1 (oldest) then v4, v5 (most recent previous versions).
curl -sf -X POST "http://127.0.0.1:$port_prod/_sim/apps" -d "{\"apps\":[{\"app\":$(app /web "$REGISTRY/web:v2" 2026-01-10T00:00:00.000Z),
  \"versions\":[$(app /web "$REGISTRY/web:v1" 2026-01-07T00:00:00.000Z),$(app /web "$REGISTRY/web:v4" 2026-01-08T00:00:00.000Z),$(app /web "$REGISTRY/web:v5" 2026-01-09T00:00:00.000Z)]}]}" \
  >/dev/null || fail_now "seeding Marathon (prod) failed"
# staging /api runs a1, written the way Docker Hub names would be normalised.
curl -sf -X POST "http://127.0.0.1:$port_staging/_sim/apps" -d "$(app /api "$REGISTRY/api:a1")" >/dev/null ||
  fail_now "seeding Marathon (staging) failed"

# prod also runs images written the two ways Docker reads differently from their text: a name
# alone (its tag "latest") and a tag beside a digest (Docker pulls the digest, p3's here).
p3_digest=$(curl -s -o /dev/null -D - -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REGISTRY/v2/pinned/manifests/p3" | tr -d '\r' | sed -n 's/^docker-content-digest: //Ip')
curl -sf -X POST "http://127.0.0.1:$port_prod/_sim/apps" -d "$(app /pinned-latest "$REGISTRY/pinned")" >/dev/null &&
  curl -sf -X POST "http://127.0.0.1:$port_prod/_sim/apps" -d "$(app /pinned-digest "$REGISTRY/pinned:p1@$p3_digest")" \
    >/dev/null &&
  curl -sf -X POST "http://127.0.0.1:$port_prod/_sim/apps" -d "$(app /pinned-alias "localhost:${REGISTRY##*:}/pinned:p2")" \
    >/dev/null || fail_now "seeding Marathon (prod, pinned) failed"

PROJECT="$TMP/project"
mkdir -p "$PROJECT"
cat >"$PROJECT/mctl.yaml" <<EOF
project: demo
registry: $REGISTRY
images:
  keep: 1
  keep_versions: 2
environments:
  staging:
    marathon:
      urls: [http://127.0.0.1:$port_staging]
  prod:
    marathon:
      urls: [http://127.0.0.1:$port_prod]
EOF
cd "$PROJECT" || exit 1
export MCTL_HTTP_RETRIES=0
web_before=$(registry_tags web)

test_case "current and the last K versions of every environment's apps are protected"
mctl images gc registry --dry-run
expect_rc 0
expect_contains "$OUT" "keep    $REGISTRY/web:v2"
expect_contains "$OUT" "in use by Marathon: /web current (prod)"
expect_contains "$OUT" "keep    $REGISTRY/web:v5"
expect_contains "$OUT" "in use by Marathon: /web version 2026-01-09T00:00:00.000Z (prod)"
expect_contains "$OUT" "keep    $REGISTRY/web:v4"
expect_contains "$OUT" "delete  $REGISTRY/web:v1"
expect_contains "$OUT" "delete  $REGISTRY/web:v3"
expect_contains "$OUT" "keep    $REGISTRY/web:v6"
expect_contains "$OUT" "keep    $REGISTRY/api:a1"
expect_contains "$OUT" "/api current (staging)"
expect_eq "$(registry_tags web)" "$web_before" "dry run deleted something"

test_case "a name alone protects its latest tag; a tag with a digest the digest's image and the tag; any host name"
mctl images gc registry pinned --dry-run --protect-env prod
expect_rc 0
expect_contains "$OUT" "keep    $REGISTRY/pinned:latest  in use by Marathon: /pinned-latest current (prod)"
expect_contains "$OUT" "keep    $REGISTRY/pinned:p3      in use by Marathon: /pinned-digest current (prod)"
expect_contains "$OUT" "keep    $REGISTRY/pinned:p1      in use by Marathon: /pinned-digest current (prod)"
expect_contains "$OUT" "keep    $REGISTRY/pinned:p2      in use by Marathon: /pinned-alias current (prod)"
expect_contains "$OUT" "delete  $REGISTRY/pinned:p0"

test_case "images.keep_versions widens the protection to older versions"
MCTL_IMAGES_KEEP_VERSIONS=3 mctl images gc registry --dry-run
expect_rc 0
expect_contains "$OUT" "keep    $REGISTRY/web:v1"

test_case "--protect-env limits which environments protect images"
mctl images gc registry --dry-run --protect-env staging
expect_rc 0
expect_contains "$OUT" "delete  $REGISTRY/web:v2"
expect_contains "$OUT" "keep    $REGISTRY/api:a1"

test_case "an unreachable Marathon stops gc before anything is deleted"
stop_service "$STAGING_PID"
mctl images gc registry --yes
expect_rc 3
expect_contains "$ERR" "127.0.0.1:$port_staging"
expect_eq "$(registry_tags web)" "$web_before" "gc went on without Marathon"

test_case "with Marathon's answer, gc deletes exactly the unprotected old tags"
mctl images gc registry --yes --protect-env prod
expect_rc 0
expect_eq "$(registry_tags web | tr '\n' ' ')" "v2 v4 v5 v6 "
expect_eq "$(registry_tags api | tr '\n' ' ')" "a2 " "staging not asked: a1 unprotected"
expect_eq "$(registry_tags pinned | tr '\n' ' ')" "latest p1 p2 p3 p4 " "what prod runs by name, digest or another host stays"

finish
