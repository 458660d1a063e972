#!/usr/bin/env bash
# Self-test of the Marathon simulator (tests/servers/marathon_sim.py) against
# Marathon's REST API (docs/docs/rest-api in its source), with curl: status codes, headers, error bodies,
# deployments, locks, faults, the SSE framing, auth and leader behaviour.
# It does not use mctl: it checks the instrument the mctl suites rely on.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_cmd curl python3

SIM="$MCTL_TESTS/servers/marathon_sim.py"
FAST=(--tick-ms 20 --stage-ms 100 --health-ms 150)

# start_sim NAME ARGS...: starts a simulator on a free port, sets $URL.
start_sim() {
  local name=$1; shift
  local port; port=$(free_port)
  URL="http://127.0.0.1:$port"
  start_service "$name" "curl -s -o /dev/null http://127.0.0.1:$port/_sim/state" \
    python3 "$SIM" --port "$port" "$@"
  SIM_PID=$SERVICE_PID
}

# http METHOD URL [BODY] [CURL ARGS...]: sets STATUS, BODY, HDRS (header block).
http() {
  local method=$1 url=$2 data=${3-}; shift 3 2>/dev/null || shift $#
  local args=(-s -X "$method" -D "$TMP/.hdr" -o "$TMP/.body" -w '%{http_code}')
  [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  STATUS=$(curl "${args[@]}" "$@" "$url")
  BODY=$(cat "$TMP/.body")
  HDRS=$(tr -d '\r' <"$TMP/.hdr")
  OUT=$BODY ERR=""
}

# j EXPR: evaluates a Python expression over the JSON in $BODY (bound to d) and prints the
# result (strings and numbers as is, the rest as JSON). One Python process serves all calls:
# starting python3 per check is far too slow on a loaded machine.
coproc PYJ { python3 -u -c '
import json, sys
for line in sys.stdin:
    expr, path = line.rstrip("\n").split("\t")
    try:
        d = json.loads(open(path).read())
        r = eval(expr)
        out = r if isinstance(r, (str, int, float)) and not isinstance(r, bool) else json.dumps(r)
    except Exception as e:
        out = "<error: %r>" % (e,)
    print(str(out).replace("\n", "\\n"))
'; }
_PIDS+=($PYJ_PID)
j() {
  printf '%s' "$BODY" >"$TMP/.jbody"
  printf '%s\t%s\n' "$1" "$TMP/.jbody" >&"${PYJ[1]}"
  local line; IFS= read -r line <&"${PYJ[0]}"
  printf '%s\n' "$line"
}

header() { sed -n "s/^$1: //Ip" <<<"$HDRS" | head -1; }

no_deployments() { [[ $(curl -s "$URL/v2/deployments") == "[]" ]]; }
deployment_listed() { curl -s "$URL/v2/deployments" | grep -q "\"$1\""; }

APP='{"id":"/prod/web","cmd":"python3 -m http.server $PORT0","instances":2,"cpus":0.1,"mem":64,
 "healthChecks":[{"protocol":"HTTP","path":"/health","intervalSeconds":10,"timeoutSeconds":5}]}'

start_sim sim "${FAST[@]}" --heartbeat-ms 300 --no-leader-wait-ms 200
A=$URL

# SSE consumer for the whole main scenario
curl -sN -H 'Accept: text/event-stream' "$A/v2/events" >"$TMP/events.sse" 2>/dev/null &
_PIDS+=($!)
wait_until 10 grep -q event_stream_attached "$TMP/events.sse" || fail_now "event stream did not attach"

test_case "ping"
http GET "$A/ping"
expect_eq "$STATUS" 200
expect_eq "$(tr -d '\n' <<<"$BODY")" pong
expect_eq "$(header X-Marathon-Leader)" "$A" "leader header"

test_case "create with POST"
# slow staging keeps this deployment visible long enough to inspect it, also on a loaded CI
# machine where each of the checks below starts a python3 (1.5 s was missed under load)
http POST "$A/_sim/app_faults" '{"app":"/prod/web","slow_staging_ms":5000}'
http POST "$A/v2/apps" "$APP"
expect_eq "$STATUS" 201
DEP1=$(header Marathon-Deployment-Id)
expect_eq "$(j 'd["deployments"][0]["id"]')" "$DEP1" "deployment id in body and header"
expect_eq "$(j '"versionInfo" in d')" false "no versionInfo in the POST answer"
expect_eq "$(j '[d["tasksStaged"],d["tasksRunning"],d["tasksHealthy"],d["tasksUnhealthy"]]')" "[0, 0, 0, 0]"
expect_contains "$(header Location)" "/v2/apps/prod/web"
V1=$(j 'd["version"]')
http GET "$A/v2/deployments"
expect_eq "$(j '[x["id"] for x in d]')" "[\"$DEP1\"]" "listed before the reply finished"
expect_eq "$(j '[[a["action"] for a in s["actions"]] for s in d[0]["steps"]]')" \
  '[["StartApplication"], ["ScaleApplication"]]' "create plan"
expect_eq "$(j 'd[0]["totalSteps"]')" 2
http GET "$A/v2/apps/prod/web"
expect_eq "$(j 'd["app"]["deployments"]')" "[{\"id\": \"$DEP1\"}]" "app shows its deployment"
expect_eq "$(j '[t["state"] for t in d["app"]["tasks"]]')" '["TASK_STAGING", "TASK_STAGING"]'
expect_eq "$(j 'd["app"]["tasksStaged"]')" 2
http POST "$A/_sim/app_faults" '{"app":"/prod/web"}'
expect_true wait_until 10 no_deployments
http GET "$A/v2/apps/prod/web"
expect_eq "$(j '[d["app"]["tasksRunning"],d["app"]["tasksHealthy"],d["app"]["tasksUnhealthy"]]')" "[2, 2, 0]"
expect_eq "$(j 'sorted(set(t["version"] for t in d["app"]["tasks"]))')" "[\"$V1\"]" "tasks run the version"
expect_eq "$(j 'all(t["healthCheckResults"][0]["alive"] for t in d["app"]["tasks"])')" true
expect_eq "$(j 'd["app"]["versionInfo"]["lastConfigChangeAt"]')" "$V1"
expect_eq "$(j 'd["app"]["portDefinitions"][0]["port"] >= 10000')" true "service port assigned"

test_case "POST of an existing app"
http POST "$A/v2/apps" "$APP"
expect_eq "$STATUS" 409
expect_eq "$(j 'd["message"]')" "An app with id [/prod/web] already exists."

test_case "config change with PUT"
http PUT "$A/v2/apps/prod/web?partialUpdate=false" "${APP/http.server/http.server --bind 0.0.0.0}"
expect_eq "$STATUS" 200
DEP2=$(j 'd["deploymentId"]'); V2=$(j 'd["version"]')
expect_eq "$(header Marathon-Deployment-Id)" "$DEP2"
expect_true test "$V2" \> "$V1"
http GET "$A/v2/apps/prod/web"
expect_contains "$(j 'd["app"]["cmd"]')" "--bind" "target definition visible at once"
expect_eq "$(j 'd["app"]["version"]')" "$V2"
expect_true wait_until 10 no_deployments
http GET "$A/_sim/deployment_log"
expect_eq "$(j "[e['steps'] for e in d if e['id']=='$DEP2']")" '[[["RestartApplication /prod/web"]]]' "update plan"
http GET "$A/v2/apps/prod/web"
expect_eq "$(j 'sorted(set(t["version"] for t in d["app"]["tasks"]))')" "[\"$V2\"]" "old tasks replaced"
expect_eq "$(j 'd["app"]["tasksHealthy"]')" 2
http GET "$A/v2/apps/prod/web/versions"
expect_eq "$(j 'sorted(d["versions"])')" "[\"$V1\", \"$V2\"]"
http GET "$A/v2/apps/prod/web/versions/$V1"
expect_eq "$STATUS" 200
expect_eq "$(j '("--bind" in d["cmd"], d["version"], "tasks" in d)')" "[false, \"$V1\", false]" "bare old definition"
http GET "$A/v2/apps/prod/web/versions/2001-01-01T00:00:00.000Z"
expect_eq "$STATUS" 404
expect_eq "$(j 'd["message"]')" "App '/prod/web' does not exist in version 2001-01-01T00:00:00.000Z"

test_case "no-op PUT"
http PUT "$A/v2/apps/prod/web?partialUpdate=false" "${APP/http.server/http.server --bind 0.0.0.0}"
expect_eq "$STATUS" 200
expect_true test "$(j 'd["version"]')" \> "$V2"
NOOP=$(j 'd["deploymentId"]')
http GET "$A/v2/apps/prod/web"
expect_eq "$(j 'd["app"]["version"]')" "$V2" "no-op does not move the app version"
http GET "$A/_sim/deployment_log"
expect_eq "$(j "[(e['outcome'], e['steps']) for e in d if e['id']=='$NOOP']")" '[["success", []]]' "zero steps, finished"

test_case "scale"
http PUT "$A/v2/apps/prod/web" '{"instances":3}'
expect_eq "$STATUS" 200
V3=$(j 'd["version"]'); SCALE=$(j 'd["deploymentId"]')
expect_true wait_until 10 no_deployments
http GET "$A/_sim/deployment_log"
expect_eq "$(j "[e['steps'] for e in d if e['id']=='$SCALE']")" '[[["ScaleApplication /prod/web"]]]' "scale plan"
http GET "$A/v2/apps/prod/web"
expect_eq "$(j '[d["app"]["instances"], d["app"]["tasksHealthy"], d["app"]["version"]]')" "[3, 3, \"$V3\"]"
expect_eq "$(j 'd["app"]["versionInfo"]')" "{\"lastScalingAt\": \"$V3\", \"lastConfigChangeAt\": \"$V2\"}"
expect_contains "$(j 'd["app"]["cmd"]')" "--bind" "partial update keeps other fields"

test_case "restart"
http POST "$A/v2/apps/prod/web/restart" ""
expect_eq "$STATUS" 200
V4=$(j 'd["version"]')
expect_true wait_until 10 no_deployments
http GET "$A/v2/apps/prod/web"
expect_eq "$(j 'd["app"]["versionInfo"]')" "{\"lastScalingAt\": \"$V3\", \"lastConfigChangeAt\": \"$V4\"}"
expect_eq "$(j 'sorted(set(t["version"] for t in d["app"]["tasks"]))')" "[\"$V4\"]"

# sample_restart APP: samples the app while its deployment runs; prints "max_tasks min_healthy"
sample_restart() {
  local max=0 min=999 n h
  while deployment_listed "$1"; do
    http GET "$A/v2/apps/$2"
    read -r n h < <(j '"%d %d" % (len(d["app"]["tasks"]), d["app"]["tasksHealthy"])')
    (( n > max )) && max=$n
    (( h < min )) && min=$h
  done
  echo "$max $min"
}

test_case "upgradeStrategy is honoured during a restart"
http POST "$A/_sim/apps" '{"id":"/rolling","cmd":"x","instances":4,"upgradeStrategy":{"minimumHealthCapacity":0.5,"maximumOverCapacity":0},
  "healthChecks":[{"intervalSeconds":10,"timeoutSeconds":5}]}'
