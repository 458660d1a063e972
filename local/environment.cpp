#include "local/environment.hpp"

#include <algorithm>

namespace mctl::local {

EnvironmentChoice choose_environment(const std::optional<std::string>& flag,
                                     const std::optional<std::string>& env_var,
                                     const std::vector<std::string>& defined,
                                     const std::optional<std::string>& default_env) {
  if (flag && !flag->empty()) return {*flag, "-e"};
  if (env_var && !env_var->empty()) return {*env_var, "MCTL_ENV"};
  for (const char* name : {"local", "dev"}) {
    if (std::find(defined.begin(), defined.end(), name) != defined.end())
      return {name, std::string("named ") + name};
  }
  if (default_env && !default_env->empty()) return {*default_env, "default_env"};
  if (defined.size() == 1) return {defined.front(), "the only one"};
  return {};
}

}  // namespace mctl::local
