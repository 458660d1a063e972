#!/usr/bin/env python3
"""A small real HTTP server for the HTTP client's tests (tests/net/).

Listens on 127.0.0.1 (port 0 = any free port) or on a unix socket, prints
"listening on <port-or-path>" once ready, and serves:
  /ok                      200 "hello"
  /status/NNN              answers NNN with a short body
  /flaky?key=K&fail=N&status=S   the first N requests of key K get status S, later ones 200
  /drop?key=K&fail=N       the first N requests of key K are closed without an answer
  /slow?ms=N               answers after N milliseconds
  /echo                    200 with JSON {method, path, headers, body}
  /peer                    200 with the client's TCP port (shows connection reuse)
  /count?key=K             200 with the number of requests seen for key K
  /events?n=N&ms=M         text/event-stream: N events M ms apart, then the stream stays open
  /endless[/ANY]           200 with a body that never ends (until the client closes)
"""
import argparse
import json
import os
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

COUNTS = {}
LOCK = threading.Lock()


def bump(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def address_string(self):
        return "local"

    def reply(self, status, body, ctype="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = url.path
        if path == "/ok":
            return self.reply(200, "hello")
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            return self.reply(code, f"status {code}")
        if path == "/flaky":
            n = bump("flaky:" + q["key"])
            if n <= int(q.get("fail", "1")):
                return self.reply(int(q.get("status", "503")), "try again")
            return self.reply(200, json.dumps({"attempt": n, "body": body.decode("latin-1")}), "application/json")
        if path == "/drop":
            n = bump("drop:" + q["key"])
            if n <= int(q.get("fail", "1")):
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            return self.reply(200, json.dumps({"attempt": n}), "application/json")
        if path == "/slow":
            time.sleep(int(q.get("ms", "1000")) / 1000)
            return self.reply(200, "slow")
        if path == "/echo":
            return self.reply(200, json.dumps({
                "method": self.command, "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("latin-1")}), "application/json")
        if path == "/peer":
            return self.reply(200, str(self.client_address[1]))
        if path == "/count":
            with LOCK:
                return self.reply(200, str(COUNTS.get(q["key"], 0)))
        if path == "/events":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            for i in range(int(q.get("n", "3"))):
                self.wfile.write(f"event: tick\r\ndata: {{\"n\":{i}}}\r\n\r\n".encode())
                self.wfile.flush()
                time.sleep(int(q.get("ms", "50")) / 1000)
            try:
                while True:  # keep the stream open like a real event source
                    time.sleep(0.2)
                    self.wfile.write(b":\r\n")
                    self.wfile.flush()
            except OSError:
                return
        if path.startswith("/endless"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                while True:
                    self.wfile.write(b"[" * 65536)
            except OSError:
                return
        return self.reply(404, "not found")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


class UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        request, _ = super().get_request()
        return request, ("local", 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--unix")
    args = parser.parse_args()
    if args.unix:
        if os.path.exists(args.unix):
            os.unlink(args.unix)
        server = UnixHTTPServer(args.unix, Handler)
        where = args.unix
    else:
        ThreadingHTTPServer.daemon_threads = True
        server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
        where = server.server_address[1]
    print(f"listening on {where}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
