// mctl status, apps, versions, rollback, restart, scale, stop, destroy.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

#include "cli/commands.hpp"
#include "cli/deploy_output.hpp"
#include "cli/wiring.hpp"
#include "core/terminal.hpp"
#include "deploy/operate.hpp"
#include "deploy/report.hpp"

namespace mctl::cli {
using nlohmann::json;
namespace {
using namespace deploying;

struct OperateFlags {
  std::string app;
  std::string to;
  std::vector<std::string> sets;
  FollowFlags follow;  // --force, --timeout, --no-wait of the commands that change the app
  int instances = -1;
  int limit = 10;
  bool yes = false;
};

// status_text with its labels as headings and the health state coloured.
std::string paint_status(const Context& ctx, const std::string& text) {
  if (!ctx.color()) return text;
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = std::min(text.find('\n', at), text.size());
    std::string line = text.substr(at, end - at);
    const auto colon = line.find(':');
    if (!line.empty() && line[0] != ' ' && colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      const auto word = value.find_first_not_of(' ');
      if (line.rfind("health:", 0) == 0 && word != std::string::npos) {
        const bool good = value.compare(word, 7, "healthy") == 0;
        std::string painted = value.substr(0, word);
        painted += ctx.paint(good ? core::Style::good : core::Style::bad, value.substr(word));
        value = std::move(painted);
      }
      std::string heading = ctx.paint(core::Style::heading, line.substr(0, colon + 1));
      heading += value;
      line = std::move(heading);
    }
    out += line + "\n";
    at = end + 1;
  }
  return out;
}

void run_status(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  const std::string id = app_id(ctx, f.app, f.sets);
  const json app = client->require_app(id);
  const json deployments = client->deployments();
  if (ctx.json()) {
    json out = deploy::summary_json(deploy::summarize(app));
    out["tasks"] = app.value("tasks", json::array());
    out["last_task_failure"] = app.value("lastTaskFailure", json());
    ctx.print_json(out);
    return;
  }
  ctx.print(paint_status(ctx, deploy::status_text(app, deployments)));
}

void run_apps(Context& ctx) {
  auto client = marathon(ctx);
  const json apps = client->list_apps();
  std::vector<deploy::AppSummary> rows;
  for (const auto& a : apps) rows.push_back(deploy::summarize(a));
  if (ctx.json()) {
    json out = json::array();
    for (const auto& r : rows) out.push_back(deploy::summary_json(r));
    ctx.print_json({{"apps", out}});
    return;
  }
  if (rows.empty()) {
    ctx.print(fmt::format("no apps on {}", client->current_url()));
    return;
  }
  std::size_t width = 3;
  for (const auto& r : rows) width = std::max(width, r.id.size());
  std::string out = ctx.paint(core::Style::heading, fmt::format("{:<{}}  {:<9}  {:<26}  {:<24}  {}", "APP", width, "TASKS",
                                                                "HEALTH", "VERSION", "GIT SHA")) + "\n";
  for (const auto& r : rows) {
    const auto health = ctx.paint(r.health == "healthy" ? core::Style::good : core::Style::warn, fmt::format("{:<26}", r.health));
    out += fmt::format("{:<{}}  {:<9}  {}  {:<24}  {}\n", r.id, width, fmt::format("{}/{}", r.running, r.instances),
                       health, r.version, r.git_sha.substr(0, 12));
  }
  ctx.print(out);
}

void run_versions(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  const std::string id = app_id(ctx, f.app, f.sets);
  const json app = client->require_app(id);
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
  if (ctx.json()) ctx.print_json({{"app", id}, {"versions", out}});
  else ctx.print(text.empty() ? "no versions" : text);
}

// One app's change followed with the progress display, then the report.
void run_followed(Context& ctx, const std::string& id, const deploy::DeployOptions& o, const std::string& what,
                  const std::function<deploy::AppResult(const deploy::DeployOptions&)>& change) {
  report(ctx, followed(ctx, {id}, o, [&](const deploy::DeployOptions& with) { return std::vector{change(with)}; }), what);
}

void run_rollback(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  auto o = options(ctx, f.follow.timeout);
  o.force = f.follow.force;
  const std::string id = app_id(ctx, f.app, f.sets);
  run_followed(ctx, id, o, "rollback", [&](const auto& with) { return deploy::rollback_app(*client, id, f.to, with, !f.follow.no_wait); });
}

void run_restart(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  auto o = options(ctx, f.follow.timeout);
  o.force = f.follow.force;
  const std::string id = app_id(ctx, f.app, f.sets);
  run_followed(ctx, id, o, "restart", [&](const auto& with) { return deploy::restart(*client, id, with, !f.follow.no_wait); });
}

// Before sending, say what changes; scaling to 0 stops every task, so a person at a terminal
// confirms it (--yes, or no terminal: go on).
void confirm_scale(Context& ctx, deploy::MarathonClient& client, const std::string& id, int instances, bool yes) {
  const auto app = client.get_app(id);
  if (!app) return;  // the command says the app does not exist (exit 8)
  const int now = app->value("instances", 0);
  if (!ctx.json() && !ctx.globals.quiet) {
    ctx.print_err(fmt::format("{}: ~ /instances: {} -> {}", id, now, instances));
  }
  if (instances != 0 || now == 0 || yes || !ctx.stdin_is_tty() || !ctx.stderr_is_tty()) return;
  const auto answer = core::prompt_line(fmt::format("Stop every task of {} on {}? [y/N] ", id, client.current_url()));
  if (answer != "y" && answer != "yes") throw Error(fmt::format("scale {} to 0: not confirmed; nothing was changed", id), Exit::failure);
}

void run_scale(Context& ctx, const OperateFlags& f, int instances, const std::string& what) {
  auto client = marathon(ctx);
  auto o = options(ctx, f.follow.timeout);
  o.force = f.follow.force;
  const std::string id = app_id(ctx, f.app, f.sets);
  confirm_scale(ctx, *client, id, instances, f.yes);
  run_followed(ctx, id, o, what, [&](const auto& with) { return deploy::scale(*client, id, instances, with, !f.follow.no_wait); });
}

void run_destroy(Context& ctx, const OperateFlags& f) {
  auto client = marathon(ctx);
  const std::string id = app_id(ctx, f.app, f.sets);
  client->require_app(id);
  if (!f.yes) {
    if (!ctx.stdin_is_tty()) {
      throw Error(fmt::format("destroy {}: refusing without --yes when not on a terminal", id), Exit::usage);
    }
    const auto answer = core::prompt_line(fmt::format("Destroy {} on {}? Its tasks are killed and its versions deleted. "
                                                      "Type the app id to confirm: ", id, client->current_url()));
    if (answer != id) throw Error(fmt::format("destroy {}: not confirmed; nothing was changed", id), Exit::failure);
  }
  run_followed(ctx, id, options(ctx, f.follow.timeout), "destroy",
               [&](const auto& with) { return deploy::destroy(*client, id, with, !f.follow.no_wait); });
}

constexpr const char* k_force_help = "Cancel a deployment that locks the app";

// The follow options of a command that changes the app (force_help nullptr: no --force).
FollowHelp changes(const char* force_help = k_force_help) {
  return {force_help, "Deadline to be done (default: deploy.timeout)", "Return once Marathon accepted the change"};
}

CLI::App* sub(CLI::App& app, const std::string& name, const std::string& help, OperateFlags& f,
              const FollowHelp& follow = {}) {
  auto* s = app.add_subcommand(name, help);
  s->add_option("app", f.app, "App spec name, rendered .json file, or Marathon id (/group/app)")->required();
  s->add_option("--set", f.sets, "Variable name=value for an app id that uses it, as for deploy (repeatable)");
  add_follow_options(s, f.follow, follow);
  return s;
}

}  // namespace

