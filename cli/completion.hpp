#pragma once
// Shell completion scripts for bash, zsh and fish, generated from one walk of the command
// tree (cli/command_tree.hpp). App names, environments and vault ids are asked from mctl at
// completion time (the hidden 'mctl completion apps|environments|vault-ids').
#include <string>
#include <vector>

#include "cli/command_tree.hpp"

namespace mctl::cli {

std::string bash_completion(const std::vector<CommandInfo>& tree);
std::string zsh_completion(const std::vector<CommandInfo>& tree);
std::string fish_completion(const std::vector<CommandInfo>& tree);

}  // namespace mctl::cli
