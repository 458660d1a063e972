"""The simulator's own API (/_sim/...): fault knobs, inspection, seeding. Not Marathon."""

import copy
import threading
import time

from .util import TASK_RUNNING, canonical_path, iso_from_epoch
from .appdef import config_of, normalize_app
from .model import App


# ---------------------------------------------------------------------------
# admin API (/_sim/...): not part of Marathon, never authenticated

class Admin:
    def __init__(self, sim, api):
        self.s = sim
        self.api = api

    def handle(self, method, path, query, body, inst):
        s = self.s
        if path == "/_sim/app_faults" and method == "POST":
            if not isinstance(body, dict) or not isinstance(body.get("app"), str):
                return 400, {"message": "body must be an object with 'app'"}
            app_id = canonical_path(body["app"])
            scope = body.get("scope", "launches")
            if scope not in ("launches", "next_config"):
                return 400, {"message": "scope must be 'launches' or 'next_config'"}
            f = {"app": app_id, "scope": scope,
                 "never_healthy": bool(body.get("never_healthy")),
                 "never_ready": bool(body.get("never_ready")),
                 "crash_loop": bool(body.get("crash_loop")),
                 "no_offers": bool(body.get("no_offers")),
                 "slow_staging_ms": int(body.get("slow_staging_ms") or 0), "bound": None,
                 "crash_message": str(body.get("crash_message") or "Container exited with status 1")}
            if not (f["never_healthy"] or f["never_ready"] or f["crash_loop"] or f["no_offers"] or f["slow_staging_ms"]):
                s.app_faults.pop(app_id, None)
                return 200, {"app": app_id, "cleared": True}
            s.app_faults[app_id] = f
            return 200, f
        if path == "/_sim/app_faults" and method == "GET":
            return 200, list(s.app_faults.values())
        if path == "/_sim/app_faults" and method == "DELETE":
            s.app_faults.clear()
            return 200, {}
        if path == "/_sim/http_faults" and method == "POST":
            if not isinstance(body, dict):
                return 400, {"message": "body must be an object"}
            f = {"path": body.get("path"), "method": body.get("method")}
            if "drop" in body:
                f.update(kind="drop", remaining=int(body["drop"]))
            elif "drop_after" in body:
                f.update(kind="drop_after", remaining=int(body["drop_after"]))
            elif "status" in body:
                f.update(kind="status", status=int(body["status"]), remaining=int(body.get("count", 1)),
                         body=body.get("body"), headers=body.get("headers") or {}, charset=body.get("charset"),
                         delay_ms=int(body.get("delay_ms", 0)))
            elif "delay_ms" in body:
                f.update(kind="delay", delay_ms=int(body["delay_ms"]), remaining=int(body.get("count", 1)))
            else:
                return 400, {"message": "give 'status' (+ 'count'), 'drop', 'drop_after' or 'delay_ms'"}
            s.http_faults.append(f)
            return 200, f
        if path == "/_sim/http_faults" and method == "GET":
            return 200, s.http_faults
        if path == "/_sim/http_faults" and method == "DELETE":
            s.http_faults = []
            return 200, {}
        if path == "/_sim/event_faults" and method == "POST":
            if not isinstance(body, dict) or not isinstance(body.get("drop", []), list):
                return 400, {"message": "body must be {\"drop\": [event types] (empty: any), \"count\": N}"}
            f = {"types": list(body.get("drop") or []), "remaining": int(body.get("count", 1))}
            s.event_faults.append(f)
            return 200, f
        if path == "/_sim/event_faults" and method == "GET":
            return 200, {"pending": s.event_faults, "dropped": s.dropped_events}
        if path == "/_sim/event_faults" and method == "DELETE":
            s.event_faults = []
            return 200, {}
        if path == "/_sim/requests" and method == "GET":
            return 200, s.requests
        if path == "/_sim/requests" and method == "DELETE":
            s.requests = []
            return 200, {}
        if path == "/_sim/deployment_log" and method == "GET":
            return 200, s.deployment_log
        if path == "/_sim/reset" and method == "POST":
            s.reset_state()
            return 200, {}
        if path == "/_sim/leader" and method == "POST":
            if isinstance(body, dict) and isinstance(body.get("elect"), str):
                if not s.elect(body["elect"]):
                    return 400, {"message": "no local instance has URL %s" % body["elect"]}
            elif isinstance(body, dict) and "leader" in body:
                was = inst.leader
                inst.leader = bool(body["leader"])
                inst.leader_url = None if inst.leader else body.get("leader_url")
                if was and not inst.leader:
                    s.close_streams(inst)   # the stream is closed when the instance loses leadership
                if inst.leader:
                    s.self_url = inst.url
            else:
                return 400, {"message": "body must be {\"leader\": bool, \"leader_url\": URL|null} or {\"elect\": URL}"}
            return 200, {"instances": [{"url": i.url, "leader": i.leader, "leader_url": i.leader_url}
                                       for i in s.instances]}
        if path == "/_sim/instance" and method == "POST":
            if not isinstance(body, dict) or not isinstance(body.get("url"), str) or "down" not in body:
                return 400, {"message": "body must be {\"url\": URL, \"down\": bool}"}
            target = next((i for i in s.instances if i.url == body["url"].rstrip("/")), None)
            if target is None:
                return 400, {"message": "no local instance has URL %s" % body["url"]}
            for key in ("for_ms", "election_ms"):
                if not isinstance(body.get(key, 0), int) or body.get(key, 0) < 0:
                    return 400, {"message": "%s must be a whole number of milliseconds" % key}
            if body["down"] and not target.down:
                s.instance_down(target, body.get("election_ms", 0))
                if body.get("for_ms"):
                    # a process restarted after N ms; the state (ZooKeeper's in Marathon) survives
                    timer = threading.Timer(body["for_ms"] / 1000.0, s.instance_up, args=(target,))
                    timer.daemon = True
                    timer.start()
            elif not body["down"] and target.down:
                problem = s.instance_up(target)
                if problem:
                    return 500, {"message": problem}
            return 200, {"instances": [{"url": i.url, "leader": i.leader, "leader_url": i.leader_url,
                                        "down": i.down} for i in s.instances]}
        if path == "/_sim/close_streams" and method == "POST":
            n = len(s.subscribers)
            s.close_streams()
            return 200, {"closed": n}
        if path == "/_sim/apps" and method == "POST":
            return self.seed(body)
        if path == "/_sim/state" and method == "GET":
            return 200, {"apps": {a.id: {"version": a.d["version"], "instances": a.d["instances"],
                                          "tasks": [[t.id, t.state, t.version, t.healthy()] for t in a.tasks],
                                          "delay_until_s": max(0.0, a.delay_until - time.monotonic()),
                                          "blocked": a.blocked} for a in s.apps.values()},
                          "deployments": [d.to_json() for d in s.deployments.values()],
                          "subscribers": len(s.subscribers),
                          "instances": [{"url": i.url, "leader": i.leader, "leader_url": i.leader_url}
                                        for i in s.instances]}
        return 404, {"message": "unknown simulator endpoint %s %s" % (method, path)}

    def seed(self, body):
        """Creates apps directly (no deployment, no events), with an optional version history."""
        s = self.s
        entries = body.get("apps") if isinstance(body, dict) and "apps" in body else [body]
        if not isinstance(entries, list):
            return 400, {"message": "'apps' must be a list"}
        out = []
        base = time.time() - 3600
        for e in entries:
            if not isinstance(e, dict):
                return 400, {"message": "each entry must be an object"}
            wrapper = "app" in e
            cur = e["app"] if wrapper else e
            history = (e.get("versions") or []) if wrapper else []
            mode = e.get("tasks", "healthy") if wrapper else "healthy"
            if mode not in ("healthy", "running", "staging", "unhealthy", "none"):
                return 400, {"message": "tasks must be healthy|running|staging|unhealthy|none"}
            defs = []
            for i, raw in enumerate(history + [cur]):
                d = normalize_app(raw)
                ts = raw.get("version") or iso_from_epoch(base + 60 * i)
                defs.append((ts, d, raw.get("versionInfo")))
            app_id = defs[-1][1]["id"]
            if any(d["id"] != app_id for _, d, _ in defs):
                return 400, {"message": "every version of a seeded app must have the same id"}
            old = s.apps.pop(app_id, None)
            app = None
            prev = None
            last_cfg = None
            versions = {}
            for ts, d, vi in defs:
                s.assign_service_ports(d, prev)
                d["version"] = ts
                if vi is None:
                    if prev is None or config_of(prev) != config_of(d):
                        last_cfg = ts
                    vi = {"lastScalingAt": ts, "lastConfigChangeAt": last_cfg or ts}
                d["versionInfo"] = vi
                versions[ts] = copy.deepcopy(d)
                prev = d
            app = App(prev)
            app.versions = versions
            if old is not None and old.last_task_failure:
                app.last_task_failure = old.last_task_failure
            s.apps[app_id] = app
            if ts > s.last_version:
                s.last_version = ts
            now = time.monotonic()
            if mode != "none":
                for _ in range(app.d["instances"]):
                    t = s.launch(app, now, event=False)
                    t.never_healthy = mode == "unhealthy"
                    t.crash_loop = False
                    if mode == "staging":
                        continue
                    t.state = TASK_RUNNING
                    t.started_at = t.staged_at
                    t.t_stage_end = now
                    if t.hcs and mode == "healthy":
                        t.results = [{"alive": True, "consecutiveFailures": 0, "firstSuccess": t.staged_at,
                                      "lastSuccess": t.staged_at, "instanceId": t.instance_id} for _ in t.hcs]
                    elif t.hcs and mode == "unhealthy":
                        t.failures = 1
                        t.results = [{"alive": False, "consecutiveFailures": 1, "lastFailure": t.staged_at,
                                      "lastFailureCause": "500 Internal Server Error",
                                      "instanceId": t.instance_id} for _ in t.hcs]
                        t.t_next_check = now + s.o.health_ms / 1000.0
            out.append(self.api.app_json(app, {"tasks"}))
        return 201, {"apps": out}
