#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/error.hpp"
#include "dns/names.hpp"

using mctl::dns::app_names;
using mctl::dns::framework_label;
using mctl::dns::label;
using mctl::dns::check_name;
using mctl::dns::marathon_task_name;
using mctl::dns::name_problem;

namespace {
// The mangled A name of an app: the first name app_names() gives.
std::string app_host_name(std::string_view app_id, const mctl::dns::NameRules& rules) {
  return app_names(app_id, rules).front().name;
}
}  // namespace

TEST_CASE("label maps characters as Mesos-DNS does (README examples)") {
  CHECK(label("apiserver.myservice") == "apiserver-myservice");
  CHECK(label("web.api.prod") == "web-api-prod");
  CHECK(label("My_App") == "my-app");
  CHECK(label("a b+c@d") == "abcd");  // other characters are dropped
  CHECK(label("--web") == "web");     // leading '-' stripped
  CHECK(label("-._") == "");          // can be empty
}

TEST_CASE("label cuts at 63 characters, or 24 with RFC 952, and strips digits on the left with RFC 952") {
  CHECK(label(std::string(70, 'a')) == std::string(63, 'a'));
  CHECK(label(std::string(30, 'b'), true) == std::string(24, 'b'));
  CHECK(label("1st-app", true) == "st-app");
  CHECK(label("1st-app") == "1st-app");
}

TEST_CASE("label refills what the trailing '-' strip removed from after the cut") {
  // 62 a's, '-' at position 63, then "-bcd": the cut part loses its '-', refilled with "b".
  CHECK(label(std::string(62, 'a') + "--bcd") == std::string(62, 'a') + "b");
  // Two characters lost, refilled with "b-": the result ends in '-', as Mesos-DNS's does.
  CHECK(label(std::string(61, 'a') + "--b-c") == std::string(61, 'a') + "b-");
  // Nothing after the cut: the label just gets shorter.
  CHECK(label(std::string(62, 'a') + "-") == std::string(62, 'a'));
}

TEST_CASE("framework names keep their dots") {
  CHECK(framework_label("marathon.prod") == "marathon.prod");
  CHECK(framework_label("marathon-0.7.5") == "marathon-0.7.5");
  CHECK(framework_label("marathon-0.7.5", true) == "marathon-0");
  CHECK(framework_label("Marathon") == "marathon");
}

TEST_CASE("a Marathon app id becomes the reversed, dotted task name") {
  CHECK(marathon_task_name("/prod/api/web") == "web.api.prod");
  CHECK(marathon_task_name("/flask-hello") == "flask-hello");
  CHECK(marathon_task_name("flask-hello") == "flask-hello");
  CHECK(marathon_task_name("/q/logs/statsd/") == "statsd.logs.q");
  CHECK_THROWS_WITH_AS(marathon_task_name("/"), "app id '/' is empty", mctl::Error);
  CHECK_THROWS_WITH_AS(marathon_task_name("/prod/my app"),
                       "app id '/prod/my app': character ' ' is not allowed in a Marathon app id", mctl::Error);
}

TEST_CASE("app host names: mangled form and the 63-character cut of long nested groups") {
  CHECK(app_host_name("/prod/api/web", {}) == "web-api-prod.marathon.mesos");
  CHECK(app_host_name("/group/app", {}) == "app-group.marathon.mesos");
  CHECK(app_host_name("/sample/group/appname", {"mesos", "marathon", false}) == "appname-group-sample.marathon.mesos");
  const std::string id = "/organisation-number-one/department-two/team-three/service-four/worker";
  // reversed and mangled it is 69 characters: cut to 63
  const auto name = app_host_name(id, {});
  const auto first = name.substr(0, name.find('.'));
  CHECK(first.size() == 63);
  CHECK(first == "worker-service-four-team-three-department-two-organisation-numb");
  CHECK(app_host_name(id, {"mesos", "marathon", true}) == "worker-service-four-team.marathon.mesos");
  CHECK(app_host_name("/web", {"Example.COM", "marathon.prod", false}) == "web.marathon.prod.example.com");
}

TEST_CASE("app names include the dotted form only when it differs, and named-port SRV names") {
  auto has = [](const std::vector<mctl::dns::AppName>& names, const std::string& n) {
    return std::any_of(names.begin(), names.end(), [&](const auto& x) { return x.name == n; });
  };
  const auto web = app_names("/prod/api/web", {}, {"http"});
  CHECK(has(web, "web-api-prod.marathon.mesos"));
  CHECK(has(web, "web.api.prod.marathon.mesos"));
  CHECK(has(web, "_web-api-prod._tcp.marathon.mesos"));
  CHECK(has(web, "_web.api.prod._tcp.marathon.mesos"));
  CHECK(has(web, "_http._web-api-prod._tcp.marathon.mesos"));
  CHECK(has(web, "_http._web.api.prod._tcp.marathon.mesos"));
  CHECK(has(web, "web-api-prod.marathon.slave.mesos"));
  CHECK(web.front().form == "mangled");
  const auto flask = app_names("/flask-hello", {});
  CHECK_FALSE(std::any_of(flask.begin(), flask.end(), [](const auto& x) { return x.form == "dotted"; }));
  CHECK(flask.size() == 6);  // A, slave A, and 2 x (SRV, slave SRV)
  const auto named = app_names("/api-gateway", {}, {"HTTP"});
  CHECK(has(named, "_http._api-gateway._tcp.marathon.mesos"));
}

