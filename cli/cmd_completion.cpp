// mctl completion bash|zsh|fish: completion scripts generated from the command tree
// (cli/completion.cpp), so they know every command and option there is; app names,
// environments and vault ids come from the project at completion time through the hidden
// 'mctl completion apps|environments|vault-ids'. The bash and zsh scripts call
// 'mctl completion words KIND' instead and keep the answer until a file it came from changes.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
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

// A private directory of this user for the completion scripts' stamp files: $XDG_RUNTIME_DIR/mctl
// (tmpfs, 0700 by its owner), else $XDG_CACHE_HOME/mctl or ~/.cache/mctl. "" when none works.
std::filesystem::path stamp_dir(const Context& ctx) {
  std::filesystem::path dir;
  if (const auto run = ctx.environ("XDG_RUNTIME_DIR"); run && !run->empty()) dir = *run;
  else if (const auto cache = ctx.environ("XDG_CACHE_HOME"); cache && !cache->empty()) dir = *cache;
  else if (const auto home = ctx.environ("HOME"); home && !home->empty()) dir = std::filesystem::path(*home) / ".cache";
  else return {};
  dir /= "mctl";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  struct stat st {};
  // Ours, a real directory (not a link someone planted), and no one else may write in it.
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return {};
  }
  return dir;
}

// A new empty stamp file (its mtime = now, taken before the project is read, so a change made
// while mctl runs counts as newer); stamps older than a day are removed. "" when it cannot.
std::string new_stamp(const Context& ctx) {
  const auto dir = stamp_dir(ctx);
  if (dir.empty()) return {};
  std::error_code ec;
  const auto day_ago = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24);
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::error_code ignored;
    if (e.path().filename().string().rfind("completion-stamp.", 0) == 0 &&
        e.last_write_time(ignored) < day_ago) {
      std::filesystem::remove(e.path(), ignored);
    }
  }
  std::string path = (dir / "completion-stamp.XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return {};
  ::close(fd);
  return path;
}

// What the names depend on: mctl.yaml, every folder from the working directory up to the
// project's (a new mctl.yaml in one of them changes which project it is), and the apps folder.
std::vector<std::string> name_sources(Context& ctx, const std::string& kind) {
  const auto& config = ctx.config();
  std::vector<std::string> sources;
  std::error_code ec;
  auto dir = std::filesystem::absolute(ctx.base_dir(), ec).lexically_normal();  // -C's, not the process's
  if (!dir.empty() && !dir.has_filename()) dir = dir.parent_path();               // "/a/b/." -> "/a/b"
  const auto top = config.file() ? config.project_dir() : dir.root_path();
  for (; !ec && !dir.empty(); dir = dir.parent_path()) {
    sources.push_back(dir.string());
    if (dir == top || dir == dir.parent_path()) break;
  }
  if (config.file()) sources.push_back(std::filesystem::absolute(ctx.path(config.file()->string()), ec).string());
  if (kind == "apps") {
    const std::filesystem::path apps = config.settings().project.apps_dir->value_or(config.project_dir() / "apps");
    const auto at = std::filesystem::absolute(ctx.path(apps.string()), ec);
    if (std::filesystem::is_directory(at, ec)) sources.push_back(at.string());
  }
  return sources;
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

// 'mctl completion words KIND': for the bash and zsh scripts' cache. Lines starting with a tab
// come first: the stamp file, then the files and folders the names came from; then the names.
// The scripts keep the names while every source exists and is older than the stamp.
void add_words(CLI::App* completion, Context& ctx) {
  auto* sub = completion->add_subcommand("words", "Names with their sources (used by the scripts)");
  sub->group("");
  auto kind = std::make_shared<std::string>();
  sub->add_option("kind", *kind, "apps, environments or vault-ids")
      ->required()
      ->check(CLI::IsMember({"apps", "environments", "vault-ids"}));
  sub->callback(command(ctx, [&ctx, kind] {
    const std::string stamp = new_stamp(ctx);
    std::vector<std::string> names = *kind == "apps"           ? app_names(ctx)
                                     : *kind == "environments" ? ctx.config().environments()
                                                               : vault_labels(ctx);
    std::string out;
    if (!stamp.empty()) {
      out += "\t" + stamp + "\n";
      for (const auto& source : name_sources(ctx, *kind)) out += "\t" + source + "\n";
    }
    for (const auto& name : names) out += name + "\n";
    if (!out.empty()) out.pop_back();
    if (!out.empty()) ctx.print(out);
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
  add_words(completion, ctx);
}

}  // namespace mctl::cli
