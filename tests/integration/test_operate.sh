#!/usr/bin/env bash
# Operating commands: status, apps, versions, rollback, restart, scale, stop, destroy,
# deployments, cancel.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"

start_marathon
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL")

write_app web.json /web registry.local/web:v1 2
mctl deploy web.json "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "setup deploy failed: $ERR"
v1=$(app_field /web "a['version']")
write_app web.json /web registry.local/web:v2 2
mctl deploy web.json "${M[@]}" --timeout 30s
v2=$(app_field /web "a['version']")

test_case "status shows version, image, health and tasks with hosts"
mctl status /web "${M[@]}"
expect_rc 0
expect_contains "$OUT" "version:    $v2"
expect_contains "$OUT" "image:      registry.local/web:v2"
expect_contains "$OUT" "health:     healthy"
expect_contains "$OUT" "TASK_RUNNING  healthy"
mctl status /web "${M[@]}" --json
expect_eq "$(jq_py "j['healthy'], j['instances'], len(j['tasks'])" <<<"$OUT")" "2 2 2"

test_case "an app that does not exist is 'nothing found' (exit 8) in every operating command"
for cmd in "status" "versions" "rollback" "restart" "scale 2" "stop" "destroy --yes"; do
  read -r -a args <<<"$cmd"
  mctl "${args[0]}" /nope "${args[@]:1}" "${M[@]}" </dev/null
  expect_rc 8 "$cmd"
  expect_contains "$ERR" "app /nope does not exist" "$cmd"
done
expect_eq "$(request_count PUT /v2/apps/nope)" 0 "scale/stop of a missing app must not create it"

test_case "apps lists every app with its health"
mctl apps "${M[@]}"
expect_rc 0
expect_contains "$OUT" "/web"
expect_contains "$OUT" "2/2"

test_case "versions: newest first, current marked"
mctl versions /web "${M[@]}"
expect_rc 0
expect_eq "$(head -1 <<<"$OUT" | cut -d' ' -f1,2)" "$v2 *"
expect_contains "$OUT" "$v1    registry.local/web:v1"

test_case "rollback (default: previous definition) waits until healthy"
mctl rollback /web "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "rolled back to the definition of version $v1"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v1
expect_eq "$(app_field /web "a['tasksHealthy']")" 2

test_case "rollback --to a given version"
mctl rollback /web --to "$v2" "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v2

test_case "restart replaces every task"
before=$(app_field /web "sorted(t['id'] for t in a['tasks'])")
mctl restart /web "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "restarted"
after=$(app_field /web "sorted(t['id'] for t in a['tasks'])")
expect_eq "$(python3 -c "print(set($before) & set($after))")" "set()" "no task kept"

test_case "scale waits for the new instance count"
mctl scale /web 3 "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(app_field /web "a['tasksHealthy'], a['instances']")" "3 3"

test_case "stop scales to 0"
mctl stop /web "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(app_field /web "a['tasksRunning'], a['instances']")" "0 0"
mctl scale /web 1 "${M[@]}" --timeout 30s

test_case "--no-wait returns once Marathon accepted the change"
mctl restart /web "${M[@]}" --no-wait
expect_rc 0
expect_contains "$OUT" "not waiting: --no-wait"

test_case "deployments lists what is in flight; cancel rolls back and waits"
sim POST app_faults '{"app":"/web","never_healthy":true,"scope":"next_config"}' >/dev/null
write_app web.json /web registry.local/web:v9 1
mctl deploy web.json "${M[@]}" --timeout 1s --no-rollback
mctl deployments "${M[@]}"
expect_rc 0
expect_contains "$OUT" "apps /web"
dep=$(sim GET /v2/deployments | jq_py "j[0]['id']")
mctl cancel /web "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "cancelled deployment $dep; Marathon reverted the app"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v2
mctl cancel "$dep" "${M[@]}"
expect_rc 8 "nothing to cancel is 'nothing found'"
expect_contains "$ERR" "no deployment in flight"

test_case "destroy needs --yes without a terminal and changes nothing"
mctl destroy /web "${M[@]}" </dev/null
expect_rc 2
expect_contains "$ERR" "refusing without --yes"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$MARATHON_URL/v2/apps/web")" 200

test_case "destroy --yes removes the app and waits"
mctl destroy /web --yes "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "destroyed"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$MARATHON_URL/v2/apps/web")" 404

finish
