"""Deployments: plans and steps, locks, the actions a step runs, the deployment log."""

import copy
import math
import time
import uuid

from .util import ApiError, TASK_RUNNING, iso_from_epoch
from .appdef import config_of, definition_key
from .model import App


class Deployment:
    def __init__(self, dep_id, version, steps, original, kind):
        self.id = dep_id
        self.version = version
        self.steps = steps                    # [[action, ...], ...]
        self.current_step = 0                 # 1-based while running
        self.original = original              # app id -> definition before (None: did not exist)
        self.kind = kind
        self.stopping = {}                    # app id -> tasks of apps removed by this plan
        self.restart_cap = {}                 # app id -> max capacity of a restart step
        self.started_mono = time.monotonic()
        self.started_epoch = time.time()
        self.sim_tasks = lambda app_id: []   # set by Sim: the live tasks of an app

    def affected_apps(self):
        out = []
        for step in self.steps:
            for a in step:
                if a["app"] not in out:
                    out.append(a["app"])
        return out

    def readiness_of(self, app_id):
        out = []
        for t in self.sim_tasks(app_id):
            if t.rcs and t.state == TASK_RUNNING:
                out.extend(t.readiness_results())
        return out

    def plan_json(self):
        return {"id": self.id, "steps": [{"actions": [dict(a) for a in s]} for s in self.steps],
                "version": self.version}

    def to_json(self):
        current = []
        if 1 <= self.current_step <= len(self.steps):
            current = [dict(a, readinessCheckResults=self.readiness_of(a["app"]))
                       for a in self.steps[self.current_step - 1]]
        return {"id": self.id, "version": self.version, "affectedApps": self.affected_apps(),
                "affectedPods": [], "steps": [{"actions": [dict(a) for a in s]} for s in self.steps],
                "currentActions": current, "currentStep": self.current_step,
                "totalSteps": len(self.steps)}



