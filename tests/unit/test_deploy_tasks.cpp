// deploy/tasks: task rows (new/old, health), short ids, what a TASK argument names, and the
// launch queue read into reasons.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "deploy/marathon_client.hpp"
#include "deploy/tasks.hpp"

using namespace mctl::deploy;
using nlohmann::json;

namespace {

json task(const std::string& id, const std::string& version, const std::string& started, json health = json::array()) {
  return {{"id", id}, {"appId", "/web"}, {"host", "agent-1"}, {"state", started.empty() ? "TASK_STAGING" : "TASK_RUNNING"},
          {"version", version}, {"ports", {31000, 31001}}, {"startedAt", started}, {"healthCheckResults", health}};
}

mctl::Exit exit_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const mctl::Error& e) {
    return e.exit_code();
  }
  return mctl::Exit::ok;
}

}  // namespace

TEST_CASE("short_task_id: the first 8 characters of the UUID, for old and new id formats") {
  CHECK(short_task_id("web.instance-2b1f0c7e-1111-4000-8000-000000000000._app.1") == "2b1f0c7e");
  CHECK(short_task_id("prod_api.web.2b1f0c7e-1111-4000-8000-000000000000") == "2b1f0c7e");
  CHECK(short_task_id("no-uuid-here") == "no-uuid-here");
}

TEST_CASE("task_rows: a task is old only when launched before the last config change, not a scale") {
  json app = {{"id", "/web"},
              {"version", "2026-01-03T00:00:00.000Z"},
              {"versionInfo", {{"lastConfigChangeAt", "2026-01-02T00:00:00.000Z"}, {"lastScalingAt", "2026-01-03T00:00:00.000Z"}}},
              {"healthChecks", json::array({json::object()})},
              {"tasks",
               {task("web.instance-bbbbbbbb-0000-4000-8000-000000000000._app.1", "2026-01-02T00:00:00.000Z",
                     "2026-01-02T00:00:05.000Z", json::array({{{"alive", true}}})),
                task("web.instance-aaaaaaaa-0000-4000-8000-000000000000._app.1", "2026-01-01T00:00:00.000Z",
                     "2026-01-01T00:00:05.000Z", json::array({{{"alive", false}}})),
                task("web.instance-cccccccc-0000-4000-8000-000000000000._app.1", "2026-01-03T00:00:00.000Z", "")}}};
  const auto rows = task_rows(app);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].short_id == "aaaaaaaa");  // oldest start first, staging last
  CHECK_FALSE(rows[0].current);
  CHECK(rows[0].health == "unhealthy");
  CHECK(rows[1].current);  // launched with the config version itself
  CHECK(rows[1].health == "healthy");
  CHECK(rows[2].current);  // launched after a scale-only version
  CHECK(rows[2].health == "unknown");
  CHECK(rows[2].started_at.empty());
  CHECK(rows[1].ports == std::vector<int>{31000, 31001});
  const auto table = tasks_table(rows);
  CHECK(table.find("aaaaaaaa  agent-1  running        unhealthy  old") != std::string::npos);
  CHECK(tasks_json(rows)[2]["started_at"].is_null());
}

TEST_CASE("task_rows: a task field of the wrong type is a remote error naming it") {
  json app = {{"id", "/web"}, {"tasks", {{{"id", 7}}}}};
  CHECK(exit_of([&] { task_rows(app); }) == mctl::Exit::remote);
}

TEST_CASE("resolve_task: exact id, unique prefix of the id or the short id; else 8 or 2") {
  const json tasks = {task("web.instance-2b1f0c7e-0000-4000-8000-000000000000._app.1", "v", "s"),
                      task("web.instance-2b1f9999-0000-4000-8000-000000000000._app.1", "v", "s"),
                      task("api.instance-77777777-0000-4000-8000-000000000000._app.1", "v", "s")};
  CHECK(resolve_task(tasks, "2b1f0").value("id", "") == tasks[0]["id"]);
  CHECK(resolve_task(tasks, "api.").value("id", "") == tasks[2]["id"]);
  CHECK(resolve_task(tasks, tasks[1]["id"].get<std::string>()).value("id", "") == tasks[1]["id"]);
  CHECK(exit_of([&] { resolve_task(tasks, "2b1f"); }) == mctl::Exit::usage);
  CHECK(exit_of([&] { resolve_task(tasks, "web.instance-"); }) == mctl::Exit::usage);
  CHECK(exit_of([&] { resolve_task(tasks, "deadbeef"); }) == mctl::Exit::no_records);
  CHECK(exit_of([&] { resolve_task(tasks, ""); }) == mctl::Exit::usage);
  try {
    resolve_task(tasks, "2b1f");
  } catch (const mctl::Error& e) {
    CHECK(std::string(e.what()).find("2b1f9999") != std::string::npos);
  }
}

TEST_CASE("queue_rows: declined reasons, most first; backoff; the app filter") {
  const std::string body = R"({"queue":[
    {"app":{"id":"/big","cpus":8,"mem":64,"disk":0},"count":2,"since":"2026-01-01T00:00:00.000Z",
     "delay":{"timeLeftSeconds":0,"overdue":true},
     "processedOffersSummary":{"processedOffersCount":123,"unusedOffersCount":123,
       "rejectSummaryLastOffers":[{"reason":"UnfulfilledRole","declined":0,"processed":123},
                                  {"reason":"InsufficientCpus","declined":75,"processed":123},
                                  {"reason":"InsufficientMemory","declined":48,"processed":48}]}},
    {"app":{"id":"/crash","cpus":0.1},"count":1,"since":"2026-01-01T00:00:00.000Z",
     "delay":{"timeLeftSeconds":42,"overdue":false},
     "processedOffersSummary":{"processedOffersCount":0,"unusedOffersCount":0}}]})";
  const json queue = parse::queue(body, "GET /v2/queue");
  const auto rows = queue_rows(queue);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].reasons == std::vector<std::string>{"InsufficientCpus: 75 of 123 offers", "InsufficientMemory: 48 of 48 offers"});
  CHECK(rows[0].hint.find("cpus 8") != std::string::npos);
  CHECK(rows[1].delay_left_s == 42);
  CHECK_FALSE(rows[1].overdue);
  CHECK(queue_text(rows).find("launch delayed (backoff after failed tasks): 42 s left") != std::string::npos);
  CHECK(queue_rows(queue, "/crash").size() == 1);
  CHECK(exit_of([&] { parse::queue(R"({"queue":[{"count":"x"}]})", "GET /v2/queue"); }) == mctl::Exit::remote);
}
