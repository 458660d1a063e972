// mctl queue [APP]: Marathon's launch queue (why a task is not starting); queue reset APP.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/deploy_output.hpp"
#include "deploy/tasks.hpp"

namespace mctl::cli {
namespace {

void run_queue(Context& ctx, const std::string& app) {
  auto client = deploying::marathon(ctx);
  const std::string id = app.empty() ? "" : deploying::app_id(ctx, app);
  const auto rows = deploy::queue_rows(client->queue(), id);
  if (ctx.json()) {
    ctx.print_json({{"queue", deploy::queue_json(rows)}});
    return;
  }
  if (rows.empty()) {
    if (!id.empty()) client->require_app(id);
    ctx.print(fmt::format("nothing waiting to launch{} on {}", id.empty() ? "" : " for " + id, client->current_url()));
    return;
  }
  ctx.print(deploy::queue_text(rows));
}

void run_reset(Context& ctx, const std::string& app) {
  auto client = deploying::marathon(ctx);
  const std::string id = deploying::app_id(ctx, app);
  deploy::reset_queue_delay(*client, id);
  if (ctx.json()) ctx.print_json({{"app", id}, {"delay_reset", true}});
  else ctx.print(fmt::format("{}: launch delay reset; Marathon launches its waiting tasks at the next offer", id));
}

}  // namespace

void add_queue_command(CLI::App& app, Context& ctx) {
  auto name = std::make_shared<std::string>();
  auto reset_name = std::make_shared<std::string>();
  auto* queue = app.add_subcommand("queue", "Show why tasks are not starting: offers declined, launch delay");
  queue->add_option("app", *name, "Only this app (spec name, .json file or Marathon id)");
  auto* reset = queue->add_subcommand("reset", "Reset an app's launch delay (backoff) so it launches now");
  reset->add_option("app", *reset_name, "App spec name, .json file or Marathon id")->required();
  reset->callback(command(ctx, [&ctx, reset_name] { run_reset(ctx, *reset_name); }));
  queue->callback(command(ctx, [&ctx, name, reset] {
    if (!reset->parsed()) run_queue(ctx, *name);  // the parent's callback also runs after 'reset'
  }));
}

}  // namespace mctl::cli
