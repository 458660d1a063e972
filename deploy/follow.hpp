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
  int new_running = 0; // running tasks of the current config
  int new_healthy = 0; // of those, healthy (all running ones when the app has no health checks)
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

// Every task of the new config that ended badly, whatever source saw it (status updates,
// kills of unhealthy tasks, tasks vanishing while not healthy, lastTaskFailure), counted once
// per task id. Tasks of an older config are not this deploy's failures and are ignored.
class FailedTasks {
 public:
  // Records `end` unless its task is already counted or its version is older than `config`
  // (the app's lastConfigChangeAt). Returns whether it was new.
  bool record(const TaskEnd& end, const std::string& config);
  // One look at the app (GET /v2/apps/{id}): its lastTaskFailure when it is of this config
  // and not older than it, and the tasks of this config seen at the previous look, not
  // healthy then, and gone now.
  // A lastTaskFailure older than `not_before` (the version the change returned) is not counted.
  void observe(const json& app, const std::string& endpoint, const std::string& not_before = "");
  std::size_t size() const { return m_ends.size(); }
  const std::vector<TaskEnd>& ends() const { return m_ends; }  // in the order seen

 private:
  struct Seen {
    std::string version, state, host;
    bool healthy = false;
  };
  std::vector<TaskEnd> m_ends;
  std::map<std::string, Seen> m_seen;  // tasks of the config at the previous look
  int m_instances = 0;
};

// What to show when a deployment did not finish.
struct Diagnostics {
  std::optional<json> last_task_failure;       // only one of the current config
  std::optional<double> launch_delay_seconds;  // launch backoff from the queue: a crash loop
  std::vector<std::string> unhealthy_tasks;    // "task-id on host: cause"
  std::vector<std::string> old_tasks;          // "task-id on host (version v)"
  std::vector<TaskEnd> failures;               // tasks of the new config that ended badly
};
// Extracts diagnostics from the app and the queue (GET /v2/queue's "queue" array). Pure.
// A lastTaskFailure of an older config (or older than it) is left out: it is not this deploy's.
Diagnostics diagnose(const json& app, const json& queue, const std::string& not_before = "");
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
  bool unreachable = false;  // timeout with Marathon unreachable at the end: nothing can be rolled back
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
  // When work on this change began (before sending it): FollowOutcome::elapsed counts from
  // here, like the progress events, so that every elapsed time of one app agrees. Unset: now.
  std::optional<std::chrono::steady_clock::time_point> started;
};

// Following one change, one look at a time, so that one thread can follow many apps.
class Follower {
 public:
  using Clock = std::chrono::steady_clock;
  Follower(MarathonClient& client, Target target, FollowOptions options);
  // Reads the deployments and the app and judges them: the outcome once finished (done,
  // deadline, crash loop, superseded, interrupt), else nullopt and the next look is due at
  // due() or earlier when woken(). Marathon unreachable (restart, leader election) is waited
  // out until the deadline, asking again with backoff and jitter; at the deadline one last
  // read decides. Other errors (4xx, unexpected bodies) throw Error.
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
  std::optional<FollowOutcome> look();
  std::optional<FollowOutcome> outage(const Unreachable& e);
  std::optional<FollowOutcome> check_failures(const json& app);
  MarathonClient& m_client;
  Target m_target;
  FollowOptions m_options;
  Clock::time_point m_started;
  std::vector<std::string> m_all_keys;
  std::vector<std::string> m_listed_keys;
  FollowOutcome m_outcome;
  FailedTasks m_failed;
  int m_outage_tries = 0;  // failed reads in a row (Marathon unreachable)
  Clock::time_point m_outage_since{};
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
