// mctl deploy, diff, deployments, cancel; and the helpers the operating commands share.
#include <fmt/format.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include "cli/commands.hpp"
#include "cli/deploy_checks.hpp"
#include "cli/deploy_output.hpp"
#include "core/duration.hpp"
#include "core/fs.hpp"
#include "core/git.hpp"
#include "core/log.hpp"
#include "core/terminal.hpp"
#include "deploy/report.hpp"
#include "templates/render.hpp"
#include "vault/secrets.hpp"

namespace mctl::cli {
using nlohmann::json;
namespace deploying {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted = true; }

std::string utc_now(bool millis) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (!millis) return std::string(buf) + "Z";
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{}.{:03}Z", buf, ms);
}

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

deploy::AppJob job_for(Context& ctx, const std::string& app, const std::vector<std::string>& sets) {
  if (is_json_file(app)) {
    json definition = json::parse(core::read_file(app), nullptr, false);
    if (!definition.is_object() || !definition.contains("id") || !definition["id"].is_string()) {
      throw Error(fmt::format("{}: not a Marathon app definition (a JSON object with an \"id\")", app), Exit::usage);
    }
    return {deploy::canonical_app_id(definition["id"].get<std::string>()), definition, app, {}};
  }
  auto rendered = templates::render_app(ctx.config(), app, render_options(ctx, sets));
  for (const auto& w : rendered.warnings) core::log::warn("{}", w);
  return {deploy::canonical_app_id(rendered.id), rendered.definition, rendered.source.string(), rendered.locate};
}

std::vector<deploy::AppJob> jobs_for(Context& ctx, const std::vector<std::string>& apps, const std::vector<std::string>& sets) {
  std::vector<deploy::AppJob> jobs;
  for (const auto& a : apps) jobs.push_back(job_for(ctx, a, sets));
  return jobs;
}

std::string git_sha(Context& ctx) {
  try {
    const auto info = core::git_info(ctx.config().project_dir());
    return info.dirty ? info.sha + "-dirty" : info.sha;
  } catch (const Error&) {
    return "";  // not a git work tree: no label
  }
}

}  // namespace

const std::atomic<bool>& catch_interrupts() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends the process at once
  sigaction(SIGINT, &sa, nullptr);
  return g_interrupted;
}

std::shared_ptr<deploy::MarathonClient> marathon(Context& ctx) { return deploy::connect(ctx.config()); }

std::string app_id(Context& ctx, const std::string& app) {
  if (!app.empty() && app.front() == '/') return app;
  return job_for(ctx, app, {}).id;
}

std::string env_suffix(Context& ctx) {
  const auto& env = ctx.config().env_name();
  return env.empty() ? "" : " -e " + env;
}

Progress::Progress(Context& ctx, const std::vector<std::string>& apps)
    : m_ctx(ctx), m_apps(apps), m_lines(apps.size()), m_tty(core::is_terminal(STDERR_FILENO) && !ctx.json()) {}

Progress::~Progress() { close(); }

void Progress::on_event(const deploy::DeployEvent& e) {
  std::lock_guard lock(m_mutex);
  if (m_closed) return;
  if (m_ctx.json()) {
    json j = deploy::event_json(e);
    j["time"] = utc_now(true);
    m_ctx.print(j.dump());
    return;
  }
  if (m_ctx.globals.quiet) return;
  if (m_tty) {
    for (std::size_t i = 0; i < m_apps.size(); ++i) {
      if (m_apps[i] == e.app) m_lines[i] = deploy::progress_text(e);
    }
    redraw_locked();
  } else if (e.phase != "pending") {
    std::fprintf(stderr, "%s %s %s\n", utc_now(false).c_str(), e.app.c_str(), deploy::progress_text(e).c_str());
    std::fflush(stderr);
  }
}

void Progress::redraw_locked() {
  std::string out;
  if (m_drawn) out += fmt::format("\033[{}A", m_apps.size());
  std::size_t width = 0;
  for (const auto& a : m_apps) width = std::max(width, a.size());
  for (std::size_t i = 0; i < m_apps.size(); ++i) out += fmt::format("\r\033[2K{:<{}}  {}\n", m_apps[i], width, m_lines[i]);
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
  m_drawn = true;
}

void Progress::close() {
  std::lock_guard lock(m_mutex);
  m_closed = true;
}

deploy::DeployOptions options(Context& ctx, const std::string& timeout_flag) {
  const auto& config = ctx.config();
  deploy::DeployOptions o;
  o.timeout = timeout_flag.empty() ? config.get_duration("deploy.timeout") : core::parse_duration(timeout_flag);
  o.parallel = static_cast<int>(config.get_int("deploy.parallel"));
  o.rollback = config.get_bool("deploy.rollback");
  o.interrupted = &catch_interrupts();
  return o;
}

