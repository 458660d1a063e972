#include "deploy/tasks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "deploy/fields.hpp"

namespace mctl::deploy {
namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Where the UUID of a task id starts: after "instance-" (1.4+ ids) or after the last '.'
// that is followed by 8 hex digits and a '-' (older "app.uuid" ids); npos without one.
std::size_t uuid_start(const std::string& id) {
  const auto instance = id.find(".instance-");
  if (instance != std::string::npos) return instance + 10;
  for (auto dot = id.rfind('.'); dot != std::string::npos && dot > 0; dot = id.rfind('.', dot - 1)) {
    const std::size_t at = dot + 1;
    if (id.size() >= at + 9 && id[at + 8] == '-' &&
        std::all_of(id.begin() + static_cast<long>(at), id.begin() + static_cast<long>(at + 8), is_hex)) {
      return at;
    }
  }
  return std::string::npos;
}

std::string health_of(const json& task, bool has_checks) {
  if (!has_checks) return "-";
  const json results = task.value("healthCheckResults", json::array());
  if (!results.is_array() || results.empty()) return "unknown";
  for (const auto& r : results) {
    if (!r.value("alive", false)) return "unhealthy";
  }
  return "healthy";
}

std::string config_version(const json& app) {
  const json info = app.value("versionInfo", json::object());
  const std::string at = info.is_object() ? info.value("lastConfigChangeAt", "") : "";
  return at.empty() ? app.value("version", "") : at;
}

std::string ports_text(const std::vector<int>& ports) {
  if (ports.empty()) return "-";
  return fmt::format("{}", fmt::join(ports, ","));
}

}  // namespace

std::string short_task_id(const std::string& task_id) {
  const auto at = uuid_start(task_id);
  if (at == std::string::npos) return task_id;
  return task_id.substr(at, 8);
}

std::vector<TaskRow> task_rows(const json& app) {
  const Fields fields(app, "app");
  const std::string current = config_version(app);
  const bool has_checks = !fields.array("healthChecks").empty();
  std::vector<TaskRow> rows;
  for (const auto& t : fields.array("tasks")) {
    TaskRow r;
    r.id = t.str("id");
    r.short_id = short_task_id(r.id);
    r.app_id = t.str("appId", app.value("id", ""));
    r.host = t.str("host");
    r.state = t.str("state");
    r.health = health_of(t.raw(), has_checks);
    r.version = t.str("version");
    r.current = !r.version.empty() && r.version >= current;  // ISO-8601 of one format sorts as text
    for (const auto& p : t.raw().value("ports", json::array())) {
      if (p.is_number_integer()) r.ports.push_back(p.get<int>());
    }
    r.started_at = t.str("startedAt");
    rows.push_back(std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const TaskRow& a, const TaskRow& b) {
    const auto& x = a.started_at.empty() ? std::string("~") : a.started_at;  // staging last
    const auto& y = b.started_at.empty() ? std::string("~") : b.started_at;
    return x < y;
  });
  return rows;
}

json tasks_json(const std::vector<TaskRow>& rows) {
  json out = json::array();
  for (const auto& r : rows) {
    out.push_back({{"id", r.id}, {"short_id", r.short_id}, {"app", r.app_id}, {"host", r.host}, {"state", r.state},
                   {"health", r.health}, {"version", r.version}, {"current", r.current}, {"ports", r.ports},
                   {"started_at", r.started_at.empty() ? json() : json(r.started_at)}});
  }
  return out;
}

std::string tasks_table(const std::vector<TaskRow>& rows) {
  std::size_t host_w = 4;
  for (const auto& r : rows) host_w = std::max(host_w, r.host.size());
  std::string out = fmt::format("{:<8}  {:<{}}  {:<13}  {:<9}  {:<3}  {:<24}  {:<11}  {}\n", "TASK", "HOST", host_w,
                                "STATE", "HEALTH", "VER", "VERSION", "PORTS", "STARTED");
  for (const auto& r : rows) {
    std::string state = r.state.rfind("TASK_", 0) == 0 ? r.state.substr(5) : r.state;
    std::transform(state.begin(), state.end(), state.begin(), [](unsigned char c) { return std::tolower(c); });
    out += fmt::format("{:<8}  {:<{}}  {:<13}  {:<9}  {:<3}  {:<24}  {:<11}  {}\n", r.short_id, r.host, host_w, state,
                       r.health, r.current ? "new" : "old", r.version, ports_text(r.ports),
                       r.started_at.empty() ? "-" : r.started_at);
  }
  return out;
}

