// mctl man: the man page mctl(1) as roff on stdout (hidden; the build installs it as
// share/man/man1/mctl.1). Read it with: mctl man | man -l -
#include "cli/commands.hpp"
#include "cli/project_commands.hpp"
#include "cli/manual.hpp"
#include "cli/version.hpp"

namespace mctl::cli {

void add_man_command(CLI::App& app, Context& ctx) {
  auto* man = app.add_subcommand("man", "Print the man page (roff): mctl man | man -l -");
  man->group("");  // hidden: for the build and packagers
  const CLI::App* root = &app;
  man->callback(
      command(ctx, [root, &ctx] { ctx.print(man_page(command_tree(*root), k_version)); }));
}

}  // namespace mctl::cli
