"""HA: several Marathon instances (listeners) over one state, leadership and outages."""

import threading
from http.server import ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True



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



class ClusterMixin:
    """Sim methods that move leadership and stop/start instances."""


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
