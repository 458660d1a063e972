#!/usr/bin/env bash
# mctl render / lint on a copy of examples/ (a real git work tree), as a user runs them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_cmd git python3

PROJECT=$TMP/project
example_project "$PROJECT"
SHA=$(git -C "$PROJECT" rev-parse HEAD)

# json_get FILE|- EXPR: prints a Python expression over the parsed JSON `d`.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1]) if sys.argv[1]!='-' else sys.stdin); print($2)" "$1"; }

test_case "staging renders the example app without any password"
mctl -C "$PROJECT" render flask-hello -e staging
expect_rc 0
echo "$OUT" >"$TMP/staging.json"
expect_eq "$(json_get "$TMP/staging.json" 'd["container"]["docker"]["image"]')" "registry.example.com:5000/flask-hello:${SHA:0:12}"
expect_eq "$(json_get "$TMP/staging.json" 'repr(d["instances"])')" "1" "instances keeps its number type"
expect_eq "$(json_get "$TMP/staging.json" 'd["env"]["LOG_LEVEL"]')" "DEBUG" "env vars beat project vars; upper filter"
expect_eq "$(json_get "$TMP/staging.json" 'd["id"]')" "/flask-hello"
expect_eq "$(json_get "$TMP/staging.json" '"secrets" in json.dumps(d) or "DATABASE_PASSWORD" in d["env"]')" "False"

test_case "output is canonical JSON, byte-identical run after run, written atomically with -o"
expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False))' "$TMP/staging.json")" "$OUT"
mctl -C "$PROJECT" render flask-hello -e staging -o "$TMP/out.json"
expect_rc 0
expect_eq "$OUT" "" "nothing on stdout with -o"
expect_eq "$(cat "$TMP/out.json")" "$(cat "$TMP/staging.json")"
expect_eq "$(tail -c1 "$TMP/out.json" | od -An -c | tr -d ' ')" '\n' "trailing newline"
mctl -C "$PROJECT" render apps/flask-hello.yaml -e staging
expect_eq "$OUT" "$(cat "$TMP/staging.json")" "a spec file path renders the same"

test_case "--set is typed as YAML and beats vars"
mctl -C "$PROJECT" render flask-hello -e staging --set instances=4 --set log_level=warn
expect_rc 0
expect_eq "$(echo "$OUT" | json_get - 'repr(d["instances"])')" "4"
expect_eq "$(echo "$OUT" | json_get - 'd["env"]["LOG_LEVEL"]')" "WARN"

test_case "from a subdirectory of the project, the default apps_dir is still the project's apps/"
mkdir -p "$PROJECT/docs/deep"
mctl -C "$PROJECT/docs/deep" render flask-hello -e staging
expect_rc 0
expect_eq "$OUT" "$(cat "$TMP/staging.json")"
mctl -C "$PROJECT/docs/deep" lint flask-hello -e staging
expect_rc 0

test_case "a typo is reported at its position with a suggestion; the output file is untouched"
cp -r "$PROJECT" "$TMP/broken"
python3 - "$TMP/broken/apps/flask-hello.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("instances:", "instanses:").replace('TEAM: "{{ team }}"', 'TEAM: "{{ teem }}"')
open(p, "w").write(s)
PY
BEFORE=$(sha256sum "$TMP/out.json" | cut -d' ' -f1)
mctl -C "$TMP/broken" render flask-hello -e staging -o "$TMP/out.json"
expect_rc 2
expect_contains "$ERR" "apps/flask-hello.yaml:19:10: undefined variable 'teem' (did you mean 'team'?)"
expect_file_unchanged "$TMP/out.json" "$BEFORE"
python3 - "$TMP/broken/apps/flask-hello.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("teem", "team")
open(p, "w").write(s)
PY
mctl -C "$TMP/broken" render flask-hello -e staging -o "$TMP/out.json"
expect_rc 2
expect_eq "$ERR" "mctl: error: apps/flask-hello.yaml:6:1: unknown field 'instanses' (did you mean 'instances'?)"
expect_file_unchanged "$TMP/out.json" "$BEFORE"