void add_operate_commands(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<OperateFlags>();
  sub(app, "status", "Show an app's version, git sha, health, tasks and deployments", *f)
      ->callback(command(ctx, [&ctx, f] { run_status(ctx, *f); }));
  app.add_subcommand("apps", "List the environment's apps with health")->callback(command(ctx, [&ctx] { run_apps(ctx); }));
  auto* versions = sub(app, "versions", "List an app's versions (newest first; * = current)", *f);
  versions->add_option("--limit", f->limit, "How many (0: all)");
  versions->callback(command(ctx, [&ctx, f] { run_versions(ctx, *f); }));
  auto* rollback = sub(app, "rollback", "Go back to a previous app version and wait until it is healthy", *f, changes());
  rollback->add_option("--to", f->to, "Version timestamp (default: the previous definition)");
  rollback->callback(command(ctx, [&ctx, f] { run_rollback(ctx, *f); }));
  auto* restart = sub(app, "restart", "Replace an app's tasks and wait until they are healthy", *f, changes());
  restart->callback(command(ctx, [&ctx, f] { run_restart(ctx, *f); }));
  auto* scale = sub(app, "scale", "Set an app's instance count and wait", *f, changes());
  scale->add_option("instances", f->instances, "Instance count")->required()->check(whole_number_at_least(0));
  scale->add_flag("-y,--yes", f->yes, "Do not ask before scaling to 0 on a terminal");
  scale->callback(command(ctx, [&ctx, f] { run_scale(ctx, *f, f->instances, "scale"); }));
  auto* stop = sub(app, "stop", "Scale an app to 0 (keeps its definition)", *f, changes());
  stop->add_flag("-y,--yes", f->yes, "Do not ask on a terminal");
  stop->callback(command(ctx, [&ctx, f] { run_scale(ctx, *f, 0, "stop"); }));
  auto* destroy = sub(app, "destroy", "Remove an app from Marathon (asks on a terminal)", *f, changes(nullptr));
  destroy->add_flag("-y,--yes", f->yes, "Do not ask (required when not on a terminal)");
  destroy->callback(command(ctx, [&ctx, f] { run_destroy(ctx, *f); }));
}

}  // namespace mctl::cli
