#pragma once
// Every command of mctl, one add_* function per cmd_<name>.cpp (wiring only).
#include <CLI/CLI.hpp>

#include <string>

#include "cli/context.hpp"
#include "core/error.hpp"

namespace mctl::cli {

void add_vault_command(CLI::App& app, Context& ctx);
void add_render_commands(CLI::App& app, Context& ctx);   // render, lint
void add_image_commands(CLI::App& app, Context& ctx);    // image, images
void add_deploy_commands(CLI::App& app, Context& ctx);   // deploy, diff, cancel, deployments
void add_operate_commands(CLI::App& app, Context& ctx);  // status, apps, versions, rollback, restart, scale, stop, destroy
void add_dns_command(CLI::App& app, Context& ctx);
void add_config_command(CLI::App& app, Context& ctx);
void add_version_command(CLI::App& app, Context& ctx);
void add_completion_command(CLI::App& app, Context& ctx);  // completion bash (from this tree)

// A count or size on the command line: a readable range in the error, not 1.79769e+308.
CLI::Validator whole_number_at_least(long long min);

// Ends a command with an exit code when its output already says everything (a JSON document
// that holds every status): cli::run returns the code and prints nothing more.
class Reported : public Error {
 public:
  using Error::Error;
};

// Wraps a command body so global options are applied before it runs.
template <typename F>
auto command(Context& ctx, F body) {
  return [&ctx, body]() {
    ctx.begin();
    body();
  };
}

}  // namespace mctl::cli