http POST "$A/_sim/app_faults" '{"app":"/rolling","slow_staging_ms":1000}'
http POST "$A/v2/apps/rolling/restart" ""
expect_eq "$(sample_restart "$(j 'd["deploymentId"]')" rolling)" "4 2" "never more than 4 tasks, never under 2 healthy"
http GET "$A/v2/apps/rolling"
expect_eq "$(j 'd["app"]["tasksHealthy"]')" 4
http PUT "$A/v2/apps/rolling" '{"instances":2,"upgradeStrategy":{"minimumHealthCapacity":1,"maximumOverCapacity":0}}'
expect_true wait_until 10 no_deployments
http POST "$A/v2/apps/rolling/restart" ""
expect_eq "$(sample_restart "$(j 'd["deploymentId"]')" rolling)" "3 2" "min 1 / max 0: one extra task at a time"
# Marathon sizes a restart by the instances the app has (TaskReplaceActor's
# computeRestartStrategy), not by the healthy ones: with minimumHealthCapacity 1 and no
# over-capacity it may go one over while an instance is still being replaced (here: killed just
# before, its replacement staging). Counting only healthy ones left the restart stuck for good.
http GET "$A/v2/apps/rolling"
http DELETE "$A/v2/apps/rolling/tasks/$(j 'd["app"]["tasks"][0]["id"]')"
expect_eq "$STATUS" 200
http POST "$A/v2/apps/rolling/restart" ""

