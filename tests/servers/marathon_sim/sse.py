"""GET /v2/events: the server-sent event stream of one subscriber."""

import queue
import time

from .util import dumps, now_iso
from .events import Subscriber


class SseMixin:
    """Handler method that streams events."""


    # -- SSE -----------------------------------------------------------------------------------
    def events(self, query):
        sim = self.sim
        accepts = self.headers.get_all("Accept") or []
        if not any(a.strip() == "text/event-stream" for a in accepts):
            return self.send_html_error(405, "Method Not Allowed")
        types = query.get("event_type", [])
        sub = Subscriber(types, self.client_address[0], self.inst)
        attached = {"remoteAddress": self.client_address[0], "eventType": "event_stream_attached",
                    "timestamp": now_iso()}
        if not types or "event_stream_attached" in types:
            sub.q.put(("event: event_stream_attached\r\ndata: %s\r\n\r\n" % dumps(attached)).encode())
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream;charset=UTF-8")
        self.send_header("Connection", "close")
        if self.inst.leader:
            self.send_header("X-Marathon-Leader", self.inst.url)
        self.end_headers()
        self.request_entry["status"] = 200
        self.close_connection = True
        with sim.lock:
            sim.subscribers.append(sub)
        heartbeat = sim.o.heartbeat_ms / 1000.0
        next_beat = time.monotonic() + heartbeat   # Jetty beats at a fixed period, events or not
        try:
            while True:
                try:
                    item = sub.q.get(timeout=max(0.0, next_beat - time.monotonic()))
                except queue.Empty:
                    item = b"\r\n"
                    next_beat += heartbeat
                if item is None:
                    break
                chunks = [item]
                while True:
                    try:
                        nxt = sub.q.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        chunks.append(None)
                        break
                    chunks.append(nxt)
                stop = chunks[-1] is None
                data = b"".join(c for c in chunks if c is not None)
                self.wfile.write(data)
                if hasattr(self.wfile, "flush"):
                    self.wfile.flush()
                if stop:
                    break
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            sub.closed = True
            with sim.lock:
                if sub in sim.subscribers:
                    sim.subscribers.remove(sub)
