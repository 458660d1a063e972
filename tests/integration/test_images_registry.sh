#!/usr/bin/env bash
# mctl images gc registry against a real docker-registry: plans, deletions, shared digests,
# keep list, dry runs, failures mid-run, credentials.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_docker.sh"

start_registry

# web: t1 (oldest) .. t6 (newest); old-alias shares t4's manifest; t1-copy shares t1's.
# api: two tags only. base: one tag the keep list names.
seed_registry <<EOF || fail_now "seeding the registry failed"
web t1 2026-01-01T00:00:00Z t1
web t1-copy 2026-01-01T00:00:00Z t1
web t2 2026-01-02T00:00:00Z
web t3 2026-01-03T00:00:00Z
web t4 2026-01-04T00:00:00Z t4
web old-alias 2026-01-04T00:00:00Z t4
web t5 2026-01-05T00:00:00Z
web t6 2026-01-06T00:00:00.5Z
api a1 2026-01-01T00:00:00Z
api a2 2026-01-02T00:00:00Z
team/base b1 2025-01-01T00:00:00Z
team/base b2 2025-01-02T00:00:00Z
EOF

PROJECT="$TMP/project"
mkdir -p "$PROJECT"
cat >"$PROJECT/mctl.yaml" <<EOF
project: demo
registry: $REGISTRY
images:
  keep: 3
  keep_list: ["web:t2", "team/base:b1"]
EOF
cd "$PROJECT" || exit 1
export MCTL_HTTP_RETRIES=0
web_before=$(registry_tags web)

test_case "a run without Marathon configured refuses to guess"
mctl images gc registry --yes
expect_rc 2
expect_contains "$ERR" "no Marathon is configured (marathon.urls)"
expect_eq "$(registry_tags web)" "$web_before" "nothing deleted"

test_case "--dry-run prints what goes, what stays and why, and deletes nothing"
mctl images gc registry --no-marathon --dry-run
expect_rc 0
expect_contains "$OUT" "delete  $REGISTRY/web:t3"
expect_contains "$OUT" "delete  $REGISTRY/web:t1 "
expect_contains "$OUT" "delete  $REGISTRY/web:t1-copy"
expect_contains "$OUT" "keep    $REGISTRY/web:t6"
expect_contains "$OUT" "among the 3 newest tags of $REGISTRY/web"
expect_contains "$OUT" "keep    $REGISTRY/web:t2"
expect_contains "$OUT" "matches keep list 'web:t2'"
expect_contains "$OUT" "skip    $REGISTRY/web:old-alias"
expect_contains "$OUT" "with kept tag 't4' (deleting the manifest would delete it too)"
expect_contains "$OUT" "plan: delete 3 tags (2 deletes), keep 8, skip 1 (shared digest)"
expect_contains "$OUT" "dry run: nothing deleted"
expect_eq "$(registry_tags web)" "$web_before" "dry run deleted something"

test_case "without a terminal and without --yes gc only plans"
mctl images gc registry --no-marathon </dev/null
expect_rc 0
expect_contains "$ERR" "no terminal to confirm on and no --yes: dry run only"
expect_eq "$(registry_tags web)" "$web_before"

test_case "the plan in JSON names every decision"
mctl images gc registry --no-marathon --dry-run --json
expect_rc 0
expect_eq "$(python3 -c 'import json,sys; t=json.loads(sys.argv[1])["targets"][0]; print(t["delete"], t["keep"], t["skip"], t["dry_run"], t["bytes_reclaimable"] > 0)' "$OUT")" \
  "3 8 1 True True"
expect_eq "$(python3 -c 'import json,sys; d={x["image"]:x for x in json.loads(sys.argv[1])["targets"][0]["decisions"]}; print(d[sys.argv[2]]["action"], d[sys.argv[2]]["reason"])' "$OUT" "$REGISTRY/team/base:b1")" \
  "keep matches keep list 'team/base:b1'"

test_case "--yes deletes the plan: shared digests go once, kept tags sharing a digest stay"
mctl images gc registry --no-marathon --yes
expect_rc 0
expect_contains "$OUT" "deleted 3 of 3 tags (0 of 2 deletes failed)"
expect_contains "$ERR" "garbage collection"
expect_eq "$(registry_tags web | tr '\n' ' ')" "old-alias t2 t4 t5 t6 " "web tags after gc"
expect_eq "$(registry_tags api | tr '\n' ' ')" "a1 a2 " "api untouched"
expect_eq "$(registry_tags team/base | tr '\n' ' ')" "b1 b2 " "base untouched"

