// Decoding Mesos' answers: master and agent state, /files/read (raw bytes in a JSON string),
// statistics, redirects; and the line handling of logs (tails, long lines).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "mesos/logs.hpp"
#include "mesos/parse.hpp"
#include "mesos/top.hpp"

using namespace mctl::mesos;

TEST_CASE("an agent's address comes from its pid") {
  CHECK(address_from_pid("slave(1)@10.0.0.5:5051") == "10.0.0.5:5051");
  CHECK(address_from_pid("slave(1)@127.0.0.1:41234") == "127.0.0.1:41234");
  CHECK_FALSE(address_from_pid("slave(1)").has_value());
  CHECK_FALSE(address_from_pid("slave(1)@10.0.0.5").has_value());
  CHECK(address_from_pid("slave(1)@[::1]:5051") == "[::1]:5051");
  CHECK(address_from_pid("slave(1)@agent-1.example.com:5051") == "agent-1.example.com:5051");
}

TEST_CASE("a pid whose address is not host:port names no agent (it would be put into a URL)") {
  for (const char* pid : {"slave(1)@10.0.0.5:5051/#", "slave(1)@10.0.0.5:5051/files?x=",
                          "slave(1)@10.0.0.5:x", "slave(1)@10.0.0.5:", "slave(1)@:5051",
                          "slave(1)@10.0.0.5:99999", "slave(1)@evil\x1b]0;t:5051",
                          "slave(1)@user:pw@10.0.0.5:5051x"}) {
    CAPTURE(pid);
    CHECK_FALSE(address_from_pid(pid).has_value());
  }
}

TEST_CASE(
    "master state: agents, running and completed tasks; an empty executor_id is the task id") {
  const std::string body =
      R"({"slaves": [{"id": "S1", "hostname": "agent-1", "pid": "slave(1)@10.0.0.1:5051", "active": true}],
    "frameworks": [{"id": "FW", "name": "marathon",
      "tasks": [{"id": "web.instance-aaaa._app.1", "executor_id": "", "slave_id": "S1", "state": "TASK_RUNNING",
                 "resources": {"mem": 128}, "statuses": [{"state": "TASK_RUNNING", "timestamp": 100.5}]}],
      "completed_tasks": [{"id": "web.instance-bbbb._app.1", "executor_id": "ex", "slave_id": "S1", "state": "TASK_FAILED",
                 "statuses": [{"state": "TASK_RUNNING", "timestamp": 50}, {"state": "TASK_FAILED", "timestamp": 60}]}]}]})";
  const auto s = parse_master_state(body, "GET /master/state");
  REQUIRE(s.agents.count("S1") == 1);
  CHECK(s.agents.at("S1").address == "10.0.0.1:5051");
  const auto& running = s.tasks.at("web.instance-aaaa._app.1");
  CHECK(running.executor_id == "web.instance-aaaa._app.1");
  CHECK(running.framework_id == "FW");
  CHECK(running.started == doctest::Approx(100.5));
  CHECK(running.ended == 0);
  CHECK(running.mem_mb == 128);
  const auto& failed = s.tasks.at("web.instance-bbbb._app.1");
  CHECK(failed.executor_id == "ex");
  CHECK(failed.ended == 60);
  CHECK_THROWS_AS(parse_master_state("[1]", "GET /master/state"), mctl::Error);
  CHECK_THROWS_AS(parse_master_state("<html>", "GET /master/state"), mctl::Error);
}

TEST_CASE("master state: a host name or state with terminal escapes comes back printable") {
  const std::string body =
      R"({"slaves": [{"id": "S1", "hostname": "agent\u001b]0;x\u0007", "pid": "slave(1)@10.0.0.1:5051"}],
    "frameworks": [{"id": "FW", "tasks": [{"id": "t1", "slave_id": "S1", "state": "TASK_\u001b[2JRUNNING"}]}]})";
  const auto s = parse_master_state(body, "GET /master/state");
  CHECK(s.agents.at("S1").hostname == "agent\\x1b]0;x\\x07");
  CHECK(s.tasks.at("t1").state == "TASK_\\x1b[2JRUNNING");
}

TEST_CASE("agent state: sandboxes of running and completed executors") {
  const std::string body = R"({"frameworks": [{"id": "FW",
    "executors": [{"id": "t1", "directory": "/var/lib/mesos/slaves/S1/frameworks/FW/executors/t1/runs/c1"}],
    "completed_executors": [{"id": "t0", "directory": "/d0"}]}], "completed_frameworks": []})";
  const auto s = parse_agent_state(body, "GET /state");
  CHECK(s.at("t1").directory == "/var/lib/mesos/slaves/S1/frameworks/FW/executors/t1/runs/c1");
  CHECK_FALSE(s.at("t1").completed);
  CHECK(s.at("t0").completed);
}

