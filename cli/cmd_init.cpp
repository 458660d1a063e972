// mctl init [DIR] [--app NAME]: a new project (templates/scaffold.cpp), then what to do next.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/project_commands.hpp"
#include "templates/scaffold.hpp"

namespace mctl::cli {

namespace {

struct InitArgs {
  std::string dir = ".";
  std::optional<std::string> app;
};

constexpr const char* k_next = R"(Next:
  git config diff.mctl-vault.textconv "mctl vault view"   # vault files diffed as plaintext (once per clone)
  mctl render {app} -e staging{cd}
  mctl vault create secrets/staging.vault.yaml             # then uncomment vault: in mctl.yaml)";

}  // namespace

void add_init_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<InitArgs>();
  auto* init = app.add_subcommand(
      "init", "Start a project: mctl.yaml, one app spec, .gitignore and .gitattributes");
  init->add_option("dir", args->dir, "Project directory (created when missing; default: .)");
  init->add_option("--app", args->app, "Name of the first app (default: the directory's name)");
  ctx.path_option(args->dir);
  init->callback(command(ctx, [args, &ctx] {
    const std::string project = templates::name_from_directory(args->dir);
    const std::string name = args->app.value_or(project);
    const auto written =
        templates::write_project(args->dir, templates::project_files(project, name));
    if (ctx.json()) {
      nlohmann::json files = nlohmann::json::array();
      for (const auto& w : written)
        files.push_back({{"path", w.path.string()}, {"action", w.action}});
      ctx.print_json({{"project", project}, {"app", name}, {"files", files}});
      return;
    }
    std::string out;
    for (const auto& w : written) out += fmt::format("{:<10} {}\n", w.action, w.path.string());
    const std::string cd = args->dir == "." ? "" : fmt::format("   # in {}", args->dir);
    ctx.print(out + fmt::format(k_next, fmt::arg("app", name), fmt::arg("cd", cd)));
  }));
}

}  // namespace mctl::cli
