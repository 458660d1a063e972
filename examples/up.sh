#!/usr/bin/env bash
# The example project on the local Docker Engine: `mctl up` runs apps/flask-hello.yaml as
# Marathon would (ports, env, health and readiness checks). The real flask-hello image is
# not in this repository, so a stand-in (a static busybox httpd answering /health on port
# 5000) is tagged with the commit tag the spec asks for. Needs dockerd (DOCKER_HOST) and
# busybox-static. No -e: mctl up, ps, logs --local and down pick mctl.yaml's `local` environment
# by themselves (default_env is staging, a Marathon cluster).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
MCTL=${MCTL:-$top/build/mctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/root/bin" "$tmp/root/www"
cp "$(command -v busybox)" "$tmp/root/bin/busybox"
for a in sh httpd echo; do ln -s busybox "$tmp/root/bin/$a"; done
echo ok >"$tmp/root/www/health"
tar -C "$tmp/root" -cf "$tmp/root.tar" .
docker import --change 'CMD ["/bin/sh", "-c", "echo flask-hello stand-in on :5000 env=$FLASK_ENV; exec httpd -f -p 5000 -h /www"]' \
  "$tmp/root.tar" flask-hello:latest >/dev/null

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
cd "$here"
step "$MCTL" image tag flask-hello --no-strict
step "$MCTL" up --detach
step "$MCTL" ps
step "$MCTL" up --detach   # nothing changed: nothing restarted
step "$MCTL" logs --local flask-hello
step "$MCTL" down
