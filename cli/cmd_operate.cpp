#include "cli/commands.hpp"

namespace mctl::cli {
void add_operate_commands(CLI::App& app, Context& ctx) {
  add_not_implemented(app, ctx, "status", "Show an app's version, health and tasks", "#5");
  add_not_implemented(app, ctx, "apps", "List the environment's apps with health", "#5");
  add_not_implemented(app, ctx, "versions", "List an app's versions", "#5");
  add_not_implemented(app, ctx, "rollback", "Go back to a previous app version", "#5");
  add_not_implemented(app, ctx, "restart", "Restart an app's tasks", "#5");
  add_not_implemented(app, ctx, "scale", "Set an app's instance count", "#5");
  add_not_implemented(app, ctx, "stop", "Scale an app to 0", "#5");
  add_not_implemented(app, ctx, "destroy", "Remove an app from Marathon", "#5");
}
}  // namespace mctl::cli
