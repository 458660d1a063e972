#!/usr/bin/env bash
# mctl top: memory and CPU per task from the agents' /monitor/statistics (Mesos simulator).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"
source "$(dirname "$0")/lib_mesos.sh"

start_marathon
start_mesos
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL" --mesos "$MESOS_URL")

write_app web.json /web registry.local/web:v1 2
mctl deploy web.json --marathon "$MARATHON_URL" --timeout 30s --no-logs
[[ $RC == 0 ]] || fail_now "setup deploy failed: $ERR"
write_app api.json /api registry.local/api:v1 1
mctl deploy api.json --marathon "$MARATHON_URL" --timeout 30s --no-logs
wait_until 10 mesos_has 2 /web || fail_now "Mesos did not learn the tasks of /web"
wait_until 10 mesos_has 1 /api || fail_now "Mesos did not learn the task of /api"
mapfile -t W < <(running_tasks /web)
A=$(running_tasks /api)
# /web: mem 64 MB, limit 96 MiB with the executor's 32 MB. Task 0 at 93.75% of it.
msim POST usage "{\"task\":\"${W[0]}\",\"rss_bytes\":94371840,\"cpu\":0.5,\"throttle\":0.2}" >/dev/null
msim POST usage "{\"task\":\"${W[1]}\",\"rss_bytes\":10485760,\"cpu\":0.1}" >/dev/null

test_case "top APP --json: RSS, limit, %, CPU from two samples, throttling, totals"
mctl top /web --interval 1s --json "${M[@]}"
expect_rc 0
check() { jq_py "$1" <<<"$OUT"; }
expect_eq "$(check "len(j['apps']), j['apps'][0]['id'], len(j['apps'][0]['tasks'])")" "1 /web 2"
t0="[t for t in j['apps'][0]['tasks'] if t['id']=='${W[0]}'][0]"
expect_eq "$(check "$t0['rss_bytes'], $t0['limit_bytes'], round($t0['mem_pct'], 2)")" "94371840 100663296 93.75"
# 10 CFS periods a second, a whole number of them throttled: over n periods the throttled count
# is 0.2n give or take one, so the share is 20% +- 100/n. With the 1 s sample (n = 10-12 even
# when a slow build stretches it) that stays within 10-30%; over 0.5 s one period was 20 points
# (6 periods, 2 throttled = 33% under ASan).
expect_eq "$(check "round($t0['cpu_cores'], 1), 10 <= $t0['throttled_pct'] <= 30")" "0.5 True"
expect_eq "$(check "j['apps'][0]['total']['rss_bytes'], round(j['apps'][0]['total']['cpu_cores'], 1)")" "104857600 0.6"

test_case "top APP: a table within 80 columns, the task over 90% highlighted on a colour terminal only"
mctl top /web --interval 200ms "${M[@]}"
expect_rc 0
expect_contains "$OUT" "$(short_id "${W[0]}")@agent-"
expect_contains "$OUT" "93.8%"
expect_contains "$OUT" "total (2 tasks)"
expect_eq "$(awk '{ if (length($0) > 80) n++ } END { print n+0 }' <<<"$OUT")" 0 "no line over 80 columns"
expect_not_contains "$OUT" $'\033[' "no colour when stdout is not a terminal"

test_case "top --all: every app"
mctl top --all --interval 200ms --json "${M[@]}"
expect_rc 0
expect_eq "$(jq_py "sorted(a['id'] for a in j['apps'])" <<<"$OUT")" "['/api', '/web']"

test_case "an agent down: its task has no figures, the others do, exit 3"
down_agent=$(mesos_tasks "t['agent'] if t['id']=='$A' else ''" | sed '/^$/d')
other_on_same=$(mesos_tasks "t['id'] if t['agent']=='$down_agent' and t['app']=='/web' else ''" | sed '/^$/d')
msim POST agent "{\"agent\":\"$down_agent\",\"down\":true}" >/dev/null
mctl top --all --interval 200ms --json "${M[@]}"
expect_rc 3
expect_contains "$ERR" "$A: agent"
expect_eq "$(jq_py "j['error']['exit_code']" <<<"$OUT")" 3 "the error is merged into the one document"
expect_eq "$(jq_py "[t['rss_bytes'] for a in j['apps'] for t in a['tasks'] if t['id']=='$A']" <<<"$OUT")" "[None]"
if [[ -z $other_on_same ]]; then
  expect_eq "$(jq_py "all(t['rss_bytes'] for a in j['apps'] if a['id']=='/web' for t in a['tasks'])" <<<"$OUT")" True
fi
msim POST agent "{\"agent\":\"$down_agent\",\"down\":false}" >/dev/null

test_case "a stuck agent (accepts, never answers): bounded by one request timeout, asked once"
msim POST agent "{\"agent\":\"$down_agent\",\"hung\":true}" >/dev/null
msim POST requests >/dev/null
MCTL_HTTP_TIMEOUT=1s MCTL_HTTP_RETRIES=0 mctl top --all --interval 200ms --json "${M[@]}"
expect_rc 3
expect_contains "$ERR" "$A: agent"
expect_eq "$(jq_py "all(t['rss_bytes'] for a in j['apps'] for t in a['tasks'] if t['agent_id']!='$down_agent')" <<<"$OUT")" True "the other agents' tasks have figures"
asked=$(msim GET requests | python3 -c "import json,sys; print(sum(1 for r in json.load(sys.stdin) if r['role']=='agent:$down_agent'))")
expect_eq "$asked" 1 "the stuck agent is not asked a second time (a second request timeout)"
msim POST agent "{\"agent\":\"$down_agent\",\"hung\":false}" >/dev/null

test_case "usage errors"
mctl top "${M[@]}"
expect_rc 2
expect_contains "$ERR" "name one APP or give --all"
mctl top /nope "${M[@]}" --interval 100ms
expect_rc 8
finish
