#include <doctest/doctest.h>

#include "core/error.hpp"
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
  a["lastTaskFailure"] = {{"taskId", "t9"}, {"state", "TASK_FAILED"}, {"host", "h1"}, {"message", "exit 1"},
                          {"timestamp", "2026-01-02T00:00:05.000Z"}, {"version", k_v}};
  a["tasks"][0]["healthCheckResults"] = json::array({{{"alive", false}, {"lastFailureCause", "500"}}});
  a["tasks"][0]["host"] = "h2";
  const json queue = json::parse(R"([{"app":{"id":"/web"},"delay":{"timeLeftSeconds":7,"overdue":false}}])");
  const auto lines = describe(diagnose(a, queue));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "last task failure: t9 TASK_FAILED on h1 at 2026-01-02T00:00:05.000Z: exit 1");
  CHECK(lines[1].find("launch delayed 7s") == 0);
  CHECK(lines[2] == "unhealthy task: a on h2: 500");
}

TEST_CASE("diagnose: a lastTaskFailure of an older version, or from before this change, is not this deploy's") {
  json a = app(2, 2);
  a["lastTaskFailure"] = {{"taskId", "old"}, {"state", "TASK_FAILED"}, {"message", "exit 1"},
                          {"timestamp", "2026-01-01T23:55:00.000Z"}, {"version", "2026-01-01T00:00:00.000Z"}};
  CHECK_FALSE(diagnose(a, json::array()).last_task_failure);
  // same config (a scale-only change), but the failure is older than the change
  a["lastTaskFailure"]["version"] = k_v;
  a["lastTaskFailure"]["timestamp"] = "2026-01-02T00:00:01.000Z";
  CHECK(diagnose(a, json::array()).last_task_failure);
  CHECK_FALSE(diagnose(a, json::array(), "2026-01-02T00:00:02.000Z").last_task_failure);
}

TEST_CASE("failed tasks: every source counts, each task once, only of the new config") {
  FailedTasks failed;
  EventHub hub;
  // Marathon kills three never-healthy tasks after maxConsecutiveFailures (the issue-11 run)
  for (const char* t : {"web.instance-1._app.1", "web.instance-2._app.1", "web.instance-3._app.1"}) {
    hub.handle("unhealthy_instance_kill_event", {{"appId", "/web"}, {"taskId", t}, {"version", k_v}, {"reason", "500"}});
    hub.handle("status_update_event", {{"appId", "/web"}, {"taskId", t}, {"taskStatus", "TASK_KILLED"}, {"version", k_v}});
  }
  // a task of the previous version killed by the rolling restart is not a failure
  hub.handle("status_update_event",
             {{"appId", "/web"}, {"taskId", "old._app.1"}, {"taskStatus", "TASK_KILLED"}, {"version", "2026-01-01T00:00:00.000Z"}});
  for (const auto& [id, end] : hub.failed_tasks("/web")) failed.record(end, k_v);
  CHECK(failed.size() == 3);
  // the same task again from lastTaskFailure is not counted twice
  json a = app(2, 0);
  a["lastTaskFailure"] = {{"taskId", "web.instance-3._app.1"}, {"state", "TASK_KILLED"}, {"timestamp", "2026-01-02T00:00:05.000Z"},
                          {"version", k_v}};
  failed.observe(a, "GET /v2/apps/web");
  CHECK(failed.size() == 3);
  CHECK(failed.ends()[0].state == "TASK_KILLED");
  CHECK(failed.ends()[0].message.find("health checks") != std::string::npos);
}

TEST_CASE("failed tasks: a TASK_KILLED counts only for a task reported unhealthy") {
  EventHub hub;
  hub.handle("status_update_event", {{"appId", "/web"}, {"taskId", "web.i1._app.1"}, {"taskStatus", "TASK_KILLED"}, {"version", k_v}});
  CHECK(hub.failed_tasks("/web").empty());
  hub.handle("instance_health_changed_event", {{"instanceId", "web.i2"}, {"runSpecId", "/web"}, {"healthy", false}});
  hub.handle("status_update_event", {{"appId", "/web"}, {"taskId", "web.i2._app.1"}, {"taskStatus", "TASK_KILLED"}, {"version", k_v}});
  REQUIRE(hub.failed_tasks("/web").count("web.i2._app.1") == 1);
  CHECK(hub.failed_tasks("/web").at("web.i2._app.1").message.find("unhealthy") != std::string::npos);
}

TEST_CASE("failed tasks: a task of the new config gone from the app's tasks before it was healthy") {
  FailedTasks failed;
  json a = app(2, 1);
  a["tasks"][0]["healthCheckResults"] = json::array({{{"alive", true}}});
  a["tasks"][1]["healthCheckResults"] = json::array({{{"alive", false}}});
  failed.observe(a, "GET /v2/apps/web");
  CHECK(failed.size() == 0);
  json later = a;
  later["tasks"] = json::array({a["tasks"][0]});  // b vanished unhealthy; a stays
  failed.observe(later, "GET /v2/apps/web");
  REQUIRE(failed.size() == 1);
  CHECK(failed.ends()[0].task_id == "b");
  CHECK(failed.ends()[0].source == "poll");
  // Marathon's own word on the same task (the kill event) replaces what the poll guessed
  failed.record({"b", k_v, "TASK_KILLED", "killed by Marathon for failing health checks: 500", "h", "event"}, k_v);
  REQUIRE(failed.size() == 1);
  CHECK(failed.ends()[0].state == "TASK_KILLED");
  later["tasks"] = json::array();  // a was healthy: its end is not counted as a failure
  failed.observe(later, "GET /v2/apps/web");
  CHECK(failed.size() == 1);
}

TEST_CASE("an unexpected field type is one error naming the endpoint and the field") {
  json a = app(2, 2);
  a["tasks"][1]["version"] = 5;
  try {
    judge(k_target, a, json::array());
    FAIL("no error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::remote);
    CHECK(std::string(e.what()) ==
          "GET /v2/apps/web: unexpected answer from Marathon: /app/tasks/1/version is a number, expected a string");
  }
  try {
    parse::deployments(R"([{"id":null,"currentStep":"one"}])", "GET /v2/deployments");
    FAIL("no error");
  } catch (const mctl::Error& e) {
    CHECK(std::string(e.what()).find("GET /v2/deployments: unexpected answer from Marathon: /0/currentStep is a string") == 0);
  }
  CHECK_THROWS_AS(parse::app("<html>", "GET /v2/apps/web"), mctl::Error);
  CHECK_THROWS_AS(parse::app(R"({"app":{"labels":{"a":1}}})", "GET /v2/apps/web"), mctl::Error);
}

TEST_CASE("new and old tasks counted apart (tasksRunning/tasksHealthy include the old ones)") {
  json a = app(2, 2);
  a["instances"] = 2;
  a["tasks"][0]["healthCheckResults"] = json::array({{{"alive", true}}});
  a["tasks"][1]["version"] = "2026-01-01T00:00:00.000Z";  // an older config, healthy by Marathon's count
  a["tasks"][1]["healthCheckResults"] = json::array({{{"alive", true}}});
  a["tasks"].push_back({{"id", "c"}, {"state", "TASK_RUNNING"}, {"version", k_v}});  // new, no result yet
  const auto j = judge(k_target, a, k_listed);
  CHECK(j.progress.new_running == 2);
  CHECK(j.progress.new_healthy == 1);
  CHECK(j.progress.old_tasks == 1);
}
