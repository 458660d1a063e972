# Docker Engine and registry for the image suites and bench/images.sh. Source after lib.sh.
#   start_dockerd            a private dockerd (vfs, no networking) on $TMP; exports DOCKER_HOST
#   start_registry [AUTH]    docker-registry on a free port, with its own storage; sets
#                            REGISTRY (127.0.0.1:PORT) and REGISTRY_DIR (storage in
#                            $REGISTRY_DIR/data). AUTH "user:password" turns on htpasswd basic auth.
#   seed_registry            reads "repo tag created-rfc3339 [manifest-key]" lines on stdin and
#                            pushes tiny images through the registry API; lines with the same
#                            manifest-key share one manifest (one digest).
#   registry_tags REPO       the tags of REPO, sorted, one per line

start_dockerd() {
  need_cmd dockerd docker containerd runc
  local d="$TMP/d"
  mkdir -p "$d"
  export DOCKER_HOST="unix://$d/docker.sock"
  # dockerd starts its own containerd under --exec-root; vfs needs no kernel overlay support.
  start_service dockerd "docker version" \
    dockerd --host "$DOCKER_HOST" --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/docker.pid" \
    --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs --log-level=warn
  DOCKERD_PID=$SERVICE_PID
}

# docker_image REF [CONTENT]: a tiny image made with `docker import` (CONTENT makes it unique).
docker_image() {
  local dir="$TMP/img.$$.$RANDOM"
  mkdir -p "$dir/root"
  printf '%s\n' "${2:-$1}" >"$dir/root/content"
  tar -C "$dir/root" -cf "$dir/root.tar" . || return 1
  docker import "$dir/root.tar" "$1" >/dev/null || return 1
  rm -rf "$dir"
}

start_registry() {
  need_cmd docker-registry curl python3
  local port auth="" dir
  port=$(free_port)
  dir="$TMP/registry.$port"
  mkdir -p "$dir/data"
  if [[ -n ${1:-} ]]; then
    python3 -W ignore -c 'import crypt,sys; u,p=sys.argv[1].split(":",1); print(u+":"+crypt.crypt(p, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' \
      "$1" >"$dir/htpasswd"
    auth=$'auth:\n  htpasswd:\n    realm: mctl-test\n    path: '"$dir/htpasswd"
  fi
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
$auth
EOF
  REGISTRY_CONFIG="$dir/config.yml"
  start_service registry "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/v2/ | grep -qE '200|401'" \
    docker-registry serve "$dir/config.yml"
  REGISTRY_PID=$SERVICE_PID
  REGISTRY="127.0.0.1:$port"
  REGISTRY_DIR=$dir
  REGISTRY_AUTH=${1:-}
}

seed_registry() {
  # The script goes to a file: stdin carries the lines to seed.
  cat >"$TMP/seed_registry.py" <<'PY'
import base64, hashlib, http.client, json, sys
host, auth = sys.argv[1], sys.argv[2]
conn = http.client.HTTPConnection(host, timeout=30)
headers = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
def call(method, path, body=b"", extra=None):
    h = dict(headers); h.update(extra or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse(); data = r.read()
    if r.status >= 300: sys.exit(f"seed: {method} {path}: HTTP {r.status} {data[:200]!r}")
    return r
uploaded = set()
def blob(repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if (repo, digest) not in uploaded:
        loc = call("POST", f"/v2/{repo}/blobs/uploads/").getheader("Location")
        path = loc.split(host, 1)[-1]
        call("PUT", path + ("&" if "?" in path else "?") + "digest=" + digest, data,
             {"Content-Type": "application/octet-stream"})
        uploaded.add((repo, digest))
    return {"digest": digest, "size": len(data)}
manifests = {}
for line in sys.stdin:
    parts = line.split()
    if not parts: continue
    repo, tag, created = parts[:3]
    key = (repo, parts[3] if len(parts) > 3 else tag)
    if key not in manifests:
        layer = blob(repo, ("layer of " + repo + "\n").encode() * 100)
        config = blob(repo, json.dumps({"architecture": "amd64", "os": "linux", "created": created,
                                        "config": {}, "rootfs": {"type": "layers", "diff_ids": []},
                                        "mctl_test": key[1]}).encode())
        manifests[key] = json.dumps({"schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", **config},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", **layer}]}).encode()
    call("PUT", f"/v2/{repo}/manifests/{tag}", manifests[key],
         {"Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
PY
  python3 "$TMP/seed_registry.py" "$REGISTRY" "${REGISTRY_AUTH:-}"
}

registry_tags() {
  local auth=()
  [[ -n ${REGISTRY_AUTH:-} ]] && auth=(-u "$REGISTRY_AUTH")
  curl -s "${auth[@]}" "http://$REGISTRY/v2/$1/tags/list" |
    python3 -c 'import json,sys; print("\n".join(sorted(json.load(sys.stdin).get("tags") or [])))'
}
