#!/usr/bin/env bash
# mctl logs: the tasks' stdout/stderr from their Mesos sandboxes, against the Marathon and
# Mesos simulators (one cluster: Mesos learns Marathon's task ids, agent ids and hosts).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"
source "$(dirname "$0")/lib_mesos.sh"

start_marathon
start_mesos
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL" --mesos "$MESOS_URL")

write_app web.json /web registry.local/web:v1 3
mctl deploy web.json --marathon "$MARATHON_URL" --timeout 30s --no-logs
[[ $RC == 0 ]] || fail_now "setup deploy failed: $ERR"
wait_until 10 mesos_has 3 /web || fail_now "Mesos did not learn the 3 tasks"
mapfile -t T < <(running_tasks /web)
for i in 0 1 2; do
  msim POST write "{\"task\":\"${T[$i]}\",\"text\":\"hello from task $i\\n\"}" >/dev/null
  msim POST write "{\"task\":\"${T[$i]}\",\"stream\":\"stderr\",\"text\":\"warning $i\\n\"}" >/dev/null
done

test_case "several tasks: each line prefixed with the task's short id and host, stderr marked"
mctl logs /web "${M[@]}"
expect_rc 0
for i in 0 1 2; do
  s=$(short_id "${T[$i]}")
  expect_contains "$OUT" "hello from task $i"
  expect_eq "$(grep -c "^$s@agent-[0-9]* *| hello from task $i\$" <<<"$OUT")" 1 "stdout line of task $i"
  expect_eq "$(grep -c "^$s@agent-[0-9]* *! warning $i\$" <<<"$OUT")" 1 "stderr line of task $i, marked"
done

test_case "--task PREFIX --stdout -n N: the last N lines of one task, unprefixed"
seq 1 1000 | sed 's/^/line /' >"$(task_dir "${T[0]}")/stdout.add"
cat "$(task_dir "${T[0]}")/stdout.add" >>"$(task_dir "${T[0]}")/stdout"
mctl logs /web --task "$(short_id "${T[0]}")" --stdout -n 3 "${M[@]}"
expect_rc 0
expect_eq "$OUT" $'line 998\nline 999\nline 1000'
mctl logs /web --task "${T[0]:0:4}" "${M[@]}"
expect_rc 2 "a prefix shared by several tasks"
expect_contains "$ERR" "matches 3 tasks of /web"
mctl logs /web --task nosuchtask "${M[@]}"
expect_rc 8

test_case "binary output and invalid UTF-8 pass through unharmed"
printf 'ok \xff\xfe bytes \x1b[31mred\x1b[0m tab\there "quote" back\\slash \xc3\x28 nul?\x01\n' >"$TMP/binary"
python3 -c "import base64,sys; print(base64.b64encode(open('$TMP/binary','rb').read()).decode())" >"$TMP/binary.b64"
: >"$(task_dir "${T[1]}")/stdout"
msim POST write "{\"task\":\"${T[1]}\",\"base64\":\"$(cat "$TMP/binary.b64")\"}" >/dev/null
"$MCTL" logs /web --task "${T[1]}" --stdout "${M[@]}" >"$TMP/binary.out" 2>"$TMP/binary.err"
RC=$?
expect_rc 0
expect_true cmp -s "$TMP/binary" "$TMP/binary.out"

test_case "on a terminal a task's escape sequences are shown, never obeyed (a container must not drive the terminal)"
printf 'title \x1b]0;pwned\x07 clear \x1b[2J\x1b[H bad \xff end\r\n' >"$TMP/hostile"
: >"$(task_dir "${T[1]}")/stdout"
msim POST write "{\"task\":\"${T[1]}\",\"base64\":\"$(base64 -w0 "$TMP/hostile")\"}" >/dev/null
python3 "$MCTL_TESTS/integration/pty_screen.py" --cols 120 --raw "$TMP/hostile.raw" -- \
  "$MCTL" logs /web --task "${T[1]}" --stdout "${M[@]}" >"$TMP/hostile.json"
expect_eq "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["rc"], d["unknown"], d["screen"])' <"$TMP/hostile.json")" \
  "0 [] ['title \\\\x1b]0;pwned\\\\x07 clear \\\\x1b[2J\\\\x1b[H bad \\\\xff end']"
expect_eq "$(tr -cd '\033\007' <"$TMP/hostile.raw" | wc -c)" 0 "no ESC or BEL byte reached the terminal"
"$MCTL" logs /web --task "${T[1]}" --stdout "${M[@]}" >"$TMP/hostile.out" 2>/dev/null
expect_true cmp -s "$TMP/hostile" "$TMP/hostile.out"  # piped: the bytes as written

