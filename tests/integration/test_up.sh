#!/usr/bin/env bash
# mctl up / ps / down / logs --local against a real dockerd (vfs, no bridge: host networking)
# with a busybox image: dependencies, health checks passing and failing (replacement after
# maxConsecutiveFailures), a COMMAND check, Marathon's PORT variables, a vault secret that only
# the container's environment holds, a persistent volume, change detection, Ctrl-C, --detach.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_docker.sh"
need_cmd busybox curl
[[ $(busybox 2>&1) == *httpd* ]] || skip "this busybox has no httpd applet"

start_dockerd
start_registry
export MCTL_HTTP_RETRIES=0

# bb:1, a runnable image: a static busybox and the applets the apps use.
IMG="$TMP/bbroot"
mkdir -p "$IMG/bin" "$IMG/tmp" "$IMG/www"
cp "$(command -v busybox)" "$IMG/bin/busybox"
for a in sh httpd sleep cat echo test env mkdir touch wget sha256sum true false date ls kill; do ln -s busybox "$IMG/bin/$a"; done
tar -C "$IMG" -cf "$TMP/bb.tar" . && docker import "$TMP/bb.tar" bb:1 >/dev/null || fail_now "docker import failed"

P="$TMP/project"
mkdir -p "$P/apps"
DB_PORT=$(free_port)
SECRET="s3cr3t-$RANDOM-value-$RANDOM"
cat >"$P/mctl.yaml" <<YAML
project: uptest
default_env: local
environments:
  local:
    vault:
      file: secrets.vault.yaml
      password_file: .vault-password
    vars:
      db_port: $DB_PORT
      greeting: hello
YAML
printf 'test-password\n' >"$P/.vault-password"
printf 'db_password: %s\n' "$SECRET" >"$P/secrets.vault.yaml"
mctl -C "$P" vault encrypt secrets.vault.yaml
[[ $RC == 0 ]] || fail_now "vault encrypt: $ERR"

# db: a fixed port (web needs it at start), HTTP health check, memory and CPU limits.
cat >"$P/apps/db.yaml" <<'YAML'
id: /db
cpus: 0.5
mem: 64
instances: 1
container:
  type: DOCKER
  docker: {image: "bb:1"}
portDefinitions: [{port: "{{ db_port }}", name: http}]
requirePorts: true
cmd: mkdir -p /www && echo ok >/www/health && echo "db listening on $PORT0" && exec httpd -f -p 127.0.0.1:$PORT0 -h /www
healthChecks:
  - {protocol: HTTP, path: /health, portIndex: 0, gracePeriodSeconds: 10, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 3}
YAML
# web: depends on db (exits at once when db does not answer), sees PORT vars and the secret.
cat >"$P/apps/web.yaml" <<'YAML'
id: /web
cpus: 0.1
mem: 32
instances: 1
dependencies: [/db]
container:
  type: DOCKER
  docker: {image: "bb:1"}
portDefinitions: [{port: 0, name: http}, {port: 0, name: admin}]
env:
  GREETING: "{{ greeting }}"
  DB_PASSWORD: "{{ secrets.db_password }}"
cmd: >-
  wget -q -O /dev/null http://127.0.0.1:{{ db_port }}/health || { echo "db is not up"; exit 1; };
  mkdir -p /www && echo ok >/www/health &&
  echo "PORT0=$PORT0 PORT1=$PORT1 PORT=$PORT PORTS=$PORTS PORT_HTTP=$PORT_HTTP PORT_ADMIN=$PORT_ADMIN HOST=$HOST" >/www/ports &&
  printf %s "$DB_PASSWORD" | sha256sum >/www/secret.sha &&
  echo "web says $GREETING" && exec httpd -f -p 127.0.0.1:$PORT0 -h /www
healthChecks:
  - {protocol: MESOS_HTTP, path: /health, portIndex: 0, gracePeriodSeconds: 10, intervalSeconds: 1, timeoutSeconds: 1}
  - {protocol: TCP, portIndex: 0, gracePeriodSeconds: 10, intervalSeconds: 1, timeoutSeconds: 1}
YAML

mkdir -p "$P/more"
# flaky: healthy at first, then its health page goes away: replaced after 2 failures.
cat >"$P/more/flaky.yaml" <<'YAML'
id: /flaky
container:
  type: DOCKER
  docker: {image: "bb:1"}