expect_true wait_until 15 no_deployments
http GET "$A/v2/apps/rolling"
expect_eq "$(j '[d["app"]["tasksHealthy"], len(d["app"]["tasks"])]')" "[2, 2]" "the restart with a replaced instance finished"
http POST "$A/_sim/app_faults" '{"app":"/rolling"}'

test_case "readiness checks hold a deployment"
http POST "$A/_sim/app_faults" '{"app":"/ready","never_ready":true}'
http PUT "$A/v2/apps/ready" '{"cmd":"x","instances":1,"portDefinitions":[{"port":0,"name":"http"}],
  "readinessChecks":[{"name":"ready","portName":"http","path":"/ready","intervalSeconds":5,"timeoutSeconds":2,"preserveLastResponse":true}]}'
READY=$(j 'd["deploymentId"]')
running_ready() { curl -s "$A/v2/apps/ready" | grep -q '"tasksRunning":1'; }
expect_true wait_until 10 running_ready
readiness_answered() {  # the step's first readiness probe has an answer
  curl -s "$A/v2/deployments" | python3 -c 'import json,sys; d=json.load(sys.stdin)
r=[c for x in d for a in x["currentActions"] for c in a.get("readinessCheckResults") or []]
sys.exit(0 if r and (r[0].get("lastResponse") or {}).get("status") else 1)'
}
expect_true wait_until 10 readiness_answered
http GET "$A/v2/deployments"
expect_eq "$(j '[(r["name"], r["ready"], r["lastResponse"]["status"]) for r in d[0]["currentActions"][0]["readinessCheckResults"]]')" \
  '[["ready", false, 503]]' "running but not ready: the step waits"
http GET "$A/v2/apps/ready?embed=app.readiness"
expect_eq "$(j '[r["ready"] for r in d["app"]["readinessCheckResults"]]')" '[false]'
http DELETE "$A/v2/apps/ready"

test_case "validation: 422 and 400 bodies"
http PUT "$A/v2/apps/Bad_Id" '{"cmd":"x"}'
expect_eq "$STATUS" 422
expect_eq "$(j '(d["message"], [e["path"] for e in d["details"]])')" '["Object is not valid", ["/id"]]'
http POST "$A/v2/apps" '{"id":"/v","cmd":"x","args":["y"]}'
expect_eq "$(j '(d["details"][0]["path"], d["details"][0]["errors"][0])')" \
  "[\"/\", \"AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.\"]"
http POST "$A/v2/apps" '{"id":"/v","cmd":"x","upgradeStrategy":{"minimumHealthCapacity":1.5}}'
expect_eq "$STATUS" 422
expect_eq "$(j 'd["details"][0]["path"]')" /upgradeStrategy/minimumHealthCapacity
http POST "$A/v2/apps" '{"id":"/v","cmd":"x","instances":"two"}'
expect_eq "$STATUS" 422
expect_eq "$(j 'd')" '{"message": "Invalid JSON", "details": [{"path": "/instances", "errors": ["error.expected.jsnumber"]}]}'
http POST "$A/v2/apps" '{"id":"/v","cmd":"x",}'
expect_eq "$STATUS" 400
expect_eq "$(j '(d["message"], type(d["details"]).__name__)')" '["Invalid JSON", "str"]'
http PUT "$A/v2/apps/prod/web" "{\"version\":\"$V1\",\"instances\":1}"
expect_eq "$(j '(d["details"][0]["path"], d["details"][0]["errors"][0])')" \
  "[\"/\", \"The 'version' field may only be combined with the 'id' field.\"]"
http GET "$A/v2/apps/v"
expect_eq "$STATUS" 404 "rejected apps are not stored"
expect_eq "$(j 'd["message"]')" "App '/v' does not exist"
http GET "$A/v2/nosuchthing"
expect_eq "$STATUS" 500 "unknown route under /v2 (1.6+ answers 500)"
expect_eq "$(j 'd["message"]')" "URI not found"

