#include "deploy/deployer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/log.hpp"
#include "deploy/plan.hpp"

namespace mctl::deploy {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t);
}

void emit(const DeployOptions& o, const std::string& app, const std::string& phase, Clock::time_point started,
          std::string message = "", std::optional<Progress> progress = std::nullopt) {
  if (o.on_event) o.on_event(DeployEvent{app, phase, std::move(progress), std::move(message), since(started)});
}

bool interrupted(const DeployOptions& o) { return o.interrupted && *o.interrupted; }

// Waits until none of `ids` is listed in /v2/deployments, or the deadline/interrupt.
bool wait_for_unlock(MarathonClient& client, const std::vector<std::string>& ids, Clock::time_point deadline,
                     const DeployOptions& o) {
  for (;;) {
    const json deployments = client.deployments();
    const bool any = std::any_of(deployments.begin(), deployments.end(), [&](const json& d) {
      return std::find(ids.begin(), ids.end(), d.value("id", "")) != ids.end();
    });
    if (!any) return true;
    if (Clock::now() >= deadline || interrupted(o)) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// Sends, handling 409: force when allowed, else wait for the blocking deployments.
std::optional<Change> submit(MarathonClient& client, const std::string& app_id, const SendChange& send,
                             Clock::time_point deadline, Clock::time_point started, const DeployOptions& o,
                             std::string& problem) {
  bool force = false;
  for (;;) {
    Change c = send(force);
    if (!c.locked()) return c;
    if (o.force) {
      emit(o, app_id, "locked", started, fmt::format("locked by deployment {}; forcing (--force)", fmt::join(c.locked_by, ", ")));
      force = true;
      continue;
    }
    emit(o, app_id, "locked", started, fmt::format("locked by deployment {}; waiting for it (or use --force)", fmt::join(c.locked_by, ", ")));
    if (!wait_for_unlock(client, c.locked_by, deadline, o)) {
      problem = fmt::format("app {} stayed locked by deployment {} until the deadline; rerun with --force to cancel it",
                            app_id, fmt::join(c.locked_by, ", "));
      return std::nullopt;
    }
  }
}

FollowOptions follow_options(const DeployOptions& o, Clock::time_point deadline, const std::string& app_id,
                             Clock::time_point started, const std::string& phase) {
  FollowOptions f;
  f.deadline = deadline;
  f.poll_interval = o.poll_interval;
  f.crash_loop_failures = o.crash_loop_failures;
  f.interrupted = o.interrupted;
  f.events = o.events;
  f.on_progress = [&o, app_id, started, phase](const Progress& p) { emit(o, app_id, phase, started, "", p); };
  return f;
}

void add_follow_details(AppResult& r, const FollowOutcome& f) {
  r.last = f.last;
  for (auto& line : describe(f.diagnostics)) r.details.push_back(std::move(line));
}

// Restores what ran before: cancel the deployment (Marathon reverts it), or, when it is
// gone, re-deploy the previous version with force.
void roll_back(MarathonClient& client, const std::optional<json>& before, AppResult& r, const DeployOptions& o,
               Clock::time_point started) {
  emit(o, r.id, "rolling-back", started, "cancelling the deployment; Marathon reverts it");
  const auto deadline = Clock::now() + o.rollback_timeout.value_or(o.timeout);
  Target t{r.id, "", "", before, !before.has_value()};
  auto c = client.cancel_deployment(r.deployment_id, false);
  if (c && !c->deployment_id.empty()) {
    t.deployment_id = c->deployment_id;
  } else if (before) {
    Change p = client.put_app(r.id, json{{"version", before->value("version", "")}}, true, true, {});
    t.deployment_id = p.deployment_id;
  } else {
    t.deployment_id = client.delete_app(r.id).deployment_id;
  }
  const FollowOutcome f = follow(client, t, follow_options(o, deadline, r.id, started, "rolling-back"));
  if (f.result == FollowResult::done) {
    r.status = AppStatus::rolled_back;
    r.exit = Exit::rolled_back;
    r.message += before ? fmt::format("; rolled back to version {}", before->value("version", "?"))
                        : "; rolled back (the new app was removed)";
  } else if (f.result == FollowResult::interrupted) {
    r.status = AppStatus::interrupted;
    r.exit = Exit::interrupted;
    r.message += "; interrupted while rolling back";
  } else {
    r.status = AppStatus::rollback_failed;
    r.exit = Exit::rollback_failed;
    r.message += "; rollback failed too: " + f.reason;
    for (auto& line : describe(f.diagnostics)) r.details.push_back("rollback: " + line);
  }
}

AppResult deploy_one(MarathonClient& client, const AppJob& job, const DeployOptions& o) {
  const auto started = Clock::now();
  const auto deadline = started + o.timeout;
  AppResult r;
  r.id = job.id;
  const auto before = client.get_app(job.id);
  const json desired = desired_definition(job, o);
  r.previous_version = before ? before->value("version", "") : "";
  r.changes = diff_apps(before.value_or(json::object()), desired);
  if (r.changes.empty() && !o.force_restart) {
    r.status = AppStatus::up_to_date;
    r.message = "up to date";
    r.version = r.previous_version;
    emit(o, job.id, "up-to-date", started, r.message);
    return r;
  }
  const bool restart = r.changes.empty();
  emit(o, job.id, "deploying", started, restart ? "restarting (--force-restart)" : fmt::format("{} change(s)", r.changes.size()));
  auto applied = [&](const std::optional<json>& app) {
    if (!app) return false;
    if (restart) return app->value("version", "") != r.previous_version;
    return (!before || app->value("version", "") != r.previous_version) && diff_apps(*app, desired).empty();
  };
  std::string problem;
  const auto change = submit(client, job.id, [&](bool force) {
    return restart ? client.restart_app(job.id, force, applied) : client.put_app(job.id, desired, false, force, applied);
  }, deadline, started, o, problem);
  if (!change) {
    r.status = interrupted(o) ? AppStatus::interrupted : AppStatus::failed;
    r.exit = interrupted(o) ? Exit::interrupted : Exit::timeout;
    r.message = interrupted(o) ? "interrupted while waiting for a lock; nothing was changed" : problem;
    return r;
  }
  r.deployment_id = change->deployment_id;
  r.version = change->version;
  const FollowOutcome f = follow(client, Target{job.id, r.deployment_id, r.version, std::nullopt, false},
                                 follow_options(o, deadline, job.id, started, "deploying"));
  add_follow_details(r, f);
  r.elapsed = f.elapsed;
  switch (f.result) {
    case FollowResult::done:
      r.status = AppStatus::deployed;
      r.message = fmt::format("deployed version {}", r.version);
      return r;
    case FollowResult::interrupted:
      r.status = AppStatus::interrupted;
      r.exit = Exit::interrupted;
      r.message = fmt::format("stopped following deployment {} (Marathon continues it)", r.deployment_id);
      return r;
    case FollowResult::superseded:
    case FollowResult::vanished:
      // Someone else changed the app: rolling back would undo their change.
      r.status = AppStatus::failed;
      r.exit = Exit::failure;
      r.message = f.reason + "; not rolling back";
      return r;
    case FollowResult::timeout:
    case FollowResult::crash_loop:
      r.status = AppStatus::failed;
      r.exit = f.result == FollowResult::timeout ? Exit::timeout : Exit::failure;
      r.message = f.result == FollowResult::timeout
                      ? fmt::format("deadline of {}s passed: {}", o.timeout.count() / 1000, f.reason)
                      : f.reason;
      break;
  }
  if (o.rollback) {
    roll_back(client, before, r, o, started);
  } else {
    r.message += fmt::format("; not rolled back (--no-rollback): deployment {} is still running", r.deployment_id);
  }
  r.elapsed = since(started);
  return r;
}

}  // namespace

const char* status_name(AppStatus s) {
  switch (s) {
    case AppStatus::up_to_date: return "up-to-date";
    case AppStatus::deployed: return "deployed";
    case AppStatus::failed: return "failed";
    case AppStatus::rolled_back: return "rolled-back";
    case AppStatus::rollback_failed: return "rollback-failed";
    case AppStatus::skipped: return "skipped";
    case AppStatus::interrupted: return "interrupted";
  }
  return "?";
}

json desired_definition(const AppJob& job, const DeployOptions& options) {
  json d = job.definition.is_object() ? job.definition : json::object();
  d["id"] = job.id;
  if (!d.contains("labels") || !d["labels"].is_object()) d["labels"] = json::object();
  if (!options.git_sha.empty()) d["labels"][k_label_git_sha] = options.git_sha;
  if (!options.deployed_at.empty()) d["labels"][k_label_deployed_at] = options.deployed_at;
  return d;
}

std::vector<AppResult> deploy_apps(MarathonClient& client, const std::vector<AppJob>& jobs, const DeployOptions& o) {
  std::map<std::string, json> definitions;
  for (const auto& j : jobs) definitions[j.id] = j.definition;
  const auto deps = dependencies_within(definitions);
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, AppResult> done;
  std::set<std::string> started_ids;
  const auto started = Clock::now();
  for (const auto& j : jobs) emit(o, j.id, "pending", started);
  auto worker = [&] {
    std::unique_lock lock(mutex);
    for (;;) {
      const AppJob* next = nullptr;
      bool pending = false;
      for (const auto& j : jobs) {
        if (started_ids.count(j.id)) continue;
        const auto& mine = deps.at(j.id);
        std::string failed_dep;
        bool ready = true;
        for (const auto& d : mine) {
          auto it = done.find(d);
          if (it == done.end()) ready = false;
          else if (it->second.status != AppStatus::deployed && it->second.status != AppStatus::up_to_date) failed_dep = d;
        }
        if (!failed_dep.empty() || (interrupted(o) && ready)) {
          started_ids.insert(j.id);
          AppResult r;
          r.id = j.id;
          r.status = interrupted(o) ? AppStatus::interrupted : AppStatus::skipped;
          r.exit = interrupted(o) ? Exit::interrupted : Exit::failure;
          r.message = interrupted(o) ? "not started (interrupted)" : fmt::format("not deployed: its dependency {} failed", failed_dep);
          emit(o, j.id, status_name(r.status), started, r.message);
          done[j.id] = std::move(r);
          changed.notify_all();
          continue;
        }
        if (ready) {
          next = &j;
          break;
        }
        pending = true;  // waits for a dependency still running
      }
      if (!next) {
        if (!pending) return;
        changed.wait(lock);
        continue;
      }
      started_ids.insert(next->id);
      lock.unlock();
      AppResult r;
      try {
        r = deploy_one(client, *next, o);
      } catch (const Error& e) {
        r.id = next->id;
        r.status = AppStatus::failed;
        r.exit = e.exit_code();
        r.message = e.what();
      }
      emit(o, r.id, status_name(r.status), started, r.message, r.last.app_id.empty() ? std::nullopt : std::optional(r.last));
      lock.lock();
      done[r.id] = std::move(r);
      changed.notify_all();
    }
  };
  const int n = std::clamp(o.parallel, 1, static_cast<int>(std::max<std::size_t>(jobs.size(), 1)));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  std::vector<AppResult> out;
  for (const auto& j : jobs) out.push_back(done[j.id]);
  return out;
}

AppResult apply_change(MarathonClient& client, const std::string& app_id, const SendChange& send,
                       const std::function<Target(const Change&)>& target_for, const DeployOptions& o, bool wait) {
  const auto started = Clock::now();
  const auto deadline = started + o.timeout;
  AppResult r;
  r.id = app_id;
  std::string problem;
  const auto change = submit(client, app_id, send, deadline, started, o, problem);
  if (!change) {
    r.status = interrupted(o) ? AppStatus::interrupted : AppStatus::failed;
    r.exit = interrupted(o) ? Exit::interrupted : Exit::timeout;
    r.message = interrupted(o) ? "interrupted while waiting for a lock; nothing was changed" : problem;
    return r;
  }
  r.deployment_id = change->deployment_id;
  r.version = change->version;
  if (!wait) {
    r.status = AppStatus::deployed;
    r.message = fmt::format("started deployment {} (not waiting: --no-wait)", r.deployment_id);
    return r;
  }
  const FollowOutcome f = follow(client, target_for(*change), follow_options(o, deadline, app_id, started, "deploying"));
  add_follow_details(r, f);
  r.elapsed = f.elapsed;
  switch (f.result) {
    case FollowResult::done:
      r.status = AppStatus::deployed;
      r.message = "done";
      break;
    case FollowResult::interrupted:
      r.status = AppStatus::interrupted;
      r.exit = Exit::interrupted;
      r.message = fmt::format("stopped following deployment {} (Marathon continues it)", r.deployment_id);
      break;
    case FollowResult::timeout:
      r.exit = Exit::timeout;
      r.message = fmt::format("deadline of {}s passed: {}", o.timeout.count() / 1000, f.reason);
      break;
    default:
      r.exit = Exit::failure;
      r.message = f.reason;
  }
  return r;
}

std::chrono::milliseconds suggested_timeout(const json& definition) {
  double per_batch = 60;  // staging, pulling the image, starting
  for (const auto& hc : definition.value("healthChecks", json::array())) {
    const double grace = hc.value("gracePeriodSeconds", 300.0);
    const double interval = hc.value("intervalSeconds", 60.0);
    const double failures = std::max(hc.value("maxConsecutiveFailures", 3.0), 1.0);
    per_batch = std::max(per_batch, 30 + grace + interval * failures);
  }
  const double instances = std::max(definition.value("instances", 1.0), 1.0);
  const json strategy = definition.value("upgradeStrategy", json::object());
  const double over = strategy.is_object() ? strategy.value("maximumOverCapacity", 1.0) : 1.0;
  const double min_health = strategy.is_object() ? strategy.value("minimumHealthCapacity", 1.0) : 1.0;
  // Tasks replaced at once: the spare capacity, at least one.
  const double at_once = std::max(1.0, std::floor(instances * std::max(over, 1.0 - min_health)));
  const double batches = std::ceil(instances / at_once);
  return std::chrono::milliseconds(static_cast<long long>(per_batch * batches * 1000));
}

Exit overall_exit(const std::vector<AppResult>& results) {
  auto has = [&](AppStatus s) {
    return std::any_of(results.begin(), results.end(), [&](const AppResult& r) { return r.status == s; });
  };
  if (has(AppStatus::interrupted)) return Exit::interrupted;
  if (has(AppStatus::rollback_failed)) return Exit::rollback_failed;
  if (has(AppStatus::rolled_back)) return Exit::rolled_back;
  for (const auto& r : results) {
    if (r.status == AppStatus::failed) return r.exit == Exit::ok ? Exit::failure : r.exit;
  }
  for (const auto& r : results) {
    if (r.status == AppStatus::skipped) return Exit::failure;
  }
  return Exit::ok;
}

}  // namespace mctl::deploy
