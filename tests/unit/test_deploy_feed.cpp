#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "deploy/deployer.hpp"
#include "deploy/events.hpp"
#include "deploy/follow.hpp"
#include "deploy/marathon_client.hpp"

using namespace mctl::deploy;
namespace http = mctl::core::http;
using nlohmann::json;

namespace {

// Answers every request with "[]" after a short delay; counts requests and the most in flight.
class SlowHttp final : public http::HttpClient {
 public:
  std::atomic<int> requests{0};
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  http::Response send(const http::Request& r) override {
    ++requests;
    const int now = ++in_flight;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    --in_flight;
    http::Response out;
    out.status = 200;
    out.body = "[]";
    out.url = r.url;
    return out;
  }
  http::Response stream(const http::Request& r, const http::ChunkHandler&) override { return send(r); }
};

}  // namespace

TEST_CASE("followers asking at once share reads of /v2/deployments") {
  auto fake = std::make_shared<SlowHttp>();
  MarathonClient client({"http://m:8080"}, fake, "none", 1);
  DeploymentsFeed feed(client);
  std::vector<std::thread> threads;
  std::atomic<int> empty_lists{0};
  // All ask for a list as new as the same moment (taking the clock in each thread made the
  // count depend on how fast a loaded machine starts threads): the first read serves them all,
  // whether they arrive while it is on its way or after.
  const auto asked = DeploymentsFeed::Clock::now();
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&] {
      auto list = feed.get(asked);
      if (list && list->is_array() && list->empty()) ++empty_lists;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(empty_lists == 12);
  CHECK(fake->requests == 1);
  CHECK(feed.requests() == static_cast<std::uint64_t>(fake->requests.load()));
  SUBCASE("a list read after the moment asked for is reused without a request") {
    const int before = fake->requests;
    feed.get(DeploymentsFeed::Clock::now() - std::chrono::seconds(1));
    CHECK(fake->requests == before);
    feed.get(DeploymentsFeed::Clock::now());
    CHECK(fake->requests == before + 1);
  }
}

TEST_CASE("no more than max_in_flight requests reach Marathon at once") {
  auto fake = std::make_shared<SlowHttp>();
  MarathonClient client({"http://m:8080"}, fake, "none", 1, 3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i) threads.emplace_back([&] { client.deployments(); });
  for (auto& t : threads) t.join();
  CHECK(fake->requests == 10);
  CHECK(fake->most <= 3);
  CHECK(fake->most >= 2);
}

TEST_CASE("events: while a deployment is listed only its own events and failed tasks wake a follower") {
  EventHub hub;
  const std::vector<std::string> listed{"dep-1", EventHub::failures_key("/web")};
  const auto start = hub.generation(listed);
  hub.handle("status_update_event", {{"appId", "/web"}, {"taskId", "t1"}, {"taskStatus", "TASK_RUNNING"}, {"version", "v"}});
  hub.handle("health_status_changed_event", {{"appId", "/web"}, {"alive", true}});
  CHECK(hub.generation(listed) == start);
  CHECK(hub.generation("/web", "") > 0);
  hub.handle("status_update_event", {{"appId", "/web"}, {"taskId", "t2"}, {"taskStatus", "TASK_FAILED"}, {"version", "v"}});
  const auto failed = hub.generation(listed);
  CHECK(failed > start);
  hub.handle("deployment_success", {{"id", "dep-1"}, {"plan", {{"id", "dep-1"}, {"steps", json::array()}}}});
  CHECK(hub.generation(listed) > failed);
  CHECK(hub.failed_tasks("/web").count("t2") == 1);
}

TEST_CASE("scale only: mctl's labels keep their running values, so Marathon scales without a restart") {
  AppJob job{"/web", {{"id", "/web"}, {"cmd", "serve"}, {"instances", 3}, {"labels", {{"team", "a"}}}}, "web.json", {}};
  DeployOptions o;
  o.git_sha = "new-sha";
  o.deployed_at = "2026-02-02T00:00:00Z";
  const json running = {{"id", "/web"}, {"cmd", "serve"}, {"instances", 2},
                        {"labels", {{"team", "a"}, {"MCTL_GIT_SHA", "old-sha"}, {"MCTL_DEPLOYED_AT", "2026-01-01T00:00:00Z"}}}};
  const json scaled = desired_definition(job, o, running);
  CHECK(scaled["instances"] == 3);
  CHECK(scaled["labels"]["MCTL_GIT_SHA"] == "old-sha");
  CHECK(scaled["labels"]["MCTL_DEPLOYED_AT"] == "2026-01-01T00:00:00Z");
  CHECK(scaled["labels"]["team"] == "a");

  SUBCASE("an app running without mctl's labels gets none on a scale") {
    json bare = running;
    bare["labels"] = {{"team", "a"}};
    const json d = desired_definition(job, o, bare);
    CHECK_FALSE(d["labels"].contains("MCTL_GIT_SHA"));
    CHECK_FALSE(d["labels"].contains("MCTL_DEPLOYED_AT"));
  }
  SUBCASE("any other change takes the new labels") {
    AppJob changed = job;
    changed.definition["cmd"] = "serve --fast";
    const json d = desired_definition(changed, o, running);
    CHECK(d["labels"]["MCTL_DEPLOYED_AT"] == "2026-02-02T00:00:00Z");
    CHECK(d["labels"]["MCTL_GIT_SHA"] == "new-sha");
  }
  SUBCASE("--force-restart takes the new labels (a config change restarts)") {
    DeployOptions f = o;
    f.force_restart = true;
    CHECK(desired_definition(job, f, running)["labels"]["MCTL_DEPLOYED_AT"] == "2026-02-02T00:00:00Z");
  }
  SUBCASE("a new app takes the new labels") {
    CHECK(desired_definition(job, o, std::nullopt)["labels"]["MCTL_DEPLOYED_AT"] == "2026-02-02T00:00:00Z");
  }
}

TEST_CASE("422 details: Marathon's paths become JSON pointers and spec positions lead the lines") {
  CHECK(pointer_from_marathon_path("/healthChecks(0)/portIndex") == "/healthChecks/0/portIndex");
  CHECK(pointer_from_marathon_path("/constraints(12)") == "/constraints/12");
  CHECK(pointer_from_marathon_path("/cpus") == "/cpus");
  CHECK(pointer_from_marathon_path("/") == "");
  CHECK(pointer_from_marathon_path("/env/A(b)") == "/env/A(b)");
  const std::string body = R"({"message":"Object is not valid","details":[
    {"path":"/healthChecks(0)/portIndex","errors":["Health check port indices must address an element"]},
    {"path":"/","errors":["AppDefinition must either contain one of 'cmd' or 'args'"]},
    {"path":"/upgradeStrategy","errors":["Single instance app"]}]})";
  std::vector<std::string> asked;
  const auto text = describe_error_body(422, body, [&](const std::string& pointer) {
    asked.push_back(pointer);
    return pointer == "/upgradeStrategy" ? std::string() : "apps/web.yaml:7:3";
  });
  CHECK(asked == std::vector<std::string>{"/healthChecks/0/portIndex", "", "/upgradeStrategy"});
  CHECK(text.find("\n  apps/web.yaml:7:3: /healthChecks(0)/portIndex: Health check port indices") != std::string::npos);
  CHECK(text.find("\n  apps/web.yaml:7:3: /: AppDefinition") != std::string::npos);
  CHECK(text.find("\n  /upgradeStrategy: Single instance app") != std::string::npos);
  CHECK(describe_error_body(422, body).find("\n  /cpus") == std::string::npos);
}
