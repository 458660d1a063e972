#include <doctest/doctest.h>

#include "core/error.hpp"
#include "local/engine.hpp"
#include "local/health.hpp"
#include "local/spec.hpp"

using namespace mctl::local;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

PlanInput input(bool bridge = false) {
  PlanInput in;
  in.project = "demo";
  in.instance = 2;
  in.git_sha = "abc123";
  in.bridge = bridge;
  in.project_dir = "/srv/demo";
  in.free_port = [next = 31000]() mutable { return next++; };
  return in;
}

std::vector<std::string> env_of(const ContainerPlan& p) {
  return p.create_body["Env"].get<std::vector<std::string>>();
}

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

const json k_app = json::parse(R"({
  "id": "/shop/web", "cpus": 0.25, "mem": 128, "instances": 2, "user": "nobody",
  "cmd": "exec httpd -p $PORT0",
  "env": {"GREETING": "hi", "PORT0": "overridden"},
  "labels": {"team": "web"},
  "container": {"type": "DOCKER", "docker": {"image": "web:1",
     "parameters": [{"key": "workdir", "value": "/app"}, {"key": "blkio-weight", "value": "10"}]},
     "volumes": [{"containerPath": "data", "mode": "RW", "persistent": {"size": 10}},
                 {"containerPath": "/conf", "hostPath": "conf", "mode": "RO"}],
     "portMappings": [{"containerPort": 8080, "hostPort": 0, "name": "http"},
                      {"containerPort": 0, "hostPort": 9000, "name": "metrics-port"}]},
  "networks": [{"mode": "container/bridge"}]
})");

}  // namespace

TEST_CASE("plan: Marathon's port variables, in bridge mode with published ports") {
  const auto plan = plan_container(k_app, input(true));
  REQUIRE(plan.ports.size() == 2);
  CHECK(plan.ports[0].host_port == 31000);  // 0: a free port
  CHECK(plan.ports[0].container_port == 8080);
  CHECK(plan.ports[1].host_port == 9000);       // fixed as declared
  CHECK(plan.ports[1].container_port == 9000);  // containerPort 0: same as the host port
  const auto env = env_of(plan);
  CHECK(has(env, "PORT0=31000"));
  CHECK(has(env, "PORT1=9000"));
  CHECK(has(env, "PORT=31000"));
  CHECK(has(env, "PORTS=31000,9000"));
  CHECK(has(env, "PORT_HTTP=31000"));
  CHECK(has(env, "PORT_METRICS_PORT=9000"));
  CHECK(has(env, "HOST=127.0.0.1"));
  CHECK(has(env, "MARATHON_APP_ID=/shop/web"));
  // The app's env comes after Marathon's, so the app's value wins in Docker.
  CHECK(env.back() == "PORT0=overridden");
  const auto& host = plan.create_body["HostConfig"];
  CHECK(host["NetworkMode"] == "bridge");
  CHECK(host["PortBindings"]["8080/tcp"][0]["HostPort"] == "31000");
  CHECK(host["PortBindings"]["8080/tcp"][0]["HostIp"] == "127.0.0.1");
}

TEST_CASE("plan: host networking puts a fixed containerPort on the host as is") {
  const auto plan = plan_container(k_app, input(false));
  CHECK(plan.ports[0].host_port == 8080);
  CHECK(plan.ports[1].host_port ==
        31000);  // containerPort 0 -> a free port, not the bridge hostPort
  CHECK(plan.create_body["HostConfig"]["NetworkMode"] == "host");
  CHECK_FALSE(plan.create_body["HostConfig"].contains("PortBindings"));
}

