#pragma once
// The command tree as data, walked once from CLI11's App: what the shell completions (bash,
// zsh, fish) and the man page are generated from, so they list exactly the commands and
// options mctl parses.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace mctl::cli {

// What the value of an option or positional is, for completion.
enum class ValueKind {
  none,         // a flag: no value
  word,         // free text (nothing to complete)
  file,         // a path
  directory,    // a directory
  environment,  // an environment of mctl.yaml
  app,          // an app of apps_dir (or a spec file)
  vault_id,     // a vault id label (vault.id in mctl.yaml)
  choice,       // one of `choices`
};

struct OptionInfo {
  std::vector<std::string> names;  // "-e", "--env" (short first)
  std::string description;
  std::string value_name;  // "TEXT", "FILE" (empty for flags)
  ValueKind kind = ValueKind::none;
  std::vector<std::string> choices;
};

struct PositionalInfo {
  std::string name;  // "apps"
  std::string description;
  ValueKind kind = ValueKind::word;
  bool required = false;
  bool repeatable = false;
};

struct CommandInfo {
  std::string path;  // below mctl: "" for mctl itself, "images gc registry"
  std::string description;
  std::vector<std::string> subcommands;  // visible ones, in --help order
  std::vector<OptionInfo> options;       // this command's own (no -h/--help)
  std::vector<PositionalInfo> positionals;
};

// Every visible command (hidden helpers such as 'completion apps' are left out), parents
// before children, mctl itself first.
std::vector<CommandInfo> command_tree(const CLI::App& root);

// Every option name that takes a value, anywhere in the tree (the next word is not a command).
std::vector<std::string> valued_option_names(const std::vector<CommandInfo>& tree);

}  // namespace mctl::cli
