#!/usr/bin/env bash
# mctl deploy against the Marathon simulator: create, update, no-op, rollback on a
# never-healthy or crash-looping version, 409 locks, --no-rollback, --dry-run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"

start_marathon
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL")

test_case "create: a new app is deployed and healthy"
write_app web.json /web registry.local/web:v1 2
mctl deploy web.json "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "/web: deployed version"
expect_eq "$(app_field /web "a['tasksHealthy']")" 2
expect_eq "$(app_field /web "'MCTL_DEPLOYED_AT' in a['labels']")" True "deployed-at label"
v1=$(app_field /web "a['version']")

test_case "no-op: an unchanged app sends no PUT"
sim DELETE requests >/dev/null
mctl deploy web.json "${M[@]}"
expect_rc 0
expect_contains "$OUT" "/web: up to date"
expect_eq "$(request_count PUT /v2/apps)" 0 "PUTs sent"
expect_eq "$(app_field /web "a['version']")" "$v1" "version unchanged"

test_case "update: a new image replaces every task"
write_app web.json /web registry.local/web:v2 2
mctl deploy web.json "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v2
expect_eq "$(app_field /web "all(t['version'] >= a['versionInfo']['lastConfigChangeAt'] for t in a['tasks'])")" True "no old task"
expect_eq "$(app_field /web "a['tasksHealthy']")" 2
v2=$(app_field /web "a['version']")
expect_eq "$(sim GET requests | jq_py "[r['query'] for r in j if r['method']=='PUT'][0]")" "partialUpdate=false&force=false"

test_case "dry-run prints the diff and the request, sends nothing"
write_app web.json /web registry.local/web:v3 2
sim DELETE requests >/dev/null
mctl deploy web.json "${M[@]}" --dry-run
expect_rc 0
expect_contains "$OUT" '~ /container/docker/image: "registry.local/web:v2" -> "registry.local/web:v3"'
expect_contains "$OUT" "would send: PUT $MARATHON_URL/v2/apps/web?partialUpdate=false"
expect_eq "$(request_count PUT /v2/apps)" 0 "PUTs sent"

test_case "diff shows the change"
mctl diff web.json "${M[@]}"
expect_rc 0
expect_contains "$OUT" "/container/docker/image"

test_case "never healthy: deadline, rollback, old version healthy again, exit 6"
sim POST app_faults '{"app":"/web","never_healthy":true,"scope":"next_config"}' >/dev/null
HC_FAILURES=0 write_app web.json /web registry.local/web:v3 2   # unhealthy tasks are never killed
mctl deploy web.json "${M[@]}" --timeout 3s
expect_rc 6
expect_contains "$OUT" "deadline of 3s passed"
expect_contains "$OUT" "rolled back to version $(app_field /web "a['version']") (the definition of version $v2)" \
  "names the version Marathon runs now (the cancel wrote the old definition as a new version)"
expect_contains "$OUT" "unhealthy task:"
expect_contains "$ERR" "1 of 1 app(s) not done"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v2 "image restored"
expect_eq "$(app_field /web "a['tasksHealthy']")" 2 "old version healthy"
expect_eq "$(sim GET /v2/deployments | jq_py 'len(j)')" 0 "nothing left deploying"

test_case "unhealthy tasks killed again and again: gives up before the deadline, rolls back"
sim POST app_faults '{"app":"/web","never_healthy":true,"scope":"next_config"}' >/dev/null
write_app web.json /web registry.local/web:v3 2
mctl deploy web.json "${M[@]}" --timeout 60s
expect_rc 6
expect_contains "$OUT" "tasks of the new version were killed (failing health checks)"
expect_contains "$OUT" "Task was killed since health check failed"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v2 "image restored"

