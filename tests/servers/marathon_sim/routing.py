"""URL routing of the REST API onto Api methods."""

import re
from urllib.parse import unquote

from .util import ApiError, canonical_path


class RoutingMixin:
    """Handler methods that map method + path to the API."""


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
            return api.queue(query) if method == "GET" else not_allowed()
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
