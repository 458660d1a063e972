#include "cli/commands.hpp"

namespace mctl::cli {
void add_deploy_commands(CLI::App& app, Context& ctx) {
  add_not_implemented(app, ctx, "deploy", "Deploy apps to Marathon and follow until done", "#5");
  add_not_implemented(app, ctx, "diff", "Show what a deploy would change", "#5");
  add_not_implemented(app, ctx, "deployments", "List deployments in flight", "#5");
  add_not_implemented(app, ctx, "cancel", "Cancel a deployment (Marathon rolls back)", "#5");
}
}  // namespace mctl::cli
