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

TEST_CASE("SSE: an event over the bound is dropped whole, memory stays bounded, the next one arrives") {
  SseParser p(1000);
  std::vector<std::pair<std::string, std::string>> got;
  auto h = [&](const std::string& t, const std::string& d) { got.emplace_back(t, d); };
  // A line without an end (a hostile or broken server), fed in chunks: never more than the bound.
  p.feed("event: deployment_info\r\ndata: ", h);
  for (int i = 0; i < 100; ++i) {
    p.feed(std::string(100, 'x'), h);
    CHECK(p.buffered() <= 1000);
  }
  // The rest of that event (more data lines) is skipped up to its blank line; the next event
  // is whole.
  p.feed("\r\ndata: more\r\n\r\nevent: deployment_success\r\ndata: {\"id\":\"d\"}\r\n\r\n", h);
  REQUIRE(got.size() == 1);
  CHECK(got[0] == std::pair<std::string, std::string>{"deployment_success", "{\"id\":\"d\"}"});
  // Many short data lines add up to the same bound.
  got.clear();
  for (int i = 0; i < 300; ++i) p.feed("data: 0123456789\n", h);
  CHECK(p.buffered() <= 1000);
  p.feed("\nevent: x\ndata: 1\n\n", h);
  REQUIRE(got.size() == 1);
  CHECK(got[0].first == "x");
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
