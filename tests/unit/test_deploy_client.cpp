#include <doctest/doctest.h>

#include <deque>

#include "core/error.hpp"
#include "deploy/deployer.hpp"
#include "deploy/follow.hpp"
#include "deploy/marathon_client.hpp"

using namespace mctl::deploy;
namespace http = mctl::core::http;
using nlohmann::json;

namespace {

// Answers from a script; a "throw" entry stands for a broken connection.
struct Scripted {
  std::string url_prefix;
  long status = 200;
  std::string body;
  bool fail = false;
};

class FakeHttp final : public http::HttpClient {
 public:
  std::deque<Scripted> script;
  std::vector<http::Request> seen;
  http::Response send(const http::Request& r) override {
    seen.push_back(r);
    REQUIRE_FALSE(script.empty());
    Scripted s = script.front();
    script.pop_front();
    CHECK(r.url.rfind(s.url_prefix, 0) == 0);
    if (s.fail) throw mctl::Error("Couldn't connect to server", mctl::Exit::remote);
    http::Response out;
    out.status = s.status;
    out.body = s.body;
    out.url = r.url;
    return out;
  }
  http::Response stream(const http::Request& r, const http::ChunkHandler&) override { return send(r); }
};

const char* k_a = "http://a:8080";
const char* k_b = "http://b:8080";

}  // namespace

TEST_CASE("a dead first instance, a 503 and an empty 200 fail over; the answering one is kept") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 0, "", true}, {k_b, 503, ""}, {k_a, 200, ""}, {k_b, 200, R"({"app":{"id":"/web"}})"},
                  {k_b, 200, "[]"}};
  MarathonClient client({k_a, k_b}, fake, "none", 3);
  auto app = client.get_app("web");
  REQUIRE(app);
  CHECK((*app)["id"] == "/web");
  CHECK(client.deployments().empty());  // straight to b
  CHECK(fake->seen.back().url == "http://b:8080/v2/deployments");
}

TEST_CASE("every instance failing is a remote error naming the request") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 502, ""}, {k_a, 502, ""}};
  MarathonClient client({k_a}, fake, "none", 2);
  CHECK_THROWS_WITH_AS(client.get_app("/web"), "GET /v2/apps/web on Marathon (1 URL): http://a:8080 answered HTTP 502",
                       mctl::Error);
}

TEST_CASE("401 names the credential source, exit code auth") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 401, "<html>401</html>"}};
  MarathonClient client({k_a}, fake, "token from environment variable T", 1);
  try {
    client.list_apps();
    FAIL("no error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::auth);
    CHECK(std::string(e.what()) == "listing apps: Marathon at http://a:8080 refused access (HTTP 401); "
                                   "credentials used: token from environment variable T");
  }
}

TEST_CASE("409 gives the blocking deployment ids; 422 shows paths and errors") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 409, R"({"message":"App is locked","deployments":[{"id":"d1"},{"id":"d2"}]})"},
                  {k_a, 422, R"({"message":"Object is not valid","details":[{"path":"/mem","errors":["must be >= 0"]}]})"}};
  MarathonClient client({k_a}, fake, "none", 1);
  const auto c = client.put_app("/web", json::object(), false, false, {});
  CHECK(c.locked_by == std::vector<std::string>{"d1", "d2"});
  CHECK(fake->seen[0].url == "http://a:8080/v2/apps/web?partialUpdate=false&force=false");
  CHECK_THROWS_WITH_AS(client.put_app("/web", json::object(), false, false, {}),
                       "updating app /web: Marathon answered HTTP 422: Object is not valid\n  /mem: must be >= 0",
                       mctl::Error);
}

