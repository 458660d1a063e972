#!/usr/bin/env bash
# mctl dns against a real DNS server: dnsmasq serving tests/fixtures/mesos-dns/dnsmasq.conf on a free
# loopback port; plus a server that never answers, one that answers REFUSED, a closed port,
# and a second dnsmasq with an SRV set too big for one UDP answer (TC, retried over TCP).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_dns.sh"

start_dnsmasq dnsmasq
S=127.0.0.1:$DNS_PORT
FIXTURE_PORT=$DNS_PORT

lookup() { mctl dns lookup --server "$S" "$@"; }

test_case "flask-hello A: three task IPs, sorted"
lookup flask-hello.marathon.mesos --short
expect_rc 0
expect_eq "$OUT" $'10.10.1.21\n10.10.1.22\n10.10.1.23'

test_case "flask-hello SRV: targets resolved to IPs without an additional section"
lookup _flask-hello._tcp.marathon.mesos --short
expect_rc 0
expect_eq "$OUT" $'10.10.1.21:31512\n10.10.1.22:31947\n10.10.1.23:31128'
lookup _flask-hello._tcp.marathon.mesos
expect_eq "$(sed -n 1p <<<"$OUT" | tr -s ' ')" "NAME TYPE IP PORT TARGET"
expect_eq "$(sed -n 2p <<<"$OUT" | tr -s ' ')" "_flask-hello._tcp.marathon.mesos SRV 10.10.1.21 31512 flask-hello-zna7p-s0.marathon.mesos"
expect_eq "$(wc -l <<<"$OUT")" 4

test_case "the output order is stable although dnsmasq varies its answer order"
first=$OUT
for _ in 1 2 3 4 5; do lookup _flask-hello._tcp.marathon.mesos; [[ $OUT == "$first" ]] || break; done
expect_eq "$OUT" "$first"

test_case "flask-hello .slave names: agent IPs and host ports, tcp and udp"
lookup _flask-hello._udp.marathon.slave.mesos --short
expect_rc 0
expect_eq "$OUT" $'10.10.1.21:31512\n10.10.1.22:31947\n10.10.1.23:31128'
lookup flask-hello.marathon.slave.mesos --short
expect_eq "$OUT" $'10.10.1.21\n10.10.1.22\n10.10.1.23'
lookup flask-hello-5tdbj-s1.marathon.mesos --short
expect_eq "$OUT" "10.10.1.22"

test_case "the grouped app in both forms"
lookup web-api-prod.marathon.mesos --short
expect_eq "$OUT" $'9.0.1.5\n9.0.2.7'
lookup web.api.prod.marathon.mesos --short
expect_eq "$OUT" $'9.0.1.5\n9.0.2.7'
lookup _web-api-prod._tcp.marathon.mesos --short
expect_eq "$OUT" $'9.0.1.5:8080\n9.0.2.7:8080'
lookup _web.api.prod._tcp.marathon.mesos --json
expect_eq "$(json_get '[(r["host"], r["ip"], r["port"]) for r in d["results"][0]["records"]]')" \
  "[('web.api.prod-krcpn-s1.marathon.mesos', '9.0.1.5', 8080), ('web.api.prod-ooj71-s2.marathon.mesos', '9.0.2.7', 8080)]"
lookup _http._web-api-prod._tcp.marathon.mesos --short
expect_eq "$OUT" $'9.0.1.5:8080\n9.0.2.7:8080'
lookup web-api-prod.marathon.slave.mesos --short
expect_eq "$OUT" $'10.10.1.22\n10.10.1.23'

