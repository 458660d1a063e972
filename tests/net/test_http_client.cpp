// The HTTP client against a real local HTTP server (tests/servers/http_test_server.py).
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>

#include "core/error.hpp"
#include "core/http.hpp"
#include "core/log.hpp"
#include "server.hpp"

using namespace mctl;
using namespace mctl::core::http;
using nlohmann::json;

namespace {

TestServer& server() {
  static TestServer s;
  return s;
}

std::string unique_key() {
  static std::atomic<int> n{0};
  return fmt::format("k{}-{}", ::getpid(), n++);
}

ClientOptions fast_retries() {
  ClientOptions o;
  o.backoff_base = std::chrono::milliseconds(10);
  o.backoff_max = std::chrono::milliseconds(50);
  o.max_retries = 3;
  return o;
}

int count(HttpClient& c, const std::string& key) {
  return std::stoi(c.send({"GET", server().base() + "/count?key=" + key}).body);
}

}  // namespace

TEST_CASE("a GET returns status, headers and body") {
  auto client = make_curl_client({});
  auto r = client->send({"GET", server().base() + "/ok"});
  CHECK(r.status == 200);
  CHECK(r.body == "hello");
  CHECK(r.header("Content-Type") == std::optional<std::string>("text/plain"));
}

TEST_CASE("an HTTP error status is returned, not thrown") {
  auto client = make_curl_client(fast_retries());
  auto r = client->send({"GET", server().base() + "/status/409"});
  CHECK(r.status == 409);
  CHECK_FALSE(r.ok());
}

TEST_CASE("503 on an idempotent request is retried and the body is re-sent intact") {
  auto client = make_curl_client(fast_retries());
  const auto key = unique_key();
  std::string body(100'000, 'x');
  for (std::size_t i = 0; i < body.size(); i += 97) body[i] = static_cast<char>('a' + i % 26);
  Request req{"PUT", server().base() + "/flaky?fail=2&status=503&key=" + key, {}, body};
  auto r = client->send(req);
  REQUIRE(r.status == 200);
  auto j = json::parse(r.body);
  CHECK(j["attempt"] == 3);
  CHECK(j["body"] == body);
}

TEST_CASE("502 and 504 are retried too, up to max_retries, then the last answer is returned") {
  auto client = make_curl_client(fast_retries());
  const auto key = unique_key();
  auto r = client->send({"GET", server().base() + "/flaky?fail=10&status=504&key=" + key});
  CHECK(r.status == 504);
  CHECK(count(*client, "flaky:" + key) == 4);  // the first try and 3 retries
}

TEST_CASE("a POST is not retried unless marked idempotent") {
  auto client = make_curl_client(fast_retries());
  const auto key = unique_key();
  auto r = client->send({"POST", server().base() + "/flaky?fail=1&status=503&key=" + key, {}, "{}"});
  CHECK(r.status == 503);
  CHECK(count(*client, "flaky:" + key) == 1);
  const auto key2 = unique_key();
  Request again{"POST", server().base() + "/flaky?fail=1&status=503&key=" + key2, {}, "{}"};
  again.idempotent = true;
  CHECK(client->send(again).status == 200);
}

TEST_CASE("a 500 is not retried") {
  auto client = make_curl_client(fast_retries());
  const auto key = unique_key();
  CHECK(client->send({"GET", server().base() + "/flaky?fail=1&status=500&key=" + key}).status == 500);
  CHECK(count(*client, "flaky:" + key) == 1);
}

TEST_CASE("a dropped connection is retried for idempotent requests") {
  auto client = make_curl_client(fast_retries());
  const auto key = unique_key();
  auto r = client->send({"GET", server().base() + "/drop?fail=2&key=" + key});
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["attempt"] == 3);
}

TEST_CASE("a refused connection is a remote error naming the request, after retries") {
  auto o = fast_retries();
  auto client = make_curl_client(o);
  TestServer gone;
  const auto url = gone.base() + "/ok";
  gone.stop();
  try {
    client->send({"GET", url});
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.exit_code() == Exit::remote);
    CHECK(std::string(e.what()).find("GET " + url) != std::string::npos);
    CHECK(std::string(e.what()).find("after 4 attempts") != std::string::npos);
  }
}