test_case "a 5 MB log is read whole, in chunks of at most 16 pages"
python3 -c "
import random
r = random.Random(7)
with open('$TMP/big', 'w') as f:
    while f.tell() < 5 * 1024 * 1024:
        f.write('%08d %s\n' % (r.randrange(10**8), 'x' * r.randrange(200)))"
cp "$TMP/big" "$(task_dir "${T[2]}")/stdout"
msim POST requests >/dev/null
"$MCTL" logs /web --task "${T[2]}" --stdout -n all "${M[@]}" >"$TMP/big.out" 2>"$TMP/big.err"
RC=$?
expect_rc 0
expect_true cmp -s "$TMP/big" "$TMP/big.out"
reads=$(msim GET requests | python3 -c "import json,sys; print(sum(1 for r in json.load(sys.stdin) if r['path']=='/files/read'))")
expect_true test "$reads" -ge 80

test_case "a non-leading master redirects (307) to the leader"
mctl logs /web --task "${T[0]}" --stdout -n 1 --marathon "$MARATHON_URL" --mesos "$MESOS_STANDBY_URL"
expect_rc 0
expect_eq "$OUT" "line 1000"
mctl logs /web --task "${T[0]}" --stdout -n 1 --marathon "$MARATHON_URL" --mesos http://127.0.0.1:1 --mesos "$MESOS_STANDBY_URL"
expect_rc 0 "a master that is down is skipped"

test_case "an agent that is down: that task's message on stderr, the others continue, exit 3"
down_agent=$(mesos_tasks "t['agent'] if t['id']=='${T[1]}' else ''" | sed '/^$/d')
msim POST agent "{\"agent\":\"$down_agent\",\"down\":true}" >/dev/null
mctl logs /web --stderr "${M[@]}"
expect_rc 3
expect_contains "$ERR" "$(short_id "${T[1]}")@"
expect_contains "$ERR" "did not answer"
expect_contains "$OUT" "warning 0"
expect_contains "$OUT" "warning 2"
msim POST agent "{\"agent\":\"$down_agent\",\"down\":false}" >/dev/null

test_case "no Mesos configured: usage error naming the settings"
mctl logs /web --marathon "$MARATHON_URL"
expect_rc 2
expect_contains "$ERR" "no Mesos master configured"

test_case "follow: appended lines appear; a line longer than a read chunk stays one line; rotation"
"$MCTL" logs /web -f --stdout -n 1 "${M[@]}" >"$TMP/follow.out" 2>"$TMP/follow.err" &
FOLLOW=$!
_PIDS+=("$FOLLOW")
# Following once the last line of task 0 (written before) is shown.
wait_until 20 grep -q "| line 1000" "$TMP/follow.out" || fail_now "logs -f did not start: $(cat "$TMP/follow.err")"
msim POST write "{\"task\":\"${T[0]}\",\"text\":\"followed 1\\n\"}" >/dev/null
expect_true wait_until 5 grep -q "followed 1" "$TMP/follow.out"
python3 -c "print('L' * 200000)" >"$TMP/long"
cat "$TMP/long" >>"$(task_dir "${T[1]}")/stdout"
expect_true wait_until 5 grep -q "^$(short_id "${T[1]}").* | LLLL" "$TMP/follow.out"
expect_eq "$(grep -c "LLLL" "$TMP/follow.out")" 1 "one prefixed line"
expect_eq "$(grep "LLLL" "$TMP/follow.out" | sed 's/.* | //' | tr -d '\n' | wc -c)" 200000
msim POST rotate "{\"task\":\"${T[2]}\"}" >/dev/null
msim POST write "{\"task\":\"${T[2]}\",\"text\":\"after rotation\\n\"}" >/dev/null
expect_true wait_until 5 grep -q "after rotation" "$TMP/follow.out"

test_case "follow: a stuck agent (accepts, never answers) does not hold the other tasks' lines"
stuck=$(mesos_tasks "t['agent'] if t['id']=='${T[1]}' else ''" | sed '/^$/d')
msim POST requests >/dev/null
msim POST agent "{\"agent\":\"$stuck\",\"hung\":true}" >/dev/null
msim POST write "{\"task\":\"${T[1]}\",\"text\":\"while stuck\n\"}" >/dev/null
asked_stuck() { msim GET requests | grep -q "\"role\": \"agent:$stuck\""; }
expect_true wait_until 3 asked_stuck
for i in 0 2; do # lines written while a request to the stuck agent is out
  msim POST write "{\"task\":\"${T[$i]}\",\"text\":\"past the stuck agent $i\n\"}" >/dev/null
  expect_true wait_until 3 grep -q "past the stuck agent $i" "$TMP/follow.out"