test_case "mctl dns app /prod/api/web: names derived, tasks with the named port"
mctl dns app /prod/api/web --port-name http --server "$S"
expect_rc 0
expect_contains "$OUT" "app /prod/api/web: 2 task endpoint(s) from Mesos-DNS at $S"
expect_eq "$(grep krcpn <<<"$OUT" | tr -s ' ')" "web-api-prod-krcpn-s1.marathon.mesos 9.0.1.5 8080 tcp http"
expect_eq "$(grep ooj71 <<<"$OUT" | tr -s ' ')" "web-api-prod-ooj71-s2.marathon.mesos 9.0.2.7 8080 tcp http"
expect_eq "$(grep -E '^ +web\.api\.prod\.marathon\.mesos ' <<<"$OUT" | tr -s ' ')" " web.api.prod.marathon.mesos A 2 record(s)"
expect_eq "$(grep -E '^ +_http\._web-api-prod\._tcp\.marathon\.mesos ' <<<"$OUT" | tr -s ' ')" \
  " _http._web-api-prod._tcp.marathon.mesos SRV 2 record(s)"
expect_eq "$(grep -E '^ +_web-api-prod\._tcp\.marathon\.slave\.mesos ' <<<"$OUT" | tr -s ' ')" \
  " _web-api-prod._tcp.marathon.slave.mesos SRV none"

test_case "mctl dns app /api-gateway: two named ports told apart (json)"
mctl dns app api-gateway --port-name http --port-name admin --server "$S" --json
expect_rc 0
expect_eq "$(json_get '[(t["ip"], t["port"], t["port_names"]) for t in d["tasks"]]')" \
  "[('10.10.1.21', 31100, ['http']), ('10.10.1.21', 31101, ['admin']), ('10.10.1.23', 31740, ['http']), ('10.10.1.23', 31741, ['admin'])]"
expect_eq "$(json_get 'd["tasks"][0]["host"]')" "api-gateway-u6qfb-s0.marathon.mesos"
lookup _api-gateway._tcp.marathon.mesos --short
expect_eq "$OUT" $'10.10.1.21:31100\n10.10.1.21:31101\n10.10.1.23:31740\n10.10.1.23:31741'
lookup _admin._api-gateway._tcp.marathon.mesos --short
expect_eq "$OUT" $'10.10.1.21:31101\n10.10.1.23:31741'

test_case "mctl dns app /flask-hello: three tasks, no port names"
mctl dns app /flask-hello --server "$S"
expect_rc 0
expect_eq "$(grep -c -E '^flask-hello-[a-z0-9]{5}-s[0-2]\.marathon\.mesos ' <<<"$OUT")" 3
expect_eq "$(grep zna7p <<<"$OUT" | tr -s ' ')" "flask-hello-zna7p-s0.marathon.mesos 10.10.1.21 31512 tcp -"

test_case "the app with no tasks: no records, exit 8, a hint"
mctl dns app /idle-worker --server "$S"
expect_rc 8
expect_contains "$ERR" "app /idle-worker: no records for idle-worker.marathon.mesos or _idle-worker._tcp.marathon.mesos (NXDOMAIN)"
expect_contains "$ERR" "no running tasks?"
expect_eq "$OUT" ""
lookup idle-worker.marathon.mesos
expect_rc 8
expect_contains "$ERR" "no records for idle-worker.marathon.mesos (NXDOMAIN): no running tasks?"
lookup _idle-worker._tcp.marathon.mesos
expect_rc 8
lookup flask-hello.marathon.mesos --type SRV
expect_rc 8
expect_contains "$ERR" "no records for flask-hello.marathon.mesos"