TEST_CASE("plan: portDefinitions get random host ports unless requirePorts") {
  json app = {
      {"id", "/a"},
      {"container", {{"docker", {{"image", "a:1"}}}}},
      {"portDefinitions", json::array({{{"port", 10001}}, {{"port", 0}, {"name", "admin"}}})}};
  auto plan = plan_container(app, input());
  CHECK(plan.ports[0].host_port == 31000);
  CHECK(plan.ports[1].host_port == 31001);
  app["requirePorts"] = true;
  plan = plan_container(app, input());
  CHECK(plan.ports[0].host_port == 10001);
  auto again = input();
  again.reuse_ports = {0, 42000};  // a replaced instance keeps its earlier random port
  plan = plan_container(app, again);
  CHECK(plan.ports[1].host_port == 42000);
}

TEST_CASE("plan: cmd runs in a shell, args replace the image's command; resources; user; labels") {
  auto plan = plan_container(k_app, input());
  const auto& body = plan.create_body;
  CHECK(body["Entrypoint"] == json::array({"/bin/sh", "-c"}));
  CHECK(body["Cmd"] == json::array({"exec httpd -p $PORT0"}));
  CHECK(body["User"] == "nobody");
  CHECK(body["WorkingDir"] == "/app");
  CHECK(body["HostConfig"]["Memory"] == 128LL * 1024 * 1024);
  CHECK(body["HostConfig"]["CpuQuota"] == 25000);
  CHECK(body["HostConfig"]["CpuPeriod"] == 100000);
  CHECK(body["Labels"]["team"] == "web");
  CHECK(body["Labels"]["MCTL_GIT_SHA"] == "abc123");
  CHECK(body["Labels"][k_label_project] == "demo");
  CHECK(body["Labels"][k_label_app] == "/shop/web");
  CHECK(body["Labels"][k_label_instance] == "2");
  CHECK(body["Labels"][k_label_hash] == definition_hash(k_app));
  CHECK(plan.name == "demo-shop-web-2");
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].find("blkio-weight") != std::string::npos);

  json with_args = k_app;
  with_args.erase("cmd");
  with_args["args"] = {"--port", "80"};
  plan = plan_container(with_args, input());
  CHECK_FALSE(plan.create_body.contains("Entrypoint"));
  CHECK(plan.create_body["Cmd"] == json::array({"--port", "80"}));
}

TEST_CASE("plan: persistent volumes are named volumes, host paths bind mounts") {
  const auto plan = plan_container(k_app, input());
  REQUIRE(plan.named_volumes == std::vector<std::string>{"demo-shop-web-2-data"});
  const auto& host = plan.create_body["HostConfig"];
  CHECK(host["Mounts"][0]["Source"] == "demo-shop-web-2-data");
  CHECK(host["Mounts"][0]["Target"] ==
        "/mnt/mesos/sandbox/data");  // relative: in the sandbox, as Mesos mounts it
  CHECK(host["Binds"][0] == "/srv/demo/conf:/conf:ro");
}

TEST_CASE("plan: a Marathon secret reference and a missing image are refused") {
  json app = k_app;
  app["env"]["DB"] = {{"secret", "db"}};
  CHECK_THROWS_AS(plan_container(app, input()), mctl::Error);
  app = k_app;
  app["container"]["docker"].erase("image");
  CHECK_THROWS_AS(plan_container(app, input()), mctl::Error);
}

TEST_CASE("the definition hash changes with the definition only") {
  json a = k_app, b = json::parse(k_app.dump());
  CHECK(definition_hash(a) == definition_hash(b));
  b["env"]["GREETING"] = "bonjour";
  CHECK(definition_hash(a) != definition_hash(b));
}

