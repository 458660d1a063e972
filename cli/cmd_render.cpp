// mctl render / mctl lint: wiring only; the work is in templates/render.hpp.
#include <fmt/format.h>

#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/render_options.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "templates/render.hpp"

namespace mctl::cli {
namespace {

namespace fs = std::filesystem;

struct RenderArgs {
  std::vector<std::string> apps;
  bool all = false;
  std::string output_path;
  std::vector<std::string> sets;
  bool lint = false;
  bool strict = false;
};

templates::RenderOptions make_options(Context& ctx, const RenderArgs& args) {
  auto options = render_options(ctx, args.sets);
  options.lint = args.lint;
  return options;
}

// Renders every requested app; all problems of all apps are reported before failing.
std::vector<templates::RenderReport> render_all(Context& ctx, const RenderArgs& args) {
  const auto options = make_options(ctx, args);
  const auto names = args.all || args.apps.empty() ? templates::list_apps(ctx.config()) : args.apps;
  std::vector<templates::RenderReport> reports;
  reports.reserve(names.size());
  for (const auto& name : names) reports.push_back(templates::check_app(ctx.config(), name, options));
  return reports;
}

void fail_on_errors(const std::vector<templates::RenderReport>& reports) {
  std::string message;
  for (const auto& r : reports) {
    for (const auto& e : r.errors) message += (message.empty() ? "" : "\n") + e.str();
  }
  if (!message.empty()) throw Error(message, Exit::usage);
}

void render(Context& ctx, const RenderArgs& args) {
  if (args.all == !args.apps.empty()) {
    throw Error("render: name one APP|FILE, or use --all", Exit::usage);
  }
  const auto reports = render_all(ctx, args);
  for (const auto& r : reports) {
    for (const auto& w : r.warnings) core::log::warn("{}", w.str());
  }
  fail_on_errors(reports);
  if (!args.all) {
    const std::string text = templates::canonical_json(reports.front().app->definition);
    if (args.output_path.empty() || args.output_path == "-") ctx.print(text);
    else core::write_file_atomic(args.output_path, text);
    return;
  }
  if (args.output_path.empty() || args.output_path == "-") {
    auto list = nlohmann::json::array();
    for (const auto& r : reports) list.push_back(r.app->definition);
    ctx.print(templates::canonical_json(list));
    return;
  }
  std::error_code ec;
  fs::create_directories(args.output_path, ec);
  if (ec || !fs::is_directory(args.output_path)) {
    throw Error(fmt::format("render --all -o {}: cannot use it as the output directory: {}", args.output_path,
                            ec ? ec.message() : "not a directory"),
                Exit::usage);
  }
  for (const auto& r : reports) {
    core::write_file_atomic(fs::path(args.output_path) / (r.name + ".json"),
                            templates::canonical_json(r.app->definition));
  }
}

void lint(Context& ctx, RenderArgs args) {
  args.lint = true;
  const auto reports = render_all(ctx, args);
  std::size_t warnings = 0;
  auto apps = nlohmann::json::array();
  std::string text;
  for (const auto& r : reports) {
    warnings += r.warnings.size();
    auto list = nlohmann::json::array();
    for (const auto& w : r.warnings) {
      list.push_back({{"file", w.file}, {"line", w.line}, {"column", w.column}, {"message", w.message}});
      text += w.str() + "\n";
    }
    apps.push_back({{"name", r.name}, {"id", r.app ? nlohmann::json(r.app->id) : nlohmann::json()},
                    {"warnings", list}});
  }
  fail_on_errors(reports);
  if (ctx.json()) ctx.print_json({{"apps", apps}, {"warnings", warnings}});
  else ctx.print(text + fmt::format("{} app(s) checked, {} warning(s)", reports.size(), warnings));
  if (args.strict && warnings > 0) {
    throw Error(fmt::format("lint: {} warning(s) and --strict", warnings), Exit::failure);
  }
}

}  // namespace

void add_render_commands(CLI::App& app, Context& ctx) {
  auto render_args = std::make_shared<RenderArgs>();  // one per command tree (cli::run re-entrant)
  auto* sub = app.add_subcommand("render", "Render app specs to marathon.json (canonical JSON)");
  sub->add_option("app", render_args->apps, "App name in apps_dir, or a spec file")->expected(0, 1);
  sub->add_flag("--all", render_args->all, "Render every app of apps_dir (stdout: a JSON list)");
  sub->add_option("-o,--out", render_args->output_path, "Write to FILE (with --all: DIR/<app>.json), atomically");
  ctx.path_option(render_args->output_path);
  sub->add_option("--set", render_args->sets, "Variable name=value (typed as YAML); repeatable");
  sub->add_flag("--lint", render_args->lint, "Add the platform checklist's warnings");
  sub->callback(command(ctx, [&ctx, render_args] { render(ctx, *render_args); }));

  auto lint_args = std::make_shared<RenderArgs>();
  auto* lint_cmd = app.add_subcommand("lint", "Check app specs against Marathon's rules and the platform checklist");
  lint_cmd->add_option("apps", lint_args->apps, "Apps or spec files (default: every app)");
  lint_cmd->add_option("--set", lint_args->sets, "Variable name=value (typed as YAML); repeatable");
  lint_cmd->add_flag("--strict", lint_args->strict, "Exit 1 when there are warnings");
  lint_cmd->callback(command(ctx, [&ctx, lint_args] { lint(ctx, *lint_args); }));
}

}  // namespace mctl::cli
