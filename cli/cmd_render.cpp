#include "cli/commands.hpp"

namespace mctl::cli {
void add_render_commands(CLI::App& app, Context& ctx) {
  add_not_implemented(app, ctx, "render", "Render app specs to marathon.json", "#4");
  add_not_implemented(app, ctx, "lint", "Render with the platform checklist's warnings", "#4");
}
}  // namespace mctl::cli
