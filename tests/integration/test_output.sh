#!/usr/bin/env bash
# The JSON output contract (docs/output.md): every command of the tree runs with --json against
# the simulators and real services, and each output is checked against its schema in
# docs/schemas/ by tests/tools/check_json.cpp: one document (or NDJSON for the streaming
# commands), the documented shape, and an error object that agrees with the exit code.
# A command of the tree without a schema, or one this suite never ran, fails.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"
source "$(dirname "$0")/lib_dns.sh"
source "$(dirname "$0")/lib_docker.sh"
source "$(dirname "$0")/lib_mesos.sh"
need_cmd git
unset CI  # the image cases check output shapes; --strict under CI is test_image_engine's subject
CHECK=${MCTL_BUILD:-$MCTL_SOURCE/build}/tests/mctl_check_json
[[ -x $CHECK ]] || CHECK=$(dirname "$MCTL")/tests/mctl_check_json
[[ -x $CHECK ]] || fail_now "mctl_check_json is not built (cmake --build build --target mctl_check_json)"
SCHEMAS=$MCTL_SOURCE/docs/schemas
STREAMS=" deploy rollback restart scale stop destroy cancel kill wait logs up "
declare -A CHECKED=()

# checked NAME [MCTL ARGS...]: runs mctl with --json; its output must match docs/schemas/NAME.json.
checked() {
  local name=$1
  shift
  mctl "$@" --json </dev/null
  local mode=()
  [[ $STREAMS == *" ${name%% *} "* ]] && mode=(--ndjson)
  CHECKED[$name]=1
  # diff --exit-code's 1 is a result ("changed": true), not an error (docs/output.md).
  local code=$RC
  [[ $name == diff && $RC == 1 && $OUT == *'"changed": true'* ]] && code=0
  if "$CHECK" "$SCHEMAS/common.json" "$SCHEMAS/${name// /-}.json" "$code" "${mode[@]}" <<<"$OUT" 2>"$TMP/check.err"; then
    _report ok
  else
    _report fail "$name ($*): output does not follow docs/schemas/${name// /-}.json: $(cat "$TMP/check.err")"
  fi
}