test_case "bodies a real Marathon accepted are accepted"
for f in "$MCTL_FIXTURES"/marathon/examples/system-tests/apps/*.json; do
  # two of them share an id (/sleep): a real Marathon would answer 409 too, so each gets its own
  http PUT "$A/v2/apps/systest/$(basename "$f" .json)?partialUpdate=false" "$(cat "$f")"
  expect_eq "$STATUS" 201 "$(basename "$f")"
done
http POST "$A/v2/groups" "$(cat "$MCTL_FIXTURES/marathon/examples/system-tests/groups/sleep-group.json")"
expect_eq "$STATUS" 201 "sleep-group.json"
http GET "$A/v2/groups/sleep-group/sleep"
expect_eq "$(j '[a["id"] for a in d["apps"]]')" '["/sleep-group/sleep/goodnight-1", "/sleep-group/sleep/goodnight-2"]'
http GET "$A/v2/apps/systest/docker-http-server"
expect_eq "$(j '(d["app"]["networks"], "network" in d["app"]["container"]["docker"], d["app"]["container"]["portMappings"][0]["containerPort"])')" \
  '[[{"mode": "container/bridge"}], false, 8080]' "pre-1.5 networking rendered the 1.5+ way"
expect_true wait_until 10 no_deployments   # group deletes default to force=false
http DELETE "$A/v2/groups/systest"
expect_eq "$STATUS" 200
http DELETE "$A/v2/groups/sleep-group"
expect_eq "$STATUS" 200
http GET "$A/v2/apps/systest/docker-http-server"
expect_eq "$STATUS" 404 "group delete removes its apps"
expect_true wait_until 10 no_deployments

test_case "never healthy: deployment stays, 409 lock, force"
http POST "$A/_sim/app_faults" '{"app":"/prod/web","never_healthy":true,"scope":"next_config"}'
expect_eq "$STATUS" 200
http PUT "$A/v2/apps/prod/web?partialUpdate=false" "${APP/http.server/http.server --bind 127.0.0.1}"
BAD=$(j 'd["deploymentId"]')
unhealthy_seen() { curl -s "$A/v2/apps/prod/web" | grep -q '"tasksUnhealthy":[1-9]'; }
expect_true wait_until 10 unhealthy_seen
expect_true wait_until 10 grep -q unhealthy_instance_kill_event "$TMP/events.sse"
several_kills() { (($(grep -c unhealthy_instance_kill_event "$TMP/events.sse") >= 3)); }
expect_true wait_until 15 several_kills   # the deployment must still be there after several kill cycles
expect_true deployment_listed "$BAD"
http GET "$A/v2/apps/prod/web"
expect_eq "$(j 'd["app"]["tasksHealthy"]')" 2 "old tasks keep serving (minimumHealthCapacity 1)"
expect_eq "$(j '(d["app"]["lastTaskFailure"]["state"], d["app"]["lastTaskFailure"]["version"] == d["app"]["version"])')" \
  '["TASK_KILLED", true]' "health-check kills are recorded as task failures"
http PUT "$A/v2/apps/prod/web" '{"instances":4}'
expect_eq "$STATUS" 409
expect_eq "$(j 'd["deployments"]')" "[{\"id\": \"$BAD\"}]"
expect_eq "$(j 'd["message"]')" "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'."
http POST "$A/v2/apps/prod/web/restart" ""
expect_eq "$STATUS" 409 "restart is locked too"
http GET "$A/v2/apps/prod/web"
VICTIM=$(j 'd["app"]["tasks"][0]["id"]')
http DELETE "$A/v2/apps/prod/web/tasks/$VICTIM?scale=true"
expect_eq "$STATUS" 409 "a kill with scale=true is locked too"
expect_eq "$(j 'd["deployments"]')" "[{\"id\": \"$BAD\"}]"
http GET "$A/v2/apps/prod/web"
expect_eq "$(j '"'"$VICTIM"'" in [t["id"] for t in d["app"]["tasks"]]')" true "nothing killed by the refused kill"
http DELETE "$A/v2/apps/prod/web/tasks/web.instance-00000000-0000-4000-8000-000000000000._app.1"
expect_eq "$STATUS" 404
expect_eq "$(j 'd["message"]')" "Task 'web.instance-00000000-0000-4000-8000-000000000000._app.1' does not exist"
expect_true wait_until 5 grep -q group_change_failed "$TMP/events.sse"

test_case "cancel = rollback deployment"
http DELETE "$A/v2/deployments/$BAD"
expect_eq "$STATUS" 200
RB=$(j 'd["deploymentId"]'); VRB=$(j 'd["version"]')
expect_eq "$(header Marathon-Deployment-Id)" "$RB"
expect_true wait_until 5 grep -q "\"deployment_failed\".*\"$BAD\"\|\"$BAD\".*The upgrade has been cancelled" "$TMP/events.sse"
expect_true wait_until 10 no_deployments
http GET "$A/v2/apps/prod/web"
expect_eq "$(j '[("127.0.0.1" in d["app"]["cmd"]), d["app"]["version"], d["app"]["tasksHealthy"]]')" "[false, \"$VRB\", 3]" "old definition back, healthy"
http DELETE "$A/v2/deployments/$BAD"
expect_eq "$STATUS" 404
expect_eq "$(j 'd["message"]')" "DeploymentPlan $BAD does not exist"

test_case "force=true supersedes; cancel with force=true keeps the new definition"
http POST "$A/_sim/app_faults" '{"app":"/prod/web","never_healthy":true}'
http PUT "$A/v2/apps/prod/web" '{"cmd":"sleep 1000"}'
STUCK=$(j 'd["deploymentId"]')
http PUT "$A/v2/apps/prod/web?force=true" '{"cmd":"sleep 2000"}'
expect_eq "$STATUS" 200
FORCED=$(j 'd["deploymentId"]')
expect_true wait_until 5 grep -q "\"id\":\"$STUCK\".*The upgrade has been cancelled" "$TMP/events.sse"
http GET "$A/v2/deployments"
expect_eq "$(j '[x["id"] for x in d]')" "[\"$FORCED\"]"
http DELETE "$A/v2/deployments/$FORCED?force=true"
expect_eq "$STATUS" 202
expect_eq "$BODY" ""
expect_true no_deployments
http GET "$A/v2/apps/prod/web"
expect_eq "$(j 'd["app"]["cmd"]')" "sleep 2000" "no rollback"
http POST "$A/_sim/app_faults" '{"app":"/prod/web"}'

test_case "crash loop: lastTaskFailure, queue delay"
http POST "$A/_sim/app_faults" '{"app":"/crash","crash_loop":true}'
http POST "$A/v2/apps" '{"id":"/crash","cmd":"exit 1","instances":1,"backoffSeconds":5}'
CRASH=$(header Marathon-Deployment-Id)
queued() { curl -s "$A/v2/queue" | grep -q '"timeLeftSeconds":[1-9]'; }
expect_true wait_until 10 queued
http GET "$A/v2/queue"
expect_eq "$(j '[(e["app"]["id"], e["count"], e["delay"]["overdue"]) for e in d["queue"]]')" '[["/crash", 1, false]]'
http GET "$A/v2/apps/crash"
expect_eq "$(j '(d["app"]["lastTaskFailure"]["state"], d["app"]["lastTaskFailure"]["version"] == d["app"]["version"])')" '["TASK_FAILED", true]'
expect_eq "$(j 'sorted(d["app"]["lastTaskFailure"])')" '["appId", "host", "message", "slaveId", "state", "taskId", "timestamp", "version"]'
expect_true deployment_listed "$CRASH"
http GET "$A/v2/apps"
expect_eq "$(j '[("lastTaskFailure" in a) for a in d["apps"] if a["id"]=="/crash"]')" '[false]' "list embeds failures only on request"
http GET "$A/v2/apps?embed=apps.lastTaskFailure&id=crash"
expect_eq "$(j '[a["lastTaskFailure"]["state"] for a in d["apps"]]')" '["TASK_FAILED"]'
http DELETE "$A/v2/queue/crash/delay"
expect_eq "$STATUS" 204
http DELETE "$A/v2/queue/prod/web/delay"
expect_eq "$STATUS" 404

test_case "an app no agent can place: queued, offers declined with Marathon's reasons"
http POST "$A/v2/apps" '{"id":"/big","cmd":"sleep 1000","instances":1,"cpus":64}'
offers_declined() { curl -s "$A/v2/queue" | grep -q '"processedOffersCount":[1-9]'; }
expect_true wait_until 10 offers_declined
http GET "$A/v2/queue?embed=lastUnusedOffers"
expect_eq "$(j '[e["app"]["id"] for e in d["queue"] if e["app"]["id"] == "/big"]')" '["/big"]'
expect_eq "$(j '[(r["reason"], r["declined"] == r["processed"] > 0) for e in d["queue"] if e["app"]["id"] == "/big" for r in e["processedOffersSummary"]["rejectSummaryLastOffers"] if r["declined"]]')" \
  '[["InsufficientCpus", true]]' "every offer declined for cpus, nothing else"
expect_eq "$(j '[(o["reason"], o["offer"]["resources"][0]["name"]) for e in d["queue"] if e["app"]["id"] == "/big" for o in e["lastUnusedOffers"]][:1]')" \
  '[[["InsufficientCpus"], "cpus"]]'
http DELETE "$A/v2/apps/big"
expect_eq "$STATUS" 200

test_case "delete app"
http DELETE "$A/v2/apps/crash"
expect_eq "$STATUS" 200 "delete defaults to force=true on a locked app"
http GET "$A/v2/apps/crash"
expect_eq "$STATUS" 404
expect_true wait_until 5 grep -q '"app_terminated_event".*"/crash"\|"/crash".*"app_terminated_event"' "$TMP/events.sse"
expect_true wait_until 10 no_deployments

test_case "groups, tasks, info, leader"
http GET "$A/v2/groups"
expect_eq "$(j '[g["id"] for g in d["groups"]]')" '["/prod"]'
expect_eq "$(j '[a["id"] for a in d["groups"][0]["apps"]]')" '["/prod/web"]'
http GET "$A/v2/groups/nope"
expect_eq "$STATUS" 404
expect_eq "$(j 'd["message"]')" "Group '/nope' does not exist"
http GET "$A/v2/tasks?status=running"
expect_eq "$(j 'len(d["tasks"]) >= 3')" true
http GET "$A/v2/info"
expect_eq "$(j '(d["name"], d["elected"], d["leader"])')" "[\"marathon\", true, \"${A#http://}\"]"
http GET "$A/v2/leader"
expect_eq "$(j 'd')" "{\"leader\": \"${A#http://}\"}"

test_case "SSE framing"
python3 - "$TMP/events.sse" <<'EOF' >"$TMP/frames.txt" 2>&1
import json, re, sys
raw = open(sys.argv[1], "rb").read().decode()
pos, frames, beats = 0, [], 0
frame = re.compile(r"event: ([a-z_]+)\r\ndata: (\{[^\r\n]*\})\r\n\r\n")
while pos < len(raw):
    if raw.startswith("\r\n", pos):
        beats += 1; pos += 2; continue
    m = frame.match(raw, pos)
    if not m:
        if "\r\n" not in raw[pos:]:
            break  # a frame still being written
        print("BAD FRAMING at %d: %r" % (pos, raw[pos:pos + 80])); sys.exit(1)
    d = json.loads(m.group(2))
    assert d["eventType"] == m.group(1), m.group(0)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", d["timestamp"]), d
    frames.append(d); pos = m.end()
print("first", frames[0]["eventType"])
print("heartbeats", "yes" if beats else "no")
print("types", " ".join(sorted(set(f["eventType"] for f in frames))))
EOF
FR=$(cat "$TMP/frames.txt")
expect_contains "$FR" "first event_stream_attached"
expect_contains "$FR" "heartbeats yes"
for t in api_post_event group_change_success deployment_info deployment_step_success deployment_success \
         deployment_failed status_update_event instance_changed_event health_status_changed_event \
         instance_health_changed_event failed_health_check_event add_health_check_event; do
  expect_contains "$FR" " $t" "event type $t"
done
expect_not_contains "$FR" "BAD FRAMING"
expect_true grep -q "^data: {\"id\":\"$DEP1\",\"plan\".*\"eventType\":\"deployment_success\"" "$TMP/events.sse"
curl -s -D "$TMP/sse.hdr" -o /dev/null --max-time 0.5 -H 'Accept: text/event-stream' "$A/v2/events?event_type=deployment_success"
HDRS=$(tr -d '\r' <"$TMP/sse.hdr")
expect_eq "$(header Content-Type)" "text/event-stream;charset=UTF-8"
expect_eq "$(header Connection)" "close"
http GET "$A/v2/events" "" -H 'Accept: text/event-stream, */*'
expect_eq "$STATUS" 405 "Accept must be exactly text/event-stream"
# The filtered stream sends no attached event: its response headers say it is subscribed.
curl -sN --max-time 3 -D "$TMP/filtered.hdr" -H 'Accept: text/event-stream' \
  "$A/v2/events?event_type=deployment_success" >"$TMP/filtered.sse" &
