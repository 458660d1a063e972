// mctl tasks APP: an app's tasks (host, state, health, new/old version, ports, start).
#include "cli/commands.hpp"
#include "cli/deploy_output.hpp"
#include "deploy/tasks.hpp"

namespace mctl::cli {
namespace {

void run_tasks(Context& ctx, const std::string& app) {
  auto client = deploying::marathon(ctx);
  const auto rows = deploy::task_rows(client->require_app(deploying::app_id(ctx, app)));
  if (ctx.json()) {
    ctx.print_json({{"tasks", deploy::tasks_json(rows)}});
    return;
  }
  ctx.print(rows.empty() ? "no tasks" : deploy::tasks_table(rows));
}

}  // namespace

void add_tasks_command(CLI::App& app, Context& ctx) {
  auto name = std::make_shared<std::string>();
  auto* tasks = app.add_subcommand("tasks", "List an app's tasks: host, state, health, version (new/old), ports");
  tasks->add_option("app", *name, "App spec name, rendered .json file, or Marathon id (/group/app)")->required();
  tasks->callback(command(ctx, [&ctx, name] { run_tasks(ctx, *name); }));
}

}  // namespace mctl::cli
