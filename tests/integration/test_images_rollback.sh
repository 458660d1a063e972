#!/usr/bin/env bash
# images gc never deletes the image `mctl rollback` goes back to. An app ran t01..t05 and was
# then scaled six times, so its last five versions are all scale-only versions of t05; the
# protection (images.keep_versions, default 5) and rollback both count config versions, so
# gc --keep 1 keeps t01..t04 and the rollback that follows deploys an image that still exists.
# Real docker-registry, the Marathon simulator, the built mctl.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_docker.sh"
source "$(dirname "$0")/lib_marathon.sh"

start_registry
seed_registry <<EOF || fail_now "seeding the registry failed"
web t00 2026-01-01T00:00:00Z
web t01 2026-01-02T00:00:00Z
web t02 2026-01-03T00:00:00Z
web t03 2026-01-04T00:00:00Z
web t04 2026-01-05T00:00:00Z
web t05 2026-01-06T00:00:00Z
EOF
start_marathon

PROJECT="$TMP/project"
mkdir -p "$PROJECT"
cat >"$PROJECT/mctl.yaml" <<EOF
project: demo
registry: $REGISTRY
environments:
  prod:
    marathon:
      urls: [$MARATHON_URL]
EOF
cd "$PROJECT" || exit 1

for t in t01 t02 t03 t04 t05; do
  write_app web.json /web "$REGISTRY/web:$t" 1
  mctl deploy web.json --timeout 30s
  [[ $RC == 0 ]] || fail_now "deploying $t failed: $ERR"
done
for n in 2 3 2 3 2 3; do
  mctl scale /web "$n" --timeout 30s
  [[ $RC == 0 ]] || fail_now "scaling to $n failed: $ERR"
done

test_case "the simulator keeps versions like Marathon: every scale is a version, config change time stays"
expect_eq "$(sim GET /v2/apps/web/versions | jq_py "len(j['versions'])")" 11
expect_eq "$(app_field /web "a['versionInfo']['lastConfigChangeAt'] < a['versionInfo']['lastScalingAt'] == a['version']")" True
expect_eq "$(app_field /web "a['container']['docker']['image']")" "$REGISTRY/web:t05"

test_case "gc --keep 1 protects every image a rollback can reach, not only the scale-only versions"
mctl images gc registry --keep 1 --yes
expect_rc 0
expect_contains "$OUT" "in use by Marathon: /web version"
expect_eq "$(registry_tags web | tr '\n' ' ')" "t01 t02 t03 t04 t05 " "t00 (never deployed) deleted, t01..t05 kept"

test_case "rollback goes to the previous config version (skipping scale-only versions) and its image exists"
mctl rollback /web --timeout 30s
expect_rc 0
expect_contains "$OUT" "rolled back to the definition of version"
image=$(app_field /web "a['container']['docker']['image']")
expect_eq "$image" "$REGISTRY/web:t04"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REGISTRY/v2/web/manifests/${image##*:}")" 200 "the image rollback deployed exists in the registry"

test_case "keep_versions counts config versions: with 2, t01 and t02 go, the two rollback targets stay"
MCTL_IMAGES_KEEP_VERSIONS=2 mctl images gc registry --keep 1 --yes
expect_rc 0
# running t04 (a rollback: a new config version); its rollback targets are t05, then t03
expect_eq "$(registry_tags web | tr '\n' ' ')" "t03 t04 t05 "

finish
