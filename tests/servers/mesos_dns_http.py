#!/usr/bin/env python3
"""The Mesos-DNS HTTP API over tests/fixtures/mesos-dns/http/ (stdlib only), for mctl dns --http.

Usage: mesos_dns_http.py --root DIR [--port N] [--port-file FILE]
Listens on 127.0.0.1 (port 0 = any free port), writes the port to --port-file once ready and
prints "listening on PORT". Request mapping follows the fixture's README (section 4):
  GET /v1/version | /v1/config | /v1/enumerate | /v1/axfr   the fixed bodies
  GET /v1/hosts/NAME       hosts/<name>.json, else hosts/_unknown.json
  GET /v1/services/NAME    services/<name>.json with every "service" set to the raw NAME,
                           else services/_unknown.json
  GET /v1/hosts/NAME/ports 501 "To be implemented..."
NAME is lower-cased and one trailing dot stripped to find the file. Every answer is 200 JSON,
as Mesos-DNS does, including unknown names.
"""
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

ROOT = "."


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, data, ctype="application/json"):
        body = data.encode() if isinstance(data, str) else data
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read(self, *parts):
        with open(os.path.join(ROOT, "v1", *parts), "rb") as f:
            return f.read()

    def do_GET(self):
        path = urlparse(self.path).path
        fixed = {"/v1/version": "version.json", "/v1/config": "config.json",
                 "/v1/enumerate": "enumerate.json", "/v1/axfr": "axfr.json"}
        if path in fixed:
            return self.reply(200, self.read(fixed[path]))
        parts = path.split("/")
        if len(parts) == 5 and parts[1] == "v1" and parts[2] == "hosts" and parts[4] == "ports":
            return self.reply(501, "To be implemented...", "text/plain")
        if len(parts) != 4 or parts[1] != "v1" or parts[2] not in ("hosts", "services"):
            return self.reply(404, "404 page not found\n", "text/plain")
        kind, raw = parts[2], unquote(parts[3])
        name = raw.lower()
        if name.endswith("."):
            name = name[:-1]
        file = os.path.join(ROOT, "v1", kind, name + ".json")
        if "/" in name or not os.path.isfile(file):
            return self.reply(200, self.read(kind, "_unknown.json"))
        body = self.read(kind, name + ".json")
        if kind == "services":
            records = json.loads(body)
            for r in records:
                r["service"] = raw
            body = json.dumps(records, indent=" ").encode()
        return self.reply(200, body)


def main():
    global ROOT
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, help="the fixture's http/ folder")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    ROOT = args.root
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.rename(tmp, args.port_file)
    print(f"listening on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
