#include "cli/wiring.hpp"

namespace mctl::cli {

void add_follow_options(CLI::App* cmd, FollowFlags& f, const FollowHelp& help) {
  if (help.force) cmd->add_flag("--force", f.force, help.force);
  if (help.timeout) cmd->add_option("--timeout", f.timeout, help.timeout);
  if (help.no_wait) cmd->add_flag("--no-wait", f.no_wait, help.no_wait);
}

}  // namespace mctl::cli