portDefinitions: [{port: 0}]
cmd: mkdir -p /www && echo ok >/www/health && echo "flaky started" && (sleep 2; rm /www/health; echo "flaky lost its health page") & exec httpd -f -p 127.0.0.1:$PORT0 -h /www
healthChecks:
  - {protocol: HTTP, path: /health, gracePeriodSeconds: 0, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 2}
YAML
# broken: never healthy (a 404), grace 1 s: --detach fails with its last lines.
cat >"$P/more/broken.yaml" <<'YAML'
id: /broken
container:
  type: DOCKER
  docker: {image: "bb:1"}
portDefinitions: [{port: 0}]
cmd: 'echo "broken: serving nothing"; mkdir -p /www && exec httpd -f -p 127.0.0.1:$PORT0 -h /www'
healthChecks:
  - {protocol: HTTP, path: /health, gracePeriodSeconds: 1, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 2}
YAML
cat >"$P/more/cmdcheck.yaml" <<'YAML'
id: /cmdcheck
container:
  type: DOCKER
  docker: {image: "bb:1"}
cmd: sleep 1; touch /tmp/ready; exec sleep 1000
healthChecks:
  - {protocol: COMMAND, command: {value: "test -f /tmp/ready"}, gracePeriodSeconds: 10, intervalSeconds: 1, timeoutSeconds: 2}
YAML
cat >"$P/more/store.yaml" <<'YAML'
id: /store
container:
  type: DOCKER
  docker: {image: "bb:1"}
  volumes:
    - {containerPath: data, mode: RW, persistent: {size: 10}}
cmd: date >>$MESOS_SANDBOX/data/runs && exec sleep 1000
YAML
cat >"$P/more/plain.yaml" <<'YAML'
id: /plain
container: {type: DOCKER, docker: {image: "bb:1"}}
cmd: exec sleep 1000
YAML
# sturdy: sh as PID 1 ends on SIGTERM, so dockerd stops it at once when it shuts down.
cat >"$P/more/sturdy.yaml" <<'YAML'
id: /sturdy
container: {type: DOCKER, docker: {image: "bb:1"}}
portDefinitions: [{port: 0}]
cmd: trap 'exit 0' TERM; mkdir -p /www && echo ok >/www/health && httpd -f -p 127.0.0.1:$PORT0 -h /www & wait
healthChecks:
  - {protocol: HTTP, path: /health, gracePeriodSeconds: 10, intervalSeconds: 1, timeoutSeconds: 1}
YAML
cat >"$P/more/ghost.yaml" <<YAML
id: /ghost
container:
  type: DOCKER
  docker: {image: "$REGISTRY/nosuch:1"}
cmd: sleep 1000
YAML

project_containers() { docker ps -a -q --filter label=mctl.project=uptest; }
no_containers() { [[ -z $(project_containers) ]]; }
# stop_foreground_up: Ctrl-C to the foreground `mctl up` in UP_PID: exit 130, its containers gone.
stop_foreground_up() {
  kill -INT "$UP_PID"
  wait "$UP_PID"
  RC=$?
  expect_rc 130
  expect_true wait_until 30 no_containers
}
cid() { docker ps -a -q --no-trunc --filter label=mctl.project=uptest --filter "label=mctl.app=$1"; }
port_of() { docker inspect -f '{{index .Config.Labels "mctl.ports"}}' "$(cid "$1")" | cut -d, -f"${2:-1}"; }

test_case "up --detach starts db before web and returns 0 once both are healthy"
mctl -C "$P" up --detach -vv
expect_rc 0
expect_contains "$OUT" "up: 2 started, 0 unchanged, 0 replaced; all healthy"
expect_contains "$ERR" "network: host"
db_healthy=$(grep -n "uptest-db-1: healthy" <<<"$ERR" | head -1 | cut -d: -f1)
web_start=$(grep -n "uptest-web-1: starting" <<<"$ERR" | head -1 | cut -d: -f1)
expect_true test "${db_healthy:-999}" -lt "${web_start:-0}"
expect_eq "$(docker inspect -f '{{.State.Status}}' "$(cid /web)")" "running" "web did not exit: db answered first"

