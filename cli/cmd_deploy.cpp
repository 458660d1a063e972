// mctl deploy, diff, deployments, cancel; and app names resolved to Marathon ids.
#include <fmt/format.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include "cli/commands.hpp"
#include "cli/deploy_checks.hpp"
#include "cli/deploy_output.hpp"
#include "core/duration.hpp"
#include "core/json.hpp"
#include "core/fs.hpp"
#include "core/git.hpp"
#include "core/log.hpp"
#include "core/terminal.hpp"
#include "deploy/operate.hpp"
#include "deploy/report.hpp"
#include "templates/render.hpp"
#include "vault/secrets.hpp"

namespace mctl::cli {
using nlohmann::json;
namespace deploying {
namespace {

templates::RenderOptions render_options(Context& ctx, const std::vector<std::string>& sets) {
  templates::RenderOptions o;
  o.sets = sets;
  o.load_secrets = [&ctx]() {
    const auto& config = ctx.config();
    auto file = config.get_path("vault.file");
    if (!file) {
      throw Error(fmt::format("the app spec uses secrets but vault.file is not set for environment '{}'", config.env_name()),
                  Exit::usage);
    }
    return vault::load_secrets(*file, vault::passwords_from_config(config, ctx.stdin_is_tty()));
  };
  return o;
}

bool is_json_file(const std::string& app) {
  return app.size() > 5 && app.substr(app.size() - 5) == ".json" && std::filesystem::is_regular_file(app);
}

}  // namespace

deploy::AppJob job_for(Context& ctx, const std::string& app, const std::vector<std::string>& sets) {
  if (is_json_file(app)) {
    json definition = core::parse_json(core::read_file(app), app);
    if (!definition.is_object() || !definition.contains("id") || !definition["id"].is_string()) {
      throw Error(fmt::format("{}: not a Marathon app definition (a JSON object with an \"id\")", app), Exit::usage);
    }
    return {deploy::canonical_app_id(definition["id"].get<std::string>()), definition, app, {}};
  }
  auto rendered = templates::render_app(ctx.config(), app, render_options(ctx, sets));
  for (const auto& w : rendered.warnings) core::log::warn("{}", w);
  return {deploy::canonical_app_id(rendered.id), rendered.definition, rendered.source.string(), rendered.locate};
}

namespace {

std::vector<deploy::AppJob> jobs_for(Context& ctx, const std::vector<std::string>& apps, const std::vector<std::string>& sets) {
  std::vector<deploy::AppJob> jobs;
  for (const auto& a : apps) jobs.push_back(job_for(ctx, a, sets));
  return jobs;
}

}  // namespace

std::string git_sha(Context& ctx) {
  try {
    const auto info = core::git_info(ctx.config().project_dir());
    return info.dirty ? info.sha + "-dirty" : info.sha;
  } catch (const Error&) {
    return "";  // not a git work tree: no label
  }
}

std::string app_id(Context& ctx, const std::string& app) {
  if (!app.empty() && app.front() == '/') return app;
  return job_for(ctx, app, {}).id;
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
};

void print_plan(Context& ctx, deploy::MarathonClient& client, const std::vector<deploy::AppJob>& jobs,
                const deploy::DeployOptions& o, bool with_request) {
  json all = json::array();
  std::string out;
  for (const auto& job : jobs) {
    const auto running = client.get_app(job.id);
    const json desired = deploy::desired_definition(job, o, running);
    const auto changes = deploy::diff_apps(running.value_or(json::object()), desired);
    json entry = {{"app", job.id}, {"exists", running.has_value()}, {"up_to_date", changes.empty()}};
    json list = json::array();
    for (const auto& c : changes) {
      const bool hide = c.path.rfind("/env/", 0) == 0 && deploy::secret_looking_name(c.path.substr(5));
      list.push_back({{"path", c.path}, {"before", hide && !c.before.is_null() ? json("(hidden)") : c.before},
                      {"after", hide && !c.after.is_null() ? json("(hidden)") : c.after}});
    }
    entry["changes"] = list;
    if (changes.empty()) {
      out += fmt::format("{}: up to date\n", job.id);
    } else {
      out += fmt::format("{}: {}\n{}", job.id, running ? "changes" : "new app", deploy::format_changes(changes));
    }
    if (with_request && !changes.empty()) {
      const std::string url = fmt::format("{}/v2/apps{}?partialUpdate=false", client.current_url(), job.id);
      out += fmt::format("would send: PUT {}\n{}\n", url, deploy::redact_definition(desired).dump(2));
      entry["request"] = {{"method", "PUT"}, {"url", url}, {"body", deploy::redact_definition(desired)}};
    }
    all.push_back(entry);
  }
  if (ctx.json()) {
    ctx.print(all.dump());
  } else {
    ctx.print(out);
  }
}

void run_deploy(Context& ctx, DeployFlags& f) {
#ifdef __GLIBC__
  // A deploy runs a few worker threads and the event reader; glibc would give each its own
  // malloc arena, and each arena keeps what it once held. Two arenas are plenty for threads
  // that mostly wait for Marathon (bench/deploy.sh: peak RSS).
  mallopt(M_ARENA_MAX, 2);
#endif
  auto jobs = jobs_for(ctx, f.apps, f.sets);
  auto o = options(ctx, f.timeout);
  if (f.parallel > 0) o.parallel = f.parallel;
  if (f.no_rollback) o.rollback = false;
  o.force = f.force;
  o.force_restart = f.force_restart;
  o.git_sha = git_sha(ctx);
  o.deployed_at = utc_now(false);
  for (const auto& job : jobs) {
    const auto wanted = deploy::suggested_timeout(job.definition);
    if (wanted > o.timeout) {
      core::log::warn("{}: the deadline {} may be too short for its health checks and rolling restart (suggested: --timeout {})",
                      job.id, core::format_duration(o.timeout), core::format_duration(wanted));
    }
  }
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
    // Attach before sending anything, so the events of our own changes are not missed.
    if (!events->wait_attached(std::chrono::milliseconds(1500))) core::log::info("event stream not attached; polling only");
    o.events = events.get();
  }
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.id);
  Progress progress(ctx, ids);
  o.on_event = [&progress](const deploy::DeployEvent& e) { progress.on_event(e); };
  auto results = deploy::deploy_apps(*client, jobs, o);
  progress.close();
  if (f.verify_dns) verify_dns(*client, results, dns_check, *o.interrupted);
  report(ctx, results, "deploy");
}

