#!/usr/bin/env bash
# Benchmark: mctl vault vs ansible-vault on the same files, in one run.
#   bench/vault.sh [path/to/mctl]     (default: build/mctl)
# Prints medians and ratios for: view of a small Ansible file (whole process), decrypt of a
# 5 MB Ansible file, and native encrypt/decrypt of BIG_MB (default 1024) MB: throughput
# after the KDF, whole-process peak RSS, and RSS while streaming (after the KDF).
# Needs: ansible-vault (ansible-core), hyperfine, python3. Files go to /dev/shm when it has
# room (BENCH_DIR overrides) and are removed at the end.
set -euo pipefail
MCTL=$(realpath "${1:-$(dirname "$0")/../build/mctl}")
RUNS=${RUNS:-10}
BIG_MB=${BIG_MB:-1024}
for c in ansible-vault hyperfine python3; do
  command -v "$c" >/dev/null || { echo "bench/vault.sh: $c is not installed" >&2; exit 2; }
done
# Prefer a memory filesystem so disk speed does not hide the crypto; 1 GB of plaintext needs
# about 3.5 GB at the peak (plaintext, its copy being encrypted in place, the ciphertext).
base=${BENCH_DIR:-/dev/shm}
need_kb=$(( BIG_MB * 1024 * 7 / 2 + 100 * 1024 ))
if [[ ! -w $base ]] || (( $(df -Pk "$base" | awk 'NR==2 {print $4}') < need_kb )); then base=${TMPDIR:-/tmp}; fi
W=$(mktemp -d "$base/mctl-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
printf 'bench-password' >pw
export ANSIBLE_LOCAL_TEMP="$W/ansible-tmp" ANSIBLE_HOME="$W/ansible-home"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)   files in $base"

median() { # hyperfine JSON -> median seconds
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.1f}x')" "$1" "$2"; }
ms() { python3 -c "import sys; print(f'{float(sys.argv[1])*1000:.1f} ms')" "$1"; }

# 1. view of a small Ansible file
printf 'db_password: s3cret\napi_key: abc\n' >small.yml
ansible-vault encrypt --vault-password-file pw small.yml >/dev/null 2>&1
hyperfine -N -w 2 -r "$RUNS" --export-json small-m.json "$MCTL vault view --vault-password-file pw small.yml" >/dev/null
hyperfine -N -w 1 -r "$RUNS" --export-json small-a.json "ansible-vault view --vault-password-file pw small.yml" >/dev/null
sm=$(median small-m.json); sa=$(median small-a.json)
echo "view small ansible file:  mctl $(ms "$sm")  ansible-vault $(ms "$sa")  ratio $(ratio "$sa" "$sm")"

# 2. decrypt of a 5 MB Ansible file (to an output file)
head -c $((5 * 1024 * 1024)) /dev/urandom | base64 >five.txt
head -c $((5 * 1024 * 1024)) five.txt >five.yml && rm five.txt
ansible-vault encrypt --vault-password-file pw five.yml >/dev/null 2>&1
hyperfine -N -w 1 -r "$RUNS" --export-json five-m.json \
  "$MCTL vault decrypt --vault-password-file pw --output $W/five.m.out five.yml" >/dev/null
hyperfine -N -w 1 -r "$((RUNS < 5 ? RUNS : 5))" --export-json five-a.json \
  "ansible-vault decrypt --vault-password-file pw --output $W/five.a.out five.yml" >/dev/null
cmp five.m.out five.a.out
fm=$(median five-m.json); fa=$(median five-a.json)
echo "decrypt 5 MB ansible file: mctl $(ms "$fm")  ansible-vault $(ms "$fa")  ratio $(ratio "$fa" "$fm")"
rm -f five.*

# 3. native format, BIG_MB: throughput after the KDF (wall time minus the KDF time mctl logs
# at -vv), peak RSS of the whole process (ru_maxrss from wait4, the figure GNU time %M
# prints) and RSS while streaming (VmRSS sampled every 10 ms after -vv logged the end of the
# key derivation). Argon2id at INTERACTIVE needs 64 MiB by itself, so the whole-process
# peak includes it; the streaming figure shows that memory was released.
cat >measure.py <<'PY'
import os, re, subprocess, sys, threading, time
cmd = sys.argv[1:]
start = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
kdf = {"ms": None, "at": None}
def read_log():
    for line in p.stderr:
        m = re.search(r"Argon2id key derivation .* took ([0-9.]+) ms", line)
        if m and kdf["at"] is None:
            kdf["ms"], kdf["at"] = float(m.group(1)), time.monotonic()
reader = threading.Thread(target=read_log)
reader.start()
stream_kb = 0
while True:
    pid, status, usage = os.wait4(p.pid, os.WNOHANG)  # rusage: what GNU time %M reports
    if pid != 0:
        break
    try:
        rss = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{p.pid}/status").read()).group(1))
        if kdf["at"] is not None:
            stream_kb = max(stream_kb, rss)
    except (OSError, AttributeError):
        pass
    time.sleep(0.01)
wall = time.monotonic() - start
p.returncode = os.waitstatus_to_exitcode(status)
reader.join()
if p.returncode != 0 or kdf["ms"] is None:
    sys.exit(f"measure: {' '.join(cmd)} failed or logged no KDF timing")
print(f"{wall:.3f} {kdf['ms']:.1f} {stream_kb} {usage.ru_maxrss}")
PY
big_run() { python3 measure.py "$MCTL" -vv vault "$@"; }  # -> wall_s kdf_ms stream_kb peak_kb
head -c $((BIG_MB * 1024 * 1024)) /dev/zero | tr '\0' 'x' >big.txt
cp big.txt big.src
report() { # op wall_s kdf_ms stream_kb peak_kb
  python3 - "$BIG_MB" "$@" <<'PY'
import sys
mb, op, wall, kdf, stream, peak = float(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4]) / 1000, int(sys.argv[5]), int(sys.argv[6])
print(f"native {mb:.0f} MB {op}: {wall:.2f} s, KDF {kdf*1000:.0f} ms, {mb/(wall-kdf):.0f} MB/s after the KDF; "
      f"peak RSS {peak/1024:.1f} MB (whole process), {stream/1024:.1f} MB while streaming")
PY
}
read -r es ek esr epk < <(big_run encrypt --vault-password-file pw big.src)
read -r ds dk dsr dpk < <(big_run decrypt --vault-password-file pw --output "$W/big.out" big.src)
cmp big.txt big.out
rm -f big.out
# The same decrypt to stdout (measure.py sends it to /dev/null): the crypto and armor path
# without writing 1 GB into a file, which on this kind of VM costs about 1 s per GB by itself.
read -r ss sk ssr spk < <(big_run decrypt --vault-password-file pw --output - big.src)
report "encrypt (file, in place)" "$es" "$ek" "$esr" "$epk"
report "decrypt (to a file)" "$ds" "$dk" "$dsr" "$dpk"
report "decrypt (to stdout)" "$ss" "$sk" "$ssr" "$spk"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