test_case "PORT variables are the ones Marathon sets, and the process sees them"
WEB0=$(port_of /web 1) WEB1=$(port_of /web 2)
expect_eq "$(curl -s "http://127.0.0.1:$WEB0/ports")" \
  "PORT0=$WEB0 PORT1=$WEB1 PORT=$WEB0 PORTS=$WEB0,$WEB1 PORT_HTTP=$WEB0 PORT_ADMIN=$WEB1 HOST=127.0.0.1"
expect_eq "$(port_of /db)" "$DB_PORT" "requirePorts keeps the declared port"

test_case "resources: mem is the memory limit, cpus the CPU quota; labels name project, app and hash"
expect_eq "$(docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}}' "$(cid /db)")" "67108864 50000 100000"
expect_eq "$(docker inspect -f '{{index .Config.Labels "mctl.project"}} {{index .Config.Labels "mctl.app"}}' "$(cid /db)")" "uptest /db"
expect_contains "$(docker inspect -f '{{index .Config.Labels "mctl.definition-hash"}}' "$(cid /db)")" ""

test_case "the vault secret is in the container's environment only: not argv, not logs, not mctl's output"
expect_eq "$(curl -s "http://127.0.0.1:$WEB0/secret.sha" | cut -d' ' -f1)" "$(printf %s "$SECRET" | sha256sum | cut -d' ' -f1)"
expect_contains "$(docker inspect -f '{{json .Config.Env}}' "$(cid /web)")" "DB_PASSWORD=$SECRET"
expect_not_contains "$(docker inspect -f '{{json .Config.Cmd}} {{json .Config.Entrypoint}} {{json .Args}} {{json .Config.Labels}}' "$(cid /web)")" "$SECRET"
expect_not_contains "$(docker top "$(cid /web)" -o args 2>&1)" "$SECRET"
expect_not_contains "$(docker logs "$(cid /web)" 2>&1)" "$SECRET"
expect_not_contains "$OUT$ERR" "$SECRET" "mctl up -vv"
mctl -C "$P" ps --json
expect_not_contains "$OUT" "$SECRET"

test_case "ps lists the project's containers"
mctl -C "$P" ps
expect_rc 0
expect_contains "$OUT" "uptest-db-1"
expect_contains "$OUT" "uptest-web-1"
expect_contains "$OUT" "running"

test_case "logs --local shows an app's output; -n, --stdout and --stderr select"
mctl -C "$P" logs --local web
expect_rc 0
expect_eq "$OUT" "uptest-web-1 | web says hello"
mctl -C "$P" logs --local db -n 1 --stderr
expect_rc 0
expect_eq "$OUT" ""
mctl -C "$P" logs --local /ghost
expect_rc 8
expect_contains "$ERR" "no local container"

test_case "up with nothing changed restarts nothing"
DB_ID=$(cid /db) WEB_ID=$(cid /web)
mctl -C "$P" up --detach
expect_rc 0
expect_contains "$OUT" "0 started, 2 unchanged, 0 replaced"
expect_eq "$(cid /db) $(cid /web)" "$DB_ID $WEB_ID"

test_case "a change to one app replaces only that app's container"
mctl -C "$P" up --detach --set greeting=bonjour
expect_rc 0
expect_contains "$OUT" "1 started, 1 unchanged, 1 replaced"
expect_eq "$(cid /db)" "$DB_ID" "db kept"
expect_true test "$(cid /web)" != "$WEB_ID"
mctl -C "$P" logs --local web
expect_eq "$OUT" "uptest-web-1 | web says bonjour"

test_case "a new secret value alone replaces the app that uses it; its free ports stay"
DB_ID=$(cid /db) WEB_ID=$(cid /web)
SECRET2="n3w-$RANDOM-secret-$RANDOM"
printf 'db_password: %s\n' "$SECRET2" >"$P/secrets.vault.yaml"
mctl -C "$P" vault encrypt secrets.vault.yaml
expect_rc 0
mctl -C "$P" up --detach --set greeting=bonjour
expect_rc 0
expect_contains "$OUT" "1 started, 1 unchanged, 1 replaced"
expect_eq "$(cid /db)" "$DB_ID" "db does not use the secret"
expect_true test "$(cid /web)" != "$WEB_ID"
expect_eq "$(port_of /web 1),$(port_of /web 2)" "$WEB0,$WEB1" "port 0 is assigned once, then kept"
expect_eq "$(curl -s "http://127.0.0.1:$WEB0/secret.sha" | cut -d' ' -f1)" "$(printf %s "$SECRET2" | sha256sum | cut -d' ' -f1)"
expect_not_contains "$OUT$ERR" "$SECRET2"

