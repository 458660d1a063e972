#pragma once
// Which environment of mctl.yaml mctl up, ps, down and logs --local use. One rule for the
// four commands, so `ps` and `down` look at what `up` started (project, docker_host, vars).
#include <optional>
#include <string>
#include <vector>

namespace mctl::local {

struct EnvironmentChoice {
  std::string name;  // "" when the project defines no environment to choose
  std::string why;   // "-e", "MCTL_ENV", "named local", "named dev", "default_env", "the only one"
};

// -e wins, then MCTL_ENV (both explicit); else an environment named `local`, else one named
// `dev` (a laptop's run should not pick the cluster's default_env by itself); else
// `default_env`, else the only environment defined; else none.
EnvironmentChoice choose_environment(const std::optional<std::string>& flag,
                                     const std::optional<std::string>& env_var,
                                     const std::vector<std::string>& defined,
                                     const std::optional<std::string>& default_env);

}  // namespace mctl::local
