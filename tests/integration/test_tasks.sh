#!/usr/bin/env bash
# mctl tasks, kill and queue against the Marathon simulator: task listing (new/old versions),
# kill by id or prefix (ambiguous -> 2, unknown -> 8), kill --scale following its deployment
# and refused by a 409 lock, a kill whose answer is lost (tests/servers/lossy_proxy.py: the
# retry must not kill a second task), and the launch queue with offer rejections and backoff.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"

start_marathon --offer-ms 100 --agent-cpus 4
PROXY_PORT=$(free_port)
start_service proxy "curl -sf -o /dev/null http://127.0.0.1:$PROXY_PORT/_proxy/log" \
  python3 "$MCTL_TESTS/servers/lossy_proxy.py" --port "$PROXY_PORT" --upstream "$MARATHON_URL"
PROXY_URL=http://127.0.0.1:$PROXY_PORT
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL")

# task_ids APP: the app's task ids, one per line, sorted.
task_ids() { sim GET "/v2/apps$1" | jq_py "'\n'.join(sorted(t['id'] for t in j['app']['tasks']))"; }
# kills: task kill requests (DELETE .../tasks/...) the simulator received so far.
kills() { sim GET requests | jq_py "sum(1 for r in j if r['method']=='DELETE' and '/tasks/' in r['path'])"; }
# task_currents APP: the distinct values of mctl tasks --json's "current", sorted.
task_currents() { "$MCTL" tasks "$1" --json "${M[@]}" | jq_py "sorted(set(t['current'] for t in j['tasks']))"; }
healthy_is() { [[ $(app_field "$1" "a['tasksHealthy']") == "$2" ]]; }

write_app web.json /web registry.local/web:v1 3
mctl deploy web.json "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "setup deploy failed: $ERR"

test_case "tasks: every task with host, state, health, ports; all new after a deploy"
mctl tasks /web "${M[@]}"
expect_rc 0
expect_contains "$OUT" "TASK      HOST"
expect_eq "$(grep -c ' running  ' <<<"$OUT")" 3 "three running tasks"
expect_eq "$(grep -c ' healthy  *new ' <<<"$OUT")" 3 "healthy and of the current config"
first=$(task_ids /web | sed -n 1p)
short=$(sed 's/.*\.instance-\(........\).*/\1/' <<<"$first")
expect_contains "$OUT" "$short"
port=$(sim GET /v2/apps/web | jq_py "[t['ports'][0] for t in j['app']['tasks'] if t['id']=='$first'][0]")
expect_contains "$(grep "^$short" <<<"$OUT")" " $port "

test_case "tasks --json: full ids, versions, current flag"
mctl tasks /web --json "${M[@]}"
expect_rc 0
expect_eq "$(jq_py "len(j['tasks']), all(t['current'] for t in j['tasks']), sorted(t['id'] for t in j['tasks'])[0]" <<<"$OUT")" "3 True $first"

test_case "tasks after a scale: the old tasks stay new (a scale is not a config change)"
mctl scale /web 4 "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "scale failed: $ERR"
mctl tasks /web --json "${M[@]}"
expect_eq "$(jq_py "len(j['tasks']), all(t['current'] for t in j['tasks'])" <<<"$OUT")" "4 True"

test_case "tasks during a deploy: old and new tasks side by side"
sim POST app_faults '{"app":"/web","slow_staging_ms":30000,"scope":"next_config"}' >/dev/null
sim PUT /v2/apps/web '{"container": {"type": "DOCKER", "docker": {"image": "registry.local/web:v2"},
  "portMappings": [{"containerPort": 8080, "hostPort": 0, "name": "http"}]}}' >/dev/null
has_old_tasks() { [[ $(task_currents /web) == "[False, True]" ]]; }
expect_true wait_until 10 has_old_tasks
mctl tasks /web "${M[@]}"
expect_eq "$(grep -c ' healthy  *old ' <<<"$OUT")" 4 "the old tasks still serve"
expect_eq "$(grep -c ' staging  *unknown  *new ' <<<"$OUT")" 4 "the new ones stage"

