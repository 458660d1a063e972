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

std::shared_ptr<const json> DeploymentsFeed::get(Clock::time_point not_before) {
  std::unique_lock lock(m_mutex);
  for (;;) {
    if (m_latest && m_latest_sent >= not_before) return m_latest;
    if (m_in_flight) {
      // One read at a time: wait for it; if it was sent too early, the next one is ours.
      m_done.wait(lock, [&] { return !m_in_flight; });
      continue;
    }
    m_in_flight = true;
    ++m_requests;
    const auto sent = Clock::now();
    lock.unlock();
    std::shared_ptr<const json> list;
    try {
      list = std::make_shared<const json>(m_client.deployments());
    } catch (...) {
      lock.lock();
      m_in_flight = false;
      m_done.notify_all();
      throw;
    }
    lock.lock();
    m_in_flight = false;
    if (!m_latest || sent >= m_latest_sent) {
      m_latest = list;
      m_latest_sent = sent;
    }
    m_done.notify_all();
    return list;
  }
}

std::uint64_t DeploymentsFeed::requests() const {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

Follower::Follower(MarathonClient& client, Target target, FollowOptions options)
    : m_client(client), m_target(std::move(target)), m_options(std::move(options)), m_started(Clock::now()),
      m_all_keys{m_target.app_id, m_target.deployment_id, EventHub::failures_key(m_target.app_id)},
      m_listed_keys{m_target.deployment_id, EventHub::failures_key(m_target.app_id)},
      m_due(m_started) {}

FollowOutcome Follower::finish(FollowResult result, const std::optional<json>& app, bool with_queue) {
  m_outcome.result = result;
  m_outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_started);
  if (app) {
    json queue = json::array();
    if (with_queue) {
      try {
        queue = m_client.queue();
      } catch (const Error&) {
        // diagnostics are best effort
      }
    }
    m_outcome.diagnostics = diagnose(*app, queue);
  }
  m_outcome.diagnostics.failures = static_cast<int>(m_failed.size());
  return m_outcome;
}

std::optional<FollowOutcome> Follower::poll() {
  const FollowOptions& options = m_options;
  const Target& target = m_target;
  if (options.interrupted && *options.interrupted) return finish(FollowResult::interrupted, std::nullopt, false);
  // Generations before the reads: an event that arrives while reading wakes the next wait.
  const std::uint64_t seen_all = options.events ? options.events->generation(m_all_keys) : 0;
  const std::uint64_t seen_listed = options.events ? options.events->generation(m_listed_keys) : 0;
  Progress p;
  {  // the app and the list are released before waiting: many followers wait at once
    const auto asked = Clock::now();
    const std::shared_ptr<const json> deployments =
        options.deployments ? options.deployments->get(asked) : std::make_shared<const json>(m_client.deployments());
    const auto app = m_client.get_app(target.app_id);
    const Judgement j = judge(target, app, *deployments);
    if (m_first || !same_picture(j.progress, m_outcome.last)) {
      m_outcome.last = j.progress;
      if (options.on_progress) options.on_progress(j.progress);
      m_first = false;
    }
    m_outcome.reason = j.reason;
    if (j.verdict == Verdict::done) return finish(FollowResult::done, std::nullopt, false);
    if (j.verdict == Verdict::superseded) return finish(FollowResult::superseded, app, false);
    if (j.verdict == Verdict::vanished) return finish(FollowResult::vanished, app, false);
    if (app && !target.expect_deleted) {
      const std::string current = config_version(*app);
      if (app->contains("lastTaskFailure") && str((*app)["lastTaskFailure"], "version") >= current) {
        m_failed[str((*app)["lastTaskFailure"], "taskId")] = str((*app)["lastTaskFailure"], "version");
      }
      if (options.events) {
        for (const auto& [task, version] : options.events->failed_tasks(target.app_id)) {
          if (version >= current) m_failed[task] = version;
        }
      }
      if (static_cast<int>(m_failed.size()) >= options.crash_loop_failures) {
        const json last = app->value("lastTaskFailure", json::object());
        const bool killed = str(last, "state") == "TASK_KILLED";
        m_outcome.reason = fmt::format("{} tasks of the new version {} (last: {} {}); giving up before the deadline",
                                       m_failed.size(), killed ? "were killed (failing health checks)" : "failed (crash loop)",
                                       str(last, "state"), str(last, "message"));
        return finish(FollowResult::crash_loop, app, true);
      }
    }
    if (Clock::now() >= options.deadline) {
      m_outcome.reason = fmt::format("not done when the deadline passed: waiting for {}", j.progress.waiting_for);
      return finish(FollowResult::timeout, app, true);
    }
    p = j.progress;
  }
  const auto now = Clock::now();
  m_live = options.events && options.events->attached();
  auto interval = m_live ? options.poll_interval : options.poll_interval_no_events;
  // The last step with every task running: the deployment ends with the next health
  // results. A live stream says so at once (and many followers polling fast would load
  // Marathon for nothing); without one, poll faster while so close to done.
  const bool near_end = p.deployment_listed && p.total_steps > 0 && p.step >= p.total_steps && p.running >= p.instances;
  if (near_end && !m_live) interval = std::min(interval, options.poll_interval_near_end);
  m_due = std::min<Clock::time_point>(now + interval, options.deadline);
  // While the deployment is listed, only its own events and failed tasks wake us early (the
  // app's task and health events would only redraw the progress; the poll does that); once
  // it has left, every event about the app may complete the picture.
  m_listed = p.deployment_listed;
  m_seen = m_listed ? seen_listed : seen_all;
  return std::nullopt;
}

bool Follower::woken() const {
  return m_live && m_options.events && m_options.events->generation(wake_keys()) != m_seen;
}

FollowOutcome follow(MarathonClient& client, const Target& target, const FollowOptions& options) {
  Follower f(client, target, options);
  for (;;) {
    if (auto outcome = f.poll()) return *outcome;
    const auto wait = f.due() - Clock::now();
    if (f.live()) {
      options.events->wait(f.wake_keys(), f.wake_seen(),
                           std::chrono::duration_cast<std::chrono::milliseconds>(std::max<Clock::duration>(wait, {})),
                           options.interrupted);
      // Events come in bursts (a task's status, then its health): let the burst settle.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } else {
      while (Clock::now() < f.due() && !(options.interrupted && *options.interrupted)) {
        std::this_thread::sleep_for(std::min<Clock::duration>(f.due() - Clock::now(), std::chrono::milliseconds(50)));
      }
    }
  }
}

}  // namespace mctl::deploy