_PIDS+=($!)
expect_true wait_until 3 grep -q '^HTTP/1.[01] 200' "$TMP/filtered.hdr"
http POST "$A/v2/apps/prod/web/restart" "" -G -d force=true
expect_true wait_until 5 grep -q deployment_success "$TMP/filtered.sse"
expect_eq "$(grep -c '^event:' "$TMP/filtered.sse")" 1 "event_type filter: nothing else, not even attached"

test_case "http faults and request log"
http DELETE "$A/_sim/requests"
http POST "$A/_sim/http_faults" '{"status":503,"count":2}'
http GET "$A/v2/apps"; S1=$STATUS
http GET "$A/v2/apps"; S2=$STATUS
http GET "$A/v2/apps"; S3=$STATUS
expect_eq "$S1 $S2 $S3" "503 503 200"
http POST "$A/_sim/http_faults" '{"drop":1,"path":"/v2/apps","method":"PUT"}'
http GET "$A/v2/apps"
expect_eq "$STATUS" 200 "drop only applies to matching requests"
run curl -s -X PUT "$A/v2/apps/prod/web" -d '{"instances":3}'
expect_eq "$RC" 52 "connection closed without an answer (curl: empty reply)"
http POST "$A/_sim/http_faults" '{"drop_after":1,"method":"PUT"}'
run curl -s -X PUT "$A/v2/apps/prod/web" -d '{"instances":1}'
expect_eq "$RC" 52 "no answer"
http GET "$A/v2/apps/prod/web"
expect_eq "$(j 'd["app"]["instances"]')" 1 "but the change was applied"
http GET "$A/_sim/requests"
expect_eq "$(j 'd[-2]["status"]')" "dropped after processing"
expect_eq "$(j 'len(d)')" 7
BODY=$(j 'd[:5]')
expect_eq "$(j '[(r["method"], r["path"], r.get("fault")) for r in d]')" \
  '[["GET", "/v2/apps", "status"], ["GET", "/v2/apps", "status"], ["GET", "/v2/apps", null], ["GET", "/v2/apps", null], ["PUT", "/v2/apps/prod/web", "drop"]]'