test_case "images gc local keeps the image of mctl up's containers, also of a stopped one"
docker stop -t 1 "$(cid /db)" "$(cid /web)" >/dev/null
mctl -C "$P" images gc local --keep 0 --yes --no-marathon
expect_rc 0
expect_eq "$(docker image inspect -f "{{.RepoTags}}" bb:1)" "[bb:1]"
mctl -C "$P" up --detach
expect_rc 0
expect_contains "$OUT" "2 started, 0 unchanged, 2 replaced" "stopped containers are replaced"

test_case "a COMMAND health check runs in the container (docker exec)"
mctl -C "$P" up more/cmdcheck.yaml --detach
expect_rc 0
expect_contains "$ERR" "uptest-cmdcheck-1: healthy"

test_case "--detach: an app that never gets healthy fails with its last lines (exit 1)"
mctl -C "$P" up more/broken.yaml --detach
expect_rc 1
expect_contains "$ERR" "unhealthy: HTTP :"
expect_contains "$ERR" "failed 2 times in a row"
expect_contains "$ERR" "| broken: serving nothing"

test_case "a container of the same name that is not the project's is never removed (exit 1)"
docker run -d --network none --name uptest-plain-1 bb:1 sleep 1000 >/dev/null
mctl -C "$P" up more/plain.yaml --detach
expect_rc 1
expect_contains "$ERR" "creating container uptest-plain-1: a container of that name exists and is not one of project 'uptest' (it has no mctl labels)"
expect_eq "$(docker inspect -f '{{.State.Running}} {{index .Config.Labels "mctl.project"}}' uptest-plain-1)" "true "
docker rm -f uptest-plain-1 >/dev/null

test_case "a second mctl up of the same project waits for the first instead of racing it for names"
"$MCTL" -C "$P" up more/plain.yaml >"$TMP/first.out" 2>"$TMP/first.err" &
FIRST_PID=$!
wait_until 30 grep -q "uptest-plain-1: healthy" "$TMP/first.err" || _report fail "plain never became healthy"
FIRST=$(cid /plain)
"$MCTL" -C "$P" up more/plain.yaml --detach >"$TMP/second.out" 2>"$TMP/second.err" &
SECOND_PID=$!
wait_until 30 grep -q "waiting for another mctl up (pid $FIRST_PID) of project 'uptest' to end" "$TMP/second.err" ||
  _report fail "the second up did not wait: $(cat "$TMP/second.err")"
expect_eq "$(cid /plain)" "$FIRST" "the first run's container is untouched while it runs"
kill -INT "$FIRST_PID"
wait "$FIRST_PID"
wait "$SECOND_PID"
RC=$?
expect_rc 0 "the second up ran once the first had ended"
expect_eq "$(docker ps -q --filter label=mctl.project=uptest --filter label=mctl.app=/plain | wc -l)" "1"
expect_true test "$(cid /plain)" != "$FIRST"

test_case "a missing image: exit 8, nothing created"
before=$(project_containers | wc -l)
mctl -C "$P" up more/ghost.yaml --detach
expect_rc 8
expect_contains "$ERR" "pulling $REGISTRY/nosuch"
expect_eq "$(project_containers | wc -l)" "$before"

test_case "a spec up cannot run (a Marathon secret) is exit 2 with nothing started, also after its dependency's wave"
cat >"$P/more/dep.yaml" <<'YAML'
id: /dep
container: {type: DOCKER, docker: {image: "bb:1"}}
cmd: exec sleep 1000
YAML
cat >"$P/more/needsecret.yaml" <<'YAML'
id: /needsecret
dependencies: [/dep]
container: {type: DOCKER, docker: {image: "bb:1"}}
env: {DB: {secret: db}}
secrets: {db: {source: db_password}}
cmd: exec sleep 1000
YAML
before=$(project_containers | wc -l)
mctl -C "$P" up more/dep.yaml more/needsecret.yaml --detach
expect_rc 2
expect_contains "$ERR" "/needsecret: env DB refers to Marathon secret 'db'"
expect_eq "$(project_containers | wc -l)" "$before" "no container created, not even the dependency's"

