#!/usr/bin/env bash
# Following an accepted change: tasks killed as unhealthy end a deploy early; a Marathon
# restart or leader election is waited out until the deadline (issue 11, items 3 and 5).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"

cd "$TMP" || exit 1

# now_ms: wall clock in milliseconds (for measured durations).
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# deploy_bg ARGS...: runs mctl deploy in the background (output in bg.out / bg.err); sets BG_PID.
deploy_bg() {
  "$MCTL" deploy "$@" >"$TMP/bg.out" 2>"$TMP/bg.err" &
  BG_PID=$!
}
# wait_bg: waits for the background mctl; sets RC, OUT, ERR.
wait_bg() {
  wait "$BG_PID"
  RC=$?
  OUT=$(cat "$TMP/bg.out")
  ERR=$(cat "$TMP/bg.err")
}
deployment_listed() { curl -s "$MARATHON_URL/v2/deployments" | grep -q '"affectedApps"'; }

start_marathon

test_case "3 tasks killed as unhealthy (maxConsecutiveFailures 2, backoff 20 s): exit 6 long before the deadline"
HC_FAILURES=2 write_app web.json /web registry.local/web:v1 3 '"backoffSeconds": 20'
mctl deploy web.json --marathon "$MARATHON_URL" --timeout 30s
expect_rc 0 "first version healthy"
sim POST app_faults '{"app":"/web","never_healthy":true,"scope":"next_config"}' >/dev/null
HC_FAILURES=2 write_app web.json /web registry.local/web:v2 3 '"backoffSeconds": 20'
started=$(now_ms)
mctl deploy web.json --marathon "$MARATHON_URL" --timeout 30s
took=$(( $(now_ms) - started ))
expect_rc 6
expect_within 14000 "$took" "a crash-looping deploy given up early"
expect_contains "$OUT" "failed tasks of the new version: 3"
expect_contains "$OUT" "TASK_KILLED"
expect_contains "$OUT" "rolled back to version"
echo "unhealthy kills: exit $RC after ${took} ms" >&2

test_case "a 3 s Marathon restart while following: the deploy ends as Marathon finishes it (exit 0)"
sim DELETE app_faults >/dev/null
sim POST app_faults '{"app":"/web","slow_staging_ms":2500,"scope":"next_config"}' >/dev/null
write_app web.json /web registry.local/web:v3 1
deploy_bg web.json --marathon "$MARATHON_URL" --timeout 60s
expect_true wait_until 20 deployment_listed
expect_true kill -0 "$BG_PID"
sim POST instance "{\"url\":\"$MARATHON_URL\",\"down\":true,\"for_ms\":3000}" >/dev/null
expect_true wait_until 5 bash -c "! curl -s -o /dev/null $MARATHON_URL/ping"   # refused while down
wait_bg
expect_rc 0
expect_contains "$OUT" "/web: deployed"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v3

test_case "a ~6 s leader election (the other URL answers 'no leader'): exit 0"
port=$(free_port)
start_service "marathon-ha-$port" "curl -sf -o /dev/null http://127.0.0.1:$port/_sim/state" \
  python3 "$MCTL_TESTS/servers/marathon_sim.py" --port 0 --peer-port "$port" --tick-ms 20 --stage-ms 100 \
  --health-ms 150 --heartbeat-ms 1000
leader_port=$(sed -n 's/^marathon_sim listening on \([0-9]*\) .*/\1/p' "$TMP/marathon-ha-$port.log")
A=http://127.0.0.1:$leader_port
B=http://127.0.0.1:$port
MARATHON_URL=$B   # admin requests through the peer, which stays up
write_app web.json /web registry.local/web:v1 1
mctl deploy web.json --marathon "$A" --marathon "$B" --timeout 30s
expect_rc 0
sim POST app_faults '{"app":"/web","slow_staging_ms":2000,"scope":"next_config"}' >/dev/null
write_app web.json /web registry.local/web:v2 1
deploy_bg web.json --marathon "$A" --marathon "$B" --timeout 60s
expect_true wait_until 20 deployment_listed
sim POST instance "{\"url\":\"$A\",\"down\":true,\"election_ms\":6000}" >/dev/null
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$B/v2/leader")" 404 "no leader during the election"
wait_bg
expect_rc 0
expect_contains "$OUT" "/web: deployed"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v2

test_case "an outage longer than the deadline: exit 4, error object on stdout and error line on stderr"
start_marathon
write_app web.json /web registry.local/web:v1 1
mctl deploy web.json --marathon "$MARATHON_URL" --timeout 30s
sim POST app_faults '{"app":"/web","slow_staging_ms":5000,"scope":"next_config"}' >/dev/null
write_app web.json /web registry.local/web:v2 1
deploy_bg web.json --marathon "$MARATHON_URL" --timeout 4s --json
expect_true wait_until 20 deployment_listed
sim POST instance "{\"url\":\"$MARATHON_URL\",\"down\":true,\"for_ms\":30000}" >/dev/null
wait_bg
expect_rc 4
expect_contains "$OUT" '"event":"result"'
expect_eq "$(tail -1 "$TMP/bg.out" | jq_py "j['error']['exit_code']")" 4 "error object on stdout"
expect_contains "$(tail -1 "$TMP/bg.out" | jq_py "j['error']['message']")" "unreachable"
expect_contains "$ERR" "mctl: error: deploy: 1 of 1 app(s) not done"
expect_contains "$ERR" "not rolled back"
expect_not_contains "$OUT" '"phase":"rolled-back"' "no rollback can be sent to a Marathon that does not answer"

finish
