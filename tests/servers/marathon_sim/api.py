"""The Marathon REST API (/v2/...): every method runs with Sim.lock held."""

import copy
import math
import re
import time

from .util import (ApiError,
    TASK_RUNNING,
    TASK_STAGING,
    canonical_path,
    not_valid,
    now_iso,
    parent_path,
    qbool)
from .appdef import normalize_app


# ---------------------------------------------------------------------------
# REST API (all methods run with Sim.lock held)

def parse_embed(query, scope):
    """Embed values accept the prefixes app., apps. and group.apps. interchangeably."""
    out = set()
    for v in query.get("embed", []):
        for prefix in ("group.apps.", "apps.", "app."):
            if v.startswith(prefix):
                out.add(v[len(prefix):])
                break
    if "failures" in out:
        out.add("lastTaskFailure")
    return out


def label_selector(expr):
    """Parses a Marathon label selector into predicates over a labels dict."""
    preds = []
    parts = []
    depth, cur = 0, ""
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch == "\\" and i + 1 < len(expr):
            cur += expr[i:i + 2]
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    if cur:
        parts.append(cur)

    def unesc(x):
        return re.sub(r"\\(.)", r"\1", x.strip())

    for p in parts:
        p = p.strip()
        m = re.match(r"^(.+?)\s*(==|!=)\s*(.*)$", p)
        if m:
            k, op, v = unesc(m.group(1)), m.group(2), unesc(m.group(3))
            preds.append((lambda L, k=k, v=v: L.get(k) == v) if op == "==" else
                         (lambda L, k=k, v=v: k in L and L[k] != v))   # a selector needs the label
            continue
        m = re.match(r"^(.+?)\s+(in|notin)\s*\((.*)\)$", p)
        if m:
            k, op = unesc(m.group(1)), m.group(2)
            vals = [unesc(x) for x in m.group(3).split(",")]
            preds.append((lambda L, k=k, vals=vals: L.get(k) in vals) if op == "in" else
                         (lambda L, k=k, vals=vals: k in L and L.get(k) not in vals))
            continue
        k = unesc(p)
        preds.append(lambda L, k=k: k in L)
    return preds


