#!/usr/bin/env bash
# Deploy benchmark: N apps (default 50) in one `mctl deploy` against the Marathon simulator.
# Reports: mctl's wall time vs the simulator's own deployment span (first change accepted ->
# last deployment gone), how long after each deployment ended mctl noticed it, and peak RSS.
# "Noticed after end" compares two clocks of this host: the simulator's recorded end of each
# app's deployment (the tick that removed it from /v2/deployments) and the time stamp of
# mctl's NDJSON "deployed" line for that app (ms). It includes the final checks mctl makes
# after the deployment left (app version, tasks, health), so it is what a CI job waits.
# Figures mean little on a busy machine: the load average is printed with them.
# Usage: bench/deploy.sh [MCTL] [N]   (MCTL default: build/mctl)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
MCTL=${1:-$here/../build/mctl}
N=${2:-50}
tmp=$(mktemp -d)
sim_pid=""
cleanup() { [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
python3 "$here/../tests/servers/marathon_sim.py" --port "$port" --tick-ms 20 --stage-ms 300 --health-ms 500 \
  >"$tmp/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/_sim/state" && break; sleep 0.1; done
url=http://127.0.0.1:$port

files=()
for i in $(seq -w 1 "$N"); do
  cat >"$tmp/app$i.json" <<JSON
{"id": "/bench/app$i", "instances": 2, "cpus": 0.1, "mem": 64,
 "container": {"type": "DOCKER", "docker": {"image": "registry.local/bench:$i"},
               "portMappings": [{"containerPort": 8080, "hostPort": 0}]},
 "networks": [{"mode": "container/bridge"}],
 "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 5,
                   "intervalSeconds": 2, "maxConsecutiveFailures": 3, "timeoutSeconds": 1}]}
JSON
  files+=("$tmp/app$i.json")
done

/usr/bin/time -v -o "$tmp/time.txt" "$MCTL" deploy "${files[@]}" --marathon "$url" --parallel "$N" \
  --timeout 120s --json >"$tmp/events.ndjson"
curl -s "$url/_sim/deployment_log" >"$tmp/log.json"
# The floor under the peak RSS: mctl with libcurl (and its ~30 libraries) loaded, doing nothing.
/usr/bin/time -f %M -o "$tmp/floor.txt" "$MCTL" -v version >/dev/null

python3 - "$tmp/events.ndjson" "$tmp/log.json" "$tmp/time.txt" "$tmp/floor.txt" <<'PY'
import json, sys, datetime, re
events = [json.loads(l) for l in open(sys.argv[1])]
log = json.load(open(sys.argv[2]))
timing = open(sys.argv[3]).read()
def ms(ts):
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp() * 1000
noticed = {e["app"]: ms(e["time"]) for e in events if e.get("phase") == "deployed"}
ended = {d["affectedApps"][0]: d["endedAtMs"] for d in log if d["outcome"] == "success"}
span = (max(d["endedAtMs"] for d in log) - min(d["startedAtMs"] for d in log)) / 1000
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", timing)
wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1))
lat = sorted(noticed[a] - ended[a] for a in ended if a in noticed)
result = [e for e in events if e.get("event") == "result"][-1]
print(f"apps deployed:            {sum(1 for a in result['apps'] if a['status']=='deployed')}/{len(result['apps'])}")
print(f"mctl wall time:           {wall:.2f} s")
print(f"simulator deploy span:    {span:.2f} s")
print(f"ratio wall/span:          {wall/span:.2f}  (target <= 1.05)")
print(f"noticed after end (ms):   median {lat[len(lat)//2]:.0f}, p90 {lat[int(len(lat)*0.9)]:.0f}, max {lat[-1]:.0f}  (target: median <= 20)")
floor = int(open(sys.argv[4]).read().split()[-1])
print(f"peak RSS:                 {rss/1024:.1f} MiB  (target < 12)")
print(f"  of which idle floor:    {floor/1024:.1f} MiB  (mctl -v version: the binary with libcurl loaded)")
print(f"load average (1/5/15 min): {' '.join(open('/proc/loadavg').read().split()[:3])}")
PY
