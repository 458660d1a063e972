# Helpers for the mctl dns suites: the dnsmasq fixture on a free loopback port, a DNS server
# that never answers, one that answers REFUSED, and the Mesos-DNS HTTP API fixture.
# Source after lib.sh.

MESOS_DNS_FIXTURE="$MCTL_FIXTURES/mesos-dns"

# dns_ready PORT NAME EXPECTED: dig answers NAME with EXPECTED on PORT.
dns_ready() {
  dig @127.0.0.1 -p "$1" "$2" A +short +time=1 +tries=1 2>/dev/null | grep -qx "$3"
}

# start_dnsmasq NAME [EXTRA_CONF_FILE]: serves the fixture's dnsmasq.conf (port rewritten) on a
# free port, plus the lines of EXTRA_CONF_FILE. Sets DNS_PORT (and NAME_PORT via the caller).
start_dnsmasq() {
  local name=$1 extra=${2:-}
  need_cmd dig
  local dnsmasq=/usr/sbin/dnsmasq
  [[ -x $dnsmasq ]] || dnsmasq=$(command -v dnsmasq) || skip "dnsmasq is not installed"
  DNS_PORT=$(free_port)
  sed -e "s/^port=.*/port=$DNS_PORT/" "$MESOS_DNS_FIXTURE/dnsmasq.conf" >"$TMP/$name.conf"
  [[ -n $extra ]] && cat "$extra" >>"$TMP/$name.conf"
  grep -qx "port=$DNS_PORT" "$TMP/$name.conf" || fail_now "could not rewrite the port of dnsmasq.conf"
  "$dnsmasq" --test --conf-file="$TMP/$name.conf" >/dev/null 2>&1 || fail_now "dnsmasq rejects $TMP/$name.conf"
  start_service "$name" "dns_ready $DNS_PORT leader.mesos 10.10.0.11" \
    "$dnsmasq" --conf-file="$TMP/$name.conf" --keep-in-foreground --log-facility=- --pid-file= --user=
}

# A tiny UDP DNS server written for these tests: "silent" reads and never answers (timeouts),
# "refuse" answers every query REFUSED with the question echoed (c-ares checks it).
cat >"$TMP/udp_dns.py" <<'PY'
import socket, sys
mode, port_file = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
with open(port_file + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(port_file + ".tmp", port_file)
while True:
    data, peer = s.recvfrom(4096)
    if mode == "silent" or len(data) < 12:
        continue
    i = 12
    while i < len(data) and data[i] != 0:
        i += data[i] + 1
    question = data[12:i + 5]
    flags = 0x8000 | (data[2] << 8 & 0x7900) | 5  # QR, opcode and RD copied, RCODE=REFUSED
    s.sendto(data[:2] + flags.to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x00\x00\x00" + question, peer)
PY

# start_udp_dns MODE: sets UDP_DNS_PORT.
start_udp_dns() {
  local file="$TMP/udp_dns_$1.port"
  start_service "udp_dns_$1" "test -s $file" python3 "$TMP/udp_dns.py" "$1" "$file"
  UDP_DNS_PORT=$(cat "$file")
}

# start_mesos_dns_http: the HTTP API fixture; sets HTTP_PORT.
start_mesos_dns_http() {
  local file="$TMP/mesos_dns_http.port"
  start_service mesos_dns_http "test -s $file" \
    python3 "$MCTL_TESTS/servers/mesos_dns_http.py" --root "$MESOS_DNS_FIXTURE/http" --port-file "$file"
  HTTP_PORT=$(cat "$file")
}

# json_get EXPR: evaluates a Python expression over the JSON document in $OUT (as `d`).
json_get() {
  python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$OUT"
}
