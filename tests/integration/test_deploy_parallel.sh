#!/usr/bin/env bash
# Many apps in one deploy: dependencies ordered, one failure contained; Ctrl-C while following.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"

start_marathon
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL")

# 20 apps: /p/db, /p/cache; /p/api depends on both; svc01..svc16 depend on /p/api; /p/edge on svc01.
write_app db.json /p/db registry.local/db:v1 1
write_app cache.json /p/cache registry.local/cache:v1 1
write_app api.json /p/api registry.local/api:v1 1 '"dependencies": ["/p/db", "/p/cache"]'
files=(db.json cache.json api.json)
for i in $(seq -w 1 16); do
  write_app "svc$i.json" "/p/svc$i" "registry.local/svc:v1" 1 '"dependencies": ["/p/api"]'
  files+=("svc$i.json")
done
write_app edge.json /p/edge registry.local/edge:v1 1 '"dependencies": ["svc01"]'
files+=(edge.json)

test_case "20 apps in parallel respect their dependencies"
mctl deploy "${files[@]}" "${M[@]}" --parallel 8 --timeout 60s
expect_rc 0
expect_eq "$(grep -c ': deployed version' <<<"$OUT")" 20 "apps deployed"
order_ok=$(sim GET deployment_log | python3 -c "import json,sys
log={d['affectedApps'][0]: d for d in json.load(sys.stdin)}
deps={'/p/api':['/p/db','/p/cache'],'/p/edge':['/p/svc01']}
deps.update({'/p/svc%02d'%i:['/p/api'] for i in range(1,17)})
ok=all(log[a]['startedAtMs'] >= log[d]['endedAtMs'] for a,ds in deps.items() for d in ds)
svc=[log['/p/svc%02d'%i] for i in range(1,17)]
overlap=any(x['startedAtMs'] < y['endedAtMs'] and y['startedAtMs'] < x['endedAtMs'] for x in svc for y in svc if x is not y)
print(ok and overlap)")
expect_eq "$order_ok" True "dependents start after their dependencies end; independent apps overlap"

test_case "one failure rolls back only that app and skips its dependents"
for f in "${files[@]}"; do sed -i 's/:v1"/:v2"/' "$f"; done
sim POST app_faults '{"app":"/p/svc01","never_healthy":true,"scope":"next_config"}' >/dev/null
mctl deploy "${files[@]}" "${M[@]}" --parallel 8 --timeout 20s
expect_rc 6
expect_contains "$OUT" "/p/svc01: 3 tasks of the new version were killed (failing health checks)"
expect_contains "$OUT" "/p/edge: not deployed: its dependency /p/svc01 failed"
expect_eq "$(grep -c ': deployed version' <<<"$OUT")" 18 "other apps deployed"
MARATHON_URL=$MARATHON_URL
expect_eq "$(app_field /p/svc01 "a['container']['docker']['image']")" registry.local/svc:v1 "failed app rolled back"
expect_eq "$(app_field /p/svc02 "a['container']['docker']['image']")" registry.local/svc:v2 "others keep the new version"
expect_eq "$(app_field /p/edge "a['container']['docker']['image']")" registry.local/edge:v1 "dependent not touched"

test_case "a dependency cycle is refused before anything is sent"
write_app a.json /c/a registry.local/a:v1 1 '"dependencies": ["/c/b"]'
write_app b.json /c/b registry.local/b:v1 1 '"dependencies": ["/c/a"]'
sim DELETE requests >/dev/null
mctl deploy a.json b.json "${M[@]}"
expect_rc 2
expect_contains "$ERR" "cycle"
expect_eq "$(request_count PUT /v2/apps)" 0 "PUTs sent"

test_case "Ctrl-C while following: exit 130, Marathon untouched, next commands printed"
sim POST app_faults '{"app":"/p/db","never_healthy":true,"scope":"next_config"}' >/dev/null
# never killed as unhealthy (maxConsecutiveFailures 0): mctl would rightly give up after 3 kills
HC_FAILURES=0 write_app db.json /p/db registry.local/db:v3 1
sim DELETE requests >/dev/null
"$MCTL" deploy db.json "${M[@]}" --timeout 60s >"$TMP/int.out" 2>"$TMP/int.err" &
pid=$!
wait_until 20 grep -q "deploying" "$TMP/int.err"
wait_until 20 test "$(request_count PUT /v2/apps)" = 1
kill -INT "$pid"
wait "$pid"
RC=$?
OUT=$(cat "$TMP/int.out")
ERR=$(cat "$TMP/int.err")
expect_rc 130
expect_contains "$OUT" "stopped following deployment"
expect_contains "$OUT" "mctl wait /p/db"
expect_contains "$OUT" "mctl cancel"
expect_eq "$(request_count DELETE /v2/deployments)" 0 "no cancel sent"
expect_eq "$(sim GET /v2/deployments | jq_py 'len(j)')" 1 "deployment still running in Marathon"

finish
