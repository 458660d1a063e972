"""The shared state of one simulated cluster and the ticker that moves it."""

import itertools
import sys
import threading
import time

from .util import TASK_STAGING, iso_from_ms, ms_from_iso
from .events import EventsMixin
from .cluster import ClusterMixin
from .tasks import TasksMixin
from .deployments import DeploymentsMixin
from .offers import OfferStats, OffersMixin


class Sim(EventsMixin, ClusterMixin, TasksMixin, DeploymentsMixin, OffersMixin):
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


    # -- ticker -------------------------------------------------------------------

    def tick(self):
        with self.lock:
            now = time.monotonic()
            for app in self.apps.values():
                app.blocked = 0
            self.tick_tasks(now)
            self.tick_deployments(now)
            self.tick_reconcile(now)
            for app in self.apps.values():
                if app.blocked == 0 and app.blocked_since is not None:
                    app.blocked_since = None
                    app.offers = OfferStats()   # a new queue entry starts a new summary
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