TEST_CASE("the total timeout gives a timeout error") {
  ClientOptions o = fast_retries();
  o.total_timeout = std::chrono::milliseconds(300);
  auto client = make_curl_client(o);
  const auto started = std::chrono::steady_clock::now();
  try {
    client->send({"GET", server().base() + "/slow?ms=3000"});
    FAIL("expected a timeout");
  } catch (const Error& e) {
    CHECK(e.exit_code() == Exit::timeout);
    CHECK(std::string(e.what()).find("no answer within 300 ms") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("a per-request timeout overrides the client's") {
  ClientOptions o;
  o.total_timeout = std::chrono::milliseconds(100);
  auto client = make_curl_client(o);
  Request req{"GET", server().base() + "/slow?ms=300"};
  req.timeout = std::chrono::milliseconds(0);  // none
  CHECK(client->send(req).status == 200);
}

TEST_CASE("basic auth and Authorization headers are sent") {
  ClientOptions o;
  o.basic_auth = BasicAuth{"alice", "s3cret"};
  auto client = make_curl_client(o);
  auto j = json::parse(client->send({"GET", server().base() + "/echo"}).body);
  CHECK(j["headers"]["authorization"] == "Basic YWxpY2U6czNjcmV0");

  ClientOptions t;
  t.authorization = "token=abc.def";
  auto token_client = make_curl_client(t);
  auto j2 = json::parse(token_client->send({"GET", server().base() + "/echo"}).body);
  CHECK(j2["headers"]["authorization"] == "token=abc.def");
}

TEST_CASE("-vv/-vvv request logging never shows credentials") {
  std::mutex m;
  std::string logged;
  core::log::set_sink([&](core::log::Level, std::string_view line) {
    std::lock_guard lock(m);
    logged += std::string(line) + "\n";
  });
  core::log::set_level(core::log::Level::trace);
  ClientOptions o;
  o.basic_auth = BasicAuth{"alice", "pa55word"};
  o.authorization = "token=tok-SECRET-1";
  auto client = make_curl_client(o);
  const auto url = "http://bob:hunter2@127.0.0.1:" + server().where() + "/echo?access_token=qwerty&x=1";
  client->send({"GET", url, {{"X-Registry-Auth", "registry-SECRET"}, {"Authorization", "Bearer bearer-SECRET"}}});
  core::log::set_sink({});
  core::log::set_level(core::log::Level::warn);
  CHECK(logged.find("> GET http://127.0.0.1:") != std::string::npos);
  CHECK(logged.find("x=1") != std::string::npos);
  for (const char* secret : {"pa55word", "tok-SECRET-1", "hunter2", "qwerty", "registry-SECRET", "bearer-SECRET"}) {
    CAPTURE(secret);
    CHECK(logged.find(secret) == std::string::npos);
  }
}

TEST_CASE("requests over a unix socket reach the server") {
  const std::string path = fmt::format("/tmp/mctl-http-test-{}.sock", ::getpid());
  TestServer unix_server({"--unix", path});
  ClientOptions o;
  o.unix_socket = path;
  auto client = make_curl_client(o);
  auto r = client->send({"GET", "http://localhost/echo"});
  CHECK(r.status == 200);
  CHECK(json::parse(r.body)["path"] == "/echo");
  ::unlink(path.c_str());
}

TEST_CASE("a streamed response arrives in chunks as sent, and the handler can stop it") {
  auto client = make_curl_client({});
  Request req{"GET", server().base() + "/events?n=3&ms=100"};
  req.timeout = std::chrono::milliseconds(0);
  std::string received;
  std::vector<std::chrono::steady_clock::time_point> seen;
  auto r = client->stream(req, [&](std::string_view chunk) {
    received += chunk;
    if (chunk.find("data:") != std::string_view::npos) seen.push_back(std::chrono::steady_clock::now());
    return received.find("\"n\":2") == std::string::npos;  // stop after the third event
  });
  CHECK(r.status == 200);
  CHECK(r.header("content-type") == std::optional<std::string>("text/event-stream"));
  CHECK(received.find("event: tick\r\ndata: {\"n\":0}\r\n\r\n") != std::string::npos);
  REQUIRE(seen.size() >= 2);
  // Events arrive as the server sends them (100 ms apart), not all at the end.
  CHECK(seen.back() - seen.front() >= std::chrono::milliseconds(150));
}

TEST_CASE("connections are reused across requests") {
  auto client = make_curl_client({});
  const auto first = client->send({"GET", server().base() + "/peer"}).body;
  const auto second = client->send({"GET", server().base() + "/peer"}).body;
  CHECK(first == second);  // same client port: the kept-alive connection was reused
  auto other = make_curl_client({});
  CHECK(other->send({"GET", server().base() + "/peer"}).body != first);
}

TEST_CASE("a body kept whole is read up to max_body; one that does not end is an error, not memory") {
  auto client = make_curl_client({});
  Request small{"GET", server().base() + "/ok"};
  small.max_body = 5;
  CHECK(client->send(small).body == "hello");
  small.max_body = 4;
  CHECK_THROWS_WITH_AS(client->send(small), doctest::Contains("larger than 4 bytes"), Error);
  Request endless{"GET", server().base() + "/endless"};
  endless.max_body = std::size_t{1} << 20;
  endless.timeout = std::chrono::seconds(20);
  const auto started = std::chrono::steady_clock::now();
  try {
    client->send(endless);
    FAIL("an endless body was read");
  } catch (const Error& e) {
    CHECK(e.exit_code() == Exit::remote);
    CHECK(std::string(e.what()).find("larger than 1048576 bytes") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}
