#!/usr/bin/env bash
# Every write is judged by the state it leaves: through tests/servers/lossy_proxy.py, each
# write command's request reaches the Marathon simulator but its answer is lost (the
# connection closes without a byte). mctl must read the state back, neither send the change
# twice nor trust the status code of a re-sent request, and end with the exit code and
# message for the state Marathon is really in.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"

start_marathon
PROXY_PORT=$(free_port)
start_service proxy "curl -sf -o /dev/null http://127.0.0.1:$PROXY_PORT/_proxy/log" \
  python3 "$MCTL_TESTS/servers/lossy_proxy.py" --port "$PROXY_PORT" --upstream "$MARATHON_URL"
PROXY_URL=http://127.0.0.1:$PROXY_PORT
cd "$TMP" || exit 1
M=(--marathon "$PROXY_URL")

# drop METHOD PATH_REGEX: the next request matching it is forwarded and its answer lost.
drop() { curl -sf -X POST "$PROXY_URL/_proxy/drop" -d "{\"method\":\"$1\",\"path\":\"$2\"}" >/dev/null || fail_now "arming the proxy failed"; }
# dropped METHOD PATH: how many answers to METHOD PATH the proxy has lost so far.
dropped() {
  curl -s "$PROXY_URL/_proxy/log" | python3 -c "import json,sys
print(sum(1 for r in json.load(sys.stdin) if r['method']=='$1' and r['path']=='$2' and r['dropped']))"
}
# sent METHOD PATH: how many such requests reached the simulator (exact path, query ignored).
sent() {
  sim GET requests | python3 -c "import json,sys
print(sum(1 for r in json.load(sys.stdin) if r['method']=='$1' and r['path'].split('?')[0]=='$2'))"
}
image() { app_field /web "a['container']['docker']['image']"; }

write_app web.json /web registry.local/web:v1 2
mctl deploy web.json "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "setup deploy failed: $ERR"

test_case "deploy (PUT) whose answer is lost: followed to done, sent once"
write_app web.json /web registry.local/web:v2 2
drop PUT '^/v2/apps/web$'
puts=$(sent PUT /v2/apps/web)
mctl deploy web.json "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(dropped PUT /v2/apps/web)" 1 "the proxy lost the answer"
expect_eq "$(sent PUT /v2/apps/web)" $((puts + 1)) "the PUT was not sent again"
expect_eq "$(image)" registry.local/web:v2
expect_eq "$(app_field /web "a['tasksHealthy']")" 2

test_case "scale (PUT) whose answer is lost"
drop PUT '^/v2/apps/web$'
puts=$(sent PUT /v2/apps/web)
mctl scale /web 3 "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "scaled to 3 instance(s)"
expect_eq "$(dropped PUT /v2/apps/web)" 2
expect_eq "$(sent PUT /v2/apps/web)" $((puts + 1)) "the PUT was not sent again"
expect_eq "$(app_field /web "a['tasksHealthy'], a['instances']")" "3 3"

test_case "restart (POST) whose answer is lost: one restart, not two"
drop POST '^/v2/apps/web/restart$'
mctl restart /web "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "restarted"
expect_eq "$(dropped POST /v2/apps/web/restart)" 1
expect_eq "$(sent POST /v2/apps/web/restart)" 1 "the restart was not sent again"
expect_eq "$(app_field /web "a['tasksHealthy']")" 3

test_case "rollback (PUT version) whose answer is lost"
drop PUT '^/v2/apps/web$'
puts=$(sent PUT /v2/apps/web)
mctl rollback /web "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "rolled back to the definition of version"
expect_eq "$(sent PUT /v2/apps/web)" $((puts + 1)) "the PUT was not sent again"
expect_eq "$(image)" registry.local/web:v1

test_case "stop (PUT instances 0) whose answer is lost"
drop PUT '^/v2/apps/web$'
puts=$(sent PUT /v2/apps/web)
mctl stop /web "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "scaled to 0 instance(s)"
expect_eq "$(sent PUT /v2/apps/web)" $((puts + 1)) "the PUT was not sent again"
expect_eq "$(app_field /web "a['tasksRunning'], a['instances']")" "0 0"
mctl scale /web 1 "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "scaling back up failed: $ERR"

test_case "cancel (DELETE deployment) whose answer is lost: the revert is followed, not 'already finished'"
before=$(image)
sim POST app_faults '{"app":"/web","never_healthy":true,"scope":"next_config"}' >/dev/null
write_app web.json /web registry.local/web:v9 1
mctl deploy web.json "${M[@]}" --timeout 1s --no-rollback
expect_rc 4
dep=$(sim GET /v2/deployments | jq_py "j[0]['id']")
drop DELETE '^/v2/deployments/'
mctl cancel /web "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "cancelled deployment $dep; Marathon reverted the app"
expect_not_contains "$OUT" "already finished"
expect_eq "$(dropped DELETE "/v2/deployments/$dep")" 1
expect_eq "$(sent DELETE "/v2/deployments/$dep")" 1 "the cancel was not sent again"
expect_eq "$(image)" "$before"
expect_eq "$(sim GET /v2/deployments | jq_py "len(j)")" 0 "the revert finished before mctl said so"

test_case "destroy (DELETE) whose answer is lost: destroyed, exit 0"
drop DELETE '^/v2/apps/web$'
mctl destroy /web --yes "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "destroyed"
expect_eq "$(dropped DELETE /v2/apps/web)" 1
expect_eq "$(sent DELETE /v2/apps/web)" 1 "the DELETE was not sent again"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$MARATHON_URL/v2/apps/web")" 404

finish
