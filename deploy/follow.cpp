#include "deploy/follow.hpp"

#include <fmt/format.h>

#include <thread>

#include "core/error.hpp"
#include "deploy/diff.hpp"

namespace mctl::deploy {
namespace {

using Clock = std::chrono::steady_clock;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int>() : 0;
}

// The version a task must have to run the current config (API.md 2.3).
std::string config_version(const json& app) {
  if (app.contains("versionInfo") && app["versionInfo"].is_object()) {
    auto v = str(app["versionInfo"], "lastConfigChangeAt");
    if (!v.empty()) return v;
  }
  return str(app, "version");
}

bool running_task(const json& task) {
  const auto state = str(task, "state");
  return state.empty() || state == "TASK_RUNNING";
}

void read_deployment(const json& deployments, const std::string& id, Progress& p) {
  if (id.empty() || !deployments.is_array()) return;
  for (const auto& d : deployments) {
    if (str(d, "id") != id) continue;
    p.deployment_listed = true;
    p.step = num(d, "currentStep");
    p.total_steps = num(d, "totalSteps");
    const auto actions = d.value("currentActions", json::array());
    if (!actions.empty()) p.action = str(actions[0], "action");
  }
}

std::string waiting_text(const Progress& p) {
  if (p.deployment_listed) {
    return p.total_steps > 0 ? fmt::format("deployment step {}/{}{}", p.step, p.total_steps,
                                           p.action.empty() ? "" : " (" + p.action + ")")
                             : "deployment queued";
  }
  if (p.running < p.instances) return fmt::format("running {}/{}", p.running, p.instances);
  if (p.has_health && (p.healthy < p.instances || p.unhealthy > 0)) {
    return fmt::format("healthy {}/{}{}", p.healthy, p.instances,
                       p.unhealthy > 0 ? fmt::format(", {} unhealthy", p.unhealthy) : "");
  }
  if (p.old_tasks > 0) return fmt::format("{} task(s) of an older version still running", p.old_tasks);
  return "";
}

bool same_picture(const Progress& a, const Progress& b) {
  return a.deployment_listed == b.deployment_listed && a.step == b.step && a.total_steps == b.total_steps &&
         a.running == b.running && a.healthy == b.healthy && a.unhealthy == b.unhealthy &&
         a.instances == b.instances && a.old_tasks == b.old_tasks && a.waiting_for == b.waiting_for;
}

}  // namespace

Judgement judge(const Target& target, const std::optional<json>& app, const json& deployments) {
  Judgement j;
  Progress& p = j.progress;
  p.app_id = target.app_id;
  read_deployment(deployments, target.deployment_id, p);
  if (!app) {
    if (target.expect_deleted && !p.deployment_listed) {
      j.verdict = Verdict::done;
    } else if (!p.deployment_listed) {
      j.verdict = Verdict::vanished;
      j.reason = fmt::format("app {} no longer exists", target.app_id);
    }
    p.waiting_for = p.deployment_listed ? waiting_text(p) : "";
    return j;
  }
  p.instances = num(*app, "instances");
  p.running = num(*app, "tasksRunning");
  p.healthy = num(*app, "tasksHealthy");
  p.unhealthy = num(*app, "tasksUnhealthy");
  p.staged = num(*app, "tasksStaged");
  p.version = str(*app, "version");
  const auto checks = app->value("healthChecks", json::array());
  p.has_health = checks.is_array() && !checks.empty();
  const std::string current = config_version(*app);
  for (const auto& task : app->value("tasks", json::array())) {
    if (running_task(task) && str(task, "version") < current) ++p.old_tasks;
  }
  p.waiting_for = waiting_text(p);
  if (target.expect_deleted) {
    if (p.waiting_for.empty()) p.waiting_for = "app still exists";
    return j;
  }
  if (p.deployment_listed) return j;
  if (target.definition) {
    if (!diff_apps(*app, *target.definition).empty()) {
      j.verdict = Verdict::superseded;
      j.reason = fmt::format("the definition of {} is not the expected one (changed by someone else, version {})",
                             target.app_id, p.version);
      return j;
    }
  } else if (!target.version.empty() && p.version > target.version) {
    // A newer change (another deploy, an autoscaler, a cancel's revert) replaced ours.
    j.verdict = Verdict::superseded;
    j.reason = fmt::format("app {} was changed again after this deployment (now version {}, expected {})",
                           target.app_id, p.version, target.version);
    return j;
  }
  if (p.waiting_for.empty()) j.verdict = Verdict::done;
  return j;
}