expect_eq "$(j 'd[-1]["body"]')" '{"instances":3}' "raw request body kept"

test_case "seeding apps with history"
http POST "$A/_sim/apps" '{"app":{"id":"/seed","cmd":"v3","instances":2,"version":"2020-01-03T00:00:00.000Z"},
  "versions":[{"id":"/seed","cmd":"v1","version":"2020-01-01T00:00:00.000Z"},{"id":"/seed","cmd":"v2","version":"2020-01-02T00:00:00.000Z"}]}'
expect_eq "$STATUS" 201
http GET "$A/v2/apps/seed/versions"
expect_eq "$(j 'sorted(d["versions"])')" '["2020-01-01T00:00:00.000Z", "2020-01-02T00:00:00.000Z", "2020-01-03T00:00:00.000Z"]'
http GET "$A/v2/apps/seed"
expect_eq "$(j '(d["app"]["tasksRunning"], d["app"]["deployments"], d["app"]["version"])')" '[2, [], "2020-01-03T00:00:00.000Z"]'
http PUT "$A/v2/apps/seed" '{"version":"2020-01-01T00:00:00.000Z"}'
expect_eq "$STATUS" 200 "rollback to a seeded version"
http GET "$A/v2/apps/seed"
expect_eq "$(j 'd["app"]["cmd"]')" v1

test_case "app list filters"
http POST "$A/_sim/apps" '{"apps":[{"id":"/lbl/a","cmd":"run-a","labels":{"team":"core","tier":"web"}},
  {"id":"/lbl/b","cmd":"run-b","labels":{"team":"edge"}},{"id":"/lbl/c","cmd":"run-c"}]}'
expect_eq "$STATUS" 201
lbl() { http GET "$A/v2/apps" "" -G --data-urlencode "$1"; j '[a["id"] for a in d["apps"] if a["id"].startswith("/lbl/")]'; }
expect_eq "$(lbl 'label=team==core')" '["/lbl/a"]'
expect_eq "$(lbl 'label=team!=core')" '["/lbl/b"]' "every selector needs the label to exist"
expect_eq "$(lbl 'label=team')" '["/lbl/a", "/lbl/b"]'
expect_eq "$(lbl 'label=team in (core, edge),tier')" '["/lbl/a"]'
expect_eq "$(lbl 'label=team notin (core)')" '["/lbl/b"]'
expect_eq "$(lbl 'id=LBL/B')" '["/lbl/b"]' "id filter is a case-insensitive substring"
expect_eq "$(lbl 'cmd=run-c')" '["/lbl/c"]'

test_case "several apps in one request: dependency order"
http PUT "$A/v2/apps" '[{"id":"/dep/web","cmd":"w","dependencies":["/dep/api"]},{"id":"/dep/db","cmd":"d"},
  {"id":"dep/api","cmd":"a","dependencies":["db"]}]'
