#!/usr/bin/env bash
# mctl up against docker-compose, on a private dockerd (vfs, no bridge: host networking):
#  1. `mctl up --detach` of 3 apps (busybox httpd, image present, HTTP health check every 1 s)
#     until all are healthy, against `docker-compose up -d` of the same 3 containers plus a
#     loop that polls their health URLs every 50 ms;
#  2. `mctl up --detach` with nothing changed (median of RUNS), which must restart nothing.
#   MCTL=path/to/mctl bench/up.sh [RUNS]
source "$(dirname "$0")/../tests/integration/lib.sh"
source "$(dirname "$0")/../tests/integration/lib_docker.sh"
RUNS=${1:-10}
[[ -x $MCTL ]] || fail_now "no mctl binary at $MCTL (set MCTL)"
need_cmd busybox docker-compose curl /usr/bin/time

start_dockerd
IMG="$TMP/bbroot"
mkdir -p "$IMG/bin" "$IMG/tmp"
cp "$(command -v busybox)" "$IMG/bin/busybox"
for a in sh httpd mkdir echo; do ln -s busybox "$IMG/bin/$a"; done
tar -C "$IMG" -cf "$TMP/bb.tar" . && docker import "$TMP/bb.tar" bb:1 >/dev/null || fail_now "docker import failed"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
P="$TMP/project"
mkdir -p "$P/apps" "$TMP/compose"
printf 'project: bench\n' >"$P/mctl.yaml"
PORTS=()
compose="version: '2.4'
services:"
for n in 1 2 3; do
  port=$(free_port)
  PORTS+=("$port")
  cat >"$P/apps/app$n.yaml" <<YAML
id: /app$n
container: {type: DOCKER, docker: {image: "bb:1"}}
portDefinitions: [{port: $port}]
requirePorts: true
cmd: mkdir -p /www && echo ok >/www/health && exec httpd -f -p 127.0.0.1:$port -h /www
healthChecks: [{protocol: HTTP, path: /health, gracePeriodSeconds: 10, intervalSeconds: 1, timeoutSeconds: 1}]
YAML
  compose+="
  app$n:
    image: bb:1
    network_mode: host
    entrypoint: [/bin/sh, -c]
    command: ['mkdir -p /www && echo ok >/www/health && exec httpd -f -p 127.0.0.1:$port -h /www']"
done
printf '%s\n' "$compose" >"$TMP/compose/docker-compose.yml"

t0=$(ms)
"$MCTL" -C "$P" -q up --detach >/dev/null || fail_now "mctl up failed"
t_mctl=$(( $(ms) - t0 ))

t0=$(ms)
docker-compose -f "$TMP/compose/docker-compose.yml" -p benchcompose up -d >/dev/null 2>&1 || fail_now "docker-compose up failed"
for port in "${PORTS[@]}"; do
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.05; done
done
t_compose=$(( $(ms) - t0 ))
docker-compose -f "$TMP/compose/docker-compose.yml" -p benchcompose down >/dev/null 2>&1
# The compose containers used the same ports: mctl's are still the ones answering? Restart mctl's.
"$MCTL" -C "$P" -q down >/dev/null
"$MCTL" -C "$P" -q up --detach >/dev/null || fail_now "mctl up (again) failed"

ids=$(docker ps -q --no-trunc | sort)
times=() cpu=()
for ((i = 0; i < RUNS; i++)); do
  t0=$(date +%s%N)
  /usr/bin/time -o "$TMP/cpu" -f '%U %S' "$MCTL" -C "$P" -q up --detach >/dev/null || fail_now "mctl up (unchanged) failed"
  times+=($(( ($(date +%s%N) - t0) / 1000 )))
  cpu+=("$(awk '{printf "%d", ($1 + $2) * 1000}' "$TMP/cpu")")
done
cpu_median=$(printf '%s\n' "${cpu[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
[[ $(docker ps -q --no-trunc | sort) == "$ids" ]] || fail_now "an unchanged up restarted a container"
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
"$MCTL" -C "$P" -q down >/dev/null

echo "3 apps, image present, health interval 1 s, host networking"
echo "mctl up --detach until healthy:                     ${t_mctl} ms"
echo "docker-compose up -d + health poll (50 ms):         ${t_compose} ms"
echo "mctl up --detach, nothing changed (median of $RUNS):   $(( median / 1000 )).$(( (median % 1000) / 100 )) ms wall, ${cpu_median} ms CPU (user+sys), no container restarted"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
