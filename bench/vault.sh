#!/usr/bin/env bash
# Benchmark: mctl vault vs ansible-vault on the same files, in one run.
#   bench/vault.sh [path/to/mctl]     (default: build/mctl)
# Prints medians and ratios for: view of a small Ansible file (whole process), decrypt of a
# 5 MB Ansible file, and native encrypt/decrypt throughput on 1 GB with peak RSS.
# Needs: ansible-vault (ansible-core), hyperfine, /usr/bin/time (Debian package "time").
set -euo pipefail
MCTL=$(realpath "${1:-$(dirname "$0")/../build/mctl}")
RUNS=${RUNS:-10}
BIG_MB=${BIG_MB:-1024}
for c in ansible-vault hyperfine /usr/bin/time python3; do
  command -v "$c" >/dev/null || { echo "bench/vault.sh: $c is not installed" >&2; exit 2; }
done
# Prefer a memory filesystem so disk speed does not hide the crypto.
base=${BENCH_DIR:-/dev/shm}
[[ -w $base ]] || base=${TMPDIR:-/tmp}
W=$(mktemp -d "$base/mctl-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
printf 'bench-password' >pw
export ANSIBLE_LOCAL_TEMP="$W/ansible-tmp" ANSIBLE_HOME="$W/ansible-home"

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

# 2. decrypt of a 5 MB Ansible file (to /dev/null-like output files)
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

# 3. native format, 1 GB: throughput after the KDF, peak RSS
head -c $((BIG_MB * 1024 * 1024)) /dev/zero | tr '\0' 'x' >big.txt 2>/dev/null || true
: >kdf.txt
kdf_probe() { # seconds for a 0-byte encrypt: the KDF and process cost alone
  local t0 t1; t0=$(date +%s%N); "$MCTL" vault encrypt --vault-password-file pw - <kdf.txt >kdf.out; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
kdf_probe >/dev/null
kdf_ms=$(kdf_probe)
run_timed() { # label command...: prints seconds and max RSS
  /usr/bin/time -v "$@" 2>"$W/time.log" >/dev/null
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$W/time.log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/time.log")
  echo "$secs $rss"
}
cp big.txt big.enc.src
read -r es er < <(run_timed "$MCTL" vault encrypt --vault-password-file pw big.enc.src)
read -r ds dr < <(run_timed "$MCTL" vault decrypt --vault-password-file pw --output "$W/big.out" big.enc.src)
cmp big.txt big.out
python3 - "$BIG_MB" "$es" "$ds" "$kdf_ms" "$er" "$dr" <<'PY'
import sys
mb, es, ds, kdf, er, dr = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]) / 1000, int(sys.argv[5]), int(sys.argv[6])
print(f"native {mb:.0f} MB: encrypt {es:.2f} s ({mb/max(es-kdf,1e-9):.0f} MB/s after {kdf*1000:.0f} ms KDF+startup), peak RSS {er/1024:.1f} MB")
print(f"native {mb:.0f} MB: decrypt {ds:.2f} s ({mb/max(ds-kdf,1e-9):.0f} MB/s after KDF), peak RSS {dr/1024:.1f} MB")
PY
