#!/usr/bin/env bash
# Every YAML input goes through one bounded loader: alias bombs, invalid UTF-8 and duplicate
# keys are refused at file:line:col with exit 2, before anything expands or prints them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_cmd git python3

PROJECT=$TMP/project
example_project "$PROJECT"

now_ms() { date +%s%3N; }

test_case "an alias bomb in a spec is refused at once, at the alias that passes the limit"
python3 - "$PROJECT/apps/bomb.yaml" <<'PY'
import sys
lines = ["id: /bomb", "cmd: run", "labels: {}", "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
for i in range(1, 6):
    lines.append(f"x{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
START=$(now_ms)
mctl -C "$PROJECT" render bomb -e staging
ELAPSED=$(($(now_ms) - START))
expect_rc 2
expect_eq "$ERR" "mctl: error: apps/bomb.yaml:8:45: the YAML expands to more than 100000 nodes (aliases of aliases?); refusing to read it"
expect_within 900 "$ELAPSED" "a YAML bomb refused"
rm "$PROJECT/apps/bomb.yaml"

test_case "invalid UTF-8 in a spec value is refused at load time with its position"
printf 'id: /utf8\ncmd: run\nenv:\n  GREETING: "caf\xe9"\n' >"$PROJECT/apps/utf8.yaml"
mctl -C "$PROJECT" render utf8 -e staging
expect_rc 2
expect_eq "$ERR" "mctl: error: apps/utf8.yaml:4:17: invalid UTF-8 (byte 0xe9); YAML input must be UTF-8"
expect_not_contains "$ERR" "json.exception"
mctl -C "$PROJECT" --json render utf8 -e staging
expect_rc 2
expect_not_contains "$OUT$ERR" "json.exception"
rm "$PROJECT/apps/utf8.yaml"

test_case "a --set value that is not UTF-8 is refused, never printed as raw JSON errors"
mctl -C "$PROJECT" render flask-hello -e staging --set "team=$(printf 'w\xffb')"
expect_rc 2
expect_eq "$ERR" "mctl: error: --set team: the value is not valid UTF-8"

test_case "the quote-it hint quotes the number exactly as written"
cat >"$PROJECT/apps/numbers.yaml" <<'YAML'
id: /numbers
cmd: run
labels:
  VERSION: 1.10
  MODE: 010
  RATIO: 2.50e3
env:
  V: 1.10
YAML
mctl -C "$PROJECT" render numbers -e staging
expect_rc 2
expect_contains "$ERR" "apps/numbers.yaml:4:12: 'labels.VERSION' must be string, not number (quote it: \"1.10\")"
expect_contains "$ERR" "apps/numbers.yaml:5:9: 'labels.MODE' must be string, not integer (quote it: \"010\")"
expect_contains "$ERR" "apps/numbers.yaml:6:10: 'labels.RATIO' must be string, not number (quote it: \"2.50e3\")"
expect_contains "$ERR" "apps/numbers.yaml:8:6: 'env.V' must be map or string, not number (quote it: \"1.10\")"
rm "$PROJECT/apps/numbers.yaml"

test_case "duplicate keys are refused in overlays and mctl.yaml, with both positions"
cp "$PROJECT/apps/flask-hello.prod.yaml" "$TMP/overlay.bak"
printf 'instances: 2\ncpus: 1\ninstances: 5\n' >>"$PROJECT/apps/flask-hello.prod.yaml"
mctl -C "$PROJECT" render flask-hello -e prod
expect_rc 2
expect_contains "$ERR" "apps/flask-hello.prod.yaml:"
expect_contains "$ERR" ": duplicate key 'instances' (first at line "
cp "$TMP/overlay.bak" "$PROJECT/apps/flask-hello.prod.yaml"
cp "$PROJECT/mctl.yaml" "$TMP/mctl.bak"
printf '  prod:\n    registry: other.example.com\n' >>"$PROJECT/mctl.yaml"
mctl -C "$PROJECT" config show -e prod
expect_rc 2
LINE=$(grep -n '^  prod:$' "$PROJECT/mctl.yaml" | tail -1 | cut -d: -f1)
FIRST=$(grep -n '^  prod:$' "$PROJECT/mctl.yaml" | head -1 | cut -d: -f1)
expect_eq "$ERR" "mctl: error: mctl.yaml:$LINE:3: duplicate key 'prod' (first at line $FIRST column 3)"
cp "$TMP/mctl.bak" "$PROJECT/mctl.yaml"

test_case "a JSON app definition that is not JSON is exit 2 at file:line:col"
printf '{\n  "id": "/web",\n  "cpus": nope\n}\n' >"$TMP/app.json"
mctl -C "$PROJECT" deploy "$TMP/app.json" -e staging --dry-run
expect_rc 2
expect_contains "$ERR" "mctl: error: $TMP/app.json:3:12: invalid JSON: "

finish