Diagnostics diagnose(const json& app, const json& queue) {
  Diagnostics d;
  if (app.contains("lastTaskFailure") && app["lastTaskFailure"].is_object()) d.last_task_failure = app["lastTaskFailure"];
  const std::string id = str(app, "id");
  if (queue.is_array()) {
    for (const auto& entry : queue) {
      if (!entry.contains("app") || str(entry["app"], "id") != id || !entry.contains("delay")) continue;
      const auto& delay = entry["delay"];
      if (delay.value("timeLeftSeconds", 0.0) > 0 && !delay.value("overdue", false)) {
        d.launch_delay_seconds = delay.value("timeLeftSeconds", 0.0);
      }
    }
  }
  const std::string current = config_version(app);
  for (const auto& task : app.value("tasks", json::array())) {
    for (const auto& r : task.value("healthCheckResults", json::array())) {
      if (r.value("alive", true)) continue;
      const auto cause = str(r, "lastFailureCause");
      d.unhealthy_tasks.push_back(fmt::format("{} on {}{}", str(task, "id"), str(task, "host"),
                                              cause.empty() ? "" : ": " + cause));
      break;
    }
    if (running_task(task) && str(task, "version") < current) {
      d.old_tasks.push_back(fmt::format("{} on {} (version {})", str(task, "id"), str(task, "host"), str(task, "version")));
    }
  }
  return d;
}

std::vector<std::string> describe(const Diagnostics& d) {
  std::vector<std::string> out;
  if (d.last_task_failure) {
    const auto& f = *d.last_task_failure;
    out.push_back(fmt::format("last task failure: {} {} on {} at {}: {}", str(f, "taskId"), str(f, "state"),
                              str(f, "host"), str(f, "timestamp"), str(f, "message")));
  }
  if (d.failures > 0) out.push_back(fmt::format("failed tasks of the new version: {}", d.failures));
  if (d.launch_delay_seconds) {
    out.push_back(fmt::format("launch delayed {:.0f}s by Marathon's backoff (the app is crash-looping)", *d.launch_delay_seconds));
  }
  for (const auto& t : d.unhealthy_tasks) out.push_back("unhealthy task: " + t);
  for (const auto& t : d.old_tasks) out.push_back("old task still running: " + t);
  return out;
}

FollowOutcome follow(MarathonClient& client, const Target& target, const FollowOptions& options) {
  FollowOutcome outcome;
  const auto started = Clock::now();
  std::map<std::string, std::string> failed;  // task id -> app version
  std::uint64_t seen = options.events ? options.events->generation(target.app_id, target.deployment_id) : 0;
  bool first = true;
  auto finish = [&](FollowResult result, const std::optional<json>& app, bool with_queue) {
    outcome.result = result;
    outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    if (app) {
      json queue = json::array();
      if (with_queue) {
        try {
          queue = client.queue();
        } catch (const Error&) {
          // diagnostics are best effort
        }
      }
      outcome.diagnostics = diagnose(*app, queue);
    }
    outcome.diagnostics.failures = static_cast<int>(failed.size());
    return outcome;
  };
  for (;;) {
    if (options.interrupted && *options.interrupted) return finish(FollowResult::interrupted, std::nullopt, false);
    const json deployments = client.deployments();
    const auto app = client.get_app(target.app_id);
    const Judgement j = judge(target, app, deployments);
    if (first || !same_picture(j.progress, outcome.last)) {
      outcome.last = j.progress;
      if (options.on_progress) options.on_progress(j.progress);
      first = false;
    }
    outcome.reason = j.reason;
    if (j.verdict == Verdict::done) return finish(FollowResult::done, std::nullopt, false);
    if (j.verdict == Verdict::superseded) return finish(FollowResult::superseded, app, false);
    if (j.verdict == Verdict::vanished) return finish(FollowResult::vanished, app, false);
    if (app && !target.expect_deleted) {
      const std::string current = config_version(*app);
      if (app->contains("lastTaskFailure") && str((*app)["lastTaskFailure"], "version") >= current) {
        failed[str((*app)["lastTaskFailure"], "taskId")] = str((*app)["lastTaskFailure"], "version");
      }
      if (options.events) {
        for (const auto& [task, version] : options.events->failed_tasks(target.app_id)) {
          if (version >= current) failed[task] = version;
        }
      }
      if (static_cast<int>(failed.size()) >= options.crash_loop_failures) {
        const json last = app->value("lastTaskFailure", json::object());
        const bool killed = str(last, "state") == "TASK_KILLED";
        outcome.reason = fmt::format("{} tasks of the new version {} (last: {} {}); giving up before the deadline",
                                     failed.size(), killed ? "were killed (failing health checks)" : "failed (crash loop)",
                                     str(last, "state"), str(last, "message"));
        return finish(FollowResult::crash_loop, app, true);
      }
    }
    const auto now = Clock::now();
    if (now >= options.deadline) {
      outcome.reason = fmt::format("not done when the deadline passed: waiting for {}", j.progress.waiting_for);
      return finish(FollowResult::timeout, app, true);
    }
    const bool live = options.events && options.events->attached();
    const auto interval = live ? options.poll_interval : options.poll_interval_no_events;
    const auto wait = std::min<Clock::duration>(interval, options.deadline - now);
    if (live) {
      seen = options.events->wait(target.app_id, target.deployment_id, seen,
                                  std::chrono::duration_cast<std::chrono::milliseconds>(wait), options.interrupted);
      // Events come in bursts (a task's status, then its health): let the burst settle.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } else {
      const auto until = Clock::now() + wait;
      while (Clock::now() < until && !(options.interrupted && *options.interrupted)) {
        std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(50)));
      }
    }
  }
}

}  // namespace mctl::deploy
