#!/usr/bin/env bash
# Several Marathon URLs, non-leaders, lost answers and authentication.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"

start_marathon
LEADER=$MARATHON_URL
cd "$TMP" || exit 1
dead="http://127.0.0.1:$(free_port)"

test_case "first URL dead: the second is used"
write_app web.json /web registry.local/web:v1 1
mctl deploy web.json --marathon "$dead" --marathon "$LEADER" --timeout 30s
expect_rc 0
expect_contains "$OUT" "/web: deployed"

test_case "a non-leader proxies to the leader; its event stream redirect is followed"
leader_port=$MARATHON_PORT
start_marathon --not-leader --leader-url "$LEADER"
FOLLOWER=$MARATHON_URL
write_app web.json /web registry.local/web:v2 1
mctl deploy web.json --marathon "$FOLLOWER" --timeout 30s
expect_rc 0
MARATHON_URL=$LEADER
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v2

test_case "a non-leader without a leader (502) fails over to the next URL"
start_marathon --not-leader --no-leader-wait-ms 100
lost=$MARATHON_URL
MARATHON_URL=$LEADER
mctl status /web --marathon "$lost" --marathon "$LEADER"
expect_rc 0
expect_contains "$OUT" "registry.local/web:v2"

test_case "an empty 200 (confused non-leader) and a 503 are not taken as answers"
sim POST http_faults '{"status":200,"body":"","count":1,"path":"/v2/apps"}' >/dev/null
sim POST http_faults '{"status":503,"count":1,"path":"/v2/apps"}' >/dev/null
mctl status /web --marathon "$LEADER"
expect_rc 0
expect_contains "$OUT" "app:        /web"

test_case "a PUT whose answer is lost is not sent twice"
write_app web.json /web registry.local/web:v3 1
sim DELETE requests >/dev/null
sim POST http_faults '{"drop_after":1,"method":"PUT","path":"/v2/apps"}' >/dev/null
mctl deploy web.json --marathon "$LEADER" --timeout 30s
expect_rc 0
expect_eq "$(request_count PUT /v2/apps)" 1 "PUTs sent"
expect_eq "$(app_field /web "a['container']['docker']['image']")" registry.local/web:v3

test_case "every URL down: a remote error naming the URLs tried"
mctl status /web --marathon "$dead"
expect_rc 3
expect_contains "$ERR" "GET /v2/apps/web on Marathon (1 URL)"

test_case "401 with basic auth: the message names the credential source, not the password"
start_marathon --basic-auth deployer:right-horse
export MPASS=wrong-battery
mctl apps --marathon "$MARATHON_URL" -v
RC_SAVED=$RC
cat >mctl.yaml <<YAML
marathon:
  credentials:
    user: deployer
    password_env: MPASS
YAML
mctl apps --marathon "$MARATHON_URL"
expect_rc 5
expect_contains "$ERR" "HTTP 401"
expect_contains "$ERR" "basic auth as user 'deployer', password from environment variable MPASS"
expect_not_contains "$ERR$OUT" "wrong-battery"
expect_eq "$RC_SAVED" 5 "no credentials at all: 401 too"

test_case "right basic-auth password from a file works"
printf 'right-horse\n' >pass.txt
cat >mctl.yaml <<YAML
marathon:
  credentials:
    user: deployer
    password_file: pass.txt
YAML
write_app api.json /api registry.local/api:v1 1
mctl deploy api.json --marathon "$MARATHON_URL" --timeout 30s
expect_rc 0
expect_contains "$OUT" "/api: deployed"

test_case "DC/OS token from an environment variable; a wrong one names the variable"
start_marathon --token sekrit-token-1
cat >mctl.yaml <<YAML
marathon:
  credentials:
    token_env: MTOKEN
YAML
export MTOKEN=sekrit-token-1
mctl deploy api.json --marathon "$MARATHON_URL" --timeout 30s
expect_rc 0
export MTOKEN=bad-token-2
mctl apps --marathon "$MARATHON_URL"
expect_rc 5
expect_contains "$ERR" "token from environment variable MTOKEN"
expect_not_contains "$ERR$OUT" "bad-token-2"
rm -f mctl.yaml

finish
