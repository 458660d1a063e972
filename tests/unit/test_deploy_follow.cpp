#include <doctest/doctest.h>

#include "deploy/follow.hpp"

using namespace mctl::deploy;
using nlohmann::json;

namespace {
const char* k_v = "2026-01-02T00:00:00.000Z";
json app(int running, int healthy, bool checks = true) {
  json a = {{"id", "/web"}, {"instances", 2}, {"tasksRunning", running}, {"tasksHealthy", healthy},
            {"tasksUnhealthy", 0}, {"version", k_v}, {"versionInfo", {{"lastConfigChangeAt", k_v}}},
            {"tasks", json::array({{{"id", "a"}, {"state", "TASK_RUNNING"}, {"version", k_v}},
                                   {{"id", "b"}, {"state", "TASK_RUNNING"}, {"version", k_v}}})}};
  if (checks) a["healthChecks"] = json::array({{{"protocol", "HTTP"}}});
  return a;
}
const Target k_target{"/web", "d1", k_v, std::nullopt, false};
const json k_listed = json::parse(R"([{"id":"d1","currentStep":1,"totalSteps":2,"currentActions":[{"action":"StartApplication","app":"/web"}]}])");
}  // namespace

TEST_CASE("listed deployment: waiting, with its step") {
  const auto j = judge(k_target, app(2, 2), k_listed);
  CHECK(j.verdict == Verdict::waiting);
  CHECK(j.progress.waiting_for == "deployment step 1/2 (StartApplication)");
}

TEST_CASE("gone, right version, all healthy: done") {
  CHECK(judge(k_target, app(2, 2), json::array()).verdict == Verdict::done);
}

TEST_CASE("gone but not healthy yet: still waiting (disappearance is not success)") {
  const auto j = judge(k_target, app(2, 1), json::array());
  CHECK(j.verdict == Verdict::waiting);
  CHECK(j.progress.waiting_for == "healthy 1/2");
}

TEST_CASE("an app without health checks is done once running (tasksHealthy stays 0)") {
  CHECK(judge(k_target, app(2, 0, false), json::array()).verdict == Verdict::done);
  CHECK(judge(k_target, app(1, 0, false), json::array()).verdict == Verdict::waiting);
}

TEST_CASE("a task of an older config keeps it waiting (forced cancel leaves old tasks)") {
  json a = app(2, 2);
  a["tasks"][1]["version"] = "2026-01-01T00:00:00.000Z";
  const auto j = judge(k_target, a, json::array());
  CHECK(j.verdict == Verdict::waiting);
  CHECK(j.progress.old_tasks == 1);
}

TEST_CASE("a newer version means the deployment was superseded") {
  json a = app(2, 2);
  a["version"] = "2026-01-03T00:00:00.000Z";
  const auto j = judge(k_target, a, json::array());
  CHECK(j.verdict == Verdict::superseded);
  CHECK(j.reason.find("changed again") != std::string::npos);
}

TEST_CASE("deleted app: done only when deletion was expected") {
  CHECK(judge(k_target, std::nullopt, json::array()).verdict == Verdict::vanished);
  Target del = k_target;
  del.expect_deleted = true;
  CHECK(judge(del, std::nullopt, json::array()).verdict == Verdict::done);
  CHECK(judge(del, std::nullopt, k_listed).verdict == Verdict::waiting);
}

TEST_CASE("rollback target: done when the definition matches again") {
  Target t{"/web", "d2", "", app(2, 2), false};
  CHECK(judge(t, app(2, 2), json::array()).verdict == Verdict::done);
  json other = app(2, 2);
  other["cmd"] = "changed";
  CHECK(judge(t, other, json::array()).verdict == Verdict::superseded);
}

TEST_CASE("diagnose: last failure, crash-loop delay, unhealthy tasks") {
  json a = app(2, 1);
  a["lastTaskFailure"] = {{"taskId", "t9"}, {"state", "TASK_FAILED"}, {"host", "h1"}, {"message", "exit 1"}, {"timestamp", "T"}};
  a["tasks"][0]["healthCheckResults"] = json::array({{{"alive", false}, {"lastFailureCause", "500"}}});
  a["tasks"][0]["host"] = "h2";
  const json queue = json::parse(R"([{"app":{"id":"/web"},"delay":{"timeLeftSeconds":7,"overdue":false}}])");
  const auto lines = describe(diagnose(a, queue));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "last task failure: t9 TASK_FAILED on h1 at T: exit 1");
  CHECK(lines[1].find("launch delayed 7s") == 0);
  CHECK(lines[2] == "unhealthy task: a on h2: 500");
}
