#include <doctest/doctest.h>

#include <deque>

#include "core/error.hpp"
#include "test_images_scripted_http.hpp"
#include "images/gc.hpp"

using namespace mctl::images;
using mctl::core::http::Request;
using mctl::core::http::Response;

namespace {

Response answer(long status, mctl::core::http::Headers headers = {}) {
  Response r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

const Deletion k_planned{"reg:5000/web", "sha256:old", {"t1", "t1-copy"}};
const std::set<std::string> k_listed{"t1", "t1-copy", "t2"};

Response listing(std::string body) {
  Response r = answer(200);
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("a planned delete goes ahead while its tags still name the planned digest") {
  CHECK_FALSE(stale_deletion(k_planned, {{"t1", "sha256:old"}, {"t1-copy", "sha256:old"}}));
}

TEST_CASE("a tag pushed again since the plan stops the delete, naming the tag and both digests") {
  const auto why = stale_deletion(k_planned, {{"t1", "sha256:old"}, {"t1-copy", "sha256:new"}});
  REQUIRE(why);
  CHECK(*why == "tag 't1-copy' now names sha256:new, not the planned sha256:old (pushed since the plan)");
}

TEST_CASE("a tag that is gone is no reason to skip: its old manifest was planned to go") {
  CHECK_FALSE(stale_deletion(k_planned, {{"t1", std::nullopt}, {"t1-copy", "sha256:old"}}));
}

TEST_CASE("delete_if_unchanged asks for each tag's digest, then deletes by digest") {
  ScriptedHttp http;
  http.answers.push_back(answer(200, {{"docker-content-digest", "sha256:old"}}));
  http.answers.push_back(answer(200, {{"docker-content-digest", "sha256:old"}}));
  http.answers.push_back(listing(R"({"name":"web","tags":["t1","t1-copy","t2"]})"));
  http.answers.push_back(answer(202));
  RegistryClient registry(http, "http://reg:5000", std::nullopt);
  CHECK_FALSE(delete_if_unchanged(registry, "web", k_planned, k_listed));
  REQUIRE(http.requests.size() == 4);
  CHECK(http.requests[0].method == "HEAD");
  CHECK(http.requests[0].url == "http://reg:5000/v2/web/manifests/t1");
  CHECK(http.requests[1].url == "http://reg:5000/v2/web/manifests/t1-copy");
  CHECK(http.requests[2].url == "http://reg:5000/v2/web/tags/list?n=1000");
  CHECK(http.requests[3].method == "DELETE");
  CHECK(http.requests[3].url == "http://reg:5000/v2/web/manifests/sha256:old");
}

TEST_CASE("delete_if_unchanged sends no DELETE when a tag moved") {
  ScriptedHttp http;
  http.answers.push_back(answer(200, {{"docker-content-digest", "sha256:new"}}));
  http.answers.push_back(answer(200, {{"docker-content-digest", "sha256:old"}}));
  RegistryClient registry(http, "http://reg:5000", std::nullopt);
  const auto why = delete_if_unchanged(registry, "web", k_planned, k_listed);
  REQUIRE(why);
  CHECK(why->find("tag 't1' now names sha256:new") == 0);
  CHECK(http.requests.size() == 2);
  for (const auto& r : http.requests) CHECK(r.method == "HEAD");
}

TEST_CASE("delete_if_unchanged sends no DELETE when a tag pushed since the plan names the digest") {
  ScriptedHttp http;
  http.answers.push_back(answer(200, {{"docker-content-digest", "sha256:old"}}));
  http.answers.push_back(answer(200, {{"docker-content-digest", "sha256:old"}}));
  http.answers.push_back(listing(R"({"name":"web","tags":["t1","t1-copy","t2","stable","other"]})"));
  http.answers.push_back(answer(200, {{"docker-content-digest", "sha256:old"}}));  // stable: new, same digest
  RegistryClient registry(http, "http://reg:5000", std::nullopt);
  const auto why = delete_if_unchanged(registry, "web", k_planned, k_listed);
  REQUIRE(why);
  CHECK(*why == "tag 'stable' was pushed onto sha256:old since the plan (deleting the manifest would delete it too)");
  CHECK(http.requests.back().url == "http://reg:5000/v2/web/manifests/stable");
  for (const auto& r : http.requests) CHECK(r.method != "DELETE");
}

TEST_CASE("run_deletions tells deleted, skipped and failed apart and goes on after a failure") {
  const std::vector<Deletion> plan = {{"r", "d1", {"a"}}, {"r", "d2", {"b"}}, {"r", "d3", {"c"}}};
  std::size_t calls = 0;
  const auto results = run_deletions(
      plan, 1,
      [&](const Deletion& d) -> std::optional<std::string> {
        ++calls;
        if (d.digest == "d1") throw mctl::Error("registry went away", mctl::Exit::remote);
        if (d.digest == "d2") return "moved";
        return std::nullopt;
      },
      {});
  CHECK(calls == 3);
  REQUIRE(results.size() == 3);
  CHECK((!results[0].deleted && results[0].error == "registry went away"));
  CHECK((!results[1].deleted && results[1].skipped == "moved" && results[1].error.empty()));
  CHECK((results[2].deleted && results[2].skipped.empty() && results[2].error.empty()));
}

TEST_CASE("run_deletions takes the repositories in turn, so deletes at once touch different ones") {
  const std::vector<Deletion> plan = {{"a", "a1", {"1"}}, {"a", "a2", {"2"}}, {"a", "a3", {"3"}},
                                      {"b", "b1", {"1"}}, {"c", "c1", {"1"}}, {"c", "c2", {"2"}}};
  std::vector<std::string> calls;
  const auto results = run_deletions(
      plan, 1,
      [&](const Deletion& d) -> std::optional<std::string> {
        calls.push_back(d.digest);
        return std::nullopt;
      },
      {});
  CHECK(calls == std::vector<std::string>{"a1", "b1", "c1", "a2", "c2", "a3"});
  REQUIRE(results.size() == plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) CHECK(results[i].deletion.digest == plan[i].digest);  // plan order
}
