#include "cli/commands.hpp"

namespace mctl::cli {
void add_dns_command(CLI::App& app, Context& ctx) {
  add_not_implemented(app, ctx, "dns", "Find an app's tasks through Mesos-DNS", "#7");
}
}  // namespace mctl::cli
