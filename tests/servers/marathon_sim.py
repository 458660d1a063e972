#!/usr/bin/env python3
"""Marathon REST API simulator: the one fake of the mctl test suite.

Marathon cannot run here, so integration tests and benchmarks talk to this
server instead. It follows Marathon's REST API documentation (Marathon 1.5+ REST
API, 1.8+ "light" event format): apps with version history, groups,
deployments with steps that disappear when done and never fail by themselves,
tasks that stage, run and turn healthy, 409 locks, 422 bodies, the SSE event
stream with its exact CRLF framing, basic and DC/OS token auth, and
leader/non-leader behaviour. Fault and inspection knobs live under /_sim/
(never part of Marathon, never authenticated). See tests/servers/README.md.

Python 3 standard library only.
"""

import argparse
import base64
import copy
import http.client
import io
import itertools
import json
import math
import queue
import re
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

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


# ---------------------------------------------------------------------------
# app definition: type checks, legacy translation, defaults, validation

HC_PROTOCOLS = ("HTTP", "HTTPS", "TCP", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP", "COMMAND")
CONSTRAINT_OPS = ("UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS")

KNOWN_FIELDS = (
    "id", "cmd", "args", "user", "instances", "cpus", "mem", "disk", "gpus", "env", "secrets",
    "labels", "constraints", "acceptedResourceRoles", "role", "container", "networks",
    "portDefinitions", "requirePorts", "healthChecks", "readinessChecks", "dependencies",
    "upgradeStrategy", "unreachableStrategy", "killSelection", "backoffSeconds",
    "backoffFactor", "maxLaunchDelaySeconds", "taskKillGracePeriodSeconds", "fetch",
    "executor", "residency", "tty", "check", "resourceLimits", "executorResources",
    "version", "ports", "uris", "ipAddress", "versionInfo")

OMIT_WHEN_EMPTY = ("args", "constraints", "dependencies", "env", "fetch", "healthChecks",
                   "readinessChecks", "secrets")

# fields that are not part of the "config": a change only in these is not an upgrade
NON_CONFIG_FIELDS = ("instances", "version", "versionInfo")


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v):
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


TYPE_RULES = {
    "id": "string", "cmd": "string", "user": "string", "executor": "string", "role": "string",
    "instances": "int", "gpus": "int", "taskKillGracePeriodSeconds": "int",
    "maxLaunchDelaySeconds": "number", "cpus": "number", "mem": "number", "disk": "number",
    "backoffSeconds": "number", "backoffFactor": "number",
    "args": "strarray", "acceptedResourceRoles": "strarray", "dependencies": "strarray",
    "uris": "strarray", "ports": "intarray",
    "env": "object", "secrets": "object", "labels": "strmap", "container": "object",
    "upgradeStrategy": "object", "residency": "object",
    "healthChecks": "array", "readinessChecks": "array", "constraints": "array",
    "networks": "array", "portDefinitions": "array", "fetch": "array",
    "requirePorts": "bool", "tty": "bool", "killSelection": "enum:YOUNGEST_FIRST,OLDEST_FIRST",
}


