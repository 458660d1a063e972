#pragma once
// The options deploy and the operating commands start from: deploy.* of the configuration,
// with the command's --timeout when given.
#include <string>

#include "core/settings.hpp"
#include "deploy/deployer.hpp"

namespace mctl::deploy {

// deploy.timeout (or `timeout_flag`, a duration, when not empty), deploy.parallel and
// deploy.rollback. Error (usage) for a bad --timeout.
DeployOptions options_from(const core::DeploySettings& settings, const std::string& timeout_flag);

}  // namespace mctl::deploy