test_case "leader, masters, agents, frameworks, ns1"
lookup leader.mesos --short
expect_eq "$OUT" "10.10.0.11"
lookup master.mesos --short
expect_eq "$OUT" $'10.10.0.11\n10.10.0.12\n10.10.0.13'
lookup master2.mesos --short
expect_eq "$OUT" "10.10.0.13"
lookup slave.mesos --short
expect_eq "$OUT" $'10.10.1.21\n10.10.1.22\n10.10.1.23'
lookup ns1.mesos --short
expect_eq "$OUT" "10.10.0.11"
lookup _leader._tcp.mesos
expect_eq "$(sed -n 2p <<<"$OUT" | tr -s ' ')" "_leader._tcp.mesos SRV 10.10.0.11 5050 leader.mesos"
lookup _leader._udp.mesos --short
expect_eq "$OUT" "10.10.0.11:5050"
lookup _slave._tcp.mesos --short  # one SRV whose target has three addresses
expect_eq "$OUT" $'10.10.1.21:5051\n10.10.1.22:5051\n10.10.1.23:5051'
lookup _framework._tcp.marathon.mesos --short
expect_eq "$OUT" "10.10.0.11:15101"
lookup _framework._tcp.metronome.mesos --short
expect_eq "$OUT" "10.10.0.12:15201"

test_case "names match case-insensitively; --type ANY asks A and SRV"
lookup FLASK-HELLO.Marathon.MESOS. --short
expect_rc 0
expect_eq "$OUT" $'10.10.1.21\n10.10.1.22\n10.10.1.23'
lookup leader.mesos --type any --json
expect_rc 0
expect_eq "$(json_get '[(x["type"], x["status"]) for x in d["results"]]')" "[('A', 'ok'), ('SRV', 'no_records')]"

test_case "unknown names and names outside the domain"
lookup nosuch.marathon.mesos
expect_rc 8
expect_contains "$ERR" "no records for nosuch.marathon.mesos"
lookup flask-hello  # dnsmasq refuses names outside mesos.; a real Mesos-DNS forwards or refuses them
expect_rc 3
expect_contains "$ERR" "refused the query (REFUSED); Mesos-DNS names look like flask-hello.marathon.mesos"
lookup example.com
expect_rc 3
expect_contains "$ERR" "looking up example.com A: $S refused the query (REFUSED)"

test_case "--tcp gives the same answers"
lookup _api-gateway._udp.marathon.slave.mesos --tcp --short
expect_rc 0
expect_eq "$OUT" $'10.10.1.21:31100\n10.10.1.21:31101\n10.10.1.23:31740\n10.10.1.23:31741'

test_case "--batch: many names at once, every record, the worst status as exit code"
printf '%s\n' "# comment" "" flask-hello.marathon.mesos "_web-api-prod._tcp.marathon.mesos" "_leader._tcp.mesos SRV" \
  "idle-worker.marathon.mesos" >"$TMP/names.txt"
lookup --batch "$TMP/names.txt"
expect_rc 8
expect_eq "$(grep -c ' A ' <<<"$OUT")" 3
expect_eq "$(grep -c ' SRV ' <<<"$OUT")" 3
expect_contains "$ERR" "mctl: idle-worker.marathon.mesos A: NXDOMAIN"
expect_contains "$ERR" "1 of 4 lookups failed or found no records"
for i in $(seq 300); do echo "_flask-hello._tcp.marathon.mesos"; echo "master$((i % 3)).mesos"; done >"$TMP/many.txt"
run bash -c "'$MCTL' dns lookup --server $S --batch - --json <'$TMP/many.txt'"
expect_rc 0
expect_eq "$(json_get 'len(d["results"])')" 600
expect_eq "$(json_get 'sum(len(r["records"]) for r in d["results"])')" 1200
expect_eq "$(json_get 'sorted(set(r["records"][0]["ip"] for r in d["results"] if r["type"] == "A"))')" \
  "['10.10.0.11', '10.10.0.12', '10.10.0.13']"
printf 'leader.mesos MX\n' >"$TMP/bad.txt"
lookup --batch "$TMP/bad.txt"
expect_rc 2
expect_contains "$ERR" "$TMP/bad.txt:1: record type 'MX' for leader.mesos: use A, SRV or ANY"

