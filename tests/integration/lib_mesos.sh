# Helpers for the logs/top suites: the Mesos simulator beside the Marathon one. Source after
# lib.sh and lib_marathon.sh (start_marathon first).

# start_mesos [SIM ARGS...]: tests/servers/mesos_sim.py polling $MARATHON_URL, with a
# non-leading master beside the leader; sets MESOS_URL, MESOS_STANDBY_URL, MESOS_PID.
start_mesos() {
  local port standby
  port=$(free_port)
  standby=$(free_port)
  start_service "mesos-$port" "curl -sf -o /dev/null http://127.0.0.1:$port/master/state" \
    python3 "$MCTL_TESTS/servers/mesos_sim.py" --port "$port" --standby-port "$standby" \
    --marathon "$MARATHON_URL" --poll-ms 20 "$@"
  MESOS_URL=http://127.0.0.1:$port
  MESOS_STANDBY_URL=http://127.0.0.1:$standby
  MESOS_PID=$SERVICE_PID
}

# msim METHOD PATH [JSON]: the Mesos simulator's admin API (/_sim/PATH); prints the body.
msim() {
  if [[ -n ${3:-} ]]; then
    curl -s -X "$1" -H 'Content-Type: application/json' "$MESOS_URL/_sim/$2" -d "$3"
  else
    curl -s -X "$1" "$MESOS_URL/_sim/$2"
  fi
}

# mesos_tasks EXPR: EXPR over each task the Mesos simulator knows (bound to `t`), one per line.
mesos_tasks() {
  msim GET tasks | python3 -c "import json,sys
for t in json.load(sys.stdin): print($1)"
}

# running_tasks APP: ids of the app's running tasks as Mesos sees them, one per line.
running_tasks() { mesos_tasks "t['id'] if t['app']=='$1' and t['state']=='TASK_RUNNING' else ''" | sed '/^$/d'; }

# task_dir TASK_ID: the task's sandbox directory.
task_dir() { mesos_tasks "t['directory'] if t['id']=='$1' else ''" | sed '/^$/d'; }

# short_id TASK_ID: mctl's short form (8 characters of the instance UUID).
short_id() { local s=${1#*.instance-}; echo "${s:0:8}"; }

# mesos_has N APP: true when Mesos knows N running tasks of APP.
mesos_has() { [[ $(running_tasks "$2" | wc -l) == "$1" ]]; }