test_case "every command of the tree has a schema"
mctl completion bash
# The leaves: every child named in _mctl_subs ('PARENT') reply=('CHILD:description' ...)) that
# is not a parent itself, so commands without options count too. The tree lists visible
# commands only: hidden helpers (man, completion's word lists) are not part of the contract.
# tree_words parents|children: the script's table, read with a shell-quoting parser.
tree_words() {
  python3 -c '
import re, shlex, sys
want, text = sys.argv[1], sys.stdin.read()
body = text.split("_mctl_subs() {", 1)[1].split("\n}", 1)[0]
for m in re.finditer(r"^    (.*?)\) reply=\((.*)\) ;;$", body, re.M):
    if m.group(1) == "*":
        continue  # the default arm
    parent = shlex.split(m.group(1))[0]
    if want == "parents":
        print(parent)
    else:
        for item in shlex.split(m.group(2)):
            print((parent + " " if parent else "") + item.split(":", 1)[0])
' "$1" <<<"$OUT" | sort -u
}
PARENTS=$(tree_words parents)
CHILDREN=$(tree_words children)
LEAVES=$(comm -23 <(echo "$CHILDREN") <(echo "$PARENTS") | grep -v '^$' | grep -v '^completion')
# A parent that runs by itself too (queue [APP], queue reset APP) has an optional SUBCOMMAND.
for parent in $(tr ' ' '_' <<<"$PARENTS"); do
  parent=${parent//_/ }
  [[ -n $parent ]] || continue
  # shellcheck disable=SC2086 # the words of the command path
  [[ $("$MCTL" $parent --help 2>&1 | head -3) == *"[SUBCOMMAND]"* ]] && LEAVES+=$'\n'"$parent"
done
expect_true test "$(wc -l <<<"$LEAVES")" -ge 30
for leaf in $(tr ' ' '_' <<<"$LEAVES"); do
  leaf=${leaf//_/ }
  expect_true test -f "$SCHEMAS/${leaf// /-}.json"
done

# --- Services: the Marathon simulator, the Mesos-DNS HTTP fixture, dockerd and a registry.
start_marathon
start_mesos
start_mesos_dns_http
start_dockerd
start_registry
export MCTL_HTTP_RETRIES=0 MARATHON_PASSWORD=unused
PROJECT=$TMP/project
example_project "$PROJECT" sh -c "printf 'FROM scratch\nCOPY f /f\n' >Dockerfile; echo x >f;
  sed -i 's|^registry: .*|registry: $REGISTRY|' mctl.yaml"
cd "$PROJECT" || exit 1
M=(--marathon "$MARATHON_URL")
P=(-e prod "${M[@]}")

test_case "vault"
printf 'db_password: s3cret\n' >plain.yaml
checked "vault encrypt" vault encrypt plain.yaml --vault-password-file .vault-password
checked "vault view" vault view plain.yaml --vault-password-file .vault-password
expect_contains "$OUT" '"plaintext": "db_password: s3cret\n"'
printf 'wrong\n' >wrong-pass
checked "vault view" vault view plain.yaml --vault-password-file wrong-pass
expect_rc 5
printf 'other-password\n' >new-pass
checked "vault rekey" vault rekey plain.yaml --vault-password-file .vault-password --new-vault-password-file new-pass
checked "vault decrypt" vault decrypt plain.yaml --vault-password-file new-pass --output -
checked "vault decrypt" vault decrypt plain.yaml --vault-password-file new-pass
mctl vault encrypt --vault-password-file new-pass --json <<<"piped"
"$CHECK" "$SCHEMAS/common.json" "$SCHEMAS/vault-encrypt.json" "$RC" <<<"$OUT"
expect_true test $? -eq 0
expect_contains "$OUT" '"ciphertext": "$MCTL_VAULT'
printf 'hunter2' >value
mctl vault encrypt-string --vault-password-file new-pass --stdin-name pw --json <value
CHECKED["vault encrypt-string"]=1
"$CHECK" "$SCHEMAS/common.json" "$SCHEMAS/vault-encrypt-string.json" "$RC" <<<"$OUT"
expect_true test $? -eq 0
printf '%s\n' "$(json_get 'd["yaml"]')" >block
mctl vault decrypt-string --vault-password-file new-pass --json <block
CHECKED["vault decrypt-string"]=1
"$CHECK" "$SCHEMAS/common.json" "$SCHEMAS/vault-decrypt-string.json" "$RC" <<<"$OUT"
expect_true test $? -eq 0
expect_contains "$OUT" '"plaintext": "hunter2"'
printf '#!/bin/sh\nprintf "a: 1\\n" >"$1"\n' >"$TMP/editor"
chmod +x "$TMP/editor"
EDITOR=$TMP/editor checked "vault create" vault create new.yaml --vault-password-file new-pass
EDITOR=$TMP/editor checked "vault edit" vault edit new.yaml --vault-password-file new-pass
checked "vault create" vault create new.yaml --vault-password-file new-pass
expect_rc 2

test_case "render, lint, config, version, help"
checked render render flask-hello
checked render render --all
checked render render nosuch
checked lint lint
checked lint lint --strict -e prod
checked "config show" config show -e prod
checked version version
checked schema schema
checked init init "$TMP/newproject" --app web
checked init init "$TMP/newproject" --app web
checked help help deploy
checked help help nosuch

test_case "deploy and the operating commands"
checked deploy deploy flask-hello "${P[@]}" --timeout 30s
checked deploy deploy flask-hello "${P[@]}" --timeout 30s --dry-run --set instances=2
checked diff diff flask-hello "${P[@]}" --set instances=2
checked diff diff flask-hello "${P[@]}" --set instances=2 --exit-code
expect_rc 1
checked status status flask-hello "${P[@]}"
checked status status /nope "${M[@]}"
checked apps apps "${M[@]}"
checked versions versions flask-hello "${P[@]}"
checked deployments deployments "${M[@]}"
checked scale scale flask-hello 2 "${P[@]}" --timeout 30s
checked tasks tasks flask-hello "${P[@]}"
checked queue queue "${M[@]}"
checked "queue reset" queue reset flask-hello "${P[@]}"
expect_rc 8
checked wait wait flask-hello "${P[@]}" --timeout 30s
wait_until 10 mesos_has 2 /flask-hello || fail_now "Mesos did not learn the tasks of /flask-hello"
FH=$(running_tasks /flask-hello | sed -n 1p)
msim POST write "{\"task\":\"$FH\",\"text\":\"hello\\n\"}" >/dev/null
msim POST write "{\"task\":\"$FH\",\"stream\":\"stderr\",\"text\":\"warn\\n\"}" >/dev/null
checked logs logs flask-hello "${P[@]}" --mesos "$MESOS_URL"
expect_contains "$OUT" '"event":"line"'
checked logs logs /nope "${M[@]}" --mesos "$MESOS_URL"
checked top top flask-hello --interval 100ms "${P[@]}" --mesos "$MESOS_URL"
checked kill kill "$(sim GET /v2/apps/flask-hello | jq_py "j['app']['tasks'][0]['id']")" --yes "${P[@]}"
checked restart restart flask-hello "${P[@]}" --timeout 30s
expect_rc 0  # a time-out has a schema-valid output too: it must not pass here
checked rollback rollback flask-hello "${P[@]}" --timeout 30s
checked stop stop flask-hello "${P[@]}" --timeout 30s
expect_rc 0  # a time-out has a schema-valid output too: it must not pass here
checked cancel cancel flask-hello "${P[@]}"
checked destroy destroy flask-hello --yes "${P[@]}" --timeout 30s
expect_rc 0  # a time-out has a schema-valid output too: it must not pass here
checked deploy deploy flask-hello "${M[@]}" -e nosuch

test_case "dns"
U=http://127.0.0.1:$HTTP_PORT
checked "dns lookup" dns lookup flask-hello.marathon.mesos --http "$U"
checked "dns lookup" dns lookup idle-worker.marathon.mesos --http "$U"
expect_rc 8
printf 'flask-hello.marathon.mesos\nidle-worker.marathon.mesos\n' >names
checked "dns lookup" dns lookup --batch names --http "$U"
expect_rc 8
checked "dns app" dns app /flask-hello --http "$U"

test_case "images"
docker_image flask-hello:latest "v1" || fail_now "docker import failed"
checked "image tag" image tag flask-hello
checked "image push" image push flask-hello
checked "image exists" image exists flask-hello
checked "image exists" image exists nosuch
expect_rc 8
checked "image build" image build flask-hello --no-strict
checked "images gc local" images gc local --dry-run "${M[@]}"
checked "images gc registry" images gc registry --dry-run "${M[@]}"

test_case "local containers (up, ps, down)"
checked ps ps
checked down down
checked up up nosuch

test_case "every command of the tree was checked here"
for leaf in $(tr ' ' '_' <<<"$LEAVES"); do
  leaf=${leaf//_/ }
  expect_true test -n "${CHECKED[$leaf]:-}"
done

finish