test_case "the server comes from mctl.yaml, MCTL_MESOS_DNS or --mesos-dns"
mkdir -p "$TMP/proj"
printf 'mesos_dns: "%s"\n' "$S" >"$TMP/proj/mctl.yaml"
mctl -C "$TMP/proj" dns lookup leader.mesos --short
expect_rc 0
expect_eq "$OUT" "10.10.0.11"
run env MCTL_MESOS_DNS="$S" "$MCTL" -C "$TMP" dns lookup leader.mesos --short
expect_eq "$OUT" "10.10.0.11"
mctl -C "$TMP" --mesos-dns "$S" dns lookup leader.mesos --short
expect_eq "$OUT" "10.10.0.11"
printf 'mesos_dns: "127.0.0.1:1"\n' >"$TMP/proj/mctl.yaml"
mctl -C "$TMP/proj" dns lookup leader.mesos --server "$S" --short  # --server beats the file
expect_rc 0
expect_eq "$OUT" "10.10.0.11"
mctl -C "$TMP" dns lookup leader.mesos
expect_rc 2
expect_contains "$ERR" "no Mesos-DNS server configured"

test_case "usage errors"
lookup /prod/api/web
expect_rc 2
expect_contains "$ERR" "'/prod/api/web' is a Marathon app id, not a DNS name: use 'mctl dns app /prod/api/web'"
lookup leader.mesos --type MX
expect_rc 2
mctl dns lookup leader.mesos --server 127.0.0.1:70000
expect_rc 2
expect_contains "$ERR" "port '70000' is not a number from 1 to 65535"
mctl dns lookup --server "$S"
expect_rc 2

test_case "a server that never answers: a timeout error, exit 4, within the deadline"
start_udp_dns silent
start=$(date +%s%N)
mctl dns lookup leader.mesos --server "127.0.0.1:$UDP_DNS_PORT" --timeout 1s
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_rc 4
expect_contains "$ERR" "looking up leader.mesos A: no answer from 127.0.0.1:$UDP_DNS_PORT within 1s"
expect_within 2000 "$elapsed_ms" "a 1s timeout"
mctl dns app /flask-hello --server "127.0.0.1:$UDP_DNS_PORT" --timeout 500ms
expect_rc 4

test_case "a server that answers REFUSED: exit 3"
start_udp_dns refuse
mctl dns lookup leader.mesos --server "127.0.0.1:$UDP_DNS_PORT"
expect_rc 3
expect_contains "$ERR" "refused the query (REFUSED)"
mctl dns app /flask-hello --server "127.0.0.1:$UDP_DNS_PORT"
expect_rc 3
expect_contains "$ERR" "looking up app /flask-hello at 127.0.0.1:$UDP_DNS_PORT"

test_case "nothing listening: exit 3, said so"
closed=$(free_port)
mctl dns lookup leader.mesos --server "127.0.0.1:$closed" --timeout 2s
expect_rc 3
expect_contains "$ERR" "connection refused: is a DNS server listening on 127.0.0.1:$closed?"

test_case "a truncated UDP answer is retried over TCP: all 80 records"
for i in $(seq 80); do
  echo "srv-host=_big._tcp.marathon.mesos,big-task-$i.marathon.mesos,$((30000 + i)),0,1"
done >"$TMP/big.conf"
echo "host-record=big-task-1.marathon.mesos,10.10.9.1" >>"$TMP/big.conf"
start_dnsmasq dnsmasq_big "$TMP/big.conf"
udp=$(dig @127.0.0.1 -p "$DNS_PORT" _big._tcp.marathon.mesos SRV +notcp +ignore +bufsize=1232 +noall +comments)
expect_contains "$udp" " tc" "dnsmasq sets TC over UDP (the premise of this check)"
mctl dns lookup _big._tcp.marathon.mesos --server "127.0.0.1:$DNS_PORT" --json
expect_rc 0
expect_eq "$(json_get 'len(d["results"][0]["records"])')" 80
expect_eq "$(json_get '[r["ip"] for r in d["results"][0]["records"]][0]')" "10.10.9.1"


