#!/usr/bin/env python3
"""Loopback HTTP proxy that loses answers: a test server for mctl's write semantics.

Every request is forwarded to --upstream (the Marathon simulator) and its answer passed back,
except the Nth request matching a drop rule: that one is forwarded, its answer read from the
upstream (so the change took effect there), and then the client connection is closed without
a single byte of the answer -- what a client sees when a proxy, load balancer or network path
fails after the request went through.

Rules:  --drop 'METHOD PATH_REGEX [N]'   (repeatable; N defaults to 1: the first match)
        POST /_proxy/drop {"method": "DELETE", "path": "^/v2/apps/web$", "nth": 1}
A rule fires once; N counts the matching requests seen since the rule was added. The regex
is matched (re.search) against the path without the query string.
        GET /_proxy/log      every request seen: [{"method", "path", "status", "dropped"}]
        POST /_proxy/reset   forgets rules and log
Streams (no Content-Length, e.g. /v2/events) are passed through as they arrive.
"""
import argparse
import http.client
import json
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class Rules:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []  # dicts: method, regex, nth, seen
        self.log = []

    def add(self, method, path, nth):
        with self.lock:
            self.rules.append({"method": method.upper(), "regex": re.compile(path), "nth": int(nth), "seen": 0,
                               "path": path})

    def should_drop(self, method, path):
        with self.lock:
            for r in self.rules:
                if r["method"] == method and r["regex"].search(path):
                    r["seen"] += 1
                    if r["seen"] == r["nth"]:
                        self.rules.remove(r)
                        return True
            return False

    def record(self, method, path, status, dropped):
        with self.lock:
            self.log.append({"method": method, "path": path, "status": status, "dropped": dropped})

    def reset(self):
        with self.lock:
            self.rules.clear()
            self.log.clear()


def parse_rule(text):
    parts = text.split()
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError("--drop wants 'METHOD PATH_REGEX [N]'")
    return parts[0], parts[1], int(parts[2]) if len(parts) == 3 else 1


def make_handler(upstream, rules):
    target = urllib.parse.urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("%s\n" % (fmt % args))

        def admin(self, path, body):
            if path == "/_proxy/drop" and self.command == "POST":
                try:
                    j = json.loads(body or b"{}")
                    rules.add(j["method"], j["path"], j.get("nth", 1))
                except (ValueError, KeyError, re.error) as e:
                    return self.reply(400, {"message": "bad rule: %s" % e})
                return self.reply(200, {"ok": True})
            if path == "/_proxy/log" and self.command == "GET":
                with rules.lock:
                    return self.reply(200, list(rules.log))
            if path == "/_proxy/reset" and self.command == "POST":
                rules.reset()
                return self.reply(200, {"ok": True})
            return self.reply(404, {"message": "unknown proxy admin route"})

        def reply(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            path = urllib.parse.urlsplit(self.path).path
            if path.startswith("/_proxy/"):
                return self.admin(path, body)
            drop = rules.should_drop(self.command, path)
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=None)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
            headers["Host"] = target.netloc
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
            except OSError as e:
                rules.record(self.command, path, 0, False)
                return self.reply(502, {"message": "upstream: %s" % e})
            if drop:
                resp.read()  # the upstream answered: the change is made; the client never hears it
                conn.close()
                rules.record(self.command, path, resp.status, True)
                self.close_connection = True
                return
            rules.record(self.command, path, resp.status, False)
            self.send_response_only(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            if resp.getheader("Content-Length") is not None or resp.status in (204, 304) or self.command == "HEAD":
                data = resp.read()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            else:
                # a stream: pass chunks through as they arrive; the end of the stream is the close
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    while True:
                        chunk = resp.read1(65536)
                        if not chunk:
                            break
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except OSError:
                    pass
            conn.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = handle_any

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True, help="e.g. http://127.0.0.1:8080")
    p.add_argument("--drop", type=parse_rule, action="append", default=[], metavar="'METHOD PATH_REGEX [N]'")
    o = p.parse_args()
    rules = Rules()
    for method, path, nth in o.drop:
        rules.add(method, path, nth)
    server = ThreadingHTTPServer(("127.0.0.1", o.port), make_handler(o.upstream.rstrip("/"), rules))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
