#pragma once
// Commands that start or describe a project, beside the table of cli/commands.hpp.
#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace mctl::cli {

void add_init_command(CLI::App& app, Context& ctx);    // init: a new project
void add_schema_command(CLI::App& app, Context& ctx);  // schema: JSON Schema of app specs
void add_man_command(CLI::App& app, Context& ctx);     // man (hidden): the man page

}  // namespace mctl::cli
