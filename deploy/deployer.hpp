#pragma once
// Deploying apps: diff, PUT, follow until done, roll back on failure; several apps at once in
// dependency order. Also the shared "change, wait, report" path of the operating commands.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "deploy/diff.hpp"
#include "deploy/events.hpp"
#include "deploy/follow.hpp"
#include "deploy/marathon_client.hpp"

namespace mctl::deploy {

struct AppJob {
  std::string id;        // absolute Marathon app id
  json definition;       // rendered app definition
  std::string source;    // spec file, for messages
  // Where a JSON pointer of `definition` came from in the spec ("file:line:col", "" when
  // unknown); unset for .json definitions. Used to point Marathon's 422 details at the YAML.
  std::function<std::string(const std::string& pointer)> locate;
};

enum class AppStatus { up_to_date, deployed, failed, rolled_back, rollback_failed, skipped, interrupted };
const char* status_name(AppStatus s);

struct AppResult {
  std::string id;
  AppStatus status = AppStatus::failed;
  Exit exit = Exit::ok;
  std::string message;                 // one line: what happened
  std::vector<std::string> details;    // diagnostics lines
  std::vector<FieldChange> changes;
  std::string deployment_id;
  std::string version;                 // the version this deploy wrote
  std::string previous_version;        // what ran before ("" for a new app)
  Progress last;                       // the last picture seen
  std::chrono::milliseconds elapsed{0};
};

// One line of progress for the CLI to show. phase: pending, locked, deploying, rolling-back,
// up-to-date, deployed, rolled-back, rollback-failed, failed, skipped, interrupted.
struct DeployEvent {
  std::string app;
  std::string phase;
  std::optional<Progress> progress;
  std::string message;
  std::chrono::milliseconds elapsed{0};
};

struct DeployOptions {
  std::chrono::milliseconds timeout{600'000};
  std::optional<std::chrono::milliseconds> rollback_timeout;  // default: timeout
  int parallel = 4;
  bool rollback = true;
  bool force = false;           // on 409, cancel the blocking deployments (force=true)
  bool force_restart = false;   // restart even when the definition is unchanged
  std::string git_sha;          // MCTL_GIT_SHA label ("" to leave out)
  std::string deployed_at;      // MCTL_DEPLOYED_AT label
  int crash_loop_failures = 3;
  std::chrono::milliseconds poll_interval{1000};
  const std::atomic<bool>* interrupted = nullptr;
  EventHub* events = nullptr;  // the deploy sets its listener
  // Called before an app's first write to Marathon (its reads go first): the command waits
  // here for the event stream to attach, so reads and attaching overlap. May be empty.
  std::function<void()> before_write;
  DeploymentsFeed* deployments = nullptr;  // shared /v2/deployments reads; deploy_apps makes one when unset
  std::function<void(const DeployEvent&)> on_event;  // may be called from several threads
  // Called with an app's changes just before they are sent (a new app: every field), so a
  // person sees what is about to happen. May be called from several threads.
  std::function<void(const std::string& app_id, const std::vector<FieldChange>& changes, bool new_app)> on_changes;
};

// The definition that would be sent: the rendered one with id and mctl's labels. When the
// only change from `running` is `instances` (and no restart is forced), mctl's labels keep
// their running values: a new MCTL_DEPLOYED_AT would be a config change, and Marathon would
// replace every task instead of just scaling.
json desired_definition(const AppJob& job, const DeployOptions& options,
                        const std::optional<json>& running = std::nullopt);

// Deploys every job (at most `parallel` at once, dependencies first). An app whose
// dependency failed is skipped. Never throws for a single app's failure: it is in its result.
std::vector<AppResult> deploy_apps(MarathonClient& client, const std::vector<AppJob>& jobs, const DeployOptions& options);

// A change request of an operating command; `force` is set after a 409 when --force was given.
using SendChange = std::function<Change(bool force)>;

// Sends a change (waiting out 409 locks until the deadline, or forcing with options.force) and
// follows it like a deploy, without rolling back. `target_for` builds what "done" means from
// the change's answer.
AppResult apply_change(MarathonClient& client, const std::string& app_id, const SendChange& send,
                       const std::function<Target(const Change&)>& target_for, const DeployOptions& options,
                       bool wait = true);

// A deadline long enough for the app's health checks and rolling restart: grace period plus
// enough check intervals, for each batch of tasks the upgrade strategy allows at once.
std::chrono::milliseconds suggested_timeout(const json& definition);

// The process exit code for a set of results (worst wins; 130 when interrupted).
Exit overall_exit(const std::vector<AppResult>& results);

}  // namespace mctl::deploy
