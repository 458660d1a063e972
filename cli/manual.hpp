#pragma once
// The man page, mctl(1), generated from the command tree, the examples table, the exit-code
// table and the configuration key table, so it lists exactly what mctl accepts.
#include <string>
#include <vector>

#include "cli/command_tree.hpp"

namespace mctl::cli {

struct ExitCodeInfo {
  int code;
  std::string brief;    // "timeout", for the one-line summary in --help
  std::string meaning;  // the sentence in the man page and README
};

// The exit codes of README's table, in order.
const std::vector<ExitCodeInfo>& exit_codes();

// roff text for man(7) macros.
std::string man_page(const std::vector<CommandInfo>& tree, const std::string& version);

}  // namespace mctl::cli
