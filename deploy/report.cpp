#include "deploy/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "deploy/fields.hpp"

namespace mctl::deploy {
std::string progress_text(const DeployEvent& e) {
  std::vector<std::string> parts;
  // "deployed ... deployed version X" would say it twice: such a message names the state itself.
  const std::string first_word = e.phase.substr(0, e.phase.find('-'));
  if (e.message.rfind(first_word, 0) != 0) parts.push_back(e.phase);
  // The message (why the state changed, what it waits for) before the counts: a line cut to
  // the terminal's width keeps it.
  if (!e.message.empty()) parts.push_back(e.message);
  if (e.progress) {
    const Progress& p = *e.progress;
    if (p.deployment_listed && p.total_steps > 0) {
      parts.push_back(fmt::format("step {}/{}{}", p.step, p.total_steps, p.action.empty() ? "" : " (" + p.action + ")"));
    }
    // Tasks of the version being deployed apart from those of an older one: a count of all
    // running tasks would show the old ones as progress.
    std::string counts = fmt::format("new {}/{} running", p.new_running, p.instances);
    if (p.has_health) counts += fmt::format(", {}/{} healthy", p.new_healthy, p.instances);
    if (p.unhealthy > 0) counts += fmt::format(", {} unhealthy", p.unhealthy);
    parts.push_back(counts);
    if (p.old_tasks > 0) parts.push_back(fmt::format("old {} running", p.old_tasks));
  }
  return fmt::format("{}", fmt::join(parts, "  "));
}

std::string live_seconds(std::chrono::milliseconds ms) {
  const long long s = ms.count() / 1000;
  return s < 60 ? fmt::format("{}s", s) : fmt::format("{}m{:02}s", s / 60, s % 60);
}

json event_json(const DeployEvent& e) {
  json j = {{"event", "progress"}, {"app", e.app}, {"phase", e.phase}, {"elapsed_ms", e.elapsed.count()}};
  if (!e.message.empty()) j["message"] = e.message;
  if (e.progress) {
    const Progress& p = *e.progress;
    j["deployment_listed"] = p.deployment_listed;
    j["step"] = p.step;
    j["total_steps"] = p.total_steps;
    j["instances"] = p.instances;
    j["running"] = p.running;
    j["healthy"] = p.healthy;
    j["unhealthy"] = p.unhealthy;
    j["old_tasks"] = p.old_tasks;
    j["new_running"] = p.new_running;
    j["new_healthy"] = p.new_healthy;
    j["has_health_checks"] = p.has_health;
    if (!p.waiting_for.empty()) j["waiting_for"] = p.waiting_for;
  }
  return j;
}

json result_json(const AppResult& r) {
  json changes = json::array();
  for (const auto& c : r.changes) changes.push_back(c.path);
  return {{"app", r.id},
          {"status", status_name(r.status)},
          {"exit_code", static_cast<int>(r.exit)},
          {"message", r.message},
          {"details", r.details},
          {"deployment_id", r.deployment_id},
          {"version", r.version},
          {"previous_version", r.previous_version},
          {"changed_fields", changes},
          {"elapsed_ms", r.elapsed.count()}};
}

std::vector<std::string> next_steps(const AppResult& r, const std::string& suffix) {
  std::vector<std::string> out;
  switch (r.status) {
    case AppStatus::interrupted:
      out.push_back(fmt::format("mctl wait {}{}   # follow it again until done", r.id, suffix));
      if (!r.deployment_id.empty()) {
        out.push_back(fmt::format("mctl cancel {}{}   # cancel; Marathon rolls back", r.deployment_id, suffix));
      }
      break;
    case AppStatus::failed:
      out.push_back(fmt::format("mctl status {}{}", r.id, suffix));
      if (!r.deployment_id.empty()) out.push_back(fmt::format("mctl cancel {}{}   # roll back", r.id, suffix));
      out.push_back(fmt::format("mctl versions {}{}", r.id, suffix));
      break;
    case AppStatus::rolled_back:
      out.push_back(fmt::format("mctl status {}{}", r.id, suffix));
      break;
    case AppStatus::rollback_failed:
      out.push_back(fmt::format("mctl status {}{}", r.id, suffix));
      out.push_back(fmt::format("mctl versions {}{}", r.id, suffix));
      out.push_back(fmt::format("mctl rollback {} --to VERSION --force{}", r.id, suffix));
      break;
    default:
      break;
  }
  return out;
}

AppSummary summarize(const json& app) {
  AppSummary s;
  s.id = string_field(app, "id");
  s.version = string_field(app, "version");
  const json labels = app.value("labels", json::object());
  s.git_sha = labels.is_object() ? labels.value(k_label_git_sha, "") : "";
  s.deployed_at = labels.is_object() ? labels.value(k_label_deployed_at, "") : "";
  if (app.contains("container") && app["container"].is_object() && app["container"].contains("docker")) {
    s.image = string_field(app["container"]["docker"], "image");
  }
  s.instances = app.value("instances", 0);
  s.running = app.value("tasksRunning", 0);
  s.healthy = app.value("tasksHealthy", 0);
  s.unhealthy = app.value("tasksUnhealthy", 0);
  s.staged = app.value("tasksStaged", 0);
  const auto checks = app.value("healthChecks", json::array());
  s.has_health = checks.is_array() && !checks.empty();
  for (const auto& d : app.value("deployments", json::array())) s.deployments.push_back(string_field(d, "id"));
  if (!s.deployments.empty()) s.health = "deploying";
  else if (s.instances == 0) s.health = "scaled to 0";
  else if (s.running < s.instances) s.health = "degraded";
  else if (!s.has_health) s.health = "running (no health checks)";
  else if (s.unhealthy > 0 || s.healthy < s.instances) s.health = "unhealthy";
  else s.health = "healthy";
  return s;
}

json summary_json(const AppSummary& s) {
  return {{"id", s.id}, {"version", s.version}, {"git_sha", s.git_sha}, {"deployed_at", s.deployed_at},
          {"image", s.image}, {"instances", s.instances}, {"running", s.running}, {"healthy", s.healthy},
          {"unhealthy", s.unhealthy}, {"staged", s.staged}, {"has_health_checks", s.has_health},
          {"health", s.health}, {"deployments", s.deployments}};
}

std::string status_text(const json& app, const json& deployments) {
  const AppSummary s = summarize(app);
  std::string out = fmt::format("app:        {}\nversion:    {}\n", s.id, s.version);
  if (!s.git_sha.empty()) out += fmt::format("git sha:    {}\n", s.git_sha);
  if (!s.deployed_at.empty()) out += fmt::format("deployed:   {}\n", s.deployed_at);
  if (!s.image.empty()) out += fmt::format("image:      {}\n", s.image);
  out += fmt::format("instances:  {} running / {} wanted{}{}\n", s.running, s.instances,
                     s.has_health ? fmt::format(", {} healthy", s.healthy) : "",
                     s.staged > 0 ? fmt::format(", {} staging", s.staged) : "");
  out += fmt::format("health:     {}\n", s.health);
  const auto tasks = app.value("tasks", json::array());
  if (!tasks.empty()) out += "tasks:\n";
  for (const auto& t : tasks) {
    std::string health = "-";
    for (const auto& r : t.value("healthCheckResults", json::array())) {
      health = r.value("alive", false) ? "healthy" : "unhealthy";
      if (!r.value("alive", false)) break;
    }
    out += fmt::format("  {}  {}  {}  {}  version {}\n", string_field(t, "id"), string_field(t, "host"), string_field(t, "state"), health,
                       string_field(t, "version"));
  }
  for (const auto& d : deployments) {
    const auto affected = d.value("affectedApps", json::array());
    if (std::find(affected.begin(), affected.end(), s.id) == affected.end()) continue;
    std::string actions;
    for (const auto& a : d.value("currentActions", json::array())) actions += " " + string_field(a, "action");
    out += fmt::format("deployment: {} step {}/{}{}\n", string_field(d, "id"), d.value("currentStep", 0), d.value("totalSteps", 0), actions);
  }
  if (app.contains("lastTaskFailure") && app["lastTaskFailure"].is_object()) {
    const auto& f = app["lastTaskFailure"];
    out += fmt::format("last task failure: {} {} on {} at {} (version {}): {}\n", string_field(f, "taskId"), string_field(f, "state"),
                       string_field(f, "host"), string_field(f, "timestamp"), string_field(f, "version"), string_field(f, "message"));
  }
  return out;
}

std::string failure_summary(const std::vector<AppResult>& results, const std::string& what, Exit exit,
                            bool reasons_shown) {
  if (exit == Exit::interrupted) return fmt::format("{}: interrupted; stopped following without touching Marathon", what);
  std::vector<const AppResult*> bad;
  for (const auto& r : results) {
    if (r.status != AppStatus::deployed && r.status != AppStatus::up_to_date) bad.push_back(&r);
  }
  std::string head = fmt::format("{}: {} of {} app(s) not done", what, bad.size(), results.size());
  if (bad.empty()) return head;
  if (reasons_shown) {
    std::vector<std::string> ids;
    ids.reserve(bad.size());
    for (const auto* r : bad) ids.push_back(r->id);
    return fmt::format("{}: {} ({} above)", head, fmt::join(ids, ", "), bad.size() == 1 ? "reason" : "reasons");
  }
  const auto& first = *bad.front();
  return fmt::format("{} ({}: {})", head, first.id, first.message.substr(0, first.message.find('\n')));
}

}  // namespace mctl::deploy
