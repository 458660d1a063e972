#pragma once
// Following a deployment until it is done by mctl's definition of done (README, "Done"):
// the deployment left /v2/deployments, the app runs the version this change wrote, enough
// tasks run (and are healthy when the app has health checks), none of an older config.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deploy/events.hpp"
#include "deploy/marathon_client.hpp"

namespace mctl::deploy {

struct Target {
  std::string app_id;
  std::string deployment_id;       // empty: nothing listed to wait for
  std::string version;             // what the change returned; empty: not checked
  std::optional<json> definition;  // set for rollbacks: the running definition must equal it
  bool expect_deleted = false;     // destroy, or the rollback of an app that was new
};

// What a person watching wants to see, taken from one poll.
struct Progress {
  std::string app_id;
  bool deployment_listed = false;
  int step = 0;
  int total_steps = 0;
  std::string action;  // e.g. "RestartApplication"
  int instances = 0;
  int running = 0;
  int healthy = 0;
  int unhealthy = 0;
  int staged = 0;
  int old_tasks = 0;   // running tasks of an older config
  bool has_health = false;
  std::string version; // the app's current version
  std::string waiting_for;
};

enum class Verdict { waiting, done, superseded, vanished };

struct Judgement {
  Verdict verdict = Verdict::waiting;
  Progress progress;
  std::string reason;  // for superseded / vanished
};

// Judges one poll: the app (nullopt = 404) and the /v2/deployments list. Pure.
Judgement judge(const Target& target, const std::optional<json>& app, const json& deployments);

// What to show when a deployment did not finish.
struct Diagnostics {
  std::optional<json> last_task_failure;
  std::optional<double> launch_delay_seconds;  // launch backoff from the queue: a crash loop
  std::vector<std::string> unhealthy_tasks;    // "task-id on host: cause"
  std::vector<std::string> old_tasks;          // "task-id on host (version v)"
  int failures = 0;                            // failed tasks of the current config seen
};
// Extracts diagnostics from the app and the queue (GET /v2/queue's "queue" array). Pure.
Diagnostics diagnose(const json& app, const json& queue);
// Lines a person can act on ("last task failure: ... on host ...").
std::vector<std::string> describe(const Diagnostics& d);

enum class FollowResult { done, timeout, crash_loop, superseded, vanished, interrupted };

struct FollowOutcome {
  FollowResult result = FollowResult::timeout;
  Progress last;
  Diagnostics diagnostics;
  std::string reason;
  std::chrono::milliseconds elapsed{0};
};

struct FollowOptions {
  std::chrono::steady_clock::time_point deadline;
  std::chrono::milliseconds poll_interval{1000};  // with a live event stream
  std::chrono::milliseconds poll_interval_no_events{500};
  int crash_loop_failures = 3;                   // failed tasks of the new config => give up
  const std::atomic<bool>* interrupted = nullptr;
  const EventHub* events = nullptr;
  std::function<void(const Progress&)> on_progress;  // called when the picture changes
};

// Polls (woken early by events) until done, the deadline, a crash loop, a superseding
// change or an interrupt. Errors talking to Marathon throw Error.
FollowOutcome follow(MarathonClient& client, const Target& target, const FollowOptions& options);

}  // namespace mctl::deploy
