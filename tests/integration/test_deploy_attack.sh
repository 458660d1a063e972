#!/usr/bin/env bash
# Deploys as a demanding user runs them: re-runs after a run was killed or left a deployment
# behind, hostile answers and ids at the limits. Each case is a defect found by attacking
# mctl; the case failed before its fix.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"

start_marathon
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL")

deployments_of() { sim GET /v2/deployments | jq_py "len([d for d in j if '$1' in d['affectedApps']])"; }
no_deployment_of() { [[ $(deployments_of "$1") == 0 ]]; }
some_deployment_of() { [[ $(deployments_of "$1") != 0 ]]; }

write_app web.json /web registry.local/web:v1 2
mctl deploy web.json "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "setup deploy failed: $ERR"

test_case "a re-run after a killed deploy waits for the deployment it left, not 'up to date'"
write_app web.json /web registry.local/web:v2 2
# Staging of 12 s: the deployment must still run when the re-run starts, on a loaded machine too
# (4 s was not enough at load 11: the re-run found it done and said "up to date (0.0s)").
sim POST app_faults '{"app": "/web", "scope": "next_config", "slow_staging_ms": 12000}' >/dev/null
"$MCTL" deploy web.json "${M[@]}" --timeout 30s >/dev/null 2>&1 &
killed=$!
wait_until 10 some_deployment_of /web || fail_now "the first run's deployment never showed"
kill -KILL "$killed"
wait "$killed" 2>/dev/null
puts=$(request_count PUT /v2/apps/web)
mctl deploy web.json "${M[@]}" --timeout 60s
expect_rc 0
expect_contains "$OUT" "up to date (deployment"
expect_eq "$(deployments_of /web)" 0 "the deployment must be done when mctl says up to date"
expect_eq "$(app_field /web "a['tasksHealthy']")" 2
expect_eq "$(request_count PUT /v2/apps/web)" "$puts" "nothing is sent again"
sim DELETE app_faults >/dev/null

test_case "a re-run over a deployment stuck (no offers) left by --no-rollback fails and does not roll back"
write_app web.json /web registry.local/web:v3 2
sim POST app_faults '{"app": "/web", "scope": "next_config", "no_offers": true}' >/dev/null
mctl deploy web.json "${M[@]}" --timeout 2s --no-rollback
expect_rc 4 "first run"
mctl deploy web.json "${M[@]}" --timeout 2s
expect_rc 4 "re-run: the deployment it found did not finish in time"
expect_contains "$OUT$ERR" "not rolled back: deployment"
expect_contains "$OUT$ERR" "was started before this run"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v3 "no rollback by the re-run"
sim DELETE app_faults >/dev/null
mctl deploy web.json "${M[@]}" --timeout 30s --force-restart --force
[[ $RC == 0 ]] || fail_now "recovery deploy failed: $ERR"

test_case "an id Marathon cannot hold is a usage error (exit 2) in every command, before any request"
sim DELETE requests >/dev/null
for cmd in "status /Web" "versions /a_b" "rollback /web/../x" "restart /web/." "scale / 2" "stop /web/tasks" \
  "destroy --yes /WEB" "wait /a//b"; do
  read -r -a args <<<"$cmd"
  mctl "${args[@]}" "${M[@]}" </dev/null
  expect_rc 2 "$cmd"
  expect_contains "$ERR" "mctl: error: app id '" "$cmd"
  expect_eq "$(wc -l <<<"$ERR")" 1 "$cmd: one line"
done
expect_eq "$(sim GET requests | jq_py "len(j)")" 0 "nothing was asked of Marathon"

test_case "--timeout shorter than one poll: the deadline passes, the rollback still gets its own time (exit 6, not 7)"
write_app web.json /web registry.local/web:v4 2
mctl deploy web.json "${M[@]}" --timeout 1ms
expect_rc 6
expect_contains "$OUT" "deadline of 1ms passed"
expect_contains "$OUT" "rolled back to version"
expect_not_contains "$OUT" "rollback failed"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v3 "the running version is back"
expect_eq "$(app_field /web "a['tasksHealthy']")" 2

test_case "an error page in ISO-8859-1 with terminal escapes: one safe line, and valid JSON with --json"
sim POST http_faults '{"path": "/v2/apps/web", "method": "GET", "status": 500, "count": 2, "charset": "iso-8859-1",
  "body": "<html><body>Erreur \u00e9 interne \u001b[2J\u001b]0;pwned\u0007</body></html>"}' >/dev/null
mctl status /web "${M[@]}"
expect_rc 3
expect_contains "$ERR" 'Marathon answered HTTP 500: <html><body>Erreur \xe9 interne \x1b[2J\x1b]0;pwned\x07</body></html>'
expect_eq "$(tr -d '\n' <<<"$ERR" | LC_ALL=C grep -c $'[\x1b\x07\x80-\xff]')" 0 "no escape or stray byte reaches the terminal"
mctl status /web --json "${M[@]}"
expect_rc 3
expect_eq "$(jq_py "j['error']['exit_code'], 'Erreur \\\\xe9' in j['error']['message']" <<<"$OUT")" "3 True"

test_case "a task's failure message with terminal escapes: deploy and status print it as \xNN, JSON keeps it valid"
write_app web.json /web registry.local/web:v9 2
sim POST app_faults '{"app": "/web", "crash_loop": true, "scope": "next_config",
  "crash_message": "exit 1 \u001b[2J\u001b]0;pwned\u0007 done"}' >/dev/null
mctl deploy web.json "${M[@]}" --timeout 60s
expect_rc 6
expect_contains "$OUT" 'exit 1 \x1b[2J\x1b]0;pwned\x07 done'
expect_eq "$(LC_ALL=C grep -c $'[\x1b\x07]' <<<"$OUT$ERR")" 0 "no escape or BEL byte from the task reaches the terminal"
mctl status /web "${M[@]}"
expect_rc 0
expect_contains "$OUT" 'exit 1 \x1b[2J\x1b]0;pwned\x07 done'
expect_eq "$(LC_ALL=C grep -c $'[\x1b\x07]' <<<"$OUT$ERR")" 0 "status: no escape or BEL byte either"
mctl status /web --json "${M[@]}"
expect_rc 0
expect_contains "$(jq_py "json.dumps(j)" <<<"$OUT")" 'pwned' "the JSON document parses and carries the message"

finish
