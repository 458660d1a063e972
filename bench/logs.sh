#!/usr/bin/env bash
# Logs and top benchmark against the Marathon and Mesos simulators.
#  1. `logs -f`: latency from a line appended to a task's stdout (through the simulator's admin
#     API, time stamped just before) to the line on mctl's stdout; median and p90 over 100 lines;
#     and the CPU mctl used while idle for 10 s (from /proc/PID/stat).
#  2. `logs -n 100` over 50 tasks (wall time, median of 5 runs).
#  3. `top --all` over 500 tasks (wall time including the 1 s sample interval, peak RSS).
# The Marathon simulator places tasks on its 8 agents, so the "10 agents" and "50 agents" of
# the targets are 8 here (each agent then carries more tasks per request).
# Figures mean little on a busy machine: the load average is printed with them.
# Usage: bench/logs.sh [MCTL]   (MCTL default: build/mctl)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
MCTL=${1:-$here/../build/mctl}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { for _ in $(seq 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }

mport=$(free_port)
python3 "$here/../tests/servers/marathon_sim.py" --port "$mport" --tick-ms 20 --stage-ms 50 --health-ms 100 \
  >"$tmp/marathon.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$mport/_sim/state"
sport=$(free_port)
python3 "$here/../tests/servers/mesos_sim.py" --port "$sport" --marathon "http://127.0.0.1:$mport" --poll-ms 200 \
  >"$tmp/mesos.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$sport/master/state"
M=(--marathon "http://127.0.0.1:$mport" --mesos "http://127.0.0.1:$sport")

app() { # ID INSTANCES
  curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$mport/v2/apps" \
    -d "{\"id\":\"$1\",\"instances\":$2,\"cmd\":\"sleep 1000\",\"cpus\":0.01,\"mem\":32}" >/dev/null
}
known() { # APP N: Mesos knows N running tasks of APP
  curl -s "http://127.0.0.1:$sport/_sim/tasks" | python3 -c "import json,sys
n=sum(1 for t in json.load(sys.stdin) if t['app']=='$1' and t['state']=='TASK_RUNNING'); sys.exit(0 if n>=$2 else 1)"
}
until_known() { for _ in $(seq 600); do known "$1" "$2" && return 0; sleep 0.2; done; echo "tasks of $1 not up" >&2; exit 1; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. logs -f latency and idle CPU
app /follow 1
until_known /follow 1
task=$(curl -s "http://127.0.0.1:$sport/_sim/tasks" | python3 -c "import json,sys
print([t['id'] for t in json.load(sys.stdin) if t['app']=='/follow'][0])")
"$MCTL" logs /follow -f --stdout -n 0 "${M[@]}" >"$tmp/follow.out" &
fpid=$!
pids+=($fpid)
sleep 2
python3 - "$sport" "$task" "$tmp/follow.out" <<'PY'
import json, os, statistics, sys, time, urllib.request
port, task, out = sys.argv[1], sys.argv[2], sys.argv[3]
lat = []
with open(out, "rb") as f:
    f.seek(0, 2)
    for i in range(100):
        line = "bench line %d" % i
        body = json.dumps({"task": task, "text": line + "\n"}).encode()
        t0 = time.monotonic()
        urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%s/_sim/write" % port, body,
                                                      {"Content-Type": "application/json"})).read()
        buf = b""
        while line.encode() not in buf:
            chunk = f.read()
            if chunk:
                buf += chunk
            else:
                time.sleep(0.002)
            if time.monotonic() - t0 > 5:
                sys.exit("line %d did not appear within 5 s" % i)
        lat.append((time.monotonic() - t0) * 1000)
        time.sleep(0.05)
lat.sort()
print("logs -f latency over 100 lines: median %.0f ms, p90 %.0f ms, max %.0f ms" % (
    statistics.median(lat), lat[89], lat[-1]))
PY
ticks() { awk '{print $14 + $15}' "/proc/$fpid/stat"; }
t0=$(ticks); sleep 10; t1=$(ticks)
hz=$(getconf CLK_TCK)
python3 -c "print('logs -f idle CPU over 10 s: %.2f%% of a core' % (($t1 - $t0) * 100.0 / $hz / 10))"
kill "$fpid"

# 2. logs -n 100 over 50 tasks
app /many 50
until_known /many 50
for t in $(curl -s "http://127.0.0.1:$sport/_sim/tasks" | python3 -c "import json,sys
print(' '.join(t['directory'] for t in json.load(sys.stdin) if t['app']=='/many'))"); do
  seq 1 500 | sed 's/^/log line with some text to make it a realistic length, number /' >>"$t/stdout"
done
times=()
for _ in 1 2 3 4 5; do
  s=$(date +%s%N)
  "$MCTL" logs /many -n 100 "${M[@]}" >"$tmp/many.out"
  times+=($(( ($(date +%s%N) - s) / 1000000 )))
done
echo "logs -n 100 over 50 tasks ($(wc -l <"$tmp/many.out") lines): $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) ms (median of 5: ${times[*]})"

# 3. top --all over 500 tasks
for i in $(seq 1 9); do app "/top/app$i" 50; done
app /top/app10 50
for i in $(seq 1 10); do until_known "/top/app$i" 50; done
/usr/bin/time -f "%e %M" -o "$tmp/top.time" "$MCTL" top --all "${M[@]}" >"$tmp/top.out"
read -r wall rss <"$tmp/top.time"
echo "top --all over $(grep -c '^  [0-9a-f]\{8\}@' "$tmp/top.out") tasks: ${wall} s (1 s interval included), peak RSS $((rss / 1024)) MB"