void run_cancel(Context& ctx, const std::string& what, bool force, bool no_wait, const std::string& timeout) {
  auto client = marathon(ctx);
  const bool by_id = deploy::looks_like_deployment_id(what);
  report(ctx, deploy::cancel(*client, by_id ? what : "", by_id ? "" : app_id(ctx, what), force, options(ctx, timeout), !no_wait),
         "cancel");
}

void run_deployments(Context& ctx) {
  auto client = marathon(ctx);
  const json deployments = client->deployments();
  if (ctx.json()) {
    ctx.print_json(deployments);
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

}  // namespace

void add_deploy_commands(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<DeployFlags>();
  auto* deploy = app.add_subcommand("deploy", "Deploy apps to Marathon and follow until done (rolls back on failure)");
  deploy->add_option("apps", flags->apps, "App spec names, spec files, or rendered .json definitions")->required();
  deploy->add_option("--set", flags->sets, "Override a variable: key=value (repeatable)");
  deploy->add_option("--timeout", flags->timeout, "Deadline for each app to be done (default: deploy.timeout)");
  deploy->add_option("--parallel", flags->parallel, "Apps deployed at once (default: deploy.parallel)")->check(whole_number_at_least(1));
  deploy->add_flag("--no-rollback", flags->no_rollback, "On failure leave the deployment running");
  deploy->add_flag("--force", flags->force, "When the app is locked by another deployment, cancel that one");
  deploy->add_flag("--force-restart", flags->force_restart, "Restart the tasks even when nothing changed");
  deploy->add_flag("--dry-run", flags->dry_run, "Print the diff and the request; send nothing");
  deploy->add_flag("--no-events", flags->no_events, "Poll only (do not read Marathon's event stream)");
  deploy->add_flag("--check-image", flags->check_image,
                   "Before sending anything, check that each app's image tag exists in its registry");
  deploy->add_flag("--verify-dns", flags->verify_dns,
                   "Once done, check that Mesos-DNS lists every task of the app (waits up to --timeout)");
  deploy->callback(command(ctx, [&ctx, flags] { run_deploy(ctx, *flags); }));

  auto diff_apps = std::make_shared<std::vector<std::string>>();
  auto diff_sets = std::make_shared<std::vector<std::string>>();
  auto* diff = app.add_subcommand("diff", "Show what a deploy would change");
  diff->add_option("apps", *diff_apps, "App spec names, spec files, or rendered .json definitions")->required();
  diff->add_option("--set", *diff_sets, "Override a variable: key=value (repeatable)");
  diff->callback(command(ctx, [&ctx, diff_apps, diff_sets] {
    auto client = marathon(ctx);
    print_plan(ctx, *client, jobs_for(ctx, *diff_apps, *diff_sets), deploy::DeployOptions{}, false);
  }));

  auto* list = app.add_subcommand("deployments", "List deployments in flight");
  list->callback(command(ctx, [&ctx] { run_deployments(ctx); }));

  struct CancelFlags {
    std::string what, timeout;
    bool force = false, no_wait = false;
  };
  auto cf = std::make_shared<CancelFlags>();
  auto* cancel = app.add_subcommand("cancel", "Cancel a deployment (Marathon rolls it back) and wait for the revert");
  cancel->add_option("target", cf->what, "App (name or /id) or deployment id")->required();
  cancel->add_flag("--force", cf->force, "Cancel without rollback (tasks of both versions may remain)");
  cancel->add_flag("--no-wait", cf->no_wait, "Do not wait for the revert deployment");
  cancel->add_option("--timeout", cf->timeout, "Deadline for the revert (default: deploy.timeout)");
  cancel->callback(command(ctx, [&ctx, cf] { run_cancel(ctx, cf->what, cf->force, cf->no_wait, cf->timeout); }));
}

}  // namespace mctl::cli
