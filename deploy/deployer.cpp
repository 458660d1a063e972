#include "deploy/deployer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/duration.hpp"
#include "core/log.hpp"
#include "deploy/fields.hpp"
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

// Any exception as a one-line message and exit code: Error as it is, anything else (a bug,
// a bad_alloc) as a failure of this app with what is known.
std::pair<std::string, Exit> describe_exception(std::exception_ptr e, const std::string& app_id) {
  try {
    std::rethrow_exception(std::move(e));
  } catch (const Error& error) {
    return {error.what(), error.exit_code()};
  } catch (const std::exception& other) {
    return {fmt::format("deploying {}: internal error: {}", app_id, other.what()), Exit::failure};
  } catch (...) {
    return {fmt::format("deploying {}: internal error (unknown exception)", app_id), Exit::failure};
  }
}

// Marathon never accepted the change (lock not released in time, or Ctrl-C while waiting).
void not_accepted(AppResult& r, const DeployOptions& o, const std::string& problem) {
  r.status = interrupted(o) ? AppStatus::interrupted : AppStatus::failed;
  r.exit = interrupted(o) ? Exit::interrupted : Exit::timeout;
  r.message = interrupted(o) ? "interrupted while waiting for a lock; nothing was changed" : problem;
}

// Waits until none of `ids` is listed in /v2/deployments, or the deadline/interrupt.
bool wait_for_unlock(MarathonClient& client, const std::vector<std::string>& ids, Clock::time_point deadline,
                     const DeployOptions& o) {
  for (;;) {
    const auto list = o.deployments ? o.deployments->get(Clock::now()) : std::make_shared<const json>(client.deployments());
    const json& deployments = *list;
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
  f.deployments = o.deployments;
  f.started = started;
  f.on_progress = [&o, app_id, started, phase](const Progress& p) { emit(o, app_id, phase, started, "", p); };
  return f;
}

void add_follow_details(AppResult& r, const FollowOutcome& f) {
  r.last = f.last;
  for (auto& line : describe(f.diagnostics)) r.details.push_back(std::move(line));
}

// "2 changes: /instances, /env/A" (the first few paths; `mctl diff` lists them all).
std::string changes_summary(const std::vector<FieldChange>& changes, bool new_app) {
  if (new_app) return "new app";
  std::string paths;
  for (std::size_t i = 0; i < changes.size() && i < 3; ++i) paths += (i ? ", " : "") + changes[i].path;
  if (changes.size() > 3) paths += fmt::format(", +{} more", changes.size() - 3);
  return fmt::format("{} change{}: {}", changes.size(), changes.size() == 1 ? "" : "s", paths);
}

// "deadline of 1m30s passed" (the deadline as given: 1ms is not "0s").
std::string deadline_passed(std::chrono::milliseconds timeout) {
  return fmt::format("deadline of {} passed", core::format_duration(timeout));
}

// The first line of a result message, for a state change's "why".
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Restores what ran before: cancel the deployment (Marathon reverts it), or, when it is
// gone, re-deploy the previous version with force.
void roll_back(MarathonClient& client, const std::optional<json>& before, AppResult& r, const DeployOptions& o,
               Clock::time_point started) {
  emit(o, r.id, "rolling-back", started, first_line(r.message) + " -> rolling back");
  // The version restored needs the time its own health checks take, whatever --timeout
  // allowed the failed one: a rollback cut short is not a failed rollback.
  const auto deadline =
      Clock::now() + o.rollback_timeout.value_or(std::max(o.timeout, suggested_timeout(before.value_or(json::object()))));
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
    r.last = f.last;  // the picture of the version restored, not of the one that failed
    r.status = AppStatus::rolled_back;
    r.exit = Exit::rolled_back;
    // Cancelling makes Marathon write the old definition as a new version: name the version
    // it runs now (the last look), and the one whose definition that is.
    const std::string was = before ? before->value("version", "") : "";
    const std::string now = f.last.version.empty() ? was : f.last.version;
    r.message += !before      ? "; rolled back (the new app was removed)"
                 : now == was ? fmt::format("; rolled back to version {}", now)
                              : fmt::format("; rolled back to version {} (the definition of version {})", now, was);
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

// One app of a deploy, from its submission until its result.
struct Flight {
  const AppJob* job = nullptr;
  AppResult r;
  std::optional<json> before;  // what ran before (for the rollback)
  Clock::time_point started;
  Clock::time_point deadline;
  std::unique_ptr<Follower> follower;  // set once the change is sent
  bool busy = false;                   // a worker has it
  bool adopted = false;                // following a deployment an earlier run started
};

// The deployment Marathon is running on `app` (its last "deployments" entry), "" when idle.
std::string deployment_in_flight(const json& app) {
  const json none = json::array();
  const auto it = app.find("deployments");
  const json& list = it != app.end() && it->is_array() ? *it : none;
  return list.empty() ? "" : string_field(list.back(), "id");
}

// Diffs and sends the change. Returns true when there is a deployment to follow (the
// follower is set), false when the result is final (up to date, lock not released).
bool start_one(MarathonClient& client, Flight& f, const DeployOptions& o) {
  const AppJob& job = *f.job;
  AppResult& r = f.r;
  f.started = Clock::now();
  f.deadline = f.started + o.timeout;
  r.id = job.id;
  f.before = client.get_app(job.id);
  const auto& before = f.before;
  json desired = desired_definition(job, o, before);
  r.previous_version = before ? before->value("version", "") : "";
  r.changes = diff_apps(before.value_or(json::object()), desired);
  if (r.changes.empty() && !o.force_restart) {
    if (const auto in_flight = deployment_in_flight(*before); !in_flight.empty()) {
      // A run that was stopped (Ctrl-C, SIGKILL, --no-rollback) left Marathon deploying this
      // very definition: the app is only up to date once that deployment is done.
      r.deployment_id = in_flight;
      r.version = r.previous_version;
      f.adopted = true;
      emit(o, job.id, "deploying", f.started, fmt::format("up to date, but deployment {} is still running; following it", in_flight));
      f.follower = std::make_unique<Follower>(client, Target{job.id, in_flight, r.version, std::nullopt, false},
                                              follow_options(o, f.deadline, job.id, f.started, "deploying"));
      return true;
    }
    r.status = AppStatus::up_to_date;
    r.message = "up to date";
    r.version = r.previous_version;
    emit(o, job.id, "up-to-date", f.started, r.message);
    return false;
  }
  const bool restart = r.changes.empty();
  if (!restart && o.on_changes) o.on_changes(job.id, r.changes, !before.has_value());
  emit(o, job.id, "deploying", f.started, restart ? "restarting (--force-restart)" : changes_summary(r.changes, !before));
  auto applied = [&](const std::optional<json>& app) {
    if (!app) return false;
    if (restart) return app->value("version", "") != r.previous_version;
    return (!before || app->value("version", "") != r.previous_version) && diff_apps(*app, desired).empty();
  };
  std::string problem;
  std::optional<Change> change;
  if (o.before_write) o.before_write();
  try {
    change = submit(client, job.id, [&](bool force) {
      return restart ? client.restart_app(job.id, force, applied) : client.put_app(job.id, desired, false, force, applied);
    }, f.deadline, f.started, o, problem);
  } catch (const MarathonError& e) {
    if ((e.status() != 422 && e.status() != 400) || !job.locate) throw;
    // Point each detail at the spec line that produced the rejected value.
    throw Error(fmt::format("updating app {}: {}", job.id, describe_error_body(e.status(), e.body(), job.locate)),
                e.exit_code());
  }
  if (!change) {
    not_accepted(r, o, problem);
    return false;
  }
  r.deployment_id = change->deployment_id;
  r.version = change->version;
  // While following, keep only what the report needs: many apps may be followed at once.
  for (auto& c : r.changes) c.before = c.after = json();
  f.follower = std::make_unique<Follower>(client, Target{job.id, r.deployment_id, r.version, std::nullopt, false},
                                          follow_options(o, f.deadline, job.id, f.started, "deploying"));
  return true;
}

// The result from the follow outcome; rolls back (blocking) when the change failed.
void finish_one(MarathonClient& client, Flight& flight, const FollowOutcome& f, const DeployOptions& o) {
  AppResult& r = flight.r;
  r.last = f.last;
  r.elapsed = f.elapsed;
  Diagnostics diagnostics = f.diagnostics;
  const auto tell = [&] {
    for (auto& line : describe(diagnostics)) r.details.push_back(std::move(line));
  };
  switch (f.result) {
    case FollowResult::done:
      r.status = flight.adopted ? AppStatus::up_to_date : AppStatus::deployed;
      r.message = flight.adopted ? fmt::format("up to date (deployment {} of version {} finished)", r.deployment_id, r.version)
                                 : fmt::format("deployed version {}", r.version);
      return tell();
    case FollowResult::interrupted:
      r.status = AppStatus::interrupted;
      r.exit = Exit::interrupted;
      r.message = fmt::format("stopped following deployment {} (Marathon continues it)", r.deployment_id);
      return tell();
    case FollowResult::superseded:
    case FollowResult::vanished:
      // Someone else changed the app: rolling back would undo their change.
      r.status = AppStatus::failed;
      r.exit = Exit::failure;
      r.message = f.reason + "; not rolling back";
      return tell();
    case FollowResult::timeout:
    case FollowResult::crash_loop:
      if (f.unreachable) {
        // Nothing can be cancelled on a Marathon that does not answer; the deployment may
        // even have finished. Say what is known and how to look.
        r.status = AppStatus::failed;
        r.exit = Exit::timeout;
        r.message = fmt::format("{}: {}; not rolled back (deployment {})", deadline_passed(o.timeout), f.reason,
                                r.deployment_id);
        return tell();
      }
      r.status = AppStatus::failed;
      r.exit = f.result == FollowResult::timeout ? Exit::timeout : Exit::failure;
      r.message = f.result == FollowResult::timeout
                      ? fmt::format("{}: {}", deadline_passed(o.timeout), f.reason)
                      : f.reason;
      break;
  }
  if (f.result == FollowResult::timeout) {
    // Said only when it explains a failure (not as a warning before every deploy).
    const auto wanted = suggested_timeout(flight.job->definition);
    if (wanted > o.timeout) {
      r.details.push_back(fmt::format("the deadline {} may be too short for its health checks and rolling restart "
                                      "(suggested: --timeout {})",
                                      core::format_duration(o.timeout), core::format_duration(wanted)));
    }
  }
  if (flight.adopted) {
    // What ran before that deployment is not known here: rolling back is not this run's to do.
    r.message += fmt::format("; not rolled back: deployment {} was started before this run", r.deployment_id);
  } else if (o.rollback) {
    roll_back(client, flight.before, r, o, flight.started);
    // Once rolled back, the "old" tasks are the ones Marathon runs again: not a problem.
    if (r.status == AppStatus::rolled_back) diagnostics.old_tasks.clear();
  } else {
    r.message += fmt::format("; not rolled back (--no-rollback): deployment {} is still running", r.deployment_id);
  }
  tell();
  r.elapsed = since(flight.started);
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

json desired_definition(const AppJob& job, const DeployOptions& options, const std::optional<json>& running) {
  json d = job.definition.is_object() ? job.definition : json::object();
  d["id"] = job.id;
  if (!d.contains("labels") || !d["labels"].is_object()) d["labels"] = json::object();
  if (!options.git_sha.empty()) d["labels"][k_label_git_sha] = options.git_sha;
  if (!options.deployed_at.empty()) d["labels"][k_label_deployed_at] = options.deployed_at;
  if (running && !options.force_restart) {
    const auto changes = diff_apps(*running, d);
    const bool scale_only = !changes.empty() && std::all_of(changes.begin(), changes.end(), [](const FieldChange& c) {
      return c.path == "/instances";
    });
    if (scale_only) {
      const json labels = running->value("labels", json::object());
      for (const char* key : {k_label_git_sha, k_label_deployed_at}) {
        if (labels.is_object() && labels.contains(key)) {
          d["labels"][key] = labels[key];
        } else {
          d["labels"].erase(key);
        }
      }
    }
  }
  return d;
}

std::vector<AppResult> deploy_apps(MarathonClient& client, const std::vector<AppJob>& jobs, const DeployOptions& options) {
  DeploymentsFeed feed(client);
  DeployOptions o = options;
  if (!o.deployments) o.deployments = &feed;
  const auto deps = [&] {
    std::map<std::string, json> definitions;
    for (const auto& j : jobs) definitions[j.id] = j.definition;
    return dependencies_within(definitions);
  }();
  // Up to `parallel` apps are in flight, but a few worker threads do the work: sending a
  // change and each look at a deployment are short requests, and most of the time every app
  // just waits for Marathon. The calling thread schedules: it hands out a job when there is
  // room, and a look when a follower is due or an event woke it.
  struct Shared {
    std::mutex mutex;
    std::condition_variable changed;  // the scheduler waits on it
    std::condition_variable work_ready;
    std::uint64_t events = 0;         // moved by the event stream listener
    std::uint64_t finished = 0;       // moved by a worker when it is done with a task
  };
  const auto shared = std::make_shared<Shared>();
  if (o.events) {
    o.events->set_listener([weak = std::weak_ptr<Shared>(shared)] {
      if (auto s = weak.lock()) {
        {
          std::lock_guard lock(s->mutex);
          ++s->events;
        }
        s->changed.notify_all();
      }
    });
  }
  std::map<std::string, AppResult> done;
  std::set<std::string> started_ids;
  std::list<Flight> flights;            // in flight; list: stable addresses
  std::deque<std::function<void()>> work;
  bool stopping = false;
  const auto started = Clock::now();
  std::map<std::string, std::string> waiting_said;  // the last "pending" message told per app

  // Callbacks never run under the scheduler's lock: what happens while it is held is queued
  // here and told once it is released.
  std::vector<DeployEvent> outbox;
  auto tell = [&](const std::vector<DeployEvent>& events) {  // without the lock
    if (o.on_event) {
      for (const auto& e : events) o.on_event(e);
    }
  };
  auto settle = [&](std::list<Flight>::iterator it) {  // with the lock held
    AppResult& r = it->r;
    // One measure per app, from when work on it began: the result and its last event agree
    // with every progress event (all counted from Flight::started).
    if (it->started != Clock::time_point{}) r.elapsed = since(it->started);
    outbox.push_back(DeployEvent{r.id, status_name(r.status), r.last.app_id.empty() ? std::nullopt : std::optional(r.last),
                                 r.message, r.elapsed});
    done[r.id] = std::move(r);
    flights.erase(it);
  };
  auto failed = [&](std::list<Flight>::iterator it, const std::string& message, Exit exit) {
    it->r.id = it->job->id;
    it->r.status = AppStatus::failed;
    it->r.exit = exit;
    it->r.message = message;
  };
  // Runs in a worker: sends the change, or takes one look.
  auto run = [&](std::list<Flight>::iterator it) {
    Flight& f = *it;
    bool finished = false;
    try {
      if (!f.follower) {
        finished = !start_one(client, f, o);
      } else if (auto outcome = f.follower->poll()) {
        finish_one(client, f, *outcome, o);
        finished = true;
      }
    } catch (...) {
      // The worker boundary: whatever went wrong is this app's result, never std::terminate.
      const auto [message, exit] = describe_exception(std::current_exception(), f.job->id);
      failed(it, message, exit);
      finished = true;
    }
    std::vector<DeployEvent> told;
    {
      std::lock_guard lock(shared->mutex);
      f.busy = false;
      ++shared->finished;
      if (finished) settle(it);
      told.swap(outbox);
    }
    tell(told);
    shared->changed.notify_all();
  };

  const int limit = std::clamp(o.parallel, 1, static_cast<int>(std::max<std::size_t>(jobs.size(), 1)));
  const int worker_count = std::min(limit, 12);
  std::vector<std::thread> workers;
  // Whatever ends the scheduler (an exception included), the workers are stopped and joined.
  auto stop_workers = [&] {
    {
      std::lock_guard lock(shared->mutex);
      stopping = true;
    }
    shared->work_ready.notify_all();
    for (auto& t : workers) {
      if (t.joinable()) t.join();
    }
  };
  struct Joiner {
    decltype(stop_workers)& stop;
    ~Joiner() { stop(); }
  } joiner{stop_workers};
  for (int i = 0; i < worker_count; ++i) {
    workers.emplace_back([&] {
      std::unique_lock lock(shared->mutex);
      for (;;) {
        shared->work_ready.wait(lock, [&] { return stopping || !work.empty(); });
        if (work.empty()) return;
        auto task = std::move(work.front());
        work.pop_front();
        lock.unlock();
        task();
        lock.lock();
      }
    });
  }

  {
    std::unique_lock lock(shared->mutex);
    for (;;) {
      // Start what may start: dependencies done, room in flight.
      bool pending = false;
      for (const auto& j : jobs) {
        if (started_ids.count(j.id)) continue;
        std::string failed_dep;
        bool ready = true;
        for (const auto& d : deps.at(j.id)) {
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
          outbox.push_back(DeployEvent{j.id, status_name(r.status), std::nullopt, r.message, since(started)});
          done[j.id] = std::move(r);
          continue;
        }
        if (!ready || static_cast<int>(flights.size()) >= limit) {
          pending = true;
          // Say what it waits for, once per change: its dependencies, or a free slot.
          std::vector<std::string> waits;
          for (const auto& d : deps.at(j.id)) {
            if (!done.count(d)) waits.push_back(d);
          }
          std::string why = !waits.empty() ? fmt::format("waiting for {}", fmt::join(waits, ", "))
                                           : fmt::format("waiting for a free slot (--parallel {})", limit);
          if (waiting_said[j.id] != why) {
            outbox.push_back(DeployEvent{j.id, "pending", std::nullopt, why, since(started)});
            waiting_said[j.id] = std::move(why);
          }
          continue;
        }
        started_ids.insert(j.id);
        auto it = flights.insert(flights.end(), Flight{});
        it->job = &j;
        it->busy = true;
        work.emplace_back([&run, it] { run(it); });
      }
      // Hand out the looks that are due, or asked for by an event or an interrupt.
      const auto now = Clock::now();
      auto next = now + std::chrono::milliseconds(100);  // wakes to notice an interrupt
      for (auto it = flights.begin(); it != flights.end(); ++it) {
        if (it->busy || !it->follower) continue;
        if (it->follower->due() <= now || it->follower->woken() || interrupted(o)) {
          it->busy = true;
          work.emplace_back([&run, it] { run(it); });
        } else {
          next = std::min(next, it->follower->due());
        }
      }
      if (!work.empty()) shared->work_ready.notify_all();
      if (!outbox.empty()) {
        std::vector<DeployEvent> told;
        told.swap(outbox);
        lock.unlock();
        tell(told);
        lock.lock();
        continue;  // look again: things may have moved meanwhile
      }
      if (!pending && flights.empty()) break;
      const auto events = shared->events;
      const auto finished = shared->finished;
      shared->changed.wait_until(lock, next, [&] { return shared->events != events || shared->finished != finished; });
      // Events come in bursts (a task's status, then its health): let the burst settle.
      if (shared->events != events) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        lock.lock();
      }
    }
  }
  stop_workers();
  if (o.events) o.events->set_listener({});
  std::vector<AppResult> out;
  out.reserve(jobs.size());
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
    not_accepted(r, o, problem);
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
      r.message = fmt::format("{}: {}", deadline_passed(o.timeout), f.reason);
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
