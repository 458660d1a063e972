#include <doctest/doctest.h>

#include "core/error.hpp"
#include "deploy/plan.hpp"
#include "deploy/sse.hpp"

using namespace mctl::deploy;
using nlohmann::json;

TEST_CASE("SSE: CRLF frames split anywhere, heartbeats ignored") {
  const std::string stream =
      "event: event_stream_attached\r\ndata: {\"a\":1}\r\n\r\n\r\nevent: deployment_success\r\ndata: {\"id\":\"d\"}\r\n\r\n";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    SseParser p;
    std::vector<std::pair<std::string, std::string>> got;
    auto h = [&](const std::string& t, const std::string& d) { got.emplace_back(t, d); };
    p.feed(std::string_view(stream).substr(0, cut), h);
    p.feed(std::string_view(stream).substr(cut), h);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == std::pair<std::string, std::string>{"event_stream_attached", "{\"a\":1}"});
    CHECK(got[1] == std::pair<std::string, std::string>{"deployment_success", "{\"id\":\"d\"}"});
  }
}

TEST_CASE("plan: dependencies inside the deploy order the waves; outside ones are ignored") {
  std::map<std::string, json> defs = {
      {"/p/db", json::object()},
      {"/p/api", {{"dependencies", {"db", "/elsewhere"}}}},
      {"/p/web", {{"dependencies", {"/p/api"}}}},
      {"/p/cache", json::object()}};
  const auto w = waves(dependencies_within(defs));
  REQUIRE(w.size() == 3);
  CHECK(w[0] == std::vector<std::string>{"/p/cache", "/p/db"});
  CHECK(w[1] == std::vector<std::string>{"/p/api"});
  CHECK(w[2] == std::vector<std::string>{"/p/web"});
}

TEST_CASE("plan: a cycle is named") {
  std::map<std::string, json> defs = {{"/a", {{"dependencies", {"/b"}}}}, {"/b", {{"dependencies", {"/a"}}}}};
  CHECK_THROWS_WITH_AS(dependencies_within(defs), "the apps' dependencies form a cycle: /a -> /b -> /a", mctl::Error);
}
