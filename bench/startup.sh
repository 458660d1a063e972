#!/usr/bin/env bash
# Benchmark: whole-process start-up of mctl next to /bin/true, for one or more binaries.
#   bench/startup.sh [MCTL...]        (default: build/mctl)
# For each binary: the shared libraries it loads (ldd), its size stripped, and hyperfine
# medians (-N, no shell; warmup) of `mctl version`, `mctl --help`, `mctl completion bash` and
# `mctl vault view` of a small Ansible file; /bin/true first as the floor. RUNS (default 200)
# runs per command. Then bash Tab completion: the time one Tab takes in a shell that has
# loaded the completion (an average over 3x200 Tabs: a subcommand, an option, an app name,
# the last one runs `mctl completion apps`), and a whole `bash -c` that loads it and
# completes once, next to `bash -c true`.
# Needs: hyperfine, ansible-vault (to make the small file), python3, binutils (strip).
set -euo pipefail
RUNS=${RUNS:-200}
bins=("$@")
((${#bins[@]})) || bins=("$(dirname "$0")/../build/mctl")
for c in hyperfine ansible-vault python3 strip; do
  command -v "$c" >/dev/null || { echo "bench/startup.sh: $c is not installed" >&2; exit 2; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
printf 'bench-password' >"$W/pw"
printf 'db_password: s3cret\napi_key: abc\n' >"$W/small.yml"
ANSIBLE_LOCAL_TEMP="$W/at" ANSIBLE_HOME="$W/ah" \
  ansible-vault encrypt --vault-password-file "$W/pw" "$W/small.yml" >/dev/null 2>&1

median_ms() { # hyperfine JSON -> wall median ± stddev, CPU mean (steadier on a loaded machine)
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; m,s,c=r["median"],r["stddev"],r["user"]+r["system"]; print(f"{m*1e3:6.2f} ms ± {s*1e3:.2f} wall (median), {c*1e3:6.2f} ms CPU (user+sys, mean)")' "$1"
}
time_cmd() { # label command...
  hyperfine -N -w 20 -r "$RUNS" --export-json "$W/h.json" "$(printf '%q ' "${@:2}")" >/dev/null 2>&1
  printf '  %-22s %s\n' "$1" "$(median_ms "$W/h.json")"
}

# bash Tab completion in a project with apps/ (mctl on PATH by name, as a user's shell has it).
tab_bench() {
  mkdir -p "$W/proj/apps" "$W/bin"
  touch "$W/proj/apps/web.yaml" "$W/proj/apps/worker.yaml"
  ln -sf "$1" "$W/bin/mctl"
  local tabs='COMP_WORDS=(mctl vault en); COMP_CWORD=2; _mctl
COMP_WORDS=(mctl images gc registry --); COMP_CWORD=4; _mctl
COMP_WORDS=(mctl --env staging deploy --timeout 10s we); COMP_CWORD=6; _mctl'
  local per_tab
  per_tab=$(cd "$W/proj" && PATH="$W/bin:$PATH" bash --norc -c 'source <(mctl completion bash)
    t0=$(date +%s%N)
    for ((k = 0; k < 200; k++)); do '"$tabs"'; done
    echo $(( ($(date +%s%N) - t0) / 600 ))')
  printf '  %-22s %6.2f ms (average of 600 Tabs in a loaded shell)\n' "bash Tab" "$(awk -v n="$per_tab" 'BEGIN { print n / 1e6 }')"
  (cd "$W/proj" && PATH="$W/bin:$PATH" time_cmd "bash -c true" bash --norc -c true)
  (cd "$W/proj" && PATH="$W/bin:$PATH" time_cmd "bash -c load+1 Tab" bash --norc -c \
    'source <(mctl completion bash); COMP_WORDS=(mctl deploy we); COMP_CWORD=2; _mctl')
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)   runs: $RUNS"
time_cmd "/bin/true" /bin/true
for bin in "${bins[@]}"; do
  bin=$(realpath "$bin")
  strip -o "$W/stripped" "$bin"
  libs=$(ldd "$bin" | awk '{print $1}' | grep -v -e '^linux-vdso' | tr '\n' ' ')
  echo "$bin"
  echo "  stripped size          $(( $(stat -c %s "$W/stripped") / 1024 )) KiB"
  echo "  ldd ($(wc -w <<<"$libs"))                $libs"
  time_cmd "mctl version" "$bin" version
  time_cmd "mctl --help" "$bin" --help
  time_cmd "mctl completion bash" "$bin" completion bash
  time_cmd "mctl vault view" "$bin" vault view --vault-password-file "$W/pw" "$W/small.yml"
  tab_bench "$bin"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
