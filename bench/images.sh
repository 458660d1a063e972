#!/usr/bin/env bash
# Registry cleanup: `mctl images gc registry --keep 10 --yes` against a plain sequential
# script of curl calls doing the same work (list, read each tag's manifest and config for its
# age, delete all but the 10 newest per repository). Two identical registries holding 2,000
# tags over 20 repositories, one run each (a run changes the registry). Prints the times, the
# ratio and mctl's peak RSS.
#   MCTL=path/to/mctl bench/images.sh [REPOS] [TAGS_PER_REPO]
source "$(dirname "$0")/../tests/integration/lib.sh"
source "$(dirname "$0")/../tests/integration/lib_docker.sh"
REPOS=${1:-20}
TAGS=${2:-100}
KEEP=10
[[ -x $MCTL ]] || fail_now "no mctl binary at $MCTL (set MCTL)"

seed_lines() {
  local r t
  for ((r = 1; r <= REPOS; r++)); do
    for ((t = 1; t <= TAGS; t++)); do
      printf 'bench/app%02d %012x 2026-01-01T00:%02d:%02dZ\n' "$r" "$((r * 100000 + t))" $((t / 60)) $((t % 60))
    done
  done
}

start_registry
REG_MCTL=$REGISTRY
seed_lines | seed_registry || fail_now "seeding failed"
seeded=$REGISTRY_DIR/data
# The second registry gets a copy of the first one's storage (it keeps no state in memory).
start_registry
REG_CURL=$REGISTRY
cp -a "$seeded/." "$REGISTRY_DIR/data/" || fail_now "copying the registry storage failed"
[[ $(registry_tags bench/app01 | wc -l) == "$TAGS" ]] || fail_now "the copied registry does not answer"
echo "two registries, each with its own storage, seeded with $((REPOS * TAGS)) tags over $REPOS repositories" >&2

# Marathon protection as in real use: the simulator with no apps.
MARATHON_PORT=$(free_port)
start_service marathon "curl -s -o /dev/null http://127.0.0.1:$MARATHON_PORT/_sim/state" \
  python3 "$MCTL_TESTS/servers/marathon_sim.py" --port "$MARATHON_PORT"

cat >"$TMP/curl_gc.sh" <<'SH'
#!/usr/bin/env bash
# Sequential: one curl per request, bash regexes to read the answers.
set -u
base=http://$1 keep=$2
accept='application/vnd.docker.distribution.manifest.v2+json'
catalog=$(curl -s "$base/v2/_catalog?n=1000")
re='"repositories":\[([^]]*)\]'
[[ $catalog =~ $re ]] || exit 1
for repo in $(tr -d '"' <<<"${BASH_REMATCH[1]}" | tr ',' ' '); do
  tags=$(curl -s "$base/v2/$repo/tags/list?n=1000")
  re='"tags":\[([^]]*)\]'
  [[ $tags =~ $re ]] || continue
  lines=()
  for tag in $(tr -d '"' <<<"${BASH_REMATCH[1]}" | tr ',' ' '); do
    manifest=$(curl -s -D - -H "Accept: $accept" "$base/v2/$repo/manifests/$tag")
    re='Docker-Content-Digest: (sha256:[0-9a-f]+)'
    [[ $manifest =~ $re ]] && digest=${BASH_REMATCH[1]}
    re='"config": *\{[^}]*"digest": *"(sha256:[0-9a-f]+)"'
    [[ $manifest =~ $re ]] && config=${BASH_REMATCH[1]}
    created=$(curl -s "$base/v2/$repo/blobs/$config")
    re='"created": *"([^"]+)"'
    [[ $created =~ $re ]] && lines+=("${BASH_REMATCH[1]} $digest")
  done
  printf '%s\n' "${lines[@]}" | sort -r | tail -n +$((keep + 1)) | while read -r _ digest; do
    curl -s -o /dev/null -X DELETE "$base/v2/$repo/manifests/$digest"
  done
done
SH

cd "$TMP" || exit 1
export MCTL_MARATHON_URL="http://127.0.0.1:$MARATHON_PORT" MCTL_REGISTRY=$REG_MCTL

load_mctl=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s%N)
/usr/bin/time -f '%M' -o "$TMP/rss" "$MCTL" images gc registry --keep "$KEEP" --yes >"$TMP/mctl.out" 2>"$TMP/mctl.err" ||
  { tail -5 "$TMP/mctl.err"; fail_now "mctl gc failed"; }
mctl_ns=$(($(date +%s%N) - start))

load_curl=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s%N)
bash "$TMP/curl_gc.sh" "$REG_CURL" "$KEEP" || fail_now "curl script failed"
curl_ns=$(($(date +%s%N) - start))

left_mctl=0 left_curl=0
for ((r = 1; r <= REPOS; r++)); do
  repo=$(printf 'bench/app%02d' "$r")
  REGISTRY=$REG_MCTL; left_mctl=$((left_mctl + $(registry_tags "$repo" | wc -l)))
  REGISTRY=$REG_CURL; left_curl=$((left_curl + $(registry_tags "$repo" | wc -l)))
done
tail -1 "$TMP/mctl.out"
printf 'tags left: mctl %d, curl script %d (expected %d)\n' "$left_mctl" "$left_curl" $((REPOS * KEEP))
awk -v m="$mctl_ns" -v c="$curl_ns" -v rss="$(cat "$TMP/rss")" -v l1="$load_mctl" -v l2="$load_curl" 'BEGIN {
  printf "mctl images gc: %.2f s (peak RSS %d kB; load average before: %s)\ncurl script:    %.2f s (load average before: %s)\nratio:          %.1fx\n", m / 1e9, rss, l1, c / 1e9, l2, c / m }'
[[ $left_mctl == $((REPOS * KEEP)) && $left_curl == $((REPOS * KEEP)) ]]
