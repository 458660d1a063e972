#!/usr/bin/env bash
# Runs clang-tidy (the repository's .clang-tidy) over every project .cpp of a build and fails
# on any finding. The one entry CI (.ci/run) and developers call.
#   scripts/tidy.sh [BUILD_DIR] [-j N] [--no-cache] [FILE...]
# BUILD_DIR (default: build) holds compile_commands.json (CMake writes it) of a build with
# -DCMAKE_UNITY_BUILD=OFF (a unity build lists batches, not files; refused). Checked: every
# .cpp there inside the repository, except third_party/ and generated files (those inside
# BUILD_DIR); with FILE arguments only those. -j N runs N clang-tidy processes (default 2).
# --no-cache checks every file and skips the keys (CI: a fresh machine has no cache).
# clang-tidy takes 8-10 s of CPU a file here, so a file's *clean* result is cached, the way ccache
# keys a compile: by a hash of the clang-tidy version, every .clang-tidy that applies, the
# file's path in the repository, its compile command and its preprocessed output (every header
# it includes, as the compiler sees them), plus the NOLINT lines of the project files in it
# (the preprocessor drops comments). Paths are hashed relative to the repository, so clones
# in other folders share the cache. A finding is never cached.
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/mctl-tidy (entries unused for 30 days are removed).
# Environment: CLANG_TIDY (default clang-tidy), MCTL_TIDY_CACHE (the cache folder).
# Exit: 0 no finding, 1 findings (printed), 2 usage or setup error.
set -euo pipefail

usage() { sed -n '4,9s/^# \{0,1\}//p' "$0"; }
fail() { echo "tidy.sh: error: $*" >&2 && exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
build=build jobs=2 files=() build_set=false use_cache=true
while (($#)); do
  case $1 in
    -j) (($# >= 2)) || fail "-j needs a number" && jobs=$2 && shift ;;
    -j*) jobs=${1#-j} ;;
    --no-cache) use_cache=false ;;
    -h | --help) usage && exit 0 ;;
    -*) usage >&2 && fail "unknown option $1" ;;
    *) if $build_set; then files+=("$1"); else build=$1 build_set=true; fi ;;
  esac
  shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || fail "-j wants a positive number, not '$jobs'"
[[ -f $build/compile_commands.json ]] ||
  fail "no $build/compile_commands.json: configure the build first (cmake -S . -B $build)"
build=$(cd "$build" && pwd)
tidy=${CLANG_TIDY:-clang-tidy}
command -v "$tidy" >/dev/null || fail "$tidy not found (Debian: apt-get install clang-tidy)"
cache=${MCTL_TIDY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mctl-tidy}
mkdir -p "$cache" || fail "cannot create the cache folder $cache"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mctl-tidy.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/findings" "$tmp/checked"

# One line per file: its path in the repository, then (directory, preprocessing command) for
# each compile command of it, tab-separated. A file compiled several times (the fuzz replay
# main) is checked with all its commands, as clang-tidy -p does.
python3 - "$build/compile_commands.json" "$root" "$build" "${files[@]}" >"$tmp/jobs" <<'EOF'
import json, os, shlex, sys
db, root, build, wanted = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
wanted = {os.path.realpath(f) for f in wanted}
entries = {}
for e in json.load(open(db)):
    path = os.path.realpath(os.path.join(e["directory"], e["file"]))
    if "/Unity/unity_" in path:
        # A unity build lists its batches, not the files: checking its .cpp entries would
        # silently skip almost everything.
        print(f"tidy.sh: error: {db} is a unity build's; configure one with -DCMAKE_UNITY_BUILD=OFF",
              file=sys.stderr)
        sys.exit(2)
    rel = os.path.relpath(path, root)
    if not path.endswith(".cpp") or rel.startswith("..") or rel.startswith("third_party/"):
        continue
    if path.startswith(build + "/") or (wanted and path not in wanted):
        continue
    args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
    pre, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a != "-c" and not a.startswith("-o"):
            pre.append(a)
    entries.setdefault(rel, []).extend([e["directory"], shlex.join(pre + ["-E"])])
