#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "core/http.hpp"
#include "dns/resolver.hpp"

using namespace mctl::dns;
namespace http = mctl::core::http;

namespace {

std::string fixture(const std::string& path) {
  std::ifstream in(std::string(MCTL_FIXTURES) + "/mesos-dns/http/v1/" + path);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Answers by URL; anything else is the given default. Throws when `fail` is set.
class FakeHttp : public http::HttpClient {
 public:
  std::map<std::string, http::Response> routes;
  std::optional<mctl::Error> fail;
  http::Response send(const http::Request& request) override {
    if (fail) throw *fail;
    auto it = routes.find(request.url);
    if (it != routes.end()) return it->second;
    return {404, {}, "404 page not found", request.url};
  }
  http::Response stream(const http::Request& request, const http::ChunkHandler&) override { return send(request); }
  void route(const std::string& url, const std::string& body, long status = 200) { routes[url] = {status, {}, body, url}; }
};

}  // namespace

TEST_CASE("HTTP API: hosts and services with string ports, sorted") {
  FakeHttp client;
  client.route("http://mdns:8123/v1/hosts/flask-hello.marathon.mesos", fixture("hosts/flask-hello.marathon.mesos.json"));
  client.route("http://mdns:8123/v1/services/_flask-hello._tcp.marathon.mesos",
               fixture("services/_flask-hello._tcp.marathon.mesos.json"));
  auto resolver = make_http_resolver(client, "http://mdns:8123/");
  const auto answers = resolver->resolve({{"Flask-Hello.marathon.mesos.", RecordType::a},
                                          {"_flask-hello._tcp.marathon.mesos", RecordType::srv}});
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].status == Status::ok);
  CHECK(answers[0].name == "flask-hello.marathon.mesos");
  REQUIRE(answers[0].records.size() == 3);
  CHECK(answers[0].records[0].ip == "10.10.1.21");
  CHECK(answers[0].records[2].ip == "10.10.1.23");
  REQUIRE(answers[1].records.size() == 3);
  CHECK(answers[1].records[0].host == "flask-hello-zna7p-s0.marathon.mesos");
  CHECK(answers[1].records[0].port == 31512);
  CHECK(answers[1].records[1].port == 31947);
  CHECK(resolver->describe() == "http://mdns:8123");
}

TEST_CASE("HTTP API: the one empty record of an unknown name means no records") {
  FakeHttp client;
  client.route("http://m/v1/hosts/idle-worker.marathon.mesos", fixture("hosts/_unknown.json"));
  client.route("http://m/v1/services/_idle-worker._tcp.marathon.mesos", fixture("services/_unknown.json"));
  auto resolver = make_http_resolver(client, "http://m");
  const auto answers = resolver->resolve({{"idle-worker.marathon.mesos", RecordType::a},
                                          {"_idle-worker._tcp.marathon.mesos", RecordType::srv}});
  CHECK(answers[0].status == Status::no_records);
  CHECK(answers[0].records.empty());
  CHECK(answers[1].status == Status::no_records);
}

TEST_CASE("HTTP API: errors are per name, with what went wrong") {
  FakeHttp client;
  client.route("http://m/v1/hosts/a.mesos", "<html>proxy error</html>");
  client.route("http://m/v1/hosts/b.mesos", "oops", 500);
  client.route("http://m/v1/services/_c._tcp.mesos", R"([{"service":"x","host":"h.","ip":"1.2.3.4","port":"http"}])");
  auto resolver = make_http_resolver(client, "http://m");
  const auto answers = resolver->resolve({{"a.mesos", RecordType::a}, {"b.mesos", RecordType::a},
                                          {"_c._tcp.mesos", RecordType::srv}});
  CHECK(answers[0].status == Status::error);
  CHECK(answers[0].detail == "http://m/v1/hosts/a.mesos did not answer JSON: is this the Mesos-DNS HTTP API?");
  CHECK(answers[1].status == Status::error);
  CHECK(answers[1].detail == "http://m/v1/hosts/b.mesos answered HTTP 500");
  CHECK(answers[2].status == Status::error);
  CHECK(answers[2].detail == "http://m/v1/services/_c._tcp.mesos: port 'http' is not a number");
}

TEST_CASE("HTTP API: a transport timeout is a timeout, a refused connection is unreachable") {
  FakeHttp client;
  client.fail = mctl::Error("GET http://m/v1/hosts/a.mesos: timed out", mctl::Exit::timeout);
  auto resolver = make_http_resolver(client, "http://m");
  CHECK(resolver->resolve({{"a.mesos", RecordType::a}})[0].status == Status::timeout);
  client.fail = mctl::Error("GET http://m/v1/hosts/a.mesos: connection refused", mctl::Exit::remote);
  CHECK(resolver->resolve({{"a.mesos", RecordType::a}})[0].status == Status::unreachable);
}