test_case "an app id cut to 63 characters: every name Mesos-DNS can serve is asked, none breaks the command"
long_id=/analytics/realtime-event-aggregation-service-for-clickstream/ingest-pipeline
cut=ingest-pipeline-realtime-event-aggregation-service-for-clickstr  # Mesos-DNS's 63-character label
dotted=ingest-pipeline.realtime-event-aggregation-service-for-clickstream.analytics
{
  echo "host-record=$cut.marathon.mesos,10.10.7.1"
  echo "host-record=$dotted.marathon.mesos,10.10.7.1"
  echo "host-record=$dotted-k3m9q-s0.marathon.mesos,10.10.7.1"
  echo "srv-host=_$dotted._tcp.marathon.mesos,$dotted-k3m9q-s0.marathon.mesos,31700,0,1"
} >"$TMP/long.conf"
start_dnsmasq dnsmasq_long "$TMP/long.conf"
LONG=127.0.0.1:$DNS_PORT
mctl dns app "$long_id" --server "$LONG"
expect_rc 0
expect_eq "$(grep k3m9q <<<"$OUT" | tr -s ' ')" "$dotted-k3m9q-s0.marathon.mesos 10.10.7.1 31700 tcp -"
expect_eq "$(grep -E "^ +$cut\.marathon\.mesos " <<<"$OUT" | tr -s ' ')" " $cut.marathon.mesos A 1 record(s)"
expect_contains "$(grep -E "^ +_$cut\._tcp\.marathon\.mesos " <<<"$OUT")" "not asked: its label '_$cut' has 64 characters"
expect_eq "$ERR" ""
mctl dns app "$long_id" --server "$LONG" --json
expect_eq "$(json_get 'sorted(set(n["status"] for n in d["names"]))')" "['invalid', 'no_records', 'ok']"
expect_eq "$(json_get '[n["name"] for n in d["names"] if n["status"] == "invalid" and len(n["name"].split(".")[0]) != 64]')" "[]"

test_case "a name that is not a DNS name is bad input: exit 2 before any query"
start_udp_dns silent
quiet=127.0.0.1:$UDP_DNS_PORT  # would time out if anything were asked
long_label=$(printf 'a%.0s' $(seq 64))
for bad in "$long_label.marathon.mesos" "a..mesos" ".mesos" "web api.mesos" "$(printf 'abcdefghi.%.0s' $(seq 26))mesos"; do
  start=$(date +%s%N)
  mctl dns lookup "$bad" --server "$quiet" --timeout 3s
  elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  expect_rc 2
  expect_contains "$ERR" "is not a valid DNS name"
  expect_within 1500 "$elapsed_ms" "bad input answered before any query (the timeout is 3s)"
done
expect_contains "$ERR" "265 characters, DNS allows 253"
mctl dns lookup "$long_label.marathon.mesos" --server "$quiet"
expect_contains "$ERR" "has 64 characters, DNS allows 63"
printf '%s\n' leader.mesos "$long_label.mesos SRV" >"$TMP/badname.txt"
lookup --batch "$TMP/badname.txt"
expect_rc 2
expect_contains "$ERR" "$TMP/badname.txt:2: '$long_label.mesos' is not a valid DNS name"
expect_eq "$OUT" ""

test_case "a missing --batch file is bad input: exit 2"
lookup --batch "$TMP/no-such-names.txt"
expect_rc 2
expect_contains "$ERR" "no-such-names.txt"

