// mctl completion bash|zsh|fish: completion scripts generated from the command tree
// (cli/completion.cpp), so they know every command and option there is; app names,
// environments and vault ids come from the project at completion time through the hidden
// 'mctl completion apps|environments|vault-ids'.
#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "vault/passwords.hpp"

namespace mctl::cli {
namespace {

// The apps of apps_dir: NAME.yaml, without the NAME.ENV.yaml overlays.
std::vector<std::string> app_names(Context& ctx) {
  const auto& config = ctx.config();
  const std::filesystem::path dir = config.settings().project.apps_dir->value_or(config.project_dir() / "apps");
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const auto stem = e.path().stem().string();
    if ((e.path().extension() == ".yaml" || e.path().extension() == ".yml") &&
        stem.find('.') == std::string::npos) {
      names.insert(stem);
    }
  }
  return {names.begin(), names.end()};
}

// The labels of vault.id (label@source) for the selected environment.
std::vector<std::string> vault_labels(Context& ctx) {
  std::set<std::string> labels;
  for (const auto& entry : *ctx.config().settings().vault.ids) {
    labels.insert(vault::split_vault_id(entry).first);
  }
  return {labels.begin(), labels.end()};
}

void add_script(CLI::App* completion, Context& ctx, const CLI::App* root, const std::string& shell,
                const std::string& description,
                std::string (*script)(const std::vector<CommandInfo>&)) {
  auto* sub = completion->add_subcommand(shell, description);
  sub->callback(command(ctx, [root, &ctx, script] { ctx.print(script(command_tree(*root))); }));
}

void add_helper(CLI::App* completion, Context& ctx, const std::string& name,
                const std::string& description, std::vector<std::string> (*list)(Context&)) {
  auto* sub = completion->add_subcommand(name, description);
  sub->group("");  // hidden: used by the scripts
  sub->callback(command(ctx, [&ctx, list] {
    for (const auto& item : list(ctx)) ctx.print(item);
  }));
}

}  // namespace

void add_completion_command(CLI::App& app, Context& ctx) {
  auto* completion = app.add_subcommand(
      "completion", "Print a shell completion script: source <(mctl completion bash)");
  completion->require_subcommand(1);
  add_script(completion, ctx, &app, "bash",
             "Completion for bash (commands, options, apps, environments)", bash_completion);
  add_script(completion, ctx, &app, "zsh",
             "Completion for zsh (commands, options, apps, environments)", zsh_completion);
  add_script(completion, ctx, &app, "fish",
             "Completion for fish (commands, options, apps, environments)", fish_completion);
  add_helper(completion, ctx, "apps", "App names of apps_dir, one a line (used by the scripts)",
             app_names);
  add_helper(completion, ctx, "environments",
             "Environments of mctl.yaml, one a line (used by the scripts)",
             [](Context& c) { return c.config().environments(); });
  add_helper(completion, ctx, "vault-ids",
             "Vault id labels of mctl.yaml, one a line (used by the scripts)", vault_labels);
}

}  // namespace mctl::cli