test_case "a second run finds nothing more to delete"
mctl images gc registry --no-marathon --yes
expect_rc 0
expect_contains "$OUT" "plan: delete 0 tags"

test_case "--keep and --older-than from the command line, limited to some repositories"
mctl images gc registry --no-marathon --yes --keep 0 --older-than 3650d web
expect_rc 0
expect_contains "$OUT" "newer than "
expect_eq "$(registry_tags web | tr '\n' ' ')" "old-alias t2 t4 t5 t6 " "nothing is 10 years old"
mctl images gc registry --no-marathon --yes --keep 1 'team/*'
expect_rc 0
expect_eq "$(registry_tags team/base | tr '\n' ' ')" "b1 b2 " "b1 kept by list, b2 newest"
mctl images gc registry --no-marathon --yes --keep 1 api
expect_rc 0
expect_eq "$(registry_tags api | tr '\n' ' ')" "a2 " "only api was cleaned"
expect_eq "$(registry_tags web | tr '\n' ' ')" "old-alias t2 t4 t5 t6 " "web not selected"

test_case "a registry that is down stops gc before any plan, naming it"
down_port=$(free_port)
mctl --registry "127.0.0.1:$down_port" images gc registry --no-marathon --yes
expect_rc 3
expect_contains "$ERR" "127.0.0.1:$down_port"

test_case "deletes failing mid-run are reported, the rest go on, and the exit code says so"
# A proxy in front of the registry that lets reads and the first two DELETEs through, then
# drops the connection of every further DELETE.
seed_registry <<EOF || fail_now "seeding failed"
flaky f1 2026-02-01T00:00:00Z
flaky f2 2026-02-02T00:00:00Z
flaky f3 2026-02-03T00:00:00Z
flaky f4 2026-02-04T00:00:00Z
flaky f5 2026-02-05T00:00:00Z
EOF
proxy_port=$(free_port)
cat >"$TMP/proxy.py" <<'PY'
import http.client, http.server, sys, threading
port, upstream = int(sys.argv[1]), sys.argv[2]
count = 0
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def forward(self):
        global count
        if self.command == "DELETE":
            with lock:
                count += 1; n = count
            if n > 2:
                self.close_connection = True
                self.connection.shutdown(2)  # the registry went away under this request
                return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        c = http.client.HTTPConnection(upstream, timeout=30)
        c.request(self.command, self.path, body, {k: v for k, v in self.headers.items() if k.lower() != "host"})
        r = c.getresponse(); data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"): self.send_header(k, v)
        self.send_header("Content-Length", str(len(data))); self.end_headers()
        if self.command != "HEAD": self.wfile.write(data)
    do_GET = do_HEAD = do_DELETE = do_PUT = do_POST = forward
http.server.ThreadingHTTPServer.allow_reuse_address = True
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
start_service proxy "curl -sf http://127.0.0.1:$proxy_port/v2/" python3 "$TMP/proxy.py" "$proxy_port" "$REGISTRY"
mctl --registry "127.0.0.1:$proxy_port" images gc registry --no-marathon --yes --keep 1 --parallel 1 flaky
expect_rc 3
expect_contains "$ERR" "2 planned deletes failed"
expect_contains "$ERR" "error: deleting 127.0.0.1:$proxy_port/flaky:"
expect_contains "$OUT" "deleted 2 of 4 tags (2 of 4 deletes failed)"
expect_eq "$(registry_tags flaky | wc -l)" "3" "f5 and the two failed tags remain"