class Api:
    def __init__(self, sim):
        self.s = sim

    # -- rendering ---------------------------------------------------------------
    def app_json(self, app, embed):
        j = copy.deepcopy(app.d)
        tasks = app.tasks
        j["tasksStaged"] = sum(1 for t in tasks if t.state == TASK_STAGING)
        j["tasksRunning"] = sum(1 for t in tasks if t.state == TASK_RUNNING)
        j["tasksHealthy"] = sum(1 for t in tasks if t.healthy())
        j["tasksUnhealthy"] = sum(1 for t in tasks if t.unhealthy())
        j["deployments"] = [{"id": d.id} for d in self.s.deployments.values() if app.id in d.affected_apps()]
        if "tasks" in embed:
            j["tasks"] = [t.to_json() for t in tasks]
        if "lastTaskFailure" in embed and app.last_task_failure:
            j["lastTaskFailure"] = dict(app.last_task_failure)
        if "readiness" in embed:
            j["readinessCheckResults"] = [r for t in tasks if t.rcs and t.state == TASK_RUNNING
                                          for r in t.readiness_results()]
        return j

    def get_app(self, app_id):
        app = self.s.apps.get(app_id)
        if app is None:
            raise ApiError(404, {"message": "App '%s' does not exist" % app_id})
        return app

    # -- /v2/apps -------------------------------------------------------------------
    def list_apps(self, query):
        embed = parse_embed(query, "apps")
        apps = sorted(self.s.apps.values(), key=lambda a: a.id)
        if query.get("id"):
            needle = query["id"][-1].lower()
            apps = [a for a in apps if needle in a.id.lower()]
        if query.get("cmd"):
            needle = query["cmd"][-1]
            apps = [a for a in apps if needle in (a.d.get("cmd") or "")]
        if query.get("label"):
            preds = label_selector(query["label"][-1])
            apps = [a for a in apps if all(p(a.d.get("labels", {})) for p in preds)]
        return 200, {"apps": [self.app_json(a, embed) for a in apps]}, {}

    def show_app(self, app_id, query):
        if app_id.endswith("/*"):
            group = app_id[:-2] or "/"
            embed = parse_embed(query, "apps") | {"tasks", "lastTaskFailure"}
            apps = [a for a in sorted(self.s.apps.values(), key=lambda a: a.id)
                    if a.id.startswith(group.rstrip("/") + "/")]
            return 200, {"*": [self.app_json(a, embed) for a in apps]}, {}
        app = self.get_app(app_id)
        embed = parse_embed(query, "app") | {"tasks", "lastTaskFailure"}
        return 200, {"app": self.app_json(app, embed)}, {}

    def change_result(self, dep_id, version, status=200, extra=None):
        headers = {"Marathon-Deployment-Id": dep_id}
        headers.update(extra or {})
        return status, {"deploymentId": dep_id, "version": version}, headers

    def create_app(self, body, query, uri, client_ip):
        d = normalize_app(body)
        if d["id"] in self.s.apps:
            raise ApiError(409, {"message": "An app with id [%s] already exists." % d["id"]})
        self.check_group_conflict(d["id"])
        dep_id, version = self.s.apply_changes({d["id"]: d}, qbool(query, "force", False), "create",
                                               events={d["id"]: uri}, client_ip=client_ip)
        app = self.s.apps[d["id"]]
        j = copy.deepcopy(app.d)
        j.pop("versionInfo", None)
        j.update({"tasksStaged": 0, "tasksRunning": 0, "tasksHealthy": 0, "tasksUnhealthy": 0,
                  "deployments": [{"id": dep_id}]})
        return 201, j, {"Location": "%s/v2/apps%s" % (self.s.self_url, d["id"]),
                        "Marathon-Deployment-Id": dep_id}

    def check_group_conflict(self, app_id):
        if app_id in self.s.groups and app_id != "/":
            raise not_valid([{"path": "/id", "errors": ["An app with id %s conflicts with an existing group" % app_id]}])
        for a in self.s.apps:
            if a.startswith(app_id + "/"):
                raise not_valid([{"path": "/id", "errors": ["An app with id %s conflicts with an existing group" % app_id]}])

    def target_for_update(self, app_id, body, partial):
        """The definition a PUT/PATCH would store, or a rollback target."""
        if not isinstance(body, dict):
            raise ApiError(422, {"message": "Invalid JSON",
                                 "details": [{"path": "", "errors": ["error.expected.jsobject"]}]})
        app = self.s.apps.get(app_id)
        if "version" in body:
            if set(body) - {"version", "id"}:
                raise not_valid([{"path": "/", "errors": ["The 'version' field may only be combined with the 'id' field."]}])
            if app is None or body["version"] not in app.versions:
                raise ApiError(404, {"message": "App '%s' does not exist in version %s" % (app_id, body["version"])})
            d = copy.deepcopy(app.versions[body["version"]])
            d.pop("version", None)
            d.pop("versionInfo", None)
            return d
        if partial and app is not None:
            merged = copy.deepcopy(app.d)
            merged.pop("version", None)
            merged.pop("versionInfo", None)
            for k, v in body.items():
                if k == "id":
                    continue
                merged[k] = v
            # a partial update that switches networking must not keep stale port fields
            if "networks" in body and "portDefinitions" not in body and \
                    not any(n.get("mode") == "host" for n in body["networks"] if isinstance(n, dict)):
                merged.pop("portDefinitions", None)
            return normalize_app(merged, app_id)
        return normalize_app(body, app_id)

    def put_app(self, app_id, body, query, uri, client_ip, patch=False):
        exists = app_id in self.s.apps
        if patch and not exists:
            raise ApiError(404, {"message": "App '%s' does not exist" % app_id})
        partial = True if patch else qbool(query, "partialUpdate", True)
        d = self.target_for_update(app_id, body, partial)
        if not exists:
            self.check_group_conflict(app_id)
        kind = "create" if not exists else ("rollback" if "version" in body else "update")
        dep_id, version = self.s.apply_changes({app_id: d}, qbool(query, "force", False), kind,
                                               events={app_id: uri}, client_ip=client_ip)
        if exists:
            return self.change_result(dep_id, version)
        return self.change_result(dep_id, version, 201, {"Location": "%s/v2/apps%s" % (self.s.self_url, app_id)})

    def put_apps(self, body, query, uri, client_ip, patch=False):
        if not isinstance(body, list):
            raise ApiError(422, {"message": "Invalid JSON",
                                 "details": [{"path": "", "errors": ["error.expected.jsarray"]}]})
        changes, events = {}, {}
        for i, b in enumerate(body):
            if not isinstance(b, dict) or not isinstance(b.get("id"), str):
                raise not_valid([{"path": "(%d)/id" % i, "errors": ["must not be empty"]}])
            app_id = canonical_path(b["id"])
            if patch and app_id not in self.s.apps:
                raise ApiError(404, {"message": "App '%s' does not exist" % app_id})
            partial = True if patch else qbool(query, "partialUpdate", True)
            changes[app_id] = self.target_for_update(app_id, b, partial)
            events[app_id] = uri
        dep_id, version = self.s.apply_changes(changes, qbool(query, "force", False), "update",
                                               events=events, client_ip=client_ip)
        return self.change_result(dep_id, version)

    def delete_app(self, app_id, query):
        self.get_app(app_id)
        dep_id, version = self.s.apply_changes({app_id: None}, qbool(query, "force", True), "delete")
        return self.change_result(dep_id, version)

    def restart_app(self, app_id, query):
        app = self.get_app(app_id)
        d = copy.deepcopy(app.d)
        d.pop("version", None)
        d.pop("versionInfo", None)
        dep_id, version = self.s.apply_changes({app_id: d}, qbool(query, "force", False), "restart",
                                               restart_ids=(app_id,))
        return self.change_result(dep_id, version)

    def app_versions(self, app_id):
        app = self.get_app(app_id)
        return 200, {"versions": sorted(app.versions, reverse=True)}, {}

    def app_version(self, app_id, ts):
        app = self.get_app(app_id)
        if ts not in app.versions:
            raise ApiError(404, {"message": "App '%s' does not exist in version %s" % (app_id, ts)})
        return 200, copy.deepcopy(app.versions[ts]), {}

    def app_tasks(self, app_id, accept):
        app = self.get_app(app_id)
        if accept == "text/plain":
            return 200, self.tasks_text([app]), {"Content-Type": "text/plain"}
        return 200, {"tasks": [t.to_json() for t in app.tasks]}, {}

    def tasks_text(self, apps):
        lines = []
        for app in apps:
            sps = app.tasks[0].service_ports if app.tasks else []
            for i, sp in enumerate(sps or [0]):
                hostports = " ".join("%s:%s" % (t.host, t.ports[i]) for t in app.tasks if len(t.ports) > i)
                lines.append("%s\t%s\t%s\t" % (app.id.strip("/").replace("/", "_"), sp, hostports))
        return "\n".join(lines) + ("\n" if lines else "")

    def kill_tasks(self, app, victims, query):
        scale = qbool(query, "scale", False)
        wipe = qbool(query, "wipe", False)
        if scale and wipe:
            raise ApiError(400, {"message": "You cannot use scale and wipe at the same time."})
        if scale:
            d = copy.deepcopy(app.d)
            d.pop("version", None)
            d.pop("versionInfo", None)
            d["instances"] = max(0, d["instances"] - len(victims))
            # the scale deployment first: when a deployment locks the app (409), nothing is killed
            dep_id, version = self.s.apply_changes({app.id: d}, qbool(query, "force", False), "scale")
            for t in victims:
                if t in app.tasks:
                    self.s.kill(app, t, app.tasks)
            return self.change_result(dep_id, version)
        out = []
        for t in victims:
            out.append(t.to_json())
            self.s.kill(app, t, app.tasks)
        self.s.wake.set()
        return 200, {"tasks": out}, {}

    def delete_app_tasks(self, app_id, query):
        app = self.get_app(app_id)
        host = query.get("host", [None])[-1]
        victims = [t for t in app.tasks if host is None or t.host == host]
        return self.kill_tasks(app, victims, query)

    def delete_app_task(self, app_id, task_id, query):
        app = self.get_app(app_id)
        victims = [t for t in app.tasks if t.id == task_id or t.instance_id == task_id]
        if not victims:
            raise ApiError(404, {"message": "Task '%s' does not exist" % task_id})
        status, body, headers = self.kill_tasks(app, victims, query)
        if "tasks" in body:
            body = {"task": body["tasks"][0]}
        return status, body, headers

    # -- /v2/tasks ---------------------------------------------------------------------
    def list_tasks(self, query, accept):
        wanted = set()
        for v in query.get("status", []) + query.get("status[]", []):
            wanted.add({"running": TASK_RUNNING, "staging": TASK_STAGING}.get(v.lower(), v.upper()))
        apps = sorted(self.s.apps.values(), key=lambda a: a.id)
        if accept == "text/plain":
            return 200, self.tasks_text(apps), {"Content-Type": "text/plain"}
        tasks = [t.to_json() for a in apps for t in a.tasks if not wanted or t.state in wanted]
        return 200, {"tasks": tasks}, {}

    def delete_tasks(self, body, query):
        if not isinstance(body, dict) or not isinstance(body.get("ids"), list):
            raise ApiError(422, {"message": "Invalid JSON", "details": [{"path": "/ids", "errors": ["error.path.missing"]}]})
        by_app = {}
        for tid in body["ids"]:
            found = None
            for app in self.s.apps.values():
                for t in app.tasks:
                    if t.id == tid or t.instance_id == tid:
                        found = (app, t)
            if found is None:
                if ".instance-" not in str(tid) and "." not in str(tid):
                    raise ApiError(400, {"message": "Invalid task id '%s'. [%s]" % (tid, tid)})
                continue
            by_app.setdefault(found[0].id, (found[0], []))[1].append(found[1])
        if qbool(query, "scale", False):
            changes = {}
            for app, victims in by_app.values():
                d = copy.deepcopy(app.d)
                d.pop("version", None)
                d.pop("versionInfo", None)
                d["instances"] = max(0, d["instances"] - len(victims))
                changes[app.id] = d
            dep_id, version = self.s.apply_changes(changes, qbool(query, "force", False), "scale")
            for app, victims in by_app.values():
                for t in victims:
                    if t in app.tasks:
                        self.s.kill(app, t, app.tasks)
            return self.change_result(dep_id, version)
        out = []
        for app, victims in by_app.values():
            for t in victims:
                out.append(t.to_json())
                self.s.kill(app, t, app.tasks)
        self.s.wake.set()
        return 200, {"tasks": out}, {}

    # -- /v2/deployments -------------------------------------------------------------
    def list_deployments(self):
        return 200, [d.to_json() for d in self.s.deployments.values()], {}

    def delete_deployment(self, dep_id, query):
        dep = self.s.deployments.get(dep_id)
        if dep is None:
            raise ApiError(404, {"message": "DeploymentPlan %s does not exist" % dep_id})
        self.s.finish_deployment(dep, "cancelled", "The upgrade has been cancelled")
        if qbool(query, "force", False):
            self.s.wake.set()
            return 202, None, {}
        changes = {}
        for app_id, orig in dep.original.items():
            if orig is None:
                changes[app_id] = None   # the plan created it: the revert removes it
            else:
                d = copy.deepcopy(orig)
                d.pop("version", None)
                d.pop("versionInfo", None)
                changes[app_id] = d
        new_id, version = self.s.apply_changes(changes, True, "rollback")
        return self.change_result(new_id, version)

    # -- /v2/queue ----------------------------------------------------------------------
    def queue(self, query):
        now = time.monotonic()
        embed_offers = "lastUnusedOffers" in query.get("embed", [])
        out = []
        for app in sorted(self.s.apps.values(), key=lambda a: a.id):
            if app.blocked <= 0:
                continue
            left = max(0.0, app.delay_until - now)
            e = {"app": copy.deepcopy(app.d), "count": app.blocked, "role": "*",
                 "delay": {"timeLeftSeconds": int(left), "overdue": left <= 0},
                 "since": app.blocked_since or now_iso(),
                 "processedOffersSummary": app.offers.summary()}
            if embed_offers:
                e["lastUnusedOffers"] = copy.deepcopy(app.offers.last_unused)
            out.append(e)
        return 200, {"queue": out}, {}

    def reset_delay(self, app_id):
        app = self.s.apps.get(app_id)
        if app is None or app.blocked <= 0:
            raise ApiError(404, {"message": "Application %s not found in tasks queue." % app_id})
        app.delay_until = 0.0
        app.delay_s = 0.0
        self.s.wake.set()
        return 204, None, {}

    # -- /v2/groups ----------------------------------------------------------------------
    def all_groups(self):
        gs = set(self.s.groups)
        for a in self.s.apps:
            p = parent_path(a)
            while True:
                gs.add(p)
                if p == "/":
                    break
                p = parent_path(p)
        return gs

    def group_json(self, gid, gs):
        version = self.s.group_versions[-1] if self.s.group_versions else "1970-01-01T00:00:00.000Z"
        apps = [copy.deepcopy(a.d) for a in sorted(self.s.apps.values(), key=lambda a: a.id)
                if parent_path(a.id) == gid]
        subs = sorted(g for g in gs if g != "/" and parent_path(g) == gid)
        return {"id": gid, "apps": apps, "groups": [self.group_json(g, gs) for g in subs],
                "pods": [], "dependencies": [], "version": version}

    def show_group(self, gid):
        gs = self.all_groups()
        if gid not in gs:
            raise ApiError(404, {"message": "Group '%s' does not exist" % gid})
        return 200, self.group_json(gid, gs), {}

    def group_changes(self, gid, body, base_apps, changes):
        """Collects app changes for a group body (declarative for the apps it lists)."""
        if not isinstance(body, dict):
            raise ApiError(422, {"message": "Invalid JSON", "details": [{"path": "", "errors": ["error.expected.jsobject"]}]})
        if "apps" in body:
            if not isinstance(body["apps"], list):
                raise ApiError(422, {"message": "Invalid JSON", "details": [{"path": "/apps", "errors": ["error.expected.jsarray"]}]})
            listed = set()
            for i, a in enumerate(body["apps"]):
                if not isinstance(a, dict) or not isinstance(a.get("id"), str):
                    raise not_valid([{"path": "/apps(%d)/id" % i, "errors": ["must not be empty"]}])
                aid = canonical_path(a["id"], gid)
                a = dict(a, id=aid)
                d = normalize_app(a)
                changes[aid] = d
                listed.add(aid)
            for aid in base_apps:
                if parent_path(aid) == gid and aid not in listed:
                    changes[aid] = None
        for i, g in enumerate(body.get("groups") or []):
            if not isinstance(g, dict) or not isinstance(g.get("id"), str):
                raise not_valid([{"path": "/groups(%d)/id" % i, "errors": ["must not be empty"]}])
            sub = canonical_path(g["id"], gid)
            self.s.groups.add(sub)
            self.group_changes(sub, g, base_apps, changes)

    def put_group(self, gid, body, query, create):
        gs = self.all_groups()
        if create:
            if isinstance(body, dict) and isinstance(body.get("id"), str):
                gid = canonical_path(body["id"], gid)
            if gid in gs:
                raise ApiError(409, {"message": "Group %s is already created. Use PUT to change this group." % gid})
        if isinstance(body, dict) and "version" in body and not create:
            raise not_valid([{"path": "/version", "errors": ["group rollback is not modelled by marathon_sim"]}])
        if isinstance(body, dict) and "scaleBy" in body:
            changes = {}
            for a in self.s.apps.values():
                if a.id.startswith(gid.rstrip("/") + "/"):
                    d = copy.deepcopy(a.d)
                    d.pop("version", None)
                    d.pop("versionInfo", None)
                    d["instances"] = int(math.ceil(d["instances"] * float(body["scaleBy"])))
                    changes[a.id] = d
        else:
            changes = {}
            self.group_changes(gid, body, list(self.s.apps), changes)
        if qbool(query, "dryRun", False):
            steps = self.s.plan_steps(self.s.diff_pairs(changes))
            return 200, {"steps": [{"actions": s} for s in steps]}, {}
        self.s.groups.add(gid)
        dep_id, version = self.s.apply_changes(changes, qbool(query, "force", False), "group")
        if create:
            return self.change_result(dep_id, version, 201, {"Location": "%s/v2/groups%s" % (self.s.self_url, gid)})
        return self.change_result(dep_id, version)

    def delete_group(self, gid, query):
        gs = self.all_groups()
        if gid not in gs:
            raise ApiError(404, {"message": "Group '%s' does not exist" % gid})
        prefix = gid.rstrip("/") + "/"
        changes = {a: None for a in self.s.apps if a.startswith(prefix)}
        dep_id, version = self.s.apply_changes(changes, qbool(query, "force", False), "group")
        self.s.groups = {g for g in self.s.groups if g == "/" or not (g == gid or g.startswith(prefix))}
        return self.change_result(dep_id, version)

    # -- misc -------------------------------------------------------------------------------
    def info(self, inst):
        hostport = inst.url.split("://", 1)[1]
        leader = hostport if inst.leader else (inst.leader_url or "").split("://")[-1] or None
        j = {"name": "marathon", "version": "1.10.17", "buildref": "marathon_sim",
             "elected": inst.leader, "frameworkId": "5e1c0f5e-0000-4000-8000-000000000000-0000",
             "marathon_config": {"hostname": "127.0.0.1", "http_port": int(hostport.rsplit(":", 1)[1]),
                                 "max_running_deployments": self.s.o.max_deployments,
                                 "local_port_min": 10000, "local_port_max": 20000,
                                 "features": [], "ha": True, "framework_name": "marathon",
                                 "mesos_role": "*", "webui_url": inst.url},
             "zookeeper_config": {"zk": "zk://localhost:2181/marathon", "zk_max_versions": self.s.o.max_versions},
             "http_config": {"http_port": int(hostport.rsplit(":", 1)[1]), "https_port": 8443}}
        if leader:
            j["leader"] = leader
        return 200, j, {}
