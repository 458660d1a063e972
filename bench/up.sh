#!/usr/bin/env bash
# mctl up against docker-compose, on a private dockerd (vfs, no bridge: host networking), all
# in one go from a clean tree (it starts and stops its own dockerd; needs build/mctl):
#  1. `mctl up --detach` of 3 apps (busybox httpd, image present, HTTP health check every 1 s)
#     until all are healthy, against `docker-compose up -d` (Debian's 1.29) of the same 3
#     containers plus a loop that polls their health URLs every 50 ms. ROUNDS rounds, each
#     tool alternately from nothing (the other's containers removed first: same ports), medians.
#  2. `mctl up --detach` with nothing changed: hyperfine --warmup 2 --runs RUNS, which must
#     restart nothing (container ids compared before and after).
# Figures mean little on a busy machine: the load average is printed with them.
#   [MCTL=path/to/mctl] [ROUNDS=3] bench/up.sh [RUNS]
source "$(dirname "$0")/../tests/integration/lib.sh"
source "$(dirname "$0")/../tests/integration/lib_docker.sh"
RUNS=${1:-20}
ROUNDS=${ROUNDS:-3}
[[ -x $MCTL ]] || fail_now "no mctl binary at $MCTL (build it, or set MCTL)"
need_cmd busybox docker-compose curl hyperfine python3

start_dockerd
IMG="$TMP/bbroot"
mkdir -p "$IMG/bin" "$IMG/tmp"
cp "$(command -v busybox)" "$IMG/bin/busybox"
for a in sh httpd mkdir echo; do ln -s busybox "$IMG/bin/$a"; done
tar -C "$IMG" -cf "$TMP/bb.tar" . && docker import "$TMP/bb.tar" bb:1 >/dev/null || fail_now "docker import failed"

ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
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
compose() { docker-compose -f "$TMP/compose/docker-compose.yml" -p benchcompose "$@" >/dev/null 2>&1; }
no_answer() { # every port free again: nothing of the previous tool still answers
  local port
  for port in "${PORTS[@]}"; do curl -sf -o /dev/null "http://127.0.0.1:$port/health" && return 1; done
  return 0
}

t_mctl=() t_compose=()
for ((r = 0; r < ROUNDS; r++)); do
  wait_until 30 no_answer || fail_now "a health URL still answers before mctl up"
  t0=$(ms)
  "$MCTL" -C "$P" -q up --detach >/dev/null || fail_now "mctl up failed"
  t_mctl+=($(($(ms) - t0)))
  "$MCTL" -C "$P" -q down >/dev/null || fail_now "mctl down failed"

  wait_until 30 no_answer || fail_now "a health URL still answers before docker-compose up"
  t0=$(ms)
  compose up -d || fail_now "docker-compose up failed"
  for port in "${PORTS[@]}"; do
    until curl -sf -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.05; done
  done
  t_compose+=($(($(ms) - t0)))
  compose down
done
m_mctl=$(printf '%s\n' "${t_mctl[@]}" | median)
m_compose=$(printf '%s\n' "${t_compose[@]}" | median)

wait_until 30 no_answer || fail_now "a health URL still answers before the unchanged runs"
"$MCTL" -C "$P" -q up --detach >/dev/null || fail_now "mctl up (for the unchanged runs) failed"
ids=$(docker ps -q --no-trunc | sort)
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$TMP/unchanged.json" \
  "$MCTL -C $P -q up --detach" >/dev/null || fail_now "mctl up (unchanged) failed under hyperfine"
[[ $(docker ps -q --no-trunc | sort) == "$ids" ]] || fail_now "an unchanged up restarted a container"
read -r u_median u_mean u_sd u_cpu < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ms = lambda s: "%.1f" % (s * 1000)
print(ms(r["median"]), ms(r["mean"]), ms(r["stddev"]), ms(r["user"] + r["system"]))
' "$TMP/unchanged.json")
"$MCTL" -C "$P" -q down >/dev/null

echo "3 apps, image present, HTTP health check (interval 1 s), host networking; $ROUNDS rounds, medians"
echo "mctl up --detach until all healthy:             ${m_mctl} ms   (rounds: ${t_mctl[*]})"
echo "docker-compose up -d + health poll every 50 ms: ${m_compose} ms   (rounds: ${t_compose[*]})"
echo "ratio mctl / docker-compose:                    $(awk -v a="$m_mctl" -v b="$m_compose" 'BEGIN {printf "%.2f", a / b}')"
echo "mctl up --detach, nothing changed (hyperfine --warmup 2 --runs $RUNS):"
echo "  median ${u_median} ms, mean ${u_mean} ms ± ${u_sd} ms wall, ${u_cpu} ms CPU (user+sys); no container restarted"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