json resolve_task(const json& tasks, const std::string& arg) {
  if (arg.empty()) throw Error("kill: the task id is empty", Exit::usage);
  std::vector<const json*> found;
  for (const auto& t : tasks) {
    const std::string id = t.value("id", "");
    if (id == arg) return t;
    if (id.rfind(arg, 0) == 0 || short_task_id(id).rfind(arg, 0) == 0 ||
        (uuid_start(id) != std::string::npos && id.compare(uuid_start(id), arg.size(), arg) == 0)) {
      found.push_back(&t);
    }
  }
  if (found.size() == 1) return *found.front();
  if (found.empty()) throw Error(fmt::format("kill {}: no task has this id or id prefix", arg), Exit::no_records);
  std::vector<std::string> ids;
  ids.reserve(found.size());
  for (const auto* t : found) ids.push_back(fmt::format("{} ({})", t->value("id", ""), t->value("appId", "")));
  throw Error(fmt::format("kill {}: the prefix matches {} tasks, give more of the id: {}", arg, ids.size(),
                          fmt::join(ids, ", ")),
              Exit::usage);
}

KillResult kill_task(MarathonClient& client, const json& task, bool scale, bool wipe, const DeployOptions& o,
                     bool wait) {
  const std::string app = task.value("appId", "");
  const std::string id = task.value("id", "");
  KillResult out;
  out.task = task;
  if (!scale) {
    client.kill_task(app, id, false, wipe, false);
    out.result.id = app;
    out.result.status = AppStatus::deployed;
    out.result.message = fmt::format("killed task {} on {}; Marathon starts a replacement", id, task.value("host", ""));
    return out;
  }
  out.result = apply_change(
      client, app, [&](bool force) { return client.kill_task(app, id, true, wipe, force).change; },
      [&](const Change& c) { return Target{app, c.deployment_id, c.version, std::nullopt, false}; }, o, wait);
  if (out.result.status == AppStatus::deployed) {
    out.result.message = fmt::format("killed task {} and scaled {} down by one", id, app);
  }
  return out;
}

std::vector<QueueRow> queue_rows(const json& queue, const std::string& app_id) {
  std::vector<QueueRow> rows;
  for (const auto& e : Fields(queue, "GET /v2/queue").items()) {
    QueueRow r;
    const auto app = e.object("app");
    r.app_id = app ? app->str("id") : "";
    if (!app_id.empty() && r.app_id != app_id) continue;
    r.waiting = e.integer("count");
    r.since = e.str("since");
    if (const auto delay = e.object("delay")) {
      r.delay_left_s = static_cast<int>(delay->number("timeLeftSeconds"));
      r.overdue = delay->boolean("overdue", true);
    }
    std::vector<std::pair<int, std::string>> declined;
    if (const auto s = e.object("processedOffersSummary")) {
      r.offers_processed = s->integer("processedOffersCount");
      r.offers_unused = s->integer("unusedOffersCount");
      for (const auto& x : s->array("rejectSummaryLastOffers")) {
        if (x.integer("declined") <= 0) continue;
        declined.emplace_back(x.integer("declined"),
                              fmt::format("{}: {} of {} offers", x.str("reason"), x.integer("declined"), x.integer("processed")));
      }
    }
    std::stable_sort(declined.begin(), declined.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (auto& d : declined) r.reasons.push_back(std::move(d.second));
    if (app && !r.reasons.empty()) {
      r.hint = fmt::format("the app asks for cpus {}, mem {} MiB, disk {} MiB per task", app->number("cpus"),
                           app->number("mem"), app->number("disk"));
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

json queue_json(const std::vector<QueueRow>& rows) {
  json out = json::array();
  for (const auto& r : rows) {
    out.push_back({{"app", r.app_id}, {"waiting", r.waiting}, {"since", r.since},
                   {"delay_seconds_left", r.delay_left_s}, {"overdue", r.overdue},
                   {"offers_processed", r.offers_processed}, {"offers_unused", r.offers_unused},
                   {"reasons", r.reasons}});
  }
  return out;
}

std::string queue_text(const std::vector<QueueRow>& rows) {
  std::string out;
  for (const auto& r : rows) {
    out += fmt::format("{}: {} instance(s) waiting to launch since {}\n", r.app_id, r.waiting, r.since);
    if (!r.overdue) {
      out += fmt::format("  launch delayed (backoff after failed tasks): {} s left; 'mctl queue reset {}' launches now\n",
                         r.delay_left_s, r.app_id);
    }
    if (!r.reasons.empty()) {
      out += fmt::format("  offers declined: {}\n", fmt::join(r.reasons, ", "));
      out += fmt::format("  {}\n", r.hint);
    } else if (r.overdue && r.offers_processed == 0) {
      out += "  no offers received yet (is an agent with free resources registered?)\n";
    }
  }
  return out;
}

void reset_queue_delay(MarathonClient& client, const std::string& app_id) {
  if (!client.reset_delay(app_id)) {
    client.require_app(app_id);
    throw Error(fmt::format("queue reset {}: the app is not in the launch queue on {} (nothing is waiting to launch)",
                            app_id, client.current_url()),
                Exit::no_records);
  }
}

}  // namespace mctl::deploy