for rel in sorted(entries):
    print("\t".join([rel] + entries[rel]))
missing = wanted - {os.path.join(root, r) for r in entries}
for f in sorted(missing):
    print(f"tidy.sh: error: {f} is not a project .cpp in {db}", file=sys.stderr)
sys.exit(2 if missing else 0)
EOF
total=$(wc -l <"$tmp/jobs")
((total)) || fail "no project .cpp in $build/compile_commands.json"

export root build tidy cache tmp use_cache
export version=$("$tidy" --version)

# Every .clang-tidy from the file's folder up to the repository (clang-tidy uses the nearest,
# which may inherit its parent's), with its name.
config_chain() {
  local dir=$root/$(dirname "$1")
  while :; do
    [[ -f $dir/.clang-tidy ]] && printf '%s\n' "${dir#"$root"}/.clang-tidy" && cat "$dir/.clang-tidy"
    [[ $dir == "$root" ]] && break
    dir=$(dirname "$dir")
  done
}

# Writes the cache key of one file to stdout; fails if the file does not preprocess.
cache_key() {
  local rel=$1 pp=$2
  shift 2
  local sub=${root//\\/\\\\} && sub=${sub//|/\\|}
  {
    printf '%s\n' "$version" "$rel"
    config_chain "$rel"
    while (($#)); do
      printf '%s\n' "$2"
      (cd "$1" && eval "$2") >"$pp" 2>/dev/null || return 1
      sed "s|$sub|@ROOT@|g" "$pp"
      # Comments are gone from the preprocessed text: the suppressions count by themselves.
      grep -a '^# [0-9]* "' "$pp" | cut -d'"' -f2 | grep "^$root/" | sort -u |
        while read -r f; do [[ ! -f $f ]] || grep -Hn NOLINT "$f" || true; done | sed "s|$sub|@ROOT@|g"
      shift 2
    done
  } | sha256sum | cut -c1-64
}

check_one() {
  local rel key pp=$tmp/checked/$BASHPID.i
  IFS=$'\t' read -r -a job <<<"$1"
  rel=${job[0]}
  if ! $use_cache; then
    key=
  elif ! key=$(cache_key "$rel" "$pp" "${job[@]:1}"); then
    key=  # it does not preprocess: clang-tidy says why
  elif [[ -e $cache/${key:0:2}/$key ]]; then
    touch "$cache/${key:0:2}/$key" && rm -f "$pp" && return 0
  fi
  rm -f "$pp"
  local out rc=0
  out=$("$tidy" -p "$build" --quiet "$root/$rel" 2>&1) || rc=$?
  : >"$tmp/checked/${rel//\//_}"
  if ((rc == 0)) && ! grep -qE '(warning|error):' <<<"$out"; then
    if [[ -n $key ]]; then mkdir -p "$cache/${key:0:2}" && : >"$cache/${key:0:2}/$key"; fi
  else
    printf '== %s (clang-tidy exit %d)\n%s\n' "$rel" "$rc" "$out" >"$tmp/findings/${rel//\//_}"
  fi
}
export -f config_chain cache_key check_one

start=$SECONDS
xargs -d '\n' -P "$jobs" -n 1 bash -c 'set -o pipefail && check_one "$1"' _ <"$tmp/jobs" ||
  fail "a clang-tidy worker failed (interrupted?)"
find "$cache" -type f -mtime +30 -delete 2>/dev/null || true

checked=$(find "$tmp/checked" -type f ! -name '*.i' | wc -l)
bad=$(find "$tmp/findings" -type f | wc -l)
((bad == 0)) || cat "$tmp/findings"/*
echo "tidy.sh: $total files, $((total - checked)) clean in the cache, $checked checked, $bad with findings ($((SECONDS - start)) s)"
((bad == 0)) || exit 1
