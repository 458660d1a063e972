// libFuzzer: Marathon's answers as the deploy follower reads them. Input byte 0 selects what
// the rest is:
//   'A' a GET /v2/apps/{id} body: parse::app, then judge, the failed-task count and diagnose;
//   'L' a GET /v2/apps body (parse::apps), each app judged as above;
//   'D' a GET /v2/deployments body: parse::deployments, then judge with a fixed app;
//   'Q' a GET /v2/queue body: parse::queue, then diagnose with a fixed app;
//   'V' a GET /v2/apps/{id}/versions body;
//   'E' an event stream (text/event-stream), fed in two pieces to the SSE parser and every
//       event to EventHub::handle, then the failed tasks it recorded to a FailedTasks.
// The only exception allowed out of any of these is mctl::Error (the one clear error for an
// unexpected body); anything else (json::type_error, out_of_range, ...) is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "deploy/events.hpp"
#include "deploy/follow.hpp"
#include "deploy/marathon_client.hpp"
#include "deploy/sse.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace {
using mctl::deploy::json;
namespace d = mctl::deploy;

const char* k_app =
    R"({"id":"/web","instances":2,"tasksRunning":1,"tasksHealthy":0,"version":"2026-01-02T00:00:00.000Z",)"
    R"("versionInfo":{"lastConfigChangeAt":"2026-01-02T00:00:00.000Z"},"healthChecks":[{"protocol":"HTTP"}],)"
    R"("tasks":[{"id":"web.i1._app.1","state":"TASK_RUNNING","version":"2026-01-02T00:00:00.000Z"}]})";
const d::Target k_target{"/web", "d1", "2026-01-02T00:00:00.000Z", std::nullopt, false};

void follow_app(const json& app, const json& deployments) {
  (void)d::judge(k_target, app, deployments);
  d::FailedTasks failed;
  failed.observe(app, "GET /v2/apps/web", k_target.version);
  failed.observe(app, "GET /v2/apps/web", k_target.version);
  (void)d::describe(d::diagnose(app, json::array(), k_target.version));
}

void one(char mode, const std::string& body) {
  switch (mode) {
    case 'A':
      follow_app(d::parse::app(body, "GET /v2/apps/web"), json::array());
      break;
    case 'L':
      for (const auto& app : d::parse::apps(body, "GET /v2/apps")) follow_app(app, json::array());
      break;
    case 'D':
      (void)d::judge(k_target, json::parse(k_app), d::parse::deployments(body, "GET /v2/deployments"));
      break;
    case 'Q':
      (void)d::describe(d::diagnose(json::parse(k_app), d::parse::queue(body, "GET /v2/queue")));
      break;
    case 'V':
      (void)d::parse::versions(body, "GET /v2/apps/web/versions");
      break;
    case 'E': {
      d::EventHub hub;
      d::SseParser parser;
      const auto on_event = [&](const std::string& type, const std::string& data) {
        const json j = json::parse(data, nullptr, false);
        if (!j.is_discarded()) hub.handle(type, j);
      };
      const std::size_t half = body.size() / 2;
      parser.feed(std::string_view(body).substr(0, half), on_event);
      parser.feed(std::string_view(body).substr(half), on_event);
      d::FailedTasks failed;
      for (const auto& [task, end] : hub.failed_tasks("/web")) failed.record(end, k_target.version);
      (void)hub.generation({"/web", "d1", d::EventHub::failures_key("/web")});
      break;
    }
    default:
      break;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    one(static_cast<char>(data[0]), body);
  } catch (const mctl::Error&) {
    // the one clear error for an unexpected body
  } catch (...) {
    std::abort();  // anything else would escape a deploy worker
  }
  return 0;
}
