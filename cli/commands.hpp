#pragma once
// Every command of mctl, one add_* function per cmd_<name>.cpp (wiring only).
#include <CLI/CLI.hpp>

#include <string>

#include "cli/context.hpp"
#include "core/error.hpp"

namespace mctl::cli {

void add_vault_command(CLI::App& app, Context& ctx);
void add_render_commands(CLI::App& app, Context& ctx);   // render, lint
void add_image_commands(CLI::App& app, Context& ctx);    // image
void add_deploy_commands(CLI::App& app, Context& ctx);   // deploy, diff, cancel, deployments
void add_operate_commands(CLI::App& app, Context& ctx);  // status, apps, versions, rollback, restart, scale, stop, destroy
void add_dns_command(CLI::App& app, Context& ctx);
void add_config_command(CLI::App& app, Context& ctx);
void add_version_command(CLI::App& app, Context& ctx);
void add_logs_command(CLI::App& app, Context& ctx);  // logs: the tasks' stdout/stderr from their Mesos sandboxes
void add_top_command(CLI::App& app, Context& ctx);   // top: memory and CPU per task (Mesos statistics)
std::string version_line();  // "mctl 0.1.0 (git describe, build type)", also --version's
void add_completion_command(CLI::App& app, Context& ctx);  // completion bash (from this tree)
void add_tasks_command(CLI::App& app, Context& ctx);
void add_kill_command(CLI::App& app, Context& ctx);
void add_queue_command(CLI::App& app, Context& ctx);  // queue, queue reset
void add_wait_command(CLI::App& app, Context& ctx);        // wait APP|DEPLOYMENT_ID
void add_up_commands(CLI::App& app, Context& ctx);   // up, ps, down (local Docker Engine)
void add_images_command(CLI::App& app, Context& ctx);  // images gc local|registry

// A count or size on the command line: a readable range in the error, not 1.79769e+308.
CLI::Validator whole_number_at_least(long long min);

// Wraps a command body so global options are applied before it runs.
template <typename F>
auto command(Context& ctx, F body) {
  return [&ctx, body]() {
    ctx.begin();
    body();
  };
}

}  // namespace mctl::cli
