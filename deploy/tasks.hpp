#pragma once
// An app's tasks as `mctl tasks` shows them, finding one task from an id or a prefix for
// `mctl kill`, and Marathon's launch queue (`mctl queue`): why a task is not starting.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "deploy/deployer.hpp"
#include "deploy/marathon_client.hpp"

namespace mctl::deploy {

using nlohmann::json;

// "2b1f0c7e" for "web.instance-2b1f0c7e-....._app.1" (Marathon 1.4+) or "web.2b1f0c7e-..."
// (older ids): the first 8 characters of the id's UUID part; the whole id when it has none.
std::string short_task_id(const std::string& task_id);

struct TaskRow {
  std::string id;
  std::string short_id;
  std::string app_id;
  std::string host;
  std::string state;       // TASK_RUNNING, TASK_STAGING, ...
  std::string health;      // healthy, unhealthy, unknown (checks, no result yet), "-" (no checks)
  std::string version;     // the app version the task was launched with
  bool current = false;    // launched with the app's current config (not an older definition)
  std::vector<int> ports;
  std::string started_at;  // "" while staging
};

// The tasks of `app` (GET /v2/apps/{id}, tasks embedded), oldest first. A task is current
// when its version is not older than the app's versionInfo.lastConfigChangeAt (a scale-only
// version does not make the tasks that ran before it old).
std::vector<TaskRow> task_rows(const json& app);
json tasks_json(const std::vector<TaskRow>& rows);
std::string tasks_table(const std::vector<TaskRow>& rows);

// THE rule for what a TASK argument names: the task whose id equals `arg`, or else the one
// task whose id or short id starts with it. `tasks` is GET /v2/tasks' array. No task:
// Error(Exit::no_records); several: Error(Exit::usage) listing them.
json resolve_task(const json& tasks, const std::string& arg);

struct KillResult {
  json task;         // the task as it was before the kill
  AppResult result;  // with scale: the scale deployment followed like `mctl scale`
};

// mctl kill: kills the task `task` (as resolve_task returned it). Without `scale`, Marathon
// starts a replacement; with it, the app's instances go down by one and the deployment that
// makes is followed (when `wait`). A lost answer is judged by reading the app back, so a
// retry never kills another task.
KillResult kill_task(MarathonClient& client, const json& task, bool scale, bool wipe, const DeployOptions& options,
                     bool wait);

// One entry of the launch queue, in words.
struct QueueRow {
  std::string app_id;
  int waiting = 0;                   // instances waiting to launch
  std::string since;
  int delay_left_s = 0;              // launch backoff left (a crash loop), 0: none
  bool overdue = true;               // no delay in the way
  int offers_processed = 0;
  int offers_unused = 0;
  std::vector<std::string> reasons;  // "InsufficientCpus: 75 of 123 offers", most declined first
  std::string hint;                  // what the app asks for when resources are the reason
};

std::vector<QueueRow> queue_rows(const json& queue, const std::string& app_id = "");
json queue_json(const std::vector<QueueRow>& rows);
std::string queue_text(const std::vector<QueueRow>& rows);

// mctl queue reset: DELETE /v2/queue/{app}/delay. Not queued: Error(Exit::no_records).
void reset_queue_delay(MarathonClient& client, const std::string& app_id);

}  // namespace mctl::deploy