class DeploymentsMixin:
    """Sim methods that plan, run and finish deployments."""


    def run_action(self, dep, action, now):
        kind = action["action"]
        app_id = action["app"]
        if kind == "StopApplication":
            tasks = dep.stopping.get(app_id, [])
            for t in list(tasks):
                self.kill(None, t, tasks)
            self.emit("app_terminated_event", {"appId": app_id})
            return True
        app = self.apps.get(app_id)
        if app is None:
            return True
        if kind == "StartApplication":
            return True
        n = app.d["instances"]
        if kind == "ScaleApplication":
            tasks = app.tasks
            if len(tasks) > n:
                for t in self.kill_order(app, tasks)[:len(tasks) - n]:
                    self.kill(app, t, app.tasks)
            self.launch_n(app, n - len(app.tasks), now, in_deployment=True)
            return len(app.tasks) == n and all(t.ready() for t in app.tasks if t.version == app.d["version"])
        if kind == "RestartApplication":
            us = app.d["upgradeStrategy"]
            min_healthy = int(math.ceil(n * us["minimumHealthCapacity"] - 1e-9))
            new = [t for t in app.tasks if t.version == app.d["version"]]
            old = [t for t in app.tasks if t.version != app.d["version"]]
            if app_id not in dep.restart_cap:
                cap = int(n * (1 + us["maximumOverCapacity"]) + 1e-9)
                # Marathon (TaskReplaceActor.computeRestartStrategy) counts the instances the app
                # has, ready or not: over capacity by one so that the restart can progress.
                if min_healthy == cap and cap <= len(old):
                    cap += 1
                dep.restart_cap[app_id] = cap
            cap = dep.restart_cap[app_id]
            # old tasks that are not ready do not count towards capacity: kill them at once
            for t in [t for t in old if not t.ready()]:
                self.kill(app, t, app.tasks)
                old.remove(t)
            new_ready = [t for t in new if t.ready()]
            for t in self.kill_order(app, old):
                if len(old) + len(new_ready) - 1 >= min_healthy or len(new_ready) >= n:
                    self.kill(app, t, app.tasks)
                    old.remove(t)
                else:
                    break
            if len(new) > n:
                for t in self.kill_order(app, new)[:len(new) - n]:
                    self.kill(app, t, app.tasks)
                    new.remove(t)
            want = min(n - len(new), cap - len(old) - len(new))
            self.launch_n(app, want, now, in_deployment=True)
            return not old and len(app.tasks) == n and all(t.ready() for t in app.tasks)
        return True

    def tick_deployments(self, now):
        for dep in list(self.deployments.values()):
            if dep.id not in self.deployments:
                continue
            for _ in range(len(dep.steps) + 1):
                if dep.current_step == 0:
                    dep.current_step = 1
                    self.emit_step(dep, "deployment_info")
                step = dep.steps[dep.current_step - 1]
                done = True
                for action in step:
                    if not self.run_action(dep, action, now):
                        done = False
                if not done:
                    break
                self.emit_step(dep, "deployment_step_success")
                if dep.current_step >= len(dep.steps):
                    self.finish_deployment(dep, "success")
                    break
                dep.current_step += 1
                self.emit_step(dep, "deployment_info")

    def tick_reconcile(self, now):
        """Outside deployments Marathon replaces failed or killed instances."""
        busy = set()
        for dep in self.deployments.values():
            busy.update(dep.affected_apps())
        for app in self.apps.values():
            if app.id in busy:
                continue
            self.launch_n(app, app.d["instances"] - len(app.tasks), now)


    # -- deployments ----------------------------------------------------------------
    def emit_step(self, dep, event_type):
        step = dep.steps[dep.current_step - 1]
        self.emit(event_type, {"plan": dep.plan_json(), "currentStep": {"actions": [dict(a) for a in step]}})
        if event_type == "deployment_info":
            for a in step:
                app = self.apps.get(a["app"])
                if app is not None and a["action"] in ("StartApplication", "RestartApplication"):
                    for hc in app.d.get("healthChecks") or []:
                        self.emit("add_health_check_event", {"appId": app.id, "healthCheck": hc,
                                                             "version": app.d["version"]})

    def finish_deployment(self, dep, outcome, reason=None):
        self.deployments.pop(dep.id, None)
        if outcome == "success":
            self.emit("deployment_success", {"id": dep.id, "plan": dep.plan_json()})
        else:
            self.emit("deployment_failed", {"id": dep.id, "plan": dep.plan_json(),
                                            "reason": reason or "The upgrade has been cancelled"})
            # tasks of apps this plan was stopping are still killed (the app is gone)
            for tasks in dep.stopping.values():
                for t in list(tasks):
                    self.kill(None, t, tasks)
        entry = self.log_index.get(dep.id)
        if entry is not None:
            end = time.time()
            entry["endedAt"] = iso_from_epoch(end)
            entry["endedAtMs"] = round(end * 1000, 3)
            entry["durationMs"] = round((time.monotonic() - dep.started_mono) * 1000, 3)
            entry["outcome"] = outcome
            if reason:
                entry["reason"] = reason

    def log_deployment(self, dep, now_epoch=None):
        entry = {"id": dep.id, "version": dep.version, "kind": dep.kind,
                 "affectedApps": dep.affected_apps(),
                 "steps": [[a["action"] + " " + a["app"] for a in s] for s in dep.steps],
                 "startedAt": iso_from_epoch(dep.started_epoch),
                 "startedAtMs": round(dep.started_epoch * 1000, 3),
                 "endedAt": None, "endedAtMs": None, "durationMs": None, "outcome": "running"}
        self.deployment_log.append(entry)
        self.log_index[dep.id] = entry
        return entry

    def locking_deployments(self, app_ids):
        out = []
        for dep in self.deployments.values():
            if set(dep.affected_apps()) & set(app_ids):
                out.append(dep)
        return out

    def plan_steps(self, changes, restart_ids=()):
        """changes: app id -> (old def or None, new def or None). Returns [[action]]."""
        first = []
        ordered = {}
        for app_id, (old, new) in changes.items():
            if new is None and old is not None:
                first.append({"action": "StopApplication", "app": app_id})
            elif old is None and new is not None:
                first.append({"action": "StartApplication", "app": app_id})
                ordered[app_id] = "ScaleApplication"
            elif old is not None and new is not None:
                if app_id in restart_ids or config_of(old) != config_of(new):
                    ordered[app_id] = "RestartApplication"
                elif old["instances"] != new["instances"]:
                    ordered[app_id] = "ScaleApplication"
        steps = [first] if first else []
        # dependency levels: an app comes after the apps it depends on (within this plan)
        level = {}

        def lvl(a, seen=()):
            if a in level:
                return level[a]
            deps = [x for x in (changes[a][1] or {}).get("dependencies", []) if x in ordered and x not in seen]
            level[a] = 0 if not deps else 1 + max(lvl(x, seen + (a,)) for x in deps)
            return level[a]

        for a in ordered:
            lvl(a)
        for L in sorted(set(level[a] for a in ordered)):
            steps.append([{"action": ordered[a], "app": a} for a in ordered if level[a] == L])
        return steps

    def apply_changes(self, changes, force, kind, restart_ids=(), events=None, client_ip="127.0.0.1"):
        """Stores target definitions and starts a deployment. changes: app id -> new def or None
        (delete). Returns (deployment id, version)."""
        version = self.new_version()
        pairs = self.diff_pairs(changes, restart_ids)
        steps = self.plan_steps(pairs, restart_ids)
        dep_id = str(uuid.uuid4())
        return self.start_plan(pairs, steps, dep_id, version, force, kind, restart_ids, events, client_ip)

    def diff_pairs(self, changes, restart_ids=()):
        """app id -> (current def or None, target def or None) for the apps that change."""
        pairs = {}
        for app_id, new in changes.items():
            app = self.apps.get(app_id)
            old = app.d if app else None
            if new is not None:
                new = copy.deepcopy(new)
                self.assign_service_ports(new, old)
            if new is not None and old is not None and definition_key(new) == definition_key(old) \
                    and app_id not in restart_ids:
                continue   # no change for this app
            if new is None and old is None:
                continue
            pairs[app_id] = (old, new)
        return pairs

    def start_plan(self, pairs, steps, dep_id, version, force, kind, restart_ids, events, client_ip):
        affected = [a for s in steps for a in (x["app"] for x in s)]
        if steps:
            conflicts = self.locking_deployments(affected)
            if conflicts and not force:
                self.emit("group_change_failed", {"groupId": "/", "version": version,
                                                  "reason": LOCKED_MESSAGE})
                self.emit("deployment_failed", {"id": dep_id, "plan": {"id": dep_id, "steps": [
                    {"actions": s} for s in steps], "version": version}, "reason": LOCKED_MESSAGE})
                raise ApiError(409, {"message": LOCKED_MESSAGE,
                                     "deployments": [{"id": c.id} for c in conflicts]})
            if len(self.deployments) - len(conflicts) >= self.o.max_deployments:
                raise ApiError(403, {"message": TOO_MANY_MESSAGE % self.o.max_deployments})
            for c in conflicts:
                self.finish_deployment(c, "superseded", "The upgrade has been cancelled")
        # store the target state
        removed = {}
        for app_id, (old, new) in pairs.items():
            if new is None:
                removed[app_id] = self.apps.pop(app_id).tasks
                continue
            new["version"] = version
            if old is None:
                new["versionInfo"] = {"lastScalingAt": version, "lastConfigChangeAt": version}
                app = App(new)
                self.apps[app_id] = app
            else:
                app = self.apps[app_id]
                vi = dict(old["versionInfo"])
                if app_id in restart_ids or config_of(old) != config_of(new):
                    vi["lastConfigChangeAt"] = version
                    if app_id not in restart_ids:
                        vi["lastScalingAt"] = version
                else:
                    vi["lastScalingAt"] = version
                new["versionInfo"] = vi
                app.d = new
            self.bind_faults(app, old)
            app.versions[version] = copy.deepcopy(new)
            if len(app.versions) > self.o.max_versions:
                for v in sorted(app.versions)[:len(app.versions) - self.o.max_versions]:
                    del app.versions[v]
            if events is not None and app_id in events:
                self.emit("api_post_event", {"clientIp": client_ip, "uri": events[app_id],
                                             "appDefinition": new})
        if events:
            for app_id, uri in events.items():
                if app_id not in pairs and app_id in self.apps:
                    # a no-op change is still posted (with the unchanged definition)
                    self.emit("api_post_event", {"clientIp": client_ip, "uri": uri,
                                                 "appDefinition": self.apps[app_id].d})
        self.group_versions.append(version)
        self.emit("group_change_success", {"groupId": "/", "version": version})
        dep = Deployment(dep_id, version, steps, {a: (copy.deepcopy(o) if o else None)
                                                  for a, (o, _) in pairs.items()}, kind)
        dep.sim_tasks = lambda app_id: self.apps[app_id].tasks if app_id in self.apps else []
        for app_id, (old, new) in pairs.items():
            if new is None and old is not None:
                dep.stopping[app_id] = removed.get(app_id, [])
        self.log_deployment(dep)
        if steps:
            self.deployments[dep_id] = dep
            self.wake.set()
        else:
            # zero steps: finished at once; a deployment_success is still emitted
            self.log_index[dep_id]["outcome"] = "running"
            self.finish_deployment(dep, "success")
        return dep_id, version

    def bind_faults(self, app, old):
        f = self.app_faults.get(app.id)
        if f and f["scope"] == "next_config" and f.get("bound") is None:
            if old is None or app.d["versionInfo"]["lastConfigChangeAt"] != old["versionInfo"]["lastConfigChangeAt"]:
                f["bound"] = app.d["versionInfo"]["lastConfigChangeAt"]



LOCKED_MESSAGE = ("App is locked by one or more deployments. Override with the option '?force=true'. "
                  "View details at '/v2/deployments/<DEPLOYMENT_ID>'.")
TOO_MANY_MESSAGE = ("Max number (%d) of running deployments is achieved. Wait for existing deployments "
                    "to complete or cancel oneusing force=true parameter. You can increase max deployment "
                    "number by using --max_running_deployments parameter but be advised that this can "
                    "have negative effects on the performance.")
