#!/usr/bin/env bash
# The README's first command ends here: mctl's main job on the bundled example project.
# Marathon cannot run on a laptop or CI box, so a local Marathon API simulator stands in
# (tests/servers/marathon_sim.py); everything else is the real mctl binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
MCTL=${MCTL:-$top/build/mctl}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$top/tests/servers/marathon_sim.py" --port "$port" --stage-ms 300 --health-ms 700 >/dev/null 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null || true' EXIT  # the simulator ends by SIGTERM: not a failure
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/ping" && break; sleep 0.1; done
export MCTL_MARATHON_URL=http://127.0.0.1:$port

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

cd "$here"
step "$MCTL" config show -e staging
step "$MCTL" render flask-hello -e staging
step "$MCTL" deploy flask-hello -e staging
step "$MCTL" deploy flask-hello -e staging                 # nothing changed: sends nothing
step "$MCTL" deploy flask-hello -e staging --set instances=2  # a rolling update
step "$MCTL" status flask-hello -e staging
step "$MCTL" versions flask-hello -e staging
echo
echo "demo done: the example app was rendered, deployed, left alone when unchanged, and updated."
