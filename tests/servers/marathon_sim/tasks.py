"""Task life cycle: launch, staging, health results, failures, backoff, kills."""

import uuid

from .util import TASK_RUNNING, TASK_STAGING, now_iso
from .appdef import port_count
from .model import Task
from .offers import agent_id


class TasksMixin:
    """Sim methods that launch, move and end tasks."""


    # -- ports and tasks ----------------------------------------------------------
    def assign_service_ports(self, d, old):
        """Port 0 -> a unique service port; keeps the ports the previous version had."""
        old_ports = []
        if old is not None:
            old_ports = [p.get("port") for p in old.get("portDefinitions") or []] or \
                        [p.get("servicePort") for p in (old.get("container") or {}).get("portMappings") or []]
        entries = d.get("portDefinitions")
        key = "port"
        if entries is None or not any(n.get("mode") == "host" for n in d["networks"]):
            entries = (d.get("container") or {}).get("portMappings") or []
            key = "servicePort"
        for i, e in enumerate(entries):
            if e.get(key, 0) == 0:
                if i < len(old_ports) and old_ports[i]:
                    e[key] = old_ports[i]
                else:
                    e[key] = self.next_service_port
                    self.next_service_port += 1
                    if self.next_service_port > 20000:
                        self.next_service_port = 10000

    def faults_for(self, app):
        f = self.app_faults.get(app.id)
        if not f:
            return {}
        if f["scope"] == "next_config":
            if f.get("bound") != app.d["versionInfo"]["lastConfigChangeAt"]:
                return {}
        return f

    def launch(self, app, now, event=True, in_deployment=False):
        f = self.faults_for(app)
        d = app.d
        n = next(self.agent_seq)
        agent = (n - 1) % self.o.agents + 1
        t = Task()
        inst = "%s.instance-%s" % (app.id.strip("/").replace("/", "_"), uuid.uuid4())
        t.instance_id = inst
        t.id = inst + "._app.1"
        t.app_id = app.id
        t.version = d["version"]
        t.host = self.o.agent_host_format % agent
        t.slave_id = agent_id(agent)
        t.ip = "10.0.0.%d" % agent
        nports = port_count(d)
        t.ports = []
        for _ in range(nports):
            t.ports.append(self.next_host_port)
            self.next_host_port = 31000 + (self.next_host_port - 31000 + 1) % 1000
        if any(nw.get("mode") == "host" for nw in d["networks"]):
            t.service_ports = [p.get("port", 0) for p in d.get("portDefinitions") or []]
        else:
            t.service_ports = [p.get("servicePort", 0) for p in (d.get("container") or {}).get("portMappings") or []]
        t.state = TASK_STAGING
        t.staged_at = now_iso()
        t.started_at = None
        t.t_staged = now
        stage_ms = f.get("slow_staging_ms") or self.o.stage_ms
        t.t_stage_end = now + stage_ms / 1000.0
        t.t_next_check = None
        t.hcs = list(d.get("healthChecks") or [])
        t.results = []
        t.failures = 0
        t.never_healthy = bool(f.get("never_healthy"))
        # the message Mesos gives the failure (the container's exit, as the executor words it)
        t.crash_loop = f.get("crash_message", "Container exited with status 1") if f.get("crash_loop") else False
        # readiness is only evaluated for tasks a deployment starts
        t.rcs = list(d.get("readinessChecks") or []) if in_deployment else []
        t.readiness_ok = False
        t.t_ready = None
        t.never_ready = bool(f.get("never_ready"))
        app.tasks.append(t)
        if event:
            self.emit_instance(t, "Provisioned")
            self.emit_status(t, TASK_STAGING)
            self.emit_instance(t, "Staging")
        return t

    def emit_status(self, t, status, message=""):
        self.emit("status_update_event", {
            "slaveId": t.slave_id, "taskId": t.id, "taskStatus": status, "message": message,
            "appId": t.app_id, "host": t.host, "ipAddresses": [{"ipAddress": t.ip, "protocol": "IPv4"}],
            "ports": list(t.ports), "version": t.version})

    def emit_instance(self, t, condition):
        self.emit("instance_changed_event", {
            "instanceId": t.instance_id, "condition": condition, "runSpecId": t.app_id,
            "agentId": t.slave_id, "host": t.host, "runSpecVersion": t.version})

    def kill(self, app_or_none, t, tasks):
        tasks.remove(t)
        self.emit_status(t, "TASK_KILLED", "Killed by Marathon")
        self.emit_instance(t, "Killed")

    def fail_task(self, app, t, now, message):
        app.tasks.remove(t)
        self.emit_status(t, "TASK_FAILED", message)
        self.emit_instance(t, "Failed")
        app.last_task_failure = {
            "appId": app.id, "host": t.host, "message": message, "state": "TASK_FAILED",
            "taskId": t.id, "timestamp": now_iso(), "version": t.version, "slaveId": t.slave_id}
        self.back_off(app, now)

    def back_off(self, app, now):
        """A task of the app ended badly (failed, or killed as unhealthy): the next launch
        waits backoffSeconds x backoffFactor^n, capped by maxLaunchDelaySeconds."""
        d = app.d
        if app.delay_key != d["version"] or app.delay_s <= 0:
            app.delay_s = float(d["backoffSeconds"])
        else:
            app.delay_s = min(app.delay_s * float(d["backoffFactor"]), float(d["maxLaunchDelaySeconds"]))
        app.delay_key = d["version"]
        app.delay_until = now + app.delay_s * self.o.backoff_scale

    def can_launch(self, app, now):
        f = self.faults_for(app)
        if f.get("no_offers"):
            return False
        if app.delay_key is not None and app.delay_key != app.d["version"]:
            # a new app version starts without launch delay
            app.delay_key, app.delay_s, app.delay_until = None, 0.0, 0.0
        if now < app.delay_until:
            return False
        return self.offers_fit(app, now)

    def launch_n(self, app, n, now, in_deployment=False):
        """Launches up to n tasks; records blocked launches for /v2/queue."""
        if n <= 0:
            return 0
        if not self.can_launch(app, now):
            if app.blocked == 0 and app.blocked_since is None:
                app.blocked_since = now_iso()
            app.blocked = max(app.blocked, n)
            return 0
        for _ in range(n):
            self.launch(app, now, in_deployment=in_deployment)
        return n


    def tick_tasks(self, now):
        health_s = self.o.health_ms / 1000.0
        for app in list(self.apps.values()):
            for t in list(app.tasks):
                if t.state == TASK_STAGING and now >= t.t_stage_end:
                    if t.crash_loop:
                        self.fail_task(app, t, now, t.crash_loop)
                        continue
                    t.state = TASK_RUNNING
                    t.started_at = now_iso()
                    t.t_next_check = now + health_s
                    if t.rcs and not t.never_ready:
                        t.t_ready = now + self.o.readiness_ms / 1000.0
                    self.emit_status(t, TASK_RUNNING)
                    self.emit_instance(t, "Running")
                if t.state == TASK_RUNNING and t.t_ready is not None and not t.readiness_ok and now >= t.t_ready:
                    t.readiness_ok = True
                if t.state == TASK_RUNNING and t.hcs and t.started_at and t.t_next_check is not None and now >= t.t_next_check:
                    ts = now_iso()
                    if t.never_healthy:
                        t.failures += 1
                        t.results = [{"alive": False, "consecutiveFailures": t.failures, "lastFailure": ts,
                                      "lastFailureCause": "500 Internal Server Error",
                                      "instanceId": t.instance_id} for _ in t.hcs]
                        for hc in t.hcs:
                            self.emit("failed_health_check_event", {"appId": app.id, "healthCheck": hc,
                                                                     "taskId": t.instance_id})
                        if t.failures == 1:
                            self.emit("health_status_changed_event", {"appId": app.id, "instanceId": t.instance_id,
                                                                      "version": t.version, "alive": False})
                            self.emit("instance_health_changed_event", {"instanceId": t.instance_id, "runSpecId": app.id,
                                                                        "healthy": False, "runSpecVersion": t.version})
                        maxf = min(hc.get("maxConsecutiveFailures", 3) for hc in t.hcs)
                        if maxf > 0 and t.failures >= maxf:
                            self.emit("unhealthy_instance_kill_event", {
                                "appId": app.id, "taskId": t.id, "instanceId": t.instance_id, "version": t.version,
                                "reason": "500 Internal Server Error", "host": t.host, "slaveId": t.slave_id})
                            # Marathon records a TaskFailure for health-check kills (FromUnhealthyTaskKillEvent)
                            app.last_task_failure = {
                                "appId": app.id, "host": t.host, "state": "TASK_KILLED", "taskId": t.id,
                                "message": "Task was killed since health check failed. Reason: 500 Internal Server Error",
                                "timestamp": ts, "version": t.version, "slaveId": t.slave_id}
                            self.kill(app, t, app.tasks)
                            self.back_off(app, now)
                            continue
                        t.t_next_check = now + health_s
                    else:
                        t.results = [{"alive": True, "consecutiveFailures": 0, "firstSuccess": ts,
                                      "lastSuccess": ts, "instanceId": t.instance_id} for _ in t.hcs]
                        t.t_next_check = None
                        self.emit("health_status_changed_event", {"appId": app.id, "instanceId": t.instance_id,
                                                                  "version": t.version, "alive": True})
                        self.emit("instance_health_changed_event", {"instanceId": t.instance_id, "runSpecId": app.id,
                                                                    "healthy": True, "runSpecVersion": t.version})

    def kill_order(self, app, tasks):
        """Tasks in the order Marathon would kill them: not ready first, then killSelection."""
        youngest_first = app.d.get("killSelection", "YOUNGEST_FIRST") == "YOUNGEST_FIRST"
        return sorted(tasks, key=lambda t: (t.ready(), -t.t_staged if youngest_first else t.t_staged))