void report(Context& ctx, const std::vector<deploy::AppResult>& results, const std::string& what) {
  const Exit exit = deploy::overall_exit(results);
  const std::string suffix = env_suffix(ctx);
  int bad = 0;
  for (const auto& r : results) {
    if (r.status != deploy::AppStatus::deployed && r.status != deploy::AppStatus::up_to_date) ++bad;
  }
  if (ctx.json()) {
    json apps = json::array();
    for (const auto& r : results) {
      json j = deploy::result_json(r);
      j["next"] = deploy::next_steps(r, suffix);
      apps.push_back(j);
    }
    ctx.print(json{{"event", "result"}, {"command", what}, {"apps", apps}, {"exit_code", static_cast<int>(exit)}}.dump());
    // The stream must stay one JSON object per line: end here rather than let the error
    // handler print a multi-line error object after it.
    std::fflush(stdout);
    std::fflush(stderr);
    if (exit != Exit::ok) std::_Exit(static_cast<int>(exit));
    return;
  }
  std::string out;
  for (const auto& r : results) {
    out += fmt::format("{}: {}{}\n", r.id, r.message,
                       r.elapsed.count() > 0 ? fmt::format(" ({:.1f}s)", static_cast<double>(r.elapsed.count()) / 1000.0) : "");
    for (const auto& d : r.details) out += "    " + d + "\n";
    const auto next = deploy::next_steps(r, suffix);
    if (!next.empty()) out += "  next:\n";
    for (const auto& n : next) out += "    " + n + "\n";
  }
  ctx.print(out);
  if (exit == Exit::interrupted) {
    throw Error(fmt::format("{}: interrupted; stopped following without touching Marathon", what), exit);
  }
  if (exit != Exit::ok) throw Error(fmt::format("{}: {} of {} app(s) not done", what, bad, results.size()), exit);
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
  const std::string dns_server = f.verify_dns ? mesos_dns_server(ctx) : std::string();
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
  if (f.verify_dns) verify_dns(*client, results, dns_server, o.timeout, g_interrupted);
  report(ctx, results, "deploy");
}

bool looks_like_deployment_id(const std::string& s) {
  if (s.size() < 32 || s.find('/') != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '-'; });
}

void run_cancel(Context& ctx, const std::string& what, bool force, bool no_wait, const std::string& timeout) {
  auto client = marathon(ctx);
  auto o = options(ctx, timeout);
  const json deployments = client->deployments();
  std::vector<std::pair<std::string, std::vector<std::string>>> targets;  // deployment -> apps
  const bool by_id = looks_like_deployment_id(what);
  const std::string id = by_id ? what : app_id(ctx, what);
  for (const auto& d : deployments) {
    std::vector<std::string> apps = d.value("affectedApps", std::vector<std::string>{});
    if (by_id ? d.value("id", "") == id : std::find(apps.begin(), apps.end(), id) != apps.end()) {
      targets.emplace_back(d.value("id", ""), apps);
    }
  }
  if (targets.empty()) {
    throw Error(fmt::format("cancel {}: no deployment in flight{} on {}", what, by_id ? "" : " for app " + id, client->current_url()),
                Exit::failure);
  }
  std::vector<deploy::AppResult> results;
  for (const auto& [dep, apps] : targets) {
    const auto change = client->cancel_deployment(dep, force);
    for (const auto& app : apps) {
      deploy::AppResult r;
      r.id = app;
      r.status = deploy::AppStatus::deployed;
      if (!change || force || no_wait || change->deployment_id.empty()) {
        r.message = !change ? fmt::format("deployment {} had already finished", dep)
                    : force ? fmt::format("cancelled deployment {} without rollback (--force)", dep)
                            : fmt::format("cancelled deployment {}; Marathon's revert deployment {} runs (not waiting)", dep,
                                          change->deployment_id);
        results.push_back(r);
        continue;
      }
      r = deploy::apply_change(*client, app, [&](bool) { return *change; },
                               [&](const deploy::Change& c) { return deploy::Target{app, c.deployment_id, "", std::nullopt, false}; },
                               o);
      if (r.status == deploy::AppStatus::failed && !client->get_app(app)) {
        r.status = deploy::AppStatus::deployed;  // the revert of a new app removes it
        r.exit = Exit::ok;
        r.message = fmt::format("cancelled deployment {}; the app was new and Marathon removed it", dep);
      } else if (r.status == deploy::AppStatus::deployed) {
        r.message = fmt::format("cancelled deployment {}; Marathon reverted the app", dep);
      }
      results.push_back(r);
    }
  }
  report(ctx, results, "cancel");
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
