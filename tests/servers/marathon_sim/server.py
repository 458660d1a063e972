"""The HTTP layer: request dispatch, HTTP faults, auth, proxying by non-leaders."""

import base64
import http.client
import io
import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from .util import ApiError, JETTY_HTML, dumps, now_iso
from .routing import RoutingMixin
from .sse import SseMixin


# ---------------------------------------------------------------------------
# HTTP layer

class Handler(RoutingMixin, SseMixin, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sim = None   # set in main
    api = None
    admin = None

    def version_string(self):
        return "Jetty(9.4.z) marathon_sim"

    def setup(self):
        super().setup()
        # http.server writes the headers and the body in two sends; with Nagle's algorithm the
        # body then waits for the client's delayed ACK (~40 ms per request on a kept-alive
        # connection). Jetty sends a response without that stall.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        if self.sim.o.verbose:
            sys.stderr.write("marathon_sim: %s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_HEAD(self):
        self.dispatch("HEAD")

    # -- low level ---------------------------------------------------------------------
    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, status, body=None, headers=None, content_type=None):
        if isinstance(body, (dict, list)):
            data = dumps(body).encode()
            content_type = content_type or "application/json"
        elif isinstance(body, str):
            data = body.encode()
        elif body is None:
            data = b""
        else:
            data = body
        self.send_response(status)
        hs = {}
        if self.inst.leader and not self.path.startswith("/_sim/"):
            hs["X-Marathon-Leader"] = self.inst.url
            hs["X-Frame-Options"] = "DENY"
            hs["X-XSS-Protection"] = "1; mode=block"
        if data or content_type:
            hs["Content-Type"] = content_type or "application/json"
        hs.update(headers or {})
        for k, v in hs.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)
        if self.request_entry is not None:
            self.request_entry["status"] = status

    def send_html_error(self, status, reason, headers=None):
        html = JETTY_HTML.format(code=status, reason=reason, path=urlsplit(self.path).path)
        self.send(status, html.encode("iso-8859-1", "replace"), headers, "text/html;charset=iso-8859-1")

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if self.request_entry is not None:
            self.request_entry["status"] = "dropped"

    # -- dispatch ------------------------------------------------------------------------
    def dispatch(self, method):
        self.request_entry = None
        sim = self.sim
        if self.inst.down:
            # a stopped instance: connections that were open before just die
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        try:
            raw = self.read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        text = raw.decode("utf-8", "replace")
        if path.startswith("/_sim/"):
            body = None
            if raw.strip():
                try:
                    body = json.loads(text)
                except ValueError as e:
                    return self.send(400, {"message": "invalid JSON: %s" % e})
            with sim.lock:
                status, out = self.admin.handle(method, path, query, body, self.inst)
                data = dumps(out).encode()   # serialised under the lock: the log keeps growing
            return self.send(status, data, None, "application/json")
        entry = {"method": method, "path": path, "query": parts.query, "body": text,
                 "time": now_iso(), "status": None}
        with sim.lock:
            sim.requests.append(entry)
            fault = None
            for f in sim.http_faults:
                if f["remaining"] > 0 and (not f.get("path") or path.startswith(f["path"])) and \
                        (not f.get("method") or f["method"].upper() == method):
                    f["remaining"] -= 1
                    fault = dict(f)
                    entry["fault"] = f["kind"]
                    break
            sim.http_faults = [f for f in sim.http_faults if f["remaining"] > 0]
        self.request_entry = entry
        if fault is not None:
            if fault["kind"] == "drop":
                return self.drop()
            if fault.get("delay_ms"):
                time.sleep(fault["delay_ms"] / 1000.0)
            if fault["kind"] == "status":
                b = fault.get("body")
                if fault.get("charset") and isinstance(b, str):
                    # a page in another charset (Jetty's error pages are ISO-8859-1)
                    return self.send(fault["status"], b.encode(fault["charset"]), fault.get("headers"),
                                     "text/html;charset=" + fault["charset"])
                return self.send(fault["status"], b, fault.get("headers"),
                                 "application/json" if isinstance(b, (dict, list)) else
                                 ("text/plain" if b else None))
        denied = self.check_auth(method)
        if denied:
            return
        if not self.inst.leader:
            return self.not_leader(method, path, parts.query, raw)
        if fault is not None and fault["kind"] == "drop_after":
            # the request takes effect, the answer is lost: the client cannot know
            real = self.wfile
            self.wfile = io.BytesIO()
            try:
                self.route(method, path, query, raw, text)
            except ApiError:
                pass
            finally:
                self.wfile = real
            self.drop()
            entry["status"] = "dropped after processing"
            return
        try:
            self.route(method, path, query, raw, text)
        except ApiError as e:
            self.send(e.status, e.body, e.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug in the simulator: say so loudly
            import traceback
            traceback.print_exc()
            self.send(500, {"message": "marathon_sim internal error: %r" % (e,)})

    def check_auth(self, method):
        o = self.sim.o
        if not (o.basic_auth or o.token or o.readonly_token):
            return False
        h = self.headers.get("Authorization") or ""
        if o.basic_auth and h[:6].lower() == "basic ":
            try:
                if base64.b64decode(h[6:].strip()).decode() == o.basic_auth:
                    return False
            except (ValueError, UnicodeDecodeError):
                pass
        if h.startswith("token="):
            tok = h[len("token="):]
            if o.token and tok == o.token:
                return False
            if o.readonly_token and tok == o.readonly_token:
                if method in ("GET", "HEAD"):
                    return False
                self.send(403, {"message": "Not Authorized to perform this action!"})
                return True
        if o.basic_auth and not h.startswith("token="):
            self.send_html_error(401, "Unauthorized", {"WWW-Authenticate": 'basic realm="%s"' % o.realm})
        else:
            self.send(401, {"message": "Invalid username or password."}, {"WWW-Authenticate": "acsjwt"})
        return True

    def not_leader(self, method, path, rawquery, raw):
        sim = self.sim
        leader = self.inst.leader_url
        if path == "/v2/leader" and method == "GET" and not leader:
            return self.send(404, {"message": "There is no leader"})
        if not leader:
            time.sleep(sim.o.no_leader_wait_ms / 1000.0)
            return self.send_html_error(502, "Could not determine the current leader")
        target = leader.rstrip("/") + path + ("?" + rawquery if rawquery else "")
        if path == "/v2/events":
            return self.send(302, None, {"Location": target})
        me = "1.1 %s" % self.inst.url.split("://", 1)[1]
        via = self.headers.get("X-Marathon-Via") or ""
        if me in [v.strip() for v in via.split(",")]:
            return self.send_html_error(502, "Detected proxying loop.")
        u = urlsplit(leader)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "connection", "content-length", "transfer-encoding",
                                        "x-marathon-via", "x-forwarded-for")}
        headers["X-Marathon-Via"] = (via + ", " if via else "") + me
        headers["X-Forwarded-For"] = self.client_address[0]
        try:
            conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=sim.o.proxy_timeout_ms / 1000.0)
            conn.request(method, path + ("?" + rawquery if rawquery else ""), body=raw or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            rh = [(k, v) for k, v in resp.getheaders()
                  if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date")]
            conn.close()
        except ConnectionRefusedError:
            return self.send_html_error(502, "Connection to leader refused.")
        except socket.timeout:
            return self.send_html_error(504, "Connection to leader timed out.")
        except OSError as e:
            return self.send_html_error(502, "Failed to proxy request to leader: %s" % e)
        self.send_response(resp.status)
        for k, v in rh:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)
        self.request_entry["status"] = resp.status

    def json_body(self, text):
        if not text.strip():
            raise ApiError(400, {"message": "Invalid JSON", "details": "No content to map due to end-of-input"})
        try:
            return json.loads(text)
        except ValueError as e:
            raise ApiError(400, {"message": "Invalid JSON", "details": str(e)})