TEST_CASE("a write whose answer was lost is not re-sent when the re-read shows it applied") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 0, "", true},
                  {k_a, 200, R"({"app":{"id":"/web","version":"v2","deployments":[{"id":"d9"}]}})"}};
  MarathonClient client({k_a}, fake, "none", 3);
  const auto c = client.put_app("/web", json{{"cmd", "x"}}, false, false,
                                [](const std::optional<json>& app) { return app && (*app)["version"] == "v2"; });
  CHECK(c.deployment_id == "d9");
  CHECK(c.version == "v2");
  CHECK(fake->seen.size() == 2);  // one PUT, one GET
}

TEST_CASE("a write not applied is re-sent") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 0, "", true},
                  {k_a, 200, R"({"app":{"id":"/web","version":"v1"}})"},
                  {k_a, 200, R"({"deploymentId":"d3","version":"v3"})"}};
  MarathonClient client({k_a}, fake, "none", 3);
  const auto c = client.put_app("/web", json{{"cmd", "x"}}, false, false,
                                [](const std::optional<json>& app) { return app && (*app)["version"] == "v3"; });
  CHECK(c.deployment_id == "d3");
  CHECK(fake->seen[2].method == "PUT");
}

TEST_CASE("a DELETE whose answer was lost is judged by the state: the app is gone, so it is done") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 0, "", true},
                  {k_a, 404, R"({"message":"App '/web' does not exist"})"},
                  {k_a, 200, R"([{"id":"d7","affectedApps":["/web"],"version":"v5"}])"}};
  MarathonClient client({k_a}, fake, "none", 3);
  const auto c = client.delete_app("/web");
  CHECK(c.deployment_id == "d7");
  CHECK(fake->seen.size() == 3);  // one DELETE, never a second one that would answer 404
}

TEST_CASE("a DELETE not in effect is sent again") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 0, "", true},
                  {k_a, 200, R"({"app":{"id":"/web","version":"v1"}})"},
                  {k_a, 200, R"({"deploymentId":"d8","version":"v2"})"}};
  MarathonClient client({k_a}, fake, "none", 3);
  CHECK(client.delete_app("/web").deployment_id == "d8");
  CHECK(fake->seen[2].method == "DELETE");
}

TEST_CASE("a 404 on an app is 'nothing found' (exit 8) naming the app") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 404, R"({"message":"App '/web' does not exist"})"}, {k_a, 404, "{}"},
                  {k_a, 404, R"({"message":"App '/web' does not exist"})"}};
  MarathonClient client({k_a}, fake, "none", 3);
  auto exit_of = [](auto&& f) {
    try {
      f();
    } catch (const mctl::Error& e) {
      CHECK(std::string(e.what()).find("/web") != std::string::npos);
      return e.exit_code();
    }
    return mctl::Exit::ok;
  };
  CHECK(exit_of([&] { client.delete_app("/web"); }) == mctl::Exit::no_records);
  CHECK(exit_of([&] { client.require_app("/web"); }) == mctl::Exit::no_records);
  CHECK(exit_of([&] { client.restart_app("/web", false, {}); }) == mctl::Exit::no_records);
}

TEST_CASE("a cancel whose answer was lost finds Marathon's revert deployment instead of 'already finished'") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 200, R"([{"id":"d1","affectedApps":["/web"],"version":"v2"}])"},
                  {k_a, 0, "", true},
                  {k_a, 200, R"([{"id":"r2","affectedApps":["/web"],"version":"v3"}])"}};
  MarathonClient client({k_a}, fake, "none", 3);
  const auto c = client.cancel_deployment("d1", false);
  REQUIRE(c);
  CHECK(c->deployment_id == "r2");
  CHECK(fake->seen[1].method == "DELETE");
  CHECK(fake->seen.size() == 3);
}

TEST_CASE("a cancel of a deployment that is not running is 'already finished'; a 404 answer too") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 200, "[]"},
                  {k_a, 200, R"([{"id":"d1","affectedApps":["/web"]}])"},
                  {k_a, 404, R"({"message":"DeploymentPlan d1 does not exist"})"}};
  MarathonClient client({k_a}, fake, "none", 3);
  CHECK_FALSE(client.cancel_deployment("d1", false));
  CHECK_FALSE(client.cancel_deployment("d1", false));
}

