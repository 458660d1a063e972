#include <doctest/doctest.h>

#include <map>

#include "core/error.hpp"
#include "dns/app.hpp"

using namespace mctl::dns;

namespace {

// Answers from a table; names not in it are NXDOMAIN. Remembers how often it was asked.
class FakeResolver : public Resolver {
 public:
  std::map<std::string, Answer> table;
  int batches = 0;
  std::vector<Answer> resolve(const std::vector<Question>& questions) override {
    ++batches;
    std::vector<Answer> out;
    for (const auto& q : questions) {
      auto it = table.find(q.name + "/" + to_string(q.type));
      if (it != table.end()) {
        out.push_back(it->second);
      } else {
        out.push_back({q.name, q.type, Status::no_records, "NXDOMAIN", {}});
      }
    }
    return out;
  }
  std::string describe() const override { return "fake:53"; }
  void add(const std::string& name, RecordType type, std::vector<Record> records, Status status = Status::ok,
           std::string detail = "") {
    table[name + "/" + to_string(type)] = {name, type, status, std::move(detail), std::move(records)};
  }
};

void add_api_gateway(FakeResolver& r) {
  const std::string s0 = "api-gateway-u6qfb-s0.marathon.mesos", s2 = "api-gateway-sd1su-s2.marathon.mesos";
  r.add("api-gateway.marathon.mesos", RecordType::a, {{"", "10.10.1.21"}, {"", "10.10.1.23"}});
  r.add("_api-gateway._tcp.marathon.mesos", RecordType::srv,
        {{s0, "10.10.1.21", 31100}, {s0, "10.10.1.21", 31101}, {s2, "10.10.1.23", 31740}, {s2, "10.10.1.23", 31741}});
  r.add("_http._api-gateway._tcp.marathon.mesos", RecordType::srv, {{s0, "10.10.1.21", 31100}, {s2, "10.10.1.23", 31740}});
  r.add("_admin._api-gateway._tcp.marathon.mesos", RecordType::srv, {{s0, "10.10.1.21", 31101}, {s2, "10.10.1.23", 31741}});
  r.add("_api-gateway._tcp.marathon.slave.mesos", RecordType::srv,
        {{"a.slave", "10.10.1.21", 31100}, {"a.slave", "10.10.1.21", 31101}, {"b.slave", "10.10.1.23", 31740},
         {"b.slave", "10.10.1.23", 31741}});
}

}  // namespace

TEST_CASE("an app's tasks come with the names of their ports, in one batch") {
  FakeResolver r;
  add_api_gateway(r);
  const auto report = lookup_app(r, "/api-gateway", {}, {"http", "admin"});
  CHECK(r.batches == 1);
  REQUIRE(report.tasks.size() == 4);
  CHECK(report.tasks[0].ip == "10.10.1.21");
  CHECK(report.tasks[0].port == 31100);
  CHECK(report.tasks[0].port_names == std::vector<std::string>{"http"});
  CHECK(report.tasks[1].port == 31101);
  CHECK(report.tasks[1].port_names == std::vector<std::string>{"admin"});
  CHECK(report.tasks[3].host == "api-gateway-sd1su-s2.marathon.mesos");
  CHECK(report.tasks[3].port_names == std::vector<std::string>{"admin"});
  CHECK(report.tasks[3].protocol == "tcp");
}

TEST_CASE("without --port-name the tasks have no port names") {
  FakeResolver r;
  add_api_gateway(r);
  const auto report = lookup_app(r, "/api-gateway", {});
  REQUIRE(report.tasks.size() == 4);
  CHECK(report.tasks[0].port_names.empty());
}

TEST_CASE("an app with no tasks gives an empty table, not an error") {
  FakeResolver r;
  const auto report = lookup_app(r, "/idle-worker", {});
  CHECK(report.tasks.empty());
  CHECK(report.names.size() == 6);
  CHECK(report.names[0].answer.status == Status::no_records);
}

TEST_CASE("an app without ports is found through its A records") {
  FakeResolver r;
  r.add("batch-job.marathon.mesos", RecordType::a, {{"", "10.10.1.22"}});
  const auto report = lookup_app(r, "/batch-job", {});
  REQUIRE(report.tasks.size() == 1);
  CHECK(report.tasks[0].ip == "10.10.1.22");
  CHECK(report.tasks[0].port == 0);
}

TEST_CASE("a timeout or a refusal of any name fails the app lookup with its exit code") {
  FakeResolver r;
  add_api_gateway(r);
  r.add("_api-gateway._udp.marathon.mesos", RecordType::srv, {}, Status::timeout, "no answer from fake:53 within 5s");
  try {
    lookup_app(r, "/api-gateway", {});
    FAIL("expected an error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::timeout);
    CHECK(std::string(e.what()) ==
          "looking up app /api-gateway at fake:53: _api-gateway._udp.marathon.mesos SRV: no answer from fake:53 within 5s");
  }
  r.add("_api-gateway._udp.marathon.mesos", RecordType::srv, {}, Status::refused, "fake:53 refused the query (REFUSED)");
  CHECK_THROWS_AS(lookup_app(r, "/api-gateway", {}), mctl::Error);
  try {
    lookup_app(r, "/api-gateway", {});
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::remote);
  }
}

TEST_CASE("app_tasks prefers agent endpoints, then task endpoints, then task IPs") {
  FakeResolver r;
  add_api_gateway(r);
  CHECK(app_tasks(r, "/api-gateway") ==
        std::set<std::string>{"10.10.1.21:31100", "10.10.1.21:31101", "10.10.1.23:31740", "10.10.1.23:31741"});
  FakeResolver overlay;
  overlay.add("_web-api-prod._tcp.marathon.mesos", RecordType::srv,
              {{"web-api-prod-krcpn-s1.marathon.mesos", "9.0.1.5", 8080}, {"web-api-prod-ooj71-s2.marathon.mesos", "9.0.2.7", 8080}});
  CHECK(app_tasks(overlay, "/prod/api/web") == std::set<std::string>{"9.0.1.5:8080", "9.0.2.7:8080"});
  FakeResolver a_only;
  a_only.add("job.marathon.mesos", RecordType::a, {{"", "10.0.0.9"}});
  CHECK(app_tasks(a_only, "/job") == std::set<std::string>{"10.0.0.9"});
  FakeResolver none;
  CHECK(app_tasks(none, "/idle-worker").empty());
}