expect_eq "$STATUS" 200
BATCH=$(j 'd["deploymentId"]')
expect_true wait_until 10 no_deployments
http GET "$A/_sim/deployment_log"
expect_eq "$(j "[e['steps'] for e in d if e['id']=='$BATCH'][0]")" \
  '[["StartApplication /dep/web", "StartApplication /dep/db", "StartApplication /dep/api"], ["ScaleApplication /dep/db"], ["ScaleApplication /dep/api"], ["ScaleApplication /dep/web"]]' "relative ids and dependencies resolved"
http PATCH "$A/v2/apps/nope" '{"instances":1}'
expect_eq "$STATUS" 404 "PATCH never creates"
http PATCH "$A/v2/apps/dep/api" '{"instances":0}'
expect_eq "$STATUS" 200

test_case "groups: declarative PUT, dryRun, POST conflict"
http PUT "$A/v2/groups/grp" '{"apps":[{"id":"a","cmd":"x"},{"id":"b","cmd":"y"}]}'
expect_eq "$STATUS" 200
expect_eq "$(header Marathon-Deployment-Id)" "$(j 'd["deploymentId"]')"
expect_true wait_until 10 no_deployments
http PUT "$A/v2/groups/grp?dryRun=true" '{"apps":[{"id":"a","cmd":"x","instances":2}]}'
expect_eq "$(j 'd')" '{"steps": [{"actions": [{"action": "StopApplication", "app": "/grp/b"}]}, {"actions": [{"action": "ScaleApplication", "app": "/grp/a"}]}]}'
http GET "$A/v2/apps/grp/b"
expect_eq "$STATUS" 200 "dryRun changes nothing"
http PUT "$A/v2/groups/grp" '{"apps":[{"id":"a","cmd":"x","instances":2}]}'
expect_true wait_until 10 no_deployments
http GET "$A/v2/apps/grp/b"
expect_eq "$STATUS" 404 "apps absent from the group body are removed"
http POST "$A/v2/groups" '{"id":"/grp"}'
expect_eq "$STATUS" 409
expect_eq "$(j 'd["message"]')" "Group /grp is already created. Use PUT to change this group."

test_case "lossy events"
http POST "$A/_sim/event_faults" '{"drop":["deployment_success"],"count":1}'
http PUT "$A/v2/apps/dep/api" '{"instances":1}'
LOST=$(j 'd["deploymentId"]')
expect_true wait_until 10 no_deployments
http GET "$A/_sim/deployment_log"
expect_eq "$(j "[e['outcome'] for e in d if e['id']=='$LOST']")" '["success"]'
dropped() { curl -s "$A/_sim/event_faults" | grep -q '"dropped": *\[[^]]*"deployment_success"'; }
expect_true wait_until 5 dropped
expect_eq "$(grep -c "\"id\":\"$LOST\",\"plan\"" "$TMP/events.sse")" 0 "deployment_success was not delivered"
expect_true grep -q "\"id\":\"$LOST\".*deployment_step_success" "$TMP/events.sse"

test_case "Expect: 100-continue is answered"
big=$(printf '%02000d' 0)
START=$(date +%s%N)
http PUT "$A/v2/apps/big" "{\"cmd\":\"echo $big\",\"instances\":0}" -H 'Expect: 100-continue' --expect100-timeout 5
expect_eq "$STATUS" 201
expect_true test $(( ($(date +%s%N) - START) / 1000000 )) -lt 3000

test_case "50 apps deploying at once"
for i in $(seq 1 50); do
  curl -s -o /dev/null -X PUT "$A/v2/apps/bench/app-$i" -d '{"cmd":"sleep 1","instances":2,"healthChecks":[{"intervalSeconds":10,"timeoutSeconds":5}]}' &
done
wait_for_puts() { [[ $(curl -s "$A/v2/apps?id=/bench/" | grep -o '"id":"/bench/app-' | wc -l) == 50 ]]; }
expect_true wait_until 20 wait_for_puts
expect_true wait_until 20 no_deployments
http GET "$A/_sim/deployment_log"
# staging 100 ms + first health result 150 ms: each deployment needs ~0.25 s; lag shows as more
expect_eq "$(j 'max(e["durationMs"] for e in d if e["affectedApps"] and e["affectedApps"][0].startswith("/bench/")) < 2000')" true \
  "no deployment lagged (max $(j 'max(e["durationMs"] for e in d if e["affectedApps"] and e["affectedApps"][0].startswith("/bench/"))') ms)"
http GET "$A/v2/apps?id=/bench/"
expect_eq "$(j 'sum(a["tasksHealthy"] for a in d["apps"])')" 100

test_case "leader loss closes the event stream"
curl -sN -H 'Accept: text/event-stream' "$A/v2/events" >"$TMP/loss.sse" 2>/dev/null &
LOSS=$!; _PIDS+=($LOSS)
wait_until 5 grep -q event_stream_attached "$TMP/loss.sse"
http POST "$A/_sim/leader" '{"leader":false}'
stream_closed() { ! kill -0 "$LOSS" 2>/dev/null; }
expect_true wait_until 5 stream_closed
http GET "$A/v2/apps"
expect_eq "$STATUS" 502 "no leader known"
http GET "$A/v2/leader"
expect_eq "$(j 'd')" '{"message": "There is no leader"}'
http POST "$A/_sim/leader" '{"leader":true}'
http GET "$A/v2/apps"
expect_eq "$STATUS" 200

