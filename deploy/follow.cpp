#include "deploy/follow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <thread>

#include "core/error.hpp"
#include "core/log.hpp"
#include "deploy/diff.hpp"
#include "deploy/fields.hpp"

namespace mctl::deploy {
namespace {

using Clock = std::chrono::steady_clock;

std::string app_endpoint(const std::string& id) { return "GET /v2/apps" + canonical_app_id(id); }
const char* k_deployments_endpoint = "GET /v2/deployments";

// The version a task must have to run the current config (API.md 2.3).
std::string config_version(const Fields& app) {
  if (auto info = app.object("versionInfo")) {
    auto v = info->str("lastConfigChangeAt");
    if (!v.empty()) return v;
  }
  return app.str("version");
}

bool running_task(const Fields& task) {
  const auto state = task.str("state");
  return state.empty() || state == "TASK_RUNNING";
}

bool healthy_task(const Fields& task, bool has_health) {
  if (!running_task(task)) return false;
  if (!has_health) return true;
  const auto results = task.array("healthCheckResults");
  return !results.empty() && std::all_of(results.begin(), results.end(), [](const Fields& r) { return r.boolean("alive", false); });
}

bool has_health_checks(const Fields& app) { return !app.array("healthChecks").empty(); }

void read_deployment(const json& deployments, const std::string& id, Progress& p) {
  if (id.empty()) return;
  for (const auto& d : Fields(deployments, k_deployments_endpoint).items()) {
    if (d.str("id") != id) continue;
    p.deployment_listed = true;
    p.step = d.integer("currentStep");
    p.total_steps = d.integer("totalSteps");
    const auto actions = d.array("currentActions");
    if (!actions.empty()) p.action = actions[0].str("action");
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
         a.instances == b.instances && a.old_tasks == b.old_tasks && a.new_running == b.new_running &&
         a.new_healthy == b.new_healthy && a.waiting_for == b.waiting_for;
}

// Between reads while Marathon is unreachable: 250 ms doubling to 4 s, each wait drawn
// between half and all of it, so that many mctl runs do not hit a restarted Marathon at once.
std::chrono::milliseconds outage_backoff(int tries) {
  static thread_local std::minstd_rand random(std::random_device{}());
  const long full = 250L << std::min(std::max(tries - 1, 0), 4);
  return std::chrono::milliseconds(full / 2 + static_cast<long>(random() % static_cast<unsigned long>(full / 2 + 1)));
}

}  // namespace

Judgement judge(const Target& target, const std::optional<json>& app_json, const json& deployments) {
  Judgement j;
  Progress& p = j.progress;
  p.app_id = target.app_id;
  read_deployment(deployments, target.deployment_id, p);
  if (!app_json) {
    if (target.expect_deleted && !p.deployment_listed) {
      j.verdict = Verdict::done;
    } else if (!p.deployment_listed) {
      j.verdict = Verdict::vanished;
      j.reason = fmt::format("app {} no longer exists", target.app_id);
    }
    p.waiting_for = p.deployment_listed ? waiting_text(p) : "";
    return j;
  }
  const Fields app(*app_json, app_endpoint(target.app_id), "/app");
  p.instances = app.integer("instances");
  p.running = app.integer("tasksRunning");
  p.healthy = app.integer("tasksHealthy");
  p.unhealthy = app.integer("tasksUnhealthy");
  p.staged = app.integer("tasksStaged");
  p.version = app.str("version");
  p.has_health = has_health_checks(app);
  const std::string current = config_version(app);
  for (const auto& task : app.array("tasks")) {
    if (!running_task(task)) continue;
    if (task.str("version") < current) {
      ++p.old_tasks;
    } else {
      ++p.new_running;
      if (healthy_task(task, p.has_health)) ++p.new_healthy;
    }
  }
  p.waiting_for = waiting_text(p);
  if (target.expect_deleted) {
    if (p.waiting_for.empty()) p.waiting_for = "app still exists";
    return j;
  }
  if (p.deployment_listed) return j;
  if (target.definition) {
    if (!diff_apps(*app_json, *target.definition).empty()) {
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

bool FailedTasks::record(const TaskEnd& end, const std::string& config) {
  if (end.task_id.empty() || end.version < config) return false;
  auto it = std::find_if(m_ends.begin(), m_ends.end(), [&](const TaskEnd& e) { return e.task_id == end.task_id; });
  if (it == m_ends.end()) {
    m_ends.push_back(end);
    return true;
  }
  // Seen vanishing by a poll first: Marathon's own word on how it ended says more.
  if (it->source == "poll" && end.source != "poll") *it = end;
  return false;
}

void FailedTasks::observe(const json& app_json, const std::string& endpoint, const std::string& not_before) {
  const Fields app(app_json, endpoint, "/app");
  const std::string config = config_version(app);
  const bool has_health = has_health_checks(app);
  if (auto f = app.object("lastTaskFailure")) {
    const std::string at = f->str("timestamp");
    if (at.empty() || (at >= config && at >= not_before)) {
      record({f->str("taskId"), f->str("version"), f->str("state"), f->str("message"), f->str("host"), "lastTaskFailure"},
             config);
    }
  }
  std::map<std::string, Seen> now;
  for (const auto& task : app.array("tasks")) {
    if (task.str("version") < config) continue;
    now[task.str("id")] = Seen{task.str("version"), task.str("state"), task.str("host"), healthy_task(task, has_health)};
  }
  // More tasks of this config than instances: Marathon may be scaling down, which kills
  // tasks that are not healthy yet first. Not a failure.
  if (static_cast<int>(m_seen.size()) <= m_instances) {
    for (const auto& [id, seen] : m_seen) {
      if (seen.healthy || now.count(id)) continue;
      record({id, seen.version, seen.state.empty() ? "TASK_UNKNOWN" : seen.state,
              "gone from the app's tasks before it was healthy", seen.host, "poll"},
             config);
    }
  }
  m_seen = std::move(now);
  m_instances = app.integer("instances");
}

Diagnostics diagnose(const json& app_json, const json& queue_json, const std::string& not_before) {
  Diagnostics d;
  const Fields app(app_json, "GET /v2/apps" + canonical_app_id(Fields(app_json, "GET /v2/apps").str("id")), "/app");
  const std::string id = app.str("id");
  const std::string current = config_version(app);
  if (auto f = app.object("lastTaskFailure")) {
    const std::string at = f->str("timestamp");
    if (f->str("version") >= current && at >= current && at >= not_before) d.last_task_failure = f->raw();
  }
  for (const auto& entry : Fields(queue_json, "GET /v2/queue", "/queue").items()) {
    const auto queued = entry.object("app");
    const auto delay = entry.object("delay");
    if (!queued || queued->str("id") != id || !delay) continue;
    const double left = delay->number("timeLeftSeconds");
    if (left > 0 && !delay->boolean("overdue", false)) d.launch_delay_seconds = left;
  }
  for (const auto& task : app.array("tasks")) {
    for (const auto& r : task.array("healthCheckResults")) {
      if (r.boolean("alive", true)) continue;
      const auto cause = r.str("lastFailureCause");
      d.unhealthy_tasks.push_back(fmt::format("{} on {}{}", task.str("id"), task.str("host"), cause.empty() ? "" : ": " + cause));
      break;
    }
    if (running_task(task) && task.str("version") < current) {
      d.old_tasks.push_back(fmt::format("{} on {} (version {})", task.str("id"), task.str("host"), task.str("version")));
    }
  }
  return d;
}

std::vector<std::string> describe(const Diagnostics& d) {
  std::vector<std::string> out;
  if (d.last_task_failure) {
    const Fields f(*d.last_task_failure, "lastTaskFailure");
    out.push_back(fmt::format("last task failure: {} {} on {} at {}: {}", f.str("taskId"), f.str("state"), f.str("host"),
                              f.str("timestamp"), f.str("message")));
  }
  if (!d.failures.empty()) out.push_back(fmt::format("failed tasks of the new version: {}", d.failures.size()));
  for (const auto& e : d.failures) {
    out.push_back(fmt::format("  {} {}{}{}", e.task_id, e.state, e.host.empty() ? "" : " on " + e.host,
                              e.message.empty() ? "" : ": " + e.message));
  }
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
    : m_client(client), m_target(std::move(target)), m_options(std::move(options)),
      m_started(m_options.started.value_or(Clock::now())),
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
    m_outcome.diagnostics = diagnose(*app, queue, m_target.version);
  }
  m_outcome.diagnostics.failures = m_failed.ends();
  return m_outcome;
}

std::optional<FollowOutcome> Follower::poll() {
  if (m_options.interrupted && *m_options.interrupted) return finish(FollowResult::interrupted, std::nullopt, false);
  try {
    auto outcome = look();
    m_outage_tries = 0;
    return outcome;
  } catch (const Unreachable& e) {
    return outage(e);
  }
}

// Once the change is accepted, Marathon being away (restart, leader election) is not the
// deploy's failure: ask again with backoff until the deadline; the read at the deadline is
// the last one.
std::optional<FollowOutcome> Follower::outage(const Unreachable& e) {
  const auto now = Clock::now();
  if (m_outage_tries++ == 0) {
    m_outage_since = now;
    core::log::info("following {}: Marathon unreachable ({}); asking again until the deadline", m_target.app_id, e.what());
    m_outcome.last.waiting_for = "Marathon to answer again";
    if (m_options.on_progress) m_options.on_progress(m_outcome.last);
  }
  if (now >= m_options.deadline) {
    const auto away = std::chrono::duration_cast<std::chrono::milliseconds>(now - m_outage_since);
    m_outcome.reason = fmt::format("Marathon was unreachable for the last {:.1f}s, the deployment's state is unknown: {}",
                                   static_cast<double>(away.count()) / 1000.0, e.what());
    m_outcome.unreachable = true;
    return finish(FollowResult::timeout, std::nullopt, false);
  }
  m_live = false;
  m_due = std::min<Clock::time_point>(now + outage_backoff(m_outage_tries), m_options.deadline);
  return std::nullopt;
}

std::optional<FollowOutcome> Follower::check_failures(const json& app) {
  const std::string endpoint = app_endpoint(m_target.app_id);
  m_failed.observe(app, endpoint, m_target.version);
  if (m_options.events) {
    const std::string config = config_version(Fields(app, endpoint, "/app"));
    for (const auto& [task, end] : m_options.events->failed_tasks(m_target.app_id)) m_failed.record(end, config);
  }
  if (static_cast<int>(m_failed.size()) < m_options.crash_loop_failures) return std::nullopt;
  const auto& ends = m_failed.ends();
  const bool killed = std::all_of(ends.begin(), ends.end(), [](const TaskEnd& e) { return e.state == "TASK_KILLED"; });
  const TaskEnd& last = ends.back();
  // The cause first: a one-line display cut to the terminal's width still shows it.
  m_outcome.reason = fmt::format("{} tasks of the new version {}: {}{} (last: {}); giving up before the deadline", ends.size(),
                                 killed ? "were killed (failing health checks)" : "failed (crash loop or failing health checks)",
                                 last.state, last.message.empty() ? "" : " " + last.message, last.task_id);
  return finish(FollowResult::crash_loop, app, true);
}

std::optional<FollowOutcome> Follower::look() {
  const FollowOptions& options = m_options;
  const Target& target = m_target;
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
    const bool changed = m_first || m_outage_tries > 0 || !same_picture(j.progress, m_outcome.last);
    m_outcome.last = j.progress;  // always the latest look (its version is what Marathon runs now)
    if (changed && options.on_progress) options.on_progress(j.progress);
    m_first = false;
    m_outcome.reason = j.reason;
    if (j.verdict == Verdict::done) return finish(FollowResult::done, std::nullopt, false);
    if (j.verdict == Verdict::superseded) return finish(FollowResult::superseded, app, false);
    if (j.verdict == Verdict::vanished) return finish(FollowResult::vanished, app, false);
    if (app && !target.expect_deleted) {
      if (auto outcome = check_failures(*app)) return outcome;
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