TEST_CASE("a 5xx after sending is ambiguous too: read back, not re-sent when in effect") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 500, R"({"message":"boom"})"},
                  {k_a, 200, R"({"app":{"id":"/web","version":"v2","deployments":[]}})"}};
  MarathonClient client({k_a}, fake, "none", 3);
  const auto c = client.restart_app("/web", false, [](const std::optional<json>& app) { return app && (*app)["version"] == "v2"; });
  CHECK(c.version == "v2");
  CHECK(c.deployment_id.empty());
  CHECK(fake->seen.size() == 2);
}

TEST_CASE("when the state cannot be read back either, the outcome is reported unknown and nothing is re-sent") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 0, "", true}, {k_a, 0, "", true}};
  MarathonClient client({k_a}, fake, "none", 1);
  CHECK_THROWS_WITH_AS(client.restart_app("/web", false, [](const std::optional<json>&) { return false; }),
                       doctest::Contains("whether the change took effect is unknown"), mctl::Error);
  CHECK(fake->seen.size() == 2);
}

TEST_CASE("following tolerates Marathon being unreachable until the deadline (restart, election)") {
  auto fake = std::make_shared<FakeHttp>();
  const std::string app = R"({"app":{"id":"/web","instances":1,"tasksRunning":1,"version":"v1","tasks":[]}})";
  fake->script = {{k_a, 0, "", true}, {k_a, 503, ""}, {k_a, 200, "[]"}, {k_a, 200, app}};
  MarathonClient client({k_a}, fake, "none", 1);
  FollowOptions o;
  o.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const auto outcome = follow(client, Target{"/web", "d1", "v1", std::nullopt, false}, o);
  CHECK(outcome.result == FollowResult::done);
  CHECK(fake->script.empty());
}

TEST_CASE("an outage past the deadline ends following as a timeout with the state unknown") {
  auto fake = std::make_shared<FakeHttp>();
  for (int i = 0; i < 50; ++i) fake->script.push_back({k_a, 0, "", true});
  MarathonClient client({k_a}, fake, "none", 1);
  FollowOptions o;
  o.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
  const auto outcome = follow(client, Target{"/web", "d1", "v1", std::nullopt, false}, o);
  CHECK(outcome.result == FollowResult::timeout);
  CHECK(outcome.unreachable);
  CHECK(outcome.reason.find("unreachable") != std::string::npos);
}

TEST_CASE("no exception of any type leaves a deploy worker: it becomes the app's result") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 404, ""}};
  MarathonClient client({k_a}, fake, "none", 1);
  DeployOptions o;
  o.on_event = [](const DeployEvent& e) {
    if (e.phase == "deploying") throw std::runtime_error("display broke");
  };
  const auto results = deploy_apps(client, {AppJob{"/web", {{"id", "/web"}, {"cmd", "x"}}, "web.json", {}}}, o);
  REQUIRE(results.size() == 1);
  CHECK(results[0].status == AppStatus::failed);
  CHECK(results[0].message == "deploying /web: internal error: display broke");
}

TEST_CASE("an unexpected body while following is one remote error naming endpoint and field") {
  auto fake = std::make_shared<FakeHttp>();
  fake->script = {{k_a, 200, "[]"}, {k_a, 200, R"({"app":{"id":"/web","tasksRunning":"two"}})"}};
  MarathonClient client({k_a}, fake, "none", 1);
  FollowOptions o;
  o.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  try {
    follow(client, Target{"/web", "d1", "v1", std::nullopt, false}, o);
    FAIL("no error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::remote);
    CHECK(std::string(e.what()) == "GET /v2/apps/web: unexpected answer from Marathon: /app/tasksRunning is a string, expected a number");
  }
}
