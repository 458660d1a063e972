"""The event bus: SSE subscribers and the frames Marathon sends them (CRLF framing)."""

import queue

from .util import dumps, now_iso


class Subscriber:
    def __init__(self, types, remote, inst):
        self.q = queue.Queue()
        self.types = set(types)
        self.remote = remote
        self.inst = inst
        self.closed = False



class EventsMixin:
    """Sim methods that publish events."""


    # -- events -----------------------------------------------------------------
    def emit(self, event_type, payload):
        payload = dict(payload)
        payload["eventType"] = event_type
        payload.setdefault("timestamp", now_iso())
        for f in self.event_faults:
            if f["remaining"] > 0 and (not f["types"] or event_type in f["types"]):
                f["remaining"] -= 1
                self.event_faults = [x for x in self.event_faults if x["remaining"] > 0]
                self.dropped_events.append(event_type)
                return   # lost: no subscriber sees it
        frame = ("event: %s\r\ndata: %s\r\n\r\n" % (event_type, dumps(payload))).encode()
        for sub in list(self.subscribers):
            if sub.closed or (sub.types and event_type not in sub.types):
                continue
            if sub.q.qsize() >= self.o.max_outstanding:
                sub.closed = True
                sub.q.put(None)
                continue
            sub.q.put(frame)

    def close_streams(self, inst=None):
        for sub in list(self.subscribers):
            if inst is None or sub.inst is inst:
                sub.closed = True
                sub.q.put(None)
