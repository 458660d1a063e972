#include "deploy/operate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace mctl::deploy {
namespace {

// When the definition last changed (not only scaled); "" without versionInfo.
std::string config_changed_at(const json& definition) {
  if (!definition.contains("versionInfo") || !definition["versionInfo"].is_object()) return "";
  return definition["versionInfo"].value("lastConfigChangeAt", "");
}

bool same_config(json a, json b) {
  a.erase("instances");
  b.erase("instances");
  return diff_apps(a, b).empty();
}

// The oldest listed version in [from, to] (versions newest first): where a config began.
std::string oldest_between(const std::vector<std::string>& versions, const std::string& from, const std::string& to) {
  std::string out = to;
  for (const auto& v : versions) {
    if (v >= from && v < out) out = v;
  }
  return out;
}

Target target_for(const std::string& id, const Change& c) { return Target{id, c.deployment_id, c.version, std::nullopt, false}; }

AppResult with_message(AppResult r, const std::string& done_message) {
  if (r.status == AppStatus::deployed && r.message == "done") r.message = done_message;
  return r;
}

}  // namespace

std::vector<RollbackTarget> rollback_targets(MarathonClient& client, const std::string& id, const json& app,
                                             std::size_t limit) {
  std::vector<RollbackTarget> out;
  if (limit == 0) return out;
  const auto versions = client.versions(id);  // newest first
  std::string cursor = config_changed_at(app);
  if (cursor.empty()) cursor = app.value("version", "");
  json newer = app;        // the next target must differ from this
  bool last_exact = true;  // the last target's version is known to be where its config began
  for (const auto& v : versions) {
    if (out.size() >= limit && last_exact) break;
    if (v >= cursor) continue;
    json definition = client.app_version(id, v);
    const std::string config_at = config_changed_at(definition);
    // A scale-only version carries the config of the version that last changed it: continue
    // from there (one read per config version, however often the app was scaled).
    cursor = config_at.empty() || config_at > v ? v : config_at;
    if (same_config(definition, newer) || same_config(definition, app)) {
      // Without versionInfo, the oldest of a run of equal definitions is where it changed.
      if (config_at.empty() && !out.empty() && same_config(definition, newer)) out.back().version = v;
      continue;
    }
    if (out.size() >= limit) break;
    out.push_back({config_at.empty() ? v : oldest_between(versions, config_at, v), definition});
    newer = definition;
    last_exact = !config_at.empty();
  }
  return out;
}

AppResult rollback_app(MarathonClient& client, const std::string& id, const std::string& to, const DeployOptions& o,
                       bool wait) {
  const json app = client.require_app(id);
  RollbackTarget target;
  if (to.empty()) {
    const auto targets = rollback_targets(client, id, app, 1);
    if (targets.empty()) {
      throw Error(fmt::format("rollback {}: no earlier config version with a different definition (scale-only versions "
                              "are not rollback targets; see mctl versions {})", id, id),
                  Exit::failure);
    }
    target = targets.front();
  } else {
    target = {to, client.app_version(id, to)};
  }
  const json body = {{"version", target.version}};
  auto r = apply_change(client, id, [&](bool force) {
    return client.put_app(id, body, true, force, [&](const std::optional<json>& now) {
      return now && now->value("version", "") != app.value("version", "") && same_config(*now, target.definition);
    });
  }, [&](const Change& c) { return target_for(id, c); }, o, wait);
  return with_message(r, fmt::format("rolled back to the definition of version {} (now version {})", target.version,
                                     r.version));
}

AppResult restart(MarathonClient& client, const std::string& id, const DeployOptions& o, bool wait) {
  const json app = client.require_app(id);
  const std::string before = config_changed_at(app).empty() ? app.value("version", "") : config_changed_at(app);
  auto r = apply_change(client, id, [&](bool force) {
    return client.restart_app(id, force, [&](const std::optional<json>& now) {
      if (!now) return false;
      const std::string after = config_changed_at(*now).empty() ? now->value("version", "") : config_changed_at(*now);
      return after > before;
    });
  }, [&](const Change& c) { return target_for(id, c); }, o, wait);
  return with_message(r, "restarted: every task replaced and healthy");
}

AppResult scale(MarathonClient& client, const std::string& id, int instances, const DeployOptions& o, bool wait) {
  client.require_app(id);  // a PUT would create it
  const json body = {{"instances", instances}};
  auto r = apply_change(client, id, [&](bool force) {
    return client.put_app(id, body, true, force, [&](const std::optional<json>& now) {
      return now && now->value("instances", -1) == instances;
    });
  }, [&](const Change& c) { return target_for(id, c); }, o, wait);
  return with_message(r, fmt::format("scaled to {} instance(s)", instances));
}

AppResult destroy(MarathonClient& client, const std::string& id, const DeployOptions& o, bool wait) {
  auto r = apply_change(client, id, [&](bool) { return client.delete_app(id); },
                        [&](const Change& c) { return Target{id, c.deployment_id, "", std::nullopt, true}; }, o, wait);
  return with_message(r, "destroyed");
}

