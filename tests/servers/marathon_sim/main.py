"""Command line: options, instances, ticker."""

import argparse
import threading

from .cluster import Instance
from .state import Sim
from .api import Api
from .faults import Admin
from .server import Handler


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
                   help="host name of agent N (1..--agents) as tasks report it, e.g. 127.0.0.%%d for resolvable agents")
    p.add_argument("--agents", type=int, default=8,
                   help="agents of the cluster; tasks are placed on them in turn (the Mesos simulator "
                        "serves each one on its own port)")
    p.add_argument("--agent-cpus", type=float, default=4.0, help="cpus each agent offers")
    p.add_argument("--agent-mem", type=float, default=16384.0, help="mem (MiB) each agent offers")
    p.add_argument("--agent-disk", type=float, default=100000.0, help="disk (MiB) each agent offers")
    p.add_argument("--offer-ms", type=int, default=1000,
                   help="period of the offer rounds an app waiting in the launch queue gets")
    p.add_argument("--basic-auth-file", metavar="PATH", help="like --basic-auth, USER:PASS read from a file")
    p.add_argument("--token-file", metavar="PATH", help="like --token, read from a file")
    o = p.parse_args(argv)
    for opt, path in (("basic_auth", o.basic_auth_file), ("token", o.token_file)):
        if path:
            with open(path) as f:
                setattr(o, opt, f.read().strip())
    if o.agents < 1:
        p.error("--agents must be at least 1")
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