test_case "down removes the containers, keeps persistent volumes unless --volumes"
mctl -C "$P" up more/store.yaml --detach
expect_rc 0
expect_eq "$(docker volume ls -q --filter label=mctl.project=uptest)" "uptest-store-1-data"
mctl -C "$P" down
expect_rc 0
expect_contains "$OUT" "removed container uptest-web-1"
expect_eq "$(project_containers | wc -l)" "0"
expect_eq "$(docker volume ls -q --filter label=mctl.project=uptest)" "uptest-store-1-data"
mctl -C "$P" up more/store.yaml --detach
expect_rc 0
expect_eq "$(docker exec "$(cid /store)" sh -c 'wc -l <$MESOS_SANDBOX/data/runs')" "2" "the volume kept the first run's line"
mctl -C "$P" down /store --volumes
expect_rc 0
expect_contains "$OUT" "removed volume uptest-store-1-data"
expect_eq "$(docker volume ls -q --filter label=mctl.project=uptest)" ""

test_case "without -e, up, logs --local, ps and down use the environment named local, not default_env"
E="$TMP/envproject"
mkdir -p "$E/apps"
cat >"$E/mctl.yaml" <<YAML
project: envtest
default_env: staging
environments:
  staging:
    docker_host: unix://$TMP/no-such-dockerd.sock
    vars: {where: the cluster}
  local:
    docker_host: $DOCKER_HOST
    vars: {where: the laptop}
YAML
cat >"$E/apps/hello.yaml" <<'YAML'
id: /hello
container: {type: DOCKER, docker: {image: "bb:1"}}
cmd: echo "running on {{ where }}" && exec sleep 1000
YAML
# DOCKER_HOST (empty: unset for mctl) would override the environments' docker_host.
DOCKER_HOST='' mctl -C "$E" up --detach
expect_rc 0
expect_contains "$ERR" "environment: local (named local)"
DOCKER_HOST='' mctl -C "$E" logs --local hello
expect_rc 0
expect_eq "$OUT" "envtest-hello-1 | running on the laptop"
DOCKER_HOST='' mctl -C "$E" ps
expect_rc 0
expect_contains "$OUT" "envtest-hello-1"
DOCKER_HOST='' mctl -C "$E" -e staging ps
expect_rc 3 "-e wins: staging's docker_host does not answer"
DOCKER_HOST='' mctl -C "$E" down
expect_rc 0
expect_contains "$OUT" "removed container envtest-hello-1"
expect_eq "$(docker ps -a -q --filter label=mctl.project=envtest)" ""

test_case "foreground: prefixed output, state lines, replacement after maxConsecutiveFailures, Ctrl-C removes"
"$MCTL" -C "$P" up more/flaky.yaml >"$TMP/fg.out" 2>"$TMP/fg.err" &
UP_PID=$!
wait_until 30 grep -q "uptest-flaky-1: healthy" "$TMP/fg.err" || _report fail "flaky never became healthy"
FIRST=$(cid /flaky)
wait_until 30 grep -q "uptest-flaky-1: restarting" "$TMP/fg.err" || _report fail "flaky was not replaced"
expect_contains "$(cat "$TMP/fg.err")" "unhealthy: HTTP :"
replaced() { local id; id=$(cid "$1"); [[ -n $id && $id != "$2" ]]; }
wait_until 30 replaced /flaky "$FIRST"
expect_true replaced /flaky "$FIRST"
expect_contains "$(cat "$TMP/fg.out")" "uptest-flaky-1 | flaky started"
stop_foreground_up

test_case "foreground: a dockerd restart is waited out and the container it stopped is replaced"
"$MCTL" -C "$P" up more/sturdy.yaml >"$TMP/rs.out" 2>"$TMP/rs.err" &
UP_PID=$!
wait_until 30 grep -q "uptest-sturdy-1: healthy" "$TMP/rs.err" || _report fail "sturdy never became healthy"
BEFORE=$(cid /sturdy)
stop_service "$DOCKERD_PID"
start_dockerd
running_again() { replaced /sturdy "$BEFORE" && [[ $(docker inspect -f '{{.State.Running}}' "$(cid /sturdy)") == true ]]; }
healthy_twice() { (($(grep -c "uptest-sturdy-1: healthy" "$TMP/rs.err") >= 2)); }
expect_true wait_until 60 running_again
expect_true wait_until 30 healthy_twice
expect_contains "$(cat "$TMP/rs.err")" "uptest-sturdy-1: Docker Engine unreachable, retrying"
stop_foreground_up
finish