test_case "--tcp keeps to --timeout: a server answering after 2.5 s is waited for"
start_slow_dns 2.5
start=$(date +%s%N)
mctl dns lookup slow.mesos --server "127.0.0.1:$SLOW_DNS_PORT" --tcp --timeout 10s --short
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_rc 0
expect_eq "$OUT" "10.9.9.9"
expect_true test "$elapsed_ms" -ge 2400
test_case "a truncated UDP answer retried over TCP keeps to --timeout too"
mctl dns lookup slow.mesos --server "127.0.0.1:$SLOW_DNS_PORT" --timeout 10s --short
expect_rc 0
expect_eq "$OUT" "10.9.9.9"
test_case "the deadline still ends a query over TCP, and the message tells the truth"
start=$(date +%s%N)
mctl dns lookup slow.mesos --server "127.0.0.1:$SLOW_DNS_PORT" --tcp --timeout 1s
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_rc 4
expect_contains "$ERR" "within 1s"
expect_true test "$elapsed_ms" -ge 900
expect_within 1900 "$elapsed_ms" "a 1s timeout over TCP"

test_case "300 tasks: every SRV target has its IP, over UDP+TC and --tcp, lookup and app"
bulk_zone bulk 300 "$TMP/bulk.conf"
start_dnsmasq dnsmasq_bulk "$TMP/bulk.conf"
BULK=127.0.0.1:$DNS_PORT
for transport in "" --tcp; do
  mctl dns lookup _bulk._tcp.marathon.mesos --server "$BULK" --short $transport
  expect_rc 0
  expect_eq "$(wc -l <<<"$OUT")" 300
  expect_eq "$(grep -cE '^10\.20\.[0-9]+\.[0-9]+:3[0-9]{4}$' <<<"$OUT")" 300 "every line is IP:port ($transport)"
  expect_eq "$ERR" ""
  mctl dns app /bulk --server "$BULK" $transport
  expect_rc 0
  expect_eq "$(grep -cE '^bulk-t[0-9]{4}-s[0-6]\.marathon\.mesos +10\.20\.[0-9]+\.[0-9]+ +3[0-9]{4} +tcp ' <<<"$OUT")" 300 \
    "every task row has its IP ($transport)"
done

test_case "an SRV target whose address cannot be learnt: printed as missing, named, exit 3"
printf '%s\n' "srv-host=_half._tcp.marathon.mesos,half-aaaaa-s0.marathon.mesos,31801,0,1" \
  "srv-host=_half._tcp.marathon.mesos,half.example.com,31802,0,1" \
  "host-record=half-aaaaa-s0.marathon.mesos,10.10.8.2" >"$TMP/half.conf"
start_dnsmasq dnsmasq_half "$TMP/half.conf"
mctl dns lookup _half._tcp.marathon.mesos --server "127.0.0.1:$DNS_PORT" --short
expect_rc 3
expect_eq "$OUT" $'10.10.8.2:31801\nhalf.example.com:31802'
expect_contains "$ERR" "the address of 1 of 2 SRV target(s) is unknown (half.example.com)"
mctl dns app /half --server "127.0.0.1:$DNS_PORT"  # the failed name is named, the others answered
expect_rc 3
expect_eq "$(grep -E '^half-aaaaa-s0' <<<"$OUT" | tr -s ' ')" "half-aaaaa-s0.marathon.mesos 10.10.8.2 31801 tcp -"
expect_eq "$(grep -E '^ +_half\._tcp\.marathon\.mesos ' <<<"$OUT" | tr -s ' ')" " _half._tcp.marathon.mesos SRV 2 record(s) (refused)"
expect_contains "$ERR" "mctl: _half._tcp.marathon.mesos SRV: the address of 1 of 2 SRV target(s) is unknown (half.example.com)"
expect_contains "$ERR" "app /half: 1 of 6 names failed; the table may be incomplete"

test_case "nothing listening: the same exit 3 for lookup, app and batch"
closed=$(free_port)
mctl dns app /flask-hello --server "127.0.0.1:$closed" --timeout 2s
expect_rc 3
expect_contains "$ERR" "connection refused"
printf '%s\n' leader.mesos _flask-hello._tcp.marathon.mesos master.mesos >"$TMP/three.txt"
mctl dns lookup --batch "$TMP/three.txt" --server "127.0.0.1:$closed" --timeout 2s
expect_rc 3

finish
