// mctl up, ps, down: the project's apps as containers of the local Docker Engine (local/).
#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <set>

#include "cli/commands.hpp"
#include "cli/deploy_output.hpp"
#include "cli/local_target.hpp"
#include "cli/render_options.hpp"
#include "cli/sink.hpp"
#include "core/duration.hpp"
#include "deploy/plan.hpp"
#include "images/credentials.hpp"
#include "images/reference.hpp"
#include "local/up.hpp"
#include "templates/render.hpp"

namespace mctl::cli {
namespace {
using nlohmann::json;

struct UpFlags {
  std::vector<std::string> apps;
  std::vector<std::string> sets;
  bool detach = false;
  std::string timeout;
};

// The selected apps (all of apps_dir when none) plus, transitively, the apps of the project
// they depend on; grouped into waves, dependencies first.
std::vector<std::vector<local::UpApp>> plan_apps(Context& ctx, const UpFlags& f,
                                                 const templates::RenderOptions& render) {
  std::map<std::string, json> chosen;
  const auto names = f.apps.empty() ? templates::list_apps(ctx.config()) : f.apps;
  if (names.empty())
    throw Error("mctl up: the project has no app specs in apps_dir", Exit::no_records);
  for (const auto& name : names) {
    auto job = deploying::job_for(ctx, name, render);
    chosen[job.id] = job.definition;
  }
  std::map<std::string, json> everything;  // rendered on demand, for dependencies
  for (bool added = true; added;) {
    added = false;
    for (const auto& [id, definition] : std::map<std::string, json>(chosen)) {
      for (const auto& d : definition.value("dependencies", json::array())) {
        const std::string dep = d.get<std::string>();
        if (chosen.count(dep)) continue;
        if (everything.empty()) {
          for (const auto& n : templates::list_apps(ctx.config())) {
            auto job = deploying::job_for(ctx, n, render);
            everything[job.id] = job.definition;
          }
        }
        if (everything.count(dep)) {
          chosen[dep] = everything[dep];
          added = true;
        }
      }
    }
  }
  std::vector<std::vector<local::UpApp>> waves;
  for (const auto& wave : deploy::waves(deploy::dependencies_within(chosen))) {
    waves.emplace_back();
    for (const auto& id : wave) waves.back().push_back({id, chosen[id]});
  }
  return waves;
}

void print_event(Context& ctx, const local::UpEvent& e) {
  if (ctx.json()) {
    static const char* kinds[] = {"state", "log", "note"};
    json j = {{"event", kinds[static_cast<int>(e.kind)]}, {"text", e.text}};
    if (!e.container.empty()) j["container"] = e.container;
    if (e.kind == local::UpEvent::Kind::log) j["stream"] = e.err ? "stderr" : "stdout";
    ctx.print_event(j);
  } else if (e.kind == local::UpEvent::Kind::log) {
    ctx.print(fmt::format("{} | {}", e.container, program_output(ctx.out(), e.text)));
  } else if (!ctx.globals.quiet) {
    const std::string line = e.container.empty()
                                 ? fmt::format("mctl: {}", e.text)
                                 : fmt::format("mctl: {}: {}", e.container, e.text);
    ctx.print_err(line);
  }
}

void run_up(Context& ctx, const UpFlags& f) {
  const auto environment = local_environment(ctx);
  if (!environment.name.empty()) {
    print_event(ctx, {local::UpEvent::Kind::note, "",
                      fmt::format("environment: {} ({})", environment.name, environment.why)});
  }
  const auto render = render_options(ctx, f.sets, GitRead::now);  // the vault decrypted once for every app
  const auto waves = plan_apps(ctx, f, render);
  auto& config = ctx.config();
  local::UpOptions o;
  o.project = local_project(ctx);
  o.git_sha = git_label(render);
  o.project_dir = config.project_dir();
  o.detach = f.detach;
  o.timeout = f.timeout.empty() ? *config.settings().deploy.timeout
                                : core::parse_duration(f.timeout, "flag --timeout");
  o.registry_auth = [&config](const std::string& image) {
    const auto host = images::parse_reference(image).registry;
    return host.empty() ? std::string()
                        : images::engine_auth_header(images::find_credentials(config, host), host);
  };
  o.on_event = [&ctx](const local::UpEvent& e) { print_event(ctx, e); };
  o.lock_dir = ctx.environ("XDG_RUNTIME_DIR").value_or("");
  o.interrupted =
      &deploying::catch_interrupts();  // also --detach: Ctrl-C removes what this run started
  const auto result = local::up(local_docker(ctx), waves, o);
  if (ctx.json()) {
    ctx.print_stream_result({{"event", "result"},
                             {"command", "up"},
                             {"network", result.network},
                             {"created", result.created},
                             {"kept", result.kept},
                             {"replaced", result.replaced},
                             {"exit_code", static_cast<int>(result.exit)}});
  }
  if (result.exit == Exit::ok) {
    if (!ctx.json()) {
      ctx.print(fmt::format("up: {} started, {} unchanged, {} replaced; all healthy",
                            result.created.size(), result.kept.size(), result.replaced.size()));
    }
    return;
  }
  if (result.exit == Exit::interrupted)
    throw Error("up: interrupted; removed the containers this run started", Exit::interrupted);
  for (const auto& line : result.failure_logs)
    ctx.print_err("  | " + program_output(ctx.err(), line));
  throw Error(fmt::format("up: {} (containers left for 'mctl logs --local' and 'mctl down')",
                          result.failure),
              result.exit);
}

void run_ps(Context& ctx) {
  local_environment(ctx);
  auto docker = local_docker(ctx);
  local::Engine engine(*docker);
  const auto containers = engine.containers(local_project(ctx));
  if (ctx.json()) {
    json all = json::array();
    for (const auto& c : containers) {
      all.push_back({{"name", c.name},
                     {"app", c.app_id},
                     {"instance", c.instance},
                     {"state", c.state},
                     {"status", c.status},
                     {"ports", c.ports},
                     {"image", c.image},
                     {"id", c.id.substr(0, 12)}});
    }
    ctx.print_json({{"containers", all}});
    return;
  }
  if (containers.empty()) {
    ctx.print(fmt::format("no local containers of project '{}'", local_project(ctx)));
    return;
  }
  std::string out =
      fmt::format("{:<28} {:<20} {:<9} {:<14} {}\n", "NAME", "APP", "STATE", "PORTS", "IMAGE");
  for (const auto& c : containers) {
    out += fmt::format("{:<28} {:<20} {:<9} {:<14} {}\n", c.name, c.app_id, c.state,
                       c.ports.empty() ? "-" : c.ports, c.image);
  }
  ctx.print(out);
}

void run_down(Context& ctx, const std::vector<std::string>& apps, bool volumes) {
  local_environment(ctx);
  std::vector<std::string> ids;
  ids.reserve(apps.size());
  for (const auto& a : apps) ids.push_back(deploying::app_id(ctx, a));
  auto docker = local_docker(ctx);
  const auto result = local::down(*docker, local_project(ctx), ids, volumes);
  if (ctx.json()) {
    ctx.print_json({{"containers", result.containers}, {"volumes", result.volumes}});
    return;
  }
  std::string out;
  for (const auto& c : result.containers) out += fmt::format("removed container {}\n", c);
  for (const auto& v : result.volumes) out += fmt::format("removed volume {}\n", v);
  ctx.print(out.empty() ? "nothing to remove" : out);
}

}  // namespace

std::string local_project(Context& ctx) {
  const auto name = ctx.config().settings().project.name->value_or("");
  return name.empty() ? ctx.config().project_dir().filename().string() : name;
}

local::EnvironmentChoice local_environment(Context& ctx) {
  const auto env_var = ctx.environ("MCTL_ENV");
  if (ctx.globals.env || (env_var && !env_var->empty()))
    return local::choose_environment(ctx.globals.env, env_var, {}, {});
  const auto probe = ctx.config_without_env();  // which environments there are, before ctx loads one
  auto choice = local::choose_environment(std::nullopt, std::nullopt, probe.environments(),
                                          *probe.settings().project.default_env);
  if (!choice.name.empty()) ctx.globals.env = choice.name;
  return choice;
}

std::shared_ptr<core::DockerClient> local_docker(Context& ctx) {
  return core::connect_docker(*ctx.config().settings().project.docker_host,
                              images::http_options(ctx.config()));
}

void add_up_commands(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<UpFlags>();
  auto* up = app.add_subcommand(
      "up",
      "Run the apps on the local Docker Engine, as Marathon would (health checks, ports, deps)");
  up->add_option("apps", f->apps, "App spec names (default: every app in apps_dir)");
  up->add_option("--set", f->sets, "Override a variable: key=value (repeatable)");
  up->add_flag("-d,--detach", f->detach, "Return once every app is healthy (exit 0) or one failed");
  up->add_option("--timeout", f->timeout,
                 "With --detach: deadline for all apps to be healthy (default: deploy.timeout)");
  up->callback(command(ctx, [&ctx, f] { run_up(ctx, *f); }));

  auto* ps = app.add_subcommand("ps", "List the project's local containers (mctl up)");
  ps->callback(command(ctx, [&ctx] { run_ps(ctx); }));

  auto apps = std::make_shared<std::vector<std::string>>();
  auto volumes = std::make_shared<bool>(false);
  auto* down =
      app.add_subcommand("down", "Stop and remove the project's local containers (mctl up)");
  down->add_option("apps", *apps, "Only these apps (default: all)");
  down->add_flag("--volumes", *volumes, "Also remove their persistent volumes");
  down->callback(command(ctx, [&ctx, apps, volumes] { run_down(ctx, *apps, *volumes); }));
}

}  // namespace mctl::cli