test_case "auth"
printf 'TOK\n' >"$TMP/token"
start_sim auth "${FAST[@]}" --basic-auth 'ops:s3cret' --token-file "$TMP/token" --readonly-token RO --max-deployments 1
U=$URL
http GET "$U/v2/apps"
expect_eq "$STATUS" 401
expect_eq "$(header WWW-Authenticate)" 'basic realm="Mesosphere"'
expect_contains "$(header Content-Type)" text/html
http GET "$U/v2/apps" "" -u ops:wrong
expect_eq "$STATUS" 401
http GET "$U/v2/apps" "" -u ops:s3cret
expect_eq "$STATUS" 200
http GET "$U/v2/apps" "" -H 'Authorization: token=TOK'
expect_eq "$STATUS" 200
http GET "$U/v2/apps" "" -H 'Authorization: token=nope'
expect_eq "$STATUS" 401
expect_eq "$(j 'd')" '{"message": "Invalid username or password."}'
http GET "$U/v2/apps" "" -H 'Authorization: token=RO'
expect_eq "$STATUS" 200
http PUT "$U/v2/apps/x" '{"cmd":"x"}' -H 'Authorization: token=RO'
expect_eq "$STATUS" 403
expect_eq "$(j 'd')" '{"message": "Not Authorized to perform this action!"}'
http GET "$U/_sim/state"
expect_eq "$STATUS" 200 "admin API is never authenticated"

test_case "too many deployments"
http POST "$U/_sim/app_faults" '{"app":"/a","never_healthy":true}'
http PUT "$U/v2/apps/a" '{"cmd":"x","healthChecks":[{"intervalSeconds":10,"timeoutSeconds":5}]}' -u ops:s3cret
expect_eq "$STATUS" 201
http PUT "$U/v2/apps/b" '{"cmd":"x"}' -u ops:s3cret
expect_eq "$STATUS" 403
expect_contains "$(j 'd["message"]')" "Max number (1) of running deployments is achieved."

test_case "non-leader proxies to the leader"
start_sim follower --not-leader --leader-url "$A"
F=$URL
http GET "$F/v2/apps/prod/web"
expect_eq "$STATUS" 200
expect_eq "$(header X-Marathon-Leader)" "$A" "leader's headers copied"
http PUT "$F/v2/apps/via-follower" '{"cmd":"x","instances":0}'
expect_eq "$STATUS" 201
http GET "$A/v2/apps/via-follower"
expect_eq "$STATUS" 200 "the change reached the leader"
http GET "$A/_sim/requests"
expect_eq "$(j '[r["path"] for r in d][-2]')" /v2/apps/via-follower
http GET "$F/v2/events" "" -H 'Accept: text/event-stream'
expect_eq "$STATUS" 302
expect_eq "$(header Location)" "$A/v2/events"
test_case "HA pair sharing state: proxy, re-election"
P2=$(free_port)
start_sim ha "${FAST[@]}" --peer-port "$P2"
H1=$URL H2="http://127.0.0.1:$P2"
http PUT "$H2/v2/apps/ha" '{"cmd":"x","instances":1}'
expect_eq "$STATUS" 201 "write through the non-leader"
expect_eq "$(header X-Marathon-Leader)" "$H1"
curl -sN -H 'Accept: text/event-stream' "$H1/v2/events" >"$TMP/ha.sse" 2>/dev/null &
HASSE=$!; _PIDS+=($HASSE)
wait_until 5 grep -q event_stream_attached "$TMP/ha.sse"
http POST "$H1/_sim/leader" "{\"elect\":\"$H2\"}"
expect_eq "$STATUS" 200
ha_closed() { ! kill -0 "$HASSE" 2>/dev/null; }
expect_true wait_until 5 ha_closed
http GET "$H1/v2/apps/ha"
expect_eq "$(header X-Marathon-Leader)" "$H2" "old leader now proxies to the new one"
expect_eq "$(j 'd["app"]["id"]')" /ha "state survives the leader change"
http GET "$H2/v2/info"
expect_eq "$(j '(d["elected"], d["leader"])')" "[true, \"${H2#http://}\"]"
http GET "$H1/v2/events" "" -H 'Accept: text/event-stream'
expect_eq "$(header Location)" "$H2/v2/events"
http POST "$H1/_sim/instance" "{\"url\":\"$H2\",\"down\":true}"
expect_eq "$STATUS" 200
h2_refused() { curl -s -o /dev/null "$H2/ping"; [[ $? == 7 ]]; }
expect_true wait_until 5 h2_refused
http GET "$H1/v2/apps/ha"
expect_eq "$STATUS $(header X-Marathon-Leader)" "200 $H1" "the surviving instance took over"
http POST "$H1/_sim/instance" "{\"url\":\"$H2\",\"down\":false}"
http GET "$H2/v2/apps/ha"
expect_eq "$STATUS $(header X-Marathon-Leader)" "200 $H1" "back as a follower"

test_case "a leader stopped with election_ms: no leader for that long, then a peer is elected"
http POST "$H2/_sim/instance" "{\"url\":\"$H1\",\"down\":true,\"election_ms\":1500}"
expect_eq "$STATUS" 200
http GET "$H2/v2/leader"
expect_eq "$STATUS $(j 'd["message"]')" "404 There is no leader" "during the election"
h2_leads() { curl -s "$H2/v2/leader" | grep -q "${H2#http://}"; }
expect_true wait_until 10 h2_leads
http GET "$H2/v2/apps/ha"
expect_eq "$(j 'd["app"]["id"]')" /ha "state survives the election"

test_case "an instance stopped with for_ms refuses connections, then answers again with its state (a restart)"
http POST "$H2/_sim/instance" "{\"url\":\"$H2\",\"down\":true,\"for_ms\":2000}"
expect_eq "$STATUS" 200
expect_true wait_until 5 h2_refused
h2_back() { curl -sf -o /dev/null "$H2/v2/apps/ha"; }
expect_true wait_until 10 h2_back
http POST "$H2/_sim/instance" "{\"url\":\"$H1\",\"down\":false}"

test_case "non-leader without a reachable leader"
start_sim orphan --not-leader --no-leader-wait-ms 50
http GET "$URL/ping"
expect_eq "$STATUS" 502 "no leader"
expect_contains "$BODY" "Could not determine the current leader"
stop_service "$SIM_PID"
start_sim deadleader --not-leader --leader-url "$URL"
http GET "$URL/v2/apps"
expect_eq "$STATUS" 502 "leader refuses connections (proxy loop or refused)"

finish
