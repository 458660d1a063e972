// mctl schema: the JSON Schema of app specs, for editors (yaml-language-server modeline).
#include "cli/commands.hpp"
#include "cli/project_commands.hpp"
#include "templates/spec_schema.hpp"

namespace mctl::cli {

void add_schema_command(CLI::App& app, Context& ctx) {
  auto* schema = app.add_subcommand(
      "schema", "Print the JSON Schema (draft-07) of app specs, for editors that check YAML");
  schema->callback(command(ctx, [&ctx] { ctx.print_json(templates::spec_schema()); }));
}

}  // namespace mctl::cli
