#!/usr/bin/env bash
# bench/dns.sh: mctl dns lookup vs dig (bind9-dnsutils) against the dnsmasq fixture.
#   1. 2,000 SRV lookups: one `mctl dns lookup --batch` process vs a shell loop of `dig`
#      (and, for reference, `dig -f` which reads names from a file but asks them one by one).
#   2. Whole-process latency of one SRV lookup (hyperfine): mctl vs dig.
#   3. `mctl dns app` on an app with 1,000 tasks (a generated dnsmasq zone): 5 runs, each must
#      print every task with its IP in under 0.5 s (exit 1 otherwise).
# mctl does more work per SRV name than dig: it also resolves every target to its address
# (dnsmasq sends no additional section); within a batch each target is asked once.
# Usage: bench/dns.sh [COUNT]   (MCTL=path/to/mctl, default build/mctl)
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export MCTL=${MCTL:-$HERE/../build/mctl}
source "$HERE/../tests/integration/lib.sh"
source "$HERE/../tests/integration/lib_dns.sh"
need_cmd dig hyperfine python3
COUNT=${1:-2000}

start_dnsmasq bench_dnsmasq
S=127.0.0.1:$DNS_PORT

# The fixture's 17 SRV names, repeated up to COUNT.
mapfile -t SRV < <(awk '$2 == "IN" && $3 == "SRV" {print $1}' "$MESOS_DNS_FIXTURE/mesos.zone" | sort -u)
for ((i = 0; i < COUNT; i++)); do echo "${SRV[i % ${#SRV[@]}]}"; done >"$TMP/names.txt"

now() { date +%s%N; }

t0=$(now)
"$MCTL" dns lookup --server "$S" --batch "$TMP/names.txt" --short >"$TMP/mctl.out" || fail_now "mctl batch failed"
t1=$(now)
while read -r n; do dig @127.0.0.1 -p "$DNS_PORT" "$n" SRV +short; done <"$TMP/names.txt" >"$TMP/dig.out"
t2=$(now)
sed 's/$/ SRV/' "$TMP/names.txt" | dig @127.0.0.1 -p "$DNS_PORT" +short -f - >"$TMP/digf.out"
t3=$(now)

mctl_ms=$(( (t1 - t0) / 1000000 )); dig_ms=$(( (t2 - t1) / 1000000 )); digf_ms=$(( (t3 - t2) / 1000000 ))
echo "== $COUNT SRV lookups (${#SRV[@]} distinct names, cycled)"
printf '  mctl dns lookup --batch   %7d ms  (%d endpoint lines)\n' "$mctl_ms" "$(wc -l <"$TMP/mctl.out")"
printf '  loop of dig               %7d ms  (%d SRV lines)\n' "$dig_ms" "$(wc -l <"$TMP/dig.out")"
printf '  dig -f (one process)      %7d ms\n' "$digf_ms"
python3 -c "import sys; m,d,f=map(int,sys.argv[1:]); m=max(m,1); print(f'  ratio: dig loop / mctl batch = {d/m:.1f}x   dig -f / mctl batch = {f/m:.1f}x')" \
  "$mctl_ms" "$dig_ms" "$digf_ms"

echo "== single SRV lookup, whole process (hyperfine)"
name=_flask-hello._tcp.marathon.mesos
hyperfine -N --warmup 20 --runs 200 --export-json "$TMP/single.json" \
  -n mctl "$MCTL dns lookup --server $S $name --short" \
  -n dig "dig @127.0.0.1 -p $DNS_PORT $name SRV +short" >"$TMP/hyperfine.txt" 2>&1 || { cat "$TMP/hyperfine.txt"; fail_now "hyperfine failed"; }
python3 - "$TMP/single.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for k in ("mctl", "dig"):
    print(f"  {k:5s} mean {r[k]['mean']*1000:6.2f} ms  median {r[k]['median']*1000:6.2f} ms  (+/- {r[k]['stddev']*1000:.2f})")
print(f"  ratio: dig / mctl = {r['dig']['mean']/r['mctl']['mean']:.2f}x (above 1: mctl is faster)")
PY

echo "== mctl dns app /bulk: 1,000 tasks (generated zone), 5 runs, each complete and under 500 ms"
bulk_zone bulk 1000 "$TMP/bulk.conf"
start_dnsmasq bench_bulk "$TMP/bulk.conf"
BULK=127.0.0.1:$DNS_PORT
failed=0
for run_no in 1 2 3 4 5; do
  t0=$(now)
  "$MCTL" dns app /bulk --server "$BULK" >"$TMP/app.out" 2>"$TMP/app.err"
  rc=$?
  ms=$(( ($(now) - t0) / 1000000 ))
  rows=$(grep -cE '^bulk-t[0-9]{4}-s[0-6]\.marathon\.mesos +10\.20\.[0-9]+\.[0-9]+ +3[0-9]{4} +tcp ' "$TMP/app.out")
  ok=yes
  if ((rc != 0 || rows != 1000 || ms >= 500)); then ok=NO; failed=1; fi
  printf '  run %d: %4d ms  exit %d  %4d of 1000 tasks with an IP  %s\n' "$run_no" "$ms" "$rc" "$rows" "$ok"
done
((failed == 0)) || fail_now "dns app on 1,000 tasks: a run was incomplete or slower than 500 ms"
