#!/usr/bin/env bash
# mctl deploy by spec name through render (YAML app spec + environment vars, in a git work
# tree), scale-only changes that keep the running tasks, and Marathon's 422 details pointed at
# the YAML line that produced the rejected value.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"
need_cmd git

start_marathon
PROJECT=$TMP/project
mkdir -p "$PROJECT/apps"
cat >"$PROJECT/mctl.yaml" <<EOF
project: shop
registry: registry.local:5000
default_env: test
vars:
  log_level: info
environments:
  test:
    marathon:
      urls: [$MARATHON_URL]
    vars:
      instances: 2
      log_level: debug
EOF
cat >"$PROJECT/apps/web.yaml" <<'EOF'
id: /shop/{{ app.name }}
image: web
instances: "{{ instances }}"
cpus: 0.1
mem: 64
networks:
  - mode: container/bridge
container:
  portMappings:
    - containerPort: 8080
      hostPort: 0
      name: http
env:
  LOG_LEVEL: "{{ log_level | upper }}"
healthChecks:
  - protocol: MESOS_HTTP
    path: /health
    portIndex: 0
    gracePeriodSeconds: 5
    intervalSeconds: 2
    timeoutSeconds: 1
    maxConsecutiveFailures: 3
EOF
# cpus below Marathon's minimum of 0.001: the app spec schema allows it, Marathon answers 422.
cat >"$PROJECT/apps/tiny.yaml" <<'EOF'
id: /shop/tiny
image: tiny
instances: 1
mem: 32
cpus: 0.0005
networks:
  - mode: container/bridge
EOF
[[ -d $PROJECT/apps && -n $PROJECT ]] || fail_now "no project directory"
git -C "$PROJECT" init -q -b main
git -C "$PROJECT" -c user.email=t@example.com -c user.name=t add -A
git -C "$PROJECT" -c user.email=t@example.com -c user.name=t commit -q -m init
SHA=$(git -C "$PROJECT" rev-parse HEAD)
cd "$PROJECT" || exit 1

# task_ids ID: the app's task ids, sorted, on one line.
task_ids() { app_field "$1" "' '.join(sorted(t['id'] for t in a['tasks']))"; }
# last_steps: the steps of the simulator's latest deployment.
last_steps() { sim GET deployment_log | jq_py "j[-1]['steps']"; }
# kept BEFORE AFTER: how many task ids of BEFORE are still in AFTER.
kept() { local n=0 t; for t in $1; do [[ " $2 " == *" $t "* ]] && n=$((n + 1)); done; echo "$n"; }

test_case "deploy by spec name: rendered for the environment, deployed and healthy"
mctl deploy web --timeout 30s
expect_rc 0
expect_contains "$OUT" "/shop/web: deployed version"
expect_eq "$(app_field /shop/web "a['container']['docker']['image']")" "registry.local:5000/web:${SHA:0:12}"
expect_eq "$(app_field /shop/web "a['env']['LOG_LEVEL']")" DEBUG "environment var, upper filter"
expect_eq "$(app_field /shop/web "a['instances']")" 2 "instances from the environment's vars"
expect_eq "$(app_field /shop/web "a['tasksHealthy']")" 2
expect_eq "$(app_field /shop/web "a['labels']['MCTL_GIT_SHA'].startswith('${SHA:0:12}')")" True "git sha label"

test_case "deploy by spec name again: up to date, nothing sent"
sim DELETE requests >/dev/null
mctl deploy web
expect_rc 0
expect_contains "$OUT" "/shop/web: up to date"
expect_eq "$(request_count PUT /v2/apps)" 0 "PUTs sent"

test_case "scale only (--set instances=3): one ScaleApplication step, running tasks kept"
before=$(task_ids /shop/web)
config=$(app_field /shop/web "a['versionInfo']['lastConfigChangeAt']")
stamp=$(app_field /shop/web "a['labels']['MCTL_DEPLOYED_AT']")
stamp_passed() { [[ $(date -u +%Y-%m-%dT%H:%M:%SZ) > "$stamp" ]]; }
expect_true wait_until 3 stamp_passed   # a new MCTL_DEPLOYED_AT (second resolution) would now differ
mctl deploy web --set instances=3 --dry-run
expect_rc 0
expect_contains "$OUT" "~ /instances: 2 -> 3"
expect_contains "$OUT" "\"MCTL_DEPLOYED_AT\": \"$stamp\"" "the request keeps the label"
mctl deploy web --set instances=3 --timeout 30s
expect_rc 0
expect_eq "$(app_field /shop/web "a['tasksHealthy']")" 3
expect_eq "$(last_steps)" "[['ScaleApplication /shop/web']]" "deployment steps"
expect_eq "$(app_field /shop/web "a['versionInfo']['lastConfigChangeAt']")" "$config" "lastConfigChangeAt unchanged"
expect_eq "$(app_field /shop/web "a['labels']['MCTL_DEPLOYED_AT']")" "$stamp" "MCTL_DEPLOYED_AT unchanged"
expect_eq "$(kept "$before" "$(task_ids /shop/web)")" 2 "both old tasks still run"

test_case "scale down only: an old task is kept, no restart"
before=$(task_ids /shop/web)
mctl deploy web --set instances=1 --timeout 30s
expect_rc 0
expect_eq "$(last_steps)" "[['ScaleApplication /shop/web']]" "deployment steps"
expect_eq "$(app_field /shop/web "len(a['tasks'])")" 1
expect_eq "$(kept "$before" "$(task_ids /shop/web)")" 1 "the remaining task is an old one"
expect_eq "$(app_field /shop/web "a['versionInfo']['lastConfigChangeAt']")" "$config" "lastConfigChangeAt unchanged"

test_case "a config change (with an instance change) replaces every task and moves the labels"
before=$(task_ids /shop/web)
mctl deploy web --set log_level=warn --timeout 30s
expect_rc 0
expect_eq "$(last_steps)" "[['RestartApplication /shop/web']]" "deployment steps"
expect_eq "$(app_field /shop/web "a['env']['LOG_LEVEL']")" WARN
expect_eq "$(app_field /shop/web "a['instances']")" 2 "back to the environment's instances"
expect_eq "$(app_field /shop/web "a['versionInfo']['lastConfigChangeAt'] != '$config'")" True "config version moved"
expect_eq "$(app_field /shop/web "a['labels']['MCTL_DEPLOYED_AT'] != '$stamp'")" True "MCTL_DEPLOYED_AT moved"
expect_eq "$(kept "$before" "$(task_ids /shop/web)")" 0 "every task replaced"

test_case "422 from Marathon: each detail points at the YAML line that produced it"
mctl deploy tiny --timeout 10s
expect_rc 2
expect_contains "$OUT" "Marathon answered HTTP 422: Object is not valid"
expect_contains "$OUT" "apps/tiny.yaml:5:7: /cpus: got 0.0005, expected 0.001 or more"
expect_contains "$ERR" "1 of 1 app(s) not done"
expect_eq "$(sim GET /v2/apps/shop/tiny | jq_py "j.get('message', '')")" "App '/shop/tiny' does not exist" "nothing created"

test_case "422 for a .json definition: Marathon's paths as they are"
echo '{"id": "/shop/tiny", "instances": 1, "cpus": 0.0005, "mem": 32, "cmd": "sleep 1000"}' >"$TMP/tiny.json"
mctl deploy "$TMP/tiny.json" --timeout 10s
expect_rc 2
expect_contains "$OUT" $'\n  /cpus: got 0.0005, expected 0.001 or more'

finish