test_case "a tag pushed again between the plan and its delete is not deleted, and the run says so"
# A proxy in front of the registry that, when mctl checks tag r2 just before deleting it,
# first pushes another image to r2 through the registry API: someone pushed during the run.
seed_registry <<EOF || fail_now "seeding failed"
race r1 2026-03-01T00:00:00Z
race r2 2026-03-02T00:00:00Z
race r3 2026-03-03T00:00:00Z
race r4 2026-03-04T00:00:00Z
race fresh 2026-03-05T00:00:00Z
EOF
race_port=$(free_port)
cat >"$TMP/race_proxy.py" <<'PY'
import http.client, http.server, sys, threading
port, upstream, repo, moved, source = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
trigger = sys.argv[6] if len(sys.argv) > 6 else moved  # the tag whose HEAD sets off the push
accept = "application/vnd.docker.distribution.manifest.v2+json"
done = threading.Event()
def call(method, path, body=b"", headers=None):
    c = http.client.HTTPConnection(upstream, timeout=30)
    c.request(method, path, body, headers or {})
    r = c.getresponse(); return r, r.read()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def forward(self):
        if self.command == "HEAD" and self.path == f"/v2/{repo}/manifests/{trigger}" and not done.is_set():
            done.set()
            _, manifest = call("GET", f"/v2/{repo}/manifests/{source}", headers={"Accept": accept})
            r, _ = call("PUT", f"/v2/{repo}/manifests/{moved}", manifest, {"Content-Type": accept})
            assert r.status == 201, r.status
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        r, data = call(self.command, self.path, body, {k: v for k, v in self.headers.items() if k.lower() != "host"})
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"): self.send_header(k, v)
        self.send_header("Content-Length", r.getheader("Content-Length") or str(len(data))); self.end_headers()
        if self.command != "HEAD": self.wfile.write(data)
    do_GET = do_HEAD = do_DELETE = do_PUT = do_POST = forward
http.server.ThreadingHTTPServer.allow_reuse_address = True
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
start_service race_proxy "curl -sf http://127.0.0.1:$race_port/v2/" \
  python3 "$TMP/race_proxy.py" "$race_port" "$REGISTRY" race r2 fresh
manifest_digest() {
  curl -s -o /dev/null -D - -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY/v2/$1/manifests/$2" | tr -d '\r' | sed -n 's/^docker-content-digest: //Ip'
}
fresh_digest=$(manifest_digest race fresh)
mctl --registry "127.0.0.1:$race_port" images gc registry --no-marathon --yes --keep 2 race
expect_rc 1
expect_contains "$OUT" "plan: delete 3 tags (3 deletes)"
expect_contains "$OUT" "deleted 2 of 3 tags (0 of 3 deletes failed, 1 skipped: changed since the plan)"
expect_contains "$ERR" "warning: not deleting 127.0.0.1:$race_port/race:r2: tag 'r2' now names $fresh_digest"
expect_contains "$ERR" "1 planned deletes were skipped because their tags changed since the plan"
expect_eq "$(registry_tags race | tr '\n' ' ')" "fresh r2 r4 " "r1 and r3 deleted, the re-pushed r2 kept"
expect_eq "$(manifest_digest race r2)" "$fresh_digest" "r2 names the image pushed during the run"

test_case "a new tag pushed onto a planned digest during the run keeps that manifest, and the run says so"
# The same proxy, now set off by mctl's check of o1 just before its delete: someone pushes o1's
# manifest as a new tag 'stable' (a promotion), which a manifest delete would take with it.
seed_registry <<EOF || fail_now "seeding failed"
promo o1 2026-04-01T00:00:00Z
promo o2 2026-04-02T00:00:00Z
promo o3 2026-04-03T00:00:00Z
promo o4 2026-04-04T00:00:00Z
EOF
promo_port=$(free_port)
start_service promo_proxy "curl -sf http://127.0.0.1:$promo_port/v2/" \
  python3 "$TMP/race_proxy.py" "$promo_port" "$REGISTRY" promo stable o1 o1
o1_digest=$(manifest_digest promo o1)
mctl --registry "127.0.0.1:$promo_port" images gc registry --no-marathon --yes --keep 2 --parallel 1 promo
expect_rc 1
expect_contains "$OUT" "deleted 1 of 2 tags (0 of 2 deletes failed, 1 skipped: changed since the plan)"
expect_contains "$ERR" "warning: not deleting 127.0.0.1:$promo_port/promo:o1: tag 'stable' was pushed onto $o1_digest"
expect_eq "$(registry_tags promo | tr '\n' ' ')" "o1 o3 o4 stable " "o2 deleted; o1 kept with the tag pushed onto it"

finish