test_case "kill --scale while a deployment locks the app: nothing killed, exit 4 at the deadline"
victim=$(task_ids /web | sed -n 1p)
mctl kill "$victim" --scale --timeout 1s "${M[@]}"
expect_rc 4
expect_contains "$OUT" "locked by deployment" "the report says why"
expect_contains "$ERR" "kill: 1 of 1 app(s) not done: /web (reason above)" "the error line names the app, once"
expect_contains "$(task_ids /web)" "$victim" "the task still runs"
# a fresh /web without the slow staging for the next cases
sim DELETE app_faults >/dev/null
sim DELETE /v2/apps/web >/dev/null
no_deployments() { [[ $(sim GET /v2/deployments) == "[]" ]]; }
wait_until 30 no_deployments || fail_now "/web was not removed"
write_app web.json /web registry.local/web:v2 4
mctl deploy web.json "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "redeploying /web failed: $ERR"

test_case "kill by unique short-id prefix: that task only, Marathon replaces it (non-TTY needs no --yes)"
before=$(task_ids /web)
victim=$(sed -n 1p <<<"$before")
short=$(sed 's/.*\.instance-\(......\).*/\1/' <<<"$victim")
mctl kill "$short" "${M[@]}" </dev/null
expect_rc 0
expect_contains "$OUT" "killed task $victim"
expect_not_contains "$(task_ids /web)" "$victim"
expect_eq "$(comm -12 <(echo "$before") <(task_ids /web) | wc -l)" 3 "the other tasks still run"
wait_until 10 healthy_is /web 4
expect_eq "$(app_field /web "a['instances']")" 4 "no scale without --scale"

test_case "kill on a terminal asks first; anything but y changes nothing"
# pty_answer ANSWER -- CMD...: runs CMD on a pseudo-terminal, types ANSWER after "[y/N] ".
cat >pty_answer.py <<'PY'
import os, pty, select, sys, time
answer, cmd = sys.argv[1], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
seen, sent, deadline = b"", False, time.monotonic() + 30
while time.monotonic() < deadline:
    if not sent and b"[y/N] " in seen:
        os.write(fd, answer.encode() + b"\n")
        sent = True
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace").replace("\r", ""))
sys.exit(os.waitstatus_to_exitcode(status))
PY
victim=$(task_ids /web | sed -n 1p)
OUT=$(python3 pty_answer.py n -- "$MCTL" kill "$victim" "${M[@]}"); RC=$?
expect_rc 1
expect_contains "$OUT" "Kill task $victim of /web on "
expect_contains "$OUT" "not confirmed; nothing was changed"
expect_contains "$(task_ids /web)" "$victim" "the task still runs"
OUT=$(python3 pty_answer.py y -- "$MCTL" kill "$victim" "${M[@]}"); RC=$?
expect_rc 0
expect_not_contains "$(task_ids /web)" "$victim"
wait_until 10 healthy_is /web 4

test_case "kill of an unknown task: exit 8, nothing killed"
n=$(kills)
mctl kill web.instance-00000000-dead "${M[@]}"
expect_rc 8
expect_contains "$ERR" "mctl: error: kill web.instance-00000000-dead: no task has this id or id prefix"
expect_eq "$(kills)" "$n" "no DELETE sent"

test_case "kill with an ambiguous prefix: exit 2 listing the candidates"
mctl kill web.instance- "${M[@]}"
expect_rc 2
expect_contains "$ERR" "matches 4 tasks"
for id in $(task_ids /web); do expect_contains "$ERR" "$id"; done
expect_eq "$(kills)" "$n" "no DELETE sent"

test_case "kill --scale --wipe together: usage error"
mctl kill "$(task_ids /web | sed -n 1p)" --scale --wipe "${M[@]}"
expect_rc 2

test_case "kill --scale: the task dies, instances go down by one, the deployment is followed"
victim=$(task_ids /web | sed -n 1p)
mctl kill "$victim" --scale --yes --timeout 30s "${M[@]}"
expect_rc 0
expect_contains "$OUT" "killed task $victim and scaled /web down by one"
expect_eq "$(app_field /web "a['instances'], len(a['tasks'])")" "3 3"
expect_not_contains "$(task_ids /web)" "$victim"
expect_eq "$(sim GET /v2/deployments)" "[]" "the deployment was done when mctl returned"

