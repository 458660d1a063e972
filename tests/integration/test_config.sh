#!/usr/bin/env bash
# mctl config show: the layering order (default < mctl.yaml < env block < MCTL_* < flags)
# with each value's origin, as a user sees it from the real binary.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/proj/deep/er"
cat >"$TMP/proj/mctl.yaml" <<'YAML'
project: demo
default_env: staging
deploy:
  timeout: 5m
  parallel: 2
environments:
  staging:
    marathon:
      urls: [http://staging-1:8080]
    mesos_dns: 127.0.0.1:8600
  prod:
    marathon:
      urls: [http://prod-1:8080, http://prod-2:8080]
    deploy:
      timeout: 15m
    vars:
      replicas: 3
YAML
cd "$TMP/proj/deep/er"

value() { # KEY: the value and origin of KEY from the JSON output in $OUT
  python3 -c 'import json,sys; s=json.loads(sys.stdin.read())["settings"][sys.argv[1]]; print(json.dumps(s["value"]), "|", s["origin"])' "$1" <<<"$OUT"
}

test_case "defaults and file values found by walking up"
mctl config show --json
expect_rc 0
expect_eq "$(value http.timeout)" '"30s" | default'
expect_eq "$(value deploy.parallel)" '2 | ../../mctl.yaml:5'
expect_eq "$(value env)" '"staging" | ../../mctl.yaml:2'
expect_eq "$(value marathon.urls)" '["http://staging-1:8080"] | ../../mctl.yaml:9'

test_case "the environment block beats the top level"
mctl config show -e prod --json
expect_eq "$(value deploy.timeout)" '"15m" | ../../mctl.yaml:15'
expect_eq "$(value vars.replicas)" '3 | ../../mctl.yaml:17'
expect_eq "$(value env)" '"prod" | flag --env'

test_case "MCTL_* environment variables beat the file"
MCTL_TIMEOUT=20m MCTL_MARATHON_URL=http://env-1:1,http://env-2:2 MCTL_ENV=prod run "$MCTL" config show --json
expect_eq "$(value deploy.timeout)" '"20m" | env MCTL_TIMEOUT'
expect_eq "$(value marathon.urls)" '["http://env-1:1", "http://env-2:2"] | env MCTL_MARATHON_URL'
expect_eq "$(value env)" '"prod" | env MCTL_ENV'

test_case "flags beat everything"
MCTL_MARATHON_URL=http://env-1:1 run "$MCTL" --marathon http://flag:1 config show -e prod --json
expect_eq "$(value marathon.urls)" '["http://flag:1"] | flag --marathon'

test_case "text output shows value and origin on one line per key"
MCTL_TIMEOUT=20m run "$MCTL" config show -e prod
expect_rc 0
expect_contains "$OUT" "deploy.timeout"
expect_true grep -Eq '^deploy\.timeout +20m +env MCTL_TIMEOUT$' <<<"$OUT"
expect_true grep -Eq '^marathon\.urls +http://prod-1:8080, http://prod-2:8080 +\.\./\.\./mctl\.yaml:13$' <<<"$OUT"

test_case "--config and -C choose the project"
cd "$TMP"
mctl -C proj config show --json
expect_eq "$(value deploy.parallel)" '2 | mctl.yaml:5'
mctl --config proj/mctl.yaml config show --json
expect_eq "$(value deploy.parallel)" '2 | proj/mctl.yaml:5'

test_case "an unknown key is a usage error with file:line:col and a suggestion"
mkdir -p "$TMP/bad" && printf 'deploy:\n  timout: 5m\n' >"$TMP/bad/mctl.yaml"
mctl -C "$TMP/bad" config show
expect_rc 2
expect_eq "$ERR" "mctl: error: mctl.yaml:2:3: unknown key 'deploy.timout' (did you mean 'timeout'?)"
expect_eq "$OUT" ""

test_case "an unknown environment is a usage error"
mctl -C proj config show -e prd
expect_rc 2
expect_contains "$ERR" "unknown environment 'prd' in mctl.yaml (did you mean 'prod'?)"

test_case "a literal password is refused without echoing it"
printf 'marathon:\n  credentials:\n    password: hunter2\n' >"$TMP/bad/mctl.yaml"
mctl -C "$TMP/bad" config show
expect_rc 2
expect_not_contains "$ERR" "hunter2"
expect_contains "$ERR" "use password_file or password_env"

test_case "errors in JSON mode are also a JSON object on stdout"
mctl -C "$TMP/bad" config show --json
expect_rc 2
expect_eq "$(python3 -c 'import json,sys; e=json.load(sys.stdin)["error"]; print(e["exit_code"])' <<<"$OUT")" 2

test_case "a bad value names its origin the way config show does, whatever the layer"
MCTL_TIMEOUT="10 minutes" mctl config show
expect_rc 2
expect_eq "$ERR" "mctl: error: env MCTL_TIMEOUT: deploy.timeout: invalid duration '10 minutes': missing unit (use e.g. 90s, 10m, 1h30m)"
MCTL_TAG_LENGTH=short mctl config show
expect_rc 2
expect_eq "$ERR" "mctl: error: env MCTL_TAG_LENGTH: images.tag_length must be a number from 7 to 40 or 'full', got 'short'"
mkdir -p "$TMP/badtimeout"
printf 'deploy:\n  timeout: 10 minutes\n' >"$TMP/badtimeout/mctl.yaml"
mctl -C "$TMP/badtimeout" config show
expect_rc 2
expect_eq "$ERR" "mctl: error: mctl.yaml:2:3: deploy.timeout: invalid duration '10 minutes': missing unit (use e.g. 90s, 10m, 1h30m)"

test_case "duplicate keys in mctl.yaml are refused with both positions"
mkdir -p "$TMP/dup"
printf 'project: p\ndeploy:\n  parallel: 2\nproject: q\n' >"$TMP/dup/mctl.yaml"
mctl -C "$TMP/dup" config show
expect_rc 2
expect_eq "$ERR" "mctl: error: mctl.yaml:4:1: duplicate key 'project' (first at line 1 column 1)"

test_case "a config file that cannot be read is exit 2"
mkdir -p "$TMP/unreadable/mctl.yaml.d"
mctl -C "$TMP/unreadable" --config mctl.yaml.d config show
expect_rc 2

test_case "usage errors exit 2, help exits 0"
mctl --no-such-flag
expect_rc 2
mctl --help
expect_rc 0
expect_contains "$OUT" "deploy"
MCTL_OUTPUT=yaml run "$MCTL" config show
expect_rc 2
expect_contains "$ERR" "MCTL_OUTPUT"

test_case "MCTL_OUTPUT=json in the environment is --json"
MCTL_OUTPUT=json run "$MCTL" --config "$TMP/proj/mctl.yaml" config show
expect_rc 0
expect_eq "$(value deploy.parallel | cut -d' ' -f1)" 2

finish
