#pragma once
// The examples at the end of each command's --help (a CLI11 footer per command).
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace mctl::cli {

struct CommandExamples {
  std::string command;             // path below mctl, e.g. "images gc registry"
  std::vector<std::string> lines;  // shell lines, each running mctl once
};

const std::vector<CommandExamples>& command_examples();

// The subcommand at a space-separated path below root, or nullptr.
CLI::App* find_command(CLI::App& root, const std::string& path);

// Sets each command's footer to its examples; in the whole tree, a path that names no command
// is a logic_error (a tree of some commands skips the others).
void add_examples(CLI::App& root, bool whole_tree = true);

}  // namespace mctl::cli