def type_errors(raw):
    """Play-JSON style reader errors: [{path, errors}] for wrong JSON types."""
    out = []

    def err(path, code):
        out.append({"path": path, "errors": [code]})

    for key, rule in TYPE_RULES.items():
        if key not in raw or raw[key] is None:
            continue
        v = raw[key]
        p = "/" + key
        if rule == "string" and not isinstance(v, str):
            err(p, "error.expected.jsstring")
        elif rule == "int" and not (_is_num(v) and _is_int(v)):
            err(p, "error.expected.jsnumber" if not _is_num(v) else "error.expected.int")
        elif rule == "number" and not _is_num(v):
            err(p, "error.expected.jsnumber")
        elif rule in ("array", "strarray", "intarray") and not isinstance(v, list):
            err(p, "error.expected.jsarray")
        elif rule == "strarray":
            for i, e in enumerate(v):
                if not isinstance(e, str):
                    err("%s(%d)" % (p, i), "error.expected.jsstring")
        elif rule == "intarray":
            for i, e in enumerate(v):
                if not (_is_num(e) and _is_int(e)):
                    err("%s(%d)" % (p, i), "error.expected.jsnumber")
        elif rule in ("object", "strmap") and not isinstance(v, dict):
            err(p, "error.expected.jsobject")
        elif rule == "strmap":
            for k, e in v.items():
                if not isinstance(e, str):
                    err("%s/%s" % (p, k), "error.expected.jsstring")
        elif rule == "bool" and not isinstance(v, bool):
            err(p, "error.expected.jsboolean")
        elif rule.startswith("enum:"):
            if not isinstance(v, str):
                err(p, "error.expected.jsstring")
            elif v not in rule[5:].split(","):
                err(p, "error.unknown.enum.literal")
    env = raw.get("env")
    if isinstance(env, dict):
        for k, e in env.items():
            if isinstance(e, str):
                continue
            if isinstance(e, dict) and isinstance(e.get("secret"), str):
                continue
            err("/env/%s" % k, "error.expected.jsstring")
    us = raw.get("upgradeStrategy")
    if isinstance(us, dict):
        for k in ("minimumHealthCapacity", "maximumOverCapacity"):
            if k in us and not _is_num(us[k]):
                err("/upgradeStrategy/" + k, "error.expected.jsnumber")
    hcs = raw.get("healthChecks")
    if isinstance(hcs, list):
        for i, hc in enumerate(hcs):
            p = "/healthChecks(%d)" % i
            if not isinstance(hc, dict):
                err(p, "error.expected.jsobject")
                continue
            proto = hc.get("protocol")
            if proto is not None and proto not in HC_PROTOCOLS:
                err(p + "/protocol", "error.unknown.enum.literal")
            for k in ("gracePeriodSeconds", "intervalSeconds", "timeoutSeconds",
                      "maxConsecutiveFailures", "portIndex", "port", "delaySeconds"):
                if k in hc and hc[k] is not None and not (_is_num(hc[k]) and _is_int(hc[k])):
                    err("%s/%s" % (p, k), "error.expected.jsnumber")
            if "path" in hc and not isinstance(hc["path"], str):
                err(p + "/path", "error.expected.jsstring")
    c = raw.get("container")
    if isinstance(c, dict):
        t = c.get("type")
        if t is not None and t not in ("DOCKER", "MESOS"):
            err("/container/type", "error.unknown.enum.literal")
        d = c.get("docker")
        if d is not None:
            if not isinstance(d, dict):
                err("/container/docker", "error.expected.jsobject")
            elif "image" in d and not isinstance(d["image"], str):
                err("/container/docker/image", "error.expected.jsstring")
        pms = c.get("portMappings")
        if pms is not None and not isinstance(pms, list):
            err("/container/portMappings", "error.expected.jsarray")
    def objects(key, items, int_fields=(), str_fields=()):
        if not isinstance(items, list):
            return
        for i, e in enumerate(items):
            p = "%s(%d)" % (key, i)
            if not isinstance(e, dict):
                err(p, "error.expected.jsobject")
                continue
            for k in int_fields:
                if k in e and e[k] is not None and not (_is_num(e[k]) and _is_int(e[k])):
                    err("%s/%s" % (p, k), "error.expected.jsnumber")
            for k in str_fields:
                if k in e and e[k] is not None and not isinstance(e[k], str):
                    err("%s/%s" % (p, k), "error.expected.jsstring")

    objects("/readinessChecks", raw.get("readinessChecks"), ("intervalSeconds", "timeoutSeconds"),
            ("name", "path", "portName", "protocol"))
    objects("/portDefinitions", raw.get("portDefinitions"), ("port",), ("name", "protocol"))
    objects("/fetch", raw.get("fetch"), (), ("uri", "destPath"))
    if isinstance(c, dict):
        objects("/container/portMappings", c.get("portMappings"), ("containerPort", "hostPort", "servicePort"),
                ("name", "protocol"))
        if c.get("volumes") is not None and not isinstance(c.get("volumes"), list):
            err("/container/volumes", "error.expected.jsarray")
        objects("/container/volumes", c.get("volumes"), (), ("containerPath", "hostPath", "mode"))
        dk = c.get("docker")
        if isinstance(dk, dict):
            if dk.get("parameters") is not None and not isinstance(dk.get("parameters"), list):
                err("/container/docker/parameters", "error.expected.jsarray")
            objects("/container/docker/parameters", dk.get("parameters"), (), ("key", "value"))
            objects("/container/docker/portMappings", dk.get("portMappings"),
                    ("containerPort", "hostPort", "servicePort"), ("name", "protocol"))
            for k in ("forcePullImage", "privileged"):
                if k in dk and dk[k] is not None and not isinstance(dk[k], bool):
                    err("/container/docker/" + k, "error.expected.jsboolean")
    cons = raw.get("constraints")
    if isinstance(cons, list):
        for i, con in enumerate(cons):
            if not isinstance(con, list) or not all(isinstance(x, str) for x in con):
                err("/constraints(%d)" % i, "error.expected.jsarray")
    secrets = raw.get("secrets")
    if isinstance(secrets, dict):
        for k, v in secrets.items():
            if not isinstance(v, dict) or not isinstance(v.get("source"), str):
                err("/secrets/%s" % k, "error.expected.jsobject")
    us_ = raw.get("unreachableStrategy")
    if us_ is not None and us_ != "disabled" and not isinstance(us_, dict):
        err("/unreachableStrategy", "error.expected.jsobject")
    nets = raw.get("networks")
    if isinstance(nets, list):
        for i, n in enumerate(nets):
            if not isinstance(n, dict):
                err("/networks(%d)" % i, "error.expected.jsobject")
            elif n.get("mode", "container") not in ("host", "container/bridge", "container"):
                err("/networks(%d)/mode" % i, "error.unknown.enum.literal")
    return out


