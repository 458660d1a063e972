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

# A slow DNS server: every A query gets 10.9.9.9 over TCP after DELAY seconds (each query in its
# own thread, as Mesos-DNS serves each in its own goroutine); over UDP it answers at once with
# TC set and no records, so a client must come back over TCP. Same port for both.
cat >"$TMP/slow_dns.py" <<'PY'
import socket, struct, sys, threading, time, os
delay, port_file = float(sys.argv[1]), sys.argv[2]
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("127.0.0.1", 0))
port = tcp.getsockname()[1]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", port))
tcp.listen(64)

def question_end(q):
    i = 12
    while i < len(q) and q[i] != 0:
        i += q[i] + 1
    return i + 5

def answer(q, records):
    end = question_end(q)
    flags = 0x8400 | (q[2] << 8 & 0x0100)  # QR, AA, RD copied
    head = q[:2] + struct.pack(">HHHHH", flags, 1, 1 if records else 0, 0, 0)
    body = q[12:end]
    if records:
        body += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([10, 9, 9, 9])
    return head + body

def serve_udp():
    while True:
        q, peer = udp.recvfrom(4096)
        r = bytearray(answer(q, False))
        r[2] |= 0x02  # TC
        udp.sendto(bytes(r), peer)

def reply_later(conn, lock, q):
    time.sleep(delay)
    r = answer(q, True)
    with lock:
        try:
            conn.sendall(struct.pack(">H", len(r)) + r)
        except OSError:
            pass

def serve_conn(conn):
    lock = threading.Lock()
    f = conn.makefile("rb")
    while True:
        n = f.read(2)
        if len(n) < 2:
            return
        q = f.read(struct.unpack(">H", n)[0])
        threading.Thread(target=reply_later, args=(conn, lock, q), daemon=True).start()

threading.Thread(target=serve_udp, daemon=True).start()
with open(port_file + ".tmp", "w") as fh:
    fh.write(str(port))
os.rename(port_file + ".tmp", port_file)
while True:
    c, _ = tcp.accept()
    threading.Thread(target=serve_conn, args=(c,), daemon=True).start()
PY

# start_slow_dns DELAY: sets SLOW_DNS_PORT.
start_slow_dns() {
  local file="$TMP/slow_dns_$1.port"
  start_service "slow_dns_$1" "test -s $file" python3 "$TMP/slow_dns.py" "$1" "$file"
  SLOW_DNS_PORT=$(cat "$file")
}

# bulk_zone APP COUNT FILE: dnsmasq lines for a Marathon app /APP with COUNT tasks on host ports,
# as Mesos-DNS names them: APP.marathon.mesos (A, every task IP), _APP._tcp.marathon.mesos
# (SRV, one per task) and each task's T-H-S.marathon.mesos (A). Task i runs on 10.20.(i/250).(i%250+1).
bulk_zone() {
  python3 - "$@" <<'PY'
import sys
app, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    for i in range(count):
        ip = f"10.20.{i // 250}.{i % 250 + 1}"
        host = f"{app}-t{i:04d}-s{i % 7}.marathon.mesos"
        f.write(f"host-record={host},{ip}\n")
        f.write(f"host-record={app}.marathon.mesos,{ip}\n")
        f.write(f"srv-host=_{app}._tcp.marathon.mesos,{host},{31000 + i},0,1\n")
PY
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
