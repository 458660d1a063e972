#!/usr/bin/env bash
# Benchmark: whole-process start-up of mctl next to /bin/true, for one or more binaries.
#   bench/startup.sh [MCTL...]        (default: build/mctl)
# For each binary: the shared libraries it loads (ldd), its size stripped, and hyperfine
# medians (-N, no shell; warmup) of `mctl version`, `mctl --help` and `mctl vault view` of a
# small Ansible file; /bin/true first as the floor. RUNS (default 200) runs per command.
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
  time_cmd "mctl vault view" "$bin" vault view --vault-password-file "$W/pw" "$W/small.yml"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