def translate_legacy(d):
    """Accepts the pre-1.5 networking and deprecated fields, renders the 1.5+ form."""
    c = d.get("container")
    if isinstance(c, dict) and isinstance(c.get("docker"), dict):
        dk = c["docker"]
        net = dk.pop("network", None)
        legacy_pms = dk.pop("portMappings", None)
        if legacy_pms is not None and "portMappings" not in c:
            c["portMappings"] = legacy_pms
        if net is not None and "networks" not in d:
            if net == "HOST":
                d["networks"] = [{"mode": "host"}]
            elif net == "BRIDGE":
                d["networks"] = [{"mode": "container/bridge"}]
            elif net == "USER":
                name = (d.get("ipAddress") or {}).get("networkName")
                d["networks"] = [{"mode": "container", "name": name} if name else {"mode": "container"}]
    if "ipAddress" in d:
        ip = d.pop("ipAddress")
        if isinstance(ip, dict) and "networks" not in d and ip.get("networkName"):
            d["networks"] = [{"mode": "container", "name": ip["networkName"]}]
    if "ports" in d:
        ports = d.pop("ports")
        if "portDefinitions" not in d and isinstance(ports, list):
            d["portDefinitions"] = [{"port": p, "protocol": "tcp"} for p in ports]
    if "uris" in d:
        uris = d.pop("uris")
        if "fetch" not in d and isinstance(uris, list):
            d["fetch"] = [{"uri": u, "extract": True, "executable": False, "cache": False} for u in uris]


def is_resident(d):
    c = d.get("container") or {}
    return any(isinstance(v, dict) and "persistent" in v for v in (c.get("volumes") or []))


def fill_defaults(d):
    d.setdefault("instances", 1)
    d.setdefault("cpus", 1)
    d.setdefault("mem", 128)
    d.setdefault("disk", 0)
    d.setdefault("gpus", 0)
    d.setdefault("executor", "")
    d.setdefault("labels", {})
    d.setdefault("backoffSeconds", 1)
    d.setdefault("backoffFactor", 1.15)
    d.setdefault("maxLaunchDelaySeconds", 300)
    d.setdefault("requirePorts", False)
    d.setdefault("killSelection", "YOUNGEST_FIRST")
    d.setdefault("role", "*")
    d.setdefault("networks", [{"mode": "host"}])
    resident = is_resident(d)
    us = d.get("upgradeStrategy") or {}
    d["upgradeStrategy"] = {
        "minimumHealthCapacity": us.get("minimumHealthCapacity", 0.5 if resident else 1),
        "maximumOverCapacity": us.get("maximumOverCapacity", 0 if resident else 1)}
    if resident:
        d.setdefault("unreachableStrategy", "disabled")
    d.setdefault("unreachableStrategy", {"inactiveAfterSeconds": 0, "expungeAfterSeconds": 0})
    host_net = any(n.get("mode") == "host" for n in d["networks"])
    if host_net:
        if "portDefinitions" not in d:
            d["portDefinitions"] = [{"port": 0, "name": "default", "protocol": "tcp"}]
        for pd in d["portDefinitions"]:
            if isinstance(pd, dict):
                pd.setdefault("port", 0)
                pd.setdefault("protocol", "tcp")
    c = d.get("container")
    if isinstance(c, dict):
        c.setdefault("type", "DOCKER")
        c.setdefault("volumes", [])
        dk = c.get("docker")
        if isinstance(dk, dict):
            dk.setdefault("forcePullImage", False)
            dk.setdefault("privileged", False)
            dk.setdefault("parameters", [])
        bridge = any(n.get("mode") == "container/bridge" for n in d["networks"])
        if "portMappings" in c or not host_net:
            pms = c.get("portMappings") or []
            for pm in pms:
                if isinstance(pm, dict):
                    pm.setdefault("containerPort", 0)
                    if bridge:
                        pm.setdefault("hostPort", 0)
                    pm.setdefault("servicePort", 0)
                    pm.setdefault("protocol", "tcp")
                    pm.setdefault("labels", {})
            c["portMappings"] = pms
    hcs = d.get("healthChecks") or []
    for hc in hcs:
        proto = hc.setdefault("protocol", "HTTP")
        hc.setdefault("gracePeriodSeconds", 300)
        hc.setdefault("intervalSeconds", 60)
        hc.setdefault("timeoutSeconds", 20)
        hc.setdefault("maxConsecutiveFailures", 3)
        hc.setdefault("delaySeconds", 15)
        hc.setdefault("ipProtocol", "IPv4")
        if proto != "COMMAND" and "port" not in hc and "portIndex" not in hc:
            hc["portIndex"] = 0
    for rc in d.get("readinessChecks") or []:
        rc.setdefault("name", "readinessCheck")
        rc.setdefault("protocol", "HTTP")
        rc.setdefault("path", "/")
        rc.setdefault("intervalSeconds", 30)
        rc.setdefault("timeoutSeconds", 10)
        rc.setdefault("httpStatusCodesForReady", [200])
        rc.setdefault("preserveLastResponse", False)
    for k in OMIT_WHEN_EMPTY:
        if k in d and not d[k]:
            del d[k]
    for k in [k for k, v in d.items() if v is None]:
        del d[k]