test_case "--json error report for CI"
mctl -C "$TMP/broken" --json render flask-hello -e staging
expect_rc 2
expect_eq "$(echo "$OUT" | json_get - 'd["error"]["message"]')" "apps/flask-hello.yaml:6:1: unknown field 'instanses' (did you mean 'instances'?)"
expect_eq "$(echo "$OUT" | json_get - 'd["error"]["exit_code"]')" "2"

test_case "render --all writes one file per app, or a JSON list"
cp "$PROJECT/apps/flask-hello.yaml" "$PROJECT/apps/worker.yaml"
mctl -C "$PROJECT" render --all -e staging -o "$TMP/all"
expect_rc 0
expect_eq "$(ls "$TMP/all" | tr '\n' ' ')" "flask-hello.json worker.json "
expect_eq "$(json_get "$TMP/all/worker.json" 'd["id"]')" "/worker"
mctl -C "$PROJECT" render --all -e staging
expect_eq "$(echo "$OUT" | json_get - '[a["id"] for a in d]')" "['/flask-hello', '/worker']"
rm "$PROJECT/apps/worker.yaml"

test_case "render of an unknown app names the candidates"
mctl -C "$PROJECT" render flask-helo -e staging
expect_rc 2
expect_eq "$ERR" "mctl: error: render flask-helo: no app spec flask-helo.yaml in apps (did you mean 'flask-hello'?)"

test_case "lint: the platform checklist as warnings; --strict fails on them"
cat >"$PROJECT/apps/legacy.yaml" <<'YAML'
image: legacy:latest
instances: 3
cmd: /usr/sbin/sshd -D
YAML
mctl -C "$PROJECT" lint legacy -e staging
expect_rc 0
expect_contains "$OUT" "apps/legacy.yaml:1:8: image 'registry.example.com:5000/legacy:latest' uses the mutable tag 'latest'"
expect_contains "$OUT" "apps/legacy.yaml:2:12: 3 instances without a constraint such as [hostname, UNIQUE]"
expect_contains "$OUT" "apps/legacy.yaml:3:6: the app runs sshd"
expect_contains "$OUT" "apps/legacy.yaml:1:1: no healthChecks"
mctl -C "$PROJECT" lint legacy -e staging --strict
expect_rc 1
mctl -C "$PROJECT" --json lint flask-hello -e staging
expect_rc 0
expect_eq "$(echo "$OUT" | json_get - 'd["warnings"]')" "0" "the example app passes the checklist"
rm "$PROJECT/apps/legacy.yaml"

test_case "-o through a symbolic link writes the real file and keeps the link; --all -o DIR too"
mkdir -p "$TMP/deploy" "$TMP/generated" "$TMP/alldir"
printf 'old\n' >"$TMP/generated/flask.json"
chmod 644 "$TMP/generated/flask.json"
ln -s ../generated/flask.json "$TMP/deploy/flask.json"
mctl -C "$PROJECT" render flask-hello -e staging -o "$TMP/deploy/flask.json"
expect_rc 0
expect_eq "$(readlink "$TMP/deploy/flask.json")" "../generated/flask.json" "link kept"
expect_eq "$(cat "$TMP/generated/flask.json")" "$(cat "$TMP/staging.json")" "real file rendered"
expect_eq "$(stat -c %a "$TMP/generated/flask.json")" 644 "mode kept"
ln -s ../generated/all-flask.json "$TMP/alldir/flask-hello.json"
mctl -C "$PROJECT" render --all -e staging -o "$TMP/alldir"
expect_rc 0
expect_true test -L "$TMP/alldir/flask-hello.json"
expect_eq "$(cat "$TMP/generated/all-flask.json")" "$(cat "$TMP/staging.json")" "dangling link followed"
ln -s "$TMP/nowhere" "$TMP/dangling-dir"
mctl -C "$PROJECT" render --all -e staging -o "$TMP/dangling-dir"
expect_rc 2
expect_contains "$ERR" "dangling-dir: cannot use it as the output directory"
mkdir "$TMP/adir.json"
mctl -C "$PROJECT" render flask-hello -e staging -o "$TMP/adir.json"
expect_rc 2
expect_contains "$ERR" "adir.json: it is a directory"
expect_eq "$(find "$TMP" -name '.*.tmp.*' | wc -l)" 0 "no temp files"

finish