TEST_CASE("files/read: data is the file's bytes, invalid UTF-8 and escapes included") {
  // As Mesos writes it: raw bytes >= 0x80, escapes for '"', '\\' and control characters.
  const std::string body =
      "{\"data\":\"a\\\"b\\\\c\\n\xff\xfe\\u001b[0m\\u0000\\t\xc3\x28\",\"offset\":42}";
  const auto c = parse_read(body, "GET /files/read");
  CHECK(c.data == std::string("a\"b\\c\n\xff\xfe\x1b[0m\0\t\xc3\x28", 16));
  CHECK(c.offset == 42);
  CHECK(parse_read(R"({"offset": 1234, "data": ""})", "x").offset == 1234);
  // A proxy that re-encoded the string as proper JSON: \u00e9 is one byte in Mesos' writer,
  // a character above 0xFF is UTF-8.
  CHECK(parse_read(R"({"data":"\u20ac","offset":0})", "x").data == "\xe2\x82\xac");
  CHECK(parse_read(R"({"data":"\ud83d\ude00","offset":0})", "x").data == "\xf0\x9f\x98\x80");
  CHECK_THROWS_AS(parse_read(R"({"offset":0})", "x"), mctl::Error);
  CHECK_THROWS_AS(parse_read(R"({"data":"abc)", "x"), mctl::Error);
  CHECK_THROWS_AS(parse_read("Not Found", "x"), mctl::Error);
}

TEST_CASE("statistics by executor; CPU in cores and throttling from two samples") {
  const std::string first =
      R"([{"executor_id": "t1", "framework_id": "FW", "statistics": {"timestamp": 100.0,
      "cpus_user_time_secs": 10.0, "cpus_system_time_secs": 5.0, "cpus_nr_periods": 1000, "cpus_nr_throttled": 10,
      "mem_rss_bytes": 50000000, "mem_limit_bytes": 167772160}}])";
  const std::string second =
      R"([{"executor_id": "t1", "framework_id": "FW", "statistics": {"timestamp": 102.0,
      "cpus_user_time_secs": 10.8, "cpus_system_time_secs": 5.2, "cpus_nr_periods": 1200, "cpus_nr_throttled": 60,
      "mem_rss_bytes": 160000000, "mem_limit_bytes": 167772160}}])";
  const auto a = parse_statistics(first, "x").at("t1");
  const auto b = parse_statistics(second, "x").at("t1");
  TaskUsage u;
  compute_usage(u, a, b);
  CHECK(*u.cpu_cores == doctest::Approx(0.5));
  CHECK(*u.throttled_pct == doctest::Approx(25.0));
  CHECK(*u.mem_pct() == doctest::Approx(160000000 * 100.0 / 167772160));
  // A containerizer that cannot measure a value omits it: no figure, not zero.
  TaskUsage partial;
  compute_usage(
      partial, std::nullopt,
      parse_statistics(R"([{"executor_id":"t","statistics":{"timestamp":1}}])", "x").at("t"));
  CHECK_FALSE(partial.rss_bytes.has_value());
  CHECK_FALSE(partial.cpu_cores.has_value());
  CHECK_FALSE(partial.mem_pct().has_value());
}

TEST_CASE("the leader's base URL from a 307 Location") {
  CHECK(leader_base_from_location("//10.0.0.2:5050", "http://10.0.0.1:5050") ==
        "http://10.0.0.2:5050");
  CHECK(leader_base_from_location("//10.0.0.2:5050/master/state", "https://m1:5050") ==
        "https://10.0.0.2:5050");
  CHECK(leader_base_from_location("http://m3:5050/master/redirect", "http://m1:5050") ==
        "http://m3:5050");
}

TEST_CASE("short task ids") {
  CHECK(short_task_id("prod_web.instance-1a2b3c4d-0000-4000-8000-000000000000._app.1") ==
        "1a2b3c4d");
  CHECK(short_task_id("web.1a2b3c4d-0000-4000-8000-000000000000") == "1a2b3c4d");
  CHECK(short_task_id("plain") == "plain");
}

TEST_CASE("the last N lines of a file's end") {
  CHECK(last_lines_start("a\nb\nc\n", 2, true) == 2u);
  CHECK(last_lines_start("a\nb\nc", 2, true) == 2u);              // an unfinished last line counts
  CHECK(last_lines_start("a\nb\nc\n", 5, true) == 0u);            // fewer lines than asked: all
  CHECK_FALSE(last_lines_start("b\nc\n", 5, false).has_value());  // read further back
  CHECK(last_lines_start("a\nb\n", 0, true) == 4u);
}

TEST_CASE("lines: complete ones are emitted, an unfinished one waits, an endless one is cut") {
  std::vector<std::string> lines;
  auto emit = [&](std::string_view l) { lines.emplace_back(l); };
  std::string pending = "one\ntw";
  take_lines(pending, 100, emit);
  CHECK(lines == std::vector<std::string>{"one"});
  CHECK(pending == "tw");
  pending += "o\n";
  take_lines(pending, 100, emit);
  CHECK(lines.back() == "two");
  CHECK(pending.empty());
  pending = std::string(250, 'x');
  take_lines(pending, 100, emit);
  CHECK(lines.size() == 4);
  CHECK(pending.size() == 50);
}

TEST_CASE("--task: a unique prefix of the id or short id; a whole id is never ambiguous") {
  const std::string a = "web.instance-1a2b3c4d-0000-4000-8000-000000000000._app.1";
  const std::string b = "web.instance-1a2b3c4d-0000-4000-8000-000000000000._app.10";
  const std::string c = "web.instance-9f8e7d6c-0000-4000-8000-000000000000._app.1";
  const std::vector<TaskRef> tasks{
      {a, "/web", "h1", "s1"}, {b, "/web", "h2", "s2"}, {c, "/web", "h3", "s3"}};
  CHECK(tasks_named(tasks, a) == std::vector<std::string>{a});
  CHECK(tasks_named(tasks, b) == std::vector<std::string>{b});
  CHECK(tasks_named(tasks, "9f8e") == std::vector<std::string>{c});
  CHECK(tasks_named(tasks, "1a2b3c4d").size() == 2);  // the short id of two incarnations
  CHECK(tasks_named(tasks, "web.instance-").size() == 3);
  CHECK(tasks_named(tasks, "nosuch").empty());
}
