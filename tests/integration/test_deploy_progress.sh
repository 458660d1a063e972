#!/usr/bin/env bash
# What a person sees while mctl follows a change (issue 12, section 4): under a real
# pseudo-terminal at 60, 80 and 200 columns (pty_screen.py replays the output through a minimal
# terminal), in a pipe (one line per state change, heartbeats) and as NDJSON; `mctl wait`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"

cd "$TMP" || exit 1
start_marathon
M=(--marathon "$MARATHON_URL")
PTY=(python3 "$MCTL_TESTS/integration/pty_screen.py")

# on_pty COLS ARGS...: runs mctl ARGS under a terminal COLS wide; sets RC and SCREEN (the JSON
# report of pty_screen.py).
on_pty() {
  local cols=$1
  shift
  SCREEN=$("${PTY[@]}" --cols "$cols" -- "$MCTL" "$@")
  RC=$(jq_py "j['rc']" <<<"$SCREEN")
}
# screen_field EXPR: EXPR over the pty report (bound to j).
screen_field() { jq_py "$1" <<<"$SCREEN"; }
# screen_text: the final screen as one string (rows joined as the terminal wrapped them).
screen_text() { jq_py "''.join(j['screen'])" <<<"$SCREEN"; }
# expect_clean: no line wider than the terminal while the region was live, no leftover
# partial text, no escape sequence outside CR/LF/ESC[nA/ESC[K/ESC[J.
expect_clean() {
  expect_eq "$(screen_field "j['overflow']")" "[]" "lines wider than the terminal $*"
  expect_eq "$(screen_field "j['partial']")" "[]" "partial leftovers on the final screen $*"
  expect_eq "$(screen_field "j['unknown']")" "[]" "unknown escape sequences $*"
}
# show_screens TITLE: the last frame of the live region and the final screen, for the record.
show_screens() {
  {
    echo "===== $1: live region just before it was cleared"
    screen_field "'\n'.join(j['last_frame'])"
    echo "===== $1: final screen"
    screen_field "'\n'.join(j['screen'])"
  } >&2
}

write_app web.json /web registry.local/web:v1 3
mctl deploy web.json "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "setup deploy failed: $ERR"

n=1
for cols in 60 80 200; do
  test_case "deploy under a $cols-column terminal: lines fit, the clock ticks, the region is cleared"
  n=$((n + 1))
  sim POST app_faults '{"app":"/web","slow_staging_ms":3200,"scope":"next_config"}' >/dev/null
  write_app web.json /web "registry.local/web:v$n" 3
  on_pty "$cols" deploy web.json "${M[@]}" --timeout 30s
  expect_rc 0
  expect_clean "at $cols columns"
  expect_true test "$(screen_field "j['frames']")" -gt 2
  # Each second from 1 to 3 s shown (one may be missed when the machine stalls for a second).
  expect_eq "$(screen_field "sum(c in j['clocks'].get('/web', []) for c in ('1s', '2s', '3s')) >= 2")" True \
    "the clock ticks each second: $(screen_field "j['clocks']")"
  expect_contains "$(screen_text)" "/web: deployed version"
  expect_contains "$(screen_text)" '~ /container/docker/image: "registry.local/web:v'
  expect_eq "$(screen_field "sum(1 for r in j['screen'] if 'deploying' in r or 'new 3/3' in r)")" 0 "no progress line left"
  expect_not_contains "$(screen_text)" "may be too short"
  [[ $cols == 80 ]] && show_screens "deploy at 80 columns"
done

test_case "a resize from 100 to 60 columns while the region is live: every later line fits"
n=$((n + 1))
sim POST app_faults '{"app":"/web","slow_staging_ms":3000,"scope":"next_config"}' >/dev/null
write_app web.json /web "registry.local/web:v$n" 3
SCREEN=$("${PTY[@]}" --cols 100 --resize-at-ms 1500 --resize-cols 60 -- "$MCTL" deploy web.json "${M[@]}" --timeout 30s)
RC=$(screen_field "j['rc']")
expect_rc 0
expect_clean "after the resize"
expect_contains "$(screen_text)" "/web: deployed version"

test_case "rollback follows its deployment with the same display"
sim POST app_faults '{"app":"/web","slow_staging_ms":2200,"scope":"next_config"}' >/dev/null
on_pty 80 rollback /web "${M[@]}" --timeout 30s
expect_rc 0
expect_clean "(rollback)"
expect_true test "$(screen_field "j['frames']")" -gt 1
expect_eq "$(screen_field "'1s' in j['clocks'].get('/web', [])")" True "the clock ticks: $(screen_field "j['clocks']")"
expect_contains "$(screen_text)" "now version $(app_field /web "a['version']")"
show_screens "rollback at 80 columns"

test_case "crash loop: the state change says why, 'rolled back to version' names what Marathon runs"
sim POST app_faults '{"app":"/web","crash_loop":true,"scope":"next_config"}' >/dev/null
n=$((n + 1))
write_app web.json /web "registry.local/web:v$n" 3
"${PTY[@]}" --cols 80 --raw "$TMP/crash.raw" -- "$MCTL" deploy web.json "${M[@]}" --timeout 60s >"$TMP/crash.json"
SCREEN=$(cat "$TMP/crash.json")
RC=$(screen_field "j['rc']")
expect_rc 6
expect_clean "(crash loop)"
expect_true grep -aq "rolling-back  3 tasks of the new version failed (crash loop" "$TMP/crash.raw"
final=$(screen_text)
expect_contains "$final" "rolled back to version $(app_field /web "a['version']")"
expect_not_contains "$final" "old task still running" "after the rollback the old tasks are the running version"
show_screens "crash loop at 80 columns"
sim DELETE app_faults >/dev/null

