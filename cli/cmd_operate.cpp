// mctl status, apps, versions, rollback, restart, scale, stop, destroy.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/deploy_output.hpp"
#include "core/terminal.hpp"
#include "deploy/report.hpp"

namespace mctl::cli {
using nlohmann::json;
namespace {
using namespace deploying;

struct OperateFlags {
  std::string app;
  std::string timeout;
  std::string to;
  int instances = -1;
  int limit = 10;
  bool force = false;
  bool no_wait = false;
  bool yes = false;
};

json require_app(deploy::MarathonClient& client, const std::string& id) {
  auto app = client.get_app(id);
  if (!app) throw Error(fmt::format("app {} does not exist on {}", id, client.current_url()), Exit::failure);
  return *app;
}

void run_status(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  const std::string id = app_id(ctx, f.app);
  const json app = require_app(*client, id);
  const json deployments = client->deployments();
  if (ctx.json()) {
    json out = deploy::summary_json(deploy::summarize(app));
    out["tasks"] = app.value("tasks", json::array());
    out["last_task_failure"] = app.value("lastTaskFailure", json());
    ctx.print_json(out);
    return;
  }
  ctx.print(deploy::status_text(app, deployments));
}

void run_apps(Context& ctx) {
  auto client = marathon(ctx);
  const json apps = client->list_apps();
  std::vector<deploy::AppSummary> rows;
  for (const auto& a : apps) rows.push_back(deploy::summarize(a));
  if (ctx.json()) {
    json out = json::array();
    for (const auto& r : rows) out.push_back(deploy::summary_json(r));
    ctx.print_json(out);
    return;
  }
  if (rows.empty()) {
    ctx.print(fmt::format("no apps on {}", client->current_url()));
    return;
  }
  std::size_t width = 3;
  for (const auto& r : rows) width = std::max(width, r.id.size());
  std::string out = fmt::format("{:<{}}  {:<9}  {:<26}  {:<24}  {}\n", "APP", width, "TASKS", "HEALTH", "VERSION", "GIT SHA");
  for (const auto& r : rows) {
    out += fmt::format("{:<{}}  {:<9}  {:<26}  {:<24}  {}\n", r.id, width, fmt::format("{}/{}", r.running, r.instances),
                       r.health, r.version, r.git_sha.substr(0, 12));
  }
  ctx.print(out);
}

void run_versions(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  const std::string id = app_id(ctx, f.app);
  const json app = require_app(*client, id);
  const auto versions = client->versions(id);
  json out = json::array();
  std::string text;
  int shown = 0;
  for (const auto& v : versions) {
    if (f.limit > 0 && shown++ >= f.limit) break;
    const auto s = deploy::summarize(client->app_version(id, v));
    const bool current = v == app.value("version", "");
    out.push_back({{"version", v}, {"current", current}, {"image", s.image}, {"git_sha", s.git_sha}, {"instances", s.instances}});
    text += fmt::format("{}{}  {}  instances {}{}\n", v, current ? " *" : "  ", s.image.empty() ? "-" : s.image, s.instances,
                        s.git_sha.empty() ? "" : "  git " + s.git_sha.substr(0, 12));
  }
  if (ctx.json()) ctx.print_json(out);
  else ctx.print(text.empty() ? "no versions" : text);
}

// The newest version older than the current config whose definition differs from it
// (scale-only versions are skipped: rolling back to them would change nothing).
std::string previous_version(deploy::MarathonClient& client, const std::string& id, const json& app) {
  const std::string config_at = app.contains("versionInfo") ? app["versionInfo"].value("lastConfigChangeAt", "") : "";
  const std::string current = config_at.empty() ? app.value("version", "") : config_at;
  json mine = app;
  mine.erase("instances");
  for (const auto& v : client.versions(id)) {
    if (v >= current) continue;
    json other = client.app_version(id, v);
    other.erase("instances");
    if (!deploy::diff_apps(other, mine).empty()) return v;
  }
  throw Error(fmt::format("rollback {}: no earlier version with a different definition (see mctl versions {})", id, id),
              Exit::failure);
}

void finish(Context& ctx, deploy::AppResult r, const std::string& what, const std::string& done_message) {
  if (r.status == deploy::AppStatus::deployed && r.message == "done") r.message = done_message;
  report(ctx, {r}, what);
}

deploy::Target target_for(const std::string& id, const deploy::Change& c) {
  return deploy::Target{id, c.deployment_id, c.version, std::nullopt, false};
}

void run_rollback(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  auto o = options(ctx, f.timeout);
  o.force = f.force;
  const std::string id = app_id(ctx, f.app);
  const json app = require_app(*client, id);
  const std::string to = f.to.empty() ? previous_version(*client, id, app) : f.to;
  const json body = {{"version", to}};
  auto r = deploy::apply_change(*client, id, [&](bool force) {
    return client->put_app(id, body, true, force, [&](const std::optional<json>& now) {
      return now && now->value("version", "") != app.value("version", "");
    });
  }, [&](const deploy::Change& c) { return target_for(id, c); }, o, !f.no_wait);
  finish(ctx, r, "rollback", fmt::format("rolled back to the definition of version {} (now version {})", to, r.version));
}

void run_restart(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  auto o = options(ctx, f.timeout);
  o.force = f.force;
  const std::string id = app_id(ctx, f.app);
  const json app = require_app(*client, id);
  auto r = deploy::apply_change(*client, id, [&](bool force) {
    return client->restart_app(id, force, [&](const std::optional<json>& now) {
      return now && now->value("version", "") != app.value("version", "");
    });
  }, [&](const deploy::Change& c) { return target_for(id, c); }, o, !f.no_wait);
  finish(ctx, r, "restart", "restarted: every task replaced and healthy");
}

void run_scale(Context& ctx, const OperateFlags& f, int instances, const std::string& what) {
  auto client = marathon(ctx);
  auto o = options(ctx, f.timeout);
  o.force = f.force;
  const std::string id = app_id(ctx, f.app);
  require_app(*client, id);
  const json body = {{"instances", instances}};
  auto r = deploy::apply_change(*client, id, [&](bool force) {
    return client->put_app(id, body, true, force, [&](const std::optional<json>& now) {
      return now && now->value("instances", -1) == instances;
    });
  }, [&](const deploy::Change& c) { return target_for(id, c); }, o, !f.no_wait);
  finish(ctx, r, what, fmt::format("scaled to {} instance(s)", instances));
}

void run_destroy(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  auto o = options(ctx, f.timeout);
  const std::string id = app_id(ctx, f.app);
  require_app(*client, id);
  if (!f.yes) {
    if (!ctx.stdin_is_tty()) {
      throw Error(fmt::format("destroy {}: refusing without --yes when not on a terminal", id), Exit::usage);
    }
    const auto answer = core::prompt_line(fmt::format("Destroy {} on {}? Its tasks are killed and its versions deleted. "
                                                      "Type the app id to confirm: ", id, client->current_url()));
    if (answer != id) throw Error(fmt::format("destroy {}: not confirmed; nothing was changed", id), Exit::failure);
  }
  auto r = deploy::apply_change(*client, id, [&](bool) { return client->delete_app(id); },
                                [&](const deploy::Change& c) { return deploy::Target{id, c.deployment_id, "", std::nullopt, true}; },
                                o, !f.no_wait);
  finish(ctx, r, "destroy", "destroyed");
}

CLI::App* sub(CLI::App& app, const std::string& name, const std::string& help, OperateFlags& f, bool waits) {
  auto* s = app.add_subcommand(name, help);
  s->add_option("app", f.app, "App spec name, rendered .json file, or Marathon id (/group/app)")->required();
  if (waits) {
    s->add_option("--timeout", f.timeout, "Deadline to be done (default: deploy.timeout)");
    s->add_flag("--no-wait", f.no_wait, "Return once Marathon accepted the change");
  }
  return s;
}

}  // namespace

void add_operate_commands(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<OperateFlags>();
  sub(app, "status", "Show an app's version, git sha, health, tasks and deployments", *f, false)
      ->callback(command(ctx, [&ctx, f] { run_status(ctx, *f); }));
  app.add_subcommand("apps", "List the environment's apps with health")->callback(command(ctx, [&ctx] { run_apps(ctx); }));
  auto* versions = sub(app, "versions", "List an app's versions (newest first; * = current)", *f, false);
  versions->add_option("--limit", f->limit, "How many (0: all)");
  versions->callback(command(ctx, [&ctx, f] { run_versions(ctx, *f); }));
  auto* rollback = sub(app, "rollback", "Go back to a previous app version and wait until it is healthy", *f, true);
  rollback->add_option("--to", f->to, "Version timestamp (default: the previous definition)");
  rollback->add_flag("--force", f->force, "Cancel a deployment that locks the app");
  rollback->callback(command(ctx, [&ctx, f] { run_rollback(ctx, *f); }));
  auto* restart = sub(app, "restart", "Replace an app's tasks and wait until they are healthy", *f, true);
  restart->add_flag("--force", f->force, "Cancel a deployment that locks the app");
  restart->callback(command(ctx, [&ctx, f] { run_restart(ctx, *f); }));
  auto* scale = sub(app, "scale", "Set an app's instance count and wait", *f, true);
  scale->add_option("instances", f->instances, "Instance count")->required()->check(whole_number_at_least(0));
  scale->add_flag("--force", f->force, "Cancel a deployment that locks the app");
  scale->callback(command(ctx, [&ctx, f] { run_scale(ctx, *f, f->instances, "scale"); }));
  auto* stop = sub(app, "stop", "Scale an app to 0 (keeps its definition)", *f, true);
  stop->add_flag("--force", f->force, "Cancel a deployment that locks the app");
  stop->callback(command(ctx, [&ctx, f] { run_scale(ctx, *f, 0, "stop"); }));
  auto* destroy = sub(app, "destroy", "Remove an app from Marathon (asks on a terminal)", *f, true);
  destroy->add_flag("-y,--yes", f->yes, "Do not ask (required when not on a terminal)");
  destroy->callback(command(ctx, [&ctx, f] { run_destroy(ctx, *f); }));
}

}  // namespace mctl::cli
