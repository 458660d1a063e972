# Integration test harness: source it from a test_*.sh suite.
#   MCTL          the mctl binary under test (set by ctest; defaults to build/mctl)
#   MCTL_TESTS    this tests/ folder (its fixtures/ holds every file a suite reads)
# Services started with start_service are stopped by PID on every exit path.
set -uo pipefail

MCTL=${MCTL:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/mctl}
MCTL_TESTS=${MCTL_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MCTL_SOURCE=${MCTL_SOURCE:-$(cd "$MCTL_TESTS/.." && pwd)}
MCTL_FIXTURES="$MCTL_TESTS/fixtures"
export MCTL MCTL_TESTS MCTL_SOURCE MCTL_FIXTURES

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mctl-test.XXXXXX")
_PIDS=()
_PASSED=0
_FAILED=0
_CURRENT=""

_cleanup() {
  local pid
  for pid in "${_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# skip REASON: the suite cannot run here (exit 125, reported by ctest as skipped).
skip() {
  echo "SKIP: $*" >&2
  exit 125
}

# need_cmd CMD...: skip unless every command exists.
need_cmd() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"; done
}

# free_port: prints a TCP port that was free on 127.0.0.1 a moment ago.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_until TIMEOUT_S CMD...: polls CMD every 0.05 s until it succeeds; 1 on timeout.
wait_until() {
  local timeout=$1; shift
  local deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) > deadline )) && return 1
    sleep 0.05
  done
}

# start_service NAME READY_CMD CMD...: runs CMD in the background (output in $TMP/NAME.log),
# waits up to 30 s for READY_CMD (a string run with eval) to succeed, and remembers the PID.
# Sets SERVICE_PID. Skips the suite when the service does not come up.
start_service() {
  local name=$1 ready=$2; shift 2
  "$@" >"$TMP/$name.log" 2>&1 &
  SERVICE_PID=$!
  _PIDS+=("$SERVICE_PID")
  if ! wait_until 30 eval "$ready"; then
    echo "--- $name log ---" >&2; tail -20 "$TMP/$name.log" >&2
    if [[ -n ${CI:-} ]]; then fail_now "$name did not start"; fi
    skip "$name did not start within 30 s"
  fi
}

# stop_service PID: stops one service early (e.g. to test an unreachable server).
stop_service() {
  kill "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

# run CMD...: runs a command, capturing $OUT, $ERR and $RC.
run() {
  local o="$TMP/.out" e="$TMP/.err"
  "$@" >"$o" 2>"$e"
  RC=$?
  OUT=$(cat "$o")
  ERR=$(cat "$e")
}

# mctl ARGS...: runs the binary under test as run does.
mctl() { run "$MCTL" "$@"; }

# test_case NAME: starts a named case; its checks report under this name.
# example_project DIR [SETUP...]: a copy of examples/ in DIR as a git work tree with one commit
# (mctl reads the commit for image tags); SETUP, when given, runs in DIR before the commit.
example_project() {
  local dir=$1
  shift
  cp -r "$MCTL_SOURCE/examples" "$dir"
  if (($#)); then (cd "$dir" && "$@"); fi
  git -C "$dir" init -q -b main
  git -C "$dir" -c user.email=t@example.com -c user.name=t add -A
  git -C "$dir" -c user.email=t@example.com -c user.name=t commit -q -m init
}

test_case() { _CURRENT=$1; }

_report() {
  if [[ $1 == ok ]]; then
    _PASSED=$((_PASSED + 1))
  else
    _FAILED=$((_FAILED + 1))
    echo "FAIL [$_CURRENT] $2" >&2
    [[ -n ${OUT:-} ]] && echo "  stdout: ${OUT:0:2000}" >&2
    [[ -n ${ERR:-} ]] && echo "  stderr: ${ERR:0:2000}" >&2
  fi
}

fail_now() {
  echo "FATAL: $*" >&2
  exit 1
}

# Checks. Each counts one pass or fail.
expect_rc() { if [[ $RC == "$1" ]]; then _report ok; else _report fail "exit code $RC, expected $1${2:+ ($2)}"; fi; }
expect_eq() { if [[ $1 == "$2" ]]; then _report ok; else _report fail "expected '$2', got '$1'${3:+ ($3)}"; fi; }
expect_contains() { if [[ $1 == *"$2"* ]]; then _report ok; else _report fail "expected to contain '$2'${3:+ ($3)}: '${1:0:500}'"; fi; }
expect_not_contains() { if [[ $1 != *"$2"* ]]; then _report ok; else _report fail "must not contain '$2'${3:+ ($3)}"; fi; }
expect_file_unchanged() { # FILE SHA256
  local now; now=$(sha256sum "$1" | cut -d' ' -f1)
  if [[ $now == "$2" ]]; then _report ok; else _report fail "$1 changed"; fi
}
expect_true() { if "$@"; then _report ok; else _report fail "condition failed: $*"; fi; }

# expect_within LIMIT_MS ELAPSED_MS WHAT: a time limit on one mctl run, counted above what this
# mctl costs to start and exit at all (the slowest of three `mctl version`, measured once per
# suite): a sanitizer build starts in a second or more and a loaded machine stretches every
# process, while what the check is about (a deadline kept, no query sent) stays in LIMIT_MS.
expect_within() {
  if [[ -z ${_MCTL_FLOOR_MS:-} ]]; then
    local i t0 ms
    _MCTL_FLOOR_MS=0
    for i in 1 2 3; do
      t0=$(date +%s%N)
      "$MCTL" version >/dev/null 2>&1
      ms=$(( ($(date +%s%N) - t0) / 1000000 ))
      ((ms > _MCTL_FLOOR_MS)) && _MCTL_FLOOR_MS=$ms
    done
  fi
  if (( $2 < $1 + _MCTL_FLOOR_MS )); then _report ok
  else _report fail "$3: took $2 ms, limit $1 ms above mctl's own start-up ($_MCTL_FLOOR_MS ms)"; fi
}

# finish: prints the plain summary line and exits non-zero on any failure.
finish() {
  echo "$_PASSED passed, $_FAILED failed"
  (( _FAILED == 0 && _PASSED > 0 ))
  exit $?
}
