#include "deploy/options.hpp"

#include "core/duration.hpp"

namespace mctl::deploy {

DeployOptions options_from(const core::DeploySettings& settings, const std::string& timeout_flag) {
  DeployOptions o;
  o.timeout = timeout_flag.empty() ? *settings.timeout
                                   : core::parse_duration(timeout_flag, "flag --timeout", "deploy.timeout");
  o.parallel = *settings.parallel;
  o.rollback = *settings.rollback;
  return o;
}

}  // namespace mctl::deploy
