// mctl init [DIR] [--app NAME]: a new project (templates/scaffold.cpp), then what to do next.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/project_commands.hpp"
#include "cli/wiring.hpp"
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

void run_init(Context& ctx, const InitArgs& args) {
  const std::string project = templates::name_from_directory(args.dir);
  const std::string name = args.app.value_or(project);
  const auto written =
      templates::write_project(args.dir, templates::project_files(project, name));
  if (ctx.json()) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& w : written)
      files.push_back({{"path", w.path.string()}, {"action", w.action}});
    ctx.print_json({{"project", project}, {"app", name}, {"files", files}});
    return;
  }
  std::string out;
  for (const auto& w : written) out += fmt::format("{:<10} {}\n", w.action, w.path.string());
  const std::string cd = args.dir == "." ? "" : fmt::format("   # in {}", args.dir);
  ctx.print(out + fmt::format(k_next, fmt::arg("app", name), fmt::arg("cd", cd)));
}

}  // namespace

void add_init_command(CLI::App& app, Context& ctx) {
  auto [init, args] = bound_command<InitArgs>(app, ctx, "init",
                                              "Start a project: mctl.yaml, one app spec, .gitignore and .gitattributes",
                                              run_init);
  init->add_option("dir", args->dir, "Project directory (created when missing; default: .)");
  init->add_option("--app", args->app, "Name of the first app (default: the directory's name)");
  ctx.path_option(args->dir);
}

}  // namespace mctl::cli
