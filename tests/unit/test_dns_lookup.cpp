// What `mctl dns lookup` asks for a name or a --batch file, and how it shows the answers.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "dns/lookup.hpp"

using namespace mctl::dns;
using mctl::Error;
using mctl::Exit;
namespace fs = std::filesystem;

namespace {

// The message and exit code of what `f` throws (fails the test when it throws nothing).
template <typename F>
std::pair<std::string, Exit> error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.what(), e.exit_code()};
  }
  FAIL("no error thrown");
  return {};
}

class NamedResolver : public Resolver {
 public:
  std::vector<Answer> resolve(const std::vector<Question>&) override { return {}; }
  std::string describe() const override { return "127.0.0.1:53"; }
};

}  // namespace

TEST_CASE("questions_for: auto is SRV for _service names, A otherwise; ANY asks both") {
  CHECK(questions_for("_web._tcp.marathon.mesos", "auto").front().type == RecordType::srv);
  CHECK(questions_for("web.marathon.mesos", "auto").front().type == RecordType::a);
  CHECK(questions_for("web.marathon.mesos", "srv").front().type == RecordType::srv);
  CHECK(questions_for("web.marathon.mesos", "any").size() == 2);
  CHECK(error_of([] { questions_for("web.marathon.mesos", "MX"); }).second == Exit::usage);
  const auto app_id = error_of([] { questions_for("/prod/web", "auto"); });
  CHECK(app_id.second == Exit::usage);
  CHECK(app_id.first.find("mctl dns app /prod/web") != std::string::npos);
}

TEST_CASE("read_batch: '-' reads the stream given; comments, blank lines and default types") {
  std::istringstream in("# names\n\nweb.marathon.mesos\n  _web._tcp.marathon.mesos  \napi.marathon.mesos any\n");
  const auto q = read_batch("-", in, "auto");
  REQUIRE(q.size() == 4);
  CHECK(q[0].name == "web.marathon.mesos");
  CHECK(q[0].type == RecordType::a);
  CHECK(q[1].type == RecordType::srv);
  CHECK(q[2].type == RecordType::a);
  CHECK(q[3].type == RecordType::srv);
}

TEST_CASE("read_batch: a bad line names its source and line; no names is an error") {
  std::istringstream bad("web.marathon.mesos\nweb.marathon.mesos A extra\n");
  const auto e = error_of([&] { read_batch("-", bad, "auto"); });
  CHECK(e.second == Exit::usage);
  CHECK(e.first.rfind("stdin:2: expected 'NAME [TYPE]'", 0) == 0);
  std::istringstream empty("# nothing\n\n");
  CHECK(error_of([&] { read_batch("-", empty, "auto"); }).first == "stdin: no names to look up");
}

TEST_CASE("read_batch: a file by name, and a missing file is bad input") {
  const fs::path file = fs::temp_directory_path() / ("mctl-dns-batch-" + std::to_string(::getpid()));
  std::ofstream(file) << "web.marathon.mesos srv\n/prod/web\n";
  std::istringstream unused("never.read");
  const auto e = error_of([&] { read_batch(file.string(), unused, "auto"); });
  CHECK(e.first.rfind(file.string() + ":2: ", 0) == 0);
  std::ofstream(file) << "web.marathon.mesos srv\n";
  const auto q = read_batch(file.string(), unused, "a");
  REQUIRE(q.size() == 1);
  CHECK(q[0].type == RecordType::srv);
  fs::remove(file);
  const auto missing = error_of([&] { read_batch(file.string(), unused, "auto"); });
  CHECK(missing.second == Exit::usage);
  CHECK(missing.first.rfind("reading the --batch file: ", 0) == 0);
}

TEST_CASE("answers_text: sorted by name and type, columns aligned; --short gives ip or ip:port") {
  const std::vector<Answer> answers = {
      {"web.marathon.mesos", RecordType::srv, Status::ok, "", {{"web-1.marathon.mesos", "10.0.0.2", 31000, 0, 0}}},
      {"api.marathon.mesos", RecordType::a, Status::ok, "", {{"", "10.0.0.1", 0, 0, 0}}},
  };
  CHECK(answers_text(answers, false) ==
        "NAME                TYPE  IP        PORT   TARGET\n"
        "api.marathon.mesos  A     10.0.0.1\n"
        "web.marathon.mesos  SRV   10.0.0.2  31000  web-1.marathon.mesos\n");
  CHECK(answers_text(answers, true) == "10.0.0.1\n10.0.0.2:31000\n");
  CHECK(answers_text({{"x.mesos", RecordType::a, Status::no_records, "NXDOMAIN", {}}}, false).empty());
  const NamedResolver resolver;
  const auto doc = answers_json(resolver, {{"x.mesos", RecordType::a, Status::no_records, "NXDOMAIN", {}}});
  CHECK(doc["server"] == "127.0.0.1:53");
  CHECK(doc["results"][0]["status"] == to_string(Status::no_records));
  CHECK(doc["results"][0]["detail"] == "NXDOMAIN");
}

TEST_CASE("check_app_found: no records at all is exit 8; every asked name failing is that failure") {
  const NamedResolver resolver;
  AppReport report;
  report.app_id = "/web";
  report.names.push_back({AppName{"web.marathon.mesos", RecordType::a, "task", ""},
                          Answer{"web.marathon.mesos", RecordType::a, Status::no_records, "NXDOMAIN", {}}});
  const auto none = error_of([&] { check_app_found(resolver, report); });
  CHECK(none.second == Exit::no_records);
  CHECK(none.first.rfind("app /web: no records for web.marathon.mesos (NXDOMAIN)", 0) == 0);
  report.names.front().answer.status = Status::timeout;
  report.names.front().answer.detail = "no answer";
  const auto timeout = error_of([&] { check_app_found(resolver, report); });
  CHECK(timeout.second == Exit::timeout);
  CHECK(timeout.first == "looking up app /web at 127.0.0.1:53: web.marathon.mesos A: no answer");
  report.tasks.push_back({"web-1", "10.0.0.1", 0, "", {}});
  CHECK_NOTHROW(check_app_found(resolver, report));
}
