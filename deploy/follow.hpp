#pragma once
// Following a deployment until it is done by mctl's definition of done (README, "Done"):
// the deployment left /v2/deployments, the app runs the version this change wrote, enough
// tasks run (and are healthy when the app has health checks), none of an older config.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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

// One GET /v2/deployments shared by every follower of a command: a follower asks for a list
// read after a given moment; while such a read is in flight the others wait for it instead of
// sending their own. Many apps deployed at once then cost one request per wake-up, and one
// parsed copy of the list in memory.
class DeploymentsFeed {
 public:
  using Clock = std::chrono::steady_clock;
  explicit DeploymentsFeed(MarathonClient& client) : m_client(client) {}
  DeploymentsFeed(const DeploymentsFeed&) = delete;
  DeploymentsFeed& operator=(const DeploymentsFeed&) = delete;
  // The deployments list as read by a request sent at or after `not_before`. Throws Error
  // like MarathonClient::deployments() when this caller's own read fails.
  std::shared_ptr<const json> get(Clock::time_point not_before);
  std::uint64_t requests() const;  // reads sent so far (for tests)

 private:
  MarathonClient& m_client;
  mutable std::mutex m_mutex;
  std::condition_variable m_done;
  std::shared_ptr<const json> m_latest;
  Clock::time_point m_latest_sent{};
  bool m_in_flight = false;
  Clock::time_point m_in_flight_sent{};
  std::uint64_t m_requests = 0;
};

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
  std::chrono::milliseconds poll_interval_near_end{200};  // no events, last step, all tasks running
  int crash_loop_failures = 3;                   // failed tasks of the new config => give up
  const std::atomic<bool>* interrupted = nullptr;
  const EventHub* events = nullptr;
  DeploymentsFeed* deployments = nullptr;         // shared reads of /v2/deployments (else its own)
  std::function<void(const Progress&)> on_progress;  // called when the picture changes
};

// Following one change, one look at a time, so that one thread can follow many apps.
class Follower {
 public:
  using Clock = std::chrono::steady_clock;
  Follower(MarathonClient& client, Target target, FollowOptions options);
  // Reads the deployments and the app and judges them: the outcome once finished (done,
  // deadline, crash loop, superseded, interrupt), else nullopt and the next look is due at
  // due() or earlier when woken(). Errors talking to Marathon throw Error.
  std::optional<FollowOutcome> poll();
  Clock::time_point due() const { return m_due; }
  // Whether an event since the last poll asks for a look now.
  bool woken() const;
  bool live() const { return m_live; }  // the event stream was attached at the last poll
  const std::vector<std::string>& wake_keys() const { return m_listed ? m_listed_keys : m_all_keys; }
  std::uint64_t wake_seen() const { return m_seen; }
  const Target& target() const { return m_target; }

 private:
  FollowOutcome finish(FollowResult result, const std::optional<json>& app, bool with_queue);
  MarathonClient& m_client;
  Target m_target;
  FollowOptions m_options;
  Clock::time_point m_started;
  std::vector<std::string> m_all_keys;
  std::vector<std::string> m_listed_keys;
  FollowOutcome m_outcome;
  std::map<std::string, std::string> m_failed;  // task id -> app version
  bool m_first = true;
  bool m_live = false;
  bool m_listed = false;
  std::uint64_t m_seen = 0;
  Clock::time_point m_due;
};

// Polls (woken early by events) until done, the deadline, a crash loop, a superseding
// change or an interrupt. Errors talking to Marathon throw Error.
FollowOutcome follow(MarathonClient& client, const Target& target, const FollowOptions& options);

}  // namespace mctl::deploy
