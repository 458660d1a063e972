#include <doctest/doctest.h>

#include <algorithm>
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
  std::vector<std::string> asked;
  std::vector<Answer> resolve(const std::vector<Question>& questions) override {
    ++batches;
    std::vector<Answer> out;
    for (const auto& q : questions) {
      CHECK_MESSAGE(name_problem(q.name).empty(), "asked a name no DNS query can carry: ", q.name);
      asked.push_back(q.name);
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

TEST_CASE("a name that fails is reported and does not hide the answers of the others") {
  FakeResolver r;
  add_api_gateway(r);
  r.add("_api-gateway._udp.marathon.mesos", RecordType::srv, {}, Status::timeout, "no answer from fake:53 within 5s");
  r.add("api-gateway.marathon.slave.mesos", RecordType::a, {}, Status::refused, "fake:53 refused the query (REFUSED)");
  const auto report = lookup_app(r, "/api-gateway", {}, {"http"});
  CHECK(report.tasks.size() == 4);
  const auto failed = failures(report);
  REQUIRE(failed.size() == 2);
  CHECK(failed[0]->name.name == "api-gateway.marathon.slave.mesos");
  CHECK(failed[0]->answer.status == Status::refused);
  CHECK(failed[1]->name.name == "_api-gateway._udp.marathon.mesos");
  CHECK(exit_code(failed[1]->answer.status) == mctl::Exit::timeout);
  // app_tasks (deploy --verify-dns) needs every name of its form: it still fails, naming it.
  try {
    app_tasks(r, "/api-gateway");
    FAIL("expected an error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::remote);
    CHECK(std::string(e.what()) == "looking up app /api-gateway at fake:53: api-gateway.marathon.slave.mesos A: "
                                   "fake:53 refused the query (REFUSED)");
  }
}

TEST_CASE("an app id cut to 63 characters: names no query can carry are listed, not asked") {
  const std::string id = "/analytics/realtime-event-aggregation-service-for-clickstream/ingest-pipeline";
  const std::string cut = "ingest-pipeline-realtime-event-aggregation-service-for-clickstr";
  const std::string dotted = "ingest-pipeline.realtime-event-aggregation-service-for-clickstream.analytics";
  FakeResolver r;
  r.add(cut + ".marathon.mesos", RecordType::a, {{"", "10.10.7.1"}});
  r.add("_" + dotted + "._tcp.marathon.mesos", RecordType::srv, {{dotted + "-k3m9q-s0.marathon.mesos", "10.10.7.1", 31700}});
  const auto report = lookup_app(r, id, {}, {"http"});
  CHECK(failures(report).empty());
  // The tasks come from the dotted form's SRV name, since the mangled one cannot exist.
  REQUIRE(report.tasks.size() == 1);
  CHECK(report.tasks[0].host == dotted + "-k3m9q-s0.marathon.mesos");
  CHECK(report.tasks[0].port == 31700);
  std::size_t not_asked = 0;
  for (const auto& nr : report.names) {
    const bool asked = std::find(r.asked.begin(), r.asked.end(), nr.name.name) != r.asked.end();
    CHECK(asked == nr.name.problem.empty());
    if (!asked) {
      ++not_asked;
      CHECK(nr.answer.status == Status::invalid);
      CHECK(nr.name.name.find("_" + cut + ".") != std::string::npos);  // only the "_" + 63-character labels
    }
  }
  CHECK(not_asked == 6);  // _tcp, _udp, each with .slave, and the named port's
  CHECK(app_tasks(r, id) == std::set<std::string>{"10.10.7.1:31700"});
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
