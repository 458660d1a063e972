# Helpers for the deploy suites: start the Marathon simulator, talk to its admin API, write
# app definitions. Source after lib.sh.
need_cmd python3 curl

# start_marathon [SIM ARGS...]: starts tests/servers/marathon_sim.py on a free port with fast
# timings; sets MARATHON_PORT, MARATHON_URL, MARATHON_PID.
start_marathon() {
  local port
  port=$(free_port)
  start_service "marathon-$port" "curl -sf -o /dev/null http://127.0.0.1:$port/_sim/state" \
    python3 "$MCTL_TESTS/servers/marathon_sim.py" --port "$port" --tick-ms 20 --stage-ms 100 \
    --health-ms 150 --heartbeat-ms 1000 "$@"
  MARATHON_PORT=$port
  MARATHON_URL=http://127.0.0.1:$port
  MARATHON_PID=$SERVICE_PID
}

# sim METHOD PATH [JSON]: calls the simulator's admin API (/_sim/PATH) or, for a path that
# starts with /, the Marathon API itself; prints the body.
sim() {
  local url=$MARATHON_URL
  [[ $2 == /* ]] && url+=$2 || url+=/_sim/$2
  if [[ -n ${3:-} ]]; then
    curl -s -X "$1" -H 'Content-Type: application/json' "$url" -d "$3"
  else
    curl -s -X "$1" "$url"
  fi
}

# jq_py EXPR: evaluates a Python expression over the JSON on stdin bound to `j`; prints it.
jq_py() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# app_field ID EXPR: EXPR over the app as GET /v2/apps/ID returns it (bound to `a`).
app_field() { sim GET "/v2/apps$1" | python3 -c "import json,sys; a=json.load(sys.stdin)['app']; print($2)"; }

# request_count METHOD PATH_PREFIX: API requests the simulator received so far.
request_count() {
  sim GET requests | python3 -c "import json,sys
print(sum(1 for r in json.load(sys.stdin) if r['method']=='$1' and r['path'].startswith('$2')))"
}

# write_app FILE ID IMAGE [INSTANCES] [EXTRA JSON fields, e.g. '"dependencies":["/a"]']: a Docker
# app with an HTTP health check (maxConsecutiveFailures: $HC_FAILURES, default 3).
write_app() {
  local file=$1 id=$2 image=$3 instances=${4:-2} extra=${5:-}
  cat >"$file" <<JSON
{"id": "$id", "instances": $instances, "cpus": 0.1, "mem": 64,
 "container": {"type": "DOCKER", "docker": {"image": "$image"},
               "portMappings": [{"containerPort": 8080, "hostPort": 0, "name": "http"}]},
 "networks": [{"mode": "container/bridge"}],
 "env": {"LOG_LEVEL": "info"},
 "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/health", "portIndex": 0,
                   "gracePeriodSeconds": 5, "intervalSeconds": 2, "maxConsecutiveFailures": ${HC_FAILURES:-3},
                   "timeoutSeconds": 1}]${extra:+, $extra}}
JSON
}
