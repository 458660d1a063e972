#include <doctest/doctest.h>

#include "deploy/diff.hpp"

using mctl::deploy::diff_apps;
using mctl::deploy::format_changes;
using mctl::deploy::normalize_app;
using nlohmann::json;

namespace {
json spec() {
  return json::parse(R"({"id":"web","instances":2,"container":{"type":"DOCKER","docker":{"image":"r/web:1"},
    "portMappings":[{"containerPort":8080,"hostPort":0,"name":"http"}]},"networks":[{"mode":"container/bridge"}],
    "env":{"DB_PASSWORD":"hunter2","MODE":"a"},"healthChecks":[{"protocol":"HTTP","path":"/h","gracePeriodSeconds":30}]})");
}
// What Marathon 1.5+ answers for spec(): defaults filled, service port assigned, status fields.
json running() {
  return json::parse(R"({"id":"/web","instances":2,"cpus":1,"mem":128,"disk":0,"gpus":0,"backoffSeconds":1,
    "backoffFactor":1.15,"maxLaunchDelaySeconds":300,"executor":"","requirePorts":false,"killSelection":"YOUNGEST_FIRST",
    "role":"*","labels":{"MCTL_DEPLOYED_AT":"2026-01-01T00:00:00Z"},
    "upgradeStrategy":{"minimumHealthCapacity":1,"maximumOverCapacity":1},
    "unreachableStrategy":{"inactiveAfterSeconds":0,"expungeAfterSeconds":0},
    "container":{"type":"DOCKER","docker":{"image":"r/web:1","forcePullImage":false,"privileged":false,"parameters":[]},
      "volumes":[],"portMappings":[{"containerPort":8080,"hostPort":0,"name":"http","protocol":"tcp","servicePort":10001,"labels":{}}]},
    "networks":[{"mode":"container/bridge"}],"env":{"DB_PASSWORD":"hunter2","MODE":"a"},
    "healthChecks":[{"protocol":"HTTP","path":"/h","gracePeriodSeconds":30,"intervalSeconds":60,"timeoutSeconds":20,
      "maxConsecutiveFailures":3,"delaySeconds":15,"ipProtocol":"IPv4","portIndex":0,"ignoreHttp1xx":false}],
    "version":"2026-01-01T00:00:00.000Z","versionInfo":{"lastConfigChangeAt":"2026-01-01T00:00:00.000Z"},
    "tasksRunning":2,"tasksHealthy":2,"tasks":[{"id":"t1"}],"deployments":[]})");
}
}  // namespace

TEST_CASE("Marathon's defaults, assigned service ports, status fields and mctl labels are no change") {
  CHECK(diff_apps(running(), spec()).empty());
}

TEST_CASE("a changed image is one change with both values") {
  json s = spec();
  s["container"]["docker"]["image"] = "r/web:2";
  const auto changes = diff_apps(running(), s);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].path == "/container/docker/image");
  CHECK(format_changes(changes) == "~ /container/docker/image: \"r/web:1\" -> \"r/web:2\"\n");
}

TEST_CASE("a value equal to the default in the spec but different when running is a change") {
  json r = running();
  r["mem"] = 512;
  const auto changes = diff_apps(r, spec());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].path == "/mem");
  CHECK(changes[0].after == 128);
  CHECK(format_changes(changes) == "~ /mem: 512 -> 128\n");
}

TEST_CASE("a change from or to Marathon's default shows both values, not an addition or removal") {
  json s = spec();
  json r = running();
  r["instances"] = 1;  // Marathon's default: normalizing drops it on the running side
  CHECK(format_changes(diff_apps(r, s)) == "~ /instances: 1 -> 2\n");
  r["instances"] = 2;
  s.erase("instances");  // the spec leaves it to Marathon: 1
  s["healthChecks"][0]["intervalSeconds"] = 10;
  r["container"]["docker"]["forcePullImage"] = true;
  CHECK(format_changes(diff_apps(r, s)) ==
        "~ /container/docker/forcePullImage: true -> false\n"
        "~ /healthChecks/0/intervalSeconds: 60 -> 10\n"
        "~ /instances: 2 -> 1\n");
}

TEST_CASE("a field without a default that is removed or added stays - or +") {
  json s = spec();
  s["cmd"] = "run";
  json r = running();
  r["labels"]["team"] = "web";
  CHECK(format_changes(diff_apps(r, s)) == "+ /cmd: \"run\"\n- /labels: {\"team\":\"web\"}\n");
}

TEST_CASE("secret-looking env values are hidden in the listing") {
  json s = spec();
  s["env"]["DB_PASSWORD"] = "correct-horse";
  const std::string text = format_changes(diff_apps(running(), s));
  CHECK(text == "~ /env/DB_PASSWORD: (hidden) -> (hidden)\n");
  CHECK(text.find("hunter2") == std::string::npos);
}

TEST_CASE("an absent app: every field is added") {
  const auto changes = diff_apps(json::object(), spec());
  CHECK(changes.size() >= 4);
  CHECK(changes[0].before.is_null());
}

TEST_CASE("normalize: relative dependencies become absolute, empty collections vanish") {
  const json n = normalize_app(json::parse(R"({"id":"/g/api","dependencies":["db","/other/x"],"constraints":[],"cmd":"x",
    "networks":[{"mode":"host"}],"portDefinitions":[]})"));
  CHECK(n["dependencies"] == json::parse(R"(["/g/db","/other/x"])"));
  CHECK_FALSE(n.contains("constraints"));
  CHECK_FALSE(n.contains("networks"));
}

TEST_CASE("host networking without portDefinitions equals Marathon's default port") {
  const json s = json::parse(R"({"id":"/w","cmd":"run"})");
  const json r = json::parse(R"({"id":"/w","cmd":"run","portDefinitions":[{"port":10004,"name":"default","protocol":"tcp"}]})");
  CHECK(diff_apps(r, s).empty());
  const json none = json::parse(R"({"id":"/w","cmd":"run","portDefinitions":[]})");
  CHECK_FALSE(diff_apps(r, none).empty());
}
