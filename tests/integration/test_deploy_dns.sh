#!/usr/bin/env bash
# mctl deploy --verify-dns: once an app is done, Mesos-DNS (here dnsmasq serving the fixture's
# zone plus the records of the simulator's tasks) must list each of its tasks.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_marathon.sh"
source "$(dirname "$0")/lib_dns.sh"

# Agents named 127.0.0.N: Marathon reports agent host names, which must resolve.
start_marathon --agent-host-format '127.0.0.%d'
[[ -n $TMP ]] || fail_now "no TMP"
cd "$TMP" || exit 1
M=(--marathon "$MARATHON_URL")

write_app web.json /shop/web registry.local/web:v1 2
mctl deploy web.json "${M[@]}" --timeout 30s
[[ $RC == 0 ]] || fail_now "the first deploy failed: $ERR"

# Mesos-DNS's records for the running tasks: agent IP + host port under the .slave SRV name.
app_field /shop/web "'\n'.join('%s %s' % (t['host'], t['ports'][0]) for t in a['tasks'])" >tasks.txt
i=0
while read -r host port; do
  i=$((i + 1))
  echo "host-record=web-shop-t$i.marathon.slave.mesos,$host"
  echo "srv-host=_web-shop._tcp.marathon.slave.mesos,web-shop-t$i.marathon.slave.mesos,$port,0,1"
done <tasks.txt >records.conf
expect_eq "$(wc -l <records.conf)" 4 "records written"
start_dnsmasq mesos-dns records.conf
D=(--mesos-dns "127.0.0.1:$DNS_PORT")

test_case "--verify-dns: every task listed, the deploy succeeds"
mctl deploy web.json "${M[@]}" "${D[@]}" --verify-dns --timeout 10s
expect_rc 0
expect_contains "$OUT" "/shop/web: up to date; Mesos-DNS lists its 2 task endpoint(s)"

test_case "--verify-dns: a new task Mesos-DNS does not list fails the app after the deadline, named"
write_app web.json /shop/web registry.local/web:v1 3
mctl deploy web.json "${M[@]}" "${D[@]}" --verify-dns --timeout 3s
expect_rc 1
new=$(app_field /shop/web "[ '%s:%s' % (t['host'], t['ports'][0]) for t in a['tasks'] if t['host'] + ' ' + str(t['ports'][0]) not in open('tasks.txt').read().splitlines()][0]")
expect_contains "$OUT" "not verified in DNS (--verify-dns, 3s): Mesos-DNS at 127.0.0.1:$DNS_PORT does not list 1 of its 3 task endpoint(s): $new"
expect_eq "$(app_field /shop/web "a['tasksHealthy']")" 3 "the deployment itself stays"
expect_contains "$ERR" "1 of 1 app(s) not done"

test_case "--verify-dns without a Mesos-DNS server: usage error before anything is sent"
sim DELETE requests >/dev/null
write_app web.json /shop/web registry.local/web:v1 4
mctl deploy web.json "${M[@]}" --verify-dns
expect_rc 2
expect_contains "$ERR" "deploy --verify-dns: no Mesos-DNS server configured"
expect_eq "$(sim GET requests | jq_py "len(j)")" 0 "requests to Marathon"

finish