def port_count(d):
    if any(n.get("mode") == "host" for n in d.get("networks", [])):
        return len(d.get("portDefinitions") or [])
    return len((d.get("container") or {}).get("portMappings") or [])


def semantic_errors(d):
    errs = {}

    def add(path, msg):
        errs.setdefault(path, []).append(msg)

    app_id = d.get("id", "")
    if app_id in ("", "/"):
        add("/id", "Path must contain at least one path element")
    else:
        for seg in app_id.strip("/").split("/"):
            if not SEGMENT_RE.fullmatch(seg):
                add("/id", "'%s' %s" % (seg, SEGMENT_RE_TEXT))
                break
        if app_id.rstrip("/").rsplit("/", 1)[-1] in RESERVED_LAST_SEGMENTS:
            add("/id", "must not end with any of the following reserved keywords: %s"
                % ", ".join(RESERVED_LAST_SEGMENTS))
    has_cmd = bool(d.get("cmd"))
    has_args = bool(d.get("args"))
    has_container = isinstance(d.get("container"), dict)
    if not ((has_cmd != has_args) or (not (has_cmd and has_args) and has_container)):
        add("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.")
    if d["instances"] < 0:
        add("/instances", "got %s, expected 0 or more" % d["instances"])
    if d["cpus"] < 0.001:
        add("/cpus", "got %s, expected 0.001 or more" % d["cpus"])
    for k in ("mem", "disk", "gpus"):
        if d[k] < 0:
            add("/" + k, "got %s, expected 0.0 or more" % d[k])
    if d["backoffFactor"] < 1:
        add("/backoffFactor", "got %s, expected 1.0 or more" % d["backoffFactor"])
    if d["backoffSeconds"] < 0:
        add("/backoffSeconds", "got %s, expected 0 or more" % d["backoffSeconds"])
    us = d["upgradeStrategy"]
    for k in ("minimumHealthCapacity", "maximumOverCapacity"):
        v = us[k]
        if v < 0:
            add("/upgradeStrategy/" + k, "is less than 0")
        elif v > 1:
            add("/upgradeStrategy/" + k, "is greater than 1")
    if is_resident(d) and us["maximumOverCapacity"] != 0:
        add("/upgradeStrategy/maximumOverCapacity",
            "got %s, expected 0" % us["maximumOverCapacity"])
    if d.get("labels", {}).get("MARATHON_SINGLE_INSTANCE_APP") == "true" and \
            (us["minimumHealthCapacity"] != 0 or us["maximumOverCapacity"] != 0):
        add("/upgradeStrategy", "Single instance app may only have minimumHealthCapacity 0 and maximumOverCapacity 0")
    nets = d["networks"]
    modes = [n.get("mode", "container") for n in nets]
    if "host" in modes and len(modes) > 1 or "container/bridge" in modes and len(modes) > 1:
        add("/networks", "host or bridge networking may not be combined with other networks")
    c = d.get("container")
    if isinstance(c, dict):
        dk = c.get("docker")
        if c.get("type") == "DOCKER":
            if not isinstance(dk, dict) or not dk.get("image"):
                add("/container/docker/image", "must not be empty")
        if "host" in modes and c.get("portMappings"):
            add("/container/portMappings", "Port mappings are not allowed with host networking")
    if "host" not in modes and "portDefinitions" in d and d["portDefinitions"]:
        add("/portDefinitions", "Port definitions are only allowed with host networking")
    nports = port_count(d)
    mesos_checks = 0
    for i, hc in enumerate(d.get("healthChecks") or []):
        p = "/healthChecks(%d)" % i
        if hc["protocol"].startswith("MESOS_") or hc["protocol"] == "COMMAND":
            mesos_checks += 1
        if hc["protocol"] == "COMMAND" and not isinstance(hc.get("command"), dict):
            add(p + "/command", "must not be empty")
        if "portIndex" in hc and hc["protocol"] != "COMMAND" and not (0 <= hc["portIndex"] < max(nports, 0)):
            add(p, "Health check port indices must address an element of the ports array or container port mappings.")
    if mesos_checks > 1:
        add("/healthChecks", "AppDefinition can only have 1 COMMAND or MESOS health check")
    rcs = d.get("readinessChecks") or []
    if len(rcs) > 1:
        add("/readinessChecks", "got %d, expected 1 or less" % len(rcs))
    for i, rc in enumerate(rcs):
        if rc["timeoutSeconds"] >= rc["intervalSeconds"]:
            add("/readinessChecks(%d)/timeoutSeconds" % i, "got %s, expected less than %s"
                % (rc["timeoutSeconds"], rc["intervalSeconds"]))
    env = d.get("env") or {}
    secrets = d.get("secrets") or {}
    for k, v in env.items():
        if isinstance(v, dict) and v.get("secret") not in secrets:
            add("/env/" + k, "references an undefined secret named '%s'" % v.get("secret"))
    for i, con in enumerate(d.get("constraints") or []):
        if not isinstance(con, list) or len(con) < 2 or str(con[1]).upper() not in CONSTRAINT_OPS:
            add("/constraints(%d)" % i, "Constraint operator must be one of the following: [%s]"
                % ", ".join(CONSTRAINT_OPS))
    return [{"path": p, "errors": e} for p, e in errs.items()]


