// mctl deploy, diff, deployments, cancel; and app names resolved to Marathon ids.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "cli/commands.hpp"
#include "cli/deploy_checks.hpp"
#include "cli/deploy_output.hpp"
#include "cli/render_options.hpp"
#include "cli/wiring.hpp"
#include "cli/mesos_tasks.hpp"
#include "core/curl_library.hpp"
#include "core/duration.hpp"
#include "core/json.hpp"
#include "core/fs.hpp"
#include "core/git.hpp"
#include "core/log.hpp"
#include "core/terminal.hpp"
#include "deploy/app_source.hpp"
#include "deploy/operate.hpp"
#include "deploy/preview.hpp"
#include "deploy/report.hpp"
#include "templates/render.hpp"

namespace mctl::cli {
using nlohmann::json;
namespace deploying {

deploy::AppJob job_for(Context& ctx, const std::string& app, const templates::RenderOptions& render) {
  if (deploy::is_definition_file(app, ctx.path(app))) return deploy::job_from_definition(app, ctx.path(app));
  auto rendered = templates::render_app(ctx.config(), app, render);
  for (const auto& w : rendered.warnings) core::log::warn("{}", w);
  return {deploy::canonical_app_id(rendered.id), rendered.definition, rendered.source.string(), rendered.locate};
}

namespace {

// One RenderOptions for all apps: the vault is decrypted and git read once per command.
std::vector<deploy::AppJob> jobs_for(Context& ctx, const std::vector<std::string>& apps,
                                     const templates::RenderOptions& render) {
  std::vector<deploy::AppJob> jobs;
  jobs.reserve(apps.size());
  for (const auto& a : apps) jobs.push_back(job_for(ctx, a, render));
  return jobs;
}

}  // namespace

std::string app_id(Context& ctx, const std::string& app, const std::vector<std::string>& sets) {
  if (!app.empty() && app.front() == '/') return app;
  if (deploy::is_definition_file(app, ctx.path(app))) return deploy::job_from_definition(app, ctx.path(app)).id;
  // Only the id is rendered: no vault, and git only when the id uses it.
  return deploy::canonical_app_id(templates::resolve_app_id(ctx.config(), app, render_options(ctx, sets)));
}

}  // namespace deploying

namespace {
using namespace deploying;

struct DeployFlags {
  std::vector<std::string> apps;
  std::vector<std::string> sets;
  std::string timeout;
  int parallel = 0;
  bool no_rollback = false;
  bool force = false;
  bool force_restart = false;
  bool dry_run = false;
  bool no_events = false;
  bool check_image = false;
  bool verify_dns = false;
  bool no_logs = false;
};

// The change listing with + added, - removed and ~ changed lines coloured.
std::string paint_changes(const Context& ctx, const std::string& listing) {
  std::string out;
  std::size_t at = 0;
  while (at < listing.size()) {
    const auto end = std::min(listing.find('\n', at), listing.size());
    const std::string line = listing.substr(at, end - at);
    const auto style = line.rfind("+ ", 0) == 0   ? core::Style::added
                       : line.rfind("- ", 0) == 0 ? core::Style::removed
                                                  : core::Style::changed;
    out += ctx.paint(style, line) + "\n";
    at = end + 1;
  }
  return out;
}

// Prints what deploying `jobs` would change; true when anything would.
bool print_plan(Context& ctx, deploy::MarathonClient& client, const std::vector<deploy::AppJob>& jobs,
                const deploy::DeployOptions& o, bool with_request) {
  bool changed = false;
  json all = json::array();
  std::string out;
  for (const auto& p : deploy::preview_apps(client, jobs, o)) {
    const std::string url = with_request ? deploy::app_put_url(client.current_url(), p.id) : "";
    all.push_back(deploy::preview_json(p, url));
    changed = changed || !p.changes.empty();
    const std::string name = ctx.paint(core::Style::heading, p.id);
    if (p.changes.empty()) {
      out += fmt::format("{}: {}\n", name, ctx.paint(core::Style::good, "up to date"));
      continue;
    }
    out += fmt::format("{}: {}\n{}", name, p.exists ? "changes" : "new app",
                       paint_changes(ctx, deploy::format_changes(p.changes)));
    if (with_request) out += fmt::format("would send: PUT {}\n{}\n", url, all.back()["request"]["body"].dump(2));
  }
  if (!ctx.json()) ctx.print(out);
  else if (with_request) ctx.print_stream_result({{"event", "plan"}, {"command", "deploy"}, {"apps", all}, {"changed", changed}});
  else ctx.print_json({{"apps", all}, {"changed", changed}});
  return changed;
}

void run_deploy(Context& ctx, const DeployFlags& f) {
  const core::curl::Preload curl;  // overlaps with rendering the specs and asking git
  const auto render = render_options(ctx, f.sets, GitRead::now);
  auto jobs = jobs_for(ctx, f.apps, render);
  auto o = options(ctx, f.timeout);
  if (f.parallel > 0) o.parallel = f.parallel;
  if (f.no_rollback) o.rollback = false;
  o.force = f.force;
  o.force_restart = f.force_restart;
  o.git_sha = git_label(render);
  o.deployed_at = utc_now(false);
  const auto dns_check = f.verify_dns ? verify_dns_options(ctx, o.timeout) : dns::VerifyOptions{};
  if (f.check_image) check_images(ctx, jobs);
  auto client = marathon(ctx);
  if (f.dry_run) {
    print_plan(ctx, *client, jobs, o, true);
    return;
  }
  std::unique_ptr<deploy::EventHub> events;
  if (!f.no_events) {
    events = std::make_unique<deploy::EventHub>(client);
    o.events = events.get();
    // Attached before the first write, so the events of our own changes are not missed; the
    // apps' reads go meanwhile. Waited for once: later writers find it settled.
    o.before_write = [hub = events.get(), once = std::make_shared<std::once_flag>()] {
      std::call_once(*once, [hub] {
        if (!hub->wait_attached(std::chrono::milliseconds(1500))) core::log::info("event stream not attached; polling only");
      });
    };
  }
  std::vector<std::string> ids;
  ids.reserve(jobs.size());
  for (const auto& j : jobs) ids.push_back(j.id);
  auto results = followed(ctx, ids, o, [&](const deploy::DeployOptions& with) { return deploy::deploy_apps(*client, jobs, with); });
  if (f.verify_dns) verify_dns(*client, results, dns_check, *o.interrupted);
  if (!f.no_logs) add_failure_logs(ctx, results);
  report(ctx, results, "deploy");
}

struct CancelFlags {
  std::string what;
  std::vector<std::string> sets;
  FollowFlags follow;
};

void run_cancel(Context& ctx, const CancelFlags& f) {
  auto client = marathon(ctx);
  const bool by_id = deploy::looks_like_deployment_id(f.what);
  const std::string id = by_id ? "" : app_id(ctx, f.what, f.sets);
  const auto body = [&](const deploy::DeployOptions& o) {
    return deploy::cancel(*client, by_id ? f.what : "", id, f.follow.force, o, !f.follow.no_wait);
  };
  report(ctx, followed(ctx, by_id ? std::vector<std::string>{} : std::vector{id}, options(ctx, f.follow.timeout), body),
         "cancel");
}

void run_deployments(Context& ctx) {
  auto client = marathon(ctx);
  const json deployments = client->deployments();
  if (ctx.json()) {
    ctx.print_json({{"deployments", deployments}});
    return;
  }
  if (deployments.empty()) {
    ctx.print("no deployments in flight");
    return;
  }
  std::string out;
  for (const auto& d : deployments) {
    std::vector<std::string> actions;
    for (const auto& a : d.value("currentActions", json::array())) actions.push_back(a.value("action", "") + " " + a.value("app", ""));
    out += fmt::format("{}  step {}/{}  apps {}  version {}{}\n", d.value("id", ""), d.value("currentStep", 0),
                       d.value("totalSteps", 0), fmt::join(d.value("affectedApps", std::vector<std::string>{}), ","),
                       d.value("version", ""), actions.empty() ? "" : "  now: " + fmt::format("{}", fmt::join(actions, ", ")));
  }
  ctx.print(out);
}

// APP... and --set of deploy and diff.
void add_app_options(CLI::App* cmd, std::vector<std::string>& apps, std::vector<std::string>& sets) {
  cmd->add_option("apps", apps, "App spec names, spec files, or rendered .json definitions")->required();
  cmd->add_option("--set", sets, "Override a variable: key=value (repeatable)");
}

}  // namespace

void add_deploy_commands(CLI::App& app, Context& ctx) {
  auto [deploy, flags] = bound_command<DeployFlags>(
      app, ctx, "deploy", "Deploy apps to Marathon and follow until done (rolls back on failure)", run_deploy);
  add_app_options(deploy, flags->apps, flags->sets);
  deploy->add_option("--timeout", flags->timeout, "Deadline for each app to be done (default: deploy.timeout)");
  deploy->add_option("--parallel", flags->parallel, "Apps deployed at once (default: deploy.parallel)")->check(whole_number_at_least(1));
  add_flags<DeployFlags>(
      deploy, *flags,
      {{"--no-rollback", &DeployFlags::no_rollback, "On failure leave the deployment running"},
       {"--no-logs", &DeployFlags::no_logs, "On failure do not show the failed task's stderr (read from Mesos)"},
       {"--force", &DeployFlags::force, "When the app is locked by another deployment, cancel that one"},
       {"--force-restart", &DeployFlags::force_restart, "Restart the tasks even when nothing changed"},
       {"--dry-run", &DeployFlags::dry_run, "Print the diff and the request; send nothing"},
       {"--no-events", &DeployFlags::no_events, "Poll only (do not read Marathon's event stream)"},
       {"--check-image", &DeployFlags::check_image,
        "Before sending anything, check that each app's image tag exists in its registry"},
       {"--verify-dns", &DeployFlags::verify_dns,
        "Once done, check that Mesos-DNS lists every task of the app (waits up to --timeout)"}});
  auto diff_apps = std::make_shared<std::vector<std::string>>();
  auto diff_sets = std::make_shared<std::vector<std::string>>();
  auto diff_exit_code = std::make_shared<bool>(false);
  auto* diff = app.add_subcommand("diff", "Show what a deploy would change");
  add_app_options(diff, *diff_apps, *diff_sets);
  diff->add_flag("--exit-code", *diff_exit_code, "Exit 1 when a deploy would change something (like git diff --exit-code)");
  diff->callback(command(ctx, [&ctx, diff_apps, diff_sets, diff_exit_code] {
    auto client = marathon(ctx);
    const bool changed =
        print_plan(ctx, *client, jobs_for(ctx, *diff_apps, render_options(ctx, *diff_sets)), deploy::DeployOptions{}, false);
    if (changed && *diff_exit_code) ctx.set_exit(Exit::failure);
  }));

  auto* list = app.add_subcommand("deployments", "List deployments in flight");
  list->callback(command(ctx, [&ctx] { run_deployments(ctx); }));

  auto [cancel, cf] = bound_command<CancelFlags>(
      app, ctx, "cancel", "Cancel a deployment (Marathon rolls it back) and wait for the revert", run_cancel);
  cancel->add_option("target", cf->what, "App (name or /id) or deployment id")->required();
  cancel->add_option("--set", cf->sets, "Variable name=value for an app id that uses it, as for deploy (repeatable)");
  add_follow_options(cancel, cf->follow,
                     {"Cancel without rollback (tasks of both versions may remain)",
                      "Deadline for the revert (default: deploy.timeout)", "Do not wait for the revert deployment"});
}

}  // namespace mctl::cli