test_case "pipe: one line per state change, a heartbeat while nothing changes, no escapes"
sim POST app_faults '{"app":"/web","slow_staging_ms":3500,"scope":"next_config"}' >/dev/null
n=$((n + 1))
write_app web.json /web "registry.local/web:v$n" 3
MCTL_PROGRESS_HEARTBEAT=1s mctl deploy web.json "${M[@]}" --timeout 30s
expect_rc 0
expect_true test "$(grep -c ' /web still deploying' <<<"$ERR")" -ge 2
expect_eq "$(grep -c $'\e' <<<"$ERR")" 0 "escape sequences in a pipe"
expect_eq "$(grep -v '^  \|^/web: sending' <<<"$ERR" | grep -cv '^[0-9-]*T[0-9:]*Z /web ')" 0 "every progress line: time and app"
expect_eq "$(grep -v ' still ' <<<"$ERR" | grep ' /web ' | sort | uniq -d | wc -l)" 0 "no state printed twice"

test_case "pipe: an unchanged app says 'up to date' once, no deadline warning"
mctl deploy web.json "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(grep -c 'up.to.date' <<<"$OUT$ERR")" 1 "up to date said once"
expect_not_contains "$ERR" "may be too short"

test_case "--json: one NDJSON object per line, each progress event with time and app"
n=$((n + 1))
write_app web.json /web "registry.local/web:v$n" 3
mctl deploy web.json "${M[@]}" --timeout 30s --json
expect_rc 0
expect_eq "$(python3 -c "
import json, sys
events = [json.loads(l) for l in sys.stdin if l.strip()]
progress = [e for e in events if e.get('event') == 'progress']
print(len(progress) > 0 and all('time' in e and e['app'] == '/web' and 'phase' in e for e in progress)
      and events[-1]['event'] == 'result')" <<<"$OUT")" True

test_case "Ctrl-C points at 'mctl wait', which re-attaches to the deployment (app or deployment id)"
sim POST app_faults '{"app":"/web","slow_staging_ms":3000,"scope":"next_config"}' >/dev/null
n=$((n + 1))
write_app web.json /web "registry.local/web:v$n" 3
"$MCTL" deploy web.json "${M[@]}" --timeout 30s >"$TMP/bg.out" 2>"$TMP/bg.err" &
pid=$!
expect_true wait_until 20 bash -c "curl -s $MARATHON_URL/v2/deployments | grep -q affectedApps"
kill -INT "$pid"
wait "$pid"
expect_eq "$?" 130 "interrupted"
expect_contains "$(cat "$TMP/bg.out")" "mctl wait /web"
mctl wait /web "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "finished; done (version $(app_field /web "a['version']"))"
# The deployment stays in flight (no offers) until 'mctl wait' runs; then the offers come back
# (a fixed slow start ran out before mctl wait began on a loaded machine).
sim POST app_faults '{"app":"/web","no_offers":true,"scope":"next_config"}' >/dev/null
n=$((n + 1))
write_app web.json /web "registry.local/web:v$n" 3
"$MCTL" deploy web.json "${M[@]}" --timeout 60s >/dev/null 2>&1 &
pid=$!
expect_true wait_until 20 bash -c "curl -s $MARATHON_URL/v2/deployments | grep -q affectedApps"
dep=$(sim GET /v2/deployments | jq_py "j[0]['id']")
# (mctl itself, not the pty helper that starts it: that one's command line names it too)
(wait_until 30 pgrep -f "^$MCTL wait $dep" >/dev/null && sim POST app_faults '{"app":"/web"}' >/dev/null) &
on_pty 80 wait "$dep" "${M[@]}" --timeout 30s
expect_rc 0
expect_clean "(wait)"
expect_contains "$(screen_text)" "deployment $dep finished"
wait "$pid"
mctl wait 00000000-0000-4000-8000-000000000000 "${M[@]}"
expect_rc 8
mctl wait /web "${M[@]}" --timeout 30s
expect_rc 0
expect_contains "$OUT" "no deployment in flight; done"

test_case "stop on a terminal asks first (scale to 0 is destructive); --yes and pipes go on"
SCREEN=$("${PTY[@]}" --cols 80 --stdin n -- "$MCTL" stop /web "${M[@]}" --timeout 30s)
RC=$(screen_field "j['rc']")
expect_rc 1
expect_contains "$(screen_text)" "/web: ~ /instances: 3 -> 0"
expect_contains "$(screen_text)" "Stop every task of /web"
expect_eq "$(app_field /web "a['instances']")" 3 "nothing changed without an answer"
SCREEN=$("${PTY[@]}" --cols 80 --stdin y -- "$MCTL" stop /web "${M[@]}" --timeout 30s)
RC=$(screen_field "j['rc']")
expect_rc 0
expect_eq "$(app_field /web "a['instances']")" 0 "stopped after 'y'"
on_pty 80 scale /web 2 "${M[@]}" --timeout 30s
expect_rc 0
expect_not_contains "$(screen_text)" "[y/N]" "scaling up does not ask"
on_pty 80 stop /web --yes "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$(app_field /web "a['instances']")" 0 "stopped with --yes"

finish
