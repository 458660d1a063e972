#!/usr/bin/env bash
# `mctl top --all` benchmark against the Marathon and Mesos simulators: 500 tasks (10 apps of
# 50) on 50 agents, each agent its own port. Target from issue #14: one table in under 1.5 s
# (including the 1 s between the two samples) and a peak RSS under 20 MB (/usr/bin/time).
# Printed beside it: `mctl version` and `mctl tasks` (one app), the floor any command that
# talks HTTP pays (the binary and libcurl with its libraries), so top's own share shows.
# Figures mean little on a busy machine: the load average is printed with them.
#   MCTL=path/to/mctl bench/top.sh [RUNS]
source "$(dirname "$0")/../tests/integration/lib.sh"
source "$(dirname "$0")/../tests/integration/lib_marathon.sh"
source "$(dirname "$0")/../tests/integration/lib_mesos.sh"
RUNS=${1:-5}
[[ -x $MCTL ]] || fail_now "no mctl binary at $MCTL (set MCTL)"
need_cmd /usr/bin/time

start_marathon --agents 50
start_mesos --poll-ms 500
M=(--marathon "$MARATHON_URL" --mesos "$MESOS_URL")
for i in $(seq 1 10); do
  sim POST /v2/apps "{\"id\":\"/top/app$i\",\"instances\":50,\"cmd\":\"sleep 1000\",\"cpus\":0.01,\"mem\":32}" >/dev/null
done
all_known() { [[ $(mesos_tasks "t['state']" | grep -c TASK_RUNNING) == 500 ]]; }
wait_until 180 all_known || fail_now "the 500 tasks did not start"
agents=$(mesos_tasks "t['agent']" | sort -u | wc -l)
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
mb() { awk "BEGIN{printf \"%.1f\", $1 / 1024}"; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/time -f "%M" -o "$TMP/v.time" "$MCTL" version >/dev/null
/usr/bin/time -f "%M" -o "$TMP/t.time" "$MCTL" tasks /top/app1 "${M[@]}" >/dev/null
walls=() rsss=()
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$TMP/top.time" "$MCTL" top --all "${M[@]}" >"$TMP/top.out" ||
    fail_now "top --all failed: $(cat "$TMP/top.out")"
  read -r wall rss <"$TMP/top.time"
  walls+=("$wall") rsss+=("$rss")
done
rows=$(grep -c '^  [0-9a-f]\{8\}@' "$TMP/top.out")
echo "top --all over $rows tasks on $agents agents: median $(median "${walls[@]}") s of $RUNS (${walls[*]}; 1 s interval included; target: < 1.5 s)"
echo "  peak RSS: median $(mb "$(median "${rsss[@]}")") MB ($(printf '%s KB ' "${rsss[@]}"); target: < 20 MB)"
echo "  floor: mctl version $(mb "$(cat "$TMP/v.time")") MB, mctl tasks (one app, one HTTP request) $(mb "$(cat "$TMP/t.time")") MB"
