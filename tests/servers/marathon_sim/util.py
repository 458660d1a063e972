"""Small helpers shared by every part of the simulator: times, JSON, ids, errors."""

import json
import re
import time
from datetime import datetime, timezone


# ---------------------------------------------------------------------------
# small helpers


def iso_from_epoch(t):
    dt = datetime.fromtimestamp(t, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def iso_from_ms(ms):
    dt = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def ms_from_iso(ts):
    try:
        dt = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return 0
    return int(dt.timestamp()) * 1000 + dt.microsecond // 1000


def now_iso():
    return iso_from_epoch(time.time())


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def qbool(query, name, default):
    vals = query.get(name)
    if not vals:
        return default
    return vals[-1].strip().lower() == "true"


SEGMENT_RE = re.compile(
    r"^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.)$")
SEGMENT_RE_TEXT = ("must fully match regular expression '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*"
                   "([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'")
RESERVED_LAST_SEGMENTS = ("restart", "tasks", "versions")


def canonical_path(raw, base="/"):
    """Canonicalises an app/group id: relative ids are resolved against base."""
    if raw.startswith("/"):
        parts = []
    else:
        parts = [p for p in base.split("/") if p]
    for seg in raw.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
            continue
        parts.append(seg)
    return "/" + "/".join(parts)


def parent_path(app_id):
    return app_id.rsplit("/", 1)[0] or "/"


JETTY_HTML = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>
<title>Error {code} {reason}</title>
</head>
<body><h2>HTTP ERROR {code}</h2>
<p>Problem accessing {path}. Reason:
<pre>    {reason}</pre></p><hr /><i><small>Powered by Jetty://</small></i>
</body>
</html>
"""

TASK_STAGING = "TASK_STAGING"
TASK_RUNNING = "TASK_RUNNING"


class ApiError(Exception):
    """An HTTP answer other than success, raised from inside the model."""

    def __init__(self, status, body, headers=None):
        super().__init__(str(status))
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_valid(details):
    return ApiError(422, {"message": "Object is not valid", "details": details})
