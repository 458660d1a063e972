#pragma once
// What mctl up/ps/down and logs --local share: the project name that labels local containers
// and the Docker Engine client (cmd_up.cpp).
#include <memory>
#include <string>

#include "cli/context.hpp"
#include "core/docker.hpp"
#include "local/environment.hpp"

namespace mctl::cli {

// mctl.yaml's `project`, else the project directory's name.
std::string local_project(Context& ctx);
std::shared_ptr<core::DockerClient> local_docker(Context& ctx);
// The environment of local::choose_environment, set as the context's environment before its
// config is loaded. Every local command calls it first.
local::EnvironmentChoice local_environment(Context& ctx);

}  // namespace mctl::cli