// Every app record name in the fixture zone is one that app_names derives (the canonical
// per-task names and framework records aside): the rules match the fixture's generator.
TEST_CASE("app_names covers every app name in the fixture's mesos.zone") {
  std::ifstream zone(std::string(MCTL_FIXTURES) + "/mesos-dns/mesos.zone");
  REQUIRE(zone.good());
  std::set<std::string> derived;
  for (const auto& [id, ports] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"/flask-hello", {}}, {"/prod/api/web", {"http"}}, {"/api-gateway", {"http", "admin"}}}) {
    for (const auto& n : app_names(id, {}, ports)) derived.insert(n.name + ".");
  }
  std::string line;
  int checked = 0;
  while (std::getline(zone, line)) {
    std::istringstream words(line);
    std::string owner;
    words >> owner;
    if (owner.find("marathon.") == std::string::npos || owner.rfind("_framework.", 0) == 0) continue;
    const bool canonical = owner.find("-s0.") != std::string::npos || owner.find("-s1.") != std::string::npos ||
                           owner.find("-s2.") != std::string::npos;
    if (canonical || owner == "marathon.mesos.") continue;
    INFO(owner);
    CHECK(derived.count(owner) == 1);
    ++checked;
  }
  CHECK(checked > 30);
}

TEST_CASE("name_problem: what DNS cannot carry, and nothing else") {
  CHECK(name_problem("web-api-prod.marathon.mesos") == "");
  CHECK(name_problem("_web-api-prod._tcp.marathon.mesos.") == "");  // trailing dot allowed
  CHECK(name_problem(std::string(63, 'a') + ".mesos") == "");
  CHECK(name_problem(std::string(64, 'a') + ".mesos") ==
        "its label '" + std::string(64, 'a') + "' has 64 characters, DNS allows 63");
  std::string longest;
  while (longest.size() + 10 <= 253) longest += "abcdefghi.";
  longest += std::string(253 - longest.size(), 'x');
  CHECK(name_problem(longest) == "");
  CHECK(name_problem(longest + "x") == "it has 254 characters, DNS allows 253");
  CHECK(name_problem("a..mesos") == "it has an empty label ('..' or a leading dot)");
  CHECK(name_problem(".mesos") == "it has an empty label ('..' or a leading dot)");
  CHECK(name_problem("") == "it is empty");
  CHECK(name_problem("web api.mesos") == "character ' ' is not allowed (letters, digits, '-', '_')");
  CHECK_THROWS_WITH_AS(check_name("a..mesos"), "'a..mesos' is not a valid DNS name: it has an empty label ('..' or a leading dot)",
                       mctl::Error);
  try {
    check_name(std::string(64, 'b'));
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
  }
}

TEST_CASE("every name of an app follows Mesos-DNS's construction; those DNS cannot carry say why") {
  // The app id: its mangled label is cut to 63 characters, so "_" + label is 64.
  const auto names = app_names("/analytics/realtime-event-aggregation-service-for-clickstream/ingest-pipeline", {},
                               {"http"});
  const std::string cut = "ingest-pipeline-realtime-event-aggregation-service-for-clickstr";
  int blocked = 0;
  for (const auto& n : names) {
    CHECK(n.problem == name_problem(n.name));
    if (n.problem.empty()) continue;
    ++blocked;
    CHECK(n.form == "mangled");
    CHECK(n.type == mctl::dns::RecordType::srv);
    CHECK(n.problem == "its label '_" + cut + "' has 64 characters, DNS allows 63");
    CHECK(n.name.find("_" + cut + ".") != std::string::npos);
  }
  CHECK(blocked == 6);  // _tcp/_udp, each also .slave, and _http._<label>._tcp/_udp
  CHECK(names.front().name == cut + ".marathon.mesos");
  // A named port whose own label is 63 characters: "_" + it cannot be asked either.
  const auto port_names = app_names("/web", {}, {std::string(63, 'p')});
  CHECK(std::count_if(port_names.begin(), port_names.end(), [](const auto& n) { return !n.problem.empty(); }) == 2);
}

TEST_CASE("name_problem shows a control or non-ASCII byte escaped, never raw") {
  CHECK(mctl::dns::name_problem("x\x1b[2J.marathon.mesos") ==
        "character '\\x1b' is not allowed (letters, digits, '-', '_')");
  CHECK(mctl::dns::name_problem("caf\xc3\xa9.mesos").find("'\\xc3'") != std::string::npos);
}