done
msim POST agent "{\"agent\":\"$stuck\",\"hung\":false}" >/dev/null
expect_true wait_until 5 grep -q "^$(short_id "${T[1]}").* | while stuck" "$TMP/follow.out"

test_case "follow: a restart of the Mesos master does not end it"
dir0=$(task_dir "${T[0]}")
msim POST master '{"down_ms":1500}' >/dev/null
master_down() { ! curl -sf -o /dev/null "$MESOS_URL/master/state"; }
expect_true wait_until 3 master_down
printf 'during the restart\n' >>"$dir0/stdout"
expect_true wait_until 5 grep -q "during the restart" "$TMP/follow.out"
expect_true wait_until 10 curl -sf -o /dev/null "$MESOS_URL/master/state"
expect_true kill -0 "$FOLLOW"

test_case "follow across a deploy: the old tasks finish, the new ones join"
write_app web.json /web registry.local/web:v2 3
mctl deploy web.json --marathon "$MARATHON_URL" --timeout 30s --no-logs
expect_rc 0
# The new tasks: Mesos may still list an old one as running for a moment after the deploy.
new_tasks() { running_tasks /web | grep -vxF -f <(printf '%s\n' "${T[@]}"); }
three_new() { [[ $(new_tasks | wc -l) == 3 ]]; }
expect_true wait_until 10 three_new
mapfile -t N < <(new_tasks)
for t in "${N[@]}"; do
  expect_true wait_until 5 grep -q "^$(short_id "$t").*Starting task $t" "$TMP/follow.out"
done
for t in "${T[@]}"; do
  expect_true wait_until 5 grep -q "$(short_id "$t")@.*task finished" "$TMP/follow.err"
done
kill "$FOLLOW" 2>/dev/null; wait "$FOLLOW" 2>/dev/null

test_case "--completed reads an ended task until the agent's GC removes its sandbox (then exit 8)"
mctl logs /web --completed --task "${T[0]}" --stderr "${M[@]}"
expect_rc 0
expect_contains "$OUT" "warning 0"
mctl logs /web --task "${T[0]}" "${M[@]}"
expect_rc 8 "without --completed an ended task is not listed"
gone_dir=$(dirname "$(task_dir "${T[0]}")")
msim POST gc "{\"task\":\"${T[0]}\"}" >/dev/null # the agent's GC, now (not after a time a loaded machine may exceed)
expect_true test ! -d "$gone_dir"
mctl logs /web --completed --task "${T[0]}" "${M[@]}"
expect_rc 8
expect_contains "$ERR" "garbage-collected"

test_case "a failed deploy shows the last 20 lines of stderr of the new version's failed task"
msim POST app_output '{"app":"/web","stderr":"line 0\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\nline 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nline 18\nline 19\nline 20\nline 21\npanic: cannot open /etc/web.conf\n"}' >/dev/null
sim POST app_faults '{"app":"/web","crash_loop":true,"scope":"next_config"}' >/dev/null
write_app web.json /web registry.local/web:v3 3
mctl deploy web.json "${M[@]}" --timeout 60s
expect_rc 6
expect_contains "$OUT" "stderr of failed task"
expect_contains "$OUT" "panic: cannot open /etc/web.conf"
expect_not_contains "$OUT" "line 2
" "only the last 20 lines"
expect_contains "$OUT" "line 3"
sim POST app_faults '{"app":"/web","crash_loop":true,"scope":"next_config"}' >/dev/null
mctl deploy web.json "${M[@]}" --timeout 60s --no-logs
expect_rc 6
expect_not_contains "$OUT" "panic: cannot open"

test_case "without Mesos configured a failed deploy skips the logs, with a note under -v only"
sim POST app_faults '{"app":"/web","crash_loop":true,"scope":"next_config"}' >/dev/null
write_app web.json /web registry.local/web:v4 3
mctl deploy web.json --marathon "$MARATHON_URL" --timeout 60s -v
expect_rc 6
expect_contains "$ERR" "no Mesos master configured"
expect_not_contains "$OUT" "stderr of failed task"
finish
