#!/usr/bin/env bash
# `mctl logs` benchmark against the Marathon and Mesos simulators (one cluster of 10 agents,
# each agent its own port). Targets from issue #14:
#  1. `logs -f`: a line appended to a task's stdout (through the simulator's admin API, time
#     stamped just before) appears on mctl's stdout within 300 ms (median over 100 lines), and
#     mctl uses under 1% of a core while idle (10 s, from /proc/PID/stat);
#  2. `logs -n 100` over 50 tasks on 10 agents (500 lines each): under 300 ms (median of 5),
#     with the simulator's own time per request beside it (a Python process: the floor).
# Figures mean little on a busy machine: the load average is printed with them.
#   MCTL=path/to/mctl bench/logs.sh [RUNS]
source "$(dirname "$0")/../tests/integration/lib.sh"
source "$(dirname "$0")/../tests/integration/lib_marathon.sh"
source "$(dirname "$0")/../tests/integration/lib_mesos.sh"
RUNS=${1:-5}
[[ -x $MCTL ]] || fail_now "no mctl binary at $MCTL (set MCTL)"

start_marathon --agents 10
start_mesos --poll-ms 200
msim POST requests >/dev/null
M=(--marathon "$MARATHON_URL" --mesos "$MESOS_URL")
app() { # ID INSTANCES
  sim POST /v2/apps "{\"id\":\"$1\",\"instances\":$2,\"cmd\":\"sleep 1000\",\"cpus\":0.01,\"mem\":32}" >/dev/null
}
ms() { echo $(($(date +%s%N) / 1000000)); }
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. logs -f latency and idle CPU
app /follow 1
wait_until 60 mesos_has 1 /follow || fail_now "the /follow task did not start"
task=$(running_tasks /follow)
"$MCTL" logs /follow -f --stdout -n 0 "${M[@]}" >"$TMP/follow.out" 2>"$TMP/follow.err" &
fpid=$!
_PIDS+=("$fpid")
reading() { msim GET requests | grep -q '"/files/read"'; }
wait_until 10 reading || fail_now "logs -f did not start reading"
python3 - "${MESOS_URL#http://127.0.0.1:}" "$task" "$TMP/follow.out" <<'PY' || fail_now "latency run failed"
import json, statistics, sys, time, urllib.request
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
        while line.encode() + b"\n" not in buf:
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
print("logs -f latency over 100 lines: median %.0f ms, p90 %.0f ms, max %.0f ms (target: median < 300 ms)" % (
    statistics.median(lat), lat[89], lat[-1]))
PY
ticks() { awk '{print $14 + $15}' "/proc/$fpid/stat"; }
t0=$(ticks)
sleep 10 # the measured idle period (not a synchronisation)
t1=$(ticks)
python3 -c "print('logs -f idle CPU over 10 s: %.2f%% of a core (target: < 1%%)' % (($t1 - $t0) * 100.0 / $(getconf CLK_TCK) / 10))"
kill "$fpid"

# 2. logs -n 100 over 50 tasks on 10 agents
app /many 50
wait_until 120 mesos_has 50 /many || fail_now "the 50 /many tasks did not start"
agents=$(mesos_tasks "t['agent'] if t['app']=='/many' else ''" | sed '/^$/d' | sort -u | wc -l)
for d in $(mesos_tasks "t['directory'] if t['app']=='/many' else ''" | sed '/^$/d'); do
  seq 1 500 | sed 's/^/log line with some text to make it a realistic length, number /' >>"$d/stdout"
done
times=()
for _ in $(seq "$RUNS"); do
  msim POST requests >/dev/null
  s=$(ms)
  "$MCTL" logs /many -n 100 "${M[@]}" >"$TMP/many.out" || fail_now "logs -n 100 failed"
  times+=($(($(ms) - s)))
done
reqs=$(msim GET requests | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
echo "logs -n 100 over 50 tasks on $agents agents ($(wc -l <"$TMP/many.out") lines, $reqs requests):" \
  "median $(median "${times[@]}") ms of $RUNS: ${times[*]} (target: < 300 ms)"
# The simulator's floor: the same requests, sequentially, from one keep-alive Python client.
python3 - "$MESOS_URL" <<'PY'
import http.client, json, sys, time, urllib.parse, urllib.request
base = sys.argv[1]
reqs = json.load(urllib.request.urlopen(base + "/_sim/requests"))
ports = {t["agent"]: t["agent_port"] for t in json.load(urllib.request.urlopen(base + "/_sim/tasks"))}
conns = {}
t0 = time.monotonic()
for r in reqs:
    if not r["role"].startswith("agent:"):
        continue
    port = ports[r["role"][6:]]
    c = conns.setdefault(port, http.client.HTTPConnection("127.0.0.1", port))
    c.request("GET", r["path"] + ("?" + r["query"] if r["query"] else ""))
    c.getresponse().read()
n = sum(1 for r in reqs if r["role"].startswith("agent:"))
print("  the simulator alone: its %d agent requests of the last run, one after another: %.0f ms" % (
    n, (time.monotonic() - t0) * 1000))
PY