bool looks_like_deployment_id(const std::string& s) {
  if (s.size() < 32 || s.find('/') != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '-'; });
}

namespace {

AppResult follow_revert(MarathonClient& client, const std::string& app, const std::string& dep, const Change& revert,
                        const DeployOptions& o) {
  AppResult r = apply_change(client, app, [&](bool) { return revert; },
                             [&](const Change& c) { return Target{app, c.deployment_id, "", std::nullopt, false}; }, o);
  if (r.status == AppStatus::failed && !client.get_app(app)) {
    r.status = AppStatus::deployed;  // the revert of a new app removes it
    r.exit = Exit::ok;
    r.message = fmt::format("cancelled deployment {}; the app was new and Marathon removed it", dep);
  } else if (r.status == AppStatus::deployed) {
    r.message = fmt::format("cancelled deployment {}; Marathon reverted the app", dep);
  }
  return r;
}

}  // namespace

std::vector<AppResult> cancel(MarathonClient& client, const std::string& deployment_id, const std::string& app_id,
                              bool force, const DeployOptions& o, bool wait) {
  std::vector<std::pair<std::string, std::vector<std::string>>> targets;  // deployment -> apps
  for (const auto& d : client.deployments()) {
    std::vector<std::string> apps = d.value("affectedApps", std::vector<std::string>{});
    const bool match = !deployment_id.empty() ? d.value("id", "") == deployment_id
                                              : std::find(apps.begin(), apps.end(), app_id) != apps.end();
    if (match) targets.emplace_back(d.value("id", ""), apps);
  }
  if (targets.empty()) {
    // Nothing to cancel is "nothing found" (exit 8), like an app that does not exist at all.
    if (deployment_id.empty()) client.require_app(app_id);
    throw Error(fmt::format("cancel {}: no deployment in flight{} on {}", deployment_id.empty() ? app_id : deployment_id,
                            deployment_id.empty() ? " for app " + app_id : "", client.current_url()),
                Exit::no_records);
  }
  std::vector<AppResult> results;
  for (const auto& [dep, apps] : targets) {
    const auto change = client.cancel_deployment(dep, force);
    for (const auto& app : apps) {
      AppResult r;
      r.id = app;
      r.status = AppStatus::deployed;
      if (!change) {
        r.message = fmt::format("deployment {} had already finished", dep);
      } else if (force) {
        r.message = fmt::format("cancelled deployment {} without rollback (--force)", dep);
      } else if (!wait) {
        r.message = change->deployment_id.empty()
                        ? fmt::format("cancelled deployment {}; Marathon's revert already finished", dep)
                        : fmt::format("cancelled deployment {}; Marathon's revert deployment {} runs (not waiting)", dep,
                                      change->deployment_id);
      } else {
        r = follow_revert(client, app, dep, *change, o);
      }
      results.push_back(r);
    }
  }
  return results;
}

std::vector<WaitTarget> wait_targets(MarathonClient& client, const std::string& deployment_id, const std::string& app_id) {
  std::vector<WaitTarget> out;
  if (deployment_id.empty()) client.require_app(app_id);
  for (const auto& d : client.deployments()) {
    const std::vector<std::string> apps = d.value("affectedApps", std::vector<std::string>{});
    const Change c{d.value("id", ""), d.value("version", ""), {}};
    const auto removes = [&](const std::string& app) {
      for (const auto& step : d.value("steps", json::array())) {
        for (const auto& a : step.value("actions", json::array())) {
          if (a.value("app", "") == app && a.value("action", "") == "StopApplication") return true;
        }
      }
      return false;
    };
    if (!deployment_id.empty()) {
      if (c.deployment_id != deployment_id) continue;
      for (const auto& a : apps) out.push_back({a, c, removes(a)});
    } else if (std::find(apps.begin(), apps.end(), app_id) != apps.end()) {
      out.push_back({app_id, c, removes(app_id)});
    }
  }
  if (out.empty() && !deployment_id.empty()) {
    throw Error(fmt::format("wait {}: no such deployment in flight on {} (finished, cancelled or never started; see "
                            "mctl deployments)", deployment_id, client.current_url()),
                Exit::no_records);
  }
  if (out.empty()) out.push_back({app_id, Change{}});
  return out;
}

AppResult wait_for(MarathonClient& client, const WaitTarget& t, const DeployOptions& o) {
  AppResult r = apply_change(client, t.app_id, [&](bool) { return t.change; },
                             [&](const Change& c) {
                               return Target{t.app_id, c.deployment_id, t.removes ? "" : c.version, std::nullopt, t.removes};
                             },
                             o);
  if (t.removes) return with_message(r, fmt::format("deployment {} finished; the app was removed", t.change.deployment_id));
  return with_message(r, t.change.deployment_id.empty()
                             ? fmt::format("no deployment in flight; done (version {})", r.last.version)
                             : fmt::format("deployment {} finished; done (version {})", t.change.deployment_id,
                                           r.last.version));
}

}  // namespace mctl::deploy