TEST_CASE("health checks: Marathon's defaults, MESOS_ forms, ports by index and name") {
  const json app = json::parse(R"({"id": "/a", "healthChecks": [
    {"protocol": "MESOS_HTTP", "path": "/h", "portIndex": 1},
    {"protocol": "TCP"},
    {"protocol": "COMMAND", "command": {"value": "test -f /ready"}, "intervalSeconds": 2, "maxConsecutiveFailures": 0}]})");
  const std::vector<Port> ports = {{"http", 80, 31000, "tcp"}, {"admin", 81, 31001, "tcp"}};
  const auto checks = health_checks(app, ports);
  REQUIRE(checks.size() == 3);
  CHECK(checks[0].kind == HealthCheck::Kind::http);
  CHECK(checks[0].port == 31001);
  CHECK(checks[0].grace == 300s);
  CHECK(checks[0].interval == 60s);
  CHECK(checks[0].timeout == 20s);
  CHECK(checks[0].max_failures == 3);
  CHECK(checks[1].kind == HealthCheck::Kind::tcp);
  CHECK(checks[1].port == 31000);
  CHECK(checks[2].kind == HealthCheck::Kind::command);
  CHECK(checks[2].command == "test -f /ready");
  CHECK(checks[2].interval == 2s);
  CHECK(checks[2].max_failures == 0);
  json bad = app;
  bad["healthChecks"][0]["portIndex"] = 5;
  CHECK_THROWS_AS(health_checks(bad, ports), mctl::Error);
}

TEST_CASE("health verdicts: grace period, consecutive failures, kill") {
  HealthCheck c;
  c.grace = 10s;
  c.max_failures = 2;
  const auto t0 = Clock::now();
  HealthTracker t(c, t0);
  using V = HealthTracker::Verdict;
  CHECK(t.record(false, t0 + 1s) == V::unknown);  // in the grace period: ignored
  CHECK(t.record(false, t0 + 9s) == V::unknown);
  CHECK(t.record(false, t0 + 11s) == V::unhealthy);  // after grace: counted
  CHECK(t.record(true, t0 + 12s) == V::healthy);     // a pass resets the count
  CHECK(t.record(false, t0 + 13s) == V::unhealthy);
  CHECK(t.record(false, t0 + 14s) == V::kill);

  HealthTracker early(c, t0);
  CHECK(early.record(true, t0 + 1s) == V::healthy);
  CHECK(early.record(false, t0 + 2s) == V::unhealthy);  // healthy once: grace is over
  CHECK(early.record(false, t0 + 3s) == V::kill);

  c.max_failures = 0;  // never killed
  HealthTracker never(c, t0);
  for (int i = 0; i < 5; ++i) CHECK(never.record(false, t0 + 20s) == V::unhealthy);
}

TEST_CASE("log frames: stdout and stderr split into lines across chunks") {
  std::vector<std::string> lines;
  LogDemux demux(
      [&](bool err, const std::string& line) { lines.push_back((err ? "E:" : "O:") + line); });
  auto frame = [](char stream, const std::string& text) {
    std::string f{stream, 0, 0, 0, 0, 0, 0, static_cast<char>(text.size())};
    return f + text;
  };
  const std::string all =
      frame(1, "hello\nwor") + frame(2, "oops\n") + frame(1, "ld\n") + frame(1, "tail");
  for (std::size_t i = 0; i < all.size(); i += 3) demux.feed(std::string_view(all).substr(i, 3));
  demux.finish();
  CHECK(lines == std::vector<std::string>{"O:hello", "E:oops", "O:world", "O:tail"});
}

TEST_CASE("plan: an env name a process environment cannot hold is refused, not passed mangled") {
  for (const std::string& name : std::vector<std::string>{"A=B", "", std::string("A\0B", 3)}) {
    json app = k_app;
    app["env"][name] = "x";
    CAPTURE(name);
    try {
      plan_container(app, input());
      FAIL("no error");
    } catch (const mctl::Error& e) {
      CHECK(e.exit_code() == mctl::Exit::usage);
      CHECK(std::string(e.what()).find("cannot be given to a container") != std::string::npos);
    }
  }
  json app = k_app;
  app["env"]["DB"] = std::string("a\0b", 3);
  CHECK_THROWS_AS(plan_container(app, input()), mctl::Error);
  app = k_app;
  app["env"]["WITH SPACE"] = "a=b\nc";  // '=' and newlines in a value are the value's
  CHECK(has(env_of(plan_container(app, input())), "WITH SPACE=a=b\nc"));
}
