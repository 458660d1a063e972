#pragma once
// The Docker Engine client lives in core (core/docker.hpp): images and local both use it.
#include "core/docker.hpp"

namespace mctl::images {

using core::BuildRequest;
using core::connect_docker;
using core::DockerClient;
using core::EngineAddress;
using core::EngineContainer;
using core::EngineImage;
using core::parse_docker_host;
using core::StreamEvent;
using core::StreamHandler;

}  // namespace mctl::images
