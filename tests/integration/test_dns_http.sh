#!/usr/bin/env bash
# mctl dns --http: the Mesos-DNS HTTP API (tests/servers/mesos_dns_http.py over
# tests/fixtures/mesos-dns/http/, byte-for-byte Mesos-DNS bodies: string ports, random order,
# one empty record for an unknown name).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_dns.sh"

start_mesos_dns_http
U=http://127.0.0.1:$HTTP_PORT

test_case "hosts: flask-hello's three IPs, sorted"
mctl dns lookup flask-hello.marathon.mesos --http "$U" --short
expect_rc 0
expect_eq "$OUT" $'10.10.1.21\n10.10.1.22\n10.10.1.23'

test_case "services: string ports become numbers; targets and IPs as Mesos-DNS sent them"
mctl dns lookup _flask-hello._tcp.marathon.mesos --http "$U" --json
expect_rc 0
expect_eq "$(json_get '[(r["host"], r["ip"], r["port"]) for r in d["results"][0]["records"]]')" \
  "[('flask-hello-zna7p-s0.marathon.mesos', '10.10.1.21', 31512), ('flask-hello-5tdbj-s1.marathon.mesos', '10.10.1.22', 31947), ('flask-hello-eejuc-s2.marathon.mesos', '10.10.1.23', 31128)]"
expect_eq "$(json_get 'd["server"]')" "$U"

test_case "unknown names (the one empty record) are 'no records', exit 8"
mctl dns lookup idle-worker.marathon.mesos --http "$U"
expect_rc 8
expect_contains "$ERR" "no records for idle-worker.marathon.mesos (unknown name (empty record)): no running tasks?"
mctl dns lookup _idle-worker._tcp.marathon.mesos --http "$U"
expect_rc 8
mctl dns app /idle-worker --http "$U"
expect_rc 8

test_case "mctl dns app over HTTP: the same task table as over DNS"
mctl dns app /api-gateway --port-name http --port-name admin --http "$U" --json
expect_rc 0
expect_eq "$(json_get '[(t["host"], t["ip"], t["port"], t["port_names"]) for t in d["tasks"]]')" \
  "[('api-gateway-u6qfb-s0.marathon.mesos', '10.10.1.21', 31100, ['http']), ('api-gateway-u6qfb-s0.marathon.mesos', '10.10.1.21', 31101, ['admin']), ('api-gateway-sd1su-s2.marathon.mesos', '10.10.1.23', 31740, ['http']), ('api-gateway-sd1su-s2.marathon.mesos', '10.10.1.23', 31741, ['admin'])]"
mctl dns app /prod/api/web --port-name http --http "$U"
expect_rc 0
expect_eq "$(grep ooj71 <<<"$OUT" | tr -s ' ')" "web-api-prod-ooj71-s2.marathon.mesos 9.0.2.7 8080 tcp http"
expect_eq "$(grep -E '^ +_web\.api\.prod\._tcp\.marathon\.mesos ' <<<"$OUT" | tr -s ' ')" " _web.api.prod._tcp.marathon.mesos SRV 2 record(s)"

test_case "batch over HTTP"
printf '%s\n' leader.mesos master.mesos "_slave._tcp.mesos" >"$TMP/names.txt"
mctl dns lookup --http "$U" --batch "$TMP/names.txt" --short
expect_rc 0
expect_eq "$(wc -l <<<"$OUT")" 5  # leader 1, master 3, _slave._tcp 1: the API gives only the first A of a target

test_case "the URL comes from mesos_dns_http (MCTL_MESOS_DNS_HTTP) when no DNS server is set"
run env MCTL_MESOS_DNS_HTTP="$U" "$MCTL" -C "$TMP" dns lookup leader.mesos --short
expect_rc 0
expect_eq "$OUT" "10.10.0.11"

test_case "an HTTP server that is not Mesos-DNS, and one that is down"
mctl dns lookup leader.mesos --http "$U/nothing-here"
expect_rc 3
expect_contains "$ERR" "looking up leader.mesos A: $U/nothing-here/v1/hosts/leader.mesos answered HTTP 404"
stop_service "$SERVICE_PID"
mctl dns lookup leader.mesos --http "$U" --timeout 2s
expect_rc 3
expect_contains "$ERR" "looking up leader.mesos A:"

test_case "records that are not an address or a DNS name (a hostile or broken server) are an error, never printed raw"
cp -r "$MESOS_DNS_FIXTURE/http" "$TMP/hostile"
printf '[{"host": "evil.marathon.mesos.", "ip": "\\u001b]0;pwned\\u0007"}]' >"$TMP/hostile/v1/hosts/evil.marathon.mesos.json"
printf '[{"service": "", "host": "x\\u001b[2J.marathon.mesos.", "ip": "10.0.0.1", "port": "31000"}]' \
  >"$TMP/hostile/v1/services/_evil._tcp.marathon.mesos.json"
start_service mesos_dns_http "test -s $TMP/hostile.port" \
  python3 "$MCTL_TESTS/servers/mesos_dns_http.py" --root "$TMP/hostile" --port-file "$TMP/hostile.port"
H=http://127.0.0.1:$(cat "$TMP/hostile.port")
mctl dns lookup evil.marathon.mesos --http "$H"
expect_rc 3
expect_contains "$ERR" "looking up evil.marathon.mesos A: $H/v1/hosts/evil.marathon.mesos answered '\\x1b]0;pwned\\x07' as an IP address"
expect_eq "$(printf '%s%s' "$OUT" "$ERR" | tr -cd '\033\007' | wc -c)" 0 "no ESC or BEL byte in the output"
mctl dns lookup _evil._tcp.marathon.mesos --http "$H"
expect_rc 3
expect_contains "$ERR" "answered 'x\\x1b[2J.marathon.mesos' as a host, which is not a DNS name: character '\\x1b' is not allowed"
expect_eq "$(printf '%s%s' "$OUT" "$ERR" | tr -cd '\033\007' | wc -c)" 0 "no ESC or BEL byte in the output"
mctl dns lookup leader.mesos --http "$H" --short
expect_rc 0 "the good records of the same server"
expect_eq "$OUT" "10.10.0.11"

test_case "an answer that never ends is cut at 16 MiB: exit 3 at once, not the timeout and the memory"
EP=$(free_port)
start_service http_test_server "curl -sf http://127.0.0.1:$EP/ok" \
  python3 "$MCTL_TESTS/servers/http_test_server.py" --port "$EP"
E=http://127.0.0.1:$EP/endless
mctl dns lookup leader.mesos --http "$E" --timeout 20s
expect_rc 3
expect_contains "$ERR" "looking up leader.mesos A: GET $E/v1/hosts/leader.mesos: the answer is larger than 16777216 bytes"

finish