test_case "crash loop: stops before the deadline with the task failure, rolls back"
sim POST app_faults '{"app":"/web","crash_loop":true,"scope":"next_config"}' >/dev/null
start=$(date +%s)
mctl deploy web.json "${M[@]}" --timeout 60s
expect_rc 6
expect_contains "$OUT" "crash loop"
expect_contains "$OUT" "last task failure:"
expect_contains "$OUT" "Container exited"
expect_true test $(( $(date +%s) - start )) -lt 30
reason=$(sed -n 's|^/web: \(.*crash loop.*\) ([0-9.]*s)$|\1|p' <<<"$OUT")
expect_contains "$reason" "crash loop" "the report line gives the reason"
expect_eq "$(grep -cF -- "$reason" <<<"$OUT"$'\n'"$(grep '^mctl: error:' <<<"$ERR")")" 1 \
  "the reason is printed once in the report, not again in the error line"
expect_contains "$ERR" "mctl: error: deploy: 1 of 1 app(s) not done: /web (reason above)"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v2 "image restored"

test_case "--no-rollback: deadline leaves the deployment running, exit 4"
sim POST app_faults '{"app":"/web","never_healthy":true,"scope":"next_config"}' >/dev/null
HC_FAILURES=0 write_app web.json /web registry.local/web:v3 2
mctl deploy web.json "${M[@]}" --timeout 2s --no-rollback
expect_rc 4
expect_contains "$OUT" "not rolled back (--no-rollback)"
expect_contains "$OUT" "mctl cancel /web"
expect_eq "$(sim GET /v2/deployments | jq_py 'len(j)')" 1 "deployment still running"

test_case "409: a locked app is not forced without --force; the deadline names --force"
write_app web.json /web registry.local/web:v4 2
sim DELETE requests >/dev/null
mctl deploy web.json "${M[@]}" --timeout 2s
expect_rc 4
expect_contains "$OUT" "rerun with --force"
expect_eq "$(sim GET requests | jq_py "sum(1 for r in j if r['method']=='PUT' and 'force=true' in r['query'])")" 0 "no forced PUT"

test_case "409 --force: the blocking deployment is cancelled and the new one succeeds"
sim DELETE app_faults >/dev/null
mctl deploy web.json "${M[@]}" --timeout 30s --force
expect_rc 0
expect_contains "$ERR$OUT" "forcing (--force)"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v4

test_case "409 wait: mctl waits for the other deployment, then deploys"
sim POST app_faults '{"app":"/web","slow_staging_ms":1500,"scope":"next_config"}' >/dev/null
curl -s -X POST "$MARATHON_URL/v2/apps/web/restart" >/dev/null
write_app web.json /web registry.local/web:v5 2
mctl deploy web.json "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$ERR" "waiting for it"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v5

test_case "new app never healthy: rollback removes it, exit 6"
sim POST app_faults '{"app":"/fresh","never_healthy":true}' >/dev/null
write_app fresh.json /fresh registry.local/fresh:v1 1
mctl deploy fresh.json "${M[@]}" --timeout 2s
expect_rc 6
expect_contains "$OUT" "the new app was removed"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$MARATHON_URL/v2/apps/fresh")" 404

test_case "422: Marathon's validation details are shown"
echo '{"id":"/bad","instances":1,"cmd":"x","upgradeStrategy":{"minimumHealthCapacity":2}}' >bad.json
mctl deploy bad.json "${M[@]}"
expect_rc 2
expect_contains "$ERR" "/upgradeStrategy/minimumHealthCapacity"

test_case "--json streams NDJSON progress and a result line"
write_app web.json /web registry.local/web:v6 2
mctl deploy web.json "${M[@]}" --json
expect_rc 0
expect_true python3 -c "import json,sys
lines=[json.loads(l) for l in sys.argv[1].splitlines()]
assert lines[-1]['event']=='result' and lines[-1]['apps'][0]['status']=='deployed', lines[-1]
assert any(l.get('phase')=='deploying' and 'healthy' in l for l in lines)" "$OUT"

finish
