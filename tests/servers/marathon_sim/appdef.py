"""App definitions: type checks, legacy translation, defaults and validation (Marathon 1.5+)."""

import copy

from .util import (ApiError,
    RESERVED_LAST_SEGMENTS,
    SEGMENT_RE,
    SEGMENT_RE_TEXT,
    canonical_path,
    dumps,
    not_valid,
    parent_path)


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