test_case "kill whose answer is lost: read back, not sent again, no second task killed"
before=$(task_ids /web)
victim=$(sed -n 1p <<<"$before")
curl -sf -X POST "$PROXY_URL/_proxy/drop" -d '{"method":"DELETE","path":"^/v2/apps/web/tasks/"}' >/dev/null
n=$(kills)
mctl kill "$victim" --marathon "$PROXY_URL"
expect_rc 0
expect_contains "$OUT" "killed task $victim"
expect_eq "$(curl -s "$PROXY_URL/_proxy/log" | jq_py "sum(1 for r in j if r['dropped'])")" 1 "the proxy lost the answer"
expect_eq "$(kills)" $((n + 1)) "one DELETE reached Marathon"
expect_eq "$(comm -12 <(echo "$before") <(task_ids /web) | wc -l)" 2 "every other task still runs"

test_case "kill --json"
wait_until 10 healthy_is /web 3
mctl kill "$(task_ids /web | sed -n 1p)" --json "${M[@]}"
expect_rc 0
expect_contains "$OUT" '"status"'

test_case "queue: empty when every task runs; unknown app is exit 8"
wait_until 10 healthy_is /web 3
mctl queue "${M[@]}"
expect_rc 0
expect_contains "$OUT" "nothing waiting to launch"
mctl queue /nope "${M[@]}"
expect_rc 8

test_case "queue: an app no agent can place shows the offers it declined and why"
sim POST /v2/apps '{"id": "/big", "cmd": "sleep 1000", "cpus": 8, "mem": 64, "instances": 2}' >/dev/null
offers_seen() { [[ $(sim GET /v2/queue | jq_py "[e['processedOffersSummary']['processedOffersCount'] > 0 for e in j['queue']]") == "[True]" ]]; }
wait_until 10 offers_seen || fail_now "no offers processed for /big"
mctl queue /big "${M[@]}"
expect_rc 0
expect_contains "$OUT" "/big: 2 instance(s) waiting to launch"
expect_contains "$OUT" "offers declined: InsufficientCpus:"
expect_contains "$OUT" "cpus 8"
mctl queue --json "${M[@]}"
expect_eq "$(jq_py "[(e['app'], e['waiting'], e['reasons'][0].split(':')[0]) for e in j['queue']]" <<<"$OUT")" "[('/big', 2, 'InsufficientCpus')]"
mctl queue reset /web "${M[@]}"
expect_rc 8 "a running app is not in the queue"
expect_contains "$ERR" "not in the launch queue"
mctl destroy /big --yes "${M[@]}" --timeout 30s

test_case "queue: a crash-looping app shows its launch delay; queue reset launches at once"
cat >crash.json <<'JSON'
{"id": "/crash", "cmd": "exit 1", "cpus": 0.1, "mem": 32, "instances": 1, "backoffSeconds": 60}
JSON
sim POST app_faults '{"app":"/crash","crash_loop":true}' >/dev/null
sim POST /v2/apps "$(cat crash.json)" >/dev/null
delayed() { sim GET /v2/queue | jq_py "j['queue'][0]['delay']['overdue'] == False and j['queue'][0]['delay']['timeLeftSeconds'] > 30" | grep -q True; }
wait_until 10 delayed || fail_now "/crash was not delayed"
mctl queue "${M[@]}"
expect_rc 0
expect_contains "$OUT" "/crash: 1 instance(s) waiting to launch"
expect_contains "$OUT" "launch delayed (backoff after failed tasks)"
sim DELETE app_faults >/dev/null
mctl queue reset crash.json "${M[@]}"
expect_rc 0
expect_contains "$OUT" "launch delay reset"
running_is() { [[ $(app_field "$1" "a['tasksRunning']") == "$2" ]]; }
expect_true wait_until 10 running_is /crash 1

finish