def normalize_app(raw, app_id=None):
    """Request body -> stored definition (1.5+ rendering, defaults filled). Raises ApiError."""
    if not isinstance(raw, dict):
        raise ApiError(422, {"message": "Invalid JSON",
                             "details": [{"path": "", "errors": ["error.expected.jsobject"]}]})
    raw = drop_nulls(raw)
    terr = type_errors(raw)
    if terr:
        raise ApiError(422, {"message": "Invalid JSON", "details": terr})
    try:
        return _normalize_app(raw, app_id)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as e:
        # a shape the readers above do not check in detail: still a client error, never a 500
        raise ApiError(422, {"message": "Invalid JSON",
                             "details": [{"path": "/", "errors": ["error.expected.jsobject (%s)" % e]}]})


def drop_nulls(v):
    """Play's readers treat a null optional field as absent (nulls inside arrays stay)."""
    if isinstance(v, dict):
        return {k: drop_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [drop_nulls(x) for x in v]
    return v


def _normalize_app(raw, app_id):
    d = {k: copy.deepcopy(v) for k, v in raw.items() if k in KNOWN_FIELDS and k not in ("versionInfo",)}
    d.pop("version", None)
    if app_id is not None:
        d["id"] = app_id
    elif "id" not in d:
        raise not_valid([{"path": "/id", "errors": ["must not be empty"]}])
    if not d["id"] or d["id"] == "/":
        raise not_valid([{"path": "/id", "errors": ["Path must contain at least one path element"]}])
    d["id"] = canonical_path(d["id"])
    for k, rule in TYPE_RULES.items():
        if rule == "int" and isinstance(d.get(k), float):
            d[k] = int(d[k])   # Play's Int reads accept 2.0
    translate_legacy(d)
    fill_defaults(d)
    if "dependencies" in d:
        d["dependencies"] = [canonical_path(x, parent_path(d["id"])) for x in d["dependencies"]]
    errs = semantic_errors(d)
    if errs:
        raise not_valid(errs)
    return d


def config_of(d):
    return {k: v for k, v in d.items() if k not in NON_CONFIG_FIELDS}


def definition_key(d):
    return dumps({k: v for k, v in d.items() if k not in ("version", "versionInfo")})


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

    @property
    def id(self):
        return self.d["id"]


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


class Subscriber:
    def __init__(self, types, remote, inst):
        self.q = queue.Queue()
        self.types = set(types)
        self.remote = remote
        self.inst = inst
        self.closed = False


class Instance:
    """One Marathon instance (HTTP listener). Several share one state, like an HA cluster
    sharing ZooKeeper; exactly one of them is leader unless the leader is external/unknown."""

    def __init__(self, url, leader, leader_url):
        self.url = url
        self.leader = leader
        self.leader_url = leader_url
        self.server = None
        self.handler = None
        self.down = False

    def start(self, host, port):
        self.server = Server((host, port), self.handler)
        self.url = "http://%s:%d" % (host, self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()
        return self.server.server_address[1]


class Sim:
    def __init__(self, opts):
        self.o = opts
        self.lock = threading.RLock()
        self.wake = threading.Event()
        self.subscribers = []
        self.instances = []                     # Instance, the first is --port
        self.self_url = None                    # URL of the leading instance (Location headers)
        self.reset_state()

    # -- state ----------------------------------------------------------------
    def reset_state(self):
        with self.lock:
            self.apps = {}
            self.groups = {"/"}                  # explicitly created groups
            self.group_versions = []             # root versions, oldest first
            self.deployments = {}                # id -> Deployment (insertion ordered)
            self.deployment_log = []             # dicts, see log_deployment
            self.log_index = {}
            self.requests = []
            self.http_faults = []
            self.app_faults = {}
            self.event_faults = []
            self.dropped_events = []
            self.last_version = ""
            self.next_service_port = 10000
            self.next_host_port = 31000
            self.agent_seq = itertools.count(1)

    def new_version(self):
        # versions are compared as strings/instants: keep them strictly increasing
        ms = max(int(time.time() * 1000), ms_from_iso(self.last_version) + 1)
        self.last_version = iso_from_ms(ms)
        return self.last_version

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

    def elect(self, url):
        """Makes the local instance with that URL the leader; the others follow it."""
        target = next((i for i in self.instances if i.url == url.rstrip("/")), None)
        if target is None:
            return False
        for i in self.instances:
            if i is target:
                i.leader, i.leader_url = True, None
            else:
                if i.leader:
                    self.close_streams(i)   # streams close when an instance loses leadership
                i.leader, i.leader_url = False, target.url
        self.self_url = target.url
        return True

    def instance_down(self, target, election_ms=0):
        """Stops an instance: its port refuses connections, open connections die, its streams
        close. A stopped leader hands over to the first live instance, after `election_ms` of
        no leader at all (the others answer "Could not determine the current leader")."""
        with self.lock:
            target.down = True
            self.close_streams(target)
            srv = target.server
            threading.Thread(target=lambda: (srv.shutdown(), srv.server_close()), daemon=True).start()
            if not target.leader:
                return
            target.leader = False
            alive = [i for i in self.instances if not i.down]
            if not alive:
                return
            if election_ms <= 0:
                self.elect(alive[0].url)
                return
            for i in alive:
                i.leader, i.leader_url = False, None
            timer = threading.Timer(election_ms / 1000.0, self.end_election)
            timer.daemon = True
            timer.start()

    def end_election(self):
        with self.lock:
            if any(i.leader for i in self.instances):
                return
            alive = [i for i in self.instances if not i.down]
            if alive:
                self.elect(alive[0].url)

    def instance_up(self, target):
        """Starts a stopped instance again on the same port: follower of the leader, or
        leader when there is none. Returns a problem text or None."""
        with self.lock:
            if not target.down:
                return None
            port = int(target.url.rsplit(":", 1)[1])
            try:
                target.start(self.o.host, port)
            except OSError as e:
                return "cannot listen again on %d: %s" % (port, e)
            target.down = False
            leader = next((i for i in self.instances if i.leader), None)
            if leader is None:
                self.elect(target.url)
            else:
                target.leader, target.leader_url = False, leader.url
            return None

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
        agent = (n - 1) % 8 + 1
        t = Task()
        inst = "%s.instance-%s" % (app.id.strip("/").replace("/", "_"), uuid.uuid4())
        t.instance_id = inst
        t.id = inst + "._app.1"
        t.app_id = app.id
        t.version = d["version"]
        t.host = self.o.agent_host_format % agent
        t.slave_id = "5e1c0f5e-0000-4000-8000-00000000000%d-S%d" % (agent % 10, agent)
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
        t.crash_loop = bool(f.get("crash_loop"))
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
        return now >= app.delay_until

    def launch_n(self, app, n, now, in_deployment=False):
        """Launches up to n tasks; records blocked launches for /v2/queue."""
        if n <= 0:
            return 0
        if not self.can_launch(app, now):
            if app.blocked == 0:
                app.blocked_since = now_iso()
            app.blocked = max(app.blocked, n)
            return 0
        for _ in range(n):
            self.launch(app, now, in_deployment=in_deployment)
        return n

    # -- ticker -------------------------------------------------------------------
    def tick_tasks(self, now):
        health_s = self.o.health_ms / 1000.0
        for app in list(self.apps.values()):
            for t in list(app.tasks):
                if t.state == TASK_STAGING and now >= t.t_stage_end:
                    if t.crash_loop:
                        self.fail_task(app, t, now, "Container exited with status 1")
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
                if min_healthy == cap and cap <= len([t for t in old if t.ready()]):
                    cap += 1   # Marathon: kill one below minHealthy so that the restart can progress
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

    def tick(self):
        with self.lock:
            now = time.monotonic()
            for app in self.apps.values():
                app.blocked = 0
            self.tick_tasks(now)
            self.tick_deployments(now)
            self.tick_reconcile(now)
            for app in self.apps.values():
                if app.blocked == 0:
                    app.blocked_since = None
            return self.next_due(now)

    def next_due(self, now):
        """The earliest clock time at which a task or a launch delay changes state."""
        due = now + self.o.tick_ms / 1000.0
        for app in self.apps.values():
            if app.blocked and app.delay_until > now:
                due = min(due, app.delay_until)
            for t in app.tasks:
                for x in (t.t_stage_end if t.state == TASK_STAGING else None, t.t_next_check,
                          None if t.readiness_ok else t.t_ready):
                    if x is not None and x > now:
                        due = min(due, x)
        return due

    def ticker(self):
        due = time.monotonic()
        while True:
            # sleep until the next state change is due (at most one tick): timings stay exact
            self.wake.wait(max(0.0, due - time.monotonic()))
            self.wake.clear()
            due = time.monotonic() + self.o.tick_ms / 1000.0
            try:
                due = self.tick()
            except Exception as e:  # keep ticking: a test instrument must not die silently
                sys.stderr.write("marathon_sim: tick failed: %r\n" % (e,))
                import traceback
                traceback.print_exc()

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
            for t in victims:
                self.s.kill(app, t, app.tasks)
            dep_id, version = self.s.apply_changes({app.id: d}, qbool(query, "force", False), "scale")
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
                for t in victims:
                    self.s.kill(app, t, app.tasks)
                changes[app.id] = d
            dep_id, version = self.s.apply_changes(changes, qbool(query, "force", False), "scale")
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
    def queue(self):
        now = time.monotonic()
        out = []
        for app in sorted(self.s.apps.values(), key=lambda a: a.id):
            if app.blocked <= 0:
                continue
            left = max(0.0, app.delay_until - now)
            out.append({"app": copy.deepcopy(app.d), "count": app.blocked, "role": "*",
                        "delay": {"timeLeftSeconds": int(left), "overdue": left <= 0},
                        "since": app.blocked_since or now_iso(),
                        "processedOffersSummary": {"processedOffersCount": 0, "unusedOffersCount": 0}})
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
                 "slow_staging_ms": int(body.get("slow_staging_ms") or 0), "bound": None}
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
                         body=body.get("body"), headers=body.get("headers") or {},
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


# ---------------------------------------------------------------------------
# HTTP layer

class Handler(BaseHTTPRequestHandler):
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
        self.send(status, html, headers, "text/html;charset=iso-8859-1")

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

    # -- routes ------------------------------------------------------------------------------
    def route(self, method, path, query, raw, text):
        api = self.api
        sim = self.sim
        client_ip = self.client_address[0]
        if path == "/ping":
            if method not in ("GET", "HEAD"):
                return self.send(405, {"message": "HTTP 405 Method Not Allowed"})
            accept = self.headers.get("Accept") or ""
            if "application/json" in accept and "text/plain" not in accept:
                return self.send(200, '"pong"', None, "application/json")
            return self.send(200, "pong\n", None, "text/plain")
        if path == "/v2/events":
            if method != "GET":
                return self.send(405, {"message": "HTTP 405 Method Not Allowed"})
            return self.events(query)
        if path == "/metrics":
            with sim.lock:
                return self.send(200, {"version": "4.0.0", "gauges": {
                    "marathon.apps.active.gauge": {"value": len(sim.apps)},
                    "marathon.deployments.active.gauge": {"value": len(sim.deployments)}}})
        if not path.startswith("/v2/"):
            return self.send_html_error(404, "Not Found")
        with sim.lock:
            result = self.route_v2(method, path, query, text, client_ip)
        if result is None:
            return self.send(500, {"message": "URI not found"})
        status, body, headers = result
        ctype = headers.pop("Content-Type", None)
        self.send(status, body, headers, ctype)

    def route_v2(self, method, path, query, text, client_ip):
        api = self.api
        uri = path
        accept = self.headers.get("Accept") or ""

        def body():
            return self.json_body(text)

        def not_allowed():
            return 405, {"message": "HTTP 405 Method Not Allowed"}, {}

        if path in ("/v2/apps", "/v2/apps/"):
            if method == "GET":
                return api.list_apps(query)
            if method == "POST":
                return api.create_app(body(), query, uri, client_ip)
            if method == "PUT":
                return api.put_apps(body(), query, uri, client_ip)
            if method == "PATCH":
                return api.put_apps(body(), query, uri, client_ip, patch=True)
            return not_allowed()
        if path.startswith("/v2/apps/"):
            rest = unquote(path[len("/v2/apps/"):]).rstrip("/")
            m = re.match(r"^(.*)/versions(?:/([^/]+))?$", rest)
            if m and m.group(1):
                app_id = canonical_path(m.group(1))
                if method != "GET":
                    return not_allowed()
                return api.app_version(app_id, m.group(2)) if m.group(2) else api.app_versions(app_id)
            m = re.match(r"^(.*)/tasks(?:/([^/]+))?$", rest)
            if m and m.group(1):
                app_id = canonical_path(m.group(1))
                if m.group(2):
                    if method != "DELETE":
                        return not_allowed()
                    return api.delete_app_task(app_id, m.group(2), query)
                if method == "GET":
                    return api.app_tasks(app_id, "text/plain" if accept == "text/plain" else "json")
                if method == "DELETE":
                    return api.delete_app_tasks(app_id, query)
                return not_allowed()
            m = re.match(r"^(.*)/restart$", rest)
            if m and m.group(1):
                if method != "POST":
                    return not_allowed()
                return api.restart_app(canonical_path(m.group(1)), query)
            if rest.endswith("/*") or rest == "*":
                if method != "GET":
                    return not_allowed()
                return api.show_app(canonical_path(rest[:-2]) + "/*" if rest != "*" else "/*", query)
            app_id = canonical_path(rest)
            if method == "GET":
                return api.show_app(app_id, query)
            if method == "PUT":
                return api.put_app(app_id, body(), query, uri, client_ip)
            if method == "PATCH":
                return api.put_app(app_id, body(), query, uri, client_ip, patch=True)
            if method == "DELETE":
                return api.delete_app(app_id, query)
            return not_allowed()
        if path in ("/v2/deployments", "/v2/deployments/"):
            return api.list_deployments() if method == "GET" else not_allowed()
        if path.startswith("/v2/deployments/"):
            if method != "DELETE":
                return not_allowed()
            return api.delete_deployment(unquote(path[len("/v2/deployments/"):]).strip("/"), query)
        if path in ("/v2/groups", "/v2/groups/") or path.startswith("/v2/groups/"):
            rest = unquote(path[len("/v2/groups"):]).rstrip("/")
            if rest.endswith("/versions"):
                gid = canonical_path(rest[:-len("/versions")])
                if method != "GET":
                    return not_allowed()
                if gid not in api.all_groups():
                    raise ApiError(404, {"message": "Group '%s' does not exist" % gid})
                return 200, sorted(self.sim.group_versions, reverse=True), {}
            gid = canonical_path(rest or "/")
            if method == "GET":
                return api.show_group(gid)
            if method == "POST":
                return api.put_group(gid, body(), query, True)
            if method == "PUT":
                return api.put_group(gid, body(), query, False)
            if method == "DELETE":
                return api.delete_group(gid, query)
            return not_allowed()
        if path in ("/v2/tasks", "/v2/tasks/"):
            if method != "GET":
                return not_allowed()
            return api.list_tasks(query, "text/plain" if accept == "text/plain" else "json")
        if path == "/v2/tasks/delete":
            if method != "POST":
                return not_allowed()
            return api.delete_tasks(body(), query)
        if path in ("/v2/queue", "/v2/queue/"):
            return api.queue() if method == "GET" else not_allowed()
        m = re.match(r"^/v2/queue/(.+)/delay$", path)
        if m:
            if method != "DELETE":
                return not_allowed()
            return api.reset_delay(canonical_path(unquote(m.group(1))))
        if path == "/v2/info":
            return api.info(self.inst) if method == "GET" else not_allowed()
        if path == "/v2/leader":
            if method == "GET":
                return 200, {"leader": self.inst.url.split("://", 1)[1]}, {}
            if method == "DELETE":
                # abdication: the streams of this instance close; with peers, the next one
                # takes over, alone it is re-elected at once
                others = [i for i in self.sim.instances if i is not self.inst]
                if others:
                    self.sim.elect(others[0].url)
                else:
                    self.sim.close_streams(self.inst)
                return 200, {"message": "Leadership abdicated"}, {}
            return not_allowed()
        return None

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


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


def main(argv=None):
    p = argparse.ArgumentParser(description="Marathon REST API simulator (tests only)")
    p.add_argument("--port", type=int, default=0, help="TCP port, 0 picks a free one (default 0)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--tick-ms", type=int, default=50, help="deployment/task ticker period")
    p.add_argument("--stage-ms", type=int, default=200, help="time a task stays TASK_STAGING")
    p.add_argument("--health-ms", type=int, default=300,
                   help="time from TASK_RUNNING to the first health result (and between failing results)")
    p.add_argument("--readiness-ms", type=int, default=300,
                   help="time from TASK_RUNNING until a readiness check of a task started by a deployment passes")
    p.add_argument("--backoff-scale", type=float, default=1.0,
                   help="multiplies launch backoff delays (backoffSeconds x backoffFactor^n)")
    p.add_argument("--basic-auth", metavar="USER:PASS", help="require HTTP Basic auth (--http_credentials)")
    p.add_argument("--realm", default="Mesosphere", help="realm of the Basic auth challenge")
    p.add_argument("--token", help="require 'Authorization: token=TOKEN' (DC/OS)")
    p.add_argument("--readonly-token", help="a DC/OS token allowed to GET only (403 on writes)")
    p.add_argument("--peer-port", type=int, action="append", default=[],
                   help="another Marathon instance of the same cluster (same state), a non-leader "
                        "that proxies to the leader; repeatable, 0 = free port")
    p.add_argument("--not-leader", action="store_true", help="act as a non-leader instance")
    p.add_argument("--leader-url", help="with --not-leader: the leader to proxy to (none: no leader)")
    p.add_argument("--no-leader-wait-ms", type=int, default=2500,
                   help="non-leader without leader: time before answering 502")
    p.add_argument("--proxy-timeout-ms", type=int, default=10000)
    p.add_argument("--heartbeat-ms", type=int, default=10000, help="SSE heartbeat period")
    p.add_argument("--max-outstanding", type=int, default=1024,
                   help="SSE consumer dropped when this many events are queued for it")
    p.add_argument("--max-deployments", type=int, default=100)
    p.add_argument("--max-versions", type=int, default=50)
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    p.add_argument("--agent-host-format", default="agent-%d.marathon-sim.local",
                   help="host name of agent N (1..8) as tasks report it, e.g. 127.0.0.%%d for resolvable agents")
    p.add_argument("--basic-auth-file", metavar="PATH", help="like --basic-auth, USER:PASS read from a file")
    p.add_argument("--token-file", metavar="PATH", help="like --token, read from a file")
    o = p.parse_args(argv)
    for opt, path in (("basic_auth", o.basic_auth_file), ("token", o.token_file)):
        if path:
            with open(path) as f:
                setattr(o, opt, f.read().strip())
    if o.leader_url and not o.not_leader:
        p.error("--leader-url only makes sense with --not-leader")
    sim = Sim(o)
    api = Api(sim)
    admin = Admin(sim, api)
    ports = []
    for i, port in enumerate([o.port] + o.peer_port):
        inst = Instance(None, i == 0 and not o.not_leader, o.leader_url if i == 0 else None)
        inst.handler = type("Handler%d" % i, (Handler,), {"sim": sim, "api": api, "admin": admin, "inst": inst})
        ports.append(inst.start(o.host, port))
        sim.instances.append(inst)
    main_inst = sim.instances[0]
    sim.self_url = main_inst.url
    for inst in sim.instances[1:]:
        # peers follow the main instance (or its external leader)
        inst.leader_url = main_inst.url if main_inst.leader else main_inst.leader_url
    threading.Thread(target=sim.ticker, name="ticker", daemon=True).start()
    print("marathon_sim listening on %s" % " ".join(str(p) for p in ports), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
