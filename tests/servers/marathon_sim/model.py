"""The simulated objects: tasks, apps and their launch backoff."""

from .offers import OfferStats
from .util import TASK_RUNNING


# ---------------------------------------------------------------------------
# model


class Task:
    __slots__ = ("id", "instance_id", "app_id", "version", "host", "slave_id", "ip", "ports",
                 "service_ports", "state", "staged_at", "started_at", "t_staged", "t_stage_end",
                 "t_next_check", "hcs", "results", "failures", "never_healthy", "crash_loop",
                 "rcs", "readiness_ok", "t_ready", "never_ready")

    def to_json(self, with_health=True):
        t = {"id": self.id, "appId": self.app_id, "host": self.host, "slaveId": self.slave_id,
             "state": self.state, "stagedAt": self.staged_at, "version": self.version,
             "ports": list(self.ports), "servicePorts": list(self.service_ports),
             "ipAddresses": [{"ipAddress": self.ip, "protocol": "IPv4"}],
             "localVolumes": [], "role": "*"}
        if self.started_at:
            t["startedAt"] = self.started_at
        if with_health:
            t["healthCheckResults"] = [dict(r) for r in self.results]
        return t

    def healthy(self):
        return bool(self.results) and all(r["alive"] for r in self.results)

    def unhealthy(self):
        return any(not r["alive"] for r in self.results)

    def ready(self):
        """Counts as started for a deployment step: running, healthy when it has checks, and
        ready when its deployment evaluates readiness checks."""
        if self.state != TASK_RUNNING:
            return False
        if self.rcs and not self.readiness_ok:
            return False
        return self.healthy() if self.hcs else True

    def readiness_results(self):
        out = []
        for rc in self.rcs:
            r = {"name": rc.get("name", "readinessCheck"), "taskId": self.id, "ready": self.readiness_ok}
            if rc.get("preserveLastResponse"):
                r["lastResponse"] = ({"status": 200, "contentType": "text/plain", "body": "ready"} if self.readiness_ok
                                     else {"status": 503, "contentType": "text/plain", "body": "not ready"})
            out.append(r)
        return out


class App:
    def __init__(self, definition):
        self.d = definition                   # current definition incl. version + versionInfo
        self.versions = {}                    # version ts -> definition snapshot
        self.tasks = []
        self.last_task_failure = None
        self.delay_s = 0.0                    # current backoff (seconds, unscaled)
        self.delay_until = 0.0                # monotonic time before which nothing launches
        self.delay_key = None                 # app version the backoff belongs to
        self.blocked = 0                      # launches wanted but blocked at the last tick
        self.blocked_since = None
        self.offers = OfferStats()             # offer matching while waiting in the queue

    @property
    def id(self):
        return self.d["id"]
