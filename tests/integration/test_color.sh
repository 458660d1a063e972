#!/usr/bin/env bash
# Issue #12 §3: diff --exit-code and "~ old -> new" for defaults, --color auto|always|never
# (--no-color, NO_COLOR) on headings, states and diffs, -v and -q.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"
need_cmd script

start_marathon
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL")
ESC=$'\033['
write_app web.json /web registry.local/web:v1 1
mctl deploy web.json "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "setup deploy failed: $ERR"

test_case "diff --exit-code: 0 when up to date, 1 when a deploy would change something"
mctl diff web.json "${M[@]}" --exit-code
expect_rc 0
expect_contains "$OUT" "/web: up to date"
write_app web2.json /web registry.local/web:v1 2
mctl diff web2.json "${M[@]}" --exit-code
expect_rc 1
expect_eq "$ERR" "" "a difference is not an error"
mctl diff web2.json "${M[@]}"
expect_rc 0

test_case "a change from Marathon's default instances (1) shows the old value"
expect_contains "$OUT" "~ /instances: 1 -> 2"
expect_not_contains "$OUT" "+ /instances"

test_case "--color always colours the diff lines and headings; never, --no-color and a pipe do not"
mctl diff web2.json "${M[@]}" --color always
expect_contains "$OUT" "${ESC}33m~ /instances: 1 -> 2${ESC}0m"
expect_contains "$OUT" "${ESC}1m/web${ESC}0m: changes"
for flags in "--color never" "--no-color" ""; do
  read -r -a f <<<"$flags"
  mctl diff web2.json "${M[@]}" "${f[@]}"
  expect_not_contains "$OUT" "$ESC" "$flags in a pipe"
done
mctl diff web2.json "${M[@]}" --color sometimes
expect_rc 2

test_case "--color auto colours a terminal unless NO_COLOR is set; an explicit --color always beats NO_COLOR"
run script -qec "'$MCTL' diff web2.json --marathon $MARATHON_URL" /dev/null
expect_contains "$OUT" "${ESC}33m~ /instances"
run env NO_COLOR=1 script -qec "'$MCTL' diff web2.json --marathon $MARATHON_URL" /dev/null
expect_not_contains "$OUT" "$ESC"
NO_COLOR=1 mctl diff web2.json "${M[@]}" --color always
expect_contains "$OUT" "${ESC}33m~ /instances"

test_case "states are coloured: status labels and health, the result of a deploy, errors on stderr"
mctl status /web "${M[@]}" --color always
expect_contains "$OUT" "${ESC}1mhealth:${ESC}0m     ${ESC}32mhealthy"
mctl apps "${M[@]}" --color always
expect_contains "$OUT" "${ESC}1mAPP"
mctl deploy web2.json "${M[@]}" --timeout 30s --color always
expect_rc 0
expect_contains "$OUT" "${ESC}1m/web${ESC}0m: ${ESC}32m"
mctl status /nope "${M[@]}" --color always
expect_contains "$ERR" "${ESC}31mmctl: error:${ESC}0m"

test_case "-v names the Marathon URL, mctl's version and the time taken; -q prints only errors"
mctl -v status /web "${M[@]}"
expect_contains "$ERR" "Marathon $MARATHON_URL"
expect_contains "$ERR" "mctl 0."
expect_contains "$ERR" "took "
write_app web3.json /web registry.local/web:v3 2
mctl -q deploy web3.json "${M[@]}" --timeout 30s
expect_rc 0
expect_eq "$ERR" "" "-q deploy: nothing on stderr"
mctl -q status /nope "${M[@]}"
expect_rc 8
expect_contains "$ERR" "mctl: error:"
mctl -q -v status /web "${M[@]}"
expect_rc 2

finish
