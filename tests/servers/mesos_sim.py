#!/usr/bin/env python3
"""Mesos master + agents simulator for the logs/top tests (tests only).

One process serves a leading master, optionally a second, non-leading master that answers
every /master/* request with a 307 to the leader (as Mesos does), and one agent per agent id
on its own port. The tasks come from the Marathon simulator (polled over HTTP,
GET /v2/apps?embed=apps.tasks) or from a file in that same shape, so task ids, agent ids
(`slaveId`) and host names are the ones Marathon reports.

Shapes follow Mesos 1.x (src/files/files.cpp, src/slave/http.cpp, src/master/http.cpp):
/master/state, /master/redirect (307 to "//host:port"), agent /state with executors and
completed_executors and their `directory`, /files/read (offset -1 answers the size, a read is
capped at 16 pages, data is a JSON string of the raw bytes: only '"', '\\' and control
characters are escaped, bytes >= 0x80 are written as they are), /files/browse,
/files/download, /monitor/statistics with counters that grow. Sandboxes are real files in a
temporary directory; a task that left Marathon is completed and its sandbox stays readable
until --gc-ms passes, then it is removed (404).

Admin API on the leading master (never part of Mesos): see tests/servers/README.md.
Python 3 standard library only.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FRAMEWORK_ID = "5e1c0f5e-0000-4000-8000-000000000000-0000"
PAGE = 4096


_ESCAPES = {0x22: b'\\"', 0x5C: b"\\\\", 0x0A: b"\\n", 0x0D: b"\\r", 0x09: b"\\t"}
_SPECIAL = re.compile(b'[\x00-\x1f"\\\\\x7f]')


def _escape(m):
    b = m.group()[0]
    return _ESCAPES.get(b) or b"\\u%04x" % b


def mesos_json_string(data: bytes) -> bytes:
    """A JSON string of raw bytes as Mesos' stout writes it: escapes for '"', '\\' and
    control characters; every other byte (also invalid UTF-8) as it is. (One regex pass: a
    byte loop made the simulator, not the client, the slow end of a 64 KiB read.)"""
    return b'"' + _SPECIAL.sub(_escape, data) + b'"'


class Task:
    def __init__(self, tid, app_id, agent, mem, cpus, directory, container):
        self.id, self.app_id, self.agent, self.mem, self.cpus = tid, app_id, agent, mem, cpus
        self.directory, self.container = directory, container
        self.state = "TASK_RUNNING"
        self.started = time.time()
        self.ended = None
        self.gone = False  # sandbox garbage-collected
        self.rss = int(mem * 1048576 * 0.4)
        self.cpu_rate = 0.25
        self.throttle = 0.0

    def to_json(self):
        t = {"id": self.id, "name": self.app_id.strip("/").replace("/", "."), "framework_id": FRAMEWORK_ID,
             "executor_id": "", "slave_id": self.agent.id, "state": self.state,
             "resources": {"cpus": self.cpus, "mem": self.mem, "disk": 0.0},
             "statuses": [{"state": "TASK_RUNNING", "timestamp": self.started}]}
        if self.ended:
            t["statuses"].append({"state": self.state, "timestamp": self.ended})
        return t

    def statistics(self, now):
        up = max(now - self.started, 0.0)
        periods = int(up * 10)
        return {"timestamp": now, "cpus_limit": self.cpus + 0.1,
                "cpus_user_time_secs": round(self.cpu_rate * up * 0.7, 6),
                "cpus_system_time_secs": round(self.cpu_rate * up * 0.3, 6),
                "cpus_nr_periods": periods, "cpus_nr_throttled": int(periods * self.throttle),
                "cpus_throttled_time_secs": round(up * self.throttle * 0.1, 6),
                "mem_limit_bytes": int((self.mem + 32) * 1048576), "mem_rss_bytes": self.rss,
                "mem_anon_bytes": self.rss, "mem_file_bytes": 0, "mem_mapped_file_bytes": 0}


class Agent:
    def __init__(self, sim, aid, hostname):
        self.sim, self.id, self.hostname = sim, aid, hostname
        self.port = 0
        self.server = None
        self.hung = False  # accepts connections and reads requests, answers nothing
        self.start()

    def start(self):
        handler = type("AgentHandler", (Handler,), {"sim": self.sim, "role": self})
        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer((self.sim.o.host, self.port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def pid(self):
        return "slave(1)@%s:%d" % (self.sim.o.host, self.port)

    def to_json(self):
        return {"id": self.id, "hostname": self.hostname, "pid": self.pid(), "port": self.port,
                "active": self.server is not None, "resources": {"cpus": 8, "mem": 15360}}


class Sim:
    def __init__(self, o):
        self.o = o
        self.lock = threading.RLock()
        self.root = o.sandbox or tempfile.mkdtemp(prefix="mesos-sim-")
        self.agents = {}
        self.tasks = {}
        self.outputs = {}  # app id -> {"stdout": bytes, "stderr": bytes} written when a task starts
        self.requests = []
        self.master_port = 0
        self.master_server = None

    def restart_master(self, down_ms):
        """The leading master goes away (its port refuses connections) and comes back on the
        same port after down_ms, as a restarted Mesos master does; the agents stay."""
        time.sleep(0.05)  # the admin answer goes out first
        self.master_server.shutdown()
        self.master_server.server_close()
        time.sleep(down_ms / 1000.0)
        self.master_server = serve(self, "leader", self.master_port)

    def agent(self, aid, hostname):
        a = self.agents.get(aid)
        if a is None:
            a = self.agents[aid] = Agent(self, aid, hostname)
        return a

    def add_task(self, tid, app, host, aid):
        agent = self.agent(aid, host)
        container = str(uuid.uuid4())
        runs = os.path.join(self.root, "slaves", aid, "frameworks", FRAMEWORK_ID, "executors", tid, "runs")
        directory = os.path.join(runs, container)
        os.makedirs(directory)
        os.symlink(container, os.path.join(runs, "latest"))
        out = self.outputs.get(app["id"], {})
        with open(os.path.join(directory, "stdout"), "wb") as f:
            f.write(out.get("stdout", b"Starting task %s\n" % tid.encode()))
        with open(os.path.join(directory, "stderr"), "wb") as f:
            f.write(out.get("stderr", b"I1205 executor.cpp:100] Starting task %s\n" % tid.encode()))
        self.tasks[tid] = Task(tid, app["id"], agent, float(app.get("mem", 128)), float(app.get("cpus", 1)),
                               directory, container)

    def sync(self, apps, failures):
        """Marathon's view -> Mesos' view: new tasks start, vanished ones end."""
        with self.lock:
            seen = set()
            for app in apps:
                for t in app.get("tasks", []):
                    seen.add(t["id"])
                    if t["id"] not in self.tasks:
                        self.add_task(t["id"], app, t.get("host", "localhost"), t["slaveId"])
            now = time.time()
            for t in self.tasks.values():
                if t.state == "TASK_RUNNING" and t.id not in seen:
                    t.state = "TASK_FAILED" if t.id in failures else "TASK_KILLED"
                    t.ended = now
            self.collect(now)

    def collect(self, now):
        for t in self.tasks.values():
            if t.ended and not t.gone and now - t.ended >= self.o.gc_ms / 1000.0:
                self.gc(t)

    def gc(self, t):
        shutil.rmtree(os.path.dirname(t.directory), ignore_errors=True)
        t.gone = True

    def poll_marathon(self):
        url = self.o.marathon.rstrip("/") + "/v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    apps = json.load(r)["apps"]
                failures = {(a.get("lastTaskFailure") or {}).get("taskId") for a in apps}
                self.sync(apps, failures)
            except Exception as e:  # Marathon restarting: keep the last view
                if self.o.verbose:
                    print("mesos_sim: polling Marathon: %s" % e, file=sys.stderr)
            time.sleep(self.o.poll_ms / 1000.0)

    # -- views -------------------------------------------------------------------------------

    def master_state(self, leader_port):
        with self.lock:
            running = [t.to_json() for t in self.tasks.values() if not t.ended]
            done = [t.to_json() for t in self.tasks.values() if t.ended]
            return {"version": "1.11.0", "id": "master-sim", "pid": "master@%s:%d" % (self.o.host, leader_port),
                    "hostname": self.o.host, "leader": "master@%s:%d" % (self.o.host, leader_port),
                    "activated_slaves": len(self.agents),
                    "slaves": [a.to_json() for a in self.agents.values()],
                    "frameworks": [{"id": FRAMEWORK_ID, "name": "marathon", "active": True,
                                    "tasks": running, "completed_tasks": done}],
                    "completed_frameworks": []}

    def agent_state(self, agent):
        with self.lock:
            execs, done = [], []
            for t in self.tasks.values():
                if t.agent is not agent or t.gone:
                    continue
                e = {"id": t.id, "name": "Command Executor (Task: %s)" % t.id, "source": t.id,
                     "container": t.container, "directory": t.directory,
                     "resources": {"cpus": t.cpus + 0.1, "mem": t.mem + 32}, "queued_tasks": []}
                if t.ended:
                    e.update(tasks=[], completed_tasks=[t.to_json()])
                    done.append(e)
                else:
                    e.update(tasks=[t.to_json()], completed_tasks=[])
                    execs.append(e)
            return {"id": agent.id, "hostname": agent.hostname, "pid": agent.pid(),
                    "frameworks": [{"id": FRAMEWORK_ID, "name": "marathon", "executors": execs,
                                    "completed_executors": done}],
                    "completed_frameworks": []}

    def statistics(self, agent):
        now = time.time()
        with self.lock:
            return [{"executor_id": t.id, "executor_name": "Command Executor (Task: %s)" % t.id,
                     "framework_id": FRAMEWORK_ID, "source": t.id, "statistics": t.statistics(now)}
                    for t in self.tasks.values() if t.agent is agent and not t.ended]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY (like the Marathon simulator): with Nagle on, the body written after the
    # headers waits for the client's delayed ACK, 40 ms a request on Linux, which no Mesos
    # agent costs (measured: 44 ms -> 1 ms a request).
    disable_nagle_algorithm = True
    sim = None
    role = None  # an Agent, or "leader" / "standby"

    def log_message(self, *args):
        if self.sim.o.verbose:
            BaseHTTPRequestHandler.log_message(self, *args)

    def answer(self, status, body=b"", ctype="application/json", headers=()):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        u = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        body = b""
        if "Content-Length" in self.headers:
            body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.sim.lock:
            self.sim.requests.append({"role": self.role if isinstance(self.role, str) else "agent:" + self.role.id,
                                      "method": method, "path": u.path, "query": u.query})
        try:
            if isinstance(self.role, Agent):
                while self.role.hung:  # a stuck agent: the request was read, no answer comes
                    time.sleep(0.05)
                return self.agent_route(u.path, q)
            if self.role == "standby":
                return self.standby_route(u.path)
            if u.path.startswith("/_sim/"):
                return self.admin(method, u.path, json.loads(body or b"{}"), q)
            return self.master_route(u.path)
        except BrokenPipeError:
            pass

    def leader_base(self):
        return "//%s:%d" % (self.sim.o.host, self.sim.master_port)

    def standby_route(self, path):
        if path == "/master/redirect":
            return self.answer(307, b"", "text/plain", [("Location", self.leader_base())])
        if path.startswith("/master/") or path in ("/state", "/state.json"):
            return self.answer(307, b"", "text/plain", [("Location", self.leader_base() + path)])
        return self.answer(404, b"", "text/plain")

    def master_route(self, path):
        if path == "/master/redirect":
            return self.answer(307, b"", "text/plain", [("Location", self.leader_base())])
        if path in ("/master/state", "/master/state.json", "/state", "/state.json"):
            return self.answer(200, self.sim.master_state(self.sim.master_port))
        return self.answer(404, b"", "text/plain")

    def agent_route(self, path, q):
        agent = self.role
        if path in ("/state", "/state.json", "/slave(1)/state", "/slave(1)/state.json"):
            return self.answer(200, self.sim.agent_state(agent))
        if path in ("/monitor/statistics", "/monitor/statistics.json"):
            return self.answer(200, self.sim.statistics(agent))
        if path in ("/files/read", "/files/read.json"):
            return self.files_read(q)
        if path in ("/files/browse", "/files/browse.json"):
            return self.files_browse(q)
        if path == "/files/download":
            real = self.resolve(q.get("path"))
            if real is None or not os.path.isfile(real):
                return self.answer(404, b"", "text/plain")
            with open(real, "rb") as f:
                return self.answer(200, f.read(), "application/octet-stream")
        return self.answer(404, b"", "text/plain")

    def resolve(self, path):
        """A path the agent serves: inside its own sandboxes (symlinks such as runs/latest
        resolved), else None."""
        if not path:
            return None
        base = os.path.realpath(os.path.join(self.sim.root, "slaves", self.role.id))
        real = os.path.realpath(path)
        if real != base and not real.startswith(base + os.sep):
            return None
        return real if os.path.exists(real) else None

    def files_read(self, q):
        if "path" not in q:
            return self.answer(400, b"Expecting 'path=value' in query.\n", "text/plain")
        try:
            offset = int(q.get("offset", "-1"))
            length = int(q.get("length", "-1"))
        except ValueError:
            return self.answer(400, b"Failed to parse offset/length\n", "text/plain")
        if offset < -1:
            return self.answer(400, b"Negative offset provided: %d.\n" % offset, "text/plain")
        if length < -1:
            return self.answer(400, b"Negative length provided: %d.\n" % length, "text/plain")
        real = self.resolve(q["path"])
        if real is None:
            return self.answer(404, b"", "text/plain")
        if os.path.isdir(real):
            return self.answer(400, b"Cannot read a directory.\n", "text/plain")
        size = os.path.getsize(real)
        if offset == -1:
            return self.answer(200, b'{"data":"","offset":%d}' % size)
        if length == -1:
            length = max(size - offset, 0)
        length = min(length, self.sim.o.read_pages * PAGE)
        data = b""
        if offset < size:
            with open(real, "rb") as f:
                f.seek(offset)
                data = f.read(length)
        return self.answer(200, b'{"data":' + mesos_json_string(data) + b',"offset":%d}' % offset)

    def files_browse(self, q):
        if "path" not in q:
            return self.answer(400, b"Expecting 'path=value' in query.\n", "text/plain")
        real = self.resolve(q["path"])
        if real is None or not os.path.isdir(real):
            return self.answer(404, b"", "text/plain")
        out = []
        for name in sorted(os.listdir(real)):
            st = os.stat(os.path.join(real, name))
            out.append({"path": os.path.join(q["path"], name), "mode": ("d" if os.path.isdir(os.path.join(real, name)) else "-") + "rw-r--r--",
                        "nlink": st.st_nlink, "uid": "root", "gid": "root", "size": st.st_size, "mtime": st.st_mtime})
        return self.answer(200, out)

    # -- admin ---------------------------------------------------------------------------------

    def task_of(self, body):
        t = self.sim.tasks.get(body.get("task", ""))
        if t is None:
            self.answer(404, {"message": "no task %s" % body.get("task")})
        return t

    def admin(self, method, path, body, q):
        sim = self.sim
        with sim.lock:
            if path == "/_sim/tasks":
                return self.answer(200, [{"id": t.id, "app": t.app_id, "agent": t.agent.id, "agent_port": t.agent.port,
                                          "directory": t.directory, "state": t.state, "gone": t.gone}
                                         for t in sim.tasks.values()])
            if path == "/_sim/requests":
                if method == "POST":
                    sim.requests.clear()
                return self.answer(200, sim.requests)
            if path == "/_sim/app_output":  # {"app", "stdout", "stderr"}: written by new tasks of the app
                sim.outputs[body["app"]] = {k: body[k].encode() for k in ("stdout", "stderr") if k in body}
                return self.answer(200, {})
            if path == "/_sim/agent":  # {"agent", "down": bool, "hung": bool}
                a = sim.agents.get(body.get("agent", ""))
                if a is None:
                    return self.answer(404, {"message": "no agent"})
                if "hung" in body:
                    a.hung = bool(body["hung"])
                if "down" in body:
                    a.stop() if body.get("down") else (a.server or a.start())
                return self.answer(200, a.to_json())
            if path == "/_sim/master":  # {"down_ms": N}: the leader restarts (port closed N ms)
                threading.Thread(target=sim.restart_master, args=(int(body.get("down_ms", 1000)),),
                                 daemon=True).start()
                return self.answer(200, {})
            t = self.task_of(body)
            if t is None:
                return None
            if path == "/_sim/write":  # {"task", "stream", "text" | "base64"}
                data = base64.b64decode(body["base64"]) if "base64" in body else body.get("text", "").encode()
                with open(os.path.join(t.directory, body.get("stream", "stdout")), "ab") as f:
                    f.write(data)
                return self.answer(200, {})
            if path == "/_sim/rotate":  # {"task", "stream"}: stream -> stream.1, a new empty stream
                name = os.path.join(t.directory, body.get("stream", "stdout"))
                os.replace(name, name + ".1")
                open(name, "wb").close()
                return self.answer(200, {})
            if path == "/_sim/usage":  # {"task", "rss_bytes", "cpu", "throttle"}
                t.rss = int(body.get("rss_bytes", t.rss))
                t.cpu_rate = float(body.get("cpu", t.cpu_rate))
                t.throttle = float(body.get("throttle", t.throttle))
                return self.answer(200, {})
            if path == "/_sim/gc":  # {"task"}: the agent's GC removes the sandbox now
                sim.gc(t)
                return self.answer(200, {})
        return self.answer(404, {"message": "unknown admin path"})


def serve(sim, role, port):
    handler = type("MasterHandler", (Handler,), {"sim": sim, "role": role})
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer((sim.o.host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv=None):
    p = argparse.ArgumentParser(description="Mesos master + agents simulator (tests only)")
    p.add_argument("--port", type=int, default=0, help="leading master's port (0: a free one)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--standby-port", type=int, help="also serve a non-leading master here (0: a free one)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--marathon", help="Marathon (simulator) URL polled for the tasks")
    src.add_argument("--tasks-file", help="a JSON file shaped like GET /v2/apps?embed=apps.tasks")
    p.add_argument("--poll-ms", type=int, default=100, help="Marathon polling period")
    p.add_argument("--gc-ms", type=int, default=600000, help="time a finished task's sandbox stays")
    p.add_argument("--read-pages", type=int, default=16, help="cap of one /files/read, in 4 KiB pages")
    p.add_argument("--sandbox", help="work directory (default: a new temporary one)")
    p.add_argument("--verbose", action="store_true")
    o = p.parse_args(argv)
    sim = Sim(o)
    sim.master_server = serve(sim, "leader", o.port)
    sim.master_port = sim.master_server.server_address[1]
    ports = [sim.master_port]
    if o.standby_port is not None:
        ports.append(serve(sim, "standby", o.standby_port).server_address[1])
    if o.tasks_file:
        with open(o.tasks_file) as f:
            sim.sync(json.load(f)["apps"], set())
    else:
        threading.Thread(target=sim.poll_marathon, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("mesos_sim listening on %s" % " ".join(str(x) for x in ports), flush=True)
    try:
        threading.Event().wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if not o.sandbox:
            shutil.rmtree(sim.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
